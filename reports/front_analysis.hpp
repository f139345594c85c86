// Choosing designs on a Pareto front: the knee, the best design per objective, and a spread of
// further designs. Pure functions of objective vectors (natural direction), so they are tested
// without a store.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "store/types.hpp"

namespace accelscope::reports {

using ObjectiveVectors = std::vector<std::vector<double>>;  // one vector per design

// Each objective mapped to [0, 1] over the given designs, 0 the best value, 1 the worst (an
// objective with one value maps to 0).
ObjectiveVectors normalise_objectives(const ObjectiveVectors& objectives,
                                      const std::vector<store::Direction>& directions);

// The design nearest (Euclidean) to the ideal point (all zeros) in normalised objectives; ties
// go to the lowest index. nullopt when there is no design.
std::optional<std::size_t> knee_point(const ObjectiveVectors& objectives,
                                      const std::vector<store::Direction>& directions);

// Per objective, the design with its best value (lowest index on ties).
std::vector<std::optional<std::size_t>> best_per_objective(
    const ObjectiveVectors& objectives, const std::vector<store::Direction>& directions);

// Up to count designs not in chosen, each the farthest (in normalised objectives) from all
// designs chosen so far: a spread along the front.
std::vector<std::size_t> spread_picks(const ObjectiveVectors& objectives,
                                      const std::vector<store::Direction>& directions,
                                      const std::vector<std::size_t>& chosen, std::size_t count);

}  // namespace accelscope::reports
