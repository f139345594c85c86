// Reading hardware and workloads in any supported format, chosen by extension and content:
// native JSON, SCALE-Sim .cfg / topology CSV, SimDIT (GeneSys) JSON, ONNX.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/hardware.hpp"
#include "model/training.hpp"
#include "model/workload.hpp"

namespace accelscope::engine {

enum class Compat { none, scalesim };

model::Accelerator load_hardware(const std::string& path);
// Hardware already parsed as JSON (native or GeneSys); `source` names it in errors.
model::Accelerator hardware_from_json(const nlohmann::json& json, const std::string& source);

struct WorkloadOptions {
  std::optional<std::int64_t> batch;  // overrides the file's batch
  // Set: the file is a forward network and one training iteration of it is returned.
  std::optional<model::TrainingOptions> training;
};

model::Network load_workload(const std::string& path, const WorkloadOptions& options = {});
// A workload already parsed as JSON (native or SimDIT spec); `source` names it in errors.
model::Network workload_from_json(const nlohmann::json& json, const std::string& source,
                                  const WorkloadOptions& options = {});

// Shipped workloads by name (file names without extension in <data dir>/workloads), sorted.
std::vector<std::string> shipped_workloads();
// A workload argument: an existing file, else a shipped workload ("resnet50", "resnet50.json").
// A bare name that is neither gets io::InputError listing the shipped ones; a path is returned
// as given (the loader then reports it cannot be opened).
std::string resolve_workload(const std::string& path_or_name);

}  // namespace accelscope::engine
