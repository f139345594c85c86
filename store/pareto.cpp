#include "store/pareto.hpp"

#include <algorithm>
#include <utility>

namespace accelscope::store {

bool dominates(std::span<const double> a, std::span<const double> b) {
  bool strictly_better = false;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly_better = true;
  }
  return strictly_better;
}

ParetoFront::InsertResult ParetoFront::insert(TrialId id, std::vector<double> values) {
  InsertResult result;
  for (const Member& member : members_) {
    if (dominates(member.values, values)) return result;
  }
  // Not dominated: it joins, and evicts the members it dominates.
  std::erase_if(members_, [&](const Member& member) {
    if (!dominates(values, member.values)) return false;
    result.evicted.push_back(member.id);
    return true;
  });
  members_.push_back(Member{id, std::move(values)});
  result.on_front = true;
  return result;
}

std::vector<std::size_t> non_dominated(const std::vector<std::vector<double>>& points) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const bool dominated = std::any_of(points.begin(), points.end(), [&](const auto& other) {
      return dominates(other, points[i]);
    });
    if (!dominated) indices.push_back(i);
  }
  return indices;
}

}  // namespace accelscope::store
