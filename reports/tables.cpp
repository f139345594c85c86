#include "reports/tables.hpp"

#include <algorithm>
#include <array>
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

constexpr std::array<const char*, 4> kBuffers = {"inputs", "weights", "outputs", "vector"};

std::string pe_array_text(const ReportData& data, std::size_t i) {
  const json& rows = data.front_param(i, "array.rows");
  const json& cols = data.front_param(i, "array.cols");
  if (rows.is_number() && cols.is_number()) return value_text(rows) + " × " + value_text(cols);
  const json& pes = data.front_param(i, "pe_count");
  return pes.is_null() ? "–" : value_text(pes) + " PEs";
}

std::string sram_text(const ReportData& data, std::size_t i) {
  std::vector<std::string> sizes;
  for (const char* buffer : kBuffers)
    sizes.push_back(value_text(data.front_param(i, fmt::format("sram.{}.kib", buffer))));
  return join(sizes, " / ");
}

// The design's own DRAM interface bandwidth: a searched total, or a derived split (stored as
// params "dram.bandwidth_gbps.<buffer>"), or its stored hardware; the base hardware's only when
// the design has none of these. A split reads in / wt / out / vec, like the SRAM column.
json dram_bandwidth(const ReportData& data, std::size_t i) {
  const Design& design = data.front_design(i);
  const json* hardware = data.shortlisted_hardware(i);
  const json& whole = design.param("dram.bandwidth_gbps", hardware);
  if (!whole.is_null()) return whole;
  json split = json::object();
  for (const char* buffer : kBuffers)
    if (const json& v = design.param(fmt::format("dram.bandwidth_gbps.{}", buffer), hardware);
        !v.is_null())
      split[buffer] = v;
  return split.empty() ? data.front_param(i, "dram.bandwidth_gbps") : split;
}

std::string dram_text(const ReportData& data, std::size_t i) {
  const json bandwidth = dram_bandwidth(data, i);
  if (!bandwidth.is_object()) return value_text(bandwidth);
  std::vector<std::string> parts;  // one interface per buffer
  for (const char* buffer : kBuffers)
    parts.push_back(bandwidth.contains(buffer) ? value_text(bandwidth[buffer]) : "–");
  return join(parts, " / ");
}

bool any_split_dram(const ReportData& data) {
  for (std::size_t i = 0; i < data.front.size(); ++i)
    if (dram_bandwidth(data, i).is_object()) return true;
  return false;
}

