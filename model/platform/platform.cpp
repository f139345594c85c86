#include "model/platform/platform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "model/platform/discrete_event.hpp"
#include "model/platform/dram_share.hpp"

namespace accelscope::model::platform {

std::string_view to_string(Policy policy) {
  switch (policy) {
    case Policy::elastic:
      return "elastic";
    case Policy::temporal:
      return "temporal";
    case Policy::static_split:
      return "static";
  }
  return "?";
}

std::optional<Policy> policy_from_string(std::string_view name) {
  for (const Policy policy : {Policy::elastic, Policy::temporal, Policy::static_split})
    if (to_string(policy) == name) return policy;
  return std::nullopt;
}

Accelerator partition_accelerator(const Accelerator& accelerator, int cols) {
  if (cols < 1 || cols > accelerator.array.cols)
    throw std::invalid_argument("partition of " + std::to_string(cols) +
                                " columns, allowed: 1 to " +
                                std::to_string(accelerator.array.cols));
  Accelerator part = accelerator;
  const double fraction = static_cast<double>(cols) / accelerator.array.cols;
  part.array.cols = cols;
  for (BufferSpec& buffer : part.sram) buffer.capacity_bytes *= fraction;
  part.vector.lanes =
      std::max(1, static_cast<int>(std::lround(accelerator.vector.lanes * fraction)));
  return part;
}

namespace {

double dram_bytes_per_s(const Accelerator& a) {
  if (a.dram.shared) return a.dram.shared_gbps * 1e9;
  double sum = 0;
  for (double gbps : a.dram.interface_gbps) sum += gbps * 1e9;
  return sum;
}

void check_tenants(const std::vector<Tenant>& tenants) {
  for (const Tenant& tenant : tenants)
    if (tenant.batches.empty() || tenant.batches.size() != tenant.networks.size())
      throw std::invalid_argument("tenant '" + tenant.name + "': no batch sizes prepared");
}

// Per tenant, per batch index: the array ops' GEMMs (groups, m, n, k).
std::vector<std::vector<std::vector<std::array<double, 4>>>> gemms_of(
    const std::vector<Tenant>& tenants) {
  std::vector<std::vector<std::vector<std::array<double, 4>>>> out;
  for (const Tenant& tenant : tenants) {
    std::vector<std::vector<std::array<double, 4>>> per_batch;
    for (const PreparedNetwork* network : tenant.networks) {
      std::vector<std::array<double, 4>> gemms;
      for (const Op& op : network->network->ops) {
        if (!op.on_array()) continue;
        const GemmView g = gemm_view(op);
        gemms.push_back({static_cast<double>(g.groups), static_cast<double>(g.m),
                         static_cast<double>(g.n), static_cast<double>(g.k)});
      }
      per_batch.push_back(std::move(gemms));
    }
    out.push_back(std::move(per_batch));
  }
  return out;
}

}  // namespace

double LatencyCache::latency_lower_bound_s(int cols, std::size_t tenant, std::size_t batch_index) {
  if (external_.cost) return 0;  // no accelerator to bound it by
  const std::int64_t key =
      static_cast<std::int64_t>(cols) * static_cast<std::int64_t>(tenants_->size()) +
      static_cast<std::int64_t>(tenant);
  auto [it, inserted] = bounds_.try_emplace(key);
  if (inserted) {
    const double rows = accelerator_.array.rows, columns = cols;
    const auto folds = [](double extent, double size) { return std::ceil(extent / size); };
    for (const auto& gemms : gemms_[tenant]) {
      double cycles = 0;
      for (const auto& [groups, m, n, k] : gemms) {
        switch (accelerator_.array.dataflow) {
          case Dataflow::weight_stationary:
            cycles += groups * folds(k, rows) * folds(n, columns) * m;
            break;
          case Dataflow::output_stationary:
            cycles += groups * folds(m, rows) * folds(n, columns) * k;
            break;
          case Dataflow::input_stationary:
            cycles += groups * folds(k, rows) * folds(m, columns) * n;
            break;
          default:  // row stationary: one MAC per PE per cycle
            cycles += groups * m * n * k / (rows * columns);
            break;
        }
      }
      it->second.push_back(cycles / (accelerator_.clock_mhz * 1e6));
    }
    // The least over this batch and the larger ones: still a bound, and it grows with the batch.
    for (std::size_t j = it->second.size(); j-- > 1;)
      it->second[j - 1] = std::min(it->second[j - 1], it->second[j]);
  }
  return it->second[batch_index];
}

LatencyCache::LatencyCache(const Accelerator& accelerator, const Technology& tech,
                           const std::vector<Tenant>& tenants)
    : accelerator_(accelerator), tech_(&tech), tenants_(&tenants) {
  check_tenants(tenants);
  gemms_ = gemms_of(tenants);
  channel_bytes_per_s_ = dram_bytes_per_s(accelerator);
  peak_macs_per_s_ = static_cast<double>(accelerator.array.rows) * accelerator.array.cols *
                     accelerator.clock_mhz * 1e6;
}

LatencyCache::LatencyCache(ExternalCosts costs, const std::vector<Tenant>& tenants)
    : tenants_(&tenants), external_(std::move(costs)) {
  check_tenants(tenants);
  if (!external_.cost || !external_.fraction || !(external_.channel_bytes_per_s > 0) ||
      !(external_.peak_macs_per_s > 0))
    throw std::invalid_argument("external costs: cost, fraction, channel and peak are required");
  channel_bytes_per_s_ = external_.channel_bytes_per_s;
  peak_macs_per_s_ = external_.peak_macs_per_s;
}

void LatencyCache::set_rates(const std::vector<Tenant>& tenants) {
  bool same = tenants.size() == tenants_->size();
  for (std::size_t i = 0; same && i < tenants.size(); ++i)
    same = tenants[i].networks == (*tenants_)[i].networks;
  if (!same) throw std::invalid_argument("set_rates: not the same tenants and networks");
  tenants_ = &tenants;
}

double LatencyCache::fraction_of(int cols) const {
  return external_.fraction ? external_.fraction(cols)
                            : static_cast<double>(cols) / accelerator_.array.cols;
}

const BatchCost& LatencyCache::cost(int cols, std::size_t tenant, std::size_t batch_index) {
  const std::int64_t key =
      static_cast<std::int64_t>(cols) * static_cast<std::int64_t>(tenants_->size()) +
      static_cast<std::int64_t>(tenant);
  const Tenant& t = (*tenants_)[tenant];
  auto [it, inserted] = entries_.try_emplace(key);
  if (inserted) {
    BatchCost unknown;
    unknown.latency_s = -1;
    it->second.assign(t.batches.size(), unknown);
  }
  BatchCost& entry = it->second[batch_index];
  if (entry.latency_s >= 0) return entry;
  if (external_.cost) {
    entry = external_.cost(cols, tenant, batch_index);
    ++evaluations_;
    return entry;
  }

  const Accelerator part = partition_accelerator(accelerator_, cols);
  const PreparedNetwork& network = *t.networks[batch_index];
  EvalOptions options;
  options.per_op = false;
  const NetworkTotals totals = evaluate_totals(part, network, *tech_, options);
  const double clock_hz = part.clock_mhz * 1e6;
  entry.latency_s = totals.latency_s;
  entry.stall_s = totals.all.stall_cycles / clock_hz;
  entry.dram_bytes = totals.all.dram_read_total() + totals.all.dram_write_total();
  entry.energy_pj = totals.all.energy.total_pj();
  entry.macs = totals.all.macs;
  entry.weight_bytes =
      network.plan_for(part).array_weight_elements * bytes_of(part.array.precision);
  entry.weights_on_chip = totals.weights_on_chip;
  entry.fits = totals.ops_not_fitting == 0;
  ++evaluations_;
  return entry;
}

double fastest_latency_s(LatencyCache& cache, std::size_t tenant) {
  return cache.cost(cache.accelerator().array.cols, tenant, 0).latency_s;
}

namespace {

// A batch's latency under a share of the channel (share_ratio = share / channel, in (0, 1]).
double stretched_latency_s(const BatchCost& cost, double share_ratio, double channel_bytes_per_s) {
  return platform::stretched_latency_s(cost.latency_s, cost.stall_s, cost.dram_bytes, share_ratio,
                                       channel_bytes_per_s);
}

struct ServerState {
  double share_ratio = 1;  // of the channel while busy
  double round_s = 0;
  double busy_fraction = 0;
  double demand_bytes_per_s = 0;
};

struct SlotState {
  std::size_t batch_index = 0;
  double latency_s = 0;
  double switch_s = 0;
  bool overflow = false;
};

// p-quantile (p in (0, 1]) of a request's latency on a server: its batch's run, the wait for
// its batch to fill (uniform over (b - 1) / rate) and the queue, taken as M/D/1 with the round as
// service at the server's load (P(wait > t) = busy exp(-2 (1 - busy) t / round): the
// Pollaczek-Khinchine mean with an exponential tail). At p = 1 the worst case
// L + round + (b - 1) / rate: gpu-lets' rule (saturated 2 L(b), residual L(b) + b / rate).
double latency_quantile_s(double latency, double round, double busy, double batch, double rate,
                          double p) {
  const double fill = rate > 0 ? (batch - 1) / rate : 0;
  if (p >= 1) return latency + round + fill;
  if (busy >= 1) return std::numeric_limits<double>::infinity();
  const double queue = busy > 1 - p ? round / (2 * (1 - busy)) * std::log(busy / (1 - p)) : 0;
  return latency + p * fill + queue;
}

// The fraction of requests within `slo_s` (the p whose quantile is the SLO, bisected).
double attainment_of(double latency, double round, double busy, double batch, double rate,
                     double slo_s) {
  if (latency_quantile_s(latency, round, busy, batch, rate, 1) <= slo_s) return 1;
  if (latency_quantile_s(latency, round, busy, batch, rate, 1e-9) > slo_s) return 0;
  double lo = 1e-9, hi = 1;
  for (int i = 0; i < 40; ++i) {
    const double mid = 0.5 * (lo + hi);
    (latency_quantile_s(latency, round, busy, batch, rate, mid) <= slo_s ? lo : hi) = mid;
  }
  return lo;
}

// Latencies, switch costs, round, busy fraction and DRAM demand of a server at given batches.
void measure_server(LatencyCache& cache, const Server& server, double rate_scale, double channel,
                    const PlatformOptions& options, ServerState& st,
                    std::vector<SlotState>& slots) {
  const std::vector<Tenant>& tenants = cache.tenants();
  const bool shared = server.slots.size() > 1;
  double round = 0;
  for (std::size_t k = 0; k < server.slots.size(); ++k) {
    SlotState& ss = slots[k];
    const BatchCost& c = cache.cost(server.cols, server.slots[k].tenant, ss.batch_index);
    ss.latency_s = stretched_latency_s(c, st.share_ratio, channel);
    // Another tenant's turn evicted weights that would otherwise stay on chip.
    ss.switch_s = shared ? options.switch_cost_s +
                               (c.weights_on_chip ? c.weight_bytes / (st.share_ratio * channel) : 0)
                         : 0;
    round += ss.latency_s + ss.switch_s;
  }
  st.round_s = round;
  st.busy_fraction = 0;
  st.demand_bytes_per_s = 0;
  for (std::size_t k = 0; k < server.slots.size(); ++k) {
    const Tenant& t = tenants[server.slots[k].tenant];
    SlotState& ss = slots[k];
    const BatchCost& c = cache.cost(server.cols, server.slots[k].tenant, ss.batch_index);
    const double batch = static_cast<double>(t.batches[ss.batch_index]);
    const double rate = t.rate_per_s * server.slots[k].rate_share * rate_scale;
    ss.overflow = batch < rate * round * (1 - 1e-12);
    // Batches per second the slot needs, capped by what the server runs.
    const double batches_per_s = std::min(rate / batch, 1 / round);
    st.busy_fraction += batches_per_s * (ss.latency_s + ss.switch_s);
    st.demand_bytes_per_s +=
        batches_per_s *
        (c.dram_bytes + (ss.switch_s > 0 && c.weights_on_chip ? c.weight_bytes : 0));
  }
}

// The worst slot's latency quantile over its SLO (> 1: missed).
double worst_slo_ratio(const std::vector<Tenant>& tenants, const Server& server, double rate_scale,
                       const ServerState& st, const std::vector<SlotState>& slots) {
  double worst = 0;
  for (std::size_t k = 0; k < server.slots.size(); ++k) {
    const Tenant& t = tenants[server.slots[k].tenant];
    if (slots[k].overflow) return std::numeric_limits<double>::infinity();
    const double q = latency_quantile_s(slots[k].latency_s, st.round_s, st.busy_fraction,
                                        static_cast<double>(t.batches[slots[k].batch_index]),
                                        t.rate_per_s * server.slots[k].rate_share * rate_scale,
                                        t.percentile / 100);
    worst = std::max(worst, q / t.slo_s);
  }
  return worst;
}

// A lower bound of a slot's latency quantile at its own percentile if it ran batch index j,
// the other slots staying at least at their present batches (they only grow): latency_quantile_s
// with L(b) at its bound, the round at least the slots' bounds plus a switch cost per turn when
// shared, and the load at least this slot's own share of it when it keeps up (the queue term
// grows with both). Infinite when the bounds show the slot cannot keep up at j.
double quantile_lower_bound_s(LatencyCache& cache, const Server& server,
                              const std::vector<SlotState>& slots, std::size_t k, std::size_t j,
                              double rate_scale, const PlatformOptions& options) {
  const Tenant& t = cache.tenants()[server.slots[k].tenant];
  const double rate = t.rate_per_s * server.slots[k].rate_share * rate_scale;
  const double batch = static_cast<double>(t.batches[j]);
  const double latency = cache.latency_lower_bound_s(server.cols, server.slots[k].tenant, j);
  const double switch_s = server.slots.size() > 1 ? options.switch_cost_s : 0;
  double round = latency + switch_s;
  for (std::size_t m = 0; m < server.slots.size(); ++m)
    if (m != k)
      round +=
          cache.latency_lower_bound_s(server.cols, server.slots[m].tenant, slots[m].batch_index) +
          switch_s;
  if (batch < rate * round * (1 - 1e-12)) return std::numeric_limits<double>::infinity();
  // Keeping up (within measure_server's tolerance), the slot alone loads the server this much.
  const double busy = rate / batch * (1 - 1e-9) * (latency + switch_s);
  return latency_quantile_s(latency, round, busy, batch, rate, std::min(t.percentile / 100, 1.0));
}

// The part of quantile_lower_bound_s that grows with j (no queue, no round): a loop over larger
// batches may stop once it exceeds the SLO.
double fill_lower_bound_s(LatencyCache& cache, const Server& server, std::size_t k, std::size_t j,
                          double rate_scale) {
  const Tenant& t = cache.tenants()[server.slots[k].tenant];
  const double rate = t.rate_per_s * server.slots[k].rate_share * rate_scale;
  const double fill = rate > 0 ? static_cast<double>(t.batches[j] - 1) / rate : 0;
  return cache.latency_lower_bound_s(server.cols, server.slots[k].tenant, j) +
         std::min(t.percentile / 100, 1.0) * fill;
}

// Whether some slot of the server cannot meet its SLO whatever happens next, from lower bounds
// alone: batches only grow from their present index and a request's quantile at batch j is at
// least quantile_lower_bound_s.
bool server_hopeless(LatencyCache& cache, const Server& server, double rate_scale,
                     const std::vector<SlotState>& slots, const PlatformOptions& options) {
  const std::vector<Tenant>& tenants = cache.tenants();
  for (std::size_t k = 0; k < server.slots.size(); ++k) {
    const Tenant& t = tenants[server.slots[k].tenant];
    bool possible = false;
    for (std::size_t j = slots[k].batch_index; j < t.batches.size() && !possible; ++j) {
      if (fill_lower_bound_s(cache, server, k, j, rate_scale) > t.slo_s)
        break;  // and every larger batch's too
      possible = quantile_lower_bound_s(cache, server, slots, k, j, rate_scale, options) <= t.slo_s;
    }
    if (!possible) return true;
  }
  return false;
}

// Batches of a server: first the smallest keeping up with the round (batches only grow, so this
// ends), then one ladder step more for a slot while that lowers the worst latency quantile over
// SLO (a larger batch can lower the load and so the queue). A step whose latency bound alone
// would not lower it is not evaluated. With decide_only, returns false as soon as the bounds
// show that some slot cannot meet its SLO (the state is then incomplete); true otherwise.
bool run_server(LatencyCache& cache, const Server& server, double rate_scale, double channel,
                const PlatformOptions& options, ServerState& st, std::vector<SlotState>& slots,
                bool decide_only) {
  const std::vector<Tenant>& tenants = cache.tenants();
  for (;;) {
    if (decide_only && server_hopeless(cache, server, rate_scale, slots, options)) return false;
    measure_server(cache, server, rate_scale, channel, options, st, slots);
    bool changed = false;
    for (std::size_t k = 0; k < server.slots.size(); ++k) {
      if (slots[k].overflow &&
          slots[k].batch_index + 1 < tenants[server.slots[k].tenant].batches.size()) {
        ++slots[k].batch_index;
        changed = true;
      }
    }
    if (!changed) break;
  }
  double best = worst_slo_ratio(tenants, server, rate_scale, st, slots);
  for (bool improved = true; improved;) {
    improved = false;
    for (std::size_t k = 0; k < server.slots.size(); ++k) {
      const std::size_t tenant = server.slots[k].tenant;
      if (slots[k].batch_index + 1 >= tenants[tenant].batches.size()) continue;
      // The slot's own quantile over SLO is at least its next batch's bound over SLO.
      if (quantile_lower_bound_s(cache, server, slots, k, slots[k].batch_index + 1, rate_scale,
                                 options) /
              tenants[tenant].slo_s >=
          best * (1 - 1e-9))
        continue;
      std::vector<SlotState> trial = slots;
      ServerState trial_state = st;
      ++trial[k].batch_index;
      measure_server(cache, server, rate_scale, channel, options, trial_state, trial);
      const double ratio = worst_slo_ratio(tenants, server, rate_scale, trial_state, trial);
      if (ratio < best * (1 - 1e-9)) {
        best = ratio;
        slots = std::move(trial);
        st = trial_state;
        improved = true;
      }
    }
  }
  return true;
}

// Serves the servers at once (the tenants' rates scaled by rate_scale): batches, rounds,
// contention fixed point, per-tenant latency estimates. One path for every policy.
// With decide_only, only `feasible` and each tenant's meets_slo are meaningful, and they are
// the same as without it: a server whose bounds show a tenant missing its SLO ends the
// evaluation (infeasible, nobody meeting).
PlatformResult evaluate_servers(LatencyCache& cache, const std::vector<Server>& servers,
                                double rate_scale, const PlatformOptions& options,
                                bool decide_only = false) {
  const std::vector<Tenant>& tenants = cache.tenants();
  const double channel = cache.channel_bytes_per_s();
  PlatformResult result;
  result.rate_scale = rate_scale;
  result.partitions = static_cast<int>(servers.size());
  result.tenants.assign(tenants.size(), TenantResult{});
  std::vector<std::vector<SlotState>> slots(servers.size());
  for (std::size_t s = 0; s < servers.size(); ++s) slots[s].resize(servers[s].slots.size());
  std::vector<ServerState> state(servers.size());

  bool saturated = false;
  constexpr int kContentionIterations = 40;
  for (int iteration = 0; iteration < kContentionIterations; ++iteration) {
    for (std::size_t s = 0; s < servers.size(); ++s)
      if (!run_server(cache, servers[s], rate_scale, channel, options, state[s], slots[s],
                      decide_only)) {
        result.feasible = false;
        return result;  // every tenant's meets_slo is false
      }
    // Proportional share of the channel between servers running at once.
    double total_demand = 0;
    for (const ServerState& st : state) total_demand += st.demand_bytes_per_s;
    saturated = total_demand > channel;
    if (saturated || servers.size() < 2) break;
    double largest_change = 0;
    for (ServerState& st : state) {
      const double next = proportional_share_step(st.share_ratio, st.demand_bytes_per_s,
                                                  st.busy_fraction, total_demand, channel);
      largest_change = std::max(largest_change, std::abs(next - st.share_ratio));
      st.share_ratio = next;
    }
    if (largest_change < 1e-4) break;
  }

  // Per tenant, over its replicas: the worst latency, the summed partitions and throughput.
  double requests_per_s = 0, energy_pj_per_s = 0, macs_per_s = 0, dram_per_s = 0;
  std::vector<char> seen(tenants.size(), 0);
  for (std::size_t s = 0; s < servers.size(); ++s) {
    const Server& server = servers[s];
    for (std::size_t k = 0; k < server.slots.size(); ++k) {
      const std::size_t i = server.slots[k].tenant;
      const Tenant& t = tenants[i];
      const SlotState& ss = slots[s][k];
      const BatchCost& c = cache.cost(server.cols, i, ss.batch_index);
      const double rate = t.rate_per_s * server.slots[k].rate_share * rate_scale;
      const double batch = static_cast<double>(t.batches[ss.batch_index]);
      const bool keeps_up = !ss.overflow && !saturated && c.fits;
      const double round = state[s].round_s;
      const double busy = state[s].busy_fraction;
      const double throughput = keeps_up ? rate : std::min(rate, batch / round);
      const double own =
          latency_quantile_s(ss.latency_s, round, busy, batch, rate, t.percentile / 100);
      // A yes/no check needs only `own` and keeps_up (the attainment's bisection costs most).
      const double p50 =
          decide_only ? 0.0 : latency_quantile_s(ss.latency_s, round, busy, batch, rate, 0.5);
      const double p99 =
          decide_only ? 0.0 : latency_quantile_s(ss.latency_s, round, busy, batch, rate, 0.99);
      const double attainment = keeps_up && !decide_only
                                    ? attainment_of(ss.latency_s, round, busy, batch, rate, t.slo_s)
                                    : 0.0;
      TenantResult& r = result.tenants[i];
      if (!seen[i] || own > r.percentile_s) {
        r.batch = t.batches[ss.batch_index];
        r.partition_cols = server.cols;
        r.server = static_cast<int>(s);
        r.latency_s = ss.latency_s;
        r.wait_window_s = round;
        r.p50_s = p50;
        r.p99_s = p99;
        r.percentile_s = own;
      }
      r.replicas += 1;
      r.partition_fraction += cache.fraction_of(server.cols);
      r.throughput_per_s += throughput;
      r.keeps_up = seen[i] ? r.keeps_up && keeps_up : keeps_up;
      r.slo_attainment = seen[i] ? std::min(r.slo_attainment, attainment) : attainment;
      seen[i] = 1;
      const double batches_per_s = throughput / batch;
      requests_per_s += throughput;
      energy_pj_per_s += batches_per_s * c.energy_pj;
      macs_per_s += batches_per_s * c.macs;
      dram_per_s += batches_per_s * c.dram_bytes;
    }
  }
  result.servers = servers;
  for (std::size_t s = 0; s < servers.size(); ++s)
    for (std::size_t k = 0; k < servers[s].slots.size(); ++k)
      result.servers[s].slots[k].batch =
          tenants[servers[s].slots[k].tenant].batches[slots[s][k].batch_index];
  result.feasible = !saturated;
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    TenantResult& r = result.tenants[i];
    r.meets_slo = seen[i] && r.keeps_up && r.percentile_s <= tenants[i].slo_s;
    result.feasible = result.feasible && r.meets_slo;
  }
  result.pe_utilization = macs_per_s / cache.peak_macs_per_s();
  result.dram_utilization = dram_per_s / channel;
  result.energy_pj_per_request = requests_per_s > 0 ? energy_pj_per_s / requests_per_s : 0;
  return result;
}

std::vector<Server> elastic_servers(LatencyCache& cache, double rate_scale,
                                    const PlatformOptions& options) {
  const std::vector<Tenant>& tenants = cache.tenants();
  const int total_cols = cache.accelerator().array.cols;
  std::vector<std::size_t> order(tenants.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return tenants[a].priority > tenants[b].priority;
  });
  std::vector<int> menu_cols;
  for (double fraction : options.partition_menu)
    menu_cols.push_back(
        std::clamp(static_cast<int>(std::lround(fraction * total_cols)), 1, total_cols));
  std::sort(menu_cols.begin(), menu_cols.end());
  menu_cols.erase(std::unique(menu_cols.begin(), menu_cols.end()), menu_cols.end());

