#include "model/platform/placement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "model/platform/dram_share.hpp"

namespace accelscope::model::platform {

std::string_view to_string(PlacementMode mode) {
  switch (mode) {
    case PlacementMode::whole:
      return "whole";
    case PlacementMode::layer:
      return "layer";
    case PlacementMode::split:
      return "split";
  }
  return "?";
}

std::vector<std::size_t> PlacedRun::units_used() const {
  std::vector<std::size_t> used;
  for (std::size_t u = 0; u < groups_on.size(); ++u)
    if (groups_on[u] > 0) used.push_back(u);
  return used;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string precision_list(const ComputeUnit& unit) {
  std::string text;
  for (Precision p : unit.precisions())
    text += (text.empty() ? "" : ", ") + std::string(to_string(p));
  return text.empty() ? "none" : text;
}

// Why a unit cannot run a group (one line).
std::string cannot_run(const HeteroPlatform& platform, const NetworkCosts& costs, std::size_t group,
                       std::size_t unit_index) {
  const ComputeUnit& unit = platform.units[unit_index];
  const Network& net = *costs.network->network;
  const PlannedGroup& g = costs.network->fused.groups[group];
  const Op& head = net.ops[g.head];
  std::string what;
  std::vector<std::size_t> members{g.head};
  members.insert(members.end(), g.fused.begin(), g.fused.end());
  for (std::size_t op : members)
    if (!unit.runs_kind(net.ops[op].kind)) {
      what = std::string(to_string(net.ops[op].kind)) + " (op '" + net.ops[op].name + "')";
      break;
    }
  if (what.empty() && head.on_array() && !unit.runs_gemm_at(costs.precision))
    return "unit '" + unit.name + "' does not run " + std::string(to_string(costs.precision)) +
           " (op '" + head.name + "'; it runs " + precision_list(unit) +
           "); set \"fallback\": true to run such ops on another unit, or pick another unit";
  if (what.empty()) what = "op '" + head.name + "' (no tile fits its buffers)";
  return "unit '" + unit.name + "' does not run " + what +
         "; set \"fallback\": true to run such ops on another unit, or pick another unit";
}

struct Scheduler {
  const HeteroPlatform& platform;
  const NetworkCosts& costs;
  PlacedRun run;
  std::vector<double> finish;
  std::vector<std::size_t> unit_of;
  std::vector<double> unit_ready;

  Scheduler(const HeteroPlatform& p, const NetworkCosts& c)
      : platform(p),
        costs(c),
        finish(c.cost.size(), 0),
        unit_of(c.cost.size(), 0),
        unit_ready(p.units.size(), 0) {
    run.busy_s.assign(p.units.size(), 0);
    run.groups_on.assign(p.units.size(), 0);
  }

  double elements(int tensor) const {
    return static_cast<double>(
        costs.network->fused.tensors[static_cast<std::size_t>(tensor)].elements);
  }

  // When group g's inputs are on unit u.
  double inputs_ready(std::size_t g, std::size_t u) const {
    double ready = 0;
    for (const auto& [tensor, producer] : costs.inputs[g]) {
      if (producer < 0) continue;
      const auto p = static_cast<std::size_t>(producer);
      ready = std::max(ready, finish[p] + transfer(platform, unit_of[p], u, elements(tensor),
                                                   costs.cost[p][unit_of[p]].precision,
                                                   costs.cost[g][u].precision)
                                              .time_s);
    }
    return ready;
  }

  double earliest_finish(std::size_t g, std::size_t u) const {
    return std::max(unit_ready[u], inputs_ready(g, u)) + costs.cost[g][u].time_s;
  }

  void commit(std::size_t g, std::size_t u) {
    const TaskCost& c = costs.cost[g][u];
    for (const auto& [tensor, producer] : costs.inputs[g]) {
      if (producer < 0) continue;
      const auto p = static_cast<std::size_t>(producer);
      if (unit_of[p] == u) continue;
      run.dram_bytes += transfer(platform, unit_of[p], u, elements(tensor),
                                 costs.cost[p][unit_of[p]].precision, c.precision)
                            .dram_bytes;
      ++run.transfers;
    }
    finish[g] = earliest_finish(g, u);
    unit_of[g] = u;
    unit_ready[u] = finish[g];
    add_cost(u, c, c.time_s);
  }

  void add_cost(std::size_t u, const TaskCost& c, double busy_s) {
    run.busy_s[u] += busy_s;
    run.groups_on[u] += 1;
    run.stall_s += c.stall_s;
    run.dram_bytes += c.dram_bytes;
    run.energy_pj += c.energy_pj;
    run.macs += c.macs;
  }

  PlacedRun finish_run() {
    run.runnable = true;
    run.latency_s = 0;
    for (double f : finish) run.latency_s = std::max(run.latency_s, f);
    return std::move(run);
  }
};

bool runs_everything(const NetworkCosts& costs, std::size_t u) {
  return std::all_of(costs.cost.begin(), costs.cost.end(),
                     [&](const std::vector<TaskCost>& row) { return row[u].runnable; });
}

std::size_t fastest_unit(const NetworkCosts& costs, std::size_t g) {
  std::size_t best = costs.cost[g].size();
  for (std::size_t u = 0; u < costs.cost[g].size(); ++u)
    if (costs.cost[g][u].runnable &&
        (best == costs.cost[g].size() || costs.cost[g][u].time_s < costs.cost[g][best].time_s))
      best = u;
  return best;
}

// Every group on `home`, those it cannot run on their fastest unit (fallback).
PlacedRun place_whole_on(const HeteroPlatform& platform, const NetworkCosts& costs,
                         std::size_t home, bool fallback) {
  Scheduler s(platform, costs);
  for (std::size_t g = 0; g < costs.cost.size(); ++g) {
    std::size_t u = home;
    if (!costs.cost[g][home].runnable) {
      if (!fallback) {
        PlacedRun refused;
        refused.why_not = cannot_run(platform, costs, g, home);
        return refused;
      }
      u = fastest_unit(costs, g);
      if (u == platform.units.size()) {
        PlacedRun refused;
        refused.why_not = "no unit runs it: " + cannot_run(platform, costs, g, home);
        return refused;
      }
    }
    s.commit(g, u);
  }
  PlacedRun run = s.finish_run();
  run.home = home;
  return run;
}

// The home of whole and split placement: the pinned unit, else the unit finishing first.
PlacedRun place_whole(const HeteroPlatform& platform, const NetworkCosts& costs,
                      const TenantPlacement& tenant) {
  if (tenant.pinned_unit != kAnyUnit)
    return place_whole_on(platform, costs, tenant.pinned_unit, tenant.fallback);
  PlacedRun best;
  for (std::size_t u = 0; u < platform.units.size(); ++u) {
    if (!tenant.fallback && !runs_everything(costs, u)) continue;
    if (!platform.units[u].runs_gemm_at(costs.precision)) continue;
    PlacedRun run = place_whole_on(platform, costs, u, tenant.fallback);
    if (run.runnable && (!best.runnable || run.latency_s < best.latency_s)) best = std::move(run);
  }
  if (!best.runnable)
    best.why_not = "no unit runs every op at " + std::string(to_string(costs.precision)) +
                   "; set \"fallback\": true, or use layer placement";
  return best;
}

PlacedRun place_layer(const HeteroPlatform& platform, const NetworkCosts& costs) {
  const std::size_t groups = costs.cost.size();
  const std::size_t units = platform.units.size();
  std::vector<double> mean_cost(groups, 0);
  for (std::size_t g = 0; g < groups; ++g) {
    int n = 0;
    for (std::size_t u = 0; u < units; ++u)
      if (costs.cost[g][u].runnable) {
        mean_cost[g] += costs.cost[g][u].time_s;
        ++n;
      }
    if (n == 0) {
      PlacedRun refused;
      refused.why_not = "no unit runs it: " + cannot_run(platform, costs, g, 0);
      return refused;
    }
    mean_cost[g] /= n;
  }
  // Upward ranks, successors after predecessors (groups are in a topological order).
  std::vector<double> rank(groups, 0);
  for (std::size_t g = groups; g-- > 0;) {
    rank[g] += mean_cost[g];
    for (const auto& [tensor, producer] : costs.inputs[g]) {
      if (producer < 0) continue;
      const double elements = static_cast<double>(
          costs.network->fused.tensors[static_cast<std::size_t>(tensor)].elements);
      const double mean_transfer =
          units > 1 ? transfer(platform, 0, 1, elements, costs.precision, costs.precision).time_s *
                          (1.0 - 1.0 / static_cast<double>(units))
                    : 0;
      auto& r = rank[static_cast<std::size_t>(producer)];
      r = std::max(r, mean_transfer + rank[g]);
    }
  }
  std::vector<std::size_t> order(groups);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rank[a] > rank[b]; });
  // A successor's rank never exceeds its producer's (costs >= 0), and ties keep the network
  // order, so the order is topological.
  Scheduler s(platform, costs);
  for (std::size_t g : order) {
    std::size_t best = units;
    double best_finish = kInf;
    for (std::size_t u = 0; u < units; ++u) {
      if (!costs.cost[g][u].runnable) continue;
      const double f = s.earliest_finish(g, u);
      if (f < best_finish) {
        best_finish = f;
        best = u;
      }
    }
    s.commit(g, best);
  }
  PlacedRun run = s.finish_run();
  run.home = static_cast<std::size_t>(std::max_element(run.busy_s.begin(), run.busy_s.end()) -
                                      run.busy_s.begin());
  return run;
}

