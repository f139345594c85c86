#include "search/detail/acquisition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace accelscope::search::detail {

std::vector<double> simplex_weights(std::size_t count, Rng& rng) {
  std::vector<double> weights(count);
  double total = 0.0;
  for (auto& weight : weights) {
    weight = -std::log(1.0 - rng.uniform01());
    total += weight;
  }
  for (auto& weight : weights) {
    weight = total > 0.0 ? weight / total : 1.0 / static_cast<double>(weights.size());
  }
  return weights;
}

double parego_value(const std::vector<double>& objectives, const std::vector<double>& weights,
                    const std::vector<double>& ideal, const std::vector<double>& nadir,
                    double rho) {
  double chebyshev = 0.0;
  double weighted_sum = 0.0;
  for (std::size_t m = 0; m < objectives.size(); ++m) {
    const double range = nadir[m] - ideal[m];
    const double normalised = range > 0.0 ? (objectives[m] - ideal[m]) / range : 0.0;
    chebyshev = std::max(chebyshev, weights[m] * normalised);
    weighted_sum += weights[m] * normalised;
  }
  return chebyshev + rho * weighted_sum;
}

std::size_t constrained_ei_pick(const CandidatePosterior& objective,
                                const std::optional<CandidatePosterior>& feasibility, double best,
                                const std::vector<bool>& taken) {
  const auto count = static_cast<std::size_t>(objective.mean().size());
  std::vector<double> feasible_probability(count, 1.0);
  if (feasibility) {
    for (std::size_t c = 0; c < count; ++c) {
      const auto i = static_cast<Eigen::Index>(c);
      const double sigma = std::sqrt(std::max(feasibility->variance()[i], 1e-18));
      feasible_probability[c] = 0.5 * std::erfc(feasibility->mean()[i] / (sigma * std::sqrt(2.0)));
    }
  }
  std::size_t pick = count;
  double pick_score = 0.0;
  double top_probability = 0.0;
  for (std::size_t c = 0; c < count; ++c) {
    if (taken[c]) continue;
    const auto i = static_cast<Eigen::Index>(c);
    top_probability = std::max(top_probability, feasible_probability[c]);
    const double score = expected_improvement(objective.mean()[i], objective.variance()[i], best) *
                         feasible_probability[c];
    if (score > pick_score) {
      pick_score = score;
      pick = c;
    }
  }
  if (pick < count) return pick;
  double lowest_bound = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < count; ++c) {
    if (taken[c] || feasible_probability[c] < 0.5 * top_probability) continue;
    const auto i = static_cast<Eigen::Index>(c);
    const double bound = objective.mean()[i] - 2.0 * std::sqrt(objective.variance()[i]);
    if (pick == count || bound < lowest_bound) {
      lowest_bound = bound;
      pick = c;
    }
  }
  return pick;
}

std::vector<Point> take_unseen(UniqueSampler& sampler, PointSet& seen,
                               const CheapFeasible& cheap_feasible, std::size_t count) {
  std::vector<Point> points;
  while (points.size() < count) {
    auto point = sampler.next(seen, cheap_feasible, UniqueSampler::Acceptance::prefer);
    if (!point) break;
    seen.insert(*point);
    points.push_back(std::move(*point));
  }
  return points;
}

std::vector<double> violation_targets(const std::vector<Evaluation>& history,
                                      const std::vector<std::size_t>& members) {
  double largest = 0.0;
  for (std::size_t i : members) {
    if (std::isfinite(history[i].violation)) largest = std::max(largest, history[i].violation);
  }
  std::vector<double> targets(history.size(), 0.0);
  for (std::size_t i : members) {
    const double violation = history[i].violation;
    targets[i] = !std::isfinite(violation) ? 1.5 : (largest > 0.0 ? violation / largest : 0.0);
  }
  return targets;
}

GaussianProcess fit_gp(const std::vector<std::vector<double>>& inputs,
                       const std::vector<std::size_t>& training, const std::vector<double>& targets,
                       std::optional<GpHyperparameters>& hyperparameters,
                       const GpFitSettings& settings, Rng& rng) {
  std::vector<std::vector<double>> rows;
  for (std::size_t i : training) rows.push_back(inputs[i]);
  GaussianProcess gp;
  if (hyperparameters) gp.set_hyperparameters(*hyperparameters);  // kept by set_data
  const std::size_t columns = rows.empty() ? 0 : rows.front().size();
  gp.set_data(as_rows(rows, columns), gather(training, targets));
  gp.fit(rng, settings);
  hyperparameters = gp.hyperparameters();
  return gp;
}

Eigen::MatrixXd normalised_rows(const Space& space, const std::vector<Point>& points) {
  std::vector<std::vector<double>> normalised;
  normalised.reserve(points.size());
  for (const auto& point : points) normalised.push_back(space.normalise(point));
  return as_rows(normalised, space.dimension_count());
}

Eigen::MatrixXd as_rows(const std::vector<std::vector<double>>& vectors, std::size_t columns) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(vectors.size()),
                       static_cast<Eigen::Index>(columns));
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    for (std::size_t j = 0; j < columns; ++j) {
      rows(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = vectors[i][j];
    }
  }
  return rows;
}

Eigen::VectorXd gather(const std::vector<std::size_t>& indices, const std::vector<double>& values) {
  Eigen::VectorXd gathered(static_cast<Eigen::Index>(indices.size()));
  for (std::size_t k = 0; k < indices.size(); ++k) {
    gathered[static_cast<Eigen::Index>(k)] = values[indices[k]];
  }
  return gathered;
}

}  // namespace accelscope::search::detail
