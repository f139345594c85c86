// The platform level (model/platform, engine/scenario, `accelscope serve`): the magnitudes of
// issue 12 on a 128x128 int8 weight-stationary array with 8 MiB of SRAM, scenario errors, and
// the single-tenant case being the plain model.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "engine/loaders.hpp"
#include "engine/scenario.hpp"
#include "engine/single_eval.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "model/platform/platform.hpp"
#include "tests/test_support.hpp"

namespace {

namespace engine = accelscope::engine;
namespace model = accelscope::model;
namespace platform = accelscope::model::platform;
namespace io = accelscope::io;

std::string src(const std::string& path) {
  return accelscope::testing::source_dir() + "/" + path;
}

const std::string kHardware = "spaces/hardware/serving_128x128_int8.json";

struct Setup {
  model::Accelerator accelerator;
  model::Technology tech;
  engine::LoadedScenario scenario;
};

// The scenario on the serving design at `bandwidth_gbps`; slo_over_solo > 0 sets every SLO to
// that multiple of the tenant's solo batch-1 latency on the whole array.
void set_up(Setup& s, const std::string& scenario, double bandwidth_gbps, double slo_over_solo) {
  s.accelerator = engine::load_hardware(src(kHardware));
  s.accelerator.dram.shared_gbps = bandwidth_gbps;
  const io::TechLibrary library = io::load_default_tech_library();
  s.tech = engine::technology_for(library, s.accelerator, kHardware);
  engine::load_scenario_networks(engine::load_scenario(src(scenario)), s.scenario);
  if (slo_over_solo > 0) {
    platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
    for (std::size_t i = 0; i < s.scenario.tenants.size(); ++i)
      s.scenario.tenants[i].slo_s = slo_over_solo * platform::fastest_latency_s(cache, i);
  }
}

double goodput(Setup& s, platform::Policy policy) {
  platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
  return platform::goodput_scale(cache, policy, s.scenario.spec.options);
}

}  // namespace

TEST_CASE("platform: one tenant on the whole array is the plain model", "[platform]") {
  Setup s;
  set_up(s, "spaces/scenarios/single_resnet50.json", 256, 0);
  platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
  model::EvalOptions options;
  options.per_op = false;
  const double solo =
      model::evaluate_totals(s.accelerator, *s.scenario.tenants[0].networks[0], s.tech, options)
          .latency_s;
  CHECK(platform::fastest_latency_s(cache, 0) == solo);
  // At a low rate every policy runs batch 1 on the whole array and nobody queues: latency L(1).
  s.scenario.tenants[0].rate_per_s = 1;
  for (const platform::Policy policy :
       {platform::Policy::temporal, platform::Policy::static_split}) {
    const platform::PlatformResult r = platform::serve(cache, policy, 1.0);
    REQUIRE(r.tenants[0].batch == 1);
    CHECK(r.tenants[0].partition_cols == 128);
    CHECK(r.tenants[0].p50_s == solo);
    CHECK(r.tenants[0].p99_s == solo);
    CHECK(r.tenants[0].slo_attainment == 1);
  }
  // A partition is the same model on fewer columns with its share of SRAM: slower for batch 1
  // of ResNet-50, but by less than the column ratio (early layers leave columns idle).
  const double quarter = cache.cost(32, 0, 0).latency_s;
  CHECK(quarter > solo);
  CHECK(quarter < 4 * solo);
  const model::Accelerator part = platform::partition_accelerator(s.accelerator, 32);
  CHECK(part.array.cols == 32);
  CHECK(part.sram[1].capacity_bytes == Approx(s.accelerator.sram[1].capacity_bytes / 4));
}

