// Discrete-event simulation of request streams served by an accelerator's partitions: per tenant
// an arrival process, a batching queue and a latency table L(b); partitions run batches at the same
// time and share the DRAM bandwidth; tenants on one partition take turns (time-slicing with a
// switch cost). Pure: plain data in, plain data out, deterministic for a seed, bounded in time.
//
// Used to check a steady-state (fluid) estimate on designs of the front: p50/p99 per tenant and
// SLO attainment come from simulated requests, not from formulas.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace accelscope::model::platform {

enum class BatchPolicy : std::uint8_t {
  // When the partition is free: take up to max_batch waiting requests.
  greedy,
  // As greedy, but no larger than the largest batch b whose latency still meets the oldest
  // waiting request's SLO (wait so far + L(b) <= SLO); the full batch when the oldest is late
  // whatever the batch.
  slo_capped,
};

struct DesTenant {
  std::string name;
  // Open loop: Poisson arrivals at this rate (requests per second). Used when closed_loop == 0.
  double rate_per_s = 0;
  // Closed loop: this many requests in flight; a new one arrives when one completes (no think
  // time). 0: open loop.
  int closed_loop = 0;
  // A recorded request trace replayed instead of Poisson arrivals: arrival times in seconds from
  // the start of the simulation, non-decreasing (rate_per_s is then informational). Empty: none.
  std::vector<double> arrivals_s;
  double slo_s = 0;
  int max_batch = 1;
  std::size_t partition = 0;  // index of the partition it runs on
  // latency_s[b - 1]: time of a batch of b requests alone on its partition (b = 1..max_batch).
  std::vector<double> latency_s;
  // dram_bytes[b - 1]: DRAM bytes a batch of b moves (spread evenly over its run).
  std::vector<double> dram_bytes;
};

struct DesOptions {
  std::size_t partitions = 1;
  // Shared DRAM bandwidth of the chip; batches running at once whose combined demand (bytes /
  // standalone latency) exceeds it all slow down by bandwidth / demand (proportional share).
  // 0: no contention modelled.
  double dram_bandwidth_bytes_per_s = 0;
  // Time-slicing: a partition that starts a batch of another tenant than its last one first
  // spends this long switching (weights, context).
  double switch_cost_s = 0;
  BatchPolicy policy = BatchPolicy::greedy;
  // Per partition (empty: none): busy being reconfigured (a repartition) from time 0 until this
  // time; its requests wait.
  std::vector<double> partition_ready_s;
  std::uint64_t seed = 1;
  // Bounds: arrivals stop at duration_s or after max_requests (all tenants together), whichever
  // comes first; requests still queued or running at drain_limit_s (default 2 x duration_s plus
  // the slowest batch) are counted as unfinished. Arrivals before warmup_s are not measured.
  double duration_s = 10;
  std::int64_t max_requests = 2'000'000;
  double warmup_s = 0;
  double drain_limit_s = 0;  // 0: the default above
  // Requests that arrive while a tenant already has this many waiting are dropped (overload).
  std::int64_t max_queue = 100'000;
};

struct DesTenantResult {
  std::string name;
  std::int64_t arrived = 0;     // measured arrivals (after the warm-up)
  std::int64_t completed = 0;   // of those, completed
  std::int64_t dropped = 0;     // refused with a full queue
  std::int64_t unfinished = 0;  // still waiting or running when the simulation stopped
  double p50_s = 0, p99_s = 0, mean_s = 0, max_s = 0;  // over completed requests
  std::vector<double> latencies_s;  // of the measured completed requests, ascending
  double slo_attainment = 0;        // completed within SLO / arrived (dropped, unfinished: misses)
  double throughput_per_s = 0;      // measured completions / measured time
  double mean_batch = 0;
  double busy_fraction = 0;  // of the measured time its batches were running (or switching in)
  std::int64_t max_queue_length = 0;
  // Overload: requests were dropped, or the queue at the end holds more than it could serve in
  // one SLO (it was still growing).
  bool overloaded = false;
};

struct DesResult {
  std::vector<DesTenantResult> tenants;
  std::vector<double> partition_busy_fraction;
  double simulated_s = 0;         // measured time (arrival window minus warm-up)
  double dram_slowdown_mean = 1;  // mean stretch factor of batches by DRAM contention (>= 1)
  std::int64_t events = 0;
};

// Checks the inputs (one-line std::invalid_argument naming the tenant and field) and simulates.
DesResult simulate(const std::vector<DesTenant>& tenants, const DesOptions& options);

}  // namespace accelscope::model::platform
