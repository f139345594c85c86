// The platform level: several tenants (networks with request rates and latency SLOs) served by
// one accelerator, in time slices or in spatial partitions of its PE array. Pure functions on
// plain data; a single tenant on the whole array is the simplest case of the same path.
//
// Partitions. A partition is a number of the array's columns with the same share of every SRAM
// buffer and of the vector lanes; it is a modified Accelerator, so a tenant's batch latency L(b)
// on it comes from the per-op network model (evaluate_totals), cached per (partition, tenant,
// batch). The DRAM channel is not split statically: partitions running at once share it through
// a proportional-share fluid model (below).
//
// Servers. A server is one partition running one or more tenants in turns (time slicing). Each
// turn runs one batch of one tenant; a round lasts T = sum of the turns' L(b) plus a switch cost
// per turn when several tenants share the partition (a fixed context switch, plus reloading the
// tenant's weights when they would otherwise stay on chip). Batches: first the smallest of each
// tenant's ladder keeping up with its rate over a round (b >= rate * T), then a step larger for
// a tenant while that lowers the worst latency percentile over SLO. A request's latency at
// percentile p is estimated as L(b) + p (b - 1) / rate (waiting for its batch to fill) plus an
// M/D/1-like queue with the round as service at the server's load rho (Pollaczek-Khinchine mean,
// exponential tail: T / (2 (1 - rho)) ln(rho / (1 - p)) when rho > 1 - p). At p = 100 % it is
// gpu-lets' rule instead: L(b) + T + (b - 1) / rate (saturated alone: 2 L(b)).
//
// Contention (steady state). Server s moves D_s = sum over its tenants of rate / b * bytes(b)
// per second on average, at r_s = D_s / busy_s while busy. When r_s plus the others' average
// demand exceeds the channel, s gets the proportional share BW * r_s / (r_s + others); its
// exposed memory stalls stretch by BW / share and its latency is at least bytes / share. The
// stretched latencies change r_s: iterated to a fixed point. Total demand above the channel
// means no allocation keeps up.
//
// Policies: temporal (one server on the whole array with every tenant), static (an equal share
// of the columns per tenant), elastic (gpu-lets: tenants by priority take the smallest
// partition of the menu meeting their SLO at their rate, or the fewest columns in r replicas of
// one size each serving 1/r of the rate; at most max_partitions; a tenant that finds no room
// joins an existing server where everybody still meets the SLO).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/evaluate.hpp"
#include "model/hardware.hpp"
#include "model/technology.hpp"

