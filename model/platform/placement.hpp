// Where a tenant's network runs on a heterogeneous platform (units.hpp), and several tenants or
// instances running at once. Pure functions on plain data.
//
// Placement of one batch (the pieces are the fused groups of the network plan):
// - whole: every group on one home unit (the pinned one, else the unit that finishes the network
//   first); a group the home cannot run (op kind or precision) falls back to the unit that runs it
//   fastest when the tenant allows fallback (paying the transfers there and back, their
//   synchronisation and precision conversions), else the placement is refused with one line
//   naming the unit, op and precision.
// - layer: HEFT (Topcuoglu et al. 2002): groups by upward rank (mean cost over the units that run
//   them plus the mean transfer to their successors), each on the unit giving the earliest finish
//   including transfers from its producers; independent branches may run on different units.
//   The best single unit (as `whole`) replaces it when it finishes first.
// - ga: a small genetic algorithm over the unit of every group (GaOptions), each assignment
//   scheduled and timed exactly as `layer` schedules HEFT's (groups in HEFT's upward-rank order,
//   each at the earliest time its unit is free and its inputs have arrived). Its first
//   population holds HEFT's assignment and every single unit's (with fallback to the fastest
//   unit), so it never finishes later than `layer`; with a fixed seed it is deterministic.
// - split: the home unit of `whole`, and every GEMM group split by output channels over all units
//   that run it at the tenant's precision, in proportion to their speed on the whole group (the
//   co-execution of Liu et al.): each helper receives the input, computes its share (data paths:
//   the scaled work, weights and outputs; systolic units: their fraction of the whole group's
//   cost) and sends its outputs back (merge), all synchronised per group. Other groups as whole.
// A tenant pinned to a unit runs there (layer and split then reduce to whole).
//
// Concurrency. Units never run two tenants' groups at once: tenants whose placements share a unit
// form one server that runs them in turns (time slicing, a switch cost per turn); servers on
// disjoint units run at once and share the DRAM with the proportional-share fluid model of
// dram_share.hpp (issue 12's). A run's network-input and -output conversions on an io_unit
// outside its server (units.hpp) take that server's time once the shares are settled: it runs
// fewer rounds of its own (their bytes stay in the requesting run's demand). Closed-loop
// instances (k back to back, a batch each) keep every server busy; open-loop tenants with SLOs
// are served by issue 12's serving layer (platform.hpp: batches, queueing estimates, goodput) on
// these servers (plan_serving), which does not see the conversions' load on another server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/platform/platform.hpp"
#include "model/platform/units.hpp"

namespace accelscope::model::platform {

enum class PlacementMode : std::uint8_t { whole, layer, split, ga };
std::string_view to_string(PlacementMode mode);

inline constexpr std::size_t kAnyUnit = static_cast<std::size_t>(-1);

// What a tenant allows.
struct TenantPlacement {
  Precision precision = Precision::fp32;  // of its GEMMs
  std::size_t pinned_unit = kAnyUnit;
  bool fallback = false;  // groups its unit cannot run go to another unit instead of an error
  std::vector<std::size_t> allowed_units;  // the units it may use at all; empty: every unit
};

// One batch of a tenant under a placement, with the DRAM to itself.
struct PlacedRun {
  bool runnable = false;
  std::string why_not;  // one line, when not runnable
  double latency_s = 0;
  double stall_s = 0;  // memory time not hidden behind compute, summed over groups
  double dram_bytes = 0;
  double energy_pj = 0;
  double macs = 0;
  std::size_t home = 0;
  std::vector<double> busy_s;  // per unit
  std::vector<int> groups_on;  // groups (or shares of split groups) per unit
  // Busy time on units the run does not otherwise use: conversions of its network inputs and
  // outputs there (units.hpp, io_unit). Also counted in busy_s.
  std::vector<double> io_busy_s;
  double io_dram_bytes = 0;  // the DRAM bytes of those conversions (also in dram_bytes)
  int transfers = 0;         // tensors handed between units
  std::vector<std::size_t> units_used() const;
};

// The genetic algorithm of `ga` placement. Bounded: at most population x generations
// schedules per placement (24 x 40 = 960 by default), fewer when the best has not improved for
// `patience` generations. Each generation keeps the two best, and breeds the rest from
// 2-tournaments by two-point crossover over the groups in rank order, then mutates one group's
// unit (probability 1/2) and moves a run of consecutive groups to one unit (probability 1/3).
struct GaOptions {
  std::uint64_t seed = 1;
  int population = 24;   // 4..1024
  int generations = 40;  // 0..100000
  int patience = 12;     // generations without improvement before it stops
};
// One line naming the field when a GaOptions value is out of range; empty when fine.
std::string check(const GaOptions& options);

PlacedRun place(const HeteroPlatform& platform, const NetworkCosts& costs,
                const TenantPlacement& tenant, PlacementMode mode, const GaOptions& ga = {});

// Closed-loop instances: each runs its batch back to back.
struct Instance {
  std::string name;
  const NetworkCosts* costs = nullptr;  // at the instance's batch
  std::int64_t batch = 1;
  TenantPlacement placement;
};

struct InstanceResult {
  PlacedRun run;                // alone
  double latency_s = 0;         // of its batch, stretched by DRAM contention
  double throughput_per_s = 0;  // inferences (samples) per second
  int server = -1;
};

struct ClosedLoopResult {
  bool runnable = false;
  std::string why_not;  // "<instance>: ..." when an instance cannot be placed
  std::vector<InstanceResult> instances;
  double throughput_per_s = 0;  // all instances
  double dram_bytes_per_s = 0;
  double dram_utilization = 0;  // of the usable channel
  int servers = 0;
};

ClosedLoopResult closed_loop(const HeteroPlatform& platform, const std::vector<Instance>& instances,
                             PlacementMode mode, double switch_cost_s, const GaOptions& ga = {});
// The same for instances already placed: run i of batch batches[i] (a runnable PlacedRun each).
ClosedLoopResult closed_loop_placed(const HeteroPlatform& platform,
                                    const std::vector<PlacedRun>& runs,
                                    const std::vector<std::int64_t>& batches, double switch_cost_s);

// Tenants with rates and SLOs on a platform: each placed at every batch of its ladder (the units
// it uses are those of all its batches), tenants sharing a unit in one server. In `whole` mode a
// tenant that is not pinned goes to the unit that, with the load already placed there, would be
// least loaded (rate x L(b) / b at its largest batch). The servers and the costs for
// LatencyCache(ExternalCosts) run issue 12's serving layer (evaluate_allocation, goodput).
struct HeteroServing {
  std::vector<Server> servers;
  ExternalCosts costs;
  std::vector<std::vector<std::size_t>> tenant_units;  // units each tenant's groups ran on
  std::vector<std::size_t> tenant_home;
  // Each tenant's run at each batch of its ladder (with the DRAM to itself).
  std::shared_ptr<const std::vector<std::vector<PlacedRun>>> runs;
};

// The fraction of time each unit is busy when the tenants are served as `result` says (each at
// its throughput and batch; uncontended group times).
std::vector<double> unit_busy_fractions(const HeteroServing& serving,
                                        const std::vector<Tenant>& tenants,
                                        const PlatformResult& result, std::size_t unit_count);
// std::invalid_argument "tenant '<name>': ..." when a tenant cannot be placed.
HeteroServing plan_serving(const HeteroPlatform& platform, const std::vector<Tenant>& tenants,
                           const std::vector<TenantPlacement>& placements, PlacementMode mode,
                           const GaOptions& ga = {});

}  // namespace accelscope::model::platform
