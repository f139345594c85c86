#include "engine/platform_eval.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "model/io/json_reader.hpp"

namespace accelscope::engine {

namespace platform = model::platform;

platform::PlacementMode placement_mode(const std::string& name) {
  if (name == "whole") return platform::PlacementMode::whole;
  if (name == "split") return platform::PlacementMode::split;
  if (name == "ga") return platform::PlacementMode::ga;
  return platform::PlacementMode::layer;
}

std::vector<platform::TenantPlacement> tenant_placements(const LoadedScenario& scenario,
                                                         const platform::HeteroPlatform& hetero) {
  std::string unit_names;
  for (const platform::ComputeUnit& unit : hetero.units)
    unit_names += (unit_names.empty() ? "" : ", ") + unit.name;
  std::vector<platform::TenantPlacement> placements;
  for (const ScenarioTenant& t : scenario.spec.tenants) {
    platform::TenantPlacement p;
    p.precision = t.precision;
    p.fallback = t.fallback;
    if (!t.unit.empty()) {
      p.pinned_unit = hetero.unit_index(t.unit);
      if (p.pinned_unit == hetero.units.size())
        throw io::InputError(
            fmt::format("{}: field 'tenants.{}.unit' = \"{}\", allowed: a unit of "
                        "platform {}: {}",
                        scenario.spec.file, t.name, t.unit, hetero.name, unit_names));
    }
    placements.push_back(p);
  }
  return placements;
}

void check_capacity(const LoadedScenario& scenario, const platform::HeteroPlatform& hetero,
                    const std::string& platform_file) {
  if (hetero.dram.capacity_bytes <= 0) return;
  double bytes = 0;
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    double parameters = 0;
    for (const model::Op& op : scenario.tenants[i].networks.front()->network->ops)
      parameters += static_cast<double>(op.parameter_elements);
    bytes += parameters * model::bytes_of(scenario.spec.tenants[i].precision);
  }
  if (bytes > hetero.dram.capacity_bytes)
    throw io::InputError(
        fmt::format("{}: the tenants' weights ({:.3g} GiB) exceed the DRAM capacity of platform {} "
                    "({:.3g} GiB, {} field 'dram.capacity_gib')",
                    scenario.spec.file, bytes / (1ULL << 30), hetero.name,
                    hetero.dram.capacity_bytes / (1ULL << 30), platform_file));
}

PlatformServing plan_platform_serving(const LoadedScenario& scenario,
                                      const platform::HeteroPlatform& hetero,
                                      const std::vector<platform::TenantPlacement>& placements,
                                      platform::PlacementMode mode, const platform::GaOptions& ga) {
  PlatformServing out;
  try {
    out.serving = platform::plan_serving(hetero, scenario.tenants, placements, mode, ga);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(scenario.spec.file + ": " + e.what());
  }
  out.cache = std::make_unique<platform::LatencyCache>(out.serving.costs, scenario.tenants);
  return out;
}

ServingEvaluation evaluate_platform(PlatformServing& p, const platform::PlatformOptions& options) {
  platform::LatencyCache& cache = *p.cache;
  const std::vector<platform::Server>& servers = p.serving.servers;
  return {platform::evaluate_allocation(cache, servers, 1.0, options),
          platform::largest_feasible_scale([&](double k) {
            return platform::evaluate_allocation(cache, servers, k, options).feasible;
          })};
}

platform::ClosedLoopResult tenant_instances(const LoadedScenario& scenario,
                                            const platform::HeteroPlatform& hetero,
                                            const PlatformServing& p, double switch_cost_s) {
  std::vector<platform::PlacedRun> runs;
  std::vector<std::int64_t> batches;
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const platform::Tenant& t = scenario.tenants[i];
    for (int k = 0; k < std::max(1, t.closed_loop); ++k) {
      runs.push_back((*p.serving.runs)[i].back());
      batches.push_back(t.batches.back());
    }
  }
  return platform::closed_loop_placed(hetero, runs, batches, switch_cost_s);
}

std::string units_text(const platform::HeteroPlatform& hetero,
                       const std::vector<std::size_t>& units) {
  std::string text;
  for (std::size_t u : units) text += (text.empty() ? "" : "+") + hetero.units[u].name;
  return text;
}