namespace accelscope::model::platform {

// One tenant as the model sees it: its request stream, SLO, and the network prepared at each
// batch size it may run (ascending batches, the last one its max_batch).
struct Tenant {
  std::string name;
  double rate_per_s = 0;  // open loop (Poisson); a closed loop of k is served as k / SLO
  int closed_loop = 0;    // requests in flight (the simulator runs it as such); 0: open loop
  // A recorded request trace (arrival times in seconds from its start, non-decreasing): the
  // simulator replays it; the steady-state model serves rate_per_s, its mean rate. Empty: none.
  std::vector<double> trace_arrivals_s;
  double slo_s = 0;
  double percentile = 99;  // of the latency that must stay within the SLO
  int priority = 0;        // higher first in the elastic policy
  std::vector<std::int64_t> batches;
  std::vector<const PreparedNetwork*> networks;  // per batch, not owned
};

enum class Policy : std::uint8_t { elastic, temporal, static_split };
std::string_view to_string(Policy policy);
// "elastic", "temporal" or "static"; nullopt for anything else.
std::optional<Policy> policy_from_string(std::string_view name);

struct PlatformOptions {
  // Partition sizes the elastic policy may use, as fractions of the columns (ascending).
  std::vector<double> partition_menu{0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0};
  int max_partitions = 8;
  double switch_cost_s = 20e-6;  // per turn on a shared partition, besides reloading weights
  // Re-planning on request traces (simulate_replanned): the policy re-runs every period at the
  // rates observed in it (0: never); a partition it changes is first reconfigured for this long
  // plus reloading its tenants' weights. The 100 us default is an assumption (draining the array
  // and rewriting its column groups' configuration), not a measurement.
  double replan_period_s = 0;
  double repartition_cost_s = 100e-6;
};

// The accelerator restricted to `cols` of its columns (SRAM and vector lanes in proportion, the
// DRAM channel whole). Precondition: 1 <= cols <= accelerator.array.cols.
Accelerator partition_accelerator(const Accelerator& accelerator, int cols);

// What one batch costs on one partition when it has the DRAM channel to itself.
struct BatchCost {
  double latency_s = 0;
  double stall_s = 0;  // exposed memory stalls within latency_s
  double dram_bytes = 0;
  double energy_pj = 0;
  double macs = 0;
  double weight_bytes = 0;       // parameters, reloaded per turn on a shared partition
  bool weights_on_chip = false;  // kept across batches when the tenant runs alone
  bool fits = true;              // every op has a tile that fits its buffers
};

// Servers that are not columns of one accelerator (the units of a heterogeneous platform,
// placement.hpp): a server's `cols` is then a key the caller defines, its batch costs and the
// share of the platform it stands for come from these functions.
struct ExternalCosts {
  std::function<BatchCost(int key, std::size_t tenant, std::size_t batch_index)> cost;
  std::function<double(int key)> fraction;  // of the platform (reported as partition_fraction)
  double channel_bytes_per_s = 0;           // the shared DRAM channel
  double peak_macs_per_s = 0;               // for pe_utilization
};

// L(b) per (partition columns, tenant, batch index), computed on first use.
class LatencyCache {
 public:
  LatencyCache(const Accelerator& accelerator, const Technology& tech,
               const std::vector<Tenant>& tenants);
  LatencyCache(ExternalCosts costs, const std::vector<Tenant>& tenants);
  const BatchCost& cost(int cols, std::size_t tenant, std::size_t batch_index);
  // A lower bound of cost(cols, tenant, batch_index).latency_s without running the model: the
  // array ops one at a time, each at least its folds onto the partition (weight stationary:
  // groups x ceil(k / rows) x ceil(n / cols) x m cycles; output and input stationary alike; row
  // stationary: its MACs over the PEs); vector ops, fill, drain and stalls only add. Increases
  // with the batch. 0 (no bound) with external costs.
  double latency_lower_bound_s(int cols, std::size_t tenant, std::size_t batch_index);
  // Precondition: constructed from an accelerator.
  const Accelerator& accelerator() const { return accelerator_; }
  const std::vector<Tenant>& tenants() const { return *tenants_; }
  // The same tenants (same networks, in the same order) at other rates or traces: every cached
  // cost and bound stays valid (none depends on rates). The cache keeps a pointer to them.
  void set_rates(const std::vector<Tenant>& tenants);
  std::size_t evaluations() const { return evaluations_; }
  double channel_bytes_per_s() const { return channel_bytes_per_s_; }
  double peak_macs_per_s() const { return peak_macs_per_s_; }
  double fraction_of(int cols) const;  // share of the platform a server of `cols` stands for