  std::vector<Server> servers;
  int free_cols = total_cols;
  // A candidate is judged alone (no contention): the greedy's view; the final evaluation adds
  // contention.
  const auto meets_alone = [&](const Server& server) {
    const PlatformResult r = evaluate_servers(cache, {server}, rate_scale, options, true);
    for (const Slot& slot : server.slots)
      if (!r.tenants[slot.tenant].meets_slo) return false;
    return true;
  };
  for (std::size_t i : order) {
    // The fewest columns meeting the SLO: r replicas of one menu size, each with 1/r of the rate
    // (a small model that cannot batch its way to its rate gets several small partitions).
    int best_cols = 0, best_replicas = 0;
    const int room = options.max_partitions - static_cast<int>(servers.size());
    for (int replicas = 1; replicas <= room; ++replicas) {
      for (int cols : menu_cols) {
        if (cols * replicas > free_cols) break;
        if (best_replicas > 0 && cols * replicas >= best_cols * best_replicas) break;
        if (meets_alone(Server{cols, {Slot{i, 1.0 / replicas, 0}}})) {
          best_cols = cols;
          best_replicas = replicas;
          break;
        }
      }
    }
    if (best_replicas > 0) {
      for (int r = 0; r < best_replicas; ++r)
        servers.push_back(Server{best_cols, {Slot{i, 1.0 / best_replicas, 0}}});
      free_cols -= best_cols * best_replicas;
      continue;
    }
    bool placed = false;
    for (std::size_t s = 0; !placed && s < servers.size(); ++s) {
      Server trial = servers[s];
      trial.slots.push_back(Slot{i, 1.0, 0});
      if (meets_alone(trial)) {
        servers[s] = trial;
        placed = true;
      }
    }
    if (placed) continue;
    // Nothing meets the SLO: the rest of the array, else the largest partition.
    if (free_cols > 0 && static_cast<int>(servers.size()) < options.max_partitions) {
      servers.push_back(Server{free_cols, {Slot{i, 1.0, 0}}});
      free_cols = 0;
    } else {
      auto largest =
          std::max_element(servers.begin(), servers.end(),
                           [](const Server& a, const Server& b) { return a.cols < b.cols; });
      largest->slots.push_back(Slot{i, 1.0, 0});
    }
  }
  return servers;
}

}  // namespace

