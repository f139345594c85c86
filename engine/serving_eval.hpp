// A design serving a scenario (model/platform): the policy's allocation at the scenario's rates
// and its goodput scale, as `accelscope serve` prints them and a study records them (metrics and
// per-tenant details; README "Serving several networks" and "Design spaces").
#pragma once

#include <vector>

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

// System throughput and average normalized turnaround time against solo runs (Eyerman and
// Eeckhout's STP and ANTT, with a tenant's median latency as its turnaround): each tenant alone
// on the whole array at its rate (solo p50) against its p50 in `e`. STP = sum of solo / shared
// (n when sharing costs nothing), ANTT = mean of shared / solo (1 at best). A tenant with an
// unbounded p50 adds 0 to STP and makes ANTT infinite.
struct SoloComparison {
  double stp = 0, antt = 0;
  std::vector<double> solo_p50_s;
};
SoloComparison compare_with_solo(const LoadedScenario& scenario,
                                 const model::Accelerator& accelerator,
                                 const model::Technology& tech, const ServingEvaluation& e,
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
