// The validation table: the model against independent references (SCALE-Sim, SimDIT) and against
// published silicon (spaces/reference/silicon/published.json), one row per figure with the model's
// value, the reference's, the error and the tolerance it is held to. `accelscope validate` prints
// it; tests hold every judged row to its tolerance; docs/validation.md explains the gaps.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/io/technology_io.hpp"

namespace accelscope::engine {

struct ValidationRow {
  std::string reference;  // who published the figure
  std::string figure;     // what it is, with the workload
  std::string unit;
  double model = 0;
  std::optional<double> published;  // the published value, if a single number
  // The row passes when model lies in [low, high]; informative rows (no tolerance given) are
  // shown, not judged.
  double low = 0, high = 0;
  bool judged = true;
  std::string tolerance;  // as text: "+-20 %", "in [230, 331]", ">= 80"
  std::string note;
  // Shares are judged in points: their error is the difference, not a ratio.
  bool error_in_points = false;
  bool pass() const { return !judged || (model >= low && model <= high); }
  // Error against the published value (0 when there is none): relative, or in points.
  double error() const;
};

// Runs every reference found under `data_dir` (spaces/): hardware in hardware/chips, workloads in
// workloads/, references in reference/. Throws io::InputError on missing or bad files.
std::vector<ValidationRow> run_validation(const std::string& data_dir,
                                          const io::TechLibrary& library);

nlohmann::json validation_to_json(const std::vector<ValidationRow>& rows);
std::string validation_to_text(const std::vector<ValidationRow>& rows);

}  // namespace accelscope::engine
