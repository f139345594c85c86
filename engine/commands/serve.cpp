// accelscope serve --hw H --scenario S [--policy elastic|temporal|static] [--simulate] [--fuse]
//                  [--json] [--bench]
// accelscope serve --platform P --scenario S [--placement whole|layer|split|ga] [--seed N]
//                  [--simulate] [--json] [--bench]
// Several tenants on one design (model/platform) or on a heterogeneous platform of several units
// (model/platform/placement.hpp): per tenant batch, partition (or units), latency estimates
// against the SLO, and the goodput scale.
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/commands/commands.hpp"
#include "engine/loaders.hpp"
#include "engine/platform_eval.hpp"
#include "engine/platform_spec.hpp"
#include "engine/scenario.hpp"
#include "engine/serving_eval.hpp"
#include "engine/single_eval.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "model/platform/fused_graph.hpp"
#include "model/platform/placement.hpp"
#include "model/platform/platform.hpp"

namespace accelscope::engine {

namespace {

namespace platform = model::platform;

struct ServeArgs {
  std::string hardware;
  std::string platform_file;
  std::string placement = "layer";
  std::string scenario;
  std::string policy = "elastic";
  std::string tech_dir;
  bool json = false;
  bool bench = false;
  bool simulate = false;
  bool fuse = false;
  bool instances = false;
  std::uint64_t seed = 1;
  double bench_seconds = 2;
};

// With --simulate: the latencies, attainment and throughput of the discrete-event simulation of
// the allocation replace the steady-state estimates (batch and partition stay the allocation's),
// and so does the verdict: a tenant meets its SLO when the simulated share of its requests
// within the SLO reaches its percentile.
void apply_simulation(ServingEvaluation& e, const LoadedScenario& scenario,
                      const std::vector<platform::SimulatedTenant>& simulated) {
  for (std::size_t i = 0; i < simulated.size(); ++i) {
    platform::TenantResult& r = e.at_rates.tenants[i];
    r.p50_s = simulated[i].p50_s;
    r.p99_s = simulated[i].p99_s;
    r.slo_attainment = simulated[i].slo_attainment;
    r.throughput_per_s = simulated[i].throughput_per_s;
    r.keeps_up = !simulated[i].overloaded;
    r.meets_slo = r.keeps_up && r.slo_attainment >= scenario.spec.tenants[i].percentile / 100.0;
  }
}

// The JSON of issue 12 without the solo comparison (a platform adds its own fields).
nlohmann::json base_json(const LoadedScenario& scenario, const ServingEvaluation& e) {
  nlohmann::json tenants = nlohmann::json::array();
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const platform::TenantResult& r = e.at_rates.tenants[i];
    tenants.push_back({{"name", scenario.tenants[i].name},
                       {"batch", r.batch},
                       {"partition", r.partition_fraction},
                       {"p50_ms", latency_ms_json(r.p50_s)},
                       {"p99_ms", latency_ms_json(r.p99_s)},
                       {"slo_ms", scenario.spec.tenants[i].slo_ms},
                       {"slo_attainment", r.slo_attainment},
                       {"throughput_per_s", r.throughput_per_s}});
    const ScenarioTenant& spec = scenario.spec.tenants[i];
    if (!spec.trace.empty())
      tenants.back()["trace"] = {{"file", spec.trace},
                                 {"arrivals", spec.trace_arrivals_s.size()},
                                 {"mean_rate_per_s", spec.rate_per_s}};
  }
  return {{"policy", std::string(platform::to_string(e.at_rates.policy))},
          {"goodput_scale", e.goodput_scale},
          {"tenants", tenants},
          {"energy_mj_per_request", e.at_rates.energy_pj_per_request * 1e-9}};
}

nlohmann::json to_json(const LoadedScenario& scenario, const ServingEvaluation& e,
                       const SoloComparison& solo) {
  nlohmann::json out = base_json(scenario, e);
  out["stp"] = solo.stp;
  out["antt"] = std::isfinite(solo.antt) ? nlohmann::json(solo.antt) : nlohmann::json(nullptr);
  return out;
}

// `title` heads the table; `partition_of(i)` says where tenant i runs.
void print_table(std::ostream& out, const std::string& title, const LoadedScenario& scenario,
                 const ServingEvaluation& e,
                 const std::function<std::string(std::size_t)>& partition_of) {
  out << title << "\n";
  out << fmt::format("{:<16} {:>6} {:>10} {:>9} {:>9} {:>9} {:>10} {:>12}  {}\n", "tenant", "batch",
                     "partition", "p50_ms", "p99_ms", "slo_ms", "attained", "req/s", "slo");
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const platform::TenantResult& r = e.at_rates.tenants[i];
    out << fmt::format("{:<16} {:>6} {:>10} {:>9.3f} {:>9.3f} {:>9.3g} {:>9.1f}% {:>12.1f}  {}\n",
                       scenario.tenants[i].name, r.batch, partition_of(i), r.p50_s * 1e3,
                       r.p99_s * 1e3, scenario.spec.tenants[i].slo_ms, r.slo_attainment * 100,
                       r.throughput_per_s,
                       r.meets_slo ? "met" : (r.keeps_up ? "missed" : "overloaded"));
  }
  out << fmt::format(
      "goodput_scale {:.3f} (every tenant meets its SLO up to this multiple of its rate)\n"
      "partitions {}, PE utilisation {:.1f}%, DRAM utilisation {:.1f}%, energy {:.4f} mJ/request\n",
      e.goodput_scale, e.at_rates.partitions, e.at_rates.pe_utilization * 100,
      e.at_rates.dram_utilization * 100, e.at_rates.energy_pj_per_request * 1e-9);
}