TEST_CASE("platform: small models gain from partitions; less DRAM bandwidth helps no policy",
          "[platform]") {
  // Issue 12 (gpu-lets: +102.6 % on average): MobileNetV2 and BERT-base, SLOs 10x solo batch-1
  // on the 256 GB/s design, the same SLOs at 64 GB/s.
  Setup fast, slow;
  set_up(fast, "spaces/scenarios/small_mix.json", 256, 10);
  set_up(slow, "spaces/scenarios/small_mix.json", 64, 0);
  for (std::size_t i = 0; i < fast.scenario.tenants.size(); ++i)
    slow.scenario.tenants[i].slo_s = fast.scenario.tenants[i].slo_s;
  const double temporal_256 = goodput(fast, platform::Policy::temporal);
  const double elastic_256 = goodput(fast, platform::Policy::elastic);
  const double temporal_64 = goodput(slow, platform::Policy::temporal);
  const double elastic_64 = goodput(slow, platform::Policy::elastic);
  INFO("256 GB/s: elastic " << elastic_256 << ", temporal " << temporal_256
                            << "; 64 GB/s: " << elastic_64 << ", " << temporal_64);
  REQUIRE(temporal_256 > 0);
  REQUIRE(temporal_64 > 0);
  CHECK(elastic_256 >= 1.5 * temporal_256);
  // The goodputs are bisected to 0.1 %.
  CHECK(elastic_64 <= elastic_256 * 1.002);
  CHECK(temporal_64 <= temporal_256 * 1.002);
  // Issue 12 expects the gain over time slicing to shrink at 64 GB/s; for this mix it grows
  // (README "Serving several networks"), and the model says why:
  CHECK(elastic_64 / temporal_64 > elastic_256 / temporal_256);
  // (1) BERT-base's weights (about 110 MB of int8) do not stay in 3 MiB of weight buffer: every
  // batch-1 inference streams them, and on the whole array at 64 GB/s that stream is the
  // latency, which lengthens every time-slicing round.
  const std::size_t bert = 1;
  REQUIRE(fast.scenario.tenants[bert].name == "bert_base");
  platform::LatencyCache fast_cache(fast.accelerator, fast.tech, fast.scenario.tenants);
  platform::LatencyCache slow_cache(slow.accelerator, slow.tech, slow.scenario.tenants);
  const platform::BatchCost& whole_256 = fast_cache.cost(128, bert, 0);
  const platform::BatchCost& whole_64 = slow_cache.cost(128, bert, 0);
  INFO("BERT-base batch 1, whole array: " << whole_256.latency_s * 1e3 << " ms at 256 GB/s, "
                                          << whole_64.latency_s * 1e3 << " ms at 64 GB/s, "
                                          << whole_64.dram_bytes / 1e6 << " MB from DRAM");
  CHECK_FALSE(whole_64.weights_on_chip);
  CHECK(whole_64.latency_s >= 0.95 * whole_64.dram_bytes / 64e9);
  CHECK(whole_64.latency_s >= 1.5 * whole_256.latency_s);
  // (2) On a partition its compute is slower, so the same stream is a smaller part of its
  // latency: a quarter of the bandwidth slows it less than on the whole array that time slicing
  // gives it (+32 % on the 96 columns elastic gives it at its goodput, +64 % on 128).
  const platform::PlatformResult temporal_at_64 = platform::serve(
      slow_cache, platform::Policy::temporal, temporal_64, slow.scenario.spec.options);
  const platform::PlatformResult elastic_at_64 = platform::serve(
      slow_cache, platform::Policy::elastic, elastic_64 * 0.99, slow.scenario.spec.options);
  REQUIRE(elastic_at_64.feasible);
  const int cols = elastic_at_64.tenants[bert].partition_cols;
  const double part_256 = fast_cache.cost(cols, bert, 0).latency_s;
  const double part_64 = slow_cache.cost(cols, bert, 0).latency_s;
  INFO("on " << cols << " columns: " << part_256 * 1e3 << " ms at 256 GB/s, " << part_64 * 1e3
             << " ms at 64 GB/s");
  CHECK(cols < 128);
  CHECK(part_64 / part_256 < whole_64.latency_s / whole_256.latency_s);
  // (3) The partitions running at once use about half the channel at the elastic goodput, so
  // the fluid model's sharing stretches them only where one partition's burst meets others'.
  INFO("DRAM utilisation at the goodput: elastic "
       << elastic_at_64.dram_utilization << ", temporal " << temporal_at_64.dram_utilization);
  CHECK(elastic_at_64.dram_utilization < 0.6);
}

