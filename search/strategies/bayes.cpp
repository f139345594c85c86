// Bayesian optimisation: a Gaussian process (Matern 5/2, ARD) on normalised inputs, expected
// improvement maximised over a finite set of unevaluated candidates.
//
// - Multi-objective: ParEGO (Knowles 2006). Every model-based ask draws a weight vector uniformly
//   from the simplex and models the augmented Chebyshev scalarisation
//   max_m(w_m u_m) + rho sum_m(w_m u_m) of the objectives u normalised to [0,1] over the feasible
//   evaluations.
// - Constraints: penalised objective. An infeasible evaluation gets the worst feasible value plus
//   0.5 plus its violation relative to the largest violation seen (failed ones: plus 1.5), so the
//   model steers towards feasibility (and, before anything feasible is found, minimises the
//   violation). The cheap predicate additionally filters candidates.
// - Candidates: every unevaluated grid point when the discrete grid is small (<= 2x
//   candidate_count), otherwise candidate_count random unevaluated points plus neighbours of the 5
//   best points; only those the cheap predicate accepts (unless it accepts none).
// - Batches: q = min(max_points, batch_size) points by the kriging believer (each chosen point is
//   added to the model at its predicted mean before choosing the next).
// - Initial design: scrambled Halton points, unevaluated and preferably cheap-feasible.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>

#include "search/detail/gaussian_process.hpp"
#include "search/detail/strategy_base.hpp"
#include "search/detail/variation.hpp"

namespace accelscope::search::detail {
namespace {

constexpr std::uint64_t kModelStream = 4;
constexpr std::uint64_t kInitialDesignStream = 5;
constexpr std::size_t kBestPointsForNeighbours = 5;
constexpr double kNeighbourEta = 5.0;  // wide polynomial steps for local candidates
// Adam iterations of the short (warm-started) and the periodic full hyper-parameter fit.
constexpr std::size_t kShortFitIterations = 15;
constexpr std::size_t kFullFitIterations = 60;

std::size_t default_initial_points(std::size_t dimension_count) {
  return std::clamp<std::size_t>(2 * dimension_count + 1, 10, 20);
}

class BayesStrategy final : public StrategyBase {
 public:
  BayesStrategy(const Space& space, const StrategyOptions& options)
      : StrategyBase(space, options, /*track_seen=*/true),
        rng_(derive_seed(options.seed, kModelStream)),
        initial_sampler_(this->space(), UniqueSampler::Pattern::low_discrepancy,
                         derive_seed(options.seed, kInitialDesignStream)),
        initial_count_(options.bayes.initial_points > 0
                           ? options.bayes.initial_points
                           : default_initial_points(space.dimension_count())) {}

  std::string name() const override { return "bayes"; }

 protected:
  std::vector<Point> propose(std::size_t max_points) override {
    if (initial_asked_ < initial_count_) {
      auto points = sample_initial(std::min(max_points, initial_count_ - initial_asked_));
      initial_asked_ += points.size();
      return points;
    }
    const std::size_t batch = std::min(max_points, std::max<std::size_t>(options().batch_size, 1));
    // Without two results there is nothing to model (initial results untold or failed).
    if (history_.size() < 2) return sample_initial(batch);
    return propose_by_model(batch);
  }

  void learn(const std::vector<Evaluation>& results) override {
    for (const auto& evaluation : results) {
      history_.push_back(evaluation);
      normalised_points_.push_back(space().normalise(evaluation.point));
    }
  }

 private:
  std::vector<Point> sample_initial(std::size_t count) {
    std::vector<Point> points;
    while (points.size() < count) {
      auto point = initial_sampler_.next(seen(), options().cheap_feasible,
                                         UniqueSampler::Acceptance::prefer);
      if (!point) break;
      seen().insert(*point);
      points.push_back(std::move(*point));
    }
    return points;
  }

  std::vector<double> draw_weights() {
    // Normalised exponentials are uniform on the simplex.
    std::vector<double> weights(options().objective_count);
    double total = 0.0;
    for (auto& weight : weights) {
      weight = -std::log(1.0 - rng_.uniform01());
      total += weight;
    }
    for (auto& weight : weights) weight /= total;
    return weights;
  }

