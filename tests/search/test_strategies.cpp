#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "problems.hpp"
#include "search/strategy.hpp"

using namespace accelscope::search;
using namespace accelscope::search::testing;
using Catch::Matchers::Contains;

namespace {

StrategyOptions two_objectives(std::uint64_t seed, std::uint64_t budget) {
  StrategyOptions options;
  options.seed = seed;
  options.budget = budget;
  options.objective_count = 2;
  return options;
}

Evaluation result(Point point, std::vector<double> objectives, double violation = 0.0) {
  Evaluation evaluation;
  evaluation.point = std::move(point);
  evaluation.objectives = std::move(objectives);
  evaluation.violation = violation;
  return evaluation;
}

std::set<std::string> keys_of(const Space& space, const std::vector<Evaluation>& evaluations) {
  std::set<std::string> keys;
  for (const auto& evaluation : evaluations) keys.insert(space.key(evaluation.point));
  return keys;
}

}  // namespace

TEST_CASE("strategies: the synthetic problem is non-trivial", "[search][strategy]") {
  GridProblem unconstrained;
  GridProblem constrained{true};
  CHECK(unconstrained.space().grid_size() == 3072u);
  const auto free_front = unconstrained.true_front();
  const auto feasible_front = constrained.true_front();
  CHECK(free_front.size() >= 20);
  CHECK(feasible_front.size() >= 15);
  // The constraint cuts the unconstrained front: some of its points are infeasible.
  std::size_t cut = 0;
  for (const auto& evaluation : constrained.enumerate()) {
    if (evaluation.feasible()) continue;
    for (const auto& front_point : free_front) cut += evaluation.objectives == front_point;
  }
  CHECK(cut > 0);
}

TEST_CASE("grid: streams the whole grid once, in order, and finds the exact front",
          "[search][strategy][grid]") {
  const GridProblem problem;
  const Space space = problem.space();
  auto grid = make_strategy("grid", space, two_objectives(0, 0));
  CHECK(grid->name() == "grid");
  const auto record = run(
      *grid, [&](const Point& p) { return problem.evaluate(p); }, 100, 10000);
  REQUIRE(record.evaluations.size() == 3072);
  for (std::uint64_t i = 0; i < 3072; ++i) {
    REQUIRE(space.grid_index(record.evaluations[i].point) == i);
  }
  CHECK(grid->ask(10).empty());
  CHECK(hypervolume_ratio(problem, record.evaluations) == Approx(1.0));
}

TEST_CASE("grid: shards partition the grid exactly", "[search][strategy][grid]") {
  Space space({Dimension::numeric_levels("a", {1, 2, 3, 4, 5}),
               Dimension::ordinal_levels("b", {"1", "2", "3", "4", "5", "6", "7"}),
               Dimension::categorical_levels("c", {"x", "y", "z"})});
  for (std::uint64_t shard_count : {1u, 2u, 4u, 7u, 200u}) {
    std::vector<int> hits(105, 0);
    for (std::uint64_t shard = 0; shard < shard_count; ++shard) {
      StrategyOptions options;
      options.shard_index = shard;
      options.shard_count = shard_count;
      auto grid = make_strategy("grid", space, options);
      std::uint64_t previous = 0;
      bool first = true;
      for (auto batch = grid->ask(8); !batch.empty(); batch = grid->ask(8)) {
        for (const auto& point : batch) {
          const std::uint64_t index = space.grid_index(point);
          CHECK(index % shard_count == shard);  // strided shards
          CHECK((first || index == previous + shard_count));
          previous = index;
          first = false;
          ++hits[index];
        }
      }
    }
    INFO("shards: " << shard_count);
    CHECK(std::count(hits.begin(), hits.end(), 1) == 105);
  }
}

TEST_CASE("grid: budget and the cheap predicate", "[search][strategy][grid]") {
  Space space(
      {Dimension::numeric_levels("a", {1, 2, 3, 4}), Dimension::numeric_levels("b", {1, 2, 3})});
  StrategyOptions options;
  options.budget = 5;
  auto limited = make_strategy("grid", space, options);
  CHECK(limited->ask(3).size() == 3);
  CHECK(limited->ask(3).size() == 2);
  CHECK(limited->ask(3).empty());
  CHECK(limited->asked_count() == 5);

  options.budget = 0;
  options.cheap_feasible = [](const Point& p) { return p[0] + p[1] <= 2; };
  auto filtered = make_strategy("grid", space, options);
  const auto points = filtered->ask(100);
  CHECK(points.size() == 6);  // (0,0) (0,1) (0,2) (1,0) (1,1) (2,0)
  for (const auto& point : points) CHECK(point[0] + point[1] <= 2);
}

