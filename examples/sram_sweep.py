#!/usr/bin/python3
"""Sweep the on-chip buffer sizes of one design and plot ResNet-50 latency and energy.

    PYTHONPATH=build/python /usr/bin/python3 examples/sram_sweep.py -o out/sram_sweep.png

The edge design (spaces/hardware/edge_16x16_int8.json) is evaluated with its weight buffer, then
its input buffer, from 16 KiB to 2 MiB; everything else stays as shipped.
"""

import argparse
import copy
import json
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402

import accelscope  # noqa: E402


def sweep(hw, buffer, sizes_kib, workload):
    """(latency ms, energy mJ, DRAM MiB) per buffer size."""
    rows = []
    for kib in sizes_kib:
        design = copy.deepcopy(hw)
        design["sram"][buffer]["kib"] = kib
        total = accelscope.evaluate(design, workload, per_layer=False)["total"]
        rows.append((total["latency_s"] * 1e3, total["energy_pj"] * 1e-9,
                     (total["dram_read_bytes"] + total["dram_write_bytes"]) / 2**20))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hw", default=os.path.join(accelscope.data_directory(), "hardware",
                                                     "edge_16x16_int8.json"))
    parser.add_argument("--workload", default="resnet50", help="file or shipped name")
    parser.add_argument("-o", "--output", default="sram_sweep.png", help="PNG to write")
    args = parser.parse_args()

    with open(args.hw) as f:
        hw = json.load(f)
    workload = accelscope.load_workload(args.workload)  # read once for every design
    sizes_kib = [2**k for k in range(4, 12)]  # 16 KiB .. 2 MiB

    figure, (latency_axis, energy_axis) = plt.subplots(1, 2, figsize=(10, 4))
    for buffer in ("weights", "inputs"):
        rows = sweep(hw, buffer, sizes_kib, workload)
        latency_axis.plot(sizes_kib, [r[0] for r in rows], marker="o", label=f"{buffer} buffer")
        energy_axis.plot(sizes_kib, [r[1] for r in rows], marker="o", label=f"{buffer} buffer")
        for kib, (latency, energy, dram) in zip(sizes_kib, rows):
            print(f"{buffer:8} {kib:5} KiB  latency {latency:8.3f} ms  energy {energy:7.3f} mJ  "
                  f"DRAM {dram:7.2f} MiB")
    for axis, label in ((latency_axis, "latency (ms)"), (energy_axis, "energy (mJ)")):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("buffer size (KiB)")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.suptitle(f"{workload.name} on {hw.get('name', 'design')}: one buffer varied")
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    figure.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
