// Synthetic test problems with fronts known by enumeration, and a driver loop for strategies.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include "search/evaluation.hpp"
#include "search/hypervolume.hpp"
#include "search/pareto.hpp"
#include "search/space.hpp"
#include "search/strategy.hpp"

namespace accelscope::search::testing {

// A discrete bi-objective trade-off on 16 x 12 x 4 x 4 = 3072 points, shaped like a design problem:
// a linear knob, a size that doubles (log-normalised), a categorical choice, and an ordinal knob.
// Optionally constrained: x + y <= 1.1 (a budget on "size"), which cuts the unconstrained front.
struct GridProblem {
  bool constrained = false;

  Space space() const {
    Space result;
    result.add(Dimension::numeric_levels("lanes",
                                         {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
    result.add(
        Dimension::numeric_levels("sram_kib", {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048}));
    result.add(Dimension::categorical_levels("dataflow", {"os", "ws", "is", "none"}));
    result.add(Dimension::ordinal_levels("depth", {"low", "mid", "high", "max"}));
    return result;
  }

  Evaluation evaluate(const Point& point) const {
    static constexpr std::array<double, 4> kOffset1 = {0.10, 0.00, 0.05, 0.30};
    static constexpr std::array<double, 4> kOffset2 = {0.00, 0.10, 0.05, 0.30};
    const double x = point[0] / 15.0;
    const double y = point[1] / 11.0;
    const auto category = static_cast<std::size_t>(point[2]);
    const double z = point[3] / 3.0;
    // Distance from the optimal sram/depth pair (sram level 7, depth level 1) scales f2 up, as
    // in ZDT problems: few grid points are near the front.
    const double distance = 1.0 + 4.0 * std::abs(y - 7.0 / 11.0) + 2.0 * std::abs(z - 1.0 / 3.0);
    Evaluation evaluation;
    evaluation.point = point;
    evaluation.objectives = {x + kOffset1[category],
                             distance * (1.1 - std::sqrt(x)) + kOffset2[category]};
    if (constrained) {
      const double excess = x + y - 1.1;
      evaluation.violation = excess > 0.0 ? excess : 0.0;
      evaluation.constraint_violations = {evaluation.violation};
    }
    return evaluation;
  }

  // Every grid point evaluated.
  std::vector<Evaluation> enumerate() const {
    const Space grid = space();
    std::vector<Evaluation> all;
    for (std::uint64_t i = 0; i < *grid.grid_size(); ++i)
      all.push_back(evaluate(grid.grid_point(i)));
    return all;
  }

  // Objective vectors of the true (feasible) Pareto front.
  std::vector<std::vector<double>> true_front() const {
    ParetoArchive archive(2);
    std::uint64_t id = 0;
    for (const auto& evaluation : enumerate()) {
      archive.insert(id++, evaluation.objectives, evaluation.violation);
    }
    return archive.objective_vectors();
  }

  // Reference: nadir of the true front + 10% of its range, so only near-front points count.
  std::vector<double> reference() const { return reference_point(true_front(), 0.1); }
};

struct RunRecord {
  std::vector<std::vector<Point>> asks;
  std::vector<Evaluation> evaluations;
};

// Drives ask/tell until the strategy is exhausted or max_evaluations points were evaluated.
inline RunRecord run(Strategy& strategy, const std::function<Evaluation(const Point&)>& evaluate,
                     std::size_t batch_size, std::size_t max_evaluations) {
  RunRecord record;
  while (record.evaluations.size() < max_evaluations) {
    auto points = strategy.ask(std::min(batch_size, max_evaluations - record.evaluations.size()));
    if (points.empty()) break;
    std::vector<Evaluation> results;
    for (const auto& point : points) results.push_back(evaluate(point));
    strategy.tell(results);
    record.asks.push_back(points);
    record.evaluations.insert(record.evaluations.end(), results.begin(), results.end());
  }
  return record;
}

inline double front_hypervolume(const std::vector<Evaluation>& evaluations,
                                const std::vector<double>& reference) {
  ParetoArchive archive(reference.size());
  std::uint64_t id = 0;
  for (const auto& evaluation : evaluations) {
    archive.insert(id++, evaluation.objectives, evaluation.violation);
  }
  return archive.hypervolume(reference);
}

// Hypervolume of the feasible front found over the true front's (the same reference).
inline double hypervolume_ratio(const GridProblem& problem,
                                const std::vector<Evaluation>& evaluations) {
  const auto reference = problem.reference();
  return front_hypervolume(evaluations, reference) / hypervolume(problem.true_front(), reference);
}

}  // namespace accelscope::search::testing
