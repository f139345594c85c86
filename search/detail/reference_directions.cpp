#include "search/detail/reference_directions.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

namespace accelscope::search::detail {
namespace {

void compositions(std::size_t objective_count, std::size_t remaining, std::size_t divisions,
                  std::vector<double>& current, std::vector<std::vector<double>>& out) {
  if (current.size() + 1 == objective_count) {
    current.push_back(static_cast<double>(remaining) / static_cast<double>(divisions));
    out.push_back(current);
    current.pop_back();
    return;
  }
  for (std::size_t part = 0; part <= remaining; ++part) {
    current.push_back(static_cast<double>(part) / static_cast<double>(divisions));
    compositions(objective_count, remaining - part, divisions, current, out);
    current.pop_back();
  }
}

double direction_count(std::size_t objective_count, std::size_t divisions) {
  // C(objectives + divisions - 1, divisions), in double (only compared with a population size).
  double count = 1.0;
  for (std::size_t k = 1; k <= divisions; ++k) {
    count = count * static_cast<double>(objective_count - 1 + k) / static_cast<double>(k);
  }
  return count;
}

// Squared distance of `point` from the line along `direction`.
double perpendicular_distance2(const std::vector<double>& point,
                               const std::vector<double>& direction) {
  double along = 0.0;
  double norm2 = 0.0;
  for (std::size_t m = 0; m < point.size(); ++m) {
    along += point[m] * direction[m];
    norm2 += direction[m] * direction[m];
  }
  const double scale = norm2 > 0.0 ? along / norm2 : 0.0;
  double distance2 = 0.0;
  for (std::size_t m = 0; m < point.size(); ++m) {
    const double gap = point[m] - scale * direction[m];
    distance2 += gap * gap;
  }
  return distance2;
}

}  // namespace

std::vector<std::vector<double>> das_dennis_directions(std::size_t objective_count,
                                                       std::size_t divisions) {
  std::vector<std::vector<double>> out;
  if (objective_count == 0 || divisions == 0) return out;
  std::vector<double> current;
  compositions(objective_count, divisions, divisions, current, out);
  return out;
}

std::size_t divisions_for(std::size_t objective_count, std::size_t population) {
  std::size_t divisions = 1;
  while (direction_count(objective_count, divisions + 1) <= static_cast<double>(population)) {
    ++divisions;
  }
  return divisions;
}

std::vector<std::vector<double>> normalise_objectives(
    const std::vector<std::vector<double>>& objectives, const std::vector<std::size_t>& members) {
  const std::size_t m_count = objectives[members.front()].size();
  std::vector<double> ideal(m_count, std::numeric_limits<double>::infinity());
  std::vector<double> worst(m_count, -std::numeric_limits<double>::infinity());
  for (std::size_t i : members) {
    for (std::size_t m = 0; m < m_count; ++m) {
      ideal[m] = std::min(ideal[m], objectives[i][m]);
      worst[m] = std::max(worst[m], objectives[i][m]);
    }
  }
  std::vector<std::vector<double>> translated;
  for (std::size_t i : members) {
    std::vector<double> t(m_count);
    for (std::size_t m = 0; m < m_count; ++m) t[m] = objectives[i][m] - ideal[m];
    translated.push_back(std::move(t));
  }
  // Extreme points: per axis, the member minimising max_m(t_m / w_m), w = the axis with 1e-6
  // elsewhere.
  Eigen::MatrixXd extremes(static_cast<Eigen::Index>(m_count), static_cast<Eigen::Index>(m_count));
  for (std::size_t axis = 0; axis < m_count; ++axis) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t best_index = 0;
    for (std::size_t k = 0; k < translated.size(); ++k) {
      double asf = 0.0;
      for (std::size_t m = 0; m < m_count; ++m) {
        asf = std::max(asf, translated[k][m] / (m == axis ? 1.0 : 1e-6));
      }
      if (asf < best) {
        best = asf;
        best_index = k;
      }
    }
    for (std::size_t m = 0; m < m_count; ++m) {
      extremes(static_cast<Eigen::Index>(axis), static_cast<Eigen::Index>(m)) =
          translated[best_index][m];
    }
  }
  // Hyperplane sum_m(a_m t_m) = 1 through the extremes; intercepts 1 / a_m.
  std::vector<double> intercepts(m_count);
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(extremes);
  bool degenerate = !lu.isInvertible();
  if (!degenerate) {
    const Eigen::VectorXd a = lu.solve(Eigen::VectorXd::Ones(static_cast<Eigen::Index>(m_count)));
    for (std::size_t m = 0; m < m_count && !degenerate; ++m) {
      const double coefficient = a[static_cast<Eigen::Index>(m)];
      const double intercept = coefficient > 0.0 ? 1.0 / coefficient : 0.0;
      degenerate = !(intercept > 1e-10) || !std::isfinite(intercept);
      intercepts[m] = intercept;
    }
  }
  for (std::size_t m = 0; m < m_count; ++m) {
    if (degenerate) intercepts[m] = worst[m] - ideal[m];
    if (!(intercepts[m] > 1e-10)) intercepts[m] = 1.0;  // flat objective
  }
  for (auto& t : translated) {
    for (std::size_t m = 0; m < m_count; ++m) t[m] /= intercepts[m];
  }
  return translated;
}