bool has_trace(const LoadedScenario& scenario) {
  return std::any_of(scenario.spec.tenants.begin(), scenario.spec.tenants.end(),
                     [](const ScenarioTenant& t) { return !t.trace.empty(); });
}

// --simulate without re-planning: the allocation simulated once (traces replayed), applied and
// said.
void simulate_allocation(ServingEvaluation& e, const LoadedScenario& scenario,
                         platform::LatencyCache& cache, const ServeArgs& args) {
  apply_simulation(
      e, scenario,
      platform::simulate_allocation(cache, e.at_rates, scenario.spec.options, args.seed));
  if (!args.json)
    std::cout << "latencies, attainment and throughput: discrete-event simulation of the "
                 "allocation ("
              << (has_trace(scenario) ? "the traces' time window" : "about 200,000 requests")
              << ", seed " << args.seed << "); goodput_scale: steady-state model\n";
}

// Says which tenants' rates are their traces' means (the steady-state model's view).
void print_trace_notes(std::ostream& out, const LoadedScenario& scenario, bool simulated) {
  for (const ScenarioTenant& t : scenario.spec.tenants)
    if (!t.trace.empty())
      out << fmt::format(
          "tenant {}: trace {} ({} arrivals over {:.3f} s): {} {:.1f} requests/s\n", t.name,
          t.trace, t.trace_arrivals_s.size(),
          t.trace_arrivals_s.back() - t.trace_arrivals_s.front(),
          simulated ? "replayed by the simulation; goodput from the steady-state model at its mean"
                    : "the steady-state model serves its mean rate (--simulate replays it),",
          t.rate_per_s);
}

// Scenario evaluations per second on one core: cold (a fresh L(b) cache, so the per-op model
// runs) and warm (the cache of an earlier evaluation of the same design reused).
void run_bench(const LoadedScenario& scenario, const model::Accelerator& accelerator,
               const model::Technology& tech, platform::Policy policy, double seconds) {
  using Clock = std::chrono::steady_clock;
  const auto rate = [&](bool warm) {
    platform::LatencyCache shared(accelerator, tech, scenario.tenants);
    std::size_t count = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      if (warm) {
        (void)evaluate_serving(shared, policy, scenario.spec.options);
      } else {
        platform::LatencyCache fresh(accelerator, tech, scenario.tenants);
        (void)evaluate_serving(fresh, policy, scenario.spec.options);
      }
      ++count;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < seconds);
    return count / elapsed;
  };
  const double cold = rate(false);
  const double warm = rate(true);
  platform::LatencyCache once(accelerator, tech, scenario.tenants);
  (void)evaluate_serving(once, policy, scenario.spec.options);
  std::cout << fmt::format(
      "serve bench: {} tenants, policy {}, one thread: {:.0f} scenario evaluations/s cold (L(b) "
      "computed: {} network evaluations each), {:.0f}/s warm (L(b) cached)\n",
      scenario.tenants.size(), platform::to_string(policy), cold, once.evaluations(), warm);
}