  // ParEGO scalarisation with the penalty for infeasible evaluations (see the file comment).
  std::vector<double> scalarise(const std::vector<double>& weights) const {
    const std::size_t objective_count = options().objective_count;
    std::vector<double> lowest(objective_count, std::numeric_limits<double>::infinity());
    std::vector<double> highest(objective_count, -std::numeric_limits<double>::infinity());
    double largest_violation = 0.0;
    for (const auto& evaluation : history_) {
      if (!evaluation.feasible()) {
        if (std::isfinite(evaluation.violation)) {
          largest_violation = std::max(largest_violation, evaluation.violation);
        }
        continue;
      }
      for (std::size_t m = 0; m < objective_count; ++m) {
        lowest[m] = std::min(lowest[m], evaluation.objectives[m]);
        highest[m] = std::max(highest[m], evaluation.objectives[m]);
      }
    }
    std::vector<double> targets(history_.size());
    double worst_feasible = 0.0;
    bool any_feasible = false;
    for (std::size_t i = 0; i < history_.size(); ++i) {
      const auto& evaluation = history_[i];
      if (!evaluation.feasible()) continue;
      double chebyshev = 0.0;
      double weighted_sum = 0.0;
      for (std::size_t m = 0; m < objective_count; ++m) {
        const double range = highest[m] - lowest[m];
        const double normalised =
            range > 0.0 ? (evaluation.objectives[m] - lowest[m]) / range : 0.0;
        chebyshev = std::max(chebyshev, weights[m] * normalised);
        weighted_sum += weights[m] * normalised;
      }
      targets[i] = chebyshev + options().bayes.parego_rho * weighted_sum;
      worst_feasible = any_feasible ? std::max(worst_feasible, targets[i]) : targets[i];
      any_feasible = true;
    }
    const double infeasible_base = any_feasible ? worst_feasible + 0.5 : 0.0;
    for (std::size_t i = 0; i < history_.size(); ++i) {
      const auto& evaluation = history_[i];
      if (evaluation.feasible()) continue;
      const double relative = std::isfinite(evaluation.violation) && largest_violation > 0.0
                                  ? evaluation.violation / largest_violation
                                  : 1.5;
      targets[i] = infeasible_base + relative;
    }
    return targets;
  }

  // Indices of the training set, in evaluation order (see BayesOptions::max_training_points).
  std::vector<std::size_t> training_indices(const std::vector<double>& targets) const {
    const std::size_t cap = std::max<std::size_t>(options().bayes.max_training_points, 2);
    std::vector<std::size_t> all(history_.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    if (all.size() <= cap) return all;
    std::vector<std::size_t> by_target = all;
    std::sort(by_target.begin(), by_target.end(), [&](std::size_t a, std::size_t b) {
      return targets[a] < targets[b] || (targets[a] == targets[b] && a < b);
    });
    const std::size_t best_count = cap / 2;
    std::vector<bool> chosen(all.size(), false);
    for (std::size_t i = 0; i < best_count; ++i) chosen[by_target[i]] = true;
    std::vector<std::size_t> rest;
    for (std::size_t i : all) {
      if (!chosen[i]) rest.push_back(i);
    }
    const std::size_t spread_count = cap - best_count;
    for (std::size_t k = 0; k < spread_count; ++k)
      chosen[rest[k * rest.size() / spread_count]] = true;
    std::vector<std::size_t> kept;
    for (std::size_t i : all) {
      if (chosen[i]) kept.push_back(i);
    }
    return kept;
  }

  std::vector<Point> candidates(const std::vector<double>& targets) {
    const std::size_t wanted = std::max<std::size_t>(options().bayes.candidate_count, 1);
    PointSet considered(space());
    std::vector<Point> accepted;
    std::vector<Point> rejected;  // by the cheap predicate, used only if nothing is accepted
    const auto consider = [&](Point point) {
      if (seen().contains(point) || !considered.insert(point)) return;
      if (passes_cheap_test(point)) {
        accepted.push_back(std::move(point));
      } else if (rejected.size() < wanted) {
        rejected.push_back(std::move(point));
      }
    };
    const auto grid = space().grid_size();
    if (grid && *grid <= 2 * wanted) {
      for (std::uint64_t index = 0; index < *grid; ++index) consider(space().grid_point(index));
    } else {
      for (std::size_t draw = 0; draw < 4 * wanted && accepted.size() < wanted; ++draw) {
        consider(uniform_point(space(), rng_));
      }
      std::vector<std::size_t> order(history_.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return targets[a] < targets[b] || (targets[a] == targets[b] && a < b);
      });
      const std::size_t best_count = std::min(kBestPointsForNeighbours, order.size());
      const std::size_t per_point =
          options().bayes.local_candidate_count / std::max<std::size_t>(best_count, 1);
      for (std::size_t b = 0; b < best_count; ++b) {
        const Point& centre = history_[order[b]].point;
        for (std::size_t k = 0; k < 2 * per_point; ++k) {
          consider(neighbour(space(), centre, kNeighbourEta, rng_));
        }
      }
    }
    return accepted.empty() ? rejected : accepted;
  }