namespace {

PlatformResult serve_servers(LatencyCache& cache, Policy policy, double rate_scale,
                             const PlatformOptions& options, bool decide_only) {
  const std::size_t n = cache.tenants().size();
  const int cols = cache.accelerator().array.cols;
  if (n == 0) throw std::invalid_argument("no tenants to serve");
  std::vector<Server> servers;
  switch (policy) {
    case Policy::temporal: {
      Server all{cols, {}};
      for (std::size_t i = 0; i < n; ++i) all.slots.push_back(Slot{i, 1.0, 0});
      servers.push_back(all);
      break;
    }
    case Policy::static_split: {
      const int each = std::max(1, cols / static_cast<int>(n));
      if (each * static_cast<int>(n) > cols)
        throw std::invalid_argument("static split: more tenants than columns");
      for (std::size_t i = 0; i < n; ++i) servers.push_back(Server{each, {Slot{i, 1.0, 0}}});
      break;
    }
    case Policy::elastic:
      servers = elastic_servers(cache, rate_scale, options);
      break;
  }
  PlatformResult result = evaluate_servers(cache, servers, rate_scale, options, decide_only);
  result.policy = policy;
  return result;
}

}  // namespace

PlatformResult serve(LatencyCache& cache, Policy policy, double rate_scale,
                     const PlatformOptions& options) {
  return serve_servers(cache, policy, rate_scale, options, false);
}