// --fuse: the tenants' networks (batch 1) run as one fused graph versus one graph each.
void run_fuse(const LoadedScenario& scenario, const model::Accelerator& accelerator,
              const model::Technology& tech, bool json) {
  std::vector<model::Network> networks;
  for (const platform::Tenant& tenant : scenario.tenants)
    networks.push_back(*tenant.networks.front()->network);
  const platform::FuseComparison c = platform::compare_fused_separate(networks, accelerator, tech);
  constexpr double kMiB = 1024.0 * 1024.0;
  if (json) {
    std::cout << nlohmann::json{{"separate_ms", c.separate_s * 1e3},
                                {"fused_ms", c.fused_s * 1e3},
                                {"time_saving", c.time_saving_fraction()},
                                {"separate_peak_mib", c.separate_peak_bytes / kMiB},
                                {"fused_peak_mib", c.fused_peak_bytes / kMiB},
                                {"memory_saving", c.memory_saving_fraction()},
                                {"merged_ops", c.merged_ops}}
                     .dump(1)
              << "\n";
    return;
  }
  std::cout << fmt::format(
      "scenario {} on {}: the {} tenants' networks (batch 1) as one fused graph vs one graph "
      "each\n"
      "time    separate {:.3f} ms, fused {:.3f} ms: {:.1f} % less (FusedInf: up to 14 %)\n"
      "memory  separate {:.1f} MiB, fused {:.1f} MiB: {:.1f} % less (FusedInf: up to 17 %)\n"
      "{} ops merged horizontally in {} groups; launch and context costs assumed "
      "(model/platform/fused_graph.hpp)\n",
      scenario.spec.name, accelerator.name, scenario.tenants.size(), c.separate_s * 1e3,
      c.fused_s * 1e3, c.time_saving_fraction() * 100, c.separate_peak_bytes / kMiB,
      c.fused_peak_bytes / kMiB, c.memory_saving_fraction() * 100, c.merged_ops, c.merged_groups);
}

void run_serve_platform(const ServeArgs& args);

void run_serve(const ServeArgs& args) {
  if (args.platform_file.empty() && args.instances)
    throw io::InputError("serve: --instances needs --platform");
  if (!args.platform_file.empty()) {
    if (args.fuse) throw io::InputError("serve: --fuse runs on one design (--hw), not a platform");
    if (args.instances && (args.bench || args.simulate))
      throw io::InputError("serve: --instances takes neither --bench nor --simulate");
    run_serve_platform(args);
    return;
  }
  const model::Accelerator accelerator = load_hardware(args.hardware);
  LoadedScenario scenario;
  load_scenario_networks(load_scenario(args.scenario), scenario);
  const io::TechLibrary library = args.tech_dir.empty() ? io::load_default_tech_library()
                                                        : io::load_tech_library(args.tech_dir);
  const model::Technology tech = technology_for(library, accelerator, args.hardware);
  try {
    model::validate(accelerator);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(args.hardware + ": " + e.what());
  }
  // Fused graphs compare run times, not SLOs.
  if (args.fuse) {
    run_fuse(scenario, accelerator, tech, args.json);
    return;
  }
  platform::LatencyCache cache(accelerator, tech, scenario.tenants);
  check_scenario_on_design(scenario, cache, args.hardware);
  const platform::Policy policy = *platform::policy_from_string(args.policy);
  if (args.bench) {
    run_bench(scenario, accelerator, tech, policy, args.bench_seconds);
    return;
  }
  ServingEvaluation e = evaluate_serving(cache, policy, scenario.spec.options);
  std::optional<platform::ReplannedSimulation> replanned;
  if (args.simulate && has_trace(scenario) && scenario.spec.options.replan_period_s > 0) {
    replanned = platform::simulate_replanned(cache, policy, scenario.spec.options, args.seed);
    apply_simulation(e, scenario, replanned->tenants);
    if (!args.json)
      std::cout << fmt::format(
          "latencies, attainment and throughput: discrete-event simulation of the traces, the "
          "policy re-planned every {:g} ms at the rates seen ({} windows, {} with a new "
          "allocation, {:.3f} ms reconfiguring in all at {:g} us per repartition plus weight "
          "reloads; batch and partition below: the allocation at the mean rates); goodput_scale: "
          "steady-state model\n",
          scenario.spec.options.replan_period_s * 1e3, replanned->windows, replanned->repartitions,
          replanned->reconfiguring_s * 1e3, scenario.spec.options.repartition_cost_s * 1e6);
  } else if (args.simulate) {
    simulate_allocation(e, scenario, cache, args);
  }
  if (!args.json) print_trace_notes(std::cout, scenario, args.simulate);
  const SoloComparison solo =
      compare_with_solo(scenario, accelerator, tech, e, scenario.spec.options);
  if (args.json) {
    nlohmann::json out = to_json(scenario, e, solo);
    if (replanned)
      out["replanning"] = {{"period_ms", scenario.spec.options.replan_period_s * 1e3},
                           {"windows", replanned->windows},
                           {"repartitions", replanned->repartitions},
                           {"reconfiguring_ms", replanned->reconfiguring_s * 1e3}};
    std::cout << out.dump(1) << "\n";
    return;
  }
  print_table(std::cout,
              fmt::format("scenario {} on {} ({}x{}), policy {}", scenario.spec.name,
                          accelerator.name, accelerator.array.rows, accelerator.array.cols,
                          platform::to_string(e.at_rates.policy)),
              scenario, e, [&](std::size_t i) {
                const platform::TenantResult& r = e.at_rates.tenants[i];
                return r.replicas > 1
                           ? fmt::format("{}x{}/{}", r.replicas, r.partition_cols,
                                         accelerator.array.cols)
                           : fmt::format("{}/{}", r.partition_cols, accelerator.array.cols);
              });
  std::cout << fmt::format(
      "against each tenant alone on the whole array (median latency): STP {:.3f} of {}, ANTT "
      "{:.3f}\n",
      solo.stp, scenario.tenants.size(), solo.antt);
}

