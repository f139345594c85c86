// The output of `accelscope eval`: a JSON object (a contract other tools rely on, see README)
// and a readable per-layer table.
#pragma once

#include <cstddef>
#include <ostream>

#include <nlohmann/json.hpp>

#include "model/hardware.hpp"
#include "model/report.hpp"
#include "model/technology.hpp"
#include "model/workload.hpp"

namespace accelscope::engine {

nlohmann::json costs_to_json(const model::Costs& costs);
nlohmann::json design_to_json(const model::Accelerator& accelerator,
                              const model::DesignReport& design, const model::NetworkTotals& total);
nlohmann::json totals_to_json(const model::NetworkTotals& total);
nlohmann::json op_to_json(const model::OpReport& op);

// {"design": {...}, "workload": {...}, "total": {...}, "layers": [...]}; without "layers" when
// with_layers is false (a report of totals only).
nlohmann::json report_to_json(const model::Accelerator& accelerator, const model::Network& network,
                              const model::NetworkReport& report, bool with_layers = true);

// Layer names longer than this are cut in the middle, only as far as they stay distinct.
inline constexpr std::size_t kLayerLabelChars = 40;

void print_report_table(std::ostream& out, const model::Accelerator& accelerator,
                        const model::Network& network, const model::NetworkReport& report);

}  // namespace accelscope::engine
