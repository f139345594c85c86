// Chart-ready views of a design's stored breakdown JSON (docs/study-format.md "Breakdown"):
// latency and energy by layer, conv vs non-conv, energy and area by component. When a design has
// no stored breakdown, the component splits can still come from its metrics.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gui/core/study_data.hpp"

namespace accelscope::gui {

// In the report's order; "io" is the die's DRAM interface (PHY, controller).
inline constexpr std::array<std::string_view, 6> kEnergyComponents = {"mac", "sram",   "dram",
                                                                      "io",  "vector", "leakage"};

struct LayerRow {
  std::string name;
  std::string op;
  std::string phase;
  std::string unit;  // "array" (conv/GEMM), "vector" (non-conv), "none"
  double macs = 0;
  double compute_ms = 0;
  double stall_ms = 0;
  double energy_uj = 0;
  std::array<double, kEnergyComponents.size()> energy_by_component_uj{};  // kEnergyComponents
  std::size_t merged = 1;  // layers summed into this row (group_layers)
  double latency_ms() const { return compute_ms + stall_ms; }
  bool is_conv() const { return unit == "array"; }
};

struct OpClassTotals {
  double compute_ms = 0;
  double stall_ms = 0;
  double energy_uj = 0;
  std::size_t layers = 0;
};

struct WorkloadBreakdown {
  std::string name;
  double latency_ms = 0;
  double energy_mj = 0;
  std::vector<LayerRow> layers;
  OpClassTotals conv;     // layers on the array (convolutions, GEMMs)
  OpClassTotals nonconv;  // everything else (vector unit)
  std::vector<std::pair<std::string, double>> energy_by_component_mj;
};

using NamedValues = std::vector<std::pair<std::string, double>>;

struct BreakdownView {
  std::vector<WorkloadBreakdown> workloads;  // empty when built from metrics only
  NamedValues area_by_component_mm2;
  NamedValues energy_by_component_mj;  // design level (weight-averaged) or the first workload
  bool from_metrics = false;           // no stored breakdown: component splits from metrics
};

// Parses a stored breakdown. Missing parts are left empty rather than failing; a JSON that is not
// an object at all gives nullopt and the reason in *error.
std::optional<BreakdownView> parse_breakdown(const nlohmann::json& breakdown, std::string* error);

// The component splits that the metrics alone give (area.*_mm2, energy.*_mj).
BreakdownView breakdown_from_metrics(const Design& design);

// At most max_rows bars for a chart, in network order: runs of consecutive layers are summed
// into one row named "first … last" (so no bar stands for an unrelated mix of layers).
std::vector<LayerRow> group_layers(const std::vector<LayerRow>& layers, std::size_t max_rows);

}  // namespace accelscope::gui