// ---- heterogeneous platforms (--platform) ----

std::string busy_text(const platform::HeteroPlatform& hetero,
                      const std::vector<double>& busy_fraction) {
  std::string text = "units busy:";
  for (std::size_t u = 0; u < hetero.units.size(); ++u)
    text += fmt::format(" {} {:.1f}%", hetero.units[u].name, busy_fraction[u] * 100);
  return text;
}

// --instances: every tenant as closed-loop instances (its closed_loop count, else one), each
// running batches of max_batch back to back: throughput with every server busy.
void run_instances(const LoadedScenario& scenario, const platform::HeteroPlatform& hetero,
                   const std::vector<platform::TenantPlacement>& placements,
                   platform::PlacementMode mode, const platform::GaOptions& ga, bool json) {
  std::deque<platform::NetworkCosts> costs;
  std::vector<platform::Instance> instances;
  std::vector<std::size_t> owner;
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    const platform::Tenant& t = scenario.tenants[i];
    costs.push_back(platform::network_costs(hetero, *t.networks.back(), placements[i].precision));
    for (int k = 0; k < std::max(1, t.closed_loop); ++k) {
      instances.push_back({t.name, &costs.back(), t.batches.back(), placements[i]});
      owner.push_back(i);
    }
  }
  const platform::ClosedLoopResult r =
      platform::closed_loop(hetero, instances, mode, scenario.spec.options.switch_cost_s, ga);
  if (!r.runnable) throw io::InputError(scenario.spec.file + ": tenant " + r.why_not);
  std::vector<double> busy(hetero.units.size(), 0.0);
  for (std::size_t k = 0; k < instances.size(); ++k)
    for (std::size_t u = 0; u < busy.size(); ++u)
      busy[u] += r.instances[k].throughput_per_s / static_cast<double>(instances[k].batch) *
                 r.instances[k].run.busy_s[u];
  nlohmann::json tenants = nlohmann::json::array();
  for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
    double throughput = 0, latency = 0;
    int count = 0;
    std::vector<std::size_t> units;
    for (std::size_t k = 0; k < instances.size(); ++k) {
      if (owner[k] != i) continue;
      throughput += r.instances[k].throughput_per_s;
      latency = std::max(latency, r.instances[k].latency_s);
      ++count;
      units = r.instances[k].run.units_used();
    }
    tenants.push_back({{"name", scenario.tenants[i].name},
                       {"instances", count},
                       {"batch", scenario.tenants[i].batches.back()},
                       {"units", units_text(hetero, units)},
                       {"batch_latency_ms", latency * 1e3},
                       {"throughput_per_s", throughput}});
  }
  if (json) {
    std::cout << nlohmann::json{{"platform", hetero.name},
                                {"placement", std::string(platform::to_string(mode))},
                                {"tenants", tenants},
                                {"units", units_json(hetero, busy)},
                                {"throughput_per_s", r.throughput_per_s},
                                {"dram_utilization", r.dram_utilization}}
                     .dump(1)
              << "\n";
    return;
  }
  std::cout << fmt::format(
      "scenario {} on platform {} as closed-loop instances (batches back to back), placement {}\n"
      "{:<16} {:>9} {:>6} {:>16} {:>15} {:>12}\n",
      scenario.spec.name, hetero.name, platform::to_string(mode), "tenant", "instances", "batch",
      "units", "batch_latency_ms", "samples/s");
  for (const nlohmann::json& t : tenants)
    std::cout << fmt::format(
        "{:<16} {:>9} {:>6} {:>16} {:>15.3f} {:>12.1f}\n", t["name"].get<std::string>(),
        t["instances"].get<int>(), t["batch"].get<std::int64_t>(), t["units"].get<std::string>(),
        t["batch_latency_ms"].get<double>(), t["throughput_per_s"].get<double>());
  std::cout << fmt::format(
      "total {:.1f} samples/s, DRAM utilisation {:.1f}% of the usable channel\n{} (uncontended "
      "group times; the rest of the time stretched by DRAM contention)\n",
      r.throughput_per_s, r.dram_utilization * 100, busy_text(hetero, busy));
}

