#include "reports/front_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace accelscope::reports {

namespace {

double squared_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t j = 0; j < a.size() && j < b.size(); ++j) sum += (a[j] - b[j]) * (a[j] - b[j]);
  return sum;
}

}  // namespace

ObjectiveVectors normalise_objectives(const ObjectiveVectors& objectives,
                                      const std::vector<store::Direction>& directions) {
  ObjectiveVectors normalised(objectives.size(), std::vector<double>(directions.size(), 0.0));
  for (std::size_t j = 0; j < directions.size(); ++j) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const auto& v : objectives) {
      if (j < v.size() && std::isfinite(v[j])) lo = std::min(lo, v[j]), hi = std::max(hi, v[j]);
    }
    const bool maximise = directions[j] == store::Direction::maximize;
    for (std::size_t i = 0; i < objectives.size(); ++i) {
      const double value = j < objectives[i].size() ? objectives[i][j] : NAN;
      if (!std::isfinite(value)) {
        normalised[i][j] = 1;  // a missing value counts as the worst
      } else if (hi > lo) {
        const double t = (value - lo) / (hi - lo);
        normalised[i][j] = maximise ? 1 - t : t;
      }
    }
  }
  return normalised;
}

std::optional<std::size_t> knee_point(const ObjectiveVectors& objectives,
                                      const std::vector<store::Direction>& directions) {
  if (objectives.empty()) return std::nullopt;
  const ObjectiveVectors normalised = normalise_objectives(objectives, directions);
  const std::vector<double> ideal(directions.size(), 0.0);
  std::size_t knee = 0;
  for (std::size_t i = 1; i < normalised.size(); ++i)
    if (squared_distance(normalised[i], ideal) < squared_distance(normalised[knee], ideal))
      knee = i;
  return knee;
}

std::vector<std::optional<std::size_t>> best_per_objective(
    const ObjectiveVectors& objectives, const std::vector<store::Direction>& directions) {
  std::vector<std::optional<std::size_t>> best(directions.size());
  for (std::size_t j = 0; j < directions.size(); ++j) {
    const bool maximise = directions[j] == store::Direction::maximize;
    for (std::size_t i = 0; i < objectives.size(); ++i) {
      const double value = j < objectives[i].size() ? objectives[i][j] : NAN;
      if (!std::isfinite(value)) continue;
      if (!best[j]) {
        best[j] = i;
        continue;
      }
      const double current = objectives[*best[j]][j];
      if (maximise ? value > current : value < current) best[j] = i;
    }
  }
  return best;
}

std::vector<std::size_t> spread_picks(const ObjectiveVectors& objectives,
                                      const std::vector<store::Direction>& directions,
                                      const std::vector<std::size_t>& chosen, std::size_t count) {
  const ObjectiveVectors normalised = normalise_objectives(objectives, directions);
  std::vector<std::size_t> taken = chosen;
  std::vector<std::size_t> picks;
  while (picks.size() < count) {
    std::optional<std::size_t> farthest;
    double farthest_distance = -1;
    for (std::size_t i = 0; i < normalised.size(); ++i) {
      if (std::find(taken.begin(), taken.end(), i) != taken.end()) continue;
      double nearest = std::numeric_limits<double>::infinity();
      for (const std::size_t t : taken)
        nearest = std::min(nearest, squared_distance(normalised[i], normalised[t]));
      if (nearest > farthest_distance) farthest = i, farthest_distance = nearest;
    }
    if (!farthest) break;
    picks.push_back(*farthest);
    taken.push_back(*farthest);
  }
  return picks;
}

}  // namespace accelscope::reports
