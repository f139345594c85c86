#!/usr/bin/env python3
"""Writes bursty_mobilenet.csv: a synthetic request trace (not a recording) for
spaces/scenarios/trace_mix.json. Poisson arrivals alternating 2 s at 100 requests/s and
0.5 s at 400 requests/s, eight times (20 s, mean 160 requests/s), seed 12."""
import random

rng = random.Random(12)
arrivals, start = [], 0.0
for _ in range(8):
    for seconds, rate in ((2.0, 100.0), (0.5, 400.0)):
        t = start + rng.expovariate(rate)
        while t < start + seconds:
            arrivals.append(t)
            t += rng.expovariate(rate)
        start += seconds
with open("bursty_mobilenet.csv", "w") as out:
    out.write("# synthetic trace, written by make_bursty.py (see its docstring)\n")
    out.write("arrival_ms\n")
    out.writelines(f"{t * 1e3:.3f}\n" for t in arrivals)