// Spaces that do not break (U+00A0), so "64 / 128 / 64 / 32" stays on one line in a table cell.
std::string no_break(const std::string& text) {
  std::string out;
  for (const char c : text) out += c == ' ' ? std::string("\u00a0") : std::string(1, c);
  return out;
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

// Per run: shown per workload when there are several, never as a mean of different workloads.
bool per_workload_metric(const std::string& metric) {
  return metric == "latency_ms" || metric == "throughput_per_s" || metric == "energy_mj";
}

std::vector<FrontColumn> front_columns(const ReportData& data) {
  std::vector<FrontColumn> columns = {
      {"Design", Align::left,
       [](const ReportData& d, std::size_t i) {
         return fmt::format("#{}", d.front_design(i).trial_id);
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
       [](const ReportData& d, std::size_t i) { return no_break(sram_text(d, i)); }},
      {any_split_dram(data) ? "DRAM GB/s in / wt / out / vec" : "DRAM GB/s", Align::right,
       [](const ReportData& d, std::size_t i) { return no_break(dram_text(d, i)); }},
  };
  auto metric_column = [&](const std::string& metric, std::string header) {
    columns.push_back(
        {std::move(header), Align::right, [metric](const ReportData& d, std::size_t i) {
           return metric_text(d.front_design(i), metric);
         }});
  };
  const bool several_workloads = data.workloads.size() > 1;
  std::vector<std::string> shown;
  for (const std::string& metric : headline_metrics()) {
    shown.push_back(metric);
    if (metric == "area_mm2" && !data.front.empty() &&
        !std::isnan(data.front_design(0).metric("die_cost_usd"))) {
      shown.push_back("die_cost_usd");
      metric_column("die_cost_usd", data.heading("die_cost_usd"));
    }
    if (several_workloads && per_workload_metric(metric)) {
      for (const WorkloadRequest& w : data.workloads)
        metric_column(w.name + "." + metric, data.heading(w.name + "." + metric));
      continue;
    }
    metric_column(metric, data.heading(metric));
  }
  // Objectives not shown yet, e.g. a weighted mean the search minimised (labelled as such).
  for (const ObjectiveInfo& o : data.objectives)
    if (std::find(shown.begin(), shown.end(), o.metric) == shown.end() ||
        (several_workloads && per_workload_metric(o.metric))) {
      shown.push_back(o.metric);
      metric_column(o.metric, data.heading(o.metric));
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
  std::vector<std::size_t> rows;
  const std::size_t last = std::min(data.front.size(), first + std::min(count, data.front.size()));
  for (std::size_t i = first; i < last; ++i) rows.push_back(i);
  return front_table(data, rows);
}

Table front_table(const ReportData& data, const std::vector<std::size_t>& front_indices) {
  const std::vector<FrontColumn> columns = front_columns(data);
  Table table;
  for (const FrontColumn& column : columns)
    table.columns.push_back(
        {column.header, column.align,
         column.header.rfind("SRAM", 0) == 0 || column.header.rfind("DRAM", 0) == 0});
  for (const std::size_t i : front_indices) {
    std::vector<std::string> row;
    for (const FrontColumn& column : columns) row.push_back(column.cell(data, i));
    table.rows.push_back(std::move(row));
    table.row_classes.push_back(row_class(data, i));
  }
  return table;
}

namespace {

// Every parameter name of the front's designs, in first-seen order.
std::vector<std::string> front_parameter_names(const ReportData& data) {
  std::vector<std::string> params;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < data.front.size(); ++i)
    for (const auto& [name, value] : data.front_design(i).params.items())
      if (seen.insert(name).second) params.push_back(name);
  return params;
}

}  // namespace

Table front_text_table(const ReportData& data) {
  const std::vector<std::string> params = front_parameter_names(data);
  Table table;
  table.columns = {{"id"}, {"role", Align::left}};
  for (const std::string& name : params) table.columns.push_back({name});
  for (const ObjectiveInfo& o : data.objectives) table.columns.push_back({o.metric});
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    std::vector<std::string> row = {std::to_string(design.trial_id), join(data.roles(i), ", ")};
    for (const std::string& name : params) row.push_back(value_text(design.param(name)));
    for (std::size_t j = 0; j < data.objectives.size(); ++j)
      row.push_back(j < design.objectives.size() ? format_number(design.objectives[j]) : "–");
    table.rows.push_back(std::move(row));
    table.row_classes.push_back(row_class(data, i));
  }
  return table;
}

Table front_export_table(const ReportData& data) {
  const std::vector<std::string> params = front_parameter_names(data);
  const std::set<std::string> seen_params(params.begin(), params.end());
  std::vector<std::string> metrics = headline_metrics();
  std::set<std::string> seen_metrics(metrics.begin(), metrics.end());
  std::vector<std::string> other_metrics;
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    for (const auto& [name, value] : design.metrics.items())
      if (seen_metrics.insert(name).second) other_metrics.push_back(name);
  }
  std::sort(other_metrics.begin(), other_metrics.end());
  metrics.insert(metrics.end(), other_metrics.begin(), other_metrics.end());

  Table table;
  table.columns = {{"id"}, {"seq"}, {"role", Align::left}};
  for (const std::string& name : params) table.columns.push_back({name, Align::left});
  for (const std::string& name : metrics)
    table.columns.push_back({seen_params.count(name) ? "metric:" + name : name});
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    std::vector<std::string> row = {std::to_string(design.trial_id), std::to_string(design.seq),
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
  for (const ParameterRequest& p : data.parameters)
    table.rows.push_back({parameter_label(p.name), p.values});
  return table;
}

Table fixed_hardware_table(const ReportData& data) {
  Table table = two_column_table("Hardware field", "Value (same in every design)");
  for (const ParameterRequest& p : data.fixed_hardware)
    table.rows.push_back({parameter_label(p.name), p.values});
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
    table.rows.push_back({data.heading(o.metric), o.metric, maximise ? "maximise" : "minimise",
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
    // A derived split of the DRAM bandwidth is the "DRAM bandwidth" row already.
    if (!kShown.count(name) && name.rfind("dram.bandwidth_gbps.", 0) != 0)
      table.rows.push_back({parameter_label(name), value_text(value)});
  }
  return table;
}

Table figures_table(const ReportData& data, const ShortlistEntry& entry) {
  const Design& design = data.front_design(entry.front_index);
  Table table = two_column_table("Figure", "Value");
  for (const std::string metric :
       {"area_mm2", "die_cost_usd", "die_cost.yield", "die_cost.dies_per_wafer", "power_w",
        "peak_power_w", "latency_ms", "throughput_per_s", "energy_mj", "tops_per_w", "tops_per_mm2",
        "peak_tops", "utilization", "nonconv_share", "dram_mib",
        // serving a scenario
        "goodput_scale", "slo_attainment", "energy_mj_per_request", "serving_power_w",
        "pe_utilization", "dram_utilization", "partitions"}) {
    const double value = design.metric(metric);
    if (std::isnan(value)) continue;
    const bool fraction = metric == "utilization" || metric == "nonconv_share" ||
                          metric == "die_cost.yield" || metric == "slo_attainment" ||
                          metric == "pe_utilization" || metric == "dram_utilization";
    table.rows.push_back(
        {data.heading(metric), fraction ? format_percent(value) : format_number(value)});
  }
  return table;
}

Table shortlist_table(const ReportData& data) {
  Table table;
  table.columns.push_back({"", Align::left});
  for (const ShortlistEntry& entry : data.shortlist)
    table.columns.push_back({fmt::format("#{} ({})", data.front_design(entry.front_index).trial_id,
                                         join(entry.reasons, ", ")),
                             Align::right});
  auto add = [&](std::string label, const std::function<std::string(std::size_t)>& cell) {
    std::vector<std::string> row = {std::move(label)};
    for (const ShortlistEntry& entry : data.shortlist) row.push_back(cell(entry.front_index));
    table.rows.push_back(std::move(row));
  };
  add("PE array", [&](std::size_t i) { return pe_array_text(data, i); });
  add("Dataflow", [&](std::size_t i) { return value_text(data.front_param(i, "array.dataflow")); });
  add("SRAM KiB in / wt / out / vec", [&](std::size_t i) { return no_break(sram_text(data, i)); });
  add(any_split_dram(data) ? "DRAM GB/s in / wt / out / vec" : "DRAM GB/s",
      [&](std::size_t i) { return no_break(dram_text(data, i)); });
  std::vector<std::string> metrics = {"area_mm2", "die_cost_usd", "power_w"};
  for (const std::string metric : {"latency_ms", "energy_mj"}) {
    if (data.workloads.size() > 1) {
      for (const WorkloadRequest& w : data.workloads) metrics.push_back(w.name + "." + metric);
    } else {
      metrics.push_back(metric);
    }
  }
  metrics.emplace_back("tops_per_w");
  for (const std::string& metric : metrics) {
    if (std::none_of(data.shortlist.begin(), data.shortlist.end(), [&](const ShortlistEntry& e) {
          return std::isfinite(data.front_design(e.front_index).metric(metric));
        }))
      continue;
    add(data.heading(metric),
        [&](std::size_t i) { return metric_text(data.front_design(i), metric); });
  }
  return table;
}

Table violations_table(const ReportData& data) {
  Table table;
  table.columns = {{"Violated constraint", Align::left}, {"Designs"}};
  for (const ViolationCount& v : data.violations)
    table.rows.push_back({constraint_label(v.constraint), std::to_string(v.designs)});
  return table;
}

Table sources_table(const ReportData& data) {
  Table table = two_column_table("Figures", "Source");
  for (const TechSource& s : data.assumptions.sources) table.rows.push_back({s.topic, s.source});
  return table;
}

}  // namespace accelscope::reports
