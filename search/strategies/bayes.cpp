// Bayesian optimisation: Gaussian processes (Matern 5/2, ARD) on normalised inputs, constrained
// expected improvement maximised over a finite set of unevaluated candidates.
//
// - Multi-objective: ParEGO (Knowles 2006). Every model-based ask draws a weight vector uniformly
//   from the simplex and models the augmented Chebyshev scalarisation
//   max_m(w_m u_m) + rho sum_m(w_m u_m) of the objectives u normalised from the ideal point to the
//   nadir of the feasible non-dominated set.
// - Constraints: a separate feasibility model. The objective GP is trained on feasible points only;
//   a second GP regresses feasibility labels (-1 feasible, +1 infeasible or failed) and the
//   acquisition is EI x P(feasible) (Schonlau et al. 1998, Gardner et al. 2014). Until two
//   feasible points are known, the objective GP models the violation itself and EI minimises it.
//   The cheap predicate additionally filters candidates.
// - Candidates: every unevaluated grid point when the discrete grid is small (<= 2x
//   candidate_count), otherwise candidate_count random unevaluated points plus neighbours of the 5
//   best points; only those the cheap predicate accepts (unless it accepts none).
// - Batches: q = min(max_points, batch_size) points by the kriging believer: each chosen point is
//   treated as observed at its predicted mean (which shrinks the variances around it) before the
//   next is chosen, and each point of a batch gets its own ParEGO weight vector (the
//   hyper-parameters fitted for the first are reused), so a batch spreads along the front.
// - Initial design: scrambled Halton points, unevaluated and preferably cheap-feasible.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>

#include "search/detail/acquisition.hpp"
#include "search/detail/gaussian_process.hpp"
#include "search/detail/strategy_base.hpp"
#include "search/detail/variation.hpp"
#include "search/pareto.hpp"

namespace accelscope::search::detail {
namespace {

constexpr std::uint64_t kModelStream = 4;
constexpr std::uint64_t kInitialDesignStream = 5;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::size_t kBestPointsForNeighbours = 5;
constexpr double kNeighbourEta = 5.0;  // wide polynomial steps for local candidates
// Adam iterations of the short (warm-started) and the periodic full hyper-parameter fit.
constexpr std::size_t kShortFitIterations = 10;
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
    return take_unseen(initial_sampler_, seen(), options().cheap_feasible, count);
  }

  std::vector<double> draw_weights() { return simplex_weights(options().objective_count, rng_); }

  struct ObjectiveBounds {
    std::vector<double> ideal;
    std::vector<double> nadir;
  };

  // Normalisation for ParEGO: from the ideal point to the nadir of the non-dominated members (the
  // whole observed range would squash the front into a corner when poor points are far away);
  // the observed maximum where the front is flat in an objective.
  ObjectiveBounds objective_bounds(const std::vector<std::size_t>& members) const {
    const std::size_t objective_count = options().objective_count;
    std::vector<std::vector<double>> objectives;
    for (std::size_t i : members) objectives.push_back(history_[i].objectives);
    ObjectiveBounds bounds{std::vector<double>(objective_count, kInfinity),
                           std::vector<double>(objective_count, -kInfinity)};
    std::vector<double> highest(objective_count, -kInfinity);
    for (const auto& vector : objectives) {
      for (std::size_t m = 0; m < objective_count; ++m) {
        bounds.ideal[m] = std::min(bounds.ideal[m], vector[m]);
        highest[m] = std::max(highest[m], vector[m]);
      }
    }
    for (std::size_t k : non_dominated_indices(objectives)) {
      for (std::size_t m = 0; m < objective_count; ++m) {
        bounds.nadir[m] = std::max(bounds.nadir[m], objectives[k][m]);
      }
    }
    for (std::size_t m = 0; m < objective_count; ++m) {
      if (!(bounds.nadir[m] > bounds.ideal[m])) bounds.nadir[m] = highest[m];
    }
    return bounds;
  }

  // ParEGO scalarisation of the feasible evaluations `members`. Entries of other evaluations are
  // left at 0.
  std::vector<double> scalarise(const std::vector<double>& weights,
                                const std::vector<std::size_t>& members,
                                const ObjectiveBounds& bounds) const {
    std::vector<double> targets(history_.size(), 0.0);
    for (std::size_t i : members) {
      targets[i] = parego_value(history_[i].objectives, weights, bounds.ideal, bounds.nadir,
                                options().bayes.parego_rho);
    }
    return targets;
  }

  // Before two feasible points are known the model minimises the violation: relative to the
  // largest finite one, failed evaluations above everything.
  // The training subset of `members` (see BayesOptions::max_training_points), in evaluation order.
  std::vector<std::size_t> training_subset(const std::vector<std::size_t>& members,
                                           const std::vector<double>& targets) const {
    const std::size_t cap = std::max<std::size_t>(options().bayes.max_training_points, 2);
    if (members.size() <= cap) return members;
    std::vector<std::size_t> by_target = members;
    std::sort(by_target.begin(), by_target.end(), [&](std::size_t a, std::size_t b) {
      return targets[a] < targets[b] || (targets[a] == targets[b] && a < b);
    });
    const std::size_t best_count = cap / 2;
    std::vector<bool> chosen(history_.size(), false);
    for (std::size_t i = 0; i < best_count; ++i) chosen[by_target[i]] = true;
    std::vector<std::size_t> rest;
    for (std::size_t i : members) {
      if (!chosen[i]) rest.push_back(i);
    }
    const std::size_t spread_count = cap - best_count;
    for (std::size_t k = 0; k < spread_count; ++k) {
      chosen[rest[k * rest.size() / spread_count]] = true;
    }
    std::vector<std::size_t> kept;
    for (std::size_t i : members) {
      if (chosen[i]) kept.push_back(i);
    }
    return kept;
  }

