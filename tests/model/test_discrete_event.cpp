// The discrete-event simulator of request streams (model/platform/discrete_event.hpp) against
// queueing results that hold exactly or in the limit: an idle server's latency is L(1), M/D/1's
// mean wait, saturated throughput b / L(b), closed loops, proportional DRAM sharing and the cost of
// switching tenants; overload is reported, not hung; bad input is refused naming the field.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/platform/discrete_event.hpp"

namespace {

using accelscope::model::platform::BatchPolicy;
using accelscope::model::platform::DesOptions;
using accelscope::model::platform::DesResult;
using accelscope::model::platform::DesTenant;
using accelscope::model::platform::simulate;

// L(b) = fixed + per_request * b seconds for b = 1..max_batch.
DesTenant tenant(std::string name, int max_batch, double fixed_s, double per_request_s) {
  DesTenant t;
  t.name = std::move(name);
  t.max_batch = max_batch;
  for (int b = 1; b <= max_batch; ++b) t.latency_s.push_back(fixed_s + per_request_s * b);
  t.slo_s = 1.0;
  return t;
}

// M/D/1 waiting time distribution (Erlang): P(W <= t) = (1 - rho) sum_{k=0}^{floor(t/D)}
// (lambda (kD - t))^k / k! exp(-lambda (kD - t)), for arrival rate lambda, service time D.
double md1_wait_cdf(double t, double lambda, double service_s) {
  const double rho = lambda * service_s;
  double sum = 0;
  for (int k = 0; k <= static_cast<int>(std::floor(t / service_s)); ++k) {
    const double x = lambda * (k * service_s - t);  // <= 0
    sum += std::pow(x, k) / std::tgamma(k + 1.0) * std::exp(-x);
  }
  return (1 - rho) * sum;
}

// The p-th percentile of M/D/1's latency (wait + service), by bisection on the CDF.
double md1_latency_percentile(double p, double lambda, double service_s) {
  double low = 0, high = 100 * service_s;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (low + high);
    (md1_wait_cdf(mid, lambda, service_s) < p / 100 ? low : high) = mid;
  }
  return service_s + high;
}

