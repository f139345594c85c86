#include "reports/export.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "model/io/labels.hpp"
#include "reports/format.hpp"
#include "reports/front_analysis.hpp"
#include "reports/html.hpp"
#include "reports/tables.hpp"
#include "reports/tenants.hpp"

namespace accelscope::reports {

using nlohmann::json;

namespace {

// JSON has no NaN: missing values become null.
json number_or_null(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json cost_json(const LayerCost& c) {
  return {{"name", c.name},
          {"compute_ms", c.compute_ms},
          {"stall_ms", c.stall_ms},
          {"latency_ms", c.latency_ms()},
          {"energy_mj", c.energy_mj()},
          {"energy",
           {{"mac_mj", c.mac_mj},
            {"sram_mj", c.sram_mj},
            {"dram_mj", c.dram_mj},
            {"io_mj", c.io_mj},
            {"vector_mj", c.vector_mj},
            {"leakage_mj", c.leakage_mj}}}};
}

json design_json(const ReportData& data, std::size_t front_index) {
  const Design& d = data.front_design(front_index);
  json objectives = json::object();
  for (std::size_t j = 0; j < data.objectives.size() && j < d.objectives.size(); ++j)
    objectives[data.objectives[j].metric] = number_or_null(d.objectives[j]);
  // "id" is the design id every command shows (`show --design ID`); seq its order in the study.
  return {{"id", d.trial_id},       {"seq", d.seq},
          {"trial_id", d.trial_id}, {"roles", data.roles(front_index)},
          {"params", d.params},     {"objectives", objectives},
          {"metrics", d.metrics},   {"workloads", d.workloads}};
}

json shortlist_json(const ReportData& data) {
  json out = json::array();
  for (const ShortlistEntry& entry : data.shortlist) {
    json item = {{"id", data.front_design(entry.front_index).trial_id},
                 {"seq", data.front_design(entry.front_index).seq},
                 {"reasons", entry.reasons},
                 {"breakdown_available", entry.breakdown.available}};
    json area = json::object();
    for (const AreaPart& part : entry.breakdown.area) area[part.name] = part.mm2;
    item["area_mm2"] = area;
    json workloads = json::object();
    for (const WorkloadBreakdown& wl : entry.breakdown.workloads) {
      json top = json::array();
      for (const LayerCost& layer : wl.top_by_latency) top.push_back(cost_json(layer));
      workloads[wl.name] = {{"total", cost_json(wl.total)},     {"conv", cost_json(wl.conv)},
                            {"nonconv", cost_json(wl.nonconv)}, {"top_layers_by_latency", top},
                            {"bottleneck", wl.bottleneck},      {"layers", wl.layer_count}};
    }
    item["workloads"] = workloads;
    const Design& design = data.front_design(entry.front_index);
    if (has_tenants(design)) item["tenants"] = tenants_json(design);
    out.push_back(std::move(item));
  }
  return out;
}

// Calls write_row with the table's header cells, then with each row.
template <typename WriteRow>
void write_lines(const Table& table, WriteRow&& write_row) {
  std::vector<std::string> header;
  for (const Column& column : table.columns) header.push_back(column.header);
  write_row(header);
  for (const auto& row : table.rows) write_row(row);
}

}  // namespace

std::string_view to_string(Format format) {
  switch (format) {
    case Format::html:
      return "html";
    case Format::pdf:
      return "pdf";
    case Format::csv:
      return "csv";
    case Format::json:
      return "json";
  }
  return "?";
}

std::optional<Format> parse_format(std::string_view name) {
  for (const Format f : {Format::html, Format::pdf, Format::csv, Format::json})
    if (name == to_string(f)) return f;
  return std::nullopt;
}

std::optional<Format> format_from_path(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".htm") return Format::html;
  return extension.size() > 1 ? parse_format(std::string_view(extension).substr(1)) : std::nullopt;
}

std::string render_csv(const ReportData& data) {
  const Table table = front_export_table(data);
  std::string out;
  auto write_row = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_field(cells[i]);
    }
    out += "\r\n";
  };
  write_lines(table, write_row);
  return out;
}

std::string render_front_text(const ReportData& data) {
  const Table table = front_text_table(data);
  std::vector<std::size_t> widths;
  // Display width: "–" and "×" are one column but several bytes.
  const auto width = [](const std::string& text) { return io::display_width(text); };
  for (const Column& column : table.columns) widths.push_back(width(column.header));
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  std::string out;
  auto write_row = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(widths[c] - width(cells[c]), ' ');
      if (c > 0) out += "  ";
      out += table.columns[c].align == Align::left ? cells[c] + pad : pad + cells[c];
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  write_lines(table, write_row);
  return out;
}

// Per objective and parameter: the first-order share and its direction (null where unknown).
json importance_json(const ReportData& data) {
  const ImportanceData& imp = data.importance;
  if (!imp.available()) return nullptr;
  auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  json objectives = json::object();
  for (std::size_t o = 0; o < imp.objectives.size(); ++o) {
    json parameters = json::object();
    for (std::size_t j = 0; j < imp.parameters.size(); ++j) {
      const search::ParameterImportance& e = imp.table.entries[o][j];
      parameters[imp.parameters[j]] = {{"first_order", number(e.first_order)},
                                       {"rank_correlation", number(e.rank_correlation)}};
    }
    objectives[imp.objectives[o]] = {{"parameters", parameters},
                                     {"first_order_sum", number(imp.table.first_order_sum[o])},
                                     {"log_scale", static_cast<bool>(imp.table.objective_log[o])},
                                     {"designs", imp.table.objective_designs[o]}};
  }
  return {{"method",
           "first-order variance share per parameter: one-way ANOVA over the parameter's levels "
           "(at most 10 bins), epsilon-squared; positive objectives in logs; rank_correlation is "
           "Spearman's (null for categorical parameters)"},
          {"designs_seen", imp.table.designs_seen},
          {"designs_used", imp.table.designs_used},
          {"objectives", objectives}};
}