void run_serve_platform(const ServeArgs& args) {
  const io::TechLibrary library = args.tech_dir.empty() ? io::load_default_tech_library()
                                                        : io::load_tech_library(args.tech_dir);
  const platform::HeteroPlatform hetero = load_platform(args.platform_file, library);
  LoadedScenario scenario;
  load_scenario_networks(load_scenario(args.scenario), scenario);
  check_capacity(scenario, hetero, args.platform_file);
  const std::vector<platform::TenantPlacement> placements = tenant_placements(scenario, hetero);
  const platform::PlacementMode mode = placement_mode(args.placement);
  platform::GaOptions ga;
  ga.seed = args.seed;
  if (args.instances) {
    run_instances(scenario, hetero, placements, mode, ga, args.json);
    return;
  }
  if (args.bench) {
    using Clock = std::chrono::steady_clock;
    std::size_t count = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      PlatformServing p = plan_platform_serving(scenario, hetero, placements, mode, ga);
      (void)evaluate_platform(p, scenario.spec.options);
      ++count;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < args.bench_seconds);
    std::cout << fmt::format(
        "serve bench: platform {} ({} units), {} tenants, placement {}, one thread: {:.0f} "
        "platform x scenario evaluations/s (group costs on the units each tenant may use, at "
        "every batch, placement, "
        "serving and goodput each time)\n",
        hetero.name, hetero.units.size(), scenario.tenants.size(), platform::to_string(mode),
        count / elapsed);
    return;
  }
  PlatformServing p = plan_platform_serving(scenario, hetero, placements, mode, ga);
  // Every SLO must allow the tenant's fastest latency: batch 1 under its placement.
  for (std::size_t s = 0; s < p.serving.servers.size(); ++s)
    for (const platform::Slot& slot : p.serving.servers[s].slots) {
      const double fastest_ms =
          p.cache->cost(p.serving.servers[s].cols, slot.tenant, 0).latency_s * 1e3;
      const ScenarioTenant& t = scenario.spec.tenants[slot.tenant];
      if (t.slo_ms < fastest_ms)
        throw io::InputError(fmt::format(
            "{}: field 'tenants.{}.slo_ms' = {:g}, allowed: at least {:.4g} ms, the fastest "
            "possible latency of {} on platform {} (batch 1, placement {} on {})",
            scenario.spec.file, t.name, t.slo_ms, fastest_ms, t.workload, hetero.name,
            platform::to_string(mode), units_text(hetero, p.serving.tenant_units[slot.tenant])));
    }
  ServingEvaluation e = evaluate_platform(p, scenario.spec.options);
  const std::vector<double> busy =
      platform::unit_busy_fractions(p.serving, scenario.tenants, e.at_rates, hetero.units.size());
  if (args.simulate) simulate_allocation(e, scenario, *p.cache, args);
  if (!args.json) print_trace_notes(std::cout, scenario, args.simulate);
  if (args.json) {
    nlohmann::json out = base_json(scenario, e);
    out["policy"] = "units";
    out["placement"] = std::string(platform::to_string(mode));
    out["platform"] = hetero.name;
    out["units"] = units_json(hetero, busy);
    for (std::size_t i = 0; i < scenario.tenants.size(); ++i) {
      nlohmann::json units = nlohmann::json::array();
      for (std::size_t u : p.serving.tenant_units[i]) units.push_back(hetero.units[u].name);
      out["tenants"][i]["units"] = units;
    }
    std::cout << out.dump(1) << "\n";
    return;
  }
  print_table(
      std::cout,
      fmt::format("scenario {} on platform {} ({} units), placement {}; tenants sharing a "
                  "unit take turns on it",
                  scenario.spec.name, hetero.name, hetero.units.size(), platform::to_string(mode)),
      scenario, e, [&](std::size_t i) { return units_text(hetero, p.serving.tenant_units[i]); });
  std::cout << busy_text(hetero, busy) << " (uncontended group times at the served rates)\n";
}

}  // namespace