PlacedRun place_split(const HeteroPlatform& platform, const NetworkCosts& costs,
                      const TenantPlacement& tenant) {
  const PlacedRun whole = place_whole(platform, costs, tenant);
  if (!whole.runnable || tenant.pinned_unit != kAnyUnit) return whole;
  const std::size_t home = whole.home;
  const Network& net = *costs.network->network;
  const NetworkPlan& plan = costs.network->fused;
  Scheduler s(platform, costs);
  for (std::size_t g = 0; g < costs.cost.size(); ++g) {
    const PlannedGroup& group = plan.groups[g];
    std::vector<std::size_t> parts;
    if (costs.cost[g][home].runnable && net.ops[group.head].on_array())
      for (std::size_t u = 0; u < platform.units.size(); ++u)
        if (costs.cost[g][u].runnable && platform.units[u].runs_gemm_at(costs.precision))
          parts.push_back(u);
    if (parts.size() < 2) {
      s.commit(g, costs.cost[g][home].runnable ? home : fastest_unit(costs, g));
      continue;
    }
    // A unit's share of the group: its part and, for a helper, receiving the input and returning
    // its share of the outputs (the merge).
    struct Part {
      TaskCost cost;
      double duration_s = 0;
      double transfer_bytes = 0;
      int transfers = 0;
    };
    const auto part_of = [&](std::size_t u, double fraction) {
      Part part;
      if (platform.units[u].kind == UnitKind::data_paths) {
        part.cost = data_path_cost(platform, u, *costs.network, g, costs.precision, fraction);
      } else {
        part.cost = costs.cost[g][u];
        part.cost.time_s *= fraction;
        part.cost.stall_s *= fraction;
        part.cost.dram_bytes *= fraction;
        part.cost.energy_pj *= fraction;
        part.cost.macs *= fraction;
      }
      part.duration_s = part.cost.time_s;
      if (u == home) return part;
      const auto add = [&](const Transfer& t) {
        part.duration_s += t.time_s;
        part.transfer_bytes += t.dram_bytes;
        ++part.transfers;
      };
      for (const auto& input : costs.inputs[g])
        add(transfer(platform, home, u, s.elements(input.first), costs.precision,
                     part.cost.precision));
      for (int tensor : group.outputs)
        add(transfer(platform, u, home, s.elements(tensor) * fraction, part.cost.precision,
                     costs.precision));
      return part;
    };
    // Shares in proportion to speed on the whole group; with two units, balanced so both parts
    // end together (bisection: a larger share lengthens a part).
    std::vector<double> fraction(parts.size());
    double speed_sum = 0;
    for (std::size_t u : parts) speed_sum += 1 / costs.cost[g][u].time_s;
    for (std::size_t k = 0; k < parts.size(); ++k)
      fraction[k] = (1 / costs.cost[g][parts[k]].time_s) / speed_sum;
    if (parts.size() == 2) {
      const std::size_t helper = parts[0] == home ? 1 : 0;
      double lo = 0, hi = 1;
      for (int i = 0; i < 30; ++i) {
        const double f = 0.5 * (lo + hi);
        (part_of(parts[helper], f).duration_s < part_of(home, 1 - f).duration_s ? lo : hi) = f;
      }
      fraction[helper] = 0.5 * (lo + hi);
      fraction[1 - helper] = 1 - fraction[helper];
    }
    double start = s.inputs_ready(g, home);
    for (std::size_t u : parts) start = std::max(start, s.unit_ready[u]);
    double end = start;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const Part part = part_of(parts[k], fraction[k]);
      s.run.dram_bytes += part.transfer_bytes;
      s.run.transfers += part.transfers;
      s.add_cost(parts[k], part.cost, part.cost.time_s);
      end = std::max(end, start + part.duration_s);
    }
    for (std::size_t u : parts) s.unit_ready[u] = end;
    s.finish[g] = end;
    s.unit_of[g] = home;
  }
  PlacedRun run = s.finish_run();
  run.home = home;
  return run;
}

}  // namespace

