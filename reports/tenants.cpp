#include "reports/tenants.hpp"

#include <cmath>

#include <fmt/format.h>

#include "reports/format.hpp"

namespace accelscope::reports {

namespace {

bool is_tenant(const nlohmann::json& entry) {
  return entry.is_object() && entry.value("mode", std::string{}) == "serving";
}

double number(const nlohmann::json& entry, const char* key) {
  const auto it = entry.find(key);
  return it != entry.end() && it->is_number() ? it->get<double>() : std::nan("");
}

// "12.3 ms", or "unbounded" for a tenant that does not keep up (stored as null).
std::string latency_text(const nlohmann::json& entry, const char* key) {
  const double ms = number(entry, key);
  return std::isnan(ms) ? "unbounded" : format_number(ms) + " ms";
}

std::string whole(double value) {
  return std::isnan(value) ? "–" : fmt::format("{:.0f}", value);
}

// On a heterogeneous platform: "gpu 62 %, dla0 38 %", the units its served batch ran on with
// their shares of its busy time (in the order the platform lists them).
std::string units_text(const nlohmann::json& entry) {
  std::string text;
  const auto units = entry.find("units");
  const auto share = entry.find("unit_share");
  for (const nlohmann::json& unit : *units) {
    if (!unit.is_string()) continue;
    const std::string name = unit.get<std::string>();
    if (!text.empty()) text.append(", ");
    text.append(name);
    if (share != entry.end() && share->is_object() && share->contains(name) &&
        (*share)[name].is_number())
      text.append(" ").append(format_percent((*share)[name].get<double>()));
  }
  return text;
}

bool on_units(const nlohmann::json& entry) {
  return entry.contains("units") && entry["units"].is_array();
}

}  // namespace

bool has_tenants(const Design& design) {
  if (!design.workloads.is_object()) return false;
  for (const auto& [name, entry] : design.workloads.items())
    if (is_tenant(entry)) return true;
  return false;
}

Table tenants_table(const Design& design) {
  Table table;
  table.columns = {{"Tenant", Align::left},
                   {"Partition"},
                   {"Batch"},
                   {"p50"},
                   {"p99"},
                   {"SLO"},
                   {"Attainment"},
                   {"Throughput (req/s)"},
                   {"SLO met", Align::left}};
  if (!design.workloads.is_object()) return table;
  for (const auto& [name, entry] : design.workloads.items()) {
    if (!is_tenant(entry)) continue;
    if (on_units(entry)) table.columns[1].header = "Units (share of its busy time)";
    const double replicas = number(entry, "replicas");
    std::string partition = format_percent(number(entry, "partition"));
    if (replicas > 1)
      partition +=
          fmt::format(" ({} x {} cols)", whole(replicas), whole(number(entry, "partition_cols")));
    else if (!std::isnan(number(entry, "partition_cols")))
      partition += fmt::format(" ({} cols)", whole(number(entry, "partition_cols")));
    if (on_units(entry)) partition = units_text(entry);
    const double percentile = number(entry, "percentile");
    table.rows.push_back(
        {name, partition, whole(number(entry, "batch")), latency_text(entry, "p50_ms"),
         latency_text(entry, "p99_ms"),
         format_number(number(entry, "slo_ms")) + " ms" +
             (std::isnan(percentile) || percentile == 99 ? ""
                                                         : fmt::format(" at p{:g}", percentile)),
         format_fixed(100 * number(entry, "slo_attainment"), 1) + " %",
         format_number(number(entry, "throughput_per_s")),
         entry.value("meets_slo", false) ? "yes" : "no"});
  }
  return table;
}

nlohmann::json tenants_json(const Design& design) {
  nlohmann::json out = nlohmann::json::array();
  if (!design.workloads.is_object()) return out;
  for (const auto& [name, entry] : design.workloads.items()) {
    if (!is_tenant(entry)) continue;
    nlohmann::json row = {{"name", name}};
    for (const char* key :
         {"partition", "partition_cols", "replicas", "batch", "p50_ms", "p99_ms", "slo_ms",
          "percentile", "slo_attainment", "throughput_per_s", "rate_per_s", "meets_slo"})
      row[key] = entry.contains(key) ? entry[key] : nlohmann::json(nullptr);
    for (const char* key : {"units", "unit_share", "placement"})  // on a platform
      if (entry.contains(key)) row[key] = entry[key];
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace accelscope::reports
