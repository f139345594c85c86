#!/usr/bin/python3
"""Speed of accelscope.evaluate called from Python, and what the binding adds (BENCHMARKS.md).

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench_python.py [--calls N] [--json]

Pinned to one core. For ResNet-50 on the shipped edge design it times, per call:
  native      the C++ work of one evaluate() (read the hardware file, find the cached workload
              and technology, run the model, build the JSON) in a C++ loop: no Python at all;
  path        accelscope.evaluate(hw_file, "resnet50", per_layer=False) from Python;
  dict        the same with the hardware as a dict and a loaded Workload;
  per_layer   accelscope.evaluate(hw_file, "resnet50") with the per-layer report.
The binding's overhead is the difference between "path" and "native".
"""

import argparse
import json
import os
import time

import accelscope
from accelscope import _core


def rate(calls, function):
    """(calls per second of wall time, calls per second of this process's CPU time)."""
    function()  # warm the caches (file reads happen once)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        function()
    return calls / (time.perf_counter() - wall), calls / (time.process_time() - cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    hw_path = os.path.join(accelscope.data_directory(), "hardware", "edge_16x16_int8.json")
    with open(hw_path) as f:
        hw_dict = json.load(f)
    workload = accelscope.load_workload("resnet50")
    _core._bench_native(hw_path, "resnet50", 10, False)  # warm

    def best(function, calls):
        runs = [rate(calls, function) for _ in range(args.repeat)]
        return {"wall": max(r[0] for r in runs), "cpu": max(r[1] for r in runs)}

    cases = {
        "native": (lambda: _core._bench_native(hw_path, "resnet50", args.calls, False), 1),
        "path": (lambda: accelscope.evaluate(hw_path, "resnet50", per_layer=False), args.calls),
        "dict": (lambda: accelscope.evaluate(hw_dict, workload, per_layer=False), args.calls),
        "per_layer": (lambda: accelscope.evaluate(hw_path, "resnet50"), max(args.calls // 10, 1)),
    }
    results = {"workload": "resnet50", "hardware": "edge_16x16_int8", "calls": args.calls,
               "load_average": os.getloadavg()[0]}
    for name, (function, calls) in cases.items():
        measured = best(function, calls)
        scale = args.calls if name == "native" else 1  # one native call runs the whole loop
        results[f"{name}_per_s"] = {k: v * scale for k, v in measured.items()}
    for clock in ("wall", "cpu"):
        native, path = results["native_per_s"][clock], results["path_per_s"][clock]
        results[f"binding_overhead_us_{clock}"] = 1e6 * (1 / path - 1 / native)
    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"ResNet-50 on edge_16x16_int8, one core, best of {args.repeat} runs of {args.calls} "
          f"calls (load average {results['load_average']:.1f}); calls/s by wall and CPU time")
    rows = (("native C++ loop (no Python)", "native"),
            ("evaluate(path, name, per_layer=False)", "path"),
            ("evaluate(dict, Workload, per_layer=False)", "dict"),
            ("evaluate(path, name) with layers", "per_layer"))
    for label, name in rows:
        r = results[f"{name}_per_s"]
        print(f"  {label:42} {r['wall']:9,.0f} wall {r['cpu']:9,.0f} cpu")
    print(f"  binding overhead per call: {results['binding_overhead_us_wall']:.1f} us (wall), "
          f"{results['binding_overhead_us_cpu']:.1f} us (cpu)")


if __name__ == "__main__":
    main()