  Eigen::MatrixXd as_rows(const std::vector<std::vector<double>>& normalised) const {
    Eigen::MatrixXd rows(static_cast<Eigen::Index>(normalised.size()),
                         static_cast<Eigen::Index>(space().dimension_count()));
    for (std::size_t i = 0; i < normalised.size(); ++i) {
      for (std::size_t j = 0; j < normalised[i].size(); ++j) {
        rows(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = normalised[i][j];
      }
    }
    return rows;
  }

  std::vector<Point> propose_by_model(std::size_t batch) {
    const std::vector<double> targets = scalarise(draw_weights());
    const std::vector<std::size_t> training = training_indices(targets);
    std::vector<std::vector<double>> inputs;
    std::vector<double> outputs;
    for (std::size_t i : training) {
      inputs.push_back(normalised_points_[i]);
      outputs.push_back(targets[i]);
    }

    GaussianProcess gp;
    if (hyperparameters_)
      gp.set_hyperparameters(*hyperparameters_);  // warm start (kept by set_data)
    gp.set_data(as_rows(inputs), Eigen::Map<const Eigen::VectorXd>(
                                     outputs.data(), static_cast<Eigen::Index>(outputs.size())));
    const bool full_fit =
        model_asks_ % std::max<std::size_t>(options().bayes.full_fit_period, 1) == 0;
    GpFitSettings fit;
    fit.random_restarts = full_fit ? options().bayes.fit_restarts : 0;
    fit.iterations = full_fit ? kFullFitIterations : kShortFitIterations;
    gp.fit(rng_, fit);
    hyperparameters_ = gp.hyperparameters();
    ++model_asks_;

    std::vector<Point> pool = candidates(targets);
    std::vector<std::vector<double>> pool_normalised;
    pool_normalised.reserve(pool.size());
    for (const auto& point : pool) pool_normalised.push_back(space().normalise(point));
    const Eigen::MatrixXd pool_rows = as_rows(pool_normalised);

    std::vector<Point> chosen;
    std::vector<bool> taken(pool.size(), false);
    while (chosen.size() < batch && chosen.size() < pool.size()) {
      const GpPredictions predictions = gp.predict(pool_rows);
      const double best = *std::min_element(outputs.begin(), outputs.end());
      std::size_t pick = pool.size();
      double pick_score = -1.0;
      for (std::size_t c = 0; c < pool.size(); ++c) {
        if (taken[c]) continue;
        const double score =
            expected_improvement(predictions.mean[c], predictions.variance[c], best);
        if (score > pick_score) {
          pick_score = score;
          pick = c;
        }
      }
      if (!(pick_score > 0.0)) {
        // Improvement is numerically nil everywhere: take the lowest confidence bound instead.
        double lowest_bound = std::numeric_limits<double>::infinity();
        for (std::size_t c = 0; c < pool.size(); ++c) {
          if (taken[c]) continue;
          const double bound = predictions.mean[c] - 2.0 * std::sqrt(predictions.variance[c]);
          if (bound < lowest_bound) {
            lowest_bound = bound;
            pick = c;
          }
        }
      }
      taken[pick] = true;
      chosen.push_back(pool[pick]);
      seen().insert(pool[pick]);
      if (chosen.size() == batch) break;
      // Kriging believer: pretend the point was observed at its predicted mean.
      inputs.push_back(pool_normalised[pick]);
      outputs.push_back(predictions.mean[pick]);
      gp.set_data(as_rows(inputs), Eigen::Map<const Eigen::VectorXd>(
                                       outputs.data(), static_cast<Eigen::Index>(outputs.size())));
    }
    if (chosen.empty()) return sample_initial(batch);  // no candidate left: maybe the sampler has
    return chosen;
  }

  Rng rng_;
  UniqueSampler initial_sampler_;
  std::size_t initial_count_;
  std::size_t initial_asked_ = 0;
  std::size_t model_asks_ = 0;
  std::optional<GpHyperparameters> hyperparameters_;
  std::vector<Evaluation> history_;
  std::vector<std::vector<double>> normalised_points_;
};

}  // namespace

std::unique_ptr<Strategy> make_bayes_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<BayesStrategy>(space, options);
}

}  // namespace accelscope::search::detail