TEST_CASE("platform: the latency lower bound that prunes partitions and batches holds",
          "[platform]") {
  // The policies skip a (partition, batch) whose bound already rules it out, so the bound must
  // never exceed the model's L(b): every menu partition and batch of two mixes (CNNs with
  // depthwise layers, a transformer, ResNet-50) and both bandwidths.
  for (const double gbps : {256.0, 64.0})
    for (const char* mix : {"spaces/scenarios/issue_mix.json", "spaces/scenarios/mixed4.json"}) {
      Setup s;
      set_up(s, mix, gbps, 0);
      platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
      for (const double fraction : s.scenario.spec.options.partition_menu) {
        const int cols = static_cast<int>(fraction * s.accelerator.array.cols);
        for (std::size_t t = 0; t < s.scenario.tenants.size(); ++t)
          for (std::size_t b = 0; b < s.scenario.tenants[t].batches.size(); ++b) {
            const double bound = cache.latency_lower_bound_s(cols, t, b);
            INFO(mix << " " << s.scenario.tenants[t].name << " cols " << cols << " batch "
                     << s.scenario.tenants[t].batches[b]);
            CHECK(bound > 0);
            CHECK(bound <= cache.cost(cols, t, b).latency_s);
            if (b > 0) CHECK(bound >= cache.latency_lower_bound_s(cols, t, b - 1));
          }
      }
    }
}

TEST_CASE("platform: the goodput's yes/no checks decide as the full evaluation does",
          "[platform]") {
  // The bisection's checks stop at the first bound (latency, round, load and queue) showing a
  // tenant cannot meet its SLO; the goodput must be the one the full evaluation's `feasible`
  // gives, to the last bit, for every policy (mixes whose tenants queue near their SLOs).
  for (const double gbps : {256.0, 64.0})
    for (const char* mix : {"spaces/scenarios/issue_mix.json", "spaces/scenarios/mixed4.json"}) {
      Setup s;
      set_up(s, mix, gbps, 0);
      for (const platform::Policy policy : {platform::Policy::elastic, platform::Policy::temporal,
                                            platform::Policy::static_split}) {
        platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
        const double full = platform::largest_feasible_scale([&](double k) {
          return platform::serve(cache, policy, k, s.scenario.spec.options).feasible;
        });
        INFO(mix << " at " << gbps << " GB/s, " << platform::to_string(policy));
        CHECK(platform::goodput_scale(cache, policy, s.scenario.spec.options) == full);
      }
    }
}

TEST_CASE("platform: a single large model gains little from partitioning", "[platform]") {
  Setup s;
  set_up(s, "spaces/scenarios/single_resnet50.json", 256, 0);
  // BERT-base at sequence 512: large GEMMs fill the whole array.
  engine::Scenario spec = s.scenario.spec;
  spec.tenants[0].workload = engine::resolve_workload("bert_base_s512");
  spec.tenants[0].name = "bert_base_s512";
  Setup large;
  large.accelerator = s.accelerator;
  large.tech = s.tech;
  engine::load_scenario_networks(spec, large.scenario);
  {
    platform::LatencyCache cache(large.accelerator, large.tech, large.scenario.tenants);
    large.scenario.tenants[0].slo_s = 10 * platform::fastest_latency_s(cache, 0);
  }
  const double temporal = goodput(large, platform::Policy::temporal);
  const double elastic = goodput(large, platform::Policy::elastic);
  INFO("elastic " << elastic << ", temporal " << temporal);
  REQUIRE(temporal > 0);
  CHECK(elastic >= temporal * 0.998);  // the whole array is on the menu
  CHECK(elastic <= temporal * 1.10);
}

TEST_CASE("platform: time slicing serves tight SLOs beside a slow tenant badly", "[platform]") {
  Setup s;
  set_up(s, "spaces/scenarios/mixed4.json", 256, 0);
  // ResNet-18 at 2 ms waits for rounds including MobileNetV2's 2.4 ms batch 1 on the whole array.
  const double temporal = goodput(s, platform::Policy::temporal);
  const double elastic = goodput(s, platform::Policy::elastic);
  INFO("elastic " << elastic << ", temporal " << temporal);
  CHECK(elastic >= 1.5 * temporal);
  platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
  const platform::PlatformResult r =
      platform::serve(cache, platform::Policy::elastic, 0.9 * elastic);
  CHECK(r.feasible);
  double fraction = 0;
  for (const platform::TenantResult& t : r.tenants) {
    CHECK(t.meets_slo);
    CHECK(t.latency_s <= t.p50_s);
    CHECK(t.p50_s <= t.p99_s);
    fraction += t.partition_fraction;
  }
  CHECK(fraction <= 1.0);
  CHECK(r.pe_utilization > 0);
  CHECK(r.pe_utilization < 1);
  CHECK(r.dram_utilization > 0);
}