TEST_CASE("random: never repeats and stops exactly when the grid is used up",
          "[search][strategy][random]") {
  const GridProblem problem;
  const Space space = problem.space();
  for (bool low_discrepancy : {false, true}) {
    StrategyOptions options = two_objectives(42, 0);
    options.low_discrepancy = low_discrepancy;
    auto random = make_strategy("random", space, options);
    const auto record = run(
        *random, [&](const Point& p) { return problem.evaluate(p); }, 64, 10000);
    INFO("low discrepancy: " << low_discrepancy);
    CHECK(record.evaluations.size() == 3072);
    CHECK(keys_of(space, record.evaluations).size() == 3072);
    CHECK(random->ask(1).empty());
    // Not an enumeration in grid order.
    CHECK(space.grid_index(record.evaluations[1].point) != 1);
    CHECK(hypervolume_ratio(problem, record.evaluations) == Approx(1.0));
  }
}

TEST_CASE("random: skips points the cheap predicate rejects", "[search][strategy][random]") {
  const GridProblem problem;
  const Space space = problem.space();
  StrategyOptions options = two_objectives(3, 0);
  options.cheap_feasible = [](const Point& p) { return p[0] < 4 && p[2] != 3; };  // 4*12*3*4 pts
  auto random = make_strategy("random", space, options);
  const auto record = run(
      *random, [&](const Point& p) { return problem.evaluate(p); }, 50, 10000);
  CHECK(record.evaluations.size() == 4 * 12 * 3 * 4);
  CHECK(keys_of(space, record.evaluations).size() == record.evaluations.size());
  for (const auto& evaluation : record.evaluations) CHECK(options.cheap_feasible(evaluation.point));
}

TEST_CASE("random: continuous spaces, budget, and scrambled Halton stratification",
          "[search][strategy][random]") {
  Space space({Dimension::continuous_range("x", 0.0, 1.0),
               Dimension::continuous_range("f_ghz", 0.1, 10.0, true)});
  StrategyOptions options;
  options.budget = 27;
  options.low_discrepancy = true;
  auto random = make_strategy("random", space, options);
  const auto points = random->ask(100);
  REQUIRE(points.size() == 27);
  CHECK(random->ask(1).empty());
  // Base 2 along x: the first 8 points fall one in each eighth; base 3 along log(f): the first 9
  // one in each ninth.
  std::set<int> eighths, ninths;
  for (std::size_t i = 0; i < 9; ++i) {
    CHECK(space.contains(points[i]));
    if (i < 8) eighths.insert(static_cast<int>(points[i][0] * 8));
    ninths.insert(static_cast<int>(space.normalised_coordinate(1, points[i][1]) * 9));
  }
  CHECK(eighths.size() == 8);
  CHECK(ninths.size() == 9);
}

TEST_CASE("nsga2: reaches 95% of the true hypervolume within 600 of 3072 points",
          "[search][strategy][nsga2]") {
  const GridProblem problem;
  const Space space = problem.space();
  const auto evaluate = [&](const Point& p) { return problem.evaluate(p); };
  for (std::uint64_t seed : {1u, 2u}) {
    auto nsga2 = make_strategy("nsga2", space, two_objectives(seed, 600));
    CHECK(nsga2->name() == "nsga2");
    const auto record = run(*nsga2, evaluate, 10, 10000);
    CHECK(record.evaluations.size() == 600);
    CHECK(nsga2->ask(1).empty());  // budget spent
    CHECK(keys_of(space, record.evaluations).size() == 600);
    CHECK(hypervolume_ratio(problem, record.evaluations) >= 0.95);
  }
  // The threshold is meaningful: random search with the same budget falls short of it.
  auto random = make_strategy("random", space, two_objectives(1, 600));
  CHECK(hypervolume_ratio(problem, run(*random, evaluate, 10, 600).evaluations) < 0.95);
}

TEST_CASE("bayes: reaches 95% of the true hypervolume within 150 of 3072 points",
          "[search][strategy][bayes]") {
  const GridProblem problem;
  const Space space = problem.space();
  StrategyOptions options = two_objectives(1, 150);
  options.batch_size = 4;
  auto bayes = make_strategy("bayes", space, options);
  CHECK(bayes->name() == "bayes");
  const auto record = run(
      *bayes, [&](const Point& p) { return problem.evaluate(p); }, 4, 10000);
  CHECK(record.evaluations.size() == 150);
  CHECK(keys_of(space, record.evaluations).size() == 150);
  for (const auto& ask : record.asks) CHECK(ask.size() <= 4);
  CHECK(hypervolume_ratio(problem, record.evaluations) >= 0.95);
  auto random = make_strategy("random", space, two_objectives(1, 150));
  CHECK(hypervolume_ratio(problem,
                          run(
                              *random, [&](const Point& p) { return problem.evaluate(p); }, 4, 150)
                              .evaluations) < 0.9);
}

