// Serving scenarios (spaces/scenarios/*.json): tenants with their workloads, request rates and
// latency SLOs, read strictly, and their networks loaded at every batch size the platform model
// may run (model/platform).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "model/evaluate.hpp"
#include "model/platform/platform.hpp"

namespace accelscope::engine {

struct ScenarioTenant {
  std::string name;
  std::string workload;          // resolved path
  double rate_per_s = 0;         // open loop (a trace's mean rate); 0 when closed_loop
  std::int64_t closed_loop = 0;  // requests in flight; 0 when open loop
  std::string trace;             // a request trace's resolved path; empty: Poisson at rate_per_s
  std::vector<double> trace_arrivals_s;
  double slo_ms = 0;
  double percentile = 99;
  std::int64_t max_batch = 32;
  int priority = 0;
  // On a heterogeneous platform (serve --platform): the precision of its GEMMs, the unit it is
  // pinned to (empty: any) and whether ops that unit cannot run may fall back to another.
  model::Precision precision = model::Precision::int8;
  std::string unit;
  bool fallback = false;
};

struct Scenario {
  std::string file;
  std::string name;
  std::vector<ScenarioTenant> tenants;
  model::platform::PlatformOptions options;
};

// Reads a scenario; io::InputError "<file>: ..." naming the tenant and field for a bad one.
Scenario load_scenario(const std::string& path);

// A request trace (a tenant's "trace": CSV, '#' comment lines, a header naming the column
// arrival_ms (milliseconds from the trace's start) or timestamp_s (seconds, any origin: shifted so
// the first is 0); other columns ignored): arrival times in seconds, non-decreasing, and the mean
// rate (arrivals - 1) / (last - first). io::InputError "<file>: line N: ..." naming the field for
// an empty, unsorted, negative or non-finite one, or one of fewer than two distinct times.
struct RequestTrace {
  std::vector<double> arrivals_s;
  double mean_rate_per_s = 0;
};
RequestTrace read_request_trace(const std::string& path);

// Batch sizes a tenant may run: powers of two below max_batch, and max_batch.
std::vector<std::int64_t> batch_ladder(std::int64_t max_batch);

// A scenario with its networks prepared at each batch of the ladder (owns them; not copyable:
// the tenants point into it).
struct LoadedScenario {
  Scenario spec;
  std::deque<model::Network> networks;
  std::deque<model::PreparedNetwork> prepared;
  std::vector<model::platform::Tenant> tenants;
  LoadedScenario() = default;
  LoadedScenario(const LoadedScenario&) = delete;
  LoadedScenario& operator=(const LoadedScenario&) = delete;
};
void load_scenario_networks(const Scenario& scenario, LoadedScenario& out);

// Every tenant's SLO must allow its fastest possible latency on the design (batch 1 on the whole
// array); io::InputError naming the scenario, tenant and field otherwise.
void check_scenario_on_design(const LoadedScenario& scenario, model::platform::LatencyCache& cache,
                              const std::string& hardware_source);

}  // namespace accelscope::engine