void register_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve a scenario of several tenants (networks, rates, SLOs) on one design");
  CLI::Option* hw = cmd->add_option("--hw", args->hardware, "Hardware file (accelscope .json)");
  CLI::Option* platform_option =
      cmd->add_option("--platform", args->platform_file,
                      "Heterogeneous platform file (spaces/platforms/*.json) instead of --hw");
  hw->excludes(platform_option);
  platform_option->excludes(hw);
  cmd->add_option("--placement", args->placement,
                  "With --platform: whole (each tenant on one unit), layer (HEFT per layer, "
                  "default), split (every GEMM split over the units that run it) or ga (a genetic "
                  "algorithm over the unit of each layer, seeded with HEFT's; --seed)")
      ->check(CLI::IsMember({"whole", "layer", "split", "ga"}));
  cmd->add_flag("--instances", args->instances,
                "With --platform: run every tenant as closed-loop instances (its closed_loop "
                "count, else one) of max_batch back to back and print the throughput");
  cmd->add_option("--scenario", args->scenario, "Scenario file (spaces/scenarios/*.json)")
      ->required();
  cmd->add_option("--policy", args->policy,
                  "elastic (gpu-lets partitions, default), temporal (time slicing on the whole "
                  "array) or static (equal column split)")
      ->check(CLI::IsMember({"elastic", "temporal", "static"}));
  cmd->add_option("--tech", args->tech_dir, "Directory of technology tables (default: shipped)");
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->add_flag("--bench", args->bench,
                "Measure scenario evaluations per second on one core (cold and warm L(b) cache)");
  cmd->add_flag("--simulate", args->simulate,
                "Latencies, SLO attainment and throughput from a discrete-event simulation of the "
                "allocation (requests, batching queues, partitions, DRAM sharing) instead of the "
                "steady-state estimate");
  cmd->add_flag(
      "--fuse", args->fuse,
      "Run the tenants' networks (batch 1) as one fused graph (FusedInf) and compare time "
      "and peak memory with one graph each (JSON: separate_ms, fused_ms, time_saving, "
      "separate_peak_mib, fused_peak_mib, memory_saving, merged_ops)");
  cmd->add_option("--seed", args->seed, "Seed of --simulate and of --placement ga (default 1)");
  cmd->add_option("--bench-seconds", args->bench_seconds, "Seconds per --bench measurement")
      ->check(CLI::Range(0.01, 600.0));
  cmd->callback([args, hw, platform_option] {
    if (hw->count() == 0 && platform_option->count() == 0)
      throw CLI::RequiredError("serve: --hw or --platform");
    run_serve(*args);
  });
}

}  // namespace accelscope::engine