nlohmann::json units_json(const platform::HeteroPlatform& hetero,
                          const std::vector<double>& busy_fraction) {
  nlohmann::json units = nlohmann::json::array();
  for (std::size_t u = 0; u < hetero.units.size(); ++u) {
    const platform::ComputeUnit& unit = hetero.units[u];
    units.push_back(
        {{"name", unit.name},
         {"kind", unit.kind == platform::UnitKind::systolic ? "systolic" : "data_paths"},
         {"area_mm2", unit.area_mm2},
         {"power_w", unit.power_w}});
    if (u < busy_fraction.size()) units.back()["busy_fraction"] = busy_fraction[u];
  }
  return units;
}

namespace {

PlatformDesign evaluate_with(const LoadedScenario& scenario, const platform::HeteroPlatform& hetero,
                             const std::vector<platform::TenantPlacement>& placements,
                             platform::PlacementMode mode,
                             const platform::PlatformOptions& options) {
  PlatformServing p = plan_platform_serving(scenario, hetero, placements, mode);
  const ServingEvaluation e = evaluate_platform(p, options);
  const platform::ClosedLoopResult instances =
      tenant_instances(scenario, hetero, p, options.switch_cost_s);
  PlatformDesign d;
  d.placement = std::string(platform::to_string(mode));
  add_serving_results(scenario, e, d.metrics, d.tenants);
  double area = 0, power = 0;
  for (const platform::ComputeUnit& unit : hetero.units) {
    area += unit.area_mm2;
    power += unit.power_w;
  }
  d.metrics["area_mm2"] = area;
  d.metrics["power_w"] = power;
  d.metrics["units"] = hetero.units.size();
  d.metrics["throughput_per_s"] = instances.runnable ? instances.throughput_per_s : 0.0;
  std::size_t instance = 0;
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const platform::Tenant& t = scenario.tenants[i];
    const std::string& name = t.name;
    double per_s = 0;
    for (int k = 0; k < std::max(1, t.closed_loop); ++k, ++instance)
      if (instances.runnable) per_s += instances.instances[instance].throughput_per_s;
    d.metrics[name + ".units"] = p.serving.tenant_units[i].size();
    d.metrics[name + ".instances_per_s"] = per_s;
    // Where its served batch runs: the share of the batch's busy time on each unit.
    const std::int64_t batch = e.at_rates.tenants[i].batch;
    const auto at = std::find(t.batches.begin(), t.batches.end(), batch);
    const platform::PlacedRun& run =
        (*p.serving
              .runs)[i]
                    [at == t.batches.end() ? 0 : static_cast<std::size_t>(at - t.batches.begin())];
    double busy_sum = 0;
    for (double b : run.busy_s) busy_sum += b;
    nlohmann::json share = nlohmann::json::object(), names = nlohmann::json::array();
    for (std::size_t u : p.serving.tenant_units[i]) {
      names.push_back(hetero.units[u].name);
      share[hetero.units[u].name] = busy_sum > 0 ? run.busy_s[u] / busy_sum : 0.0;
    }
    nlohmann::json& detail = d.tenants[name];
    detail["units"] = names;
    detail["unit_share"] = share;
    detail["placement"] = d.placement;
  }
  return d;
}

}  // namespace

PlatformDesign evaluate_platform_design(const LoadedScenario& scenario,
                                        const platform::HeteroPlatform& hetero,
                                        const std::string& placement,
                                        const platform::PlatformOptions& options) {
  const std::vector<platform::TenantPlacement> placements = tenant_placements(scenario, hetero);
  if (placement != "best")
    return evaluate_with(scenario, hetero, placements, placement_mode(placement), options);
  // The inner optimisation over the placement policies.
  std::optional<PlatformDesign> best;
  std::string last_error;
  for (platform::PlacementMode mode :
       {platform::PlacementMode::whole, platform::PlacementMode::layer,
        platform::PlacementMode::split}) {
    PlatformDesign d;
    try {
      d = evaluate_with(scenario, hetero, placements, mode, options);
    } catch (const io::InputError& e) {
      last_error = e.what();
      continue;
    }
    const auto key = [](const PlatformDesign& x) {
      return std::pair{x.metrics["goodput_scale"].get<double>(),
                       x.metrics["throughput_per_s"].get<double>()};
    };
    if (!best || key(d) > key(*best)) best = std::move(d);
  }
  if (!best) throw io::InputError(last_error);
  return std::move(*best);
}

}  // namespace accelscope::engine
