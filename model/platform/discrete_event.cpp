#include "model/platform/discrete_event.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <random>
#include <stdexcept>

namespace accelscope::model::platform {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

bool finite_at_least(double value, double low) {
  return std::isfinite(value) && value >= low;
}

void validate(const std::vector<DesTenant>& tenants, const DesOptions& options) {
  if (options.partitions < 1) fail("simulation", "partitions must be >= 1");
  if (!finite_at_least(options.dram_bandwidth_bytes_per_s, 0))
    fail("simulation", "dram_bandwidth_bytes_per_s must be a finite number >= 0");
  if (!finite_at_least(options.switch_cost_s, 0))
    fail("simulation", "switch_cost_s must be a finite number >= 0");
  if (!(std::isfinite(options.duration_s) && options.duration_s > 0))
    fail("simulation", "duration_s must be a finite number > 0");
  if (!(finite_at_least(options.warmup_s, 0) && options.warmup_s < options.duration_s))
    fail("simulation", "warmup_s must be >= 0 and below duration_s");
  if (!finite_at_least(options.drain_limit_s, 0))
    fail("simulation", "drain_limit_s must be a finite number >= 0 (0: default)");
  if (options.max_requests < 1) fail("simulation", "max_requests must be >= 1");
  if (options.max_queue < 1) fail("simulation", "max_queue must be >= 1");
  if (!options.partition_ready_s.empty() && options.partition_ready_s.size() != options.partitions)
    fail("simulation", "partition_ready_s needs one entry per partition (or none)");
  for (double ready : options.partition_ready_s)
    if (!finite_at_least(ready, 0))
      fail("simulation", "partition_ready_s entries must be finite numbers >= 0");
  if (tenants.empty()) fail("simulation", "no tenants (at least one is needed)");
  for (const DesTenant& t : tenants) {
    const std::string where = "tenant '" + t.name + "'";
    if (!finite_at_least(t.rate_per_s, 0)) fail(where, "rate_per_s must be a finite number >= 0");
    if (t.closed_loop < 0) fail(where, "closed_loop must be >= 0");
    if ((t.rate_per_s > 0 || !t.arrivals_s.empty()) == (t.closed_loop > 0))
      fail(where,
           "give exactly one of rate_per_s > 0 or arrivals_s (open loop) or closed_loop > 0");
    for (std::size_t k = 0; k < t.arrivals_s.size(); ++k)
      if (!finite_at_least(t.arrivals_s[k], k > 0 ? t.arrivals_s[k - 1] : 0.0))
        fail(where, "arrivals_s[" + std::to_string(k) +
                        "] must be finite, >= 0 and not before the previous arrival");
    if (!(std::isfinite(t.slo_s) && t.slo_s > 0)) fail(where, "slo_s must be a finite number > 0");
    if (t.max_batch < 1 || t.max_batch > (1 << 20)) fail(where, "max_batch must be 1 to 1048576");
    if (t.partition >= options.partitions)
      fail(where, "partition " + std::to_string(t.partition) + " is not below partitions (" +
                      std::to_string(options.partitions) + ")");
    if (t.latency_s.size() != static_cast<std::size_t>(t.max_batch))
      fail(where, "latency_s needs max_batch (" + std::to_string(t.max_batch) + ") entries, has " +
                      std::to_string(t.latency_s.size()));
    for (double l : t.latency_s)
      if (!(std::isfinite(l) && l > 0)) fail(where, "latency_s entries must be finite and > 0");
    if (!t.dram_bytes.empty() && t.dram_bytes.size() != t.latency_s.size())
      fail(where, "dram_bytes needs max_batch entries (or none)");
    for (double d : t.dram_bytes)
      if (!finite_at_least(d, 0)) fail(where, "dram_bytes entries must be finite and >= 0");
  }
}

struct Request {
  double arrival_s = 0;
  bool measured = false;
};

struct TenantState {
  std::deque<Request> queue;
  std::mt19937_64 rng;
  double next_arrival_s = kInf;
  std::size_t next_trace_index = 0;  // of the tenant's arrivals_s
  std::vector<double> latencies_s;   // measured, completed
  std::int64_t within_slo = 0;
  std::int64_t batches = 0, batched_requests = 0;
  std::int64_t queue_at_window_end = 0;
  double busy_s = 0;
  DesTenantResult result;
};

struct Running {
  bool active = false;
  std::size_t tenant = 0;
  std::vector<Request> requests;
  double switch_left_s = 0;  // switching phase (no DRAM demand), at rate 1
  double work_left_s = 0;    // batch phase, in standalone seconds
  double demand_bytes_per_s = 0;
  double batch_start_s = 0;  // start of the batch phase
  double standalone_s = 0;
  bool has_last_tenant = false;
  bool reconfiguring = false;  // a repartition: no tenant, no requests, its switch phase only
  std::size_t last_tenant = 0;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

DesResult simulate(const std::vector<DesTenant>& tenants, const DesOptions& options) {
  validate(tenants, options);
  const std::size_t n = tenants.size();
  std::vector<TenantState> state(n);
  std::vector<Running> partitions(options.partitions);
  std::vector<double> partition_busy_s(options.partitions, 0);

  double slowest_batch_s = 0;
  for (const DesTenant& t : tenants)
    slowest_batch_s = std::max(slowest_batch_s, t.latency_s.back() + options.switch_cost_s);
  const double drain_limit_s = options.drain_limit_s > 0
                                   ? std::max(options.drain_limit_s, options.duration_s)
                                   : 2 * options.duration_s + slowest_batch_s;

  double now = 0;
  double window_end = options.duration_s;  // arrivals stop here (or at max_requests)
  bool arrivals_open = true;
  bool requests_exhausted = false;  // max_requests reached: arrivals close
  std::int64_t total_arrivals = 0;
  DesResult result;
  double slowdown_sum = 0;
  std::int64_t batches = 0;

  auto arrive = [&](std::size_t i, double at) {
    TenantState& s = state[i];
    ++total_arrivals;
    const bool measured = at >= options.warmup_s;
    if (measured) ++s.result.arrived;
    if (static_cast<std::int64_t>(s.queue.size()) >= options.max_queue) {
      if (measured) ++s.result.dropped;
    } else {
      s.queue.push_back({at, measured});
      s.result.max_queue_length =
          std::max(s.result.max_queue_length, static_cast<std::int64_t>(s.queue.size()));
    }
    if (total_arrivals >= options.max_requests) requests_exhausted = true;
  };

  for (std::size_t i = 0; i < n; ++i) {
    // One stream per tenant (seed_seq takes 32-bit words).
    std::seed_seq seq{static_cast<std::uint32_t>(options.seed),
                      static_cast<std::uint32_t>(options.seed >> 32),
                      static_cast<std::uint32_t>(i)};
    state[i].rng.seed(seq);
    if (tenants[i].closed_loop > 0) {
      for (int k = 0; k < tenants[i].closed_loop && !requests_exhausted; ++k) arrive(i, 0.0);
    } else if (!tenants[i].arrivals_s.empty()) {
      state[i].next_arrival_s = tenants[i].arrivals_s[0];
      state[i].next_trace_index = 1;
    } else {
      std::exponential_distribution<double> gap(tenants[i].rate_per_s);
      state[i].next_arrival_s = gap(state[i].rng);
    }
  }

  for (std::size_t p = 0; p < options.partition_ready_s.size(); ++p)
    if (options.partition_ready_s[p] > 0) {
      Running& r = partitions[p];
      r.active = r.reconfiguring = true;
      r.switch_left_s = options.partition_ready_s[p];
    }

  auto dispatch = [&](std::size_t p) {
    Running& run = partitions[p];
    // Time-slicing: the tenant whose oldest request has waited longest goes first.
    std::size_t chosen = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (tenants[i].partition != p || state[i].queue.empty()) continue;
      if (chosen == n || state[i].queue.front().arrival_s < state[chosen].queue.front().arrival_s)
        chosen = i;
    }
    if (chosen == n) return;
    const DesTenant& t = tenants[chosen];
    TenantState& s = state[chosen];
    int b = static_cast<int>(std::min<std::size_t>(s.queue.size(), t.max_batch));
    if (options.policy == BatchPolicy::slo_capped) {
      const double waited = now - s.queue.front().arrival_s;
      int capped = b;
      while (capped > 1 && waited + t.latency_s[capped - 1] > t.slo_s) --capped;
      // When even one request is late already, a small batch saves nobody: keep the full one.
      if (waited + t.latency_s[capped - 1] <= t.slo_s) b = capped;
    }
    run.active = true;
    run.tenant = chosen;
    run.requests.assign(s.queue.begin(), s.queue.begin() + b);
    s.queue.erase(s.queue.begin(), s.queue.begin() + b);
    const bool switching = run.has_last_tenant && run.last_tenant != chosen;
    run.switch_left_s = switching ? options.switch_cost_s : 0;
    run.has_last_tenant = true;
    run.last_tenant = chosen;
    run.standalone_s = t.latency_s[b - 1];
    run.work_left_s = run.standalone_s;
    run.demand_bytes_per_s = t.dram_bytes.empty() ? 0 : t.dram_bytes[b - 1] / run.standalone_s;
    run.batch_start_s = now + run.switch_left_s;
    ++s.batches;
    s.batched_requests += b;
  };

