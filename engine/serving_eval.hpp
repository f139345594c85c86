// A design serving a scenario (model/platform): the policy's allocation at the scenario's rates
// and its goodput scale, as `accelscope serve` prints them and a study records them (metrics and
// per-tenant details; README "Serving several networks" and "Design spaces").
#pragma once

#include <nlohmann/json.hpp>

#include "engine/scenario.hpp"
#include "model/platform/platform.hpp"

namespace accelscope::engine {

struct ServingEvaluation {
  model::platform::PlatformResult at_rates;
  double goodput_scale = 0;
};

ServingEvaluation evaluate_serving(model::platform::LatencyCache& cache,
                                   model::platform::Policy policy,
                                   const model::platform::PlatformOptions& options);

// Milliseconds of a latency, null when unbounded (the tenant does not keep up).
nlohmann::json latency_ms_json(double seconds);

// The design metrics of a serving evaluation (goodput_scale, slo_attainment: the lowest over the
// tenants, energy_mj_per_request, serving_power_w, pe_utilization, dram_utilization, partitions;
// per tenant "<tenant>.<metric>" of kTenantMetrics, p50/p99 only when bounded) into `metrics`,
// and one detail object per tenant into `tenants` by name (mode "serving", file, batch,
// partition, partition_cols, replicas, rate_per_s, p50_ms, p99_ms, slo_ms, percentile,
// slo_attainment, throughput_per_s, meets_slo).
void add_serving_results(const LoadedScenario& scenario, const ServingEvaluation& e,
                         nlohmann::json& metrics, nlohmann::json& tenants);

}  // namespace accelscope::engine
