// Parameter importance on synthetic designs whose answer is known.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "search/importance.hpp"

using accelscope::search::ImportanceOptions;
using accelscope::search::ImportanceSampler;
using accelscope::search::ImportanceTable;
using accelscope::search::parameter_importance;
using Columns = std::vector<std::vector<double>>;

namespace {

// n designs with `dims` independent parameters, each uniform over `levels` levels 0..levels-1.
Columns random_levels(std::size_t n, std::size_t dims, int levels, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(0, levels - 1);
  Columns columns(dims, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dims; ++d) columns[d][i] = level(rng);
  return columns;
}

}  // namespace

TEST_CASE("importance: an additive model's first-order indices are its variance shares",
          "[importance]") {
  // y = 4 x0 + x1 + 0 x2 with independent uniform levels: Var shares 16/17, 1/17, 0. Values are
  // negative too, so y is analysed as it is (not in logs).
  const std::size_t n = 20000;
  const Columns x = random_levels(n, 3, 10, 7);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = 4 * x[0][i] + x[1][i] - 20;
  const ImportanceTable t = parameter_importance(x, {false, false, false}, {y});
  REQUIRE(t.entries.size() == 1);
  CHECK_FALSE(t.objective_log[0]);
  CHECK(t.entries[0][0].first_order == Approx(16.0 / 17).margin(0.01));
  CHECK(t.entries[0][1].first_order == Approx(1.0 / 17).margin(0.01));
  CHECK(t.entries[0][2].first_order == Approx(0).margin(0.002));  // bias-corrected: not 9/n
  CHECK(t.first_order_sum[0] == Approx(1).margin(0.01));
  CHECK(t.entries[0][0].rank_correlation > 0.9);
  CHECK(std::abs(t.entries[0][2].rank_correlation) < 0.05);
  CHECK(t.ranking(0) == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("importance: positive objectives are analysed in logs, so products add", "[importance]") {
  // latency = 2^(-x0) * 2^(x1 / 2): log-additive with shares 4/5 and 1/5 (x0 and x1 levels of
  // equal variance); larger x0 lowers latency.
  const std::size_t n = 20000;
  const Columns x = random_levels(n, 2, 8, 11);
  std::vector<double> latency(n);
  for (std::size_t i = 0; i < n; ++i) latency[i] = std::exp2(-x[0][i]) * std::exp2(x[1][i] / 2);
  const ImportanceTable t = parameter_importance(x, {false, false}, {latency});
  CHECK(t.objective_log[0]);
  CHECK(t.entries[0][0].first_order == Approx(0.8).margin(0.01));
  CHECK(t.entries[0][1].first_order == Approx(0.2).margin(0.01));
  CHECK(t.entries[0][0].rank_correlation < -0.8);
  CHECK(t.entries[0][1].rank_correlation > 0.3);

  ImportanceOptions linear;
  linear.log_positive_objectives = false;
  const ImportanceTable raw = parameter_importance(x, {false, false}, {latency}, linear);
  CHECK_FALSE(raw.objective_log[0]);
  // In linear terms the product is mostly interaction: the shares no longer add to 1.
  CHECK(raw.first_order_sum[0] < 0.9);
}

TEST_CASE("importance: a pure interaction has no first-order effect", "[importance]") {
  // y = s0 * s1 with s = +-1: each parameter alone tells nothing about y.
  const std::size_t n = 20000;
  Columns x = random_levels(n, 2, 2, 3);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = (2 * x[0][i] - 1) * (2 * x[1][i] - 1);
  const ImportanceTable t = parameter_importance(x, {false, false}, {y});
  CHECK(t.entries[0][0].first_order == Approx(0).margin(0.002));
  CHECK(t.entries[0][1].first_order == Approx(0).margin(0.002));
  CHECK(t.first_order_sum[0] < 0.01);
}

TEST_CASE("importance: categorical levels without order", "[importance]") {
  // Dataflow-like parameter with 3 unordered levels: level 1 is slow, 0 and 2 the same. The
  // effect is not monotone, so the rank correlation would say nothing: NaN for categorical.
  const std::size_t n = 9000;
  const Columns x = random_levels(n, 2, 3, 5);
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0, 0.1);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = (x[0][i] == 1 ? 5.0 : 1.0) + noise(rng);
  const ImportanceTable t = parameter_importance(x, {true, false}, {y});
  CHECK(t.entries[0][0].first_order > 0.98);
  CHECK(std::isnan(t.entries[0][0].rank_correlation));
  CHECK(t.entries[0][1].first_order == Approx(0).margin(0.002));
}

TEST_CASE("importance: continuous parameters are cut into equal-count bins", "[importance]") {
  // y = x0 uniform on [0, 1] with 10 bins: what is left within a bin is 1/100 of the variance.
  const std::size_t n = 20000;
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> u(0, 1);
  Columns x(2, std::vector<double>(n));
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[0][i] = u(rng);
    x[1][i] = u(rng);
    y[i] = x[0][i] - 0.5;
  }
  const ImportanceTable t = parameter_importance(x, {false, false}, {y});
  CHECK(t.entries[0][0].first_order == Approx(0.99).margin(0.005));
  CHECK(t.entries[0][1].first_order == Approx(0).margin(0.002));
  CHECK(t.entries[0][0].rank_correlation == Approx(1));
}

