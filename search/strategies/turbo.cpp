// Trust-region Bayesian optimisation for budgets of thousands of points (TuRBO, Eriksson et al.
// 2019), several objectives by one ParEGO weight vector per region (as MORBO, Daulton et al. 2022,
// runs several regions at once).
//
// - Regions: `trust_regions` of them, asked in turn. Each has its own weight vector, edge length
//   L, success / failure counters and GP hyper-parameters. Its centre is, at every ask, the
//   feasible front member with the lowest ParEGO value under its weights (the least violating
//   point until two feasible points exist).
// - Model: a GP (Matern 5/2, ARD) on the `local_points` evaluated points nearest the centre in
//   normalised coordinates, and a feasibility GP on the same points when they mix feasible and
//   infeasible ones. Cost per ask: O(N d) to find the neighbours, O(F m) for the front, O(m^3) for
//   the fit, O(m C) per pick: bounded, whatever the number N of evaluated points.
// - Candidates: `candidate_count` perturbations of the centre inside a box of edge L scaled per
//   dimension by the GP's length scales (a long length scale, an unimportant parameter, gets a
//   wide edge), each perturbing a random subset of dimensions; discrete coordinates snap to the
//   nearest level (and move one level when the box is narrower than a level), categorical ones
//   take a random level. Only unevaluated points, preferably ones the cheap predicate accepts.
// - Batch: constrained EI with the kriging believer (as bayes), all from the asking region.
// - Adaptation: an ask whose results improve the centre's value counts as a success, otherwise a
//   failure; success_tolerance successes in a row double L (up to length_max), failure_tolerance
//   failures halve it. Below length_min, or when the box has no unevaluated point left, the region
//   restarts at length_initial with fresh weights.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>

#include "search/detail/acquisition.hpp"
#include "search/detail/gaussian_process.hpp"
#include "search/detail/strategy_base.hpp"
#include "search/pareto.hpp"

namespace accelscope::search::detail {
namespace {

constexpr std::uint64_t kModelStream = 6;
constexpr std::uint64_t kInitialDesignStream = 7;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::size_t kShortFitIterations = 8;
constexpr std::size_t kFullFitIterations = 40;
// Relative improvement of the centre's value that counts as a success.
constexpr double kImprovement = 1e-3;

std::size_t default_initial_points(std::size_t dimension_count) {
  return std::clamp<std::size_t>(2 * dimension_count + 1, 10, 40);
}

class TurboStrategy final : public StrategyBase {
 public:
  TurboStrategy(const Space& space, const StrategyOptions& options)
      : StrategyBase(space, options, /*track_seen=*/true),
        settings_(options.turbo),
        rng_(derive_seed(options.seed, kModelStream)),
        initial_sampler_(this->space(), UniqueSampler::Pattern::low_discrepancy,
                         derive_seed(options.seed, kInitialDesignStream)),
        initial_count_(settings_.initial_points > 0
                           ? settings_.initial_points
                           : default_initial_points(space.dimension_count())),
        front_(options.objective_count) {
    for (std::size_t d = 0; d < space.dimension_count(); ++d) {
      const Dimension& dimension = space.dimension(d);
      std::vector<double> coordinates;
      for (std::size_t level = 0; level < dimension.level_count(); ++level) {
        coordinates.push_back(space.normalised_coordinate(d, static_cast<double>(level)));
      }
      level_coordinates_.push_back(std::move(coordinates));
    }
    regions_.resize(settings_.trust_regions);
    for (auto& region : regions_) restart(region);
  }

  std::string name() const override { return "turbo"; }

 protected:
  std::vector<Point> propose(std::size_t max_points) override {
    last_region_.reset();
    if (initial_asked_ < initial_count_) {
      auto points = sample_initial(std::min(max_points, initial_count_ - initial_asked_));
      initial_asked_ += points.size();
      return points;
    }
    const std::size_t batch = std::min(max_points, std::max<std::size_t>(options().batch_size, 1));
    if (history_.size() < 2) return sample_initial(batch);
    const std::size_t index = next_region_;
    next_region_ = (next_region_ + 1) % regions_.size();
    auto points = propose_in_region(regions_[index], batch);
    if (points.empty()) {
      restart(regions_[index]);  // nothing unevaluated left in its box
      return sample_initial(batch);
    }
    last_region_ = index;
    return points;
  }

