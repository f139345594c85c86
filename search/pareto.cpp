#include "search/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "search/hypervolume.hpp"

namespace accelscope::search {

bool dominates(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("dominates: objective vectors of different sizes (" +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                                ")");
  }
  bool strictly_better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly_better = true;
  }
  return strictly_better;
}

bool constraint_dominates(std::span<const double> a, double a_violation, std::span<const double> b,
                          double b_violation) {
  // NaN violations count as the worst possible.
  const double va = std::isnan(a_violation) ? std::numeric_limits<double>::infinity() : a_violation;
  const double vb = std::isnan(b_violation) ? std::numeric_limits<double>::infinity() : b_violation;
  const bool a_feasible = va <= 0.0;
  const bool b_feasible = vb <= 0.0;
  if (a_feasible && b_feasible) return dominates(a, b);
  if (a_feasible != b_feasible) return a_feasible;
  return va < vb;
}

Fronts non_dominated_sort(const std::vector<std::vector<double>>& objectives) {
  // Deb's fast non-dominated sort: O(M N^2) comparisons, counting how many points dominate each.
  const std::size_t count = objectives.size();
  std::vector<std::vector<std::size_t>> dominated_by(count);
  std::vector<std::size_t> domination_count(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t j = i + 1; j < count; ++j) {
      if (dominates(objectives[i], objectives[j])) {
        dominated_by[i].push_back(j);
        ++domination_count[j];
      } else if (dominates(objectives[j], objectives[i])) {
        dominated_by[j].push_back(i);
        ++domination_count[i];
      }
    }
  }
  Fronts fronts;
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < count; ++i) {
    if (domination_count[i] == 0) current.push_back(i);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (std::size_t i : current) {
      for (std::size_t j : dominated_by[i]) {
        if (--domination_count[j] == 0) next.push_back(j);
      }
    }
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

Fronts constrained_non_dominated_sort(const std::vector<std::vector<double>>& objectives,
                                      const std::vector<double>& violations) {
  if (objectives.size() != violations.size()) {
    throw std::invalid_argument(
        "constrained_non_dominated_sort: " + std::to_string(objectives.size()) +
        " objective vectors but " + std::to_string(violations.size()) + " violations");
  }
  // Feasible points are sorted by Pareto dominance; infeasible ones are totally ordered by
  // violation, which is exactly what constraint-domination induces on them.
  std::vector<std::size_t> feasible;
  std::map<double, std::vector<std::size_t>> infeasible_by_violation;
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    const double violation =
        std::isnan(violations[i]) ? std::numeric_limits<double>::infinity() : violations[i];
    if (violation <= 0.0) {
      feasible.push_back(i);
    } else {
      infeasible_by_violation[violation].push_back(i);
    }
  }
  std::vector<std::vector<double>> feasible_objectives;
  feasible_objectives.reserve(feasible.size());
  for (std::size_t i : feasible) feasible_objectives.push_back(objectives[i]);
  Fronts fronts = non_dominated_sort(feasible_objectives);
  for (auto& front : fronts) {
    for (auto& index : front) index = feasible[index];
  }
  for (auto& [violation, members] : infeasible_by_violation) fronts.push_back(std::move(members));
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<std::vector<double>>& objectives,
                                      const std::vector<std::size_t>& front) {
  const std::size_t count = front.size();
  std::vector<double> distance(count, 0.0);
  if (count == 0) return distance;
  if (count <= 2) {
    std::fill(distance.begin(), distance.end(), std::numeric_limits<double>::infinity());
    return distance;
  }
  const std::size_t objective_count = objectives[front[0]].size();
  std::vector<std::size_t> order(count);
  for (std::size_t m = 0; m < objective_count; ++m) {
    for (std::size_t i = 0; i < count; ++i) order[i] = i;
    // Ties broken by position so the result does not depend on the sort implementation; NaN
    // (failed evaluations) sorts last so the order stays strict.
    const auto value = [&](std::size_t i) {
      const double v = objectives[front[i]][m];
      return std::isnan(v) ? std::numeric_limits<double>::infinity() : v;
    };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return value(a) < value(b) || (value(a) == value(b) && a < b);
    });
    const double lowest = value(order.front());
    const double highest = value(order.back());
    distance[order.front()] = std::numeric_limits<double>::infinity();
    distance[order.back()] = std::numeric_limits<double>::infinity();
    const double range = highest - lowest;
    if (!(range > 0.0) || !std::isfinite(range)) continue;
    for (std::size_t i = 1; i + 1 < count; ++i) {
      const double gap = value(order[i + 1]) - value(order[i - 1]);
      distance[order[i]] += gap / range;
    }
  }
  return distance;
}

std::vector<std::size_t> non_dominated_indices(const std::vector<std::vector<double>>& objectives) {
  std::vector<std::size_t> result;
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < objectives.size() && !dominated; ++j) {
      dominated = j != i && dominates(objectives[j], objectives[i]);
    }
    if (!dominated) result.push_back(i);
  }
  return result;
}

ParetoArchive::ParetoArchive(std::size_t objective_count) : objective_count_(objective_count) {
  if (objective_count == 0) {
    throw std::invalid_argument("ParetoArchive: needs at least one objective");
  }
}

ParetoArchive::InsertResult ParetoArchive::insert(std::uint64_t id, std::vector<double> objectives,
                                                  double violation) {
  if (objectives.size() != objective_count_) {
    throw std::invalid_argument("ParetoArchive: point " + std::to_string(id) + " has " +
                                std::to_string(objectives.size()) + " objectives, expected " +
                                std::to_string(objective_count_));
  }
  InsertResult result;
  if (std::isnan(violation) || violation > 0.0) return result;
  for (double objective : objectives) {
    if (!std::isfinite(objective)) {
      throw std::invalid_argument("ParetoArchive: feasible point " + std::to_string(id) +
                                  " has a non-finite objective");
    }
  }
  for (const auto& entry : entries_) {
    if (dominates(entry.objectives, objectives)) return result;
  }
  auto first_removed = std::stable_partition(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return !dominates(objectives, e.objectives);
  });
  for (auto it = first_removed; it != entries_.end(); ++it) result.removed_ids.push_back(it->id);
  entries_.erase(first_removed, entries_.end());
  entries_.push_back(Entry{id, std::move(objectives)});
  result.added = true;
  return result;
}

std::vector<std::vector<double>> ParetoArchive::objective_vectors() const {
  std::vector<std::vector<double>> vectors;
  vectors.reserve(entries_.size());
  for (const auto& entry : entries_) vectors.push_back(entry.objectives);
  return vectors;
}

double ParetoArchive::hypervolume(const std::vector<double>& reference) const {
  return search::hypervolume(objective_vectors(), reference);
}

}  // namespace accelscope::search
