#include "search/detail/gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>
#include <vector>

namespace accelscope::search::detail {
namespace {

const double kSqrt5 = std::sqrt(5.0);

// Box for the log-parameters (inputs live in [0,1], targets are standardised): keeps the fit away
// from degenerate kernels (length scales far beyond the unit cube, or noise below what a Cholesky
// factorisation of a few hundred points tolerates).
struct Bounds {
  double length_lo = std::log(0.01), length_hi = std::log(20.0);
  double signal_lo = std::log(0.01), signal_hi = std::log(100.0);
  double noise_lo = std::log(1e-6), noise_hi = std::log(1.0);
};

void project(Eigen::VectorXd& packed, const Bounds& bounds) {
  const Eigen::Index lengths = packed.size() - 2;
  for (Eigen::Index j = 0; j < lengths; ++j) {
    packed[j] = std::clamp(packed[j], bounds.length_lo, bounds.length_hi);
  }
  packed[lengths] = std::clamp(packed[lengths], bounds.signal_lo, bounds.signal_hi);
  packed[lengths + 1] = std::clamp(packed[lengths + 1], bounds.noise_lo, bounds.noise_hi);
}

// Inputs divided by their length scales, one point per column (contiguous for distance loops).
Eigen::MatrixXd scaled_columns(const Eigen::MatrixXd& rows, const GpHyperparameters& hp) {
  const Eigen::ArrayXd inverse_lengths = (-hp.log_length_scales.array()).exp();
  return (rows.array().rowwise() * inverse_lengths.transpose()).matrix().transpose();
}

// Cholesky factor of kernel + noise I. Rounding can make a kernel of near-duplicate points
// numerically indefinite; a growing jitter is then added (up to 1e-4 of the unit signal scale).
bool factorise_with_jitter(const Eigen::MatrixXd& kernel, double noise_variance,
                           Eigen::LLT<Eigen::MatrixXd>& cholesky) {
  double jitter = 0.0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    Eigen::MatrixXd matrix = kernel;
    matrix.diagonal().array() += noise_variance + jitter;
    cholesky.compute(matrix);
    if (cholesky.info() == Eigen::Success) return true;
    jitter = jitter == 0.0 ? 1e-10 : jitter * 100.0;
  }
  return false;
}

}  // namespace

Eigen::VectorXd GpHyperparameters::packed() const {
  Eigen::VectorXd result(log_length_scales.size() + 2);
  result.head(log_length_scales.size()) = log_length_scales;
  result[log_length_scales.size()] = log_signal_variance;
  result[log_length_scales.size() + 1] = log_noise_variance;
  return result;
}

GpHyperparameters GpHyperparameters::unpacked(const Eigen::VectorXd& packed) {
  GpHyperparameters hp;
  const Eigen::Index lengths = packed.size() - 2;
  hp.log_length_scales = packed.head(lengths);
  hp.log_signal_variance = packed[lengths];
  hp.log_noise_variance = packed[lengths + 1];
  return hp;
}

GpHyperparameters GpHyperparameters::defaults(std::size_t input_dimension) {
  GpHyperparameters hp;
  hp.log_length_scales =
      Eigen::VectorXd::Constant(static_cast<Eigen::Index>(input_dimension), std::log(0.5));
  return hp;
}

double matern52(double scaled_distance) {
  const double s = kSqrt5 * scaled_distance;
  return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

Eigen::MatrixXd matern52_kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                const GpHyperparameters& hp) {
  const Eigen::MatrixXd za = scaled_columns(a, hp);
  const Eigen::MatrixXd zb = scaled_columns(b, hp);
  const double signal = std::exp(hp.log_signal_variance);
  Eigen::MatrixXd kernel(a.rows(), b.rows());
  for (Eigen::Index j = 0; j < zb.cols(); ++j) {
    for (Eigen::Index i = 0; i < za.cols(); ++i) {
      kernel(i, j) = signal * matern52((za.col(i) - zb.col(j)).norm());
    }
  }
  return kernel;
}

double expected_improvement(double mean, double variance, double best) {
  const double sigma = std::sqrt(std::max(variance, 1e-18));
  const double gap = best - mean;
  const double z = gap / sigma;
  const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
  return std::max(gap * cdf + sigma * pdf, 0.0);
}

void GaussianProcess::standardise(const Eigen::VectorXd& targets) {
  const double count = static_cast<double>(targets.size());
  target_mean_ = targets.size() > 0 ? targets.mean() : 0.0;
  const double variance =
      targets.size() > 1 ? (targets.array() - target_mean_).square().sum() / count : 0.0;
  target_scale_ = variance > 1e-24 ? std::sqrt(variance) : 1.0;
  standardised_targets_ = (targets.array() - target_mean_) / target_scale_;
}

