#include "reports/tables.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "reports/format.hpp"

namespace accelscope::reports {

using nlohmann::json;

namespace {

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

std::string pe_array_text(const ReportData& data, std::size_t i) {
  const json& rows = data.front_param(i, "array.rows");
  const json& cols = data.front_param(i, "array.cols");
  if (rows.is_number() && cols.is_number()) return value_text(rows) + " × " + value_text(cols);
  const json& pes = data.front_param(i, "pe_count");
  return pes.is_null() ? "–" : value_text(pes) + " PEs";
}

std::string sram_text(const ReportData& data, std::size_t i) {
  std::vector<std::string> sizes;
  for (const char* buffer : {"inputs", "weights", "outputs", "vector"})
    sizes.push_back(value_text(data.front_param(i, fmt::format("sram.{}.kib", buffer))));
  return join(sizes, " / ");
}

std::string dram_text(const ReportData& data, std::size_t i) {
  const json& bandwidth = data.front_param(i, "dram.bandwidth_gbps");
  if (!bandwidth.is_object()) return value_text(bandwidth);
  std::vector<std::string> parts;  // one interface per buffer
  for (const auto& [buffer, gbps] : bandwidth.items()) parts.push_back(value_text(gbps));
  return join(parts, " / ");
}

std::string metric_text(const Design& design, const std::string& metric) {
  return format_number(design.metric(metric));
}

struct FrontColumn {
  std::string header;
  Align align;
  std::function<std::string(const ReportData&, std::size_t front_index)> cell;
};

// Metrics the buyer's table always shows, in order.
const std::vector<std::string>& headline_metrics() {
  static const std::vector<std::string> kMetrics = {"area_mm2",         "power_w",   "latency_ms",
                                                    "throughput_per_s", "energy_mj", "tops_per_w",
                                                    "tops_per_mm2"};
  return kMetrics;
}

std::vector<FrontColumn> front_columns(const ReportData& data) {
  std::vector<FrontColumn> columns = {
      {"Design", Align::left,
       [](const ReportData& d, std::size_t i) {
         return fmt::format("#{}", d.front_design(i).seq);
       }},
      {"Role", Align::left,
       [](const ReportData& d, std::size_t i) { return join(d.roles(i), ", "); }},
      {"PE array", Align::right,
       [](const ReportData& d, std::size_t i) { return pe_array_text(d, i); }},
      {"Dataflow", Align::left,
       [](const ReportData& d, std::size_t i) {
         return value_text(d.front_param(i, "array.dataflow"));
       }},
      {"SRAM KiB in / wt / out / vec", Align::right,
       [](const ReportData& d, std::size_t i) { return sram_text(d, i); }},
      {"DRAM GB/s", Align::right,
       [](const ReportData& d, std::size_t i) { return dram_text(d, i); }},
  };
  std::vector<std::string> metrics = headline_metrics();
  for (const ObjectiveInfo& o : data.objectives)
    if (std::find(metrics.begin(), metrics.end(), o.metric) == metrics.end())
      metrics.push_back(o.metric);
  for (const std::string& metric : metrics) {
    std::string header = metric_heading(metric);
    if (metric == "energy_mj") header = "Energy per " + data.energy_per() + " (mJ)";
    columns.push_back({header, Align::right, [metric](const ReportData& d, std::size_t i) {
                         return metric_text(d.front_design(i), metric);
                       }});
  }
  return columns;
}

std::string row_class(const ReportData& data, std::size_t front_index) {
  if (data.knee && *data.knee == front_index) return "knee";
  return data.roles(front_index).empty() ? "" : "best";
}

Table two_column_table(std::string first, std::string second) {
  Table table;
  table.columns = {{std::move(first), Align::left}, {std::move(second), Align::left}};
  return table;
}

}  // namespace

std::string value_text(const json& value) {
  if (value.is_null()) return "–";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) {
    const double v = value.get<double>();
    return std::floor(v) == v && std::fabs(v) < 1e15 ? fmt::format("{:.0f}", v) : format_number(v);
  }
  return value.dump();
}

Table front_table(const ReportData& data, std::size_t first, std::size_t count) {
  const std::vector<FrontColumn> columns = front_columns(data);
  Table table;
  for (const FrontColumn& column : columns) table.columns.push_back({column.header, column.align});
  const std::size_t last = std::min(data.front.size(), first + std::min(count, data.front.size()));
  for (std::size_t i = first; i < last; ++i) {
    std::vector<std::string> row;
    for (const FrontColumn& column : columns) row.push_back(column.cell(data, i));
    table.rows.push_back(std::move(row));
    table.row_classes.push_back(row_class(data, i));
  }
  return table;
}

Table front_export_table(const ReportData& data) {
  std::vector<std::string> params;
  std::set<std::string> seen_params;
  std::vector<std::string> metrics = headline_metrics();
  std::set<std::string> seen_metrics(metrics.begin(), metrics.end());
  std::vector<std::string> other_metrics;
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    for (const auto& [name, value] : design.params.items())
      if (seen_params.insert(name).second) params.push_back(name);
    for (const auto& [name, value] : design.metrics.items())
      if (seen_metrics.insert(name).second) other_metrics.push_back(name);
  }
  std::sort(other_metrics.begin(), other_metrics.end());
  metrics.insert(metrics.end(), other_metrics.begin(), other_metrics.end());

  Table table;
  table.columns = {{"design_seq"}, {"trial_id"}, {"role", Align::left}};
  for (const std::string& name : params) table.columns.push_back({name, Align::left});
  for (const std::string& name : metrics)
    table.columns.push_back({seen_params.count(name) ? "metric:" + name : name});
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    std::vector<std::string> row = {std::to_string(design.seq), std::to_string(design.trial_id),
                                    join(data.roles(i), "; ")};
    for (const std::string& name : params) {
      const json& value = design.param(name);
      row.push_back(value.is_number()   ? format_exact(value.get<double>())
                    : value.is_string() ? value.get<std::string>()
                    : value.is_null()   ? ""
                                        : value.dump());
    }
    for (const std::string& name : metrics) {
      const double value = design.metric(name);
      row.push_back(std::isnan(value) ? "" : format_exact(value));
    }
    table.rows.push_back(std::move(row));
    table.row_classes.push_back(row_class(data, i));
  }
  return table;
}

