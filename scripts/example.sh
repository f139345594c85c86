#!/usr/bin/env bash
# The main job on a shipped example: search the edge design space (ResNet-50 and MobileNetV2,
# int8, LPDDR4) with NSGA-II into a local SQLite study, then write a Pareto report of its front.
# Re-running continues the same study (it is already complete, so it only reprints the front).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
build/engine/accelscope search spaces/edge.json --db out/edge.sqlite --strategy nsga2 \
  --budget 400 --seed 1
build/engine/accelscope report --db out/edge.sqlite --format html -o out/edge-report.html
build/engine/accelscope report --db out/edge.sqlite --format pdf -o out/edge-report.pdf
echo "report: out/edge-report.html and out/edge-report.pdf (open the study in build/gui/accelscope-gui out/edge.sqlite)"
