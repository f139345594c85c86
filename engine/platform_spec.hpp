// Heterogeneous platform files (spaces/platforms/*.json, issue 13): compute units (systolic
// accelerators given by a hardware description, or engines described by data paths), the shared
// DRAM and links, every figure with its source; read strictly into model::platform's plain data.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "model/io/technology_io.hpp"
#include "model/platform/units.hpp"

namespace accelscope::engine {

// Reads a platform; io::InputError "<file>: field 'units.<name>.<field>' = ..., allowed: ..." for
// a bad one. Systolic units' hardware files are found as given or beside the platform file.
model::platform::HeteroPlatform load_platform(const std::string& path,
                                              const io::TechLibrary& library);
// The same from a platform's JSON (a design of a space naming a platform: its parameters applied);
// `path` names it in errors and anchors relative hardware files.
model::platform::HeteroPlatform platform_from_json(const nlohmann::json& json,
                                                   const std::string& path,
                                                   const io::TechLibrary& library);

}  // namespace accelscope::engine
