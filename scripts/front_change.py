#!/usr/bin/env python3
"""How residency and fusion change the edge space's true front (BENCHMARKS.md, issue 9).

Evaluates the whole grid of spaces/edge.json twice with the same calibrated model: as shipped
(tensors resident on chip, fusion on) and with the base hardware set to "inter_layer":
"through_dram", "fusion": false (the model before issue 9), then prints each feasible front's
size and which parameter levels it uses.
Run: PYTHONPATH=build/python /usr/bin/python3 scripts/front_change.py
"""
import json
import os
import tempfile

import accelscope, itertools, collections, time
def run(path):
    sp = accelscope.Space(path)
    levels=[p['levels'] for p in sp.parameters]
    names=[p['name'] for p in sp.parameters]
    pts=[[float(i) for i in s] for s in itertools.product(*[range(len(l)) for l in levels])]
    t=time.time(); rs=sp.evaluate_many(pts, threads=2); el=time.time()-t
    feas=[r for r in rs if r.get('feasible')]
    objs=[(r['metrics']['latency_ms'], r['metrics']['energy_mj'], r['metrics']['area_mm2'], r) for r in feas]
    objs.sort(key=lambda o:(o[0],o[1],o[2]))
    front=[]
    for o in objs:
        if not any(f[0]<=o[0] and f[1]<=o[1] and f[2]<=o[2] and (f[0],f[1],f[2])!=(o[0],o[1],o[2]) for f in front):
            front.append(o)
    return sp, rs, feas, front, el
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spaces = os.path.join(root, "spaces")
tmp = tempfile.mkdtemp()
spec = json.load(open(os.path.join(spaces, "edge.json")))
for w in spec["workloads"]:
    w["file"] = os.path.join(spaces, "workloads", w["file"])
hardware = json.load(open(os.path.join(spaces, spec["hardware"])))
variants = {}
for label, overrides in (("resident+fusion", {}),
                         ("through_dram, no fusion", {"inter_layer": "through_dram", "fusion": False})):
    hw = dict(hardware, **overrides)
    hw_path = os.path.join(tmp, "hw_%d.json" % len(variants))
    json.dump(hw, open(hw_path, "w"))
    variant = dict(spec, hardware=hw_path)
    variants[label] = os.path.join(tmp, "edge_%d.json" % len(variants))
    json.dump(variant, open(variants[label], "w"))
res={}
for label,path in variants.items():
    sp,rs,feas,front,el=run(path)
    print(f'== {label}: {len(rs)} designs ({el:.1f} s), {len(feas)} feasible, front {len(front)}')
    for key in ('sram.inputs.kib','sram.weights.kib','sram.outputs.kib','dram.bandwidth_gbps','pe_count','array.dataflow'):
        c=collections.Counter(f[3]['params'][key] for f in front)
        print(' ',key, dict(sorted(c.items(), key=lambda kv: str(kv[0]))))
    lat=[f[0] for f in front]; en=[f[1] for f in front]; ar=[f[2] for f in front]
    print('  latency ms %.2f..%.2f, energy mJ %.2f..%.2f, area %.2f..%.2f' % (min(lat),max(lat),min(en),max(en),min(ar),max(ar)))
    dram=[f[3]['metrics']['dram_mib'] for f in front]
    print('  DRAM MiB on front: %.1f..%.1f (median %.1f)'%(min(dram),max(dram),sorted(dram)[len(dram)//2]))
    res[label]=front
