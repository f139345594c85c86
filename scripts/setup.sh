#!/usr/bin/env bash
# Set-up command 1 of 2 (see README): installs the Debian 12 packages accelscope needs (only those
# missing; idempotent), builds everything in ./build, then runs the main job on a shipped example.
#   scripts/setup.sh            install, build, run the example
#   scripts/setup.sh --no-run   install and build only (used by CI)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libcli11-dev libfmt-dev libtbb-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libeigen3-dev libspdlog-dev catch2
  libonnx-dev libprotobuf-dev protobuf-compiler
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-qpa-plugins libgl-dev
  poppler-utils xvfb xauth
  libopenmpi-dev openmpi-bin  # the MPI distributed engine (ACCELSCOPE_MPI)
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer, ASan and UBSan runtimes
  python3-dev pybind11-dev pybind11-json-dev python3-pytest python3-numpy python3-pandas
  python3-matplotlib
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

if [ "${1:-}" != "--no-run" ]; then
  scripts/example.sh
fi
