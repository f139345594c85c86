// NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002) with constraint-domination, on mixed
// discrete/categorical/continuous spaces, never evaluating a point twice; and NSGA-III (Deb and
// Jain 2014) for many objectives, which differs only in how the last front that partly fits is cut
// (reference-direction niching instead of crowding distance) and in its tournament (rank, then a
// coin flip).
//
// One generation = `population_size` offspring. They are generated when the previous generation's
// offspring have all been asked, and handed out over as many asks as the engine likes. Selection
// (elitist, by constrained non-dominated rank then crowding distance) runs over parents + every
// result told since the previous selection, so warm-start tells join the next selection.
#include <algorithm>
#include <deque>
#include <limits>
#include <memory>

#include "search/detail/reference_directions.hpp"
#include "search/detail/strategy_base.hpp"
#include "search/detail/variation.hpp"
#include "search/pareto.hpp"

namespace accelscope::search::detail {
namespace {

constexpr std::uint64_t kVariationStream = 2;
constexpr std::uint64_t kSamplerStream = 3;
// Offspring re-drawn this many times to find an unseen point the cheap test accepts; after that an
// unseen point it rejects is taken, and failing that a fresh random point.
constexpr std::size_t kChildAttempts = 32;

std::size_t default_population_size(std::uint64_t budget) {
  if (budget == 0) return 40;
  const std::uint64_t size = std::clamp<std::uint64_t>(budget / 8, 8, 40);
  return static_cast<std::size_t>(size + size % 2);
}

enum class Survival { crowding, reference_directions };

class Nsga2Strategy final : public StrategyBase {
 public:
  Nsga2Strategy(const Space& space, const StrategyOptions& options, Survival survival)
      : StrategyBase(space, options, /*track_seen=*/true),
        survival_(survival),
        population_size_(options.nsga2.population_size > 0
                             ? options.nsga2.population_size
                             : default_population_size(options.budget)),
        mutation_probability_(options.nsga2.mutation_probability > 0.0
                                  ? options.nsga2.mutation_probability
                                  : 1.0 / static_cast<double>(space.dimension_count())),
        rng_(derive_seed(options.seed, kVariationStream)),
        sampler_(this->space(), UniqueSampler::Pattern::uniform,
                 derive_seed(options.seed, kSamplerStream)) {
    if (survival_ == Survival::reference_directions) {
      const std::size_t divisions = options.nsga3.reference_divisions > 0
                                        ? options.nsga3.reference_divisions
                                        : divisions_for(options.objective_count, population_size_);
      directions_ = das_dennis_directions(options.objective_count, divisions);
    }
  }

  std::string name() const override { return survival_ == Survival::crowding ? "nsga2" : "nsga3"; }

 protected:
  std::vector<Point> propose(std::size_t max_points) override {
    if (offspring_.empty()) {
      if (started_) select_survivors();
      started_ = true;
      breed(
          static_cast<std::size_t>(std::min<std::uint64_t>(population_size_, remaining_budget())));
    }
    std::vector<Point> points;
    while (points.size() < max_points && !offspring_.empty()) {
      points.push_back(std::move(offspring_.front()));
      offspring_.pop_front();
    }
    return points;
  }

  void learn(const std::vector<Evaluation>& results) override {
    told_since_selection_.insert(told_since_selection_.end(), results.begin(), results.end());
  }

 private:
  struct Member {
    Evaluation evaluation;
    std::size_t rank = 0;
    double crowding = 0.0;
  };