PlacedRun place(const HeteroPlatform& platform, const NetworkCosts& costs,
                const TenantPlacement& tenant, PlacementMode mode) {
  if (tenant.pinned_unit != kAnyUnit && tenant.pinned_unit >= platform.units.size())
    throw std::invalid_argument("pinned unit out of range");
  if (!tenant.allowed_units.empty()) {
    // Units it may not use run nothing of it.
    NetworkCosts restricted = costs;
    for (std::vector<TaskCost>& row : restricted.cost)
      for (std::size_t u = 0; u < row.size(); ++u)
        if (std::find(tenant.allowed_units.begin(), tenant.allowed_units.end(), u) ==
            tenant.allowed_units.end())
          row[u].runnable = false;
    TenantPlacement unrestricted = tenant;
    unrestricted.allowed_units.clear();
    return place(platform, restricted, unrestricted, mode);
  }
  if (tenant.pinned_unit != kAnyUnit || mode == PlacementMode::whole)
    return place_whole(platform, costs, tenant);
  if (mode == PlacementMode::layer) {
    // HEFT's earliest finish does not see transfers to successors; the best single unit (with
    // the tenant's fallback rule) is kept when it finishes first.
    PlacedRun heft = place_layer(platform, costs);
    PlacedRun single = place_whole(platform, costs, tenant);
    return single.runnable && (!heft.runnable || single.latency_s < heft.latency_s) ? single : heft;
  }
  return place_split(platform, costs, tenant);
}

