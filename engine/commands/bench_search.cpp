// accelscope bench-search SPACE [--seeds N] [--budgets 1,2,5] [--strategies ...] [--json]
//
// Search quality on a space small enough to enumerate: the grid gives the true front; each
// strategy, at budgets of a few percent of the grid and over several seeds, is scored by the
// hypervolume of the front it found over the true front's (same reference point). Every design is
// evaluated once, up front; strategies then read results from that table, so the benchmark
// measures search quality, not model speed.
#include <chrono>
#include <iostream>
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

struct Args {
  std::string space;
  std::size_t seeds = 5;
  std::vector<double> budget_percents{1, 2, 5};
  std::vector<std::string> strategies{"random", "nsga2", "bayes"};
  std::size_t threads = 0;
  bool json = false;
};

// Hypervolume of the feasible front among `evaluations` (natural-direction reference).
double front_hypervolume(const std::vector<const DesignResult*>& evaluations,
                         const DesignEvaluator& evaluator, const std::vector<double>& reference) {
  search::ParetoArchive archive(evaluator.spec().objectives.size());
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    const DesignResult& r = *evaluations[i];
    if (!r.failed && r.evaluation.violation == 0) archive.insert(i, r.evaluation.objectives, 0);
  }
  // The archive holds minimised objectives; the reference is in natural direction.
  std::vector<double> minimised_reference = reference;
  for (std::size_t o = 0; o < reference.size(); ++o)
    if (evaluator.spec().objectives[o].maximize) minimised_reference[o] = -reference[o];
  return archive.empty() ? 0 : archive.hypervolume(minimised_reference);
}

void run_bench_search(const Args& args) {
  const SpaceSpec spec = read_space_spec(args.space);
  const search::Space space = spec.space();
  const auto grid_size = space.grid_size();
  if (!grid_size || *grid_size > 2'000'000)
    throw std::runtime_error(args.space +
                             ": bench-search needs a discrete space of at most 2,000,000 designs");
  const DesignEvaluator evaluator(spec, io::load_default_tech_library());

  // The whole grid, once.
  const auto start = std::chrono::steady_clock::now();
  std::vector<search::Point> points;
  points.reserve(*grid_size);
  for (std::uint64_t i = 0; i < *grid_size; ++i) points.push_back(space.grid_point(i));
  const std::vector<DesignResult> table = evaluator.evaluate_all(points, args.threads);
  const double grid_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto reference = reference_point_for(spec, evaluator, args.threads);
  if (!reference) throw std::runtime_error(args.space + ": no design could be evaluated");
  std::vector<const DesignResult*> all;
  std::size_t feasible = 0;
  for (const DesignResult& r : table) {
    all.push_back(&r);
    feasible += !r.failed && r.evaluation.violation == 0;
  }
  const double true_hypervolume = front_hypervolume(all, evaluator, *reference);
  search::ParetoArchive true_front(spec.objectives.size());
  for (std::size_t i = 0; i < table.size(); ++i)
    if (!table[i].failed && table[i].evaluation.violation == 0)
      true_front.insert(i, table[i].evaluation.objectives, 0);

  nlohmann::json result = {{"space", spec.name},
                           {"grid_size", *grid_size},
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
        spec.name, *grid_size, feasible, true_front.size(), true_hypervolume, grid_seconds);
  if (!args.json)
    fmt::print("{:<8} {:>7} {:>8} {:>10} {:>10} {:>10} {:>10}\n", "strategy", "budget", "designs",
               "mean HV", "min HV", "max HV", "seconds");
  for (const std::string& name : args.strategies) {
    for (double percent : args.budget_percents) {
      const auto budget =
          static_cast<std::uint64_t>(std::ceil(static_cast<double>(*grid_size) * percent / 100));
      std::vector<double> ratios;
      double seconds = 0;
      for (std::size_t seed = 1; seed <= args.seeds; ++seed) {
        search::StrategyOptions options;
        options.seed = seed;
        options.budget = budget;
        options.objective_count = spec.objectives.size();
        options.batch_size = name == "bayes" ? 4 : 64;
        options.cheap_feasible = [&](const search::Point& p) {
          return evaluator.passes_area_limit(p);
        };
        const auto strategy_start = std::chrono::steady_clock::now();
        auto strategy = search::make_strategy(name, space, options);
        std::vector<const DesignResult*> seen;
        while (seen.size() < budget) {
          const std::vector<search::Point> asked = strategy->ask(options.batch_size);
          if (asked.empty()) break;
          std::vector<search::Evaluation> told;
          for (const search::Point& p : asked) {
            const DesignResult& r = table[space.grid_index(p)];
            seen.push_back(&r);
            told.push_back(r.evaluation);
          }
          strategy->tell(told);
        }
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - strategy_start)
                       .count();
        ratios.push_back(front_hypervolume(seen, evaluator, *reference) / true_hypervolume);
      }
      const double mean =
          std::accumulate(ratios.begin(), ratios.end(), 0.0) / static_cast<double>(ratios.size());
      const double lo = *std::min_element(ratios.begin(), ratios.end());
      const double hi = *std::max_element(ratios.begin(), ratios.end());
      result["results"].push_back({{"strategy", name},
                                   {"budget_percent", percent},
                                   {"budget", budget},
                                   {"hypervolume_ratio_mean", mean},
                                   {"hypervolume_ratio_min", lo},
                                   {"hypervolume_ratio_max", hi},
                                   {"hypervolume_ratios", ratios},
                                   {"seconds_per_run", seconds / static_cast<double>(args.seeds)}});
      if (!args.json)
        fmt::print("{:<8} {:>6.1f}% {:>8} {:>10.4f} {:>10.4f} {:>10.4f} {:>10.2f}\n", name, percent,
                   budget, mean, lo, hi, seconds / static_cast<double>(args.seeds));
    }
  }
  if (args.json) std::cout << result.dump(1) << "\n";
}

}  // namespace

void register_bench_search_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench-search",
      "Search quality: hypervolume reached by each strategy vs the true front of a grid");
  cmd->add_option("space", args->space, "Design-space spec with a fully discrete, enumerable grid")
      ->required();
  cmd->add_option("--seeds", args->seeds, "Seeds per strategy and budget")->capture_default_str();
  cmd->add_option("--budgets", args->budget_percents, "Budgets in percent of the grid")
      ->check(CLI::Range(0.0, 100.0))
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--strategies", args->strategies, "Strategies to compare")
      ->delimiter(',')
      ->check(CLI::IsMember(search::strategy_names()))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads,
                  "Threads for evaluating the grid (default: all cores)")
      ->check(threads_range());
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->callback([args] { run_bench_search(*args); });
}

}  // namespace accelscope::engine
