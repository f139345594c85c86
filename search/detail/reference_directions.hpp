// NSGA-III's many-objective survival (Deb and Jain 2014): Das-Dennis reference directions,
// normalisation by the ideal point and the intercepts of the extreme points' hyperplane,
// association of each point with its nearest direction, and niching.
#pragma once

#include <cstddef>
#include <vector>

#include "search/detail/rng.hpp"

namespace accelscope::search::detail {

// C(objectives + divisions - 1, divisions) points of the unit simplex whose coordinates are
// multiples of 1 / divisions, in lexicographic order. objectives >= 1, divisions >= 1.
std::vector<std::vector<double>> das_dennis_directions(std::size_t objective_count,
                                                       std::size_t divisions);

// The most divisions (at least 1) whose direction count does not exceed `population`.
std::size_t divisions_for(std::size_t objective_count, std::size_t population);

// Objectives of `members` translated by the ideal point and divided by the intercepts of the
// hyperplane through the extreme points (per objective, the member minimising the achievement
// scalarising function along that axis); where the hyperplane is degenerate, by the members' worst
// value instead. One vector per member, in order.
std::vector<std::vector<double>> normalise_objectives(
    const std::vector<std::vector<double>>& objectives, const std::vector<std::size_t>& members);

// NSGA-III's niching: `count` members of `last_front` to join `selected` (indices into
// `objectives`), preferring reference directions with the fewest associated members; a direction
// no selected member is associated with takes its closest candidate, otherwise a random one.
std::vector<std::size_t> niching_selection(const std::vector<std::vector<double>>& objectives,
                                           const std::vector<std::size_t>& selected,
                                           const std::vector<std::size_t>& last_front,
                                           const std::vector<std::vector<double>>& directions,
                                           std::size_t count, Rng& rng);

}  // namespace accelscope::search::detail
