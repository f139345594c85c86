#!/usr/bin/env bash
# Regenerates the shipped workloads spaces/workloads/*.json from the committed ONNX exports in
# tests/data/onnx (made by scripts/export_onnx_models.py) with `accelscope import-onnx`.
#   scripts/make_workloads.sh [path/to/accelscope]     (default: build/engine/accelscope)
# Every file records its source (ONNX file and dimensions) under "source"; the test suite
# re-imports each one and checks the shipped file is identical.
set -euo pipefail
cd "$(dirname "$0")/.."
accelscope=${1:-build/engine/accelscope}
onnx=tests/data/onnx
out=spaces/workloads

import() {  # import ONNX_NAME OUTPUT_NAME [--dim NAME=VALUE]...
  local model=$1 name=$2
  shift 2
  "$accelscope" import-onnx "$onnx/$model.onnx" --name "$name" "$@" -o "$out/$name.json"
}

# ImageNet CNNs at 224x224, batch 1 (per-sample shapes: --batch N scales them).
import resnet50 resnet50 --dim batch=1
import resnet18 resnet18 --dim batch=1
import mobilenet_v2 mobilenet_v2 --dim batch=1
import vgg16 vgg16 --dim batch=1
import googlenet googlenet --dim batch=1
import mnasnet mnasnet --dim batch=1
# LeNet-5-sized CNN on 28x28 grey images.
import lenet lenet --dim batch=1
# Transformers: one export each, the sequence length bound here.
import bert_base bert_base_s128 --dim batch=1 --dim sequence=128
import bert_base bert_base_s512 --dim batch=1 --dim sequence=512
import gpt2_small gpt2_small_s1024 --dim batch=1 --dim sequence=1024
