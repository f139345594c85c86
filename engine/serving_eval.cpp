#include "engine/serving_eval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace accelscope::engine {

namespace platform = model::platform;

ServingEvaluation evaluate_serving(platform::LatencyCache& cache, platform::Policy policy,
                                   const platform::PlatformOptions& options) {
  return {platform::serve(cache, policy, 1.0, options),
          platform::goodput_scale(cache, policy, options)};
}

SoloComparison compare_with_solo(const LoadedScenario& scenario,
                                 const model::Accelerator& accelerator,
                                 const model::Technology& tech, const ServingEvaluation& e,
                                 const platform::PlatformOptions& options) {
  SoloComparison c;
  double ntt_sum = 0;
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const std::vector<platform::Tenant> alone{scenario.tenants[i]};
    platform::LatencyCache cache(accelerator, tech, alone);
    const double solo =
        platform::serve(cache, platform::Policy::temporal, 1.0, options).tenants[0].p50_s;
    const double shared = e.at_rates.tenants[i].p50_s;
    c.solo_p50_s.push_back(solo);
    c.stp += std::isfinite(shared) && std::isfinite(solo) ? solo / shared : 0;
    ntt_sum += std::isfinite(solo) ? shared / solo : std::numeric_limits<double>::infinity();
  }
  c.antt = ntt_sum / static_cast<double>(scenario.tenants.size());
  return c;
}

nlohmann::json latency_ms_json(double seconds) {
  return std::isfinite(seconds) ? nlohmann::json(seconds * 1e3) : nlohmann::json(nullptr);
}

void add_serving_results(const LoadedScenario& scenario, const ServingEvaluation& e,
                         nlohmann::json& metrics, nlohmann::json& tenants) {
  const platform::PlatformResult& r = e.at_rates;
  double lowest_attainment = 1, served_per_s = 0;
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const platform::TenantResult& t = r.tenants[i];
    const ScenarioTenant& spec = scenario.spec.tenants[i];
    const std::string& name = spec.name;
    lowest_attainment = std::min(lowest_attainment, t.slo_attainment);
    served_per_s += t.throughput_per_s;
    metrics[name + ".batch"] = t.batch;
    metrics[name + ".partition"] = t.partition_fraction;
    if (std::isfinite(t.p50_s)) metrics[name + ".p50_ms"] = t.p50_s * 1e3;
    if (std::isfinite(t.p99_s)) metrics[name + ".p99_ms"] = t.p99_s * 1e3;
    metrics[name + ".slo_attainment"] = t.slo_attainment;
    metrics[name + ".throughput_per_s"] = t.throughput_per_s;
    tenants[name] = {{"mode", "serving"},
                     {"file", spec.workload},
                     {"batch", t.batch},
                     {"partition", t.partition_fraction},
                     {"partition_cols", t.partition_cols},
                     {"replicas", t.replicas},
                     {"rate_per_s", scenario.tenants[i].rate_per_s},
                     {"p50_ms", latency_ms_json(t.p50_s)},
                     {"p99_ms", latency_ms_json(t.p99_s)},
                     {"slo_ms", spec.slo_ms},
                     {"percentile", spec.percentile},
                     {"slo_attainment", t.slo_attainment},
                     {"throughput_per_s", t.throughput_per_s},
                     {"meets_slo", t.meets_slo}};
  }
  metrics["goodput_scale"] = e.goodput_scale;
  metrics["slo_attainment"] = lowest_attainment;
  metrics["energy_mj_per_request"] = r.energy_pj_per_request * 1e-9;
  // The batches' energy at the served rates (idle time not counted).
  metrics["serving_power_w"] = r.energy_pj_per_request * 1e-12 * served_per_s;
  metrics["pe_utilization"] = r.pe_utilization;
  metrics["dram_utilization"] = r.dram_utilization;
  metrics["partitions"] = r.partitions;
}

}  // namespace accelscope::engine