std::vector<std::size_t> niching_selection(const std::vector<std::vector<double>>& objectives,
                                           const std::vector<std::size_t>& selected,
                                           const std::vector<std::size_t>& last_front,
                                           const std::vector<std::vector<double>>& directions,
                                           std::size_t count, Rng& rng) {
  if (count >= last_front.size()) return last_front;
  std::vector<std::size_t> members = selected;
  members.insert(members.end(), last_front.begin(), last_front.end());
  const auto normalised = normalise_objectives(objectives, members);
  // Association: nearest direction and its squared perpendicular distance.
  std::vector<std::size_t> niche(members.size());
  std::vector<double> distance(members.size());
  for (std::size_t k = 0; k < members.size(); ++k) {
    distance[k] = std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < directions.size(); ++r) {
      const double d2 = perpendicular_distance2(normalised[k], directions[r]);
      if (d2 < distance[k]) {
        distance[k] = d2;
        niche[k] = r;
      }
    }
  }
  std::vector<std::size_t> niche_count(directions.size(), 0);
  for (std::size_t k = 0; k < selected.size(); ++k) ++niche_count[niche[k]];
  // Candidates of the last front per direction (positions k >= selected.size()).
  std::vector<std::vector<std::size_t>> candidates(directions.size());
  for (std::size_t k = selected.size(); k < members.size(); ++k) candidates[niche[k]].push_back(k);

  std::vector<std::size_t> chosen;
  std::vector<bool> open(directions.size());
  for (std::size_t r = 0; r < directions.size(); ++r) open[r] = !candidates[r].empty();
  while (chosen.size() < count) {
    std::size_t lowest = std::numeric_limits<std::size_t>::max();
    for (std::size_t r = 0; r < directions.size(); ++r) {
      if (open[r]) lowest = std::min(lowest, niche_count[r]);
    }
    std::vector<std::size_t> least;
    for (std::size_t r = 0; r < directions.size(); ++r) {
      if (open[r] && niche_count[r] == lowest) least.push_back(r);
    }
    if (least.empty()) break;  // cannot happen while count < last_front.size()
    const std::size_t r = least[rng.index(least.size())];
    auto& pool = candidates[r];
    std::size_t position = 0;
    if (niche_count[r] == 0) {
      for (std::size_t p = 1; p < pool.size(); ++p) {
        if (distance[pool[p]] < distance[pool[position]]) position = p;
      }
    } else {
      position = rng.index(pool.size());
    }
    chosen.push_back(members[pool[position]]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(position));
    ++niche_count[r];
    if (pool.empty()) open[r] = false;
  }
  return chosen;
}

}  // namespace accelscope::search::detail
