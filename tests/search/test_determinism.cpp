#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>

#include "problems.hpp"
#include "search/strategy.hpp"

using namespace accelscope::search;
using namespace accelscope::search::testing;
using Catch::Matchers::Contains;

namespace {

struct Config {
  std::string name;
  bool low_discrepancy = false;
  std::size_t batch = 7;  // not a divisor of the NSGA-II population: generations span asks
  std::size_t asks = 0;   // per half of the resume test
};

std::vector<Config> configs() {
  return {{"random", false, 7, 8}, {"random", true, 7, 8}, {"nsga2", false, 7, 14},
          {"nsga3", false, 7, 14}, {"bayes", false, 3, 8}, {"turbo", false, 3, 12},
          {"grid", false, 7, 8}};
}

// ask(batch) / tell `asks` times (the engine's loop with a fixed batch size).
RunRecord run_asks(Strategy& strategy, const std::function<Evaluation(const Point&)>& evaluate,
                   std::size_t batch, std::size_t asks) {
  RunRecord record;
  for (std::size_t round = 0; round < asks; ++round) {
    const auto points = strategy.ask(batch);
    std::vector<Evaluation> results;
    for (const auto& point : points) results.push_back(evaluate(point));
    strategy.tell(results);
    record.asks.push_back(points);
    record.evaluations.insert(record.evaluations.end(), results.begin(), results.end());
  }
  return record;
}

StrategyOptions options_for(const Config& config, std::uint64_t seed, bool constrained_problem) {
  StrategyOptions options;
  options.seed = seed;
  options.objective_count = 2;
  options.batch_size = config.batch;
  options.low_discrepancy = config.low_discrepancy;
  options.nsga2.population_size = 12;
  options.turbo.initial_points = 10;  // the model (and its regions) take part within a few asks
  // Prefer (but do not require) small lane counts, so the predicate takes part in the replay.
  if (constrained_problem) options.cheap_feasible = [](const Point& p) { return p[0] < 12; };
  return options;
}

std::string label(const Config& config) {
  return config.name + (config.low_discrepancy ? " (low discrepancy)" : "");
}

}  // namespace

TEST_CASE("determinism: the same seed asks the same points, another seed others",
          "[search][determinism]") {
  const GridProblem problem{true};
  const Space space = problem.space();
  const auto evaluate = [&](const Point& p) { return problem.evaluate(p); };
  for (const auto& config : configs()) {
    INFO(label(config));
    auto first = make_strategy(config.name, space, options_for(config, 17, true));
    auto second = make_strategy(config.name, space, options_for(config, 17, true));
    const auto a = run_asks(*first, evaluate, config.batch, 2 * config.asks);
    const auto b = run_asks(*second, evaluate, config.batch, 2 * config.asks);
    REQUIRE(a.asks.size() == b.asks.size());
    CHECK(a.asks == b.asks);
    if (config.name == "grid") continue;  // no randomness
    auto other = make_strategy(config.name, space, options_for(config, 18, true));
    CHECK(run_asks(*other, evaluate, config.batch, 2 * config.asks).asks != a.asks);
  }
}

TEST_CASE("determinism: a replayed strategy continues exactly like the uninterrupted one",
          "[search][determinism]") {
  const GridProblem problem{true};
  const Space space = problem.space();
  const auto evaluate = [&](const Point& p) { return problem.evaluate(p); };
  for (const auto& config : configs()) {
    INFO(label(config));
    // A: 2k asks in one go.
    auto uninterrupted = make_strategy(config.name, space, options_for(config, 5, true));
    const auto full = run_asks(*uninterrupted, evaluate, config.batch, 2 * config.asks);

    // B: k asks, with the history stored the way the engine stores it, then destroyed.
    std::vector<HistoryBatch> history;
    {
      auto first_half = make_strategy(config.name, space, options_for(config, 5, true));
      const auto half = run_asks(*first_half, evaluate, config.batch, config.asks);
      std::size_t next = 0;
      for (const auto& asked : half.asks) {
        HistoryBatch batch;
        batch.requested = config.batch;
        const auto begin = half.evaluations.begin() + static_cast<std::ptrdiff_t>(next);
        batch.results.assign(begin, begin + static_cast<std::ptrdiff_t>(asked.size()));
        // Results arrive in completion order, not ask order.
        std::reverse(batch.results.begin(), batch.results.end());
        next += asked.size();
        history.push_back(std::move(batch));
      }
    }

    // C: re-created, replayed, continued.
    auto resumed = make_strategy(config.name, space, options_for(config, 5, true));
    replay(*resumed, space, history);
    const std::vector<std::vector<Point>> first_half_asks(
        full.asks.begin(), full.asks.begin() + static_cast<std::ptrdiff_t>(config.asks));
    std::uint64_t first_half_points = 0;
    for (const auto& asked : first_half_asks) first_half_points += asked.size();
    CHECK(resumed->asked_count() == first_half_points);
    const auto rest = run_asks(*resumed, evaluate, config.batch, config.asks);
    const std::vector<std::vector<Point>> expected(
        full.asks.begin() + static_cast<std::ptrdiff_t>(config.asks), full.asks.end());
    CHECK(rest.asks == expected);
  }
}