json report_json(const ReportData& data) {
  const store::StudyInfo& s = data.study;
  json objectives = json::array();
  for (const ObjectiveInfo& o : data.objectives)
    objectives.push_back({{"metric", o.metric}, {"direction", store::to_string(o.direction)}});
  json workloads = json::array();
  for (const WorkloadRequest& w : data.workloads)
    workloads.push_back({{"name", w.name},
                         {"file", w.file},
                         {"mode", w.mode},
                         {"batch", w.batch},
                         {"weight", w.weight}});
  json parameters = json::array();
  for (const ParameterRequest& p : data.parameters)
    parameters.push_back({{"name", p.name}, {"values", p.values}});
  json front = json::array();
  for (std::size_t i = 0; i < data.front.size(); ++i) front.push_back(design_json(data, i));
  json best = json::object();
  for (std::size_t j = 0; j < data.best.size() && j < data.objectives.size(); ++j)
    best[data.objectives[j].metric] =
        data.best[j] ? json(data.front_design(*data.best[j]).trial_id) : json(nullptr);
  json violations = json::array();
  for (const ViolationCount& v : data.violations)
    violations.push_back({{"constraint", v.constraint}, {"designs", v.designs}});
  json sources = json::array();
  for (const TechSource& t : data.assumptions.sources)
    sources.push_back({{"figures", t.topic}, {"source", t.source}});

  return {
      {"report",
       {{"generator", data.generator}, {"generated_at", data.generated_at}, {"format_version", 1}}},
      {"study",
       {{"id", s.id},
        {"name", s.name},
        {"database", data.database_path},
        {"status", store::to_string(s.status)},
        {"strategy", s.strategy},
        {"seed", s.seed},
        {"budget", s.budget},
        {"engine_version", s.engine_version},
        {"spec_hash", s.spec_hash},
        {"objectives", objectives},
        {"reference_point", s.reference_point},
        {"options", s.options},
        {"spec", s.spec},
        {"counts",
         {{"pending", s.counts.pending},
          {"running", s.counts.running},
          {"done", s.counts.done},
          {"failed", s.counts.failed},
          {"feasible", data.feasible_count},
          {"infeasible", data.infeasible_count}}}}},
      {"request",
       {{"workloads", workloads}, {"parameters", parameters}, {"constraints", data.constraints}}},
      {"knee",
       {{"id", data.knee ? json(data.front_design(*data.knee).trial_id) : json(nullptr)},
        {"seq", data.knee ? json(data.front_design(*data.knee).seq) : json(nullptr)},
        {"definition", kKneeDefinition}}},
      {"best", best},
      {"front", front},
      {"duplicate_front_designs", data.duplicate_front_designs},
      {"shortlist", shortlist_json(data)},
      {"violations", violations},
      {"parameter_importance", importance_json(data)},
      {"assumptions",
       {{"technology_nodes_nm", data.assumptions.nodes_nm},
        {"dram_types", data.assumptions.dram_types},
        {"technology_directory", data.assumptions.tech_directory},
        {"technology_error", data.assumptions.tech_error},
        {"technology_notes", data.assumptions.node_scaling},
        {"sources", sources},
        {"model", data.assumptions.model}}},
      {"reproduce",
       {{"engine_version", data.reproduce.engine_version},
        {"spec_hash", data.reproduce.spec_hash},
        {"spec_hash_verified", data.reproduce.spec_hash_verified},
        {"command", data.reproduce.command},
        {"seed", data.reproduce.seed}}}};
}

std::string render_json(const ReportData& data) {
  // Replace invalid UTF-8 rather than throw: names come from user files.
  return report_json(data).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_text(const ReportData& data, Format format) {
  switch (format) {
    case Format::html:
      return render_html(data);
    case Format::csv:
      return render_csv(data);
    case Format::json:
      return render_json(data);
    case Format::pdf:
      break;
  }
  throw ReportError("PDF is rendered by render_pdf() (reports/pdf.hpp)");
}

void check_writable(const std::filesystem::path& path) {
  if (path == "-") return;
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error))
    throw ReportError(path.string() + ": cannot write the report: it is a directory");
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(directory, error))
    throw ReportError(path.string() + ": cannot write the report: no directory " +
                      directory.string());
  if (::access(directory.c_str(), W_OK) != 0)
    throw ReportError(path.string() + ": cannot write the report: directory " + directory.string() +
                      " is not writable");
  if (fs::exists(path, error) && ::access(path.c_str(), W_OK) != 0)
    throw ReportError(path.string() + ": cannot write the report: the file is read-only");
}

void write_output(const std::filesystem::path& path, std::string_view bytes) {
  if (path == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    if (!std::cout) throw ReportError("cannot write the report to standard output");
    return;
  }
  check_writable(path);
  const std::filesystem::path temporary =
      path.string() + fmt::format(".tmp-{}", static_cast<long>(::getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      const std::string reason = std::strerror(errno);
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw ReportError(path.string() + ": cannot write the report: " + reason);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw ReportError(path.string() + ": cannot write the report: " + error.message());
  }
}

}  // namespace accelscope::reports