TEST_CASE("importance: missing values, constant objectives, bad input", "[importance]") {
  const Columns x = random_levels(100, 1, 4, 1);
  std::vector<double> varying(100), constant(100, 3.0), sparse(100, NAN);
  for (std::size_t i = 0; i < 100; ++i) varying[i] = x[0][i];
  sparse[0] = 1;
  sparse[1] = 2;
  const ImportanceTable t = parameter_importance(x, {false}, {varying, constant, sparse});
  CHECK(t.entries[0][0].first_order == Approx(1));
  CHECK(std::isnan(t.entries[1][0].first_order));  // nothing to explain
  CHECK(std::isnan(t.first_order_sum[1]));
  CHECK(t.objective_designs == std::vector<std::size_t>{100, 100, 2});
  CHECK(std::isnan(t.entries[2][0].first_order));  // 2 designs cannot estimate 2 bins

  CHECK_THROWS_AS(parameter_importance(x, {false, true}, {varying}), std::invalid_argument);
  CHECK_THROWS_AS(parameter_importance(x, {false}, {std::vector<double>(99)}),
                  std::invalid_argument);
  ImportanceOptions one_bin;
  one_bin.max_bins = 1;
  CHECK_THROWS_AS(parameter_importance(x, {false}, {varying}, one_bin), std::invalid_argument);
}

TEST_CASE("importance: large studies are sampled, streamed or not, to the same answer",
          "[importance]") {
  const std::size_t n = 200000;
  const Columns x = random_levels(n, 3, 10, 21);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = 4 * x[0][i] + x[1][i] - 20;
  ImportanceOptions options;
  options.max_designs = 20000;
  const ImportanceTable sampled = parameter_importance(x, {false, false, false}, {y}, options);
  CHECK(sampled.designs_seen == n);
  CHECK(sampled.designs_used == 20000);
  CHECK(sampled.entries[0][0].first_order == Approx(16.0 / 17).margin(0.01));

  ImportanceSampler sampler(3, 1, options);
  for (std::size_t i = 0; i < n; ++i) {
    const double params[] = {x[0][i], x[1][i], x[2][i]};
    sampler.add(params, std::span<const double>(&y[i], 1));
  }
  const ImportanceTable streamed = sampler.compute({false, false, false});
  CHECK(streamed.designs_seen == n);
  CHECK(streamed.designs_used == 20000);
  CHECK(streamed.entries[0][0].first_order == Approx(16.0 / 17).margin(0.01));
  CHECK(streamed.entries[0][1].first_order == Approx(1.0 / 17).margin(0.01));
  const double wrong[] = {1.0};
  CHECK_THROWS_AS(sampler.add(wrong, wrong), std::invalid_argument);
}
