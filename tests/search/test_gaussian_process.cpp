#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "search/detail/gaussian_process.hpp"

using namespace accelscope::search::detail;

namespace {

Eigen::MatrixXd random_inputs(Rng& rng, Eigen::Index count, Eigen::Index dimension) {
  Eigen::MatrixXd inputs(count, dimension);
  for (Eigen::Index i = 0; i < count; ++i) {
    for (Eigen::Index j = 0; j < dimension; ++j) inputs(i, j) = rng.uniform01();
  }
  return inputs;
}

// A smooth function that varies fast along x0 and slowly along x1 (so ARD has something to learn).
Eigen::VectorXd smooth_targets(const Eigen::MatrixXd& inputs) {
  Eigen::VectorXd targets(inputs.rows());
  for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
    targets[i] = std::sin(6.0 * inputs(i, 0)) + 0.3 * inputs(i, 1) + 10.0;
  }
  return targets;
}

}  // namespace

TEST_CASE("gp: Matern 5/2 values", "[search][gp]") {
  CHECK(matern52(0.0) == 1.0);
  const double r = 0.7;
  const double s = std::sqrt(5.0) * r;
  CHECK(matern52(r) == Approx((1 + s + s * s / 3) * std::exp(-s)));
  CHECK(matern52(1.0) < matern52(0.5));
  CHECK(matern52(50.0) < 1e-12);
}

TEST_CASE("gp: kernel matrix is symmetric positive definite", "[search][gp]") {
  Rng rng(3);
  const Eigen::MatrixXd inputs = random_inputs(rng, 40, 3);
  GpHyperparameters hp = GpHyperparameters::defaults(3);
  hp.log_length_scales << std::log(0.2), std::log(1.0), std::log(3.0);
  hp.log_signal_variance = std::log(2.0);
  const Eigen::MatrixXd kernel = matern52_kernel(inputs, inputs, hp);
  CHECK((kernel - kernel.transpose()).cwiseAbs().maxCoeff() < 1e-15);
  CHECK(kernel.diagonal().isApproxToConstant(2.0));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(kernel);
  CHECK(eigen.eigenvalues().minCoeff() > 0.0);
  CHECK(Eigen::LLT<Eigen::MatrixXd>(kernel).info() == Eigen::Success);
}

TEST_CASE("gp: interpolates training points with tiny noise", "[search][gp]") {
  Rng rng(5);
  const Eigen::MatrixXd inputs = random_inputs(rng, 25, 2);
  const Eigen::VectorXd targets = smooth_targets(inputs);
  GaussianProcess gp;
  gp.set_data(inputs, targets);
  GpHyperparameters hp = GpHyperparameters::defaults(2);
  hp.log_noise_variance = std::log(1e-9);
  gp.set_hyperparameters(hp);
  const GpPredictions at_training = gp.predict(inputs);
  for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
    CHECK(at_training.mean[i] == Approx(targets[i]).margin(1e-4));
    CHECK(at_training.variance[i] < 1e-6);
  }
  // Far from the data the prior variance returns and the mean reverts towards the data mean.
  Eigen::MatrixXd far(1, 2);
  far << 30.0, 30.0;
  const GpPredictions away = gp.predict(far);
  CHECK(away.mean[0] == Approx(targets.mean()).margin(1e-6));
  CHECK(away.variance[0] > 0.5 * (targets.array() - targets.mean()).square().mean());
}

TEST_CASE("gp: log marginal likelihood gradient matches finite differences", "[search][gp]") {
  Rng rng(9);
  const Eigen::MatrixXd inputs = random_inputs(rng, 20, 3);
  GaussianProcess gp;
  gp.set_data(inputs, smooth_targets(inputs));
  GpHyperparameters hp = GpHyperparameters::defaults(3);
  hp.log_length_scales << std::log(0.3), std::log(0.8), std::log(1.5);
  hp.log_signal_variance = std::log(0.7);
  hp.log_noise_variance = std::log(1e-3);
  Eigen::VectorXd gradient;
  gp.log_marginal_likelihood(hp, &gradient);
  const Eigen::VectorXd packed = hp.packed();
  for (Eigen::Index k = 0; k < packed.size(); ++k) {
    const double step = 1e-5;
    Eigen::VectorXd up = packed, down = packed;
    up[k] += step;
    down[k] -= step;
    const double numeric =
        (gp.log_marginal_likelihood(GpHyperparameters::unpacked(up), nullptr) -
         gp.log_marginal_likelihood(GpHyperparameters::unpacked(down), nullptr)) /
        (2 * step);
    INFO("parameter " << k);
    CHECK(gradient[k] == Approx(numeric).epsilon(1e-4).margin(1e-6));
  }
}

TEST_CASE("gp: fitting increases the likelihood and learns relevance", "[search][gp]") {
  Rng data_rng(13);
  const Eigen::MatrixXd inputs = random_inputs(data_rng, 40, 2);
  GaussianProcess gp;
  gp.set_data(inputs, smooth_targets(inputs));
  const double before = gp.log_marginal_likelihood();
  Rng fit_rng(1);
  const double after = gp.fit(fit_rng, GpFitSettings{});
  CHECK(after > before + 1.0);
  CHECK(gp.log_marginal_likelihood() == Approx(after));
  // x0 drives the function, x1 barely: its length scale should come out longer.
  const auto& lengths = gp.hyperparameters().log_length_scales;
  CHECK(lengths[1] > lengths[0]);
  // Held-out accuracy.
  const Eigen::MatrixXd test_inputs = random_inputs(data_rng, 50, 2);
  const Eigen::VectorXd truth = smooth_targets(test_inputs);
  const double rmse = std::sqrt((gp.predict(test_inputs).mean - truth).array().square().mean());
  CHECK(rmse < 0.05);

  // Deterministic: the same seed gives the same hyper-parameters.
  GaussianProcess again;
  again.set_data(inputs, smooth_targets(inputs));
  Rng same_rng(1);
  again.fit(same_rng, GpFitSettings{});
  CHECK(again.hyperparameters().packed() == gp.hyperparameters().packed());
}

TEST_CASE("gp: expected improvement", "[search][gp]") {
  CHECK(expected_improvement(0.0, 1.0, 0.0) == Approx(1.0 / std::sqrt(2.0 * std::numbers::pi)));
  CHECK(expected_improvement(-1.0, 1e-30, 0.0) == Approx(1.0));  // certain improvement of 1
  CHECK(expected_improvement(1.0, 1e-30, 0.0) == 0.0);           // certainly no improvement
  CHECK(expected_improvement(0.0, 1.0, 0.0) > expected_improvement(0.5, 1.0, 0.0));
  CHECK(expected_improvement(0.5, 4.0, 0.0) > expected_improvement(0.5, 1.0, 0.0));
}
