// A libFuzzer target: fuzz/CMakeLists.txt compiles this once per reader, defining
// ACCELSCOPE_FUZZ_READER (read_hardware, read_workload or read_space) and
// ACCELSCOPE_FUZZ_EXTENSION (".json", ".cfg", ".csv", ".onnx").
#include "fuzz/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  accelscope::fuzz::ACCELSCOPE_FUZZ_READER(data, size, ACCELSCOPE_FUZZ_EXTENSION);
  return 0;
}
