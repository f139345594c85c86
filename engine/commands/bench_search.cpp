// accelscope bench-search SPACE [--seeds N] [--budgets 1,2,5] [--evaluations N]
//                               [--reference-factor F] [--strategies ...] [--json]
//
// Search quality. On a space small enough to enumerate (at most 2,000,000 designs) the grid gives
// the true front; each strategy, at budgets of a few percent of the grid and over several seeds,
// is scored by the hypervolume of the front it found over the true front's (same reference point).
// Every design is evaluated once, up front; strategies then read results from that table, so the
// benchmark measures search quality, not model speed.
//
// On a larger space nothing can be enumerated: each strategy runs `--evaluations` designs per seed
// and is scored against a reference front, the union of every run's front and of one longer run
// (reference-factor x the budget) of every strategy. Reported: hypervolume over the reference's at
// tenths of the budget (HV-vs-evaluations curves), wall time, and the strategy's own time per
// proposed design (ask + tell, without evaluation).
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/commands/commands.hpp"
#include "engine/evaluator.hpp"
#include "engine/space_spec.hpp"
#include "engine/study_runner.hpp"
#include "search/pareto.hpp"
#include "search/strategy.hpp"

namespace accelscope::engine {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kMaxEnumerated = 2'000'000;
constexpr std::size_t kCurvePoints = 10;

struct Args {
  std::string space;
  std::size_t seeds = 5;
  std::vector<double> budget_percents{1, 2, 5};
  std::uint64_t evaluations = 2000;
  double reference_factor = 50;
  std::vector<std::string> strategies{"random", "nsga2", "bayes"};
  std::size_t threads = 0;
  bool json = false;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Hypervolume (natural-direction reference) of the feasible front among `evaluations`
// (minimised objectives); 0 when none is feasible.
double front_hypervolume(const std::vector<search::Evaluation>& evaluations, std::size_t count,
                         const SpaceSpec& spec, const std::vector<double>& reference) {
  search::ParetoArchive archive(spec.objectives.size());
  for (std::size_t i = 0; i < count && i < evaluations.size(); ++i) {
    const search::Evaluation& e = evaluations[i];
    if (search::effective_violation(e) == 0) archive.insert(i, e.objectives, 0);
  }
  std::vector<double> minimised_reference = reference;
  for (std::size_t o = 0; o < reference.size(); ++o)
    if (spec.objectives[o].maximize) minimised_reference[o] = -reference[o];
  return archive.empty() ? 0 : archive.hypervolume(minimised_reference);
}

struct Run {
  std::vector<search::Evaluation> evaluations;  // in the order proposed
  double wall_seconds = 0;
  double strategy_seconds = 0;  // ask + tell
};

// One strategy run of up to `budget` designs; `evaluate` maps asked points to results.
Run run_strategy(
    const std::string& name, std::uint64_t seed, std::uint64_t budget, const SpaceSpec& spec,
    const search::Space& space, const DesignEvaluator& evaluator,
    const std::function<std::vector<search::Evaluation>(const std::vector<search::Point>&)>&
        evaluate) {
  search::StrategyOptions options;
  options.seed = seed;
  options.budget = budget;
  options.objective_count = spec.objectives.size();
  options.batch_size = name == "bayes" || name == "turbo" ? 4 : 64;
  options.cheap_feasible = [&](const search::Point& p) { return evaluator.passes_area_limit(p); };
  Run run;
  const auto start = Clock::now();
  auto strategy = search::make_strategy(name, space, options);
  while (run.evaluations.size() < budget) {
    const auto ask_start = Clock::now();
    const std::vector<search::Point> asked = strategy->ask(options.batch_size);
    run.strategy_seconds += seconds_since(ask_start);
    if (asked.empty()) break;
    std::vector<search::Evaluation> told = evaluate(asked);
    const auto tell_start = Clock::now();
    strategy->tell(told);
    run.strategy_seconds += seconds_since(tell_start);
    run.evaluations.insert(run.evaluations.end(), std::make_move_iterator(told.begin()),
                           std::make_move_iterator(told.end()));
  }
  run.wall_seconds = seconds_since(start);
  return run;
}

struct Summary {
  double mean = 0, lo = 0, hi = 0;
};

Summary summarise(const std::vector<double>& values) {
  Summary s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  s.lo = *std::min_element(values.begin(), values.end());
  s.hi = *std::max_element(values.begin(), values.end());
  return s;
}

void run_enumerated(const Args& args, const SpaceSpec& spec, const search::Space& space,
                    const DesignEvaluator& evaluator, std::uint64_t grid_size) {
  // The whole grid, once.
  const auto start = Clock::now();
  std::vector<search::Point> points;
  points.reserve(grid_size);
  for (std::uint64_t i = 0; i < grid_size; ++i) points.push_back(space.grid_point(i));
  std::vector<search::Evaluation> table;
  table.reserve(grid_size);
  std::size_t feasible = 0;
  for (DesignResult& r : evaluator.evaluate_all(points, args.threads)) {
    if (r.failed) r.evaluation.violation = std::numeric_limits<double>::infinity();
    feasible += search::effective_violation(r.evaluation) == 0;
    table.push_back(std::move(r.evaluation));
  }
  points.clear();
  const double grid_seconds = seconds_since(start);

  const auto reference = reference_point_for(spec, evaluator, args.threads);
  if (!reference) throw std::runtime_error(args.space + ": no design could be evaluated");
  const double true_hypervolume = front_hypervolume(table, table.size(), spec, *reference);
  search::ParetoArchive true_front(spec.objectives.size());
  for (std::size_t i = 0; i < table.size(); ++i)
    if (search::effective_violation(table[i]) == 0) true_front.insert(i, table[i].objectives, 0);

  nlohmann::json result = {{"space", spec.name},
                           {"grid_size", grid_size},
                           {"feasible", feasible},
                           {"true_front_size", true_front.size()},
                           {"true_hypervolume", true_hypervolume},
                           {"reference_point", *reference},
                           {"grid_evaluation_s", grid_seconds},
                           {"seeds", args.seeds}};
  if (!args.json)
    fmt::print(
        "{}: {} designs ({} feasible), true front {} designs, hypervolume {:.6g} (grid evaluated "
        "in {:.1f} s)\n",
        spec.name, grid_size, feasible, true_front.size(), true_hypervolume, grid_seconds);
  if (!args.json)
    fmt::print("{:<8} {:>7} {:>8} {:>10} {:>10} {:>10} {:>10}\n", "strategy", "budget", "designs",
               "mean HV", "min HV", "max HV", "seconds");
  const auto lookup = [&](const std::vector<search::Point>& asked) {
    std::vector<search::Evaluation> told;
    for (const search::Point& p : asked) told.push_back(table[space.grid_index(p)]);
    return told;
  };
  for (const std::string& name : args.strategies) {
    for (double percent : args.budget_percents) {
      const auto budget =
          static_cast<std::uint64_t>(std::ceil(static_cast<double>(grid_size) * percent / 100));
      std::vector<double> ratios;
      double seconds = 0;
      for (std::size_t seed = 1; seed <= args.seeds; ++seed) {
        const Run run = run_strategy(name, seed, budget, spec, space, evaluator, lookup);
        seconds += run.wall_seconds;
        ratios.push_back(
            front_hypervolume(run.evaluations, run.evaluations.size(), spec, *reference) /
            true_hypervolume);
      }
      const Summary s = summarise(ratios);
      result["results"].push_back({{"strategy", name},
                                   {"budget_percent", percent},
                                   {"budget", budget},
                                   {"hypervolume_ratio_mean", s.mean},
                                   {"hypervolume_ratio_min", s.lo},
                                   {"hypervolume_ratio_max", s.hi},
                                   {"hypervolume_ratios", ratios},
                                   {"seconds_per_run", seconds / static_cast<double>(args.seeds)}});
      if (!args.json)
        fmt::print("{:<8} {:>6.1f}% {:>8} {:>10.4f} {:>10.4f} {:>10.4f} {:>10.2f}\n", name, percent,
                   budget, s.mean, s.lo, s.hi, seconds / static_cast<double>(args.seeds));
    }
  }
  if (args.json) std::cout << result.dump(1) << "\n";
}

void run_reference_front(const Args& args, const SpaceSpec& spec, const search::Space& space,
                         const DesignEvaluator& evaluator) {
  const auto reference = reference_point_for(spec, evaluator, args.threads);
  if (!reference) throw std::runtime_error(args.space + ": no design could be evaluated");
  const auto evaluate = [&](const std::vector<search::Point>& asked) {
    std::vector<search::Evaluation> told;
    for (DesignResult& r : evaluator.evaluate_all(asked, args.threads)) {
      if (r.failed) r.evaluation.violation = std::numeric_limits<double>::infinity();
      told.push_back(std::move(r.evaluation));
    }
    return told;
  };
  const std::uint64_t budget = args.evaluations;
  const auto long_budget = static_cast<std::uint64_t>(
      std::ceil(static_cast<double>(budget) * std::max(args.reference_factor, 1.0)));
  std::vector<search::Evaluation> pooled;  // every run's feasible front members
  const auto pool_front = [&](const std::vector<search::Evaluation>& evaluations) {
    search::ParetoArchive archive(spec.objectives.size());
    for (std::size_t i = 0; i < evaluations.size(); ++i)
      if (search::effective_violation(evaluations[i]) == 0)
        archive.insert(i, evaluations[i].objectives, 0);
    for (const auto& entry : archive.entries()) pooled.push_back(evaluations[entry.id]);
  };

  nlohmann::json result = {{"space", spec.name},
                           {"designs", space.grid_size_approx()},
                           {"evaluations", budget},
                           {"reference_factor", args.reference_factor},
                           {"reference_point", *reference},
                           {"seeds", args.seeds}};
  if (!args.json)
    fmt::print(
        "{}: {:.4g} designs (not enumerable); {} evaluations per run, {} seeds; reference "
        "front from every run plus one run of {} evaluations per strategy\n",
        spec.name, space.grid_size_approx(), budget, args.seeds, long_budget);
  for (const std::string& name : args.strategies) {
    const Run run = run_strategy(name, 1000, long_budget, spec, space, evaluator, evaluate);
    pool_front(run.evaluations);
    result["reference_runs"].push_back(
        {{"strategy", name},
         {"evaluations", run.evaluations.size()},
         {"wall_s", run.wall_seconds},
         {"strategy_ms_per_design",
          1e3 * run.strategy_seconds / std::max<double>(1, run.evaluations.size())}});
    if (!args.json)
      fmt::print("  reference run {:<7} {:>8} designs in {:>7.1f} s (strategy {:.2f} ms/design)\n",
                 name, run.evaluations.size(), run.wall_seconds,
                 1e3 * run.strategy_seconds / std::max<double>(1, run.evaluations.size()));
  }
  std::map<std::string, std::vector<Run>> runs;
  for (const std::string& name : args.strategies) {
    for (std::size_t seed = 1; seed <= args.seeds; ++seed) {
      runs[name].push_back(run_strategy(name, seed, budget, spec, space, evaluator, evaluate));
      pool_front(runs[name].back().evaluations);
    }
  }
  const double reference_hypervolume = front_hypervolume(pooled, pooled.size(), spec, *reference);
  if (!(reference_hypervolume > 0))
    throw std::runtime_error(args.space + ": no feasible design found by any run");
  result["reference_front_hypervolume"] = reference_hypervolume;
  result["reference_front_designs"] = pooled.size();

  std::vector<std::uint64_t> checkpoints;
  for (std::size_t k = 1; k <= kCurvePoints; ++k) checkpoints.push_back(budget * k / kCurvePoints);
  if (!args.json) {
    fmt::print("reference hypervolume {:.6g} (union of {} front members)\n", reference_hypervolume,
               pooled.size());
    fmt::print("hypervolume / reference, mean [min, max] over seeds, after n evaluations:\n");
    fmt::print("{:<8}", "n");
    for (const std::string& name : args.strategies) fmt::print(" {:>24}", name);
    fmt::print("\n");
  }
  std::map<std::string, std::vector<Summary>> curves;
  for (const std::string& name : args.strategies) {
    for (std::uint64_t n : checkpoints) {
      std::vector<double> ratios;
      for (const Run& run : runs[name])
        ratios.push_back(front_hypervolume(run.evaluations, n, spec, *reference) /
                         reference_hypervolume);
      curves[name].push_back(summarise(ratios));
    }
  }
  for (std::size_t k = 0; k < checkpoints.size(); ++k) {
    if (!args.json) fmt::print("{:<8}", checkpoints[k]);
    for (const std::string& name : args.strategies) {
      const Summary& s = curves[name][k];
      if (!args.json) fmt::print(" {:>8.4f} [{:.4f}, {:.4f}]", s.mean, s.lo, s.hi);
    }
    if (!args.json) fmt::print("\n");
  }
  if (!args.json) fmt::print("{:<8} {:>10} {:>14}\n", "strategy", "wall s", "strategy ms/design");
  for (const std::string& name : args.strategies) {
    double wall = 0, strategy = 0, designs = 0;
    nlohmann::json curve = nlohmann::json::array();
    for (std::size_t k = 0; k < checkpoints.size(); ++k)
      curve.push_back({{"evaluations", checkpoints[k]},
                       {"hypervolume_ratio_mean", curves[name][k].mean},
                       {"hypervolume_ratio_min", curves[name][k].lo},
                       {"hypervolume_ratio_max", curves[name][k].hi}});
    for (const Run& run : runs[name]) {
      wall += run.wall_seconds;
      strategy += run.strategy_seconds;
      designs += static_cast<double>(run.evaluations.size());
    }
    const double per_run = wall / static_cast<double>(args.seeds);
    const double strategy_ms = 1e3 * strategy / std::max(designs, 1.0);
    result["results"].push_back({{"strategy", name},
                                 {"curve", curve},
                                 {"wall_s_per_run", per_run},
                                 {"strategy_ms_per_design", strategy_ms}});
    if (!args.json) fmt::print("{:<8} {:>10.1f} {:>14.2f}\n", name, per_run, strategy_ms);
  }
  if (args.json) std::cout << result.dump(1) << "\n";
}

void run_bench_search(const Args& args) {
  const SpaceSpec spec = read_space_spec(args.space);
  const search::Space space = spec.space();
  const DesignEvaluator evaluator(spec, io::load_default_tech_library());
  const auto grid_size = space.grid_size();
  if (grid_size && *grid_size <= kMaxEnumerated) {
    run_enumerated(args, spec, space, evaluator, *grid_size);
  } else {
    run_reference_front(args, spec, space, evaluator);
  }
}

}  // namespace

void register_bench_search_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench-search",
      "Search quality: hypervolume reached by each strategy vs the true front of an enumerable "
      "grid, or vs a reference front from longer runs on a larger space");
  cmd->add_option("space", args->space, "Design-space spec")->required();
  cmd->add_option("--seeds", args->seeds, "Seeds per strategy and budget")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--budgets", args->budget_percents,
                  "Budgets in percent of the grid (enumerable spaces)")
      ->check(CLI::Range(0.0, 100.0))
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--evaluations", args->evaluations,
                  "Designs per run on a space too large to enumerate (> 2,000,000 designs)")
      ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{100'000'000}))
      ->capture_default_str();
  cmd->add_option("--reference-factor", args->reference_factor,
                  "Length of the reference runs (one per strategy) in multiples of "
                  "--evaluations (spaces too large to enumerate)")
      ->check(CLI::Range(1.0, 1000.0))
      ->capture_default_str();
  cmd->add_option("--strategies", args->strategies, "Strategies to compare")
      ->delimiter(',')
      ->check(CLI::IsMember(search::strategy_names()))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Evaluation threads (default: all cores)")
      ->check(threads_range());
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->callback([args] { run_bench_search(*args); });
}

}  // namespace accelscope::engine
