// Native workload format (JSON; README "Workload format"): a network of ops with per-sample
// shapes and a batch size. The loader multiplies by the batch.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "model/workload.hpp"

namespace accelscope::io {

// batch_override replaces the file's batch. Throws InputError naming file, op and field.
model::Network parse_workload(const nlohmann::json& json, const std::string& file,
                              std::optional<std::int64_t> batch_override = std::nullopt);
model::Network read_workload_json_file(const std::string& path,
                                       std::optional<std::int64_t> batch_override = std::nullopt);
// The same format back, per-sample shapes where the batch divides them.
nlohmann::json workload_to_json(const model::Network& network);

const std::vector<std::pair<std::string_view, model::OpKind>>& op_kind_names();
const std::vector<std::pair<std::string_view, model::Phase>>& phase_names();

}  // namespace accelscope::io
