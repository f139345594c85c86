// The ask/tell bookkeeping every strategy shares: budget, the set of seen points, matching told
// results to asked points (so the order of results inside a tell() does not matter), validation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "search/detail/sampling.hpp"
#include "search/strategy.hpp"

namespace accelscope::search::detail {

class StrategyBase : public Strategy {
 public:
  // track_seen: keep the set of asked and told points (grid does not need it: it never repeats).
  StrategyBase(const Space& space, const StrategyOptions& options, bool track_seen);

  std::vector<Point> ask(std::size_t max_points) final;
  void tell(const std::vector<Evaluation>& results) final;
  std::uint64_t asked_count() const final { return asked_count_; }
  void set_budget(std::uint64_t budget) final { options_.budget = budget; }

 protected:
  // At most max_points (>= 1, within the budget) points, none of them seen before; an empty
  // result means exhausted. A strategy that queues points ahead marks them in seen() itself.
  virtual std::vector<Point> propose(std::size_t max_points) = 0;
  // Results in a deterministic order: asked points in ask order, then unasked ones as given.
  // Failed evaluations arrive with violation = +inf (see effective_violation).
  virtual void learn(const std::vector<Evaluation>& results) = 0;

  const Space& space() const { return space_; }
  const StrategyOptions& options() const { return options_; }
  PointSet& seen() { return *seen_; }
  bool passes_cheap_test(const Point& point) const {
    return !options_.cheap_feasible || options_.cheap_feasible(point);
  }
  // Points still allowed by the budget (UINT64_MAX without one).
  std::uint64_t remaining_budget() const;

 private:
  void validate(const Evaluation& evaluation) const;

  Space space_;  // declared first: the point sets refer to it
  StrategyOptions options_;
  std::optional<PointSet> seen_;
  std::optional<PointSet> told_;
  std::uint64_t asked_count_ = 0;
  std::vector<Point> pending_;                                     // last ask, in order
  std::unordered_map<std::string, std::size_t> pending_position_;  // key -> index in pending_
};

std::unique_ptr<Strategy> make_grid_strategy(const Space& space, const StrategyOptions& options);
std::unique_ptr<Strategy> make_random_strategy(const Space& space, const StrategyOptions& options);
std::unique_ptr<Strategy> make_nsga2_strategy(const Space& space, const StrategyOptions& options);
std::unique_ptr<Strategy> make_nsga3_strategy(const Space& space, const StrategyOptions& options);
std::unique_ptr<Strategy> make_bayes_strategy(const Space& space, const StrategyOptions& options);
std::unique_ptr<Strategy> make_turbo_strategy(const Space& space, const StrategyOptions& options);

}  // namespace accelscope::search::detail
