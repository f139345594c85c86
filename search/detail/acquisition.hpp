// Pieces the model-based strategies (bayes, turbo) share: ParEGO scalarisation, the constrained
// expected-improvement pick among candidates, and conversions to Eigen.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <vector>

#include "search/detail/gaussian_process.hpp"
#include "search/detail/rng.hpp"

namespace accelscope::search::detail {

// A weight vector uniform on the simplex (normalised exponentials).
std::vector<double> simplex_weights(std::size_t count, Rng& rng);

// ParEGO's augmented Chebyshev value max_m(w_m u_m) + rho sum_m(w_m u_m) of the objectives u
// normalised from `ideal` (0) to `nadir` (1) (Knowles 2006).
double parego_value(const std::vector<double>& objectives, const std::vector<double>& weights,
                    const std::vector<double>& ideal, const std::vector<double>& nadir, double rho);

// Constrained expected improvement below `best`: EI x P(feasible) over the candidates not
// `taken`. When it is numerically nil everywhere, the lowest confidence bound among the
// likeliest-feasible candidates. Returns the candidate's index.
std::size_t constrained_ei_pick(const CandidatePosterior& objective,
                                const std::optional<CandidatePosterior>& feasibility, double best,
                                const std::vector<bool>& taken);

// One row per vector (all of length `columns`).
Eigen::MatrixXd as_rows(const std::vector<std::vector<double>>& vectors, std::size_t columns);
// values[indices[k]] for every k.
Eigen::VectorXd gather(const std::vector<std::size_t>& indices, const std::vector<double>& values);

}  // namespace accelscope::search::detail
