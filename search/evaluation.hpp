// What the engine reports back for one evaluated point.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "search/space.hpp"

namespace accelscope::search {

struct Evaluation {
  Point point;
  // Every objective is MINIMISED: the engine negates the ones it wants maximised (e.g. throughput).
  std::vector<double> objectives;
  // Total constraint violation, >= 0; 0 means feasible. +inf (or NaN objectives) marks a failed
  // evaluation: strategies then rank it below every other point.
  double violation = 0.0;
  // Optional per-constraint violations (for reports); strategies only read `violation`.
  std::vector<double> constraint_violations;

  bool feasible() const { return violation == 0.0; }
};

// The violation strategies act on: +inf when the evaluation failed (non-finite objective or
// violation), otherwise `violation`.
inline double effective_violation(const Evaluation& evaluation) {
  if (std::isnan(evaluation.violation)) return std::numeric_limits<double>::infinity();
  for (double objective : evaluation.objectives) {
    if (!std::isfinite(objective)) return std::numeric_limits<double>::infinity();
  }
  return evaluation.violation;
}

}  // namespace accelscope::search
