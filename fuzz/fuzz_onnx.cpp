// libFuzzer target: a workload read as `accelscope eval --workload FILE.onnx [--training]` reads
// it, then evaluated.
#include "engine/loaders.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accelscope;
  const std::string path = fuzz::write_input(data, size, ".onnx");
  fuzz::expecting_input_errors([&] { fuzz::exercise(engine::load_workload(path)); });
  fuzz::expecting_input_errors([&] {
    engine::WorkloadOptions training;
    training.training = model::TrainingOptions{};
    training.batch = 3;
    fuzz::exercise(engine::load_workload(path, training));
  });
  return 0;
}
