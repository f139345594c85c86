#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer: builds into
# build-sanitize/ (ACCELSCOPE_SANITIZE=ON, GCC, everything) and runs ctest there.
#   scripts/sanitize.sh [ctest arguments...]
# Not part of CI: a cold sanitizer build and its tests take several times the normal ones.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build-sanitize/CMakeCache.txt ]; then
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DACCELSCOPE_SANITIZE=ON >/dev/null
fi
cmake --build build-sanitize -j"$(nproc)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir build-sanitize --output-on-failure -j"$(nproc)" --timeout 1200 "$@"
