#include "gui/core/breakdown.hpp"

#include <algorithm>

namespace accelscope::gui {

namespace {

double number(const nlohmann::json& node, std::string_view key, double fallback = 0) {
  if (!node.is_object()) return fallback;
  const auto it = node.find(key);
  if (it == node.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

std::string text(const nlohmann::json& node, std::string_view key) {
  if (!node.is_object()) return {};
  const auto it = node.find(key);
  if (it == node.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Area entries are numbers or objects of numbers (SRAM by buffer); nested ones become
// "sram.inputs". The "_mm2" suffix is dropped for display.
void collect_area(const nlohmann::json& node, const std::string& prefix, NamedValues& out) {
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string name = it.key();
    if (name == "total" || name == "total_mm2") continue;  // the parts are listed already
    if (name.ends_with("_mm2")) name.resize(name.size() - 4);
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (it->is_number()) {
      out.emplace_back(path, it->get<double>());
    } else if (it->is_object()) {
      collect_area(*it, path, out);
    }
  }
}

}  // namespace

std::optional<BreakdownView> parse_breakdown(const nlohmann::json& breakdown, std::string* error) {
  if (!breakdown.is_object()) {
    if (error) *error = "the stored breakdown is not a JSON object";
    return std::nullopt;
  }
  BreakdownView view;
  const nlohmann::json& design = breakdown.contains("design") ? breakdown["design"] : nullptr;
  if (design.is_object() && design.contains("area"))
    collect_area(design["area"], "", view.area_by_component_mm2);

  double clock_mhz = 0;
  if (breakdown.contains("hardware")) clock_mhz = number(breakdown["hardware"], "clock_mhz");

  const nlohmann::json& workloads =
      breakdown.contains("workloads") ? breakdown["workloads"] : nlohmann::json(nullptr);
  if (workloads.is_object()) {
    for (auto it = workloads.begin(); it != workloads.end(); ++it) {
      WorkloadBreakdown workload;
      workload.name = it.key();
      const nlohmann::json total = it->contains("total") ? (*it)["total"] : nlohmann::json(nullptr);
      workload.latency_ms = number(total, "latency_s") * 1e3;
      workload.energy_mj = number(total, "energy_pj") * 1e-9;
      // Cycles to milliseconds: from the workload's own total when it has one, else the clock.
      const double total_cycles = number(total, "total_cycles");
      double ms_per_cycle = 0;
      if (total_cycles > 0 && workload.latency_ms > 0) {
        ms_per_cycle = workload.latency_ms / total_cycles;
      } else if (clock_mhz > 0) {
        ms_per_cycle = 1e-3 / clock_mhz;
      }
      if (total.contains("energy")) {
        for (std::string_view component : kEnergyComponents) {
          workload.energy_by_component_mj.emplace_back(
              std::string(component),
              number(total["energy"], std::string(component) + "_pj") * 1e-9);
        }
      }
      const nlohmann::json layers =
          it->contains("layers") ? (*it)["layers"] : nlohmann::json(nullptr);
      if (layers.is_array()) {
        for (const nlohmann::json& layer : layers) {
          LayerRow row;
          row.name = text(layer, "name");
          row.op = text(layer, "op");
          row.phase = text(layer, "phase");
          row.unit = text(layer, "unit");
          row.macs = number(layer, "macs");
          row.compute_ms = number(layer, "compute_cycles") * ms_per_cycle;
          row.stall_ms = number(layer, "stall_cycles") * ms_per_cycle;
          row.energy_uj = number(layer, "energy_pj") * 1e-6;
          if (layer.contains("energy")) {
            for (std::size_t c = 0; c < kEnergyComponents.size(); ++c) {
              row.energy_by_component_uj[c] =
                  number(layer["energy"], std::string(kEnergyComponents[c]) + "_pj") * 1e-6;
            }
          }
          OpClassTotals& totals = row.is_conv() ? workload.conv : workload.nonconv;
          totals.compute_ms += row.compute_ms;
          totals.stall_ms += row.stall_ms;
          totals.energy_uj += row.energy_uj;
          ++totals.layers;
          workload.layers.push_back(std::move(row));
        }
      }
      if (workload.energy_by_component_mj.empty() && !workload.layers.empty()) {
        for (std::size_t c = 0; c < kEnergyComponents.size(); ++c) {
          double sum = 0;
          for (const LayerRow& row : workload.layers) sum += row.energy_by_component_uj[c];
          workload.energy_by_component_mj.emplace_back(std::string(kEnergyComponents[c]),
                                                       sum * 1e-3);
        }
      }
      view.workloads.push_back(std::move(workload));
    }
  }
  if (!view.workloads.empty())
    view.energy_by_component_mj = view.workloads.front().energy_by_component_mj;
  return view;
}

BreakdownView breakdown_from_metrics(const Design& design) {
  BreakdownView view;
  view.from_metrics = true;
  const auto metrics = design.metrics();
  for (const auto& [name, value] : metrics) {
    if (name.starts_with("area.") && name.ends_with("_mm2")) {
      view.area_by_component_mm2.emplace_back(name.substr(5, name.size() - 9), value);
    }
  }
  for (std::string_view component : kEnergyComponents) {
    const auto it = metrics.find("energy." + std::string(component) + "_mj");
    if (it != metrics.end())
      view.energy_by_component_mj.emplace_back(std::string(component), it->second);
  }
  return view;
}

std::vector<LayerRow> group_layers(const std::vector<LayerRow>& layers, std::size_t max_rows) {
  if (max_rows == 0 || layers.size() <= max_rows) return layers;
  const std::size_t per_row = (layers.size() + max_rows - 1) / max_rows;
  std::vector<LayerRow> out;
  for (std::size_t first = 0; first < layers.size(); first += per_row) {
    const std::size_t last = std::min(first + per_row, layers.size()) - 1;
    LayerRow row = layers[first];
    for (std::size_t i = first + 1; i <= last; ++i) {
      const LayerRow& next = layers[i];
      row.macs += next.macs;
      row.compute_ms += next.compute_ms;
      row.stall_ms += next.stall_ms;
      row.energy_uj += next.energy_uj;
      for (std::size_t c = 0; c < row.energy_by_component_uj.size(); ++c) {
        row.energy_by_component_uj[c] += next.energy_by_component_uj[c];
      }
      if (next.unit != row.unit) row.unit = "mixed";
      if (next.phase != row.phase) row.phase.clear();
      if (next.op != row.op) row.op.clear();
    }
    if (last > first) row.name = layers[first].name + " … " + layers[last].name;
    row.merged = last - first + 1;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace accelscope::gui