TEST_CASE("platform: the simulated p99 agrees with the steady-state estimate", "[platform]") {
  Setup s;
  set_up(s, "spaces/scenarios/small_mix.json", 256, 0);
  platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
  const platform::PlatformResult r = platform::serve(cache, platform::Policy::elastic, 1.0);
  REQUIRE(r.feasible);
  const std::vector<platform::SimulatedTenant> sim =
      platform::simulate_allocation(cache, r, s.scenario.spec.options, 1, 100'000);
  for (std::size_t i = 0; i < sim.size(); ++i) {
    const platform::TenantResult& t = r.tenants[i];
    INFO(s.scenario.tenants[i].name << ": estimate p99 " << t.p99_s << ", simulated "
                                    << sim[i].p99_s);
    // Moderate load (busy about 30 %): within 25 %.
    CHECK(sim[i].p99_s == Approx(t.p99_s).epsilon(0.25));
    CHECK_FALSE(sim[i].overloaded);
    // Never more than the partition can run: its largest batch back to back.
    const std::size_t last = s.scenario.tenants[i].batches.size() - 1;
    const double capacity = t.replicas * static_cast<double>(s.scenario.tenants[i].batches[last]) /
                            cache.cost(t.partition_cols, i, last).latency_s;
    CHECK(sim[i].throughput_per_s <= capacity);
    CHECK(sim[i].throughput_per_s == Approx(t.throughput_per_s).epsilon(0.03));
  }
}

namespace {

// The one-line error of loading (and checking on the serving design) a scenario text.
std::string scenario_error(const std::string& text) {
  const std::string path = accelscope::testing::temp_path("scenario") + ".json";
  std::ofstream(path) << text;
  std::string message;
  try {
    engine::LoadedScenario loaded;
    engine::load_scenario_networks(engine::load_scenario(path), loaded);
    const model::Accelerator accelerator = engine::load_hardware(src(kHardware));
    const io::TechLibrary library = io::load_default_tech_library();
    const model::Technology tech = engine::technology_for(library, accelerator, kHardware);
    platform::LatencyCache cache(accelerator, tech, loaded.tenants);
    engine::check_scenario_on_design(loaded, cache, kHardware);
  } catch (const io::InputError& e) {
    message = e.what();
  }
  std::filesystem::remove(path);
  CHECK(message.find(path) == 0);
  CHECK(message.find('\n') == std::string::npos);
  return message;
}

}  // namespace

TEST_CASE("platform: bad scenarios get one-line errors naming tenant and field", "[platform]") {
  const auto tenant = [](const std::string& fields) {
    return R"({"tenants": [{"name": "vision", )" + fields + "}]}";
  };
  CHECK_THAT(scenario_error(tenant(R"("workload": "no_such_net", "rate_per_s": 5, "slo_ms": 9)")),
             Catch::Contains("tenants.vision.workload") && Catch::Contains("resnet50"));
  CHECK_THAT(scenario_error(tenant(R"("workload": "resnet18", "rate_per_s": -5, "slo_ms": 9)")),
             Catch::Contains("tenants.vision.rate_per_s") && Catch::Contains("> 0"));
  CHECK_THAT(scenario_error(tenant(R"("workload": "resnet18", "rate_per_s": 1e999, "slo_ms": 9)")),
             Catch::Contains("number"));
  CHECK_THAT(scenario_error(R"({"tenants": []})"), Catch::Contains("'tenants'"));
  CHECK_THAT(scenario_error(R"({"name": "empty"})"),
             Catch::Contains("missing field 'tenants'") && Catch::Contains("1 to 64 tenants"));
  const std::string twice =
      R"({"name": "vision", "workload": "resnet18", "rate_per_s": 5, "slo_ms": 9})";
  CHECK_THAT(scenario_error(R"({"tenants": [)" + twice + ", " + twice + "]}"),
             Catch::Contains("'tenants[1].name'") && Catch::Contains("unique in the scenario"));
  CHECK_THAT(scenario_error(tenant(R"("workload": "resnet18", "rate_per_s": 5, "slo_ms": 0.01)")),
             Catch::Contains("tenants.vision.slo_ms") && Catch::Contains("fastest possible"));
  CHECK_THAT(scenario_error(tenant(R"("workload": "resnet18", "slo_ms": 9)")),
             Catch::Contains("tenants.vision") && Catch::Contains("rate_per_s"));
  CHECK_THAT(scenario_error(tenant(R"("workload": "resnet18", "rate_per_s": 5, "slo_ms": 9,
                                      "max_batchh": 4)")),
             Catch::Contains("unknown field 'tenants.vision.max_batchh'"));
  CHECK_THAT(scenario_error(tenant(R"("workload": "resnet18", "rate_per_s": 5, "slo_ms": 9,
                                      "percentile": 120)")),
             Catch::Contains("tenants.vision.percentile"));
  CHECK_THAT(scenario_error(R"({"replan_period_ms": -5, "tenants": [{"name": "vision",
             "workload": "resnet18", "rate_per_s": 5, "slo_ms": 9}]})"),
             Catch::Contains("'replan_period_ms'"));
  CHECK_THAT(scenario_error(R"({"repartition_cost_us": "x", "tenants": [{"name": "vision",
             "workload": "resnet18", "rate_per_s": 5, "slo_ms": 9}]})"),
             Catch::Contains("'repartition_cost_us'"));
}