PlatformResult evaluate_allocation(LatencyCache& cache, const std::vector<Server>& servers,
                                   double rate_scale, const PlatformOptions& options) {
  if (servers.empty()) throw std::invalid_argument("no servers to evaluate");
  return evaluate_servers(cache, servers, rate_scale, options);
}

double goodput_scale(LatencyCache& cache, Policy policy, const PlatformOptions& options) {
  return largest_feasible_scale(
      [&](double k) { return serve_servers(cache, policy, k, options, true).feasible; });
}

double largest_feasible_scale(const std::function<bool(double)>& feasible) {
  double lo = 1, hi = 1;
  if (feasible(1)) {
    while (feasible(hi * 2)) {
      hi *= 2;
      if (hi > 1e9) return hi;
    }
    lo = hi;
    hi *= 2;
  } else {
    do {
      lo /= 2;
      if (lo < 1e-9) return 0;
    } while (!feasible(lo));
    hi = lo * 2;
  }
  while (hi / lo > 1.001) {
    const double mid = std::sqrt(lo * hi);
    (feasible(mid) ? lo : hi) = mid;
  }
  return lo;
}

namespace {

// The discrete-event run of an allocation: each slot a simulated tenant (owner: its scenario
// tenant). window_s > 0: arrivals for exactly that long, all measured (a re-planning window);
// ready_s: per server, when it is ready (a repartition), empty for all at once.
struct AllocationRun {
  DesResult sim;
  std::vector<std::size_t> owner;
};
AllocationRun run_allocation(LatencyCache& cache, const PlatformResult& result,
                             const PlatformOptions& options, std::uint64_t seed,
                             std::int64_t requests, double window_s,
                             const std::vector<double>& ready_s) {
  const std::vector<Tenant>& tenants = cache.tenants();
  std::vector<DesTenant> des;
  std::vector<std::size_t> owner;  // scenario tenant of each simulated one
  double total_rate = 0, longest_slo = 0, trace_end_s = 0;
  std::int64_t trace_arrivals = 0;
  std::vector<std::size_t> replicas_seen(tenants.size(), 0);
  for (std::size_t s = 0; s < result.servers.size(); ++s) {
    const Server& server = result.servers[s];
    for (const Slot& slot : server.slots) {
      const Tenant& t = tenants[slot.tenant];
      DesTenant d;
      d.name = t.name;
      d.rate_per_s = t.rate_per_s * slot.rate_share * result.rate_scale;
      if (t.closed_loop > 0 && slot.rate_share == 1 && result.rate_scale == 1)
        d.closed_loop = t.closed_loop;
      if (!t.trace_arrivals_s.empty()) {
        // Replica r of n takes requests r, r + n, ... of the trace.
        const std::size_t replicas =
            std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(1 / slot.rate_share)));
        for (std::size_t k = replicas_seen[slot.tenant]++ % replicas; k < t.trace_arrivals_s.size();
             k += replicas)
          d.arrivals_s.push_back(t.trace_arrivals_s[k] / result.rate_scale);
        if (!d.arrivals_s.empty()) trace_end_s = std::max(trace_end_s, d.arrivals_s.back());
        trace_arrivals += static_cast<std::int64_t>(d.arrivals_s.size());
      }
      d.slo_s = t.slo_s;
      d.max_batch = static_cast<int>(t.batches.back());
      d.partition = s;
      for (std::int64_t b = 1; b <= t.batches.back(); ++b) {
        std::size_t j = 0;
        while (j + 1 < t.batches.size() && t.batches[j + 1] < b) ++j;
        const BatchCost lo = cache.cost(server.cols, slot.tenant, j);
        const std::size_t k = t.batches[j] >= b ? j : j + 1;
        const BatchCost hi = cache.cost(server.cols, slot.tenant, k);
        const double span = static_cast<double>(t.batches[k] - t.batches[j]);
        const double w = span > 0 ? static_cast<double>(b - t.batches[j]) / span : 0;
        d.latency_s.push_back(lo.latency_s + w * (hi.latency_s - lo.latency_s));
        d.dram_bytes.push_back(lo.dram_bytes + w * (hi.dram_bytes - lo.dram_bytes));
      }
      total_rate += d.closed_loop > 0 ? d.closed_loop / t.slo_s : d.rate_per_s;
      longest_slo = std::max(longest_slo, t.slo_s);
      des.push_back(std::move(d));
      owner.push_back(slot.tenant);
    }
  }
  DesOptions des_options;
  des_options.partitions = result.servers.size();
  des_options.dram_bandwidth_bytes_per_s = cache.channel_bytes_per_s();
  des_options.switch_cost_s = options.switch_cost_s;
  des_options.seed = seed;
  des_options.max_requests = requests + trace_arrivals;
  // A trace sets the time window (the other tenants run alongside it); else about `requests`.
  des_options.duration_s =
      trace_end_s > 0 ? std::max(trace_end_s * (1 + 1e-9), 50 * longest_slo)
                      : std::max(static_cast<double>(requests) / total_rate, 50 * longest_slo);
  des_options.warmup_s = 0.1 * des_options.duration_s;
  if (window_s > 0) {
    des_options.duration_s = window_s;
    des_options.warmup_s = 0;
  }
  des_options.partition_ready_s = ready_s;
  return {simulate(des, des_options), std::move(owner)};
}

}  // namespace

