// Parameter importance: which parameters move each objective, from evaluated designs alone (no
// model, no re-evaluation). Designs are parameter vectors with objective values.
//
// Method: a variance-based first-order index per (parameter, objective), estimated by one-way
// ANOVA over bins of the parameter: the share of the objective's variance explained by the
// parameter alone, Var(E[y | x_j]) / Var(y). Each distinct value of a parameter with at most
// `max_bins` distinct values (every level of a discrete dimension) is one bin; a parameter with
// more values (a continuous one) is cut into `max_bins` bins of equal counts. The estimate is
// epsilon-squared (Kelley 1935), the correlation ratio eta^2 = SS_between / SS_total less its
// expected value under no effect, (k - 1) MS_within / SS_total, so an inert parameter scores about
// 0 rather than (k - 1) / n; it is clamped to [0, 1].
//
// When the parameters are independent (grid, random or Sobol sampling) this is the first-order
// Sobol index of the space; for the designs of a guided search (NSGA-II, Bayesian) parameters are
// correlated and the index says how much of the variation among the designs evaluated goes with
// each parameter. What the first-order indices of an objective do not add up to is interaction
// (effects that depend on other parameters' values) and noise.
//
// Objectives whose values are all positive are analysed in log(value) (by default): hardware
// figures are roughly multiplicative (twice the PEs, half the latency), and in logs such effects
// add. Each index comes with Spearman's rank correlation between the parameter and the objective
// (its direction), NaN for categorical parameters, whose levels have no order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace accelscope::search {

struct ImportanceOptions {
  // Bins per parameter: distinct values up to this, else this many equal-count bins.
  std::size_t max_bins = 10;
  // Designs beyond this are sampled (uniformly, seeded) before the analysis: the standard error
  // of an index from n designs is about 1 / sqrt(n), 0.3 % at the default.
  std::size_t max_designs = 100000;
  std::uint64_t seed = 1;
  // Analyse an objective whose finite values are all > 0 in log(value).
  bool log_positive_objectives = true;
};

struct ParameterImportance {
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  // Share of the objective's variance explained by this parameter alone, in [0, 1]; NaN when the
  // objective does not vary or too few designs have it (fewer than bins + 1).
  double first_order = kUnknown;
  // Spearman's rank correlation in [-1, 1]: > 0 when larger parameter values go with larger
  // objective values. NaN for a categorical or constant parameter.
  double rank_correlation = kUnknown;
};

struct ImportanceTable {
  std::size_t designs_seen = 0;  // designs given
  std::size_t designs_used = 0;  // after sampling
  // Per objective: designs with a finite value (after sampling), and whether it was analysed in
  // log(value).
  std::vector<std::size_t> objective_designs;
  std::vector<bool> objective_log;
  // [objective][parameter]
  std::vector<std::vector<ParameterImportance>> entries;
  // Per objective: the sum of the first-order indices (NaN entries skipped); 1 - this is the
  // share left to interactions and noise.
  std::vector<double> first_order_sum;

  // Parameter indices by decreasing first-order index for one objective (NaN last).
  std::vector<std::size_t> ranking(std::size_t objective) const;
};

// parameter_columns[j][i]: parameter j of design i (a level index, a value, or NaN when absent:
// NaN is a bin of its own); objective_columns[o][i]: objective o of design i (NaN or infinite:
// design i is left out of objective o). categorical[j] marks unordered parameters (every distinct
// value is a bin, whatever max_bins). Throws std::invalid_argument when columns differ in length,
// categorical has not one flag per parameter, or max_bins < 2.
ImportanceTable parameter_importance(const std::vector<std::vector<double>>& parameter_columns,
                                     const std::vector<bool>& categorical,
                                     const std::vector<std::vector<double>>& objective_columns,
                                     const ImportanceOptions& options = {});

// The same for designs read one at a time (a scan of a large study): keeps a uniform sample of at
// most options.max_designs designs (reservoir sampling, seeded), so memory does not grow with the
// study.
class ImportanceSampler {
 public:
  ImportanceSampler(std::size_t parameter_count, std::size_t objective_count,
                    ImportanceOptions options = {});
  // Throws std::invalid_argument when the sizes differ from the counts given.
  void add(std::span<const double> parameters, std::span<const double> objectives);
  std::size_t seen() const { return seen_; }
  ImportanceTable compute(const std::vector<bool>& categorical) const;

 private:
  ImportanceOptions options_;
  std::vector<std::vector<double>> parameter_columns_;
  std::vector<std::vector<double>> objective_columns_;
  std::size_t seen_ = 0;
  std::uint64_t rng_state_;
};

}  // namespace accelscope::search
