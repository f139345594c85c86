// libFuzzer target: hardware read as `accelscope eval --hw FILE.json` reads it, then evaluated.
#include "engine/loaders.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accelscope;
  const std::string path = fuzz::write_input(data, size, ".json");
  fuzz::expecting_input_errors([&] { fuzz::exercise(engine::load_hardware(path)); });
  return 0;
}