TEST_CASE("constraints: nsga2 (600 points) and bayes (120) find the feasible front",
          "[search][strategy]") {
  const GridProblem problem{true};
  const Space space = problem.space();
  const auto evaluate = [&](const Point& p) { return problem.evaluate(p); };
  auto nsga2 = make_strategy("nsga2", space, two_objectives(1, 600));
  const auto nsga2_record = run(*nsga2, evaluate, 10, 10000);
  CHECK(hypervolume_ratio(problem, nsga2_record.evaluations) >= 0.95);

  StrategyOptions options = two_objectives(1, 120);
  options.batch_size = 4;
  auto bayes = make_strategy("bayes", space, options);
  const auto bayes_record = run(*bayes, evaluate, 4, 10000);
  CHECK(hypervolume_ratio(problem, bayes_record.evaluations) >= 0.95);

  // The infeasible points that would dominate the feasible front never enter it.
  for (const auto* record : {&nsga2_record, &bayes_record}) {
    ParetoArchive archive(2);
    std::uint64_t id = 0;
    std::size_t infeasible_dominating = 0;
    for (const auto& evaluation : record->evaluations)
      archive.insert(id++, evaluation.objectives, evaluation.violation);
    for (const auto& entry : archive.entries()) {
      CHECK(record->evaluations[entry.id].feasible());
    }
    for (const auto& evaluation : record->evaluations) {
      if (evaluation.feasible()) continue;
      for (const auto& entry : archive.entries()) {
        infeasible_dominating += dominates(evaluation.objectives, entry.objectives);
      }
    }
    CHECK(infeasible_dominating > 0);  // the search did meet such points
  }
}

TEST_CASE("cheap predicate: nsga2 and bayes propose only points it accepts when they can",
          "[search][strategy]") {
  const GridProblem problem{true};
  const Space space = problem.space();
  for (const std::string name : {"nsga2", "bayes"}) {
    StrategyOptions options = two_objectives(5, name == "bayes" ? 40 : 200);
    options.batch_size = 4;
    // Exactly the constraint: candidates are filtered before evaluation.
    options.cheap_feasible = [&](const Point& p) { return problem.evaluate(p).feasible(); };
    auto strategy = make_strategy(name, space, options);
    const auto record = run(
        *strategy, [&](const Point& p) { return problem.evaluate(p); }, 4, 10000);
    INFO(name);
    CHECK(record.evaluations.size() == options.budget);
    for (const auto& evaluation : record.evaluations) CHECK(evaluation.feasible());
  }
}

TEST_CASE("failed evaluations do not stop the search", "[search][strategy]") {
  const GridProblem problem;
  const Space space = problem.space();
  // Every fourth lane count fails (NaN objectives or infinite violation).
  const auto evaluate = [&](const Point& p) {
    Evaluation evaluation = problem.evaluate(p);
    if (static_cast<int>(p[0]) % 4 == 1) evaluation.objectives[0] = std::nan("");
    if (static_cast<int>(p[0]) % 4 == 2)
      evaluation.violation = std::numeric_limits<double>::infinity();
    return evaluation;
  };
  for (const std::string name : {"nsga2", "bayes"}) {
    StrategyOptions options = two_objectives(9, name == "bayes" ? 40 : 200);
    options.batch_size = 4;
    auto strategy = make_strategy(name, space, options);
    const auto record = run(*strategy, evaluate, 4, 10000);
    INFO(name);
    CHECK(record.evaluations.size() == options.budget);
    CHECK(keys_of(space, record.evaluations).size() == options.budget);
    std::size_t feasible = 0;
    for (const auto& evaluation : record.evaluations)
      feasible += effective_violation(evaluation) == 0.0;
    CHECK(feasible > options.budget / 2);  // it learnt to avoid the failing levels
  }
}

