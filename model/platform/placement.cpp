#include "model/platform/placement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
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
    case PlacementMode::ga:
      return "ga";
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
    add_io_conversions();
    return std::move(run);
  }

  // Network inputs and outputs of groups on a unit with an io_unit: a conversion pass there
  // before the network and after it (units.hpp).
  void add_io_conversions() {
    const NetworkPlan& plan = costs.network->fused;
    std::vector<char> done(plan.tensors.size(), 0);
    const auto pass = [&](std::size_t g, int tensor) {
      const std::size_t u = unit_of[g];
      const std::size_t h = platform.units[u].io_unit;
      if (h >= platform.units.size() || done[static_cast<std::size_t>(tensor)]) return;
      done[static_cast<std::size_t>(tensor)] = 1;
      const double bytes = elements(tensor) * (4.0 + bytes_of(costs.cost[g][u].precision));
      const double time_s = platform.units[h].launch_s + bytes / platform.unit_bytes_per_s(h);
      run.latency_s += time_s;
      run.busy_s[h] += time_s;
      run.dram_bytes += bytes;
      if (run.groups_on[h] == 0) {
        if (run.io_busy_s.empty()) run.io_busy_s.assign(platform.units.size(), 0.0);
        run.io_busy_s[h] += time_s;
        run.io_dram_bytes += bytes;
      }
    };
    for (std::size_t g = 0; g < costs.cost.size(); ++g) {
      for (const auto& [tensor, producer] : costs.inputs[g])
        if (producer < 0) pass(g, tensor);
      for (int tensor : plan.groups[g].outputs)
        if (plan.tensors[static_cast<std::size_t>(tensor)].last_reader_group < 0) pass(g, tensor);
    }
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

// HEFT's order: groups by decreasing upward rank (mean cost over the units that run them plus
// the mean transfer to their successors). Empty, with `refused` saying why, when a group runs on
// no unit.
std::vector<std::size_t> heft_order(const HeteroPlatform& platform, const NetworkCosts& costs,
                                    PlacedRun& refused) {
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
      refused.why_not = "no unit runs it: " + cannot_run(platform, costs, g, 0);
      return {};
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
  return order;
}

// The scheduled run, its home the unit it keeps busiest.
PlacedRun finish_at_busiest(Scheduler& s) {
  PlacedRun run = s.finish_run();
  run.home = static_cast<std::size_t>(std::max_element(run.busy_s.begin(), run.busy_s.end()) -
                                      run.busy_s.begin());
  return run;
}

// Groups in `order`, each on its unit of `assignment`.
PlacedRun schedule(const HeteroPlatform& platform, const NetworkCosts& costs,
                   const std::vector<std::size_t>& order,
                   const std::vector<std::size_t>& assignment) {
  Scheduler s(platform, costs);
  for (std::size_t g : order) s.commit(g, assignment[g]);
  return finish_at_busiest(s);
}

// What HEFT decided: its group order and each group's unit (the GA's starting point).
struct HeftPlan {
  std::vector<std::size_t> order, assignment;
};

// HEFT; `plan` (if given) receives its order and assignment (left empty when refused).
PlacedRun place_layer(const HeteroPlatform& platform, const NetworkCosts& costs,
                      HeftPlan* plan = nullptr) {
  const std::size_t units = platform.units.size();
  PlacedRun refused;
  std::vector<std::size_t> order = heft_order(platform, costs, refused);
  if (order.empty()) return refused;
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
  if (plan) *plan = {std::move(order), s.unit_of};
  return finish_at_busiest(s);
}

// The genetic algorithm of `ga` placement (placement.hpp), over HEFT's group order. `layer` is
// the tenant's layer placement, which it must beat to be replaced.
PlacedRun place_ga(const HeteroPlatform& platform, const NetworkCosts& costs,
                   const GaOptions& options, PlacedRun layer, const HeftPlan& heft) {
  const std::vector<std::size_t>& order = heft.order;
  if (order.empty() || !layer.runnable) return layer;
  const std::size_t groups = order.size();
  const std::size_t units = platform.units.size();
  if (units < 2 || groups < 2) return layer;
  // Plain tables for a fast schedule: per group its cost per unit and, per input, the producer
  // and the transfer time between every pair of units.
  std::vector<double> time(groups * units, kInf);
  std::vector<std::vector<std::uint8_t>> legal(groups);
  struct Edge {
    std::size_t producer;
    std::vector<double> time_s;  // [from * units + to]
  };
  std::vector<std::vector<Edge>> edges(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t u = 0; u < units; ++u)
      if (costs.cost[g][u].runnable) {
        time[g * units + u] = costs.cost[g][u].time_s;
        legal[g].push_back(static_cast<std::uint8_t>(u));
      }
    for (const auto& [tensor, producer] : costs.inputs[g]) {
      if (producer < 0) continue;
      const auto p = static_cast<std::size_t>(producer);
      Edge e{p, std::vector<double>(units * units, 0.0)};
      const double elements = static_cast<double>(
          costs.network->fused.tensors[static_cast<std::size_t>(tensor)].elements);
      for (std::size_t from = 0; from < units; ++from)
        for (std::size_t to = 0; to < units; ++to)
          if (costs.cost[p][from].runnable && costs.cost[g][to].runnable)
            e.time_s[from * units + to] =
                transfer(platform, from, to, elements, costs.cost[p][from].precision,
                         costs.cost[g][to].precision)
                    .time_s;
      edges[g].push_back(std::move(e));
    }
  }
  using Genes = std::vector<std::uint8_t>;  // unit per group, indexed by group
  std::vector<double> finish(groups), ready(units);
  const auto latency = [&](const Genes& a) {
    std::fill(ready.begin(), ready.end(), 0.0);
    double end = 0;
    for (std::size_t g : order) {
      const std::size_t u = a[g];
      double start = ready[u];
      for (const Edge& e : edges[g])
        start = std::max(start, finish[e.producer] + e.time_s[a[e.producer] * units + u]);
      finish[g] = start + time[g * units + u];
      ready[u] = finish[g];
      end = std::max(end, finish[g]);
    }
    return end;
  };
  std::mt19937_64 rng(options.seed);
  const auto below = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  struct Member {
    Genes genes;
    double latency_s;
  };
  std::vector<Member> population;
  const auto add = [&](Genes genes) {
    const double l = latency(genes);
    population.push_back({std::move(genes), l});
  };
  // Seeds: HEFT's assignment and every single unit's (groups it cannot run on their fastest).
  {
    add(Genes(heft.assignment.begin(), heft.assignment.end()));
    for (std::size_t u = 0; u < units; ++u) {
      Genes genes(groups);
      bool any = false;
      for (std::size_t g = 0; g < groups; ++g) {
        any = any || costs.cost[g][u].runnable;
        genes[g] =
            static_cast<std::uint8_t>(costs.cost[g][u].runnable ? u : fastest_unit(costs, g));
      }
      if (any) add(std::move(genes));
    }
  }
  const auto pop_size = static_cast<std::size_t>(options.population);
  const auto by_latency = [](const Member& a, const Member& b) {
    return a.latency_s < b.latency_s;
  };
  if (population.size() > pop_size) {
    std::stable_sort(population.begin(), population.end(), by_latency);
    population.resize(pop_size);
  }
  // Move a run of consecutive groups (rank order) to one unit where it runs them.
  const auto move_run = [&](Genes& genes) {
    const std::size_t start = below(groups);
    const std::size_t length = 1 + below(std::max<std::size_t>(1, groups / 4));
    const auto u = static_cast<std::uint8_t>(below(units));
    for (std::size_t k = start; k < std::min(groups, start + length); ++k)
      if (costs.cost[order[k]][u].runnable) genes[order[k]] = u;
  };
  const auto mutate_one = [&](Genes& genes) {
    const std::size_t g = below(groups);
    genes[g] = legal[g][below(legal[g].size())];
  };
  for (std::size_t seeds = population.size(), k = 0; population.size() < pop_size; ++k) {
    Genes genes = population[k % seeds].genes;
    move_run(genes);
    mutate_one(genes);
    add(std::move(genes));
  }
  std::stable_sort(population.begin(), population.end(), by_latency);
  double best = population.front().latency_s;
  int stale = 0;
  std::vector<Member> next;
  for (int generation = 0; generation < options.generations && stale < options.patience;
       ++generation) {
    next.assign(population.begin(), population.begin() + 2);  // elitism
    const auto tournament = [&]() -> const Genes& {
      const Member& a = population[below(population.size())];
      const Member& b = population[below(population.size())];
      return (a.latency_s <= b.latency_s ? a : b).genes;
    };
    while (next.size() < pop_size) {
      const Genes& mother = tournament();
      const Genes& father = tournament();
      std::size_t cut1 = below(groups + 1), cut2 = below(groups + 1);
      if (cut1 > cut2) std::swap(cut1, cut2);
      Genes child = mother;
      for (std::size_t k = cut1; k < cut2; ++k) child[order[k]] = father[order[k]];
      if (below(2) == 0) mutate_one(child);
      if (below(3) == 0) move_run(child);
      const double l = latency(child);
      next.push_back({std::move(child), l});
    }
    std::swap(population, next);
    std::stable_sort(population.begin(), population.end(), by_latency);
    if (population.front().latency_s < best * (1 - 1e-12)) {
      best = population.front().latency_s;
      stale = 0;
    } else {
      ++stale;
    }
  }
  const Genes& genes = population.front().genes;
  PlacedRun run =
      schedule(platform, costs, order, std::vector<std::size_t>(genes.begin(), genes.end()));
  return run.latency_s < layer.latency_s * (1 - 1e-12) ? run : layer;
}

}  // namespace