namespace {

// Items (instances, tenants) using overlapping units join one server: its index per item.
std::vector<int> servers_by_units(const std::vector<std::vector<std::size_t>>& units_of,
                                  std::size_t unit_count, int& server_count) {
  std::vector<std::size_t> parent(unit_count);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  const auto root = [&](std::size_t u) {
    while (parent[u] != u) u = parent[u] = parent[parent[u]];
    return u;
  };
  for (const auto& units : units_of)
    for (std::size_t k = 1; k < units.size(); ++k) parent[root(units[k])] = root(units[0]);
  std::vector<int> server_of_root(unit_count, -1);
  std::vector<int> server(units_of.size(), -1);
  server_count = 0;
  for (std::size_t i = 0; i < units_of.size(); ++i) {
    const std::size_t r = root(units_of[i].front());
    if (server_of_root[r] < 0) server_of_root[r] = server_count++;
    server[i] = server_of_root[r];
  }
  return server;
}

double server_port(const HeteroPlatform& platform, const std::vector<std::size_t>& units) {
  double port = 0;
  for (std::size_t u : units) port = std::max(port, platform.unit_bytes_per_s(u));
  return port;
}

}  // namespace

ClosedLoopResult closed_loop(const HeteroPlatform& platform, const std::vector<Instance>& instances,
                             PlacementMode mode, double switch_cost_s) {
  ClosedLoopResult result;
  if (instances.empty()) {
    result.why_not = "no instances";
    return result;
  }
  std::vector<PlacedRun> runs;
  std::vector<std::int64_t> batches;
  for (const Instance& instance : instances) {
    runs.push_back(place(platform, *instance.costs, instance.placement, mode));
    if (!runs.back().runnable) {
      result.why_not = instance.name + ": " + runs.back().why_not;
      return result;
    }
    batches.push_back(instance.batch);
  }
  return closed_loop_placed(platform, runs, batches, switch_cost_s);
}

