#!/usr/bin/python3
"""Run a small search and plot its Pareto front from the study.

    PYTHONPATH=build/python /usr/bin/python3 examples/search_front.py --db out/example.sqlite \
        -o out/search_front.png

Searches the shipped edge space (NSGA-II, 300 designs by default) into a study database, then
reads the study back as DataFrames: every design in grey, feasible ones in blue, the front in red.
An existing study of the same name in the database is continued, not repeated.
"""

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402

import accelscope  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", default=os.path.join(accelscope.data_directory(), "edge.json"))
    parser.add_argument("--db", default="example.sqlite")
    parser.add_argument("--strategy", default="nsga2", choices=accelscope.strategies())
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="search_front.png", help="PNG to write")
    args = parser.parse_args()

    def progress(report):
        print(f"\r{report['done']}/{report['budget']} designs, front {report['front_size']}",
              end="", file=sys.stderr)

    study = accelscope.search(args.space, args.db, strategy=args.strategy, budget=args.budget,
                              seed=args.seed, progress=progress)
    print(file=sys.stderr)
    trials = study.trials(status="done")
    front = study.front()
    objectives = [o["metric"] for o in study.info["objectives"]]
    x, y = objectives[:2]

    figure, axis = plt.subplots(figsize=(6, 4.5))
    feasible = trials[trials["feasible"]]
    axis.scatter(trials[x], trials[y], s=8, color="0.8", label=f"all ({len(trials)})")
    axis.scatter(feasible[x], feasible[y], s=8, color="tab:blue",
                 label=f"feasible ({len(feasible)})")
    if len(objectives) == 2:  # a two-objective front is a staircase: join it
        ordered = front.sort_values(x)
        axis.plot(ordered[x], ordered[y], "o-", color="tab:red", markersize=4,
                  label=f"front ({len(front)})")
    else:  # projected from more objectives: points only
        axis.scatter(front[x], front[y], s=18, color="tab:red",
                     label=f"front over {', '.join(objectives)} ({len(front)})")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel(x)
    axis.set_ylabel(y)
    axis.grid(True, alpha=0.3)
    axis.legend()
    axis.set_title(f"{study.name}")
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    figure.savefig(args.output, dpi=120)

    columns = ["id"] + [p["name"] for p in study.space().parameters] + [x, y]
    print(front[[c for c in columns if c in front.columns]].to_string(index=False))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
