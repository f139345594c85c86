// Strategies for large budgets and many objectives: turbo (trust-region BO with local GPs), nsga3
// (reference directions), and hypervolume for 4-6 objectives (exact where cheap, Monte Carlo with
// a standard error otherwise), on problems with known answers.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <set>

#include "problems.hpp"
#include "search/detail/reference_directions.hpp"
#include "search/detail/rng.hpp"
#include "search/hypervolume.hpp"
#include "search/strategy.hpp"

using namespace accelscope::search;
using namespace accelscope::search::testing;

namespace {

std::string variable_name(std::size_t i) {
  std::string name = std::to_string(i);
  name.insert(0, 1, 'x');
  return name;
}

StrategyOptions options_for(std::size_t objectives, std::uint64_t seed, std::uint64_t budget) {
  StrategyOptions options;
  options.seed = seed;
  options.budget = budget;
  options.objective_count = objectives;
  return options;
}

// DTLZ2 (Deb et al. 2002) with M objectives and M + 4 variables in [0, 1]: the Pareto front is the
// positive orthant of the unit sphere, reached when the last 5 variables are 0.5.
struct Dtlz2 {
  std::size_t objectives = 3;

  Space space() const {
    Space result;
    for (std::size_t i = 0; i < objectives + 4; ++i) {
      result.add(Dimension::continuous_range(variable_name(i), 0.0, 1.0));
    }
    return result;
  }