  auto close_arrivals = [&](double at) {
    if (!arrivals_open) return;
    arrivals_open = false;
    window_end = std::min(window_end, at);
    for (TenantState& s : state) s.queue_at_window_end = static_cast<std::int64_t>(s.queue.size());
  };

  // Advances every running batch by `dt` at DRAM share `rate`, accounting busy time in the window.
  auto advance = [&](double dt, double rate) {
    for (std::size_t p = 0; p < partitions.size(); ++p) {
      Running& r = partitions[p];
      if (!r.active) continue;
      const double sw = std::min(dt, r.switch_left_s);
      r.switch_left_s -= sw;
      r.work_left_s -= (dt - sw) * rate;
      const double busy = overlap(now, now + dt, options.warmup_s, window_end);
      partition_busy_s[p] += busy;
      if (!r.reconfiguring) state[r.tenant].busy_s += busy;
    }
    now += dt;
  };

  while (true) {
    for (std::size_t p = 0; p < partitions.size(); ++p)
      if (!partitions[p].active) dispatch(p);

    // Proportional share of DRAM among batches in their batch phase.
    double demand = 0;
    for (const Running& r : partitions)
      if (r.active && r.switch_left_s <= 0) demand += r.demand_bytes_per_s;
    const double rate = (options.dram_bandwidth_bytes_per_s > 0 && demand > 0)
                            ? std::min(1.0, options.dram_bandwidth_bytes_per_s / demand)
                            : 1.0;

    double next_completion = kInf;
    std::size_t completing = partitions.size();
    bool completing_switch = false;
    for (std::size_t p = 0; p < partitions.size(); ++p) {
      const Running& r = partitions[p];
      if (!r.active) continue;
      const bool switching = r.switch_left_s > 0;
      const double t = switching ? now + r.switch_left_s : now + r.work_left_s / rate;
      if (t < next_completion) next_completion = t, completing = p, completing_switch = switching;
    }
    double next_arrival = kInf;
    std::size_t arriving = n;
    if (arrivals_open) {
      for (std::size_t i = 0; i < n; ++i)
        if (state[i].next_arrival_s < next_arrival)
          next_arrival = state[i].next_arrival_s, arriving = i;
      if (std::min(next_arrival, next_completion) >= options.duration_s) {
        // The arrival window closes before the next event.
        advance(options.duration_s - now, rate);
        close_arrivals(now);
        continue;
      }
    } else {
      next_arrival = kInf;
    }
    const double next = std::min(next_arrival, next_completion);
    if (!std::isfinite(next) || next > drain_limit_s) break;
    advance(next - now, rate);
    ++result.events;

    if (next_arrival <= next_completion) {
      TenantState& s = state[arriving];
      const std::vector<double>& trace = tenants[arriving].arrivals_s;
      if (!trace.empty()) {
        s.next_arrival_s = s.next_trace_index < trace.size() ? trace[s.next_trace_index++] : kInf;
      } else {
        std::exponential_distribution<double> gap(tenants[arriving].rate_per_s);
        s.next_arrival_s = now + gap(s.rng);
      }
      arrive(arriving, now);
      if (requests_exhausted) close_arrivals(now);
      continue;
    }
    Running& r = partitions[completing];
    if (completing_switch && r.reconfiguring) {  // the partition is ready
      r.active = r.reconfiguring = false;
      r.switch_left_s = 0;
      continue;
    }
    if (completing_switch) {  // the switch is over: the batch phase starts now
      r.switch_left_s = 0;
      r.batch_start_s = now;
      continue;
    }
    // The batch completes.
    TenantState& s = state[r.tenant];
    const DesTenant& t = tenants[r.tenant];
    slowdown_sum += std::max(1.0, (now - r.batch_start_s) / r.standalone_s);
    ++batches;
    for (const Request& q : r.requests) {
      if (!q.measured) continue;
      const double latency = now - q.arrival_s;
      s.latencies_s.push_back(latency);
      if (latency <= t.slo_s * (1 + 1e-12)) ++s.within_slo;
      if (now <= window_end) ++s.result.completed;
    }
    const std::size_t finished = r.requests.size();
    r.active = false;
    r.requests.clear();
    // Closed loop: every completed request is replaced at once.
    if (t.closed_loop > 0)
      for (std::size_t k = 0; k < finished && arrivals_open && !requests_exhausted; ++k)
        arrive(r.tenant, now);
    if (requests_exhausted) close_arrivals(now);
  }
  close_arrivals(now);