 private:
  Accelerator accelerator_;
  const Technology* tech_ = nullptr;
  const std::vector<Tenant>* tenants_;
  ExternalCosts external_;
  double channel_bytes_per_s_ = 0;
  double peak_macs_per_s_ = 0;
  // Key: cols * tenants + tenant; value: per batch index, latency_s < 0 while not computed.
  std::unordered_map<std::int64_t, std::vector<BatchCost>> entries_;
  // Per tenant, per batch index: the array ops' GEMMs (groups, m, n, k).
  std::vector<std::vector<std::vector<std::array<double, 4>>>> gemms_;
  // latency_lower_bound_s per (cols, tenant) key as entries_, per batch index (non-decreasing).
  std::unordered_map<std::int64_t, std::vector<double>> bounds_;
  std::size_t evaluations_ = 0;
};

// One tenant's turn on a partition: a replica serving `rate_share` of the tenant's requests.
struct Slot {
  std::size_t tenant = 0;
  double rate_share = 1;
  std::int64_t batch = 0;  // chosen by the steady-state model (set in PlatformResult::servers)
};

// A partition and the tenants taking turns on it.
struct Server {
  int cols = 0;
  std::vector<Slot> slots;
};

struct TenantResult {
  std::int64_t batch = 0;
  int partition_cols = 0;         // of one replica
  int replicas = 0;               // partitions serving this tenant (its rate split evenly)
  double partition_fraction = 0;  // of the array, over all its replicas
  int server = -1;                // index of (its slowest replica's) partition
  double latency_s = 0;           // L(b) on its partition, stretched by contention
  double wait_window_s = 0;       // W: round or batch fill, whichever is longer
  double p50_s = 0;
  double p99_s = 0;
  double percentile_s = 0;  // at the tenant's own percentile
  double slo_attainment = 0;
  double throughput_per_s = 0;  // served: the rate when it keeps up, else its capacity
  bool keeps_up = false;
  bool meets_slo = false;
};

struct PlatformResult {
  Policy policy = Policy::elastic;
  double rate_scale = 1;
  bool feasible = false;  // every tenant keeps up and meets its SLO at its percentile
  std::vector<TenantResult> tenants;
  int partitions = 0;
  std::vector<Server> servers;  // the allocation, with each slot's batch
  double pe_utilization = 0;    // useful MACs / (all PEs x clock) at the served rates
  double dram_utilization = 0;  // average DRAM bytes/s / channel bandwidth
  double energy_pj_per_request = 0;
};

// Serves the tenants at rate_scale x their rates under the policy.
PlatformResult serve(LatencyCache& cache, Policy policy, double rate_scale,
                     const PlatformOptions& options = {});

// The largest factor k such that every tenant at k x its rate meets its SLO (bisection to 0.1 %);
// 0 when none does even at a vanishing rate.
double goodput_scale(LatencyCache& cache, Policy policy, const PlatformOptions& options = {});

// A given allocation (servers with their tenants) served at rate_scale x the rates: the same
// batches, rounds, contention and estimates as serve() (which calls it with a policy's servers).
PlatformResult evaluate_allocation(LatencyCache& cache, const std::vector<Server>& servers,
                                   double rate_scale, const PlatformOptions& options = {});

// The largest k with feasible(k) (doubling, then bisection to 0.1 %), 0 when none down to 1e-9;
// feasible must be monotone (true below some k, false above).
double largest_feasible_scale(const std::function<bool(double)>& feasible);

// The allocation of `result` replayed by the discrete-event simulator (discrete_event.hpp): each
// slot a simulated tenant on its partition, L(b) and DRAM bytes for every b up to max_batch
// interpolated linearly between the cached batches (uncontended: the simulator shares the DRAM
// itself), greedy batching, the options' switch cost per change of tenant (weight reloads not
// added). Per scenario tenant, replicas merged: worst p50 and p99, summed throughput, attainment
// weighted by arrivals. About `requests` arrivals in all, the first 10 % of the time not measured.
// A tenant with a trace replays it whole (times divided by the rate scale; request i goes to
// replica i mod r); the simulation then lasts until the last trace arrival (the other tenants
// arriving alongside), its first 10 % not measured.
struct SimulatedTenant {
  double p50_s = 0, p99_s = 0, slo_attainment = 0, throughput_per_s = 0;
  bool overloaded = false;
};
std::vector<SimulatedTenant> simulate_allocation(LatencyCache& cache, const PlatformResult& result,
                                                 const PlatformOptions& options,
                                                 std::uint64_t seed = 1,
                                                 std::int64_t requests = 200'000);

// gpu-lets' periodic re-planning replayed on the tenants' traces: the trace time cut into windows
// of options.replan_period_s; in each, the policy's allocation at the rates observed in the window
// (its arrivals / window, at least one; a traced tenant with none in a window gets Poisson
// arrivals at that one per window; tenants without a trace at their rate); a server of a
// window's allocation that was in none of the previous window's (same columns, tenants and shares)
// is reconfigured first: options.repartition_cost_s plus its tenants' weights over the DRAM
// channel, its requests waiting (the first window starts configured). Each window is simulated on
// its own, every request measured: queues start empty, requests left at its end finish on its
// allocation. Per scenario tenant over all windows and replicas: p50, p99, attainment, throughput.
// Precondition: a tenant has a trace and the period is > 0 (std::invalid_argument otherwise).
struct ReplannedSimulation {
  std::vector<SimulatedTenant> tenants;
  int windows = 0;
  int repartitions = 0;        // windows whose allocation changed
  double reconfiguring_s = 0;  // summed over the servers reconfigured
};
ReplannedSimulation simulate_replanned(LatencyCache& cache, Policy policy,
                                       const PlatformOptions& options, std::uint64_t seed = 1);

// The fastest any batch of a tenant can run: batch 1 on the whole array.
double fastest_latency_s(LatencyCache& cache, std::size_t tenant);

}  // namespace accelscope::model::platform
