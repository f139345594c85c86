// Native hardware description (JSON; format in README "Hardware description").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "model/hardware.hpp"

namespace accelscope::io {

// Throws InputError naming the file, the field, the bad value and what is allowed.
model::Accelerator parse_hardware(const nlohmann::json& json, const std::string& file);
model::Accelerator read_hardware_file(const std::string& path);
// The same format back (round-trips through parse_hardware).
nlohmann::json hardware_to_json(const model::Accelerator& accelerator);

// Names accepted for enumerations in input files.
const std::vector<std::pair<std::string_view, model::Precision>>& precision_names();
const std::vector<std::pair<std::string_view, model::Dataflow>>& dataflow_names();
const std::vector<std::pair<std::string_view, model::VectorFn>>& vector_fn_names();

}  // namespace accelscope::io