  void learn(const std::vector<Evaluation>& results) override {
    bool improved = false;
    for (const auto& evaluation : results) {
      if (last_region_) improved = improved || improves(regions_[*last_region_], evaluation);
      if (evaluation.feasible()) {
        front_.insert(history_.size(), evaluation.objectives);
        if (ideal_.empty()) ideal_ = highest_ = evaluation.objectives;
        for (std::size_t m = 0; m < ideal_.size(); ++m) {
          ideal_[m] = std::min(ideal_[m], evaluation.objectives[m]);
          highest_[m] = std::max(highest_[m], evaluation.objectives[m]);
        }
        ++feasible_count_;
      }
      history_.push_back(evaluation);
      normalised_points_.push_back(space().normalise(evaluation.point));
    }
    if (last_region_) adapt(regions_[*last_region_], improved);
    last_region_.reset();
  }

 private:
  struct Region {
    std::vector<double> weights;
    double length = 0.0;
    std::size_t successes = 0;
    std::size_t failures = 0;
    std::size_t asks = 0;
    // What the last ask's centre scored (ParEGO value, or violation before the model optimises)
    // and under which normalisation, to judge the results told for it.
    bool optimising = false;
    double centre_value = kInfinity;
    std::vector<double> ideal;
    std::vector<double> nadir;
    std::optional<GpHyperparameters> objective_hyperparameters;
    std::optional<GpHyperparameters> feasibility_hyperparameters;
  };

  void restart(Region& region) {
    region.weights = simplex_weights(options().objective_count, rng_);
    region.length = settings_.length_initial;
    region.successes = 0;
    region.failures = 0;
  }

  std::size_t failure_tolerance() const {
    if (settings_.failure_tolerance > 0) return settings_.failure_tolerance;
    const std::size_t batch = std::max<std::size_t>(options().batch_size, 1);
    return std::max<std::size_t>(std::max<std::size_t>(4, space().dimension_count()) / batch, 1);
  }

  bool improves(const Region& region, const Evaluation& evaluation) const {
    const double margin = kImprovement * std::max(std::abs(region.centre_value), 1e-12);
    if (!region.optimising) return evaluation.violation < region.centre_value - margin;
    return evaluation.feasible() &&
           parego_value(evaluation.objectives, region.weights, region.ideal, region.nadir,
                        settings_.parego_rho) < region.centre_value - margin;
  }

  void adapt(Region& region, bool improved) {
    if (improved) {
      region.failures = 0;
      if (++region.successes >= settings_.success_tolerance) {
        region.length = std::min(2.0 * region.length, settings_.length_max);
        region.successes = 0;
      }
    } else {
      region.successes = 0;
      if (++region.failures >= failure_tolerance()) {
        region.length /= 2.0;
        region.failures = 0;
      }
    }
    if (region.length < settings_.length_min) restart(region);
  }

  std::vector<Point> sample_initial(std::size_t count) {
    return take_unseen(initial_sampler_, seen(), options().cheap_feasible, count);
  }

  // The nadir of the current front; the highest feasible value where the front is flat in an
  // objective (one objective, or a single front member).
  std::vector<double> front_nadir() const {
    std::vector<double> nadir(ideal_.size(), -kInfinity);
    for (const auto& entry : front_.entries()) {
      for (std::size_t m = 0; m < nadir.size(); ++m) {
        nadir[m] = std::max(nadir[m], entry.objectives[m]);
      }
    }
    for (std::size_t m = 0; m < nadir.size(); ++m) {
      if (!(nadir[m] > ideal_[m])) nadir[m] = highest_[m];
    }
    return nadir;
  }

  // Index into the history of the region's centre; sets the region's centre value and bounds.
  std::size_t choose_centre(Region& region) {
    region.optimising = feasible_count_ >= 2;
    region.centre_value = kInfinity;
    std::size_t centre = 0;
    if (region.optimising) {
      region.ideal = ideal_;
      region.nadir = front_nadir();
      for (const auto& entry : front_.entries()) {
        const double value = parego_value(entry.objectives, region.weights, region.ideal,
                                          region.nadir, settings_.parego_rho);
        if (value < region.centre_value) {
          region.centre_value = value;
          centre = static_cast<std::size_t>(entry.id);
        }
      }
      return centre;
    }
    for (std::size_t i = 0; i < history_.size(); ++i) {
      if (history_[i].violation < region.centre_value) {
        region.centre_value = history_[i].violation;
        centre = i;
      }
    }
    return centre;
  }