std::vector<SimulatedTenant> simulate_allocation(LatencyCache& cache, const PlatformResult& result,
                                                 const PlatformOptions& options, std::uint64_t seed,
                                                 std::int64_t requests) {
  const std::vector<Tenant>& tenants = cache.tenants();
  const AllocationRun run = run_allocation(cache, result, options, seed, requests, 0, {});
  std::vector<SimulatedTenant> merged(tenants.size());
  std::vector<double> arrived(tenants.size(), 0), within(tenants.size(), 0);
  for (std::size_t d = 0; d < run.owner.size(); ++d) {
    const DesTenantResult& r = run.sim.tenants[d];
    SimulatedTenant& m = merged[run.owner[d]];
    m.p50_s = std::max(m.p50_s, r.p50_s);
    m.p99_s = std::max(m.p99_s, r.p99_s);
    m.throughput_per_s += r.throughput_per_s;
    m.overloaded = m.overloaded || r.overloaded;
    arrived[run.owner[d]] += static_cast<double>(r.arrived);
    within[run.owner[d]] += r.slo_attainment * static_cast<double>(r.arrived);
  }
  for (std::size_t i = 0; i < tenants.size(); ++i)
    merged[i].slo_attainment = arrived[i] > 0 ? within[i] / arrived[i] : 0;
  return merged;
}