ClosedLoopResult closed_loop_placed(const HeteroPlatform& platform,
                                    const std::vector<PlacedRun>& runs,
                                    const std::vector<std::int64_t>& batches,
                                    double switch_cost_s) {
  ClosedLoopResult result;
  if (runs.empty() || runs.size() != batches.size()) {
    result.why_not = "no instances";
    return result;
  }
  std::vector<std::vector<std::size_t>> units_of;
  for (const PlacedRun& run : runs) {
    if (!run.runnable) {
      result.why_not = run.why_not;
      return result;
    }
    InstanceResult r;
    r.run = run;
    units_of.push_back(r.run.units_used());
    result.instances.push_back(std::move(r));
  }
  const std::vector<int> server = servers_by_units(units_of, platform.units.size(), result.servers);
  // Servers run at once: their streams interleave at the controller.
  const double channel =
      platform.dram.concurrent_bytes_per_s(static_cast<std::size_t>(result.servers));
  std::vector<double> share(static_cast<std::size_t>(result.servers), 1.0);
  std::vector<double> port(static_cast<std::size_t>(result.servers), 0.0);
  std::vector<int> turns(static_cast<std::size_t>(result.servers), 0);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto s = static_cast<std::size_t>(server[i]);
    port[s] = std::max(port[s], server_port(platform, units_of[i]));
    ++turns[s];
  }
  // Every server busy all the time: rounds of its instances' batches, DRAM shared at a fixed point.
  std::vector<double> round(share.size(), 0), demand(share.size(), 0);
  constexpr int kIterations = 60;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    std::fill(round.begin(), round.end(), 0.0);
    std::fill(demand.begin(), demand.end(), 0.0);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto s = static_cast<std::size_t>(server[i]);
      const PlacedRun& run = result.instances[i].run;
      // A share of the channel above the server's port does not speed it up.
      const double ratio = std::min(1.0, share[s] * channel / port[s]);
      result.instances[i].latency_s =
          stretched_latency_s(run.latency_s, run.stall_s, run.dram_bytes, ratio, port[s]);
      round[s] += result.instances[i].latency_s + (turns[s] > 1 ? switch_cost_s : 0);
      demand[s] += run.dram_bytes;
    }
    double total = 0;
    for (std::size_t s = 0; s < share.size(); ++s) {
      demand[s] /= round[s];
      total += demand[s];
    }
    if (share.size() < 2) break;
    double largest_change = 0;
    for (std::size_t s = 0; s < share.size(); ++s) {
      const double next = proportional_share_step(share[s], demand[s], 1.0, total, channel);
      largest_change = std::max(largest_change, std::abs(next - share[s]));
      share[s] = next;
    }
    if (largest_change < 1e-5) break;
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    InstanceResult& r = result.instances[i];
    r.server = server[i];
    r.throughput_per_s =
        static_cast<double>(batches[i]) / round[static_cast<std::size_t>(server[i])];
    result.throughput_per_s += r.throughput_per_s;
  }
  for (double d : demand) result.dram_bytes_per_s += d;
  result.dram_utilization = result.dram_bytes_per_s / channel;
  result.runnable = true;
  return result;
}

