// Reading hardware and workloads in any supported format, chosen by extension and content:
// native JSON, SCALE-Sim .cfg / topology CSV, SimDIT (GeneSys) JSON, ONNX.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/hardware.hpp"
#include "model/training.hpp"
#include "model/workload.hpp"

namespace accelscope::engine {

enum class Compat { none, scalesim };

model::Accelerator load_hardware(const std::string& path);

struct WorkloadOptions {
  std::optional<std::int64_t> batch;  // overrides the file's batch
  // Set: the file is a forward network and one training iteration of it is returned.
  std::optional<model::TrainingOptions> training;
};

model::Network load_workload(const std::string& path, const WorkloadOptions& options = {});

}  // namespace accelscope::engine
