#include "engine/scenario.hpp"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "engine/loaders.hpp"
#include "model/io/csv_table.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/limits.hpp"

namespace accelscope::engine {

namespace {

constexpr std::int64_t kMaxScenarioBatch = 4096;
constexpr std::size_t kMaxTenants = 64;

constexpr std::size_t kMaxTraceArrivals = std::size_t{1} << 22;

// A file a scenario names (a workload or a trace): as given, or beside the scenario; "" if neither.
std::string beside_scenario(const std::string& given, const std::string& scenario_file) {
  namespace fs = std::filesystem;
  if (fs::is_regular_file(given)) return given;
  const fs::path beside = fs::path(scenario_file).parent_path() / given;
  if (fs::path(given).is_relative() && fs::is_regular_file(beside)) return beside.string();
  return "";
}

// A workload named in a scenario: a file as given, a file next to the scenario, or a shipped
// name; otherwise an error naming the scenario's field.
std::string scenario_workload(const io::JsonObject& tenant, const std::string& scenario_file) {
  namespace fs = std::filesystem;
  const std::string given = tenant.string("workload");
  if (std::string file = beside_scenario(given, scenario_file); !file.empty()) return file;
  try {
    const std::string resolved = resolve_workload(given);
    if (fs::is_regular_file(resolved)) return resolved;
  } catch (const io::InputError&) {
  }
  std::string names;
  for (const std::string& name : shipped_workloads()) names += (names.empty() ? "" : ", ") + name;
  tenant.fail("workload", "\"" + given + "\"",
              "a workload file (absolute, or relative to the working directory or the scenario) "
              "or a shipped workload: " +
                  names);
}

}  // namespace

RequestTrace read_request_trace(const std::string& path) {
  std::istringstream text(io::read_text_file(path));
  std::string line;
  int line_number = 0;
  const auto fail = [&](const std::string& what) {
    throw io::InputError(fmt::format("{}: line {}: {}", path, line_number, what));
  };
  // The header: the first line that is not empty or a comment.
  std::string column;
  std::size_t column_index = 0;
  double to_seconds = 0;
  while (column.empty() && std::getline(text, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cells(line);
    std::string cell;
    for (std::size_t i = 0; std::getline(cells, cell, ','); ++i) {
      cell.erase(0, cell.find_first_not_of(" \t"));
      cell.erase(cell.find_last_not_of(" \t") + 1);
      if (cell == "arrival_ms" || cell == "timestamp_s") {
        column = cell;
        column_index = i;
        to_seconds = cell == "arrival_ms" ? 1e-3 : 1.0;
        break;
      }
    }
    if (column.empty())
      fail("header \"" + line.substr(0, 80) +
           "\" names no arrival column, allowed: a column arrival_ms (milliseconds from the "
           "trace's start) or timestamp_s (seconds)");
  }
  if (column.empty()) {
    line_number = std::max(line_number, 1);
    fail(
        "empty trace, allowed: a header naming arrival_ms or timestamp_s, then one arrival per "
        "line");
  }
  RequestTrace trace;
  int previous_line = 0;
  while (std::getline(text, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cells(line);
    std::string cell;
    bool found = false;
    for (std::size_t i = 0; i <= column_index && std::getline(cells, cell, ','); ++i)
      found = i == column_index;
    if (!found)
      fail("field '" + column + "' missing (column " + std::to_string(column_index + 1) + ")");
    const std::optional<double> value = io::csv_number(cell);
    if (!value || *value < 0)
      fail(fmt::format("field '{}' = \"{}\", allowed: a finite number >= 0", column,
                       cell.substr(0, 40)));
    const double at_s = *value * to_seconds;
    if (!trace.arrivals_s.empty() && at_s < trace.arrivals_s.back())
      fail(
          fmt::format("field '{}' = {}, allowed: not before the previous arrival ({:g} on line "
                      "{}): arrivals sorted by time",
                      column, cell, trace.arrivals_s.back() / to_seconds, previous_line));
    if (trace.arrivals_s.size() == kMaxTraceArrivals)
      fail(fmt::format("more than {} arrivals (limit)", kMaxTraceArrivals));
    trace.arrivals_s.push_back(at_s);
    previous_line = line_number;
  }
  if (trace.arrivals_s.size() < 2 || !(trace.arrivals_s.back() > trace.arrivals_s.front()))
    fail(
        fmt::format("{} arrival(s){}, allowed: at least two at different times (the mean rate "
                    "is the steady-state model's)",
                    trace.arrivals_s.size(), trace.arrivals_s.empty() ? "" : " at one time"));
  const double first = trace.arrivals_s.front();
  if (column == "timestamp_s")
    for (double& at : trace.arrivals_s) at -= first;
  trace.mean_rate_per_s = static_cast<double>(trace.arrivals_s.size() - 1) /
                          (trace.arrivals_s.back() - trace.arrivals_s.front());
  if (!(trace.mean_rate_per_s <= 1e12))
    fail(fmt::format("mean rate {:g} requests/s, allowed: at most 1e12", trace.mean_rate_per_s));
  return trace;
}

std::vector<std::int64_t> batch_ladder(std::int64_t max_batch) {
  std::vector<std::int64_t> ladder;
  for (std::int64_t b = 1; b < max_batch; b *= 2) ladder.push_back(b);
  ladder.push_back(max_batch);
  return ladder;
}

Scenario load_scenario(const std::string& path) {
  const nlohmann::json json = io::read_json_file(path);
  const io::JsonObject root(json, path);
  root.allow_only({"name", "description", "tenants", "partition_menu", "max_partitions",
                   "switch_cost_us", "replan_period_ms", "repartition_cost_us"});
  Scenario scenario;
  scenario.file = path;
  scenario.name = root.string("name", std::filesystem::path(path).stem().string());
  if (root.has("partition_menu")) {
    const nlohmann::json& menu = root.raw("partition_menu");
    if (!menu.is_array() || menu.empty() || menu.size() > 64)
      root.fail("partition_menu", io::excerpt(menu), "1 to 64 fractions of the array in (0, 1]");
    scenario.options.partition_menu.clear();
    for (const nlohmann::json& f : menu) {
      if (!f.is_number() || !(f.get<double>() > 0) || !(f.get<double>() <= 1))
        root.fail("partition_menu", io::excerpt(f), "fractions of the array in (0, 1]");
      scenario.options.partition_menu.push_back(f.get<double>());
    }
    std::sort(scenario.options.partition_menu.begin(), scenario.options.partition_menu.end());
  }
  scenario.options.max_partitions =
      static_cast<int>(root.integer("max_partitions", scenario.options.max_partitions, 1, 64));
  scenario.options.switch_cost_s =
      root.positive("switch_cost_us", scenario.options.switch_cost_s * 1e6, true) * 1e-6;

  scenario.options.repartition_cost_s =
      root.positive("repartition_cost_us", scenario.options.repartition_cost_s * 1e6, true) * 1e-6;
  if (root.has("replan_period_ms")) {
    scenario.options.replan_period_s = root.positive("replan_period_ms") * 1e-3;
    if (scenario.options.replan_period_s > 1e6)
      root.fail("replan_period_ms", io::excerpt(root.raw("replan_period_ms")),
                "a period in (0, 1e9] ms");
  }

  // Errors below name the tenant: field 'tenants.<name>.<field>'.
  for (const io::JsonObject& t : root.named_entries("tenants", "tenant", kMaxTenants, "scenario")) {
    const std::string name = t.string("name");
    t.allow_only({"name", "workload", "rate_per_s", "closed_loop", "trace", "slo_ms", "percentile",
                  "max_batch", "priority", "precision", "unit", "fallback"});
    ScenarioTenant tenant;
    tenant.name = name;
    tenant.workload = scenario_workload(t, path);
    if (int{t.has("rate_per_s")} + int{t.has("closed_loop")} + int{t.has("trace")} != 1)
      t.fail_here(
          "give exactly one of rate_per_s (open loop, requests/s), closed_loop (requests in "
          "flight) and trace (a CSV of arrival times)");
    if (t.has("trace")) {
      const std::string given = t.string("trace");
      tenant.trace = beside_scenario(given, path);
      if (tenant.trace.empty())
        t.fail("trace", "\"" + given + "\"",
               "a CSV file of arrival times (absolute, or relative to the working directory or "
               "the scenario)");
      RequestTrace trace = read_request_trace(tenant.trace);
      tenant.rate_per_s = trace.mean_rate_per_s;
      tenant.trace_arrivals_s = std::move(trace.arrivals_s);
    } else if (t.has("rate_per_s")) {
      tenant.rate_per_s = t.positive("rate_per_s");
      if (tenant.rate_per_s > 1e12)
        t.fail("rate_per_s", io::excerpt(t.raw("rate_per_s")), "a rate in (0, 1e12] requests/s");
    } else {
      tenant.closed_loop = t.integer("closed_loop", std::nullopt, 1, 1 << 20);
    }
    tenant.slo_ms = t.positive("slo_ms");
    if (tenant.slo_ms > 1e9)
      t.fail("slo_ms", io::excerpt(t.raw("slo_ms")), "a number in (0, 1e9] ms");
    tenant.percentile = t.positive("percentile", 99.0);
    if (tenant.percentile > 100)
      t.fail("percentile", io::excerpt(t.raw("percentile")), "a number in (0, 100]");
    tenant.max_batch = t.integer("max_batch", 32, 1, kMaxScenarioBatch);
    tenant.priority = static_cast<int>(t.integer("priority", 0, -1000, 1000));
    tenant.precision = t.choice("precision", io::precision_names(), model::Precision::int8);
    tenant.unit = t.string("unit", "");
    tenant.fallback = t.boolean("fallback", false);
    scenario.tenants.push_back(tenant);
  }
  return scenario;
}

void load_scenario_networks(const Scenario& scenario, LoadedScenario& out) {
  out.spec = scenario;
  for (const ScenarioTenant& st : scenario.tenants) {
    model::platform::Tenant tenant;
    tenant.name = st.name;
    tenant.slo_s = st.slo_ms * 1e-3;
    // A closed loop of k requests meets its SLO only when served at k / SLO or faster.
    tenant.rate_per_s =
        st.closed_loop > 0 ? static_cast<double>(st.closed_loop) / tenant.slo_s : st.rate_per_s;
    tenant.percentile = st.percentile;
    tenant.priority = st.priority;
    tenant.closed_loop = static_cast<int>(st.closed_loop);
    tenant.trace_arrivals_s = st.trace_arrivals_s;
    for (const std::int64_t batch : batch_ladder(st.max_batch)) {
      WorkloadOptions options;
      options.batch = batch;
      out.networks.push_back(load_workload(st.workload, options));
      out.prepared.push_back(model::prepare(out.networks.back()));
      tenant.batches.push_back(batch);
      tenant.networks.push_back(&out.prepared.back());
    }
    out.tenants.push_back(std::move(tenant));
  }
}

void check_scenario_on_design(const LoadedScenario& scenario, model::platform::LatencyCache& cache,
                              const std::string& hardware_source) {
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const double fastest_ms = model::platform::fastest_latency_s(cache, i) * 1e3;
    const ScenarioTenant& t = scenario.spec.tenants[i];
    if (t.slo_ms < fastest_ms)
      throw io::InputError(fmt::format(
          "{}: field 'tenants.{}.slo_ms' = {:g}, allowed: at least {:.4g} ms, the fastest "
          "possible latency of {} on {} (batch 1 on the whole array)",
          scenario.spec.file, t.name, t.slo_ms, fastest_ms, t.workload, hardware_source));
  }
}

}  // namespace accelscope::engine