  const double window_s = std::max(window_end - options.warmup_s, 1e-300);
  result.simulated_s = window_end - options.warmup_s;
  result.dram_slowdown_mean = batches > 0 ? slowdown_sum / static_cast<double>(batches) : 1.0;
  for (double busy : partition_busy_s) result.partition_busy_fraction.push_back(busy / window_s);
  for (std::size_t i = 0; i < n; ++i) {
    TenantState& s = state[i];
    const DesTenant& t = tenants[i];
    DesTenantResult& out = s.result;
    out.name = t.name;
    std::sort(s.latencies_s.begin(), s.latencies_s.end());
    const auto done = static_cast<std::int64_t>(s.latencies_s.size());
    out.unfinished = out.arrived - out.dropped - done;
    out.p50_s = percentile(s.latencies_s, 50);
    out.p99_s = percentile(s.latencies_s, 99);
    double sum = 0;
    for (double l : s.latencies_s) sum += l;
    out.mean_s = done > 0 ? sum / static_cast<double>(done) : 0;
    out.max_s = done > 0 ? s.latencies_s.back() : 0;
    out.latencies_s = s.latencies_s;
    out.slo_attainment =
        out.arrived > 0 ? static_cast<double>(s.within_slo) / static_cast<double>(out.arrived) : 0;
    out.throughput_per_s = static_cast<double>(out.completed) / window_s;
    out.mean_batch = s.batches > 0
                         ? static_cast<double>(s.batched_requests) / static_cast<double>(s.batches)
                         : 0;
    out.busy_fraction = s.busy_s / window_s;
    // Still growing: at the end of the arrival window more requests wait than the tenant's best
    // throughput serves within one SLO (or some were dropped, or never finished).
    double best_rate = 0;
    for (int b = 1; b <= t.max_batch; ++b) best_rate = std::max(best_rate, b / t.latency_s[b - 1]);
    const double servable = std::max(static_cast<double>(t.max_batch), best_rate * t.slo_s);
    out.overloaded = out.dropped > 0 || out.unfinished > 0 ||
                     static_cast<double>(s.queue_at_window_end) > servable;
    result.tenants.push_back(out);
  }
  return result;
}

}  // namespace accelscope::model::platform