HeteroServing plan_serving(const HeteroPlatform& platform, const std::vector<Tenant>& tenants,
                           const std::vector<TenantPlacement>& placements, PlacementMode mode) {
  if (tenants.size() != placements.size()) throw std::invalid_argument("one placement per tenant");
  const std::size_t units = platform.units.size();
  // Runs per tenant, batch (and, in whole mode for tenants not pinned, per home unit).
  auto runs = std::make_shared<std::vector<std::vector<PlacedRun>>>(tenants.size());
  HeteroServing out;
  std::vector<double> load(units, 0);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    const Tenant& t = tenants[i];
    // Only the units the tenant may use are costed: its pinned unit alone without fallback.
    std::vector<char> needed(units, 1);
    if (placements[i].pinned_unit != kAnyUnit && !placements[i].fallback) {
      std::fill(needed.begin(), needed.end(), 0);
      needed[placements[i].pinned_unit] = 1;
    } else if (!placements[i].allowed_units.empty()) {
      std::fill(needed.begin(), needed.end(), 0);
      for (std::size_t u : placements[i].allowed_units) needed[u] = 1;
    }
    std::vector<NetworkCosts> costs;
    for (const PreparedNetwork* network : t.networks)
      costs.push_back(network_costs(platform, *network, placements[i].precision, needed));
    TenantPlacement placement = placements[i];
    if (mode == PlacementMode::whole && placement.pinned_unit == kAnyUnit) {
      // Balance: the home leaving the least loaded unit at the largest batch.
      std::size_t best = units;
      double best_load = kInf;
      for (std::size_t u = 0; u < units; ++u) {
        TenantPlacement on_u = placement;
        on_u.pinned_unit = u;
        const PlacedRun run = place(platform, costs.back(), on_u, mode);
        if (!run.runnable || (!placement.fallback && run.units_used().size() > 1)) continue;
        const double added = t.rate_per_s * run.latency_s / static_cast<double>(t.batches.back());
        if (load[u] + added < best_load) {
          best_load = load[u] + added;
          best = u;
        }
      }
      if (best == units) {
        const PlacedRun run = place(platform, costs.back(), placement, mode);
        throw std::invalid_argument("tenant '" + t.name + "': " + run.why_not);
      }
      load[best] = best_load;
      placement.pinned_unit = best;
    }
    std::vector<char> used(units, 0);
    for (const NetworkCosts& c : costs) {
      PlacedRun run = place(platform, c, placement, mode);
      if (!run.runnable) throw std::invalid_argument("tenant '" + t.name + "': " + run.why_not);
      for (std::size_t u : run.units_used()) used[u] = 1;
      (*runs)[i].push_back(std::move(run));
    }
    out.tenant_home.push_back((*runs)[i].front().home);
    std::vector<std::size_t> list;
    for (std::size_t u = 0; u < units; ++u)
      if (used[u]) list.push_back(u);
    out.tenant_units.push_back(list);
  }
  int server_count = 0;
  const std::vector<int> server = servers_by_units(out.tenant_units, units, server_count);
  out.servers.assign(static_cast<std::size_t>(server_count), Server{});
  auto server_fraction = std::make_shared<std::vector<double>>(out.servers.size(), 0.0);
  std::vector<std::vector<char>> in_server(out.servers.size(), std::vector<char>(units, 0));
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    const auto s = static_cast<std::size_t>(server[i]);
    out.servers[s].cols = static_cast<int>(s);
    out.servers[s].slots.push_back(Slot{i, 1.0, 0});
    for (std::size_t u : out.tenant_units[i]) in_server[s][u] = 1;
  }
  double peak_macs = 0;
  for (const ComputeUnit& unit : platform.units) peak_macs += unit.peak_macs_per_s();
  for (std::size_t s = 0; s < out.servers.size(); ++s)
    for (std::size_t u = 0; u < units; ++u)
      if (in_server[s][u]) (*server_fraction)[s] += platform.units[u].peak_macs_per_s() / peak_macs;
  out.costs.channel_bytes_per_s = platform.dram.concurrent_bytes_per_s(out.servers.size());
  out.costs.peak_macs_per_s = peak_macs;
  out.costs.fraction = [server_fraction](int key) {
    return (*server_fraction)[static_cast<std::size_t>(key)];
  };
  out.runs = runs;
  out.costs.cost = [runs](int, std::size_t tenant, std::size_t batch_index) {
    const PlacedRun& run = (*runs)[tenant][batch_index];
    BatchCost c;
    c.latency_s = run.latency_s;
    c.stall_s = run.stall_s;
    c.dram_bytes = run.dram_bytes;
    c.energy_pj = run.energy_pj;
    c.macs = run.macs;
    c.fits = run.runnable;
    return c;
  };
  return out;
}

std::vector<double> unit_busy_fractions(const HeteroServing& serving,
                                        const std::vector<Tenant>& tenants,
                                        const PlatformResult& result, std::size_t unit_count) {
  std::vector<double> busy(unit_count, 0.0);
  for (const Server& server : result.servers)
    for (const Slot& slot : server.slots) {
      const Tenant& t = tenants[slot.tenant];
      const auto at = std::find(t.batches.begin(), t.batches.end(), slot.batch);
      if (at == t.batches.end()) continue;
      const PlacedRun& run =
          (*serving.runs)[slot.tenant][static_cast<std::size_t>(at - t.batches.begin())];
      const double batches_per_s =
          result.tenants[slot.tenant].throughput_per_s / static_cast<double>(slot.batch);
      for (std::size_t u = 0; u < unit_count && u < run.busy_s.size(); ++u)
        busy[u] += batches_per_s * run.busy_s[u];
    }
  return busy;
}

}  // namespace accelscope::model::platform
