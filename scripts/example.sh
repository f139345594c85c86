#!/usr/bin/env bash
# The main job on a shipped example: evaluate ResNet-50 on the shipped edge design.
set -euo pipefail
cd "$(dirname "$0")/.."
build/engine/accelscope eval --hw spaces/hardware/edge_16x16_int8.json \
  --workload spaces/workloads/resnet50_scalesim.csv