namespace {

// The one-line error of reading a trace file holding `text`.
std::string trace_error(const std::string& text, const std::string& path) {
  std::ofstream(path) << text;
  std::string message;
  try {
    (void)engine::read_request_trace(path);
  } catch (const io::InputError& e) {
    message = e.what();
  }
  std::filesystem::remove(path);
  CHECK(message.find(path + ": ") == 0);
  CHECK(message.find('\n') == std::string::npos);
  return message;
}

}  // namespace

TEST_CASE("platform: request traces are read strictly, line by line", "[platform]") {
  const std::string path = accelscope::testing::temp_path("trace") + ".csv";
  // Comments, a header with other columns, milliseconds; timestamps shifted to start at 0.
  std::ofstream(path) << "# recorded\nid,arrival_ms\n1,10\n2,10\n3,30.5\n\n4,1010\n";
  const engine::RequestTrace ms = engine::read_request_trace(path);
  CHECK(ms.arrivals_s == std::vector<double>{0.010, 0.010, 0.0305, 1.010});
  CHECK(ms.mean_rate_per_s == Approx(3.0));
  std::ofstream(path) << "timestamp_s\n1700000000.5\n1700000001.5\n1700000002.5\n";
  const engine::RequestTrace stamps = engine::read_request_trace(path);
  CHECK(stamps.arrivals_s == std::vector<double>{0, 1, 2});
  CHECK(stamps.mean_rate_per_s == Approx(1.0));

  CHECK_THAT(trace_error("arrival_ms\n1\n5\n3\n", path), Catch::Contains("line 4") &&
                                                             Catch::Contains("'arrival_ms' = 3") &&
                                                             Catch::Contains("line 3"));
  CHECK_THAT(trace_error("arrival_ms\n1\n-5\n", path),
             Catch::Contains("line 3") && Catch::Contains(">= 0"));
  for (const char* bad : {"nan", "inf", "1.5abc", "x"})
    CHECK_THAT(trace_error(std::string("arrival_ms\n1\n") + bad + "\n2\n", path),
               Catch::Contains("line 3") && Catch::Contains("'arrival_ms'"));
  CHECK_THAT(trace_error("id,arrival_ms\n1,4\n2\n", path),
             Catch::Contains("line 3") && Catch::Contains("'arrival_ms' missing"));
  CHECK_THAT(trace_error("", path), Catch::Contains("line 1: empty trace"));
  CHECK_THAT(trace_error("# only a comment\narrival_ms\n", path), Catch::Contains("0 arrival(s)"));
  CHECK_THAT(trace_error("arrival_ms\n5\n5\n", path), Catch::Contains("at different times"));
  CHECK_THAT(trace_error("time,ms\n5\n", path), Catch::Contains("line 1") &&
                                                    Catch::Contains("arrival_ms") &&
                                                    Catch::Contains("timestamp_s"));

  // In a scenario: a missing file names the tenant's field; a trace excludes a rate.
  CHECK_THAT(scenario_error(R"({"tenants": [{"name": "vision", "workload": "resnet18", "slo_ms": 9,
                                      "trace": "no_such_trace.csv"}]})"),
             Catch::Contains("tenants.vision.trace") && Catch::Contains("no_such_trace.csv"));
  std::ofstream(path) << "arrival_ms\n0\n10\n";
  CHECK_THAT(scenario_error(R"({"tenants": [{"name": "vision", "workload": "resnet18",
                              "slo_ms": 9, "rate_per_s": 5, "trace": ")" +
                            path + R"("}]})"),
             Catch::Contains("tenants.vision") && Catch::Contains("exactly one"));
  std::filesystem::remove(path);
}

