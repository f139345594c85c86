#!/usr/bin/env bash
# Fuzzes every parser (fuzz/README.md): builds the libFuzzer targets with clang, AddressSanitizer
# and UBSan in build-fuzz/, then runs each for SECONDS (default 60) from its committed seeds.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# New inputs go to build-fuzz/corpus/<target>/ (kept between runs), crashes, hangs (over 10 s) and
# memory blow-ups (over 2 GiB) to build-fuzz/findings/<target>/; the script fails if any target
# found one. A summary line per target gives executions run and findings.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
all_targets=(hardware_json genesys_json scalesim_cfg workload_json simdit_json scalesim_csv onnx
             space_json technology_json technology_csv platform_json)
targets=("${@:-${all_targets[@]}}")

cxx="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$cxx" ]; then
  echo "fuzz.sh: clang++ not found (Debian: apt-get install clang)" >&2
  exit 1
fi
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
    -DACCELSCOPE_FUZZ=ON -DACCELSCOPE_ONLY=model -DACCELSCOPE_BUILD_TESTS=OFF \
    -DACCELSCOPE_BUILD_GUI=OFF >/dev/null
fi
cmake --build build-fuzz -j"$(nproc)" --target fuzz_all

# Seeds: the committed corpus plus shipped files of the same format (read-only to libFuzzer).
seeds_for() {
  case "$1" in
    hardware_json) echo fuzz/corpus/hardware_json spaces/hardware ;;
    onnx) echo tests/data/onnx ;;
    technology_json) echo spaces/tech ;;
    platform_json) echo fuzz/corpus/platform_json spaces/platforms ;;
    technology_csv) echo fuzz/corpus/technology_csv spaces/tech ;;
    *) echo "fuzz/corpus/$1" ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
summary=()
for target in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$target"
  findings="build-fuzz/findings/$target"
  mkdir -p "$corpus" "$findings"
  log="build-fuzz/fuzz_$target.log"
  status=0
  # shellcheck disable=SC2046
  build-fuzz/fuzz/fuzz_"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" \
    $(seeds_for "$target") >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  found="$(find "$findings" -type f | wc -l)"
  summary+=("$(printf '%-14s %10s executions  %s findings' "$target" "${runs:-?}" "$found")")
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz.sh: $target failed (exit $status); log: $log, findings: $findings/" >&2
    grep -m3 -E "ERROR|runtime error|deadly signal|Timeout|out-of-memory" "$log" >&2 || true
  fi
done
printf '%s\n' "${summary[@]}"
exit "$failed"