void GaussianProcess::set_targets(const Eigen::VectorXd& targets) {
  if (targets.size() != inputs_.rows()) {
    throw std::invalid_argument("GaussianProcess::set_targets: size differs from the inputs");
  }
  standardise(targets);
  alpha_ = cholesky_.info() == Eigen::Success
               ? Eigen::VectorXd(cholesky_.solve(standardised_targets_))
               : Eigen::VectorXd::Zero(targets.size());
}

void GaussianProcess::set_data(Eigen::MatrixXd inputs, const Eigen::VectorXd& targets) {
  inputs_ = std::move(inputs);
  standardise(targets);
  if (hyperparameters_.log_length_scales.size() != inputs_.cols()) {
    hyperparameters_ = GpHyperparameters::defaults(static_cast<std::size_t>(inputs_.cols()));
  }
  factorise();
}

void GaussianProcess::set_hyperparameters(const GpHyperparameters& hyperparameters) {
  hyperparameters_ = hyperparameters;
  factorise();
}

void GaussianProcess::factorise() {
  const Eigen::MatrixXd kernel = matern52_kernel(inputs_, inputs_, hyperparameters_);
  if (factorise_with_jitter(kernel, std::exp(hyperparameters_.log_noise_variance), cholesky_)) {
    alpha_ = cholesky_.solve(standardised_targets_);
  } else {
    // Cannot happen with the fitted bounds; predict the prior rather than garbage.
    alpha_ = Eigen::VectorXd::Zero(standardised_targets_.size());
  }
}

double GaussianProcess::log_marginal_likelihood() const {
  return log_marginal_likelihood(hyperparameters_, nullptr);
}

double GaussianProcess::log_marginal_likelihood(const GpHyperparameters& hp,
                                                Eigen::VectorXd* gradient) const {
  const Eigen::Index n = inputs_.rows();
  const Eigen::Index d = inputs_.cols();
  // One pass over the pairs gives the kernel and, for the gradient, the radial factor
  // s2 (5/3) (1 + sqrt5 r) exp(-sqrt5 r) shared by every length-scale derivative.
  const Eigen::MatrixXd scaled = scaled_columns(inputs_, hp);
  const double signal = std::exp(hp.log_signal_variance);
  Eigen::MatrixXd kernel(n, n);
  Eigen::MatrixXd radial_factor;
  if (gradient) radial_factor.resize(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    kernel(j, j) = signal;
    for (Eigen::Index i = j + 1; i < n; ++i) {
      const double s = kSqrt5 * (scaled.col(i) - scaled.col(j)).norm();
      const double decay = std::exp(-s);
      kernel(i, j) = kernel(j, i) = signal * (1.0 + s + s * s / 3.0) * decay;
      if (gradient) radial_factor(i, j) = signal * (5.0 / 3.0) * (1.0 + s) * decay;
    }
  }
  const double noise = std::exp(hp.log_noise_variance);
  Eigen::LLT<Eigen::MatrixXd> cholesky;
  if (!factorise_with_jitter(kernel, noise, cholesky)) {
    return -std::numeric_limits<double>::infinity();
  }
  const Eigen::VectorXd alpha = cholesky.solve(standardised_targets_);
  const double log_determinant_half =
      cholesky.matrixLLT().diagonal().array().log().sum();  // log|K| / 2
  const double value = -0.5 * standardised_targets_.dot(alpha) - log_determinant_half -
                       0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);
  if (!gradient) return value;

  // d lml / d theta = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta).
  const Eigen::MatrixXd inverse = cholesky.solve(Eigen::MatrixXd::Identity(n, n));
  const Eigen::MatrixXd weights = alpha * alpha.transpose() - inverse;
  gradient->setZero(d + 2);
  // Signal variance: dK/dlog(s2) is the noise-free kernel itself.
  (*gradient)[d] = 0.5 * (weights.array() * kernel.array()).sum();
  (*gradient)[d + 1] = 0.5 * noise * weights.trace();
  // Length scales: dk/dlog(l_j) = radial factor * (x_j - y_j)^2 / l_j^2. Both (i, j) and (j, i)
  // contribute, which cancels the 1/2.
  Eigen::ArrayXd length_gradient = Eigen::ArrayXd::Zero(d);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j + 1; i < n; ++i) {
      length_gradient +=
          (weights(i, j) * radial_factor(i, j)) * (scaled.col(i) - scaled.col(j)).array().square();
    }
  }
  gradient->head(d) = length_gradient.matrix();
  return value;
}