TEST_CASE("platform: a trace is served at its mean rate and replayed with its bursts",
          "[platform]") {
  // trace_mix: MobileNetV2's requests from a synthetic bursty trace (100 and 400 requests/s, mean
  // about 160/s). The steady-state model serves the mean rate; the simulator replays the trace,
  // whose bursts overload the partition the mean rate is given, so fewer requests meet the SLO
  // than with Poisson arrivals at the same mean rate.
  Setup s;
  set_up(s, "spaces/scenarios/trace_mix.json", 256, 0);
  const platform::Tenant& traced = s.scenario.tenants[0];
  const std::vector<double>& arrivals = traced.trace_arrivals_s;
  REQUIRE(arrivals.size() > 1000);
  CHECK(traced.rate_per_s == Approx((arrivals.size() - 1) / (arrivals.back() - arrivals.front())));
  platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
  const platform::PlatformResult r =
      platform::serve(cache, platform::Policy::elastic, 1.0, s.scenario.spec.options);
  REQUIRE(r.feasible);
  const std::vector<platform::SimulatedTenant> replayed =
      platform::simulate_allocation(cache, r, s.scenario.spec.options);
  std::vector<platform::Tenant> poisson_tenants = s.scenario.tenants;
  poisson_tenants[0].trace_arrivals_s.clear();
  platform::LatencyCache poisson_cache(s.accelerator, s.tech, poisson_tenants);
  const std::vector<platform::SimulatedTenant> poisson =
      platform::simulate_allocation(poisson_cache, r, s.scenario.spec.options);
  INFO("attainment: trace " << replayed[0].slo_attainment << ", Poisson "
                            << poisson[0].slo_attainment);
  CHECK(poisson[0].slo_attainment > 0.99);
  CHECK(replayed[0].slo_attainment < 0.9);
  CHECK(replayed[0].p99_s > traced.slo_s);
  // Every measured request of the trace is served: throughput near its mean rate.
  CHECK(replayed[0].throughput_per_s == Approx(traced.rate_per_s).epsilon(0.1));
}

TEST_CASE("platform: re-planning on a trace follows its bursts and pays for repartitions",
          "[platform]") {
  // trace_mix's MobileNetV2 trace alternates 2 s at 100 and 0.5 s at 400 requests/s. Planned once
  // at the mean rate its bursts overload its partition; re-planned every 500 ms at the rates seen,
  // the elastic policy gives the bursts more (windows with a new allocation pay the repartition
  // cost plus weight reloads); windows of 2.5 s see the mean rate and change nothing.
  Setup s;
  set_up(s, "spaces/scenarios/trace_mix.json", 256, 0);
  platform::PlatformOptions options = s.scenario.spec.options;
  platform::LatencyCache cache(s.accelerator, s.tech, s.scenario.tenants);
  const platform::PlatformResult once =
      platform::serve(cache, platform::Policy::elastic, 1.0, options);
  const double planned_once = platform::simulate_allocation(cache, once, options)[0].slo_attainment;

  options.replan_period_s = 0.5;
  options.repartition_cost_s = 100e-6;
  const platform::ReplannedSimulation cheap =
      platform::simulate_replanned(cache, platform::Policy::elastic, options);
  options.repartition_cost_s = 20e-3;
  const platform::ReplannedSimulation costly =
      platform::simulate_replanned(cache, platform::Policy::elastic, options);
  options.replan_period_s = 2.5;
  const platform::ReplannedSimulation slow =
      platform::simulate_replanned(cache, platform::Policy::elastic, options);
  INFO("attainment: planned once " << planned_once << ", re-planned "
                                   << cheap.tenants[0].slo_attainment << " (100 us), "
                                   << costly.tenants[0].slo_attainment << " (20 ms)");
  CHECK(cheap.windows == 40);
  CHECK(cheap.repartitions > 0);
  CHECK(cheap.repartitions == costly.repartitions);  // the plans do not depend on the cost
  // Every window with a new allocation reconfigures at least one partition.
  CHECK(costly.reconfiguring_s > cheap.reconfiguring_s + cheap.repartitions * 19e-3);
  CHECK(cheap.tenants[0].slo_attainment > 0.99);
  CHECK(planned_once < 0.9);
  CHECK(costly.tenants[0].slo_attainment < cheap.tenants[0].slo_attainment);
  CHECK(costly.tenants[0].p99_s > cheap.tenants[0].p99_s);
  CHECK(slow.repartitions == 0);
  // The cache serves the scenario's own rates again afterwards.
  CHECK(&cache.tenants() == &s.scenario.tenants);
}