std::string error_of(const std::vector<DesTenant>& tenants, const DesOptions& options) {
  try {
    simulate(tenants, options);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("des: light load agrees with the analytical latency", "[platform][des]") {
  const double service_s = 1e-3;
  DesTenant t = tenant("solo", 1, 0, service_s);
  DesOptions options;
  options.max_requests = 200'000;

  SECTION("an almost idle server: p50 = p99 = L(1)") {
    t.rate_per_s = 0.001 / service_s;  // utilisation 0.1 %: P(wait > 0) = 0.001 < 1 %
    options.duration_s = 200'000 / t.rate_per_s;
    const DesResult r = simulate({t}, options);
    REQUIRE(r.tenants[0].completed > 150'000);
    CHECK(r.tenants[0].p50_s == Approx(service_s).epsilon(1e-6));
    CHECK(r.tenants[0].p99_s == Approx(service_s).epsilon(1e-6));
    CHECK(r.tenants[0].slo_attainment == Approx(1.0));
    CHECK_FALSE(r.tenants[0].overloaded);
  }
  SECTION("M/D/1 at utilisation 0.3: mean latency L + rho L / (2 (1 - rho)) within 2 %, p99 3 %") {
    const double rho = 0.3;
    t.rate_per_s = rho / service_s;
    options.duration_s = 200'000 / t.rate_per_s;
    const DesResult r = simulate({t}, options);
    const double expected = service_s + rho * service_s / (2 * (1 - rho));  // 1.214 ms
    INFO("DES mean " << r.tenants[0].mean_s * 1e3 << " ms, M/D/1 " << expected * 1e3 << " ms");
    CHECK(r.tenants[0].mean_s == Approx(expected).epsilon(0.02));
    // And the tail: p50 and p99 from M/D/1's waiting-time distribution.
    const double p99 = md1_latency_percentile(99, t.rate_per_s, service_s);
    const double p50 = md1_latency_percentile(50, t.rate_per_s, service_s);
    INFO("DES p99 " << r.tenants[0].p99_s * 1e3 << " ms, M/D/1 " << p99 * 1e3 << " ms; p50 "
                    << r.tenants[0].p50_s * 1e3 << " ms, M/D/1 " << p50 * 1e3 << " ms");
    CHECK(r.tenants[0].p99_s == Approx(p99).epsilon(0.03));
    CHECK(r.tenants[0].p50_s == Approx(p50).epsilon(0.03));
    CHECK(r.tenants[0].throughput_per_s == Approx(t.rate_per_s).epsilon(0.02));
    CHECK(r.partition_busy_fraction[0] == Approx(rho).epsilon(0.02));
  }
}

TEST_CASE("des: throughput never exceeds min(rate, b / L(b))", "[platform][des]") {
  DesTenant t = tenant("batcher", 8, 1e-3, 0.25e-3);  // L(8) = 3 ms: at most 2,667 req/s
  const double capacity = 8 / t.latency_s.back();
  DesOptions options;
  options.duration_s = 20;
  options.max_queue = 1'000;
  for (double load : {0.2, 0.6, 0.9, 1.5, 10.0}) {
    t.rate_per_s = load * capacity;
    const DesResult r = simulate({t}, options);
    const auto& out = r.tenants[0];
    INFO("load " << load << ": " << out.throughput_per_s << " req/s, bound "
                 << std::min(t.rate_per_s, capacity) << ", mean batch " << out.mean_batch);
    // One batch in flight at the window's end is the only slack.
    CHECK(out.throughput_per_s <= capacity + 8 / r.simulated_s);
    CHECK(out.throughput_per_s <= std::min(t.rate_per_s, capacity) * 1.03);
    if (load < 1) {
      CHECK(out.throughput_per_s == Approx(t.rate_per_s).epsilon(0.03));
      CHECK_FALSE(out.overloaded);
    } else {
      CHECK(out.throughput_per_s == Approx(capacity).epsilon(0.01));  // saturated: full batches
      CHECK(out.mean_batch == Approx(8).epsilon(0.01));
      CHECK(out.overloaded);
    }
  }
}

TEST_CASE("des: overload is reported and bounded in time", "[platform][des]") {
  DesTenant t = tenant("flood", 4, 1e-3, 1e-3);
  t.rate_per_s = 1e6;  // 500x what it can serve
  t.slo_s = 0.01;
  DesOptions options;
  options.duration_s = 2;
  options.max_queue = 500;
  const auto start = std::chrono::steady_clock::now();
  const DesResult r = simulate({t}, options);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& out = r.tenants[0];
  CHECK(out.overloaded);
  CHECK(out.dropped > out.arrived / 2);
  CHECK(out.max_queue_length == 500);
  CHECK(out.slo_attainment < 0.01);
  CHECK(wall_s < 5);
  // The request limit stops arrivals too.
  options.duration_s = 1e9;
  options.max_requests = 100'000;
  const DesResult limited = simulate({t}, options);
  CHECK(limited.tenants[0].arrived == 100'000);
  CHECK(limited.simulated_s < 1);
}

TEST_CASE("des: closed loop, time-slicing with a switch cost, DRAM sharing", "[platform][des]") {
  DesOptions options;
  options.duration_s = 10;
  SECTION("k in flight with max_batch k: every batch is full, latency L(k)") {
    DesTenant t = tenant("loop", 4, 1e-3, 0.5e-3);  // L(4) = 3 ms
    t.closed_loop = 4;
    const DesResult r = simulate({t}, options);
    CHECK(r.tenants[0].p99_s == Approx(3e-3));
    CHECK(r.tenants[0].throughput_per_s == Approx(4 / 3e-3).epsilon(0.001));
    CHECK(r.tenants[0].mean_batch == Approx(4));
  }
  SECTION("two tenants take turns on one partition, paying the switch each time") {
    DesTenant a = tenant("a", 1, 0, 1e-3), b = tenant("b", 1, 0, 1e-3);
    a.closed_loop = b.closed_loop = 1;
    DesResult r = simulate({a, b}, options);
    CHECK(r.tenants[0].throughput_per_s == Approx(500).epsilon(0.001));
    CHECK(r.tenants[1].throughput_per_s == Approx(500).epsilon(0.001));
    options.switch_cost_s = 0.5e-3;  // a turn is 1.5 ms
    r = simulate({a, b}, options);
    CHECK(r.tenants[0].throughput_per_s == Approx(1 / 3e-3).epsilon(0.001));
    CHECK(r.tenants[0].p50_s == Approx(3e-3));  // waits for the other's turn, then switches back
    CHECK(r.partition_busy_fraction[0] == Approx(1).epsilon(1e-6));
    CHECK(r.tenants[0].busy_fraction == Approx(0.5).epsilon(1e-3));
  }
  SECTION("partitions at once share DRAM in proportion to demand") {
    DesTenant a = tenant("a", 1, 0, 1e-3), b = tenant("b", 1, 0, 1e-3);
    a.closed_loop = b.closed_loop = 1;
    b.partition = 1;
    a.dram_bytes = b.dram_bytes = {1e6};  // 1 GB/s each while running
    options.partitions = 2;
    options.dram_bandwidth_bytes_per_s = 4e9;  // enough: no stretch
    DesResult r = simulate({a, b}, options);
    CHECK(r.tenants[0].throughput_per_s == Approx(1000).epsilon(0.001));
    CHECK(r.dram_slowdown_mean == Approx(1));
    options.dram_bandwidth_bytes_per_s = 1e9;  // half the demand: both run at half speed
    r = simulate({a, b}, options);
    CHECK(r.tenants[0].throughput_per_s == Approx(500).epsilon(0.001));
    CHECK(r.tenants[1].p99_s == Approx(2e-3));
    CHECK(r.dram_slowdown_mean == Approx(2));
  }
}

TEST_CASE("des: the SLO-capped batch keeps more requests within their SLO", "[platform][des]") {
  DesTenant t = tenant("capped", 16, 0.2e-3, 1e-3);  // little gain from batching
  t.slo_s = 4e-3;
  t.rate_per_s = 900;  // utilisation 0.9 at batch 1
  DesOptions options;
  options.duration_s = 50;
  const DesResult greedy = simulate({t}, options);
  options.policy = BatchPolicy::slo_capped;
  const DesResult capped = simulate({t}, options);
  INFO("greedy: attainment " << greedy.tenants[0].slo_attainment << ", batch "
                             << greedy.tenants[0].mean_batch
                             << "; capped: " << capped.tenants[0].slo_attainment << ", batch "
                             << capped.tenants[0].mean_batch);
  CHECK(capped.tenants[0].mean_batch < greedy.tenants[0].mean_batch);
  CHECK(capped.tenants[0].slo_attainment >= greedy.tenants[0].slo_attainment);
}

TEST_CASE("des: deterministic for a seed", "[platform][des]") {
  DesTenant t = tenant("seeded", 4, 1e-3, 0.5e-3);
  t.rate_per_s = 800;
  DesOptions options;
  options.duration_s = 20;
  const DesResult a = simulate({t}, options), b = simulate({t}, options);
  CHECK(a.tenants[0].p99_s == b.tenants[0].p99_s);
  CHECK(a.tenants[0].arrived == b.tenants[0].arrived);
  options.seed = 2;
  const DesResult c = simulate({t}, options);
  CHECK(c.tenants[0].arrived != a.tenants[0].arrived);
}

TEST_CASE("des: bad input names the tenant and field", "[platform][des]") {
  DesTenant t = tenant("bert", 2, 1e-3, 1e-3);
  t.rate_per_s = 10;
  DesOptions options;
  CHECK(error_of({}, options) == "simulation: no tenants (at least one is needed)");
  DesTenant bad = t;
  bad.rate_per_s = -1;
  CHECK_THAT(error_of({bad}, options), Catch::Contains("tenant 'bert': rate_per_s"));
  bad = t;
  bad.closed_loop = 2;
  CHECK_THAT(error_of({bad}, options), Catch::Contains("exactly one of rate_per_s"));
  bad = t;
  bad.latency_s = {1e-3};
  CHECK_THAT(error_of({bad}, options), Catch::Contains("latency_s needs max_batch (2) entries"));
  bad = t;
  bad.partition = 1;
  CHECK_THAT(error_of({bad}, options), Catch::Contains("partition 1 is not below partitions (1)"));
  bad = t;
  bad.slo_s = std::numeric_limits<double>::quiet_NaN();
  CHECK_THAT(error_of({bad}, options), Catch::Contains("tenant 'bert': slo_s"));
  options.duration_s = 0;
  CHECK_THAT(error_of({t}, options), Catch::Contains("duration_s"));
}

TEST_CASE("des: a request trace is replayed arrival by arrival", "[platform][des]") {
  // A burst of four requests at 100 ms, then requests 50 ms apart: one server, L(b) = 2 + 1 b ms,
  // batches up to 4, greedy. The burst's first request starts at once, alone (3 ms); the other
  // three wait for it and run as one batch of 3 (5 ms more: 8 ms); the rest run alone (3 ms).
  DesTenant t = tenant("traced", 4, 0.002, 0.001);
  t.arrivals_s = {0.100, 0.100, 0.100, 0.100};
  for (int k = 1; k <= 20; ++k) t.arrivals_s.push_back(0.100 + 0.050 * k);
  t.rate_per_s = 1;  // informational with a trace
  DesOptions options;
  options.duration_s = 1.2;
  const DesResult r = simulate({t}, options);
  REQUIRE(r.tenants.size() == 1);
  CHECK(r.tenants[0].arrived == 24);
  CHECK(r.tenants[0].completed == 24);
  CHECK(r.tenants[0].p50_s == Approx(0.003));
  CHECK(r.tenants[0].max_s == Approx(0.008));
  CHECK(r.tenants[0].mean_batch == Approx(24.0 / 22));
  // Arrivals must be sorted, finite and not negative.
  DesTenant unsorted = t;
  unsorted.arrivals_s[5] = 0.01;
  CHECK_THAT(error_of({unsorted}, options),
             Catch::Contains("tenant 'traced'") && Catch::Contains("arrivals_s[5]"));
  DesTenant negative = t;
  negative.arrivals_s[0] = -1;
  CHECK_THAT(error_of({negative}, options), Catch::Contains("arrivals_s[0]"));
}

TEST_CASE("des: a partition being reconfigured starts nothing until it is ready",
          "[platform][des]") {
  // A repartition keeps the partition busy for 10 ms from the start: the request arriving at
  // 1 ms waits 9 ms, then runs (3 ms); the next, at 50 ms, finds it ready.
  DesTenant t = tenant("moved", 4, 0.002, 0.001);
  t.arrivals_s = {0.001, 0.050};
  DesOptions options;
  options.duration_s = 0.2;
  options.partition_ready_s = {0.010};
  const DesResult r = simulate({t}, options);
  REQUIRE(r.tenants[0].latencies_s.size() == 2);
  CHECK(r.tenants[0].latencies_s[0] == Approx(0.003));
  CHECK(r.tenants[0].latencies_s[1] == Approx(0.012));
  options.partition_ready_s = {0.010, 0.0};
  CHECK_THAT(error_of({t}, options), Catch::Contains("partition_ready_s"));
}