double GaussianProcess::fit(Rng& rng, const GpFitSettings& settings) {
  const Bounds bounds;
  const Eigen::Index d = inputs_.cols();
  std::vector<Eigen::VectorXd> starts;
  Eigen::VectorXd current = hyperparameters_.packed();
  project(current, bounds);
  starts.push_back(current);
  for (std::size_t restart = 0; restart < settings.random_restarts; ++restart) {
    Eigen::VectorXd start(d + 2);
    for (Eigen::Index j = 0; j < d; ++j) start[j] = rng.uniform(std::log(0.05), std::log(2.0));
    start[d] = rng.uniform(std::log(0.5), std::log(2.0));
    start[d + 1] = rng.uniform(std::log(1e-5), std::log(1e-2));
    starts.push_back(start);
  }

  // Best so far starts at the caller's hyper-parameters: fitting never makes them worse.
  Eigen::VectorXd best = hyperparameters_.packed();
  double best_value = log_marginal_likelihood(hyperparameters_, nullptr);
  constexpr double kBeta1 = 0.9;
  constexpr double kBeta2 = 0.999;
  Eigen::VectorXd gradient;
  for (const auto& start : starts) {
    Eigen::VectorXd theta = start;
    Eigen::VectorXd first_moment = Eigen::VectorXd::Zero(d + 2);
    Eigen::VectorXd second_moment = Eigen::VectorXd::Zero(d + 2);
    for (std::size_t step = 1; step <= settings.iterations + 1; ++step) {
      const double value = log_marginal_likelihood(GpHyperparameters::unpacked(theta), &gradient);
      if (!std::isfinite(value)) break;
      if (value > best_value) {
        best_value = value;
        best = theta;
      }
      if (step > settings.iterations) break;  // the last point was only evaluated
      first_moment = kBeta1 * first_moment + (1.0 - kBeta1) * gradient;
      second_moment = kBeta2 * second_moment + (1.0 - kBeta2) * gradient.cwiseAbs2();
      const double bias1 = 1.0 - std::pow(kBeta1, static_cast<double>(step));
      const double bias2 = 1.0 - std::pow(kBeta2, static_cast<double>(step));
      theta.array() += settings.learning_rate * (first_moment.array() / bias1) /
                       ((second_moment.array() / bias2).sqrt() + 1e-8);
      project(theta, bounds);
    }
  }
  set_hyperparameters(GpHyperparameters::unpacked(best));
  return best_value;
}

GpPredictions GaussianProcess::predict(const Eigen::MatrixXd& points) const {
  const Eigen::MatrixXd cross = matern52_kernel(points, inputs_, hyperparameters_);
  GpPredictions predictions;
  predictions.mean = (cross * alpha_).array() * target_scale_ + target_mean_;
  const double signal = std::exp(hyperparameters_.log_signal_variance);
  Eigen::VectorXd variance = Eigen::VectorXd::Constant(points.rows(), signal);
  if (cholesky_.info() == Eigen::Success && inputs_.rows() > 0) {
    const Eigen::MatrixXd solved = cholesky_.matrixL().solve(cross.transpose());
    variance -= solved.colwise().squaredNorm().transpose();
  }
  predictions.variance = variance.cwiseMax(0.0) * (target_scale_ * target_scale_);
  return predictions;
}

CandidatePosterior::CandidatePosterior(const GaussianProcess& gp, const Eigen::MatrixXd& candidates)
    : scaled_candidates_(scaled_columns(candidates, gp.hyperparameters_)),
      cross_(matern52_kernel(gp.inputs_, candidates, gp.hyperparameters_)),
      signal_variance_(std::exp(gp.hyperparameters_.log_signal_variance)),
      noise_variance_(std::exp(gp.hyperparameters_.log_noise_variance)) {
  const bool factorised = gp.cholesky_.info() == Eigen::Success && gp.inputs_.rows() > 0;
  solved_ = factorised ? Eigen::MatrixXd(gp.cholesky_.matrixL().solve(cross_))
                       : Eigen::MatrixXd::Zero(gp.inputs_.rows(), candidates.rows());
  standardised_variance_ =
      (signal_variance_ - solved_.colwise().squaredNorm().array()).max(0.0).matrix().transpose();
  retarget(gp);
}

void CandidatePosterior::retarget(const GaussianProcess& gp) {
  mean_ = (cross_.transpose() * gp.alpha_).array() * gp.target_scale_ + gp.target_mean_;
  target_variance_ = gp.target_scale_ * gp.target_scale_;
  variance_ = standardised_variance_ * target_variance_;
}

void CandidatePosterior::condition_on_mean(Eigen::Index candidate) {
  // Posterior covariance (standardised) between every candidate and the conditioned one.
  Eigen::VectorXd covariance(scaled_candidates_.cols());
  for (Eigen::Index a = 0; a < scaled_candidates_.cols(); ++a) {
    covariance[a] =
        signal_variance_ *
        matern52((scaled_candidates_.col(a) - scaled_candidates_.col(candidate)).norm());
  }
  covariance.noalias() -= solved_.transpose() * solved_.col(candidate);
  for (const auto& update : updates_) covariance -= update * update[candidate];
  const double denominator = std::max(covariance[candidate], 0.0) + noise_variance_;
  Eigen::VectorXd update = covariance / std::sqrt(denominator);
  standardised_variance_ =
      (standardised_variance_.array() - update.array().square()).max(0.0).matrix();
  variance_ = standardised_variance_ * target_variance_;
  updates_.push_back(std::move(update));
}

}  // namespace accelscope::search::detail
