// Pareto dominance and an incrementally maintained non-dominated set (minimisation). The store
// keeps each study's front current with it; it is public so callers and tests can check it.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "store/types.hpp"

namespace accelscope::store {

// a dominates b: no worse in every objective and strictly better in at least one.
bool dominates(std::span<const double> a, std::span<const double> b);

// The non-dominated members of a set of points. Points equal in every objective do not dominate
// each other, so duplicates are all kept. Insertion compares only with current members: by
// transitivity, a point dominated by a former member is dominated by a current one.
class ParetoFront {
 public:
  struct Member {
    TrialId id = 0;
    std::vector<double> values;  // minimisation form
  };
  struct InsertResult {
    bool on_front = false;         // the new point is non-dominated
    std::vector<TrialId> evicted;  // former members it dominates
  };

  InsertResult insert(TrialId id, std::vector<double> values);
  const std::vector<Member>& members() const { return members_; }

 private:
  std::vector<Member> members_;
};

// Brute force reference: indices of the non-dominated points, ascending.
std::vector<std::size_t> non_dominated(const std::vector<std::vector<double>>& points);

}  // namespace accelscope::store
