// Variation operators shared by the evolutionary strategy and the local candidates of Bayesian
// optimisation. Ordered coordinates (numeric or ordinal level indices, continuous values, in log
// when log-scaled) use SBX crossover and polynomial mutation (Deb & Agrawal), rounded back to a
// level; categorical coordinates use uniform crossover and random reset.
#pragma once

#include <cstddef>
#include <utility>

#include "search/detail/rng.hpp"
#include "search/space.hpp"

namespace accelscope::search::detail {

// Two children of a and b: each coordinate is crossed with probability 1/2 (SBX with distribution
// index `eta` on ordered coordinates, a swap on categorical ones).
std::pair<Point, Point> crossover(const Space& space, const Point& a, const Point& b, double eta,
                                  Rng& rng);

// Mutates each coordinate with probability `per_coordinate_probability` (polynomial mutation with
// distribution index `eta`). A mutated discrete coordinate always changes level: an ordered one
// moves at least one level in the direction drawn, a categorical one is reset to another level.
void mutate(const Space& space, Point& point, double per_coordinate_probability, double eta,
            Rng& rng);

// A point near `point`: one coordinate that can change is mutated for sure, the others with
// probability 1/d.
Point neighbour(const Space& space, const Point& point, double eta, Rng& rng);

}  // namespace accelscope::search::detail