namespace {

// Whether two servers are the same partition running the same tenants at the same shares.
bool same_server(const Server& a, const Server& b) {
  if (a.cols != b.cols || a.slots.size() != b.slots.size()) return false;
  for (std::size_t k = 0; k < a.slots.size(); ++k)
    if (a.slots[k].tenant != b.slots[k].tenant || a.slots[k].rate_share != b.slots[k].rate_share)
      return false;
  return true;
}

double nearest_rank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p * static_cast<double>(sorted.size()));
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(std::max(1.0, rank)) - 1)];
}

}  // namespace

ReplannedSimulation simulate_replanned(LatencyCache& cache, Policy policy,
                                       const PlatformOptions& options, std::uint64_t seed) {
  const std::vector<Tenant>& tenants = cache.tenants();
  if (!(options.replan_period_s > 0)) throw std::invalid_argument("re-planning needs a period > 0");
  double trace_end_s = 0;
  for (const Tenant& t : tenants)
    if (!t.trace_arrivals_s.empty()) trace_end_s = std::max(trace_end_s, t.trace_arrivals_s.back());
  if (!(trace_end_s > 0)) throw std::invalid_argument("re-planning needs a tenant with a trace");
  const double window_s = options.replan_period_s;
  const auto windows = static_cast<std::size_t>(std::ceil(trace_end_s / window_s * (1 - 1e-12)));

  ReplannedSimulation out;
  out.tenants.resize(tenants.size());
  std::vector<std::vector<double>> latencies(tenants.size());
  std::vector<double> arrived(tenants.size(), 0), within(tenants.size(), 0),
      completed(tenants.size(), 0);
  std::vector<Server> previous;
  std::vector<Tenant> seen;  // the tenants as a window sees them (the cache points to them)
  // The cache sees each window's rates; it gets the tenants back however this ends.
  struct RestoreRates {
    LatencyCache& cache;
    const std::vector<Tenant>& tenants;
    ~RestoreRates() { cache.set_rates(tenants); }
  } restore{cache, tenants};
  for (std::size_t w = 0; w < std::max<std::size_t>(windows, 1); ++w) {
    const double start = static_cast<double>(w) * window_s;
    // The tenants as the window sees them: a trace's arrivals in it (from 0), at the rate
    // observed (at least one request per window, so every tenant gets a partition).
    seen = tenants;
    for (Tenant& t : seen) {
      if (t.trace_arrivals_s.empty()) continue;
      const auto first =
          std::lower_bound(t.trace_arrivals_s.begin(), t.trace_arrivals_s.end(), start);
      const auto last =
          std::lower_bound(t.trace_arrivals_s.begin(), t.trace_arrivals_s.end(), start + window_s);
      std::vector<double> in_window;
      for (auto it = first; it != last; ++it) in_window.push_back(*it - start);
      t.rate_per_s = static_cast<double>(std::max<std::ptrdiff_t>(last - first, 1)) / window_s;
      t.trace_arrivals_s = std::move(in_window);
    }
    cache.set_rates(seen);
    const PlatformResult planned = serve(cache, policy, 1.0, options);
    // A server not in the previous allocation is reconfigured first: the fixed cost plus its
    // tenants' weights reloaded over the channel. The first window starts configured.
    std::vector<double> ready(planned.servers.size(), 0);
    bool changed = false;
    for (std::size_t s = 0; s < planned.servers.size() && w > 0; ++s) {
      const Server& server = planned.servers[s];
      if (std::any_of(previous.begin(), previous.end(),
                      [&](const Server& old) { return same_server(old, server); }))
        continue;
      double weight_bytes = 0;
      for (const Slot& slot : server.slots)
        weight_bytes += cache.cost(server.cols, slot.tenant, 0).weight_bytes;
      ready[s] = options.repartition_cost_s + weight_bytes / cache.channel_bytes_per_s();
      out.reconfiguring_s += ready[s];
      changed = true;
    }
    out.repartitions += changed ? 1 : 0;
    previous = planned.servers;
    const AllocationRun run =
        run_allocation(cache, planned, options, seed + w, 10'000'000, window_s, ready);
    for (std::size_t d = 0; d < run.owner.size(); ++d) {
      const DesTenantResult& r = run.sim.tenants[d];
      const std::size_t i = run.owner[d];
      latencies[i].insert(latencies[i].end(), r.latencies_s.begin(), r.latencies_s.end());
      arrived[i] += static_cast<double>(r.arrived);
      within[i] += r.slo_attainment * static_cast<double>(r.arrived);
      completed[i] += static_cast<double>(r.completed);
      out.tenants[i].overloaded = out.tenants[i].overloaded || r.overloaded;
    }
    ++out.windows;
  }
  const double total_s = static_cast<double>(out.windows) * window_s;
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    std::sort(latencies[i].begin(), latencies[i].end());
    SimulatedTenant& m = out.tenants[i];
    m.p50_s = nearest_rank(latencies[i], 0.50);
    m.p99_s = nearest_rank(latencies[i], 0.99);
    m.slo_attainment = arrived[i] > 0 ? within[i] / arrived[i] : 0;
    m.throughput_per_s = completed[i] / total_s;
  }
  return out;
}

}  // namespace accelscope::model::platform