TEST_CASE("determinism: replay notices a history that does not match", "[search][determinism]") {
  const GridProblem problem;
  const Space space = problem.space();
  const Config config{"nsga2", false, 7, 0};
  auto original = make_strategy("nsga2", space, options_for(config, 1, false));
  const auto record = run_asks(
      *original, [&](const Point& p) { return problem.evaluate(p); }, 7, 4);
  std::vector<HistoryBatch> history;
  std::size_t next = 0;
  for (const auto& asked : record.asks) {
    const auto begin = record.evaluations.begin() + static_cast<std::ptrdiff_t>(next);
    history.push_back(
        {7, std::vector<Evaluation>(begin, begin + static_cast<std::ptrdiff_t>(asked.size()))});
    next += asked.size();
  }
  auto same_seed = make_strategy("nsga2", space, options_for(config, 1, false));
  CHECK_NOTHROW(replay(*same_seed, space, history));
  auto other_seed = make_strategy("nsga2", space, options_for(config, 2, false));
  CHECK_THROWS_WITH(replay(*other_seed, space, history), Contains("diverged at batch 0"));
}

TEST_CASE("protocol: untold points are dropped and never proposed again", "[search][determinism]") {
  const GridProblem problem;
  const Space space = problem.space();
  for (const std::string name : {"random", "nsga2", "bayes"}) {
    INFO(name);
    StrategyOptions options;
    options.objective_count = 2;
    options.batch_size = 5;
    auto strategy = make_strategy(name, space, options);
    std::set<std::string> asked;
    for (int round = 0; round < 6; ++round) {
      const auto points = strategy->ask(5);
      REQUIRE(!points.empty());
      std::vector<Evaluation> results;
      for (const auto& point : points) {
        CHECK(asked.insert(space.key(point)).second);  // never asked before, told or not
        if (results.size() < 3) results.push_back(problem.evaluate(point));  // two get lost
      }
      strategy->tell(results);
      strategy->tell(results);  // telling again is ignored
    }
  }
}

TEST_CASE("protocol: told points that were never asked (warm start) are not proposed",
          "[search][determinism]") {
  Space space(
      {Dimension::numeric_levels("a", {1, 2, 3, 4}), Dimension::numeric_levels("b", {1, 2, 3})});
  for (const std::string name : {"random", "nsga2", "bayes"}) {
    INFO(name);
    StrategyOptions options;
    options.batch_size = 4;
    auto strategy = make_strategy(name, space, options);
    std::vector<Evaluation> warm;
    for (std::uint64_t i = 0; i < 12; i += 2) {
      Evaluation evaluation;
      evaluation.point = space.grid_point(i);
      evaluation.objectives = {static_cast<double>(i)};
      warm.push_back(evaluation);
    }
    strategy->tell(warm);
    std::set<std::uint64_t> proposed;
    for (auto points = strategy->ask(4); !points.empty(); points = strategy->ask(4)) {
      std::vector<Evaluation> results;
      for (const auto& point : points) {
        const std::uint64_t index = space.grid_index(point);
        CHECK(index % 2 == 1);
        CHECK(proposed.insert(index).second);
        Evaluation evaluation;
        evaluation.point = point;
        evaluation.objectives = {static_cast<double>(index)};
        results.push_back(evaluation);
      }
      strategy->tell(results);
    }
    CHECK(proposed.size() == 6);  // the space is used up exactly
  }
}