  Evaluation evaluate(const Point& x) const {
    double g = 0.0;
    for (std::size_t i = objectives - 1; i < x.size(); ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
    Evaluation evaluation;
    evaluation.point = x;
    evaluation.objectives.assign(objectives, 1.0 + g);
    for (std::size_t m = 0; m < objectives; ++m) {
      for (std::size_t i = 0; i + m + 1 < objectives; ++i) {
        evaluation.objectives[m] *= std::cos(x[i] * std::numbers::pi / 2);
      }
      if (m > 0) evaluation.objectives[m] *= std::sin(x[objectives - 1 - m] * std::numbers::pi / 2);
    }
    return evaluation;
  }
};

std::vector<std::vector<double>> front_of(const std::vector<Evaluation>& evaluations,
                                          std::size_t objectives) {
  ParetoArchive archive(objectives);
  std::uint64_t id = 0;
  for (const auto& evaluation : evaluations) {
    archive.insert(id++, evaluation.objectives, evaluation.violation);
  }
  return archive.objective_vectors();
}

// How many reference directions (of `divisions`) have a front member within `angle_rad` of them: a
// measure of spread along the spherical front.
std::size_t covered_directions(const std::vector<std::vector<double>>& front,
                               std::size_t objectives, std::size_t divisions, double angle_rad) {
  const auto directions = detail::das_dennis_directions(objectives, divisions);
  std::size_t covered = 0;
  for (const auto& direction : directions) {
    double norm = 0.0;
    for (double w : direction) norm += w * w;
    norm = std::sqrt(norm);
    for (const auto& point : front) {
      double dot = 0.0;
      double point_norm = 0.0;
      for (std::size_t m = 0; m < objectives; ++m) {
        dot += point[m] * direction[m];
        point_norm += point[m] * point[m];
      }
      if (dot / (norm * std::sqrt(point_norm)) > std::cos(angle_rad)) {
        ++covered;
        break;
      }
    }
  }
  return covered;
}

}  // namespace

TEST_CASE("reference directions: Das-Dennis counts and the simplex", "[search][nsga3]") {
  const auto directions = detail::das_dennis_directions(3, 12);
  CHECK(directions.size() == 91);  // C(14, 2)
  CHECK(detail::das_dennis_directions(4, 6).size() == 84);
  CHECK(detail::das_dennis_directions(5, 3).size() == 35);
  for (const auto& w : directions) {
    double sum = 0.0;
    for (double v : w) sum += v;
    CHECK(sum == Approx(1.0));
  }
  CHECK(std::set<std::vector<double>>(directions.begin(), directions.end()).size() == 91);
  CHECK(detail::divisions_for(3, 91) == 12);
  CHECK(detail::divisions_for(3, 90) == 11);
  CHECK(detail::divisions_for(8, 2) == 1);
}

TEST_CASE("nsga3: normalisation maps the extreme points to the unit intercepts",
          "[search][nsga3]") {
  // A linear front x + y/2 + z/4 = 1 shifted by (1, 1, 1): intercepts 1, 2, 4 above the ideal.
  const std::vector<std::vector<double>> objectives{
      {2, 1, 1}, {1, 3, 1}, {1, 1, 5}, {1.5, 2, 1}, {1.25, 1.5, 3}};
  const auto normalised = detail::normalise_objectives(objectives, {0, 1, 2, 3, 4});
  for (const auto& point : normalised) {
    CHECK(point[0] + point[1] + point[2] == Approx(1.0));
  }
  CHECK(normalised[2][2] == Approx(1.0));
}

TEST_CASE("nsga3: converges to and spreads over the DTLZ2 sphere (3 and 4 objectives)",
          "[search][nsga3]") {
  for (std::size_t objectives : {3u, 4u}) {
    INFO(objectives << " objectives");
    const Dtlz2 problem{objectives};
    const std::size_t divisions = objectives == 3 ? 12 : 6;  // 91 and 84 directions
    const std::size_t directions = detail::das_dennis_directions(objectives, divisions).size();
    StrategyOptions options = options_for(objectives, 3, 92 * 150);
    options.nsga2.population_size = 92;
    options.nsga3.reference_divisions = divisions;
    std::size_t last_generation_coverage[2] = {0, 0};
    for (const std::string name : {"nsga2", "nsga3"}) {
      auto strategy = make_strategy(name, problem.space(), options);
      CHECK(strategy->name() == name);
      const auto record = run(
          *strategy, [&](const Point& p) { return problem.evaluate(p); }, 92, options.budget);
      REQUIRE(record.evaluations.size() == options.budget);
      // The last generation: its non-dominated members lie on the sphere.
      const std::vector<Evaluation> last(record.evaluations.end() - 92, record.evaluations.end());
      const auto front = front_of(last, objectives);
      last_generation_coverage[name == "nsga3"] =
          covered_directions(front, objectives, divisions, 0.08);
      if (name == "nsga2") continue;
      double worst_radius_error = 0.0;
      for (const auto& point : front) {
        double radius = 0.0;
        for (double f : point) radius += f * f;
        worst_radius_error = std::max(worst_radius_error, std::abs(std::sqrt(radius) - 1.0));
      }
      CHECK(front.size() >= 60);
      CHECK(worst_radius_error < 0.05);
      // Everything found covers every reference direction closely.
      CHECK(covered_directions(front_of(record.evaluations, objectives), objectives, divisions,
                               0.05) >= directions * 95 / 100);
    }
    // With four objectives crowding distance loses the spread that reference directions keep
    // (measured: 10 against 42 of 84 directions for seed 3).
    if (objectives == 4) CHECK(last_generation_coverage[1] >= 2 * last_generation_coverage[0]);
  }
}

TEST_CASE("nsga2 and nsga3 default populations pick their own reference directions",
          "[search][nsga3]") {
  const Dtlz2 problem{5};
  auto nsga3 = make_strategy("nsga3", problem.space(), options_for(5, 1, 400));
  const auto record = run(
      *nsga3, [&](const Point& p) { return problem.evaluate(p); }, 64, 400);
  CHECK(record.evaluations.size() == 400);
}

TEST_CASE("turbo: minimises a smooth function (6-D sphere) with a local GP", "[search][turbo]") {
  Space space;
  for (std::size_t i = 0; i < 6; ++i)
    space.add(Dimension::continuous_range(variable_name(i), 0, 1));
  const auto evaluate = [](const Point& x) {
    Evaluation evaluation;
    evaluation.point = x;
    double f = 0.0;
    for (double v : x) f += (v - 0.3) * (v - 0.3);
    evaluation.objectives = {f};
    return evaluation;
  };
  StrategyOptions options = options_for(1, 4, 120);
  options.batch_size = 4;
  options.turbo.local_points = 60;
  auto turbo = make_strategy("turbo", space, options);
  const auto record = run(*turbo, evaluate, 4, 120);
  double best = 1e9;
  for (const auto& evaluation : record.evaluations) best = std::min(best, evaluation.objectives[0]);
  CHECK(best < 2e-3);  // a random point scores ~0.6 on average
  auto random = make_strategy("random", space, options_for(1, 4, 120));
  double random_best = 1e9;
  for (const auto& evaluation : run(*random, evaluate, 4, 120).evaluations) {
    random_best = std::min(random_best, evaluation.objectives[0]);
  }
  CHECK(random_best > 10 * best);
}

TEST_CASE("turbo: reaches 95% of the true hypervolume within 200 of 3072 points, constrained too",
          "[search][turbo]") {
  for (bool constrained : {false, true}) {
    INFO((constrained ? "constrained" : "unconstrained"));
    const GridProblem problem{constrained};
    const Space space = problem.space();
    StrategyOptions options = options_for(2, 1, 200);
    options.batch_size = 4;
    auto turbo = make_strategy("turbo", space, options);
    CHECK(turbo->name() == "turbo");
    const auto record = run(
        *turbo, [&](const Point& p) { return problem.evaluate(p); }, 4, 10000);
    CHECK(record.evaluations.size() == 200);
    std::set<std::string> keys;
    for (const auto& evaluation : record.evaluations) keys.insert(space.key(evaluation.point));
    CHECK(keys.size() == 200);
    for (const auto& ask : record.asks) CHECK(ask.size() <= 4);
    CHECK(hypervolume_ratio(problem, record.evaluations) >= 0.95);
  }
}

TEST_CASE("turbo: a local training set far smaller than the history keeps working",
          "[search][turbo]") {
  const GridProblem problem;
  StrategyOptions options = options_for(2, 2, 400);
  options.batch_size = 8;
  options.turbo.local_points = 24;
  options.turbo.trust_regions = 2;
  auto turbo = make_strategy("turbo", problem.space(), options);
  const auto record = run(
      *turbo, [&](const Point& p) { return problem.evaluate(p); }, 8, 400);
  CHECK(record.evaluations.size() == 400);
  CHECK(hypervolume_ratio(problem, record.evaluations) >= 0.9);
}

TEST_CASE("turbo: bad knobs throw", "[search][turbo]") {
  const GridProblem problem;
  StrategyOptions options = options_for(2, 1, 10);
  options.turbo.trust_regions = 0;
  CHECK_THROWS_WITH(make_strategy("turbo", problem.space(), options),
                    Catch::Matchers::Contains("trust_regions >= 1"));
  options.turbo.trust_regions = 2;
  options.turbo.length_min = 2.0;
  CHECK_THROWS_AS(make_strategy("turbo", problem.space(), options), std::invalid_argument);
}

TEST_CASE("hypervolume: known values in 4-6 objectives, exact and Monte Carlo",
          "[search][hypervolume]") {
  for (std::size_t d : {4u, 5u, 6u}) {
    INFO(d << " objectives");
    // One point per axis at 0.5 on it and 0 elsewhere, reference 1: a sample is undominated only
    // when every coordinate is below 0.5, so the hypervolume is 1 - 0.5^d.
    std::vector<std::vector<double>> points;
    for (std::size_t axis = 0; axis < d; ++axis) {
      std::vector<double> point(d, 0.0);
      point[axis] = 0.5;
      points.push_back(point);
    }
    const std::vector<double> reference(d, 1.0);
    const double known = 1.0 - std::pow(0.5, static_cast<double>(d));
    const auto automatic = hypervolume_auto(points, reference);
    CHECK(automatic.exact);
    CHECK(automatic.value == Approx(known));
    CHECK(automatic.standard_error == 0.0);
    const auto estimate = hypervolume_estimate_with_error(points, reference, 40000, 7);
    CHECK_FALSE(estimate.exact);
    CHECK(estimate.standard_error > 0.0);
    CHECK(estimate.standard_error < 0.005);
    CHECK(std::abs(estimate.value - known) < 4 * estimate.standard_error);
  }
}

TEST_CASE("hypervolume: above the exact limit, a Monte Carlo estimate within its stated error",
          "[search][hypervolume]") {
  // 200 points on the 5-D unit sphere (a DTLZ2 front): more than exact_hypervolume_limit(5).
  const std::size_t d = 5;
  detail::Rng rng(11);
  std::vector<std::vector<double>> points;
  while (points.size() < 200) {
    std::vector<double> point(d);
    double norm = 0.0;
    for (double& v : point) {
      v = std::abs(rng.normal());
      norm += v * v;
    }
    for (double& v : point) v /= std::sqrt(norm);
    points.push_back(point);
  }
  const std::vector<double> reference(d, 1.1);
  REQUIRE(points.size() > exact_hypervolume_limit(d));
  const auto automatic = hypervolume_auto(points, reference, 50000, 3);
  CHECK_FALSE(automatic.exact);
  CHECK(automatic.samples == 50000);
  const double exact_value = hypervolume_slicing(points, reference);  // slow but exact
  CHECK(std::abs(automatic.value - exact_value) < 4 * automatic.standard_error);
  CHECK(automatic.standard_error < 0.01 * exact_value);
  // The same inputs give the same estimate.
  CHECK(hypervolume_auto(points, reference, 50000, 3).value == automatic.value);
  // The union of the sphere's orthant and more: at most 1.1^5 minus the ball's orthant.
  const double ball_orthant = std::pow(std::numbers::pi, 2.5) / std::tgamma(3.5) / 32.0;
  CHECK(exact_value < std::pow(1.1, 5) - ball_orthant);
}
