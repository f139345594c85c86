#!/usr/bin/env bash
# Regenerates docs/screenshot.png: runs a real search (nsga2 and random, same budget) on a shipped
# design space, opens the study in the viewer under Xvfb with the random search's front overlaid,
# selects the knee design of the 2-D front and grabs the window (accelscope-gui --screenshot).
#   scripts/screenshot_gui.sh [SPACE.json] [OUT.png]
# Environment: BUILD_DIR (default build), BUDGET (default 300), JOBS (default 2), ACCELSCOPE_CLI
# (an accelscope binary to use instead of building $BUILD_DIR/engine/accelscope).
# Without a working `accelscope search` it falls back to the synthetic fixture database.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build}
budget=${BUDGET:-300}
jobs=${JOBS:-2}
space=${1:-}
out=${2:-docs/screenshot.png}

if [ -z "$space" ]; then
  for candidate in spaces/edge.json spaces/*.json spaces/*/*.json; do
    if [ -f "$candidate" ] && grep -q '"parameters"' "$candidate"; then
      space=$candidate
      break
    fi
  done
fi
[ -n "$space" ] || space=tests/data/spaces/slow.json

[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$jobs" --target accelscope-gui

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/study.sqlite"
name=$(basename "$space" .json)
view=(--x area_mm2 --y latency_ms --log xy --colour energy_mj)

cli=${ACCELSCOPE_CLI:-}
if [ -z "$cli" ] && cmake --build "$build" -j"$jobs" --target accelscope >/dev/null 2>&1; then
  cli="$build/engine/accelscope"
fi
if [ -n "$cli" ] && "$cli" search --help >/dev/null 2>&1; then
  echo "searching $space with $cli (budget $budget, nsga2 and random)"
  for strategy in nsga2 random; do
    "$cli" search "$space" --db "$db" --strategy "$strategy" \
      --budget "$budget" --seed 1 --study "$name-$strategy" --quiet
  done
  study=(--study "$name-nsga2" --overlay "$name-random")
else
  echo "accelscope search is not available: using the synthetic fixture database"
  cmake --build "$build" -j"$jobs" --target accelscope-gui-fixture
  "$build/tests/gui/accelscope-gui-fixture" "$db"
  study=(--study edge-inference-22nm --overlay edge-inference-7nm)
fi

gui=("$build/gui/accelscope-gui" "$db" "${study[@]}" "${view[@]}" --select-best --tab breakdown
  --size 1280x800 --screenshot "$out")
if command -v xvfb-run >/dev/null; then
  xvfb-run -a -s "-screen 0 1600x1000x24" "${gui[@]}"
else
  echo "xvfb-run not found: rendering offscreen"
  QT_QPA_PLATFORM=offscreen "${gui[@]}"
fi