std::string check(const GaOptions& options) {
  if (options.population < 4 || options.population > 1024)
    return "ga population " + std::to_string(options.population) + ", allowed: 4..1024";
  if (options.generations < 0 || options.generations > 100000)
    return "ga generations " + std::to_string(options.generations) + ", allowed: 0..100000";
  if (options.patience < 1)
    return "ga patience " + std::to_string(options.patience) + ", allowed: at least 1";
  return {};
}

namespace {

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
                const TenantPlacement& tenant, PlacementMode mode, const GaOptions& ga) {
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
    return place(platform, restricted, unrestricted, mode, ga);
  }
  if (tenant.pinned_unit != kAnyUnit || mode == PlacementMode::whole)
    return place_whole(platform, costs, tenant);
  if (mode == PlacementMode::layer || mode == PlacementMode::ga) {
    // HEFT's earliest finish does not see transfers to successors; the best single unit (with
    // the tenant's fallback rule) is kept when it finishes first.
    HeftPlan heft_plan;
    PlacedRun heft = place_layer(platform, costs, &heft_plan);
    PlacedRun single = place_whole(platform, costs, tenant);
    PlacedRun layer =
        single.runnable && (!heft.runnable || single.latency_s < heft.latency_s) ? single : heft;
    if (mode == PlacementMode::layer) return layer;
    if (const std::string bad = check(ga); !bad.empty()) throw std::invalid_argument(bad);
    return place_ga(platform, costs, ga, std::move(layer), heft_plan);
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
                             PlacementMode mode, double switch_cost_s, const GaOptions& ga) {
  ClosedLoopResult result;
  if (instances.empty()) {
    result.why_not = "no instances";
    return result;
  }
  std::vector<PlacedRun> runs;
  std::vector<std::int64_t> batches;
  for (const Instance& instance : instances) {
    runs.push_back(place(platform, *instance.costs, instance.placement, mode, ga));
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
  // Conversions a run asks of a unit in another server (a DLA engine's reformat kernels on the
  // GPU) take that unit's time: its server's rounds stretch by that load.
  std::vector<int> server_of_unit(platform.units.size(), -1);
  bool any_io = false;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (std::size_t u : units_of[i]) server_of_unit[u] = server[i];
    any_io = any_io || !runs[i].io_busy_s.empty();
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
  if (any_io) {
    // Conversions a run asks of a unit in another server take that server's time, at its share
    // of the channel (memory-bound passes): it runs fewer rounds of its own. Applied once the
    // shares are settled; their bytes stay in the requesting run's demand.
    std::vector<double> foreign(share.size(), 0.0);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const std::vector<double>& io_busy_s = runs[i].io_busy_s;
      const double io_total_s = std::accumulate(io_busy_s.begin(), io_busy_s.end(), 0.0);
      for (std::size_t u = 0; u < io_busy_s.size(); ++u) {
        const int owner = server_of_unit[u];
        if (owner < 0 || owner == server[i] || io_busy_s[u] <= 0) continue;
        const auto o = static_cast<std::size_t>(owner);
        const double ratio = std::min(1.0, share[o] * channel / port[o]);
        const double bytes = runs[i].io_dram_bytes * io_busy_s[u] / io_total_s;
        foreign[o] += stretched_latency_s(io_busy_s[u], io_busy_s[u], bytes, ratio, port[o]) /
                      round[static_cast<std::size_t>(server[i])];
      }
    }
    for (std::size_t s = 0; s < round.size(); ++s) {
      foreign[s] = std::min(foreign[s], 0.9);  // a server keeps a tenth of its units' time
      round[s] /= 1 - foreign[s];
      demand[s] *= 1 - foreign[s];
    }
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
                           const std::vector<TenantPlacement>& placements, PlacementMode mode,
                           const GaOptions& ga) {
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
      PlacedRun run = place(platform, c, placement, mode, ga);
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