  // The evaluated points nearest the centre (the centre first), at most local_points.
  std::vector<std::size_t> local_set(std::size_t centre) const {
    const std::vector<double>& origin = normalised_points_[centre];
    std::vector<std::pair<double, std::size_t>> by_distance(history_.size());
    for (std::size_t i = 0; i < history_.size(); ++i) {
      double distance = 0.0;
      for (std::size_t d = 0; d < origin.size(); ++d) {
        const double gap = normalised_points_[i][d] - origin[d];
        distance += gap * gap;
      }
      by_distance[i] = {distance, i};
    }
    const std::size_t kept = std::min(settings_.local_points, by_distance.size());
    std::nth_element(by_distance.begin(), by_distance.begin() + static_cast<std::ptrdiff_t>(kept),
                     by_distance.end());
    by_distance.resize(kept);
    std::sort(by_distance.begin(), by_distance.end());
    std::vector<std::size_t> indices;
    for (const auto& [distance, index] : by_distance) indices.push_back(index);
    return indices;
  }

  GaussianProcess fit(const std::vector<std::size_t>& training, const std::vector<double>& targets,
                      std::optional<GpHyperparameters>& hyperparameters, bool full_fit) {
    GpFitSettings fit_settings;
    fit_settings.random_restarts = full_fit ? settings_.fit_restarts : 0;
    fit_settings.iterations = full_fit ? kFullFitIterations : kShortFitIterations;
    return fit_gp(normalised_points_, training, targets, hyperparameters, fit_settings, rng_);
  }

  // Nearest level of discrete dimension d to normalised coordinate u.
  std::size_t nearest_level(std::size_t d, double u) const {
    const auto& coordinates = level_coordinates_[d];
    std::size_t best = 0;
    for (std::size_t level = 1; level < coordinates.size(); ++level) {
      if (std::abs(coordinates[level] - u) < std::abs(coordinates[best] - u)) best = level;
    }
    return best;
  }

  double continuous_value(const Dimension& dimension, double u) const {
    u = std::clamp(u, 0.0, 1.0);
    if (dimension.log_scale) {
      return std::exp(std::log(dimension.lo) +
                      u * (std::log(dimension.hi) - std::log(dimension.lo)));
    }
    return std::clamp(dimension.lo + u * (dimension.hi - dimension.lo), dimension.lo, dimension.hi);
  }

  // A perturbation of `centre` inside the box of half-widths `half_width` (normalised units).
  Point perturb(const Point& centre, const std::vector<double>& origin,
                const std::vector<double>& half_width) {
    const std::size_t dimensions = centre.size();
    const double inverse = 1.0 / static_cast<double>(dimensions);
    const double probability = inverse + (1.0 - inverse) * rng_.uniform01();
    const std::size_t forced = rng_.index(dimensions);  // at least one dimension moves
    Point point = centre;
    for (std::size_t d = 0; d < dimensions; ++d) {
      if (d != forced && !rng_.bernoulli(probability)) continue;
      const Dimension& dimension = space().dimension(d);
      const double lo = std::max(0.0, origin[d] - half_width[d]);
      const double hi = std::min(1.0, origin[d] + half_width[d]);
      const double u = rng_.uniform(lo, hi);
      if (!dimension.is_discrete()) {
        point[d] = continuous_value(dimension, u);
        continue;
      }
      const std::size_t levels = dimension.level_count();
      if (levels < 2) continue;
      if (dimension.categorical) {
        const std::size_t other = rng_.index(levels - 1);
        const auto current = static_cast<std::size_t>(centre[d]);
        point[d] = static_cast<double>(other >= current ? other + 1 : other);
        continue;
      }
      auto level = nearest_level(d, u);
      const auto current = static_cast<std::size_t>(centre[d]);
      if (level == current) {
        // The box is narrower than a level: step to the neighbour on u's side (or the other).
        const bool up = u > origin[d] ? current + 1 < levels : current == 0;
        level = up ? current + 1 : current - 1;
      }
      point[d] = static_cast<double>(level);
    }
    return point;
  }