  // Elitist environmental selection over parents + new results.
  void select_survivors() {
    std::vector<Evaluation> pool;
    pool.reserve(population_.size() + told_since_selection_.size());
    for (auto& member : population_) pool.push_back(std::move(member.evaluation));
    for (auto& evaluation : told_since_selection_) pool.push_back(std::move(evaluation));
    told_since_selection_.clear();
    population_.clear();

    std::vector<std::vector<double>> objectives;
    std::vector<double> violations;
    for (const auto& evaluation : pool) {
      objectives.push_back(evaluation.objectives);
      violations.push_back(evaluation.violation);
    }
    const Fronts fronts = constrained_non_dominated_sort(objectives, violations);
    std::vector<std::size_t> selected;  // indices into pool of the fronts that fit whole
    for (std::size_t rank = 0; rank < fronts.size(); ++rank) {
      if (population_.size() >= population_size_) break;
      const auto& front = fronts[rank];
      const bool partial = population_.size() + front.size() > population_size_;
      if (survival_ == Survival::reference_directions) {
        std::vector<std::size_t> kept = front;
        const bool feasible_front = violations[front.front()] == 0.0;
        if (partial && feasible_front) {
          kept = niching_selection(objectives, selected, front, directions_,
                                   population_size_ - population_.size(), rng_);
        }
        for (std::size_t i : kept) {
          if (population_.size() >= population_size_) break;
          selected.push_back(i);
          population_.push_back(Member{std::move(pool[i]), rank, 0.0});
        }
        continue;
      }
      const std::vector<double> crowding = crowding_distance(objectives, front);
      std::vector<std::size_t> order(front.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      if (partial) {
        // The last front only partly fits: the least crowded go first (ties by position).
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
          return crowding[a] > crowding[b] || (crowding[a] == crowding[b] && a < b);
        });
      }
      for (std::size_t i : order) {
        if (population_.size() >= population_size_) break;
        population_.push_back(Member{std::move(pool[front[i]]), rank, crowding[i]});
      }
    }
  }

  // Binary tournament: lower rank wins, then larger crowding distance, then a coin flip.
  const Member& tournament() {
    const Member& a = population_[rng_.index(population_.size())];
    const Member& b = population_[rng_.index(population_.size())];
    if (a.rank != b.rank) return a.rank < b.rank ? a : b;
    if (a.crowding != b.crowding) return a.crowding > b.crowding ? a : b;
    return rng_.bernoulli(0.5) ? a : b;
  }

  Point next_child() {
    if (children_.empty()) {
      const Point& parent_a = tournament().evaluation.point;
      const Point& parent_b = tournament().evaluation.point;
      auto [first, second] =
          rng_.bernoulli(options().nsga2.crossover_probability)
              ? crossover(space(), parent_a, parent_b, options().nsga2.crossover_eta, rng_)
              : std::pair<Point, Point>{parent_a, parent_b};
      mutate(space(), first, mutation_probability_, options().nsga2.mutation_eta, rng_);
      mutate(space(), second, mutation_probability_, options().nsga2.mutation_eta, rng_);
      children_.push_back(std::move(second));
      children_.push_back(std::move(first));
    }
    Point child = std::move(children_.back());
    children_.pop_back();
    return child;
  }

  // One unseen offspring, preferring points the cheap test accepts; nullopt when the space is
  // used up.
  std::optional<Point> new_offspring() {
    if (!population_.empty()) {
      std::optional<Point> fallback;
      for (std::size_t attempt = 0; attempt < kChildAttempts; ++attempt) {
        Point child = next_child();
        if (seen().contains(child)) continue;
        if (passes_cheap_test(child)) return child;
        if (!fallback) fallback = std::move(child);
      }
      if (fallback) return fallback;
    }
    return sampler_.next(seen(), options().cheap_feasible, UniqueSampler::Acceptance::prefer);
  }

  void breed(std::size_t count) {
    children_.clear();
    while (offspring_.size() < count) {
      auto child = new_offspring();
      if (!child) break;
      seen().insert(*child);
      offspring_.push_back(std::move(*child));
    }
  }

  Survival survival_;
  std::size_t population_size_;
  double mutation_probability_;
  std::vector<std::vector<double>> directions_;  // nsga3's reference directions
  Rng rng_;
  UniqueSampler sampler_;
  bool started_ = false;
  std::vector<Member> population_;
  std::vector<Evaluation> told_since_selection_;
  std::deque<Point> offspring_;  // generated, not asked yet
  std::vector<Point> children_;  // second child of the last crossover, awaiting use
};

}  // namespace

std::unique_ptr<Strategy> make_nsga2_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<Nsga2Strategy>(space, options, Survival::crowding);
}

std::unique_ptr<Strategy> make_nsga3_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<Nsga2Strategy>(space, options, Survival::reference_directions);
}

}  // namespace accelscope::search::detail
