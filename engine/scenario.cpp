#include "engine/scenario.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "engine/loaders.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/limits.hpp"

namespace accelscope::engine {

namespace {

constexpr std::int64_t kMaxScenarioBatch = 4096;
constexpr std::size_t kMaxTenants = 64;

// A workload named in a scenario: a file as given, a file next to the scenario, or a shipped
// name; otherwise an error naming the scenario's field.
std::string scenario_workload(const io::JsonObject& tenant, const std::string& scenario_file) {
  namespace fs = std::filesystem;
  const std::string given = tenant.string("workload");
  if (fs::is_regular_file(given)) return given;
  const fs::path beside = fs::path(scenario_file).parent_path() / given;
  if (fs::path(given).is_relative() && fs::is_regular_file(beside)) return beside.string();
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

std::vector<std::int64_t> batch_ladder(std::int64_t max_batch) {
  std::vector<std::int64_t> ladder;
  for (std::int64_t b = 1; b < max_batch; b *= 2) ladder.push_back(b);
  ladder.push_back(max_batch);
  return ladder;
}

Scenario load_scenario(const std::string& path) {
  const nlohmann::json json = io::read_json_file(path);
  const io::JsonObject root(json, path);
  root.allow_only(
      {"name", "description", "tenants", "partition_menu", "max_partitions", "switch_cost_us"});
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

  // Errors below name the tenant: field 'tenants.<name>.<field>'.
  for (const io::JsonObject& t : root.named_entries("tenants", "tenant", kMaxTenants, "scenario")) {
    const std::string name = t.string("name");
    t.allow_only({"name", "workload", "rate_per_s", "closed_loop", "slo_ms", "percentile",
                  "max_batch", "priority", "precision", "unit", "fallback"});
    ScenarioTenant tenant;
    tenant.name = name;
    tenant.workload = scenario_workload(t, path);
    if (t.has("rate_per_s") == t.has("closed_loop"))
      t.fail_here(
          "give exactly one of rate_per_s (open loop, requests/s) and closed_loop "
          "(requests in flight)");
    if (t.has("rate_per_s")) {
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