  std::vector<Point> candidates(const Region& region, std::size_t centre,
                                const GaussianProcess& gp) {
    // Box edges: L times the length scales over their geometric mean (TuRBO).
    const Eigen::VectorXd& log_scales = gp.hyperparameters().log_length_scales;
    const double log_mean = log_scales.mean();
    std::vector<double> half_width(space().dimension_count());
    for (std::size_t d = 0; d < half_width.size(); ++d) {
      half_width[d] =
          0.5 * region.length * std::exp(log_scales[static_cast<Eigen::Index>(d)] - log_mean);
    }
    const std::size_t wanted = settings_.candidate_count;
    PointSet considered(space());
    std::vector<Point> accepted;
    std::vector<Point> rejected;
    for (std::size_t draw = 0; draw < 4 * wanted && accepted.size() < wanted; ++draw) {
      Point point = perturb(history_[centre].point, normalised_points_[centre], half_width);
      if (seen().contains(point) || !considered.insert(point)) continue;
      if (passes_cheap_test(point)) {
        accepted.push_back(std::move(point));
      } else if (rejected.size() < wanted) {
        rejected.push_back(std::move(point));
      }
    }
    return accepted.empty() ? rejected : accepted;
  }

  std::vector<Point> propose_in_region(Region& region, std::size_t batch) {
    const std::size_t centre = choose_centre(region);
    const std::vector<std::size_t> local = local_set(centre);
    const bool full_fit = region.asks % std::max<std::size_t>(settings_.full_fit_period, 1) == 0;
    ++region.asks;

    // Objective targets: ParEGO values of the feasible local points, or violations (relative to
    // the largest finite one, failures above everything) before two feasible points exist.
    std::vector<double> targets(history_.size(), 0.0);
    std::vector<std::size_t> objective_training;
    bool mixed = false;
    if (region.optimising) {
      for (std::size_t i : local) {
        if (!history_[i].feasible()) {
          mixed = true;
          continue;
        }
        targets[i] = parego_value(history_[i].objectives, region.weights, region.ideal,
                                  region.nadir, settings_.parego_rho);
        objective_training.push_back(i);
      }
    }
    if (objective_training.size() < 2) {
      mixed = false;
      objective_training = local;
      targets = violation_targets(history_, local);
    }
    const GaussianProcess objective_gp =
        fit(objective_training, targets, region.objective_hyperparameters, full_fit);
    std::optional<GaussianProcess> feasibility_gp;
    if (mixed) {
      std::vector<double> labels(history_.size(), 0.0);
      for (std::size_t i : local) labels[i] = history_[i].feasible() ? -1.0 : 1.0;
      feasibility_gp = fit(local, labels, region.feasibility_hyperparameters, full_fit);
    }

    const std::vector<Point> pool = candidates(region, centre, objective_gp);
    if (pool.empty()) return {};
    const Eigen::MatrixXd pool_rows = normalised_rows(space(), pool);
    CandidatePosterior objective(objective_gp, pool_rows);
    std::optional<CandidatePosterior> feasibility;
    if (feasibility_gp) feasibility.emplace(*feasibility_gp, pool_rows);

    double best = kInfinity;
    for (std::size_t i : objective_training) best = std::min(best, targets[i]);
    std::vector<Point> chosen;
    std::vector<bool> taken(pool.size(), false);
    while (chosen.size() < batch && chosen.size() < pool.size()) {
      const std::size_t pick = constrained_ei_pick(objective, feasibility, best, taken);
      taken[pick] = true;
      chosen.push_back(pool[pick]);
      seen().insert(pool[pick]);
      best = std::min(best, objective.mean()[static_cast<Eigen::Index>(pick)]);
      if (chosen.size() == batch) break;
      objective.condition_on_mean(static_cast<Eigen::Index>(pick));  // kriging believer
      if (feasibility) feasibility->condition_on_mean(static_cast<Eigen::Index>(pick));
    }
    return chosen;
  }

  TurboOptions settings_;
  Rng rng_;
  UniqueSampler initial_sampler_;
  std::size_t initial_count_;
  std::size_t initial_asked_ = 0;
  std::vector<std::vector<double>> level_coordinates_;  // normalised coordinate of every level
  std::vector<Region> regions_;
  std::size_t next_region_ = 0;
  std::optional<std::size_t> last_region_;  // the region that proposed the pending points
  ParetoArchive front_;                     // feasible non-dominated points, ids = history index
  std::vector<double> ideal_;               // lowest feasible value per objective
  std::vector<double> highest_;             // highest feasible value per objective
  std::size_t feasible_count_ = 0;
  std::vector<Evaluation> history_;
  std::vector<std::vector<double>> normalised_points_;
};

}  // namespace

std::unique_ptr<Strategy> make_turbo_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<TurboStrategy>(space, options);
}

}  // namespace accelscope::search::detail