TEST_CASE("strategies: bad inputs throw clear messages", "[search][strategy]") {
  const Space space({Dimension::numeric_levels("a", {1, 2, 3})});
  StrategyOptions options;
  CHECK_THROWS_WITH(make_strategy("annealing", space, options),
                    Contains("annealing") && Contains("grid, random, nsga2, nsga3, bayes, turbo"));
  CHECK_THROWS_AS(make_strategy("annealing", space, options), std::invalid_argument);
  CHECK_THROWS_WITH(make_strategy("random", Space{}, options), Contains("no dimensions"));
  CHECK_THROWS_WITH(Space({Dimension::numeric_levels("pe_rows", {})}), Contains("zero levels"));
  StrategyOptions no_objectives;
  no_objectives.objective_count = 0;
  CHECK_THROWS_WITH(make_strategy("nsga2", space, no_objectives), Contains("objective"));
  StrategyOptions bad_shard;
  bad_shard.shard_index = 2;
  bad_shard.shard_count = 2;
  CHECK_THROWS_WITH(make_strategy("grid", space, bad_shard), Contains("shard"));
  const Space mixed(
      {Dimension::numeric_levels("a", {1, 2}), Dimension::continuous_range("x", 0, 1)});
  CHECK_THROWS_WITH(make_strategy("grid", mixed, options), Contains("discrete"));

  auto strategy = make_strategy("random", space, options);
  const auto points = strategy->ask(1);
  REQUIRE(points.size() == 1);
  CHECK_THROWS_WITH(strategy->tell({result(points[0], {1.0, 2.0})}), Contains("objectives"));
  CHECK_THROWS_WITH(strategy->tell({result({7}, {1.0})}), Contains("level index"));
  CHECK_THROWS_WITH(strategy->tell({result(points[0], {1.0}, -1.0)}), Contains("negative"));
}

TEST_CASE("mixed continuous space: nsga2 and bayes approach the analytic front",
          "[search][strategy]") {
  // ZDT1-like: x in [0,1], a log-scaled size s in [0.1, 10] optimal at 10^0.3, and a categorical
  // choice optimal at "b". The front is f2 = 1 - sqrt(f1); its hypervolume for the reference
  // (1.1, 1.1) is the integral of 0.1 + sqrt(x) over [0,1] plus the strip 0.1 x 1.1.
  const Space space({Dimension::continuous_range("x", 0.0, 1.0),
                     Dimension::continuous_range("s", 0.1, 10.0, true),
                     Dimension::categorical_levels("c", {"a", "b", "c"})});
  const auto evaluate = [](const Point& p) {
    const double g = 1.0 + std::abs(std::log10(p[1]) - 0.3) + (p[2] == 1 ? 0.0 : 0.5);
    return result(p, {p[0], g * (1.0 - std::sqrt(p[0] / g))});
  };
  const std::vector<double> reference = {1.1, 1.1};
  const double true_hypervolume = 0.1 + 2.0 / 3.0 + 0.11;
  const auto ratio = [&](const RunRecord& record) {
    for (const auto& evaluation : record.evaluations) CHECK(space.contains(evaluation.point));
    return front_hypervolume(record.evaluations, reference) / true_hypervolume;
  };

  auto nsga2 = make_strategy("nsga2", space, two_objectives(1, 1000));
  CHECK(ratio(run(*nsga2, evaluate, 10, 10000)) >= 0.95);
  StrategyOptions options = two_objectives(1, 80);
  options.batch_size = 4;
  auto bayes = make_strategy("bayes", space, options);
  CHECK(ratio(run(*bayes, evaluate, 4, 10000)) >= 0.9);
  // Random search with the larger budget stays below both.
  auto random = make_strategy("random", space, two_objectives(1, 1000));
  CHECK(ratio(run(*random, evaluate, 10, 10000)) < 0.95);
}

TEST_CASE("bayes: a capped training set keeps working", "[search][strategy][bayes]") {
  const GridProblem problem{true};
  const Space space = problem.space();
  StrategyOptions options = two_objectives(4, 70);
  options.batch_size = 5;
  options.bayes.max_training_points = 24;  // well below the 70 evaluations
  options.bayes.initial_points = 12;
  auto bayes = make_strategy("bayes", space, options);
  const auto record = run(
      *bayes, [&](const Point& p) { return problem.evaluate(p); }, 5, 10000);
  CHECK(record.evaluations.size() == 70);
  CHECK(keys_of(space, record.evaluations).size() == 70);
  // Better than the initial design alone.
  const std::vector<Evaluation> initial(record.evaluations.begin(),
                                        record.evaluations.begin() + 12);
  CHECK(hypervolume_ratio(problem, record.evaluations) > hypervolume_ratio(problem, initial) + 0.1);
}

TEST_CASE("strategies: bad knobs throw", "[search][strategy]") {
  const Space space({Dimension::numeric_levels("a", {1, 2, 3})});
  StrategyOptions options;
  options.nsga2.crossover_probability = 1.5;
  CHECK_THROWS_WITH(make_strategy("nsga2", space, options), Contains("[0, 1]"));
  options.nsga2.crossover_probability = 0.9;
  options.nsga2.mutation_eta = -1.0;
  CHECK_THROWS_AS(make_strategy("nsga2", space, options), std::invalid_argument);
}