  // A GP on the training subset, hyper-parameters warm-started from the previous ask's and fitted
  // briefly, or thoroughly every full_fit_period asks.
  GaussianProcess fit_model(const std::vector<std::size_t>& training,
                            const std::vector<double>& targets,
                            std::optional<GpHyperparameters>& hyperparameters, bool full_fit) {
    GpFitSettings fit;
    fit.random_restarts = full_fit ? options().bayes.fit_restarts : 0;
    fit.iterations = full_fit ? kFullFitIterations : kShortFitIterations;
    return fit_gp(normalised_points_, training, targets, hyperparameters, fit, rng_);
  }

  // Unevaluated points to score; `ranked` (indices into the history, with `targets`) supplies the
  // best points whose neighbours are added.
  std::vector<Point> candidates(const std::vector<double>& targets,
                                const std::vector<std::size_t>& ranked) {
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
      std::vector<std::size_t> order = ranked;
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

  std::vector<Point> propose_by_model(std::size_t batch) {
    std::vector<std::size_t> everyone(history_.size());
    std::iota(everyone.begin(), everyone.end(), std::size_t{0});
    std::vector<std::size_t> feasible;
    for (std::size_t i : everyone) {
      if (history_[i].feasible()) feasible.push_back(i);
    }
    const std::vector<double> weights = draw_weights();
    const bool optimising = feasible.size() >= 2;
    const ObjectiveBounds bounds = optimising ? objective_bounds(feasible) : ObjectiveBounds{};
    std::vector<double> targets =
        optimising ? scalarise(weights, feasible, bounds) : violation_targets(history_, everyone);
    const bool full_fit =
        model_asks_ % std::max<std::size_t>(options().bayes.full_fit_period, 1) == 0;
    ++model_asks_;

    const auto objective_training = training_subset(optimising ? feasible : everyone, targets);
    GaussianProcess objective_gp =
        fit_model(objective_training, targets, objective_hyperparameters_, full_fit);
    // Feasibility: GP regression on labels -1 (feasible) / +1 (infeasible), read as
    // P(feasible) = P(latent < 0).
    std::optional<GaussianProcess> feasibility_gp;
    if (optimising && feasible.size() < history_.size()) {
      std::vector<double> labels(history_.size());
      for (std::size_t i : everyone) labels[i] = history_[i].feasible() ? -1.0 : 1.0;
      feasibility_gp = fit_model(training_subset(everyone, labels), labels,
                                 feasibility_hyperparameters_, full_fit);
    }

    const std::vector<Point> pool = candidates(targets, objective_training);
    const Eigen::MatrixXd pool_rows = normalised_rows(space(), pool);
    CandidatePosterior objective(objective_gp, pool_rows);
    std::optional<CandidatePosterior> feasibility;
    if (feasibility_gp) feasibility.emplace(*feasibility_gp, pool_rows);

    std::vector<std::size_t> picks;
    std::vector<bool> taken(pool.size(), false);
    while (picks.size() < batch && picks.size() < pool.size()) {
      // Best value so far, the believed values of this batch's earlier picks included.
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t i : objective_training) best = std::min(best, targets[i]);
      for (std::size_t c : picks)
        best = std::min(best, objective.mean()[static_cast<Eigen::Index>(c)]);
      const std::size_t pick = constrained_ei_pick(objective, feasibility, best, taken);
      taken[pick] = true;
      picks.push_back(pick);
      seen().insert(pool[pick]);
      if (picks.size() == batch) break;
      // Kriging believer for the rest of the batch, and a fresh ParEGO weight per point so that a
      // batch spreads along the front (same hyper-parameters, new targets: cheap).
      objective.condition_on_mean(static_cast<Eigen::Index>(pick));
      if (feasibility) feasibility->condition_on_mean(static_cast<Eigen::Index>(pick));
      if (optimising && options().objective_count > 1) {
        targets = scalarise(draw_weights(), feasible, bounds);
        objective_gp.set_targets(gather(objective_training, targets));
        objective.retarget(objective_gp);
      }
    }
    std::vector<Point> chosen;
    for (std::size_t c : picks) chosen.push_back(pool[c]);
    if (chosen.empty()) return sample_initial(batch);  // no candidate left: maybe the sampler has
    return chosen;
  }

  Rng rng_;
  UniqueSampler initial_sampler_;
  std::size_t initial_count_;
  std::size_t initial_asked_ = 0;
  std::size_t model_asks_ = 0;
  std::optional<GpHyperparameters> objective_hyperparameters_;
  std::optional<GpHyperparameters> feasibility_hyperparameters_;
  std::vector<Evaluation> history_;
  std::vector<std::vector<double>> normalised_points_;
};

}  // namespace

std::unique_ptr<Strategy> make_bayes_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<BayesStrategy>(space, options);
}

}  // namespace accelscope::search::detail
