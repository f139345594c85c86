// libFuzzer target: a design-space spec read as `accelscope search SPACE.json` reads it, then a few
// of its designs built (parameters applied, derived rules run) and read as hardware.
#include <algorithm>

#include "engine/space_spec.hpp"
#include "fuzz/fuzz_common.hpp"
#include "model/io/hardware_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accelscope;
  const std::string path = fuzz::write_input(data, size, ".json");
  fuzz::expecting_input_errors([&] {
    const engine::SpaceSpec spec = engine::read_space_spec(path);
    const search::Space space = spec.space();
    for (double u : {0.0, 0.37, 0.999}) {
      const search::Point point = space.from_unit(std::vector<double>(space.dimension_count(), u));
      engine::params_at(spec, point);
      // A design outside the hardware's ranges is a failed design, not a crash.
      fuzz::expecting_input_errors([&] {
        fuzz::exercise(io::parse_hardware(engine::hardware_json_at(spec, point), "design"));
      });
    }
  });
  return 0;
}
