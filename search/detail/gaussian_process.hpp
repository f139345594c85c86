// A small Gaussian-process regressor for Bayesian optimisation: Matern 5/2 kernel with one length
// scale per input (ARD), zero mean on standardised targets, hyper-parameters fitted by maximising
// the log marginal likelihood. Inputs are expected in [0,1]^d. Exact inference: O(n^3) in the
// number of training points, so callers cap n (BayesOptions::max_training_points).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <vector>

#include "search/detail/rng.hpp"

namespace accelscope::search::detail {

struct GpHyperparameters {
  Eigen::VectorXd log_length_scales;  // one per input dimension
  double log_signal_variance = 0.0;   // of the standardised targets
  double log_noise_variance = std::log(1e-4);

  // [log length scales..., log signal variance, log noise variance]
  Eigen::VectorXd packed() const;
  static GpHyperparameters unpacked(const Eigen::VectorXd& packed);
  // Length scales 0.5, unit signal variance, noise 1e-4.
  static GpHyperparameters defaults(std::size_t input_dimension);
};

struct GpFitSettings {
  std::size_t random_restarts = 2;  // extra starts besides the current hyper-parameters
  std::size_t iterations = 60;      // Adam steps per start
  double learning_rate = 0.1;       // in log-parameter units
};

struct GpPredictions {
  Eigen::VectorXd mean;      // in target units
  Eigen::VectorXd variance;  // of the latent function (no noise), in target units squared
};

// Matern 5/2 correlation at scaled distance r: (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r).
double matern52(double scaled_distance);

// Kernel matrix between the rows of a and of b (no noise term).
Eigen::MatrixXd matern52_kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                const GpHyperparameters& hyperparameters);

// Expected improvement below `best` (minimisation) of a Gaussian with this mean and variance.
double expected_improvement(double mean, double variance, double best);

class CandidatePosterior;

class GaussianProcess {
 public:
  // One row of `inputs` per training point. Targets are standardised internally. Keeps the
  // hyper-parameters when their dimension matches, otherwise resets them to the defaults.
  void set_data(Eigen::MatrixXd inputs, const Eigen::VectorXd& targets);
  void set_hyperparameters(const GpHyperparameters& hyperparameters);
  // New targets for the same inputs: reuses the factorisation (O(n^2)). Sizes must match.
  void set_targets(const Eigen::VectorXd& targets);
  const GpHyperparameters& hyperparameters() const { return hyperparameters_; }
  std::size_t size() const { return static_cast<std::size_t>(inputs_.rows()); }

  // Log marginal likelihood of the standardised targets under the current hyper-parameters.
  double log_marginal_likelihood() const;
  // The same under other hyper-parameters, with its gradient with respect to the packed
  // log-parameters when `gradient` is given. -inf when the kernel matrix cannot be factorised.
  double log_marginal_likelihood(const GpHyperparameters& hyperparameters,
                                 Eigen::VectorXd* gradient) const;

  // Maximises the log marginal likelihood by projected Adam ascent on the log-parameters (within
  // fixed bounds), from the current hyper-parameters and `random_restarts` random starts drawn
  // from `rng`. Keeps the best point visited, so the likelihood never decreases. Deterministic.
  // Returns the best log marginal likelihood.
  double fit(Rng& rng, const GpFitSettings& settings);

  // Posterior at the rows of `points`.
  GpPredictions predict(const Eigen::MatrixXd& points) const;

 private:
  friend class CandidatePosterior;
  void standardise(const Eigen::VectorXd& targets);
  void factorise();

  Eigen::MatrixXd inputs_;
  Eigen::VectorXd standardised_targets_;
  double target_mean_ = 0.0;
  double target_scale_ = 1.0;
  GpHyperparameters hyperparameters_;
  Eigen::LLT<Eigen::MatrixXd> cholesky_;
  Eigen::VectorXd alpha_;  // K^-1 y
};

// The posterior over a fixed set of candidate inputs that can be conditioned on candidates being
// observed at their posterior mean: the kriging believer that picks a batch of points. Under that
// conditioning the mean does not move and the variances shrink around the conditioned points;
// each conditioning costs O(n C) (n training points, C candidates), no refactorisation. The
// variances do not depend on the targets, so after GaussianProcess::set_targets, retarget()
// refreshes the means in O(n C) and keeps the conditioning.
class CandidatePosterior {
 public:
  CandidatePosterior(const GaussianProcess& gp, const Eigen::MatrixXd& candidates);

  // In target units.
  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::VectorXd& variance() const { return variance_; }
  void condition_on_mean(Eigen::Index candidate);
  // `gp` must be the process this posterior was built from, with new targets.
  void retarget(const GaussianProcess& gp);

 private:
  Eigen::MatrixXd scaled_candidates_;  // one candidate per column, divided by length scales
  Eigen::MatrixXd cross_;              // K(training, candidates)
  Eigen::MatrixXd solved_;             // L^-1 K(training, candidates)
  std::vector<Eigen::VectorXd> updates_;
  double signal_variance_;
  double noise_variance_;
  Eigen::VectorXd standardised_variance_;
  Eigen::VectorXd mean_;
  Eigen::VectorXd variance_;
  double target_variance_ = 1.0;  // standardised -> target units
};

}  // namespace accelscope::search::detail
