// Pieces the model-based strategies (bayes, turbo) share: ParEGO scalarisation, the constrained
// expected-improvement pick among candidates, and conversions to Eigen.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <vector>

#include "search/detail/gaussian_process.hpp"
#include "search/detail/rng.hpp"
#include "search/detail/sampling.hpp"
#include "search/evaluation.hpp"

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

// Up to `count` unseen points from the sampler (preferring cheap-feasible ones), marked seen.
std::vector<Point> take_unseen(UniqueSampler& sampler, PointSet& seen,
                               const CheapFeasible& cheap_feasible, std::size_t count);

// Targets that minimise the constraint violation, for `members` of `history` (other entries 0):
// violations relative to the largest finite one among them, failed evaluations (+inf) at 1.5.
std::vector<double> violation_targets(const std::vector<Evaluation>& history,
                                      const std::vector<std::size_t>& members);

// A GP on the `training` rows of `inputs` with targets[training], its hyper-parameters
// warm-started from and written back to `hyperparameters`, fitted with `settings`.
GaussianProcess fit_gp(const std::vector<std::vector<double>>& inputs,
                       const std::vector<std::size_t>& training, const std::vector<double>& targets,
                       std::optional<GpHyperparameters>& hyperparameters,
                       const GpFitSettings& settings, Rng& rng);

// The normalised coordinates of each point (Space::normalise), one row per point.
Eigen::MatrixXd normalised_rows(const Space& space, const std::vector<Point>& points);

// One row per vector (all of length `columns`).
Eigen::MatrixXd as_rows(const std::vector<std::vector<double>>& vectors, std::size_t columns);
// values[indices[k]] for every k.
Eigen::VectorXd gather(const std::vector<std::size_t>& indices, const std::vector<double>& values);

}  // namespace accelscope::search::detail
