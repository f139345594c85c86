// Loads the technology tables shipped in spaces/tech (or a user's copy) and resolves them for a
// technology node.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/technology.hpp"

namespace accelscope::io {

struct TechLibrary {
  std::string directory;
  nlohmann::json description;                         // technology.json
  // CACTI tables by cell type, then by node.
  std::array<std::map<int, std::vector<model::SramPoint>>, model::kNumProcesses> sram;
};

// Directory of shipped data: $ACCELSCOPE_DATA_DIR, else the source tree's spaces/ (compiled in).
std::string data_directory();

// Reads <directory>/technology.json and the SRAM table it names. InputError on bad files.
TechLibrary load_tech_library(const std::string& directory);
TechLibrary load_default_tech_library();

// Nodes with energy and area figures.
std::vector<int> supported_nodes(const TechLibrary& library);

// The technology at a node; InputError listing the supported nodes if it has none.
model::Technology technology_at(const TechLibrary& library, int node_nm);

}  // namespace accelscope::io