Table workloads_table(const ReportData& data) {
  Table table;
  table.columns = {{"Workload", Align::left},
                   {"File", Align::left},
                   {"Mode", Align::left},
                   {"Batch"},
                   {"Weight"}};
  for (const WorkloadRequest& w : data.workloads)
    table.rows.push_back({w.name, w.file.empty() ? "–" : w.file, w.mode, std::to_string(w.batch),
                          format_number(w.weight)});
  return table;
}

Table parameters_table(const ReportData& data) {
  Table table = two_column_table("Parameter", "Values searched");
  for (const ParameterRequest& p : data.parameters) table.rows.push_back({p.name, p.values});
  return table;
}

Table fixed_hardware_table(const ReportData& data) {
  Table table = two_column_table("Hardware field", "Value (same in every design)");
  for (const ParameterRequest& p : data.fixed_hardware) table.rows.push_back({p.name, p.values});
  return table;
}

Table objectives_table(const ReportData& data) {
  Table table;
  table.columns = {{"Objective", Align::left},
                   {"Metric", Align::left},
                   {"Goal", Align::left},
                   {"Best on front"},
                   {"Worst on front"}};
  for (std::size_t j = 0; j < data.objectives.size(); ++j) {
    const ObjectiveInfo& o = data.objectives[j];
    const bool maximise = o.direction == store::Direction::maximize;
    double best = NAN, worst = NAN;
    for (std::size_t i = 0; i < data.front.size(); ++i) {
      const std::vector<double>& v = data.front_design(i).objectives;
      if (j >= v.size() || !std::isfinite(v[j])) continue;
      if (std::isnan(best) || (maximise ? v[j] > best : v[j] < best)) best = v[j];
      if (std::isnan(worst) || (maximise ? v[j] < worst : v[j] > worst)) worst = v[j];
    }
    const std::string unit = metric_info(o.metric).unit;
    auto with_unit = [&](double v) {
      return format_number(v) + (unit.empty() || std::isnan(v) ? "" : " " + unit);
    };
    table.rows.push_back({metric_info(o.metric).label, o.metric, maximise ? "maximise" : "minimise",
                          with_unit(best), with_unit(worst)});
  }
  return table;
}

Table configuration_table(const ReportData& data, const ShortlistEntry& entry) {
  const std::size_t i = entry.front_index;
  const Design& design = data.front_design(i);
  Table table = two_column_table("Configuration", "Value");
  table.rows.push_back({"PE array (rows × cols)", pe_array_text(data, i)});
  for (const auto& [name, label] :
       {std::pair{"array.dataflow", "Dataflow"}, std::pair{"array.precision", "Precision"},
        std::pair{"clock_mhz", "Clock (MHz)"}, std::pair{"tech_node_nm", "Technology node (nm)"},
        std::pair{"dram.type", "DRAM type"}, std::pair{"vector.lanes", "Vector lanes"}}) {
    const json& value = data.front_param(i, name);
    if (!value.is_null()) table.rows.push_back({label, value_text(value)});
  }
  table.rows.push_back({"SRAM KiB in / wt / out / vec", sram_text(data, i)});
  table.rows.push_back({"DRAM bandwidth (GB/s)", dram_text(data, i)});
  // The remaining search parameters, so the design is fully specified.
  for (const auto& [name, value] : design.params.items()) {
    static const std::set<std::string> kShown = {
        "array.rows",         "array.cols",       "array.dataflow",   "array.precision",
        "clock_mhz",          "tech_node_nm",     "dram.type",        "vector.lanes",
        "sram.inputs.kib",    "sram.weights.kib", "sram.outputs.kib", "sram.vector.kib",
        "dram.bandwidth_gbps"};
    if (!kShown.count(name)) table.rows.push_back({name, value_text(value)});
  }
  return table;
}

Table figures_table(const ReportData& data, const ShortlistEntry& entry) {
  const Design& design = data.front_design(entry.front_index);
  Table table = two_column_table("Figure", "Value");
  for (const std::string metric :
       {"area_mm2", "power_w", "peak_power_w", "latency_ms", "throughput_per_s", "energy_mj",
        "tops_per_w", "tops_per_mm2", "peak_tops", "utilization", "nonconv_share", "dram_mib"}) {
    const double value = design.metric(metric);
    if (std::isnan(value)) continue;
    const bool fraction = metric == "utilization" || metric == "nonconv_share";
    std::string label = metric_heading(metric);
    if (metric == "energy_mj") label = "Energy per " + data.energy_per() + " (mJ)";
    table.rows.push_back({label, fraction ? format_percent(value) : format_number(value)});
  }
  return table;
}

Table violations_table(const ReportData& data) {
  Table table;
  table.columns = {{"Violated constraint", Align::left}, {"Designs"}};
  for (const ViolationCount& v : data.violations)
    table.rows.push_back({v.constraint, std::to_string(v.designs)});
  return table;
}

Table sources_table(const ReportData& data) {
  Table table = two_column_table("Figures", "Source");
  for (const TechSource& s : data.assumptions.sources) table.rows.push_back({s.topic, s.source});
  return table;
}

}  // namespace accelscope::reports
