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
    function()  # warm the caches (file reads happen once)
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return calls / (time.perf_counter() - start)


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
        return max(rate(calls, function) for _ in range(args.repeat))

    native = max(args.calls / _core._bench_native(hw_path, "resnet50", args.calls, False)
                 for _ in range(args.repeat))
    results = {
        "workload": "resnet50",
        "hardware": "edge_16x16_int8",
        "calls": args.calls,
        "native_per_s": native,
        "path_per_s": best(lambda: accelscope.evaluate(hw_path, "resnet50", per_layer=False),
                           args.calls),
        "dict_per_s": best(lambda: accelscope.evaluate(hw_dict, workload, per_layer=False),
                           args.calls),
        "per_layer_per_s": best(lambda: accelscope.evaluate(hw_path, "resnet50"),
                                max(args.calls // 10, 1)),
    }
    results["binding_overhead_us"] = 1e6 * (1 / results["path_per_s"] - 1 / native)
    results["binding_overhead_share"] = 1 - results["path_per_s"] / native
    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"ResNet-50 on edge_16x16_int8, one core, best of {args.repeat} x {args.calls} calls")
    print(f"  native C++ loop (no Python)           {native:10,.0f} calls/s")
    print(f"  evaluate(path, name, per_layer=False) {results['path_per_s']:10,.0f} calls/s")
    print(f"  evaluate(dict, Workload, per_layer=False) {results['dict_per_s']:6,.0f} calls/s")
    print(f"  evaluate(path, name) per layer        {results['per_layer_per_s']:10,.0f} calls/s")
    print(f"  binding overhead {results['binding_overhead_us']:.1f} us per call "
          f"({100 * results['binding_overhead_share']:.1f}% of a totals-only call)")


if __name__ == "__main__":
    main()
