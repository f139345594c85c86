#include "search/strategy.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "search/detail/strategy_base.hpp"

namespace accelscope::search {

Strategy::~Strategy() = default;

std::vector<std::string> strategy_names() {
  return {"grid", "random", "nsga2", "nsga3", "bayes", "turbo"};
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const Space& space,
                                        const StrategyOptions& options) {
  const auto names = strategy_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string allowed;
    for (const auto& known : names) allowed += (allowed.empty() ? "" : ", ") + known;
    throw std::invalid_argument("unknown search strategy '" + name + "' (allowed: " + allowed +
                                ")");
  }
  if (space.empty()) {
    throw std::invalid_argument("search strategy '" + name +
                                "': the search space has no dimensions");
  }
  if (options.objective_count == 0) {
    throw std::invalid_argument("search strategy '" + name + "': needs at least one objective");
  }
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) {
    throw std::invalid_argument(
        "search strategy '" + name + "': shard " + std::to_string(options.shard_index) + " of " +
        std::to_string(options.shard_count) + " is invalid (need shard_index < shard_count)");
  }
  const auto& nsga2 = options.nsga2;
  const bool probability_ok =
      nsga2.crossover_probability >= 0.0 && nsga2.crossover_probability <= 1.0 &&
      nsga2.mutation_probability >= 0.0 && nsga2.mutation_probability <= 1.0;
  if (!probability_ok || !(nsga2.crossover_eta >= 0.0) || !(nsga2.mutation_eta >= 0.0)) {
    throw std::invalid_argument(
        "search strategy '" + name +
        "': nsga2 probabilities must lie in [0, 1] and distribution indices be >= 0");
  }
  if (name == "grid") {
    if (!space.is_fully_discrete()) {
      throw std::invalid_argument(
          "search strategy 'grid': every dimension must be discrete (the space has a continuous "
          "dimension)");
    }
    if (!space.grid_size()) {
      throw std::invalid_argument("search strategy 'grid': the grid has more than 2^64 points");
    }
    return detail::make_grid_strategy(space, options);
  }
  if (name == "random") return detail::make_random_strategy(space, options);
  if (name == "nsga2") return detail::make_nsga2_strategy(space, options);
  if (name == "nsga3") return detail::make_nsga3_strategy(space, options);
  if (name == "turbo") {
    const auto& turbo = options.turbo;
    if (turbo.trust_regions == 0 || turbo.local_points < 2 || turbo.candidate_count == 0 ||
        !(turbo.length_min > 0.0) || !(turbo.length_min <= turbo.length_initial) ||
        !(turbo.length_initial <= turbo.length_max) || turbo.success_tolerance == 0) {
      throw std::invalid_argument(
          "search strategy 'turbo': needs trust_regions >= 1, local_points >= 2, candidate_count "
          ">= 1, 0 < length_min <= length_initial <= length_max and success_tolerance >= 1");
    }
    return detail::make_turbo_strategy(space, options);
  }
  return detail::make_bayes_strategy(space, options);
}

void replay(Strategy& strategy, const Space& space, const std::vector<HistoryBatch>& history) {
  for (std::size_t b = 0; b < history.size(); ++b) {
    const auto& batch = history[b];
    if (batch.requested > 0) {
      std::unordered_set<std::string> asked_keys;  // membership only
      for (const auto& point : strategy.ask(batch.requested)) asked_keys.insert(space.key(point));
      for (const auto& result : batch.results) {
        if (!asked_keys.count(space.key(result.point))) {
          throw std::runtime_error("replay of strategy '" + strategy.name() +
                                   "' diverged at batch " + std::to_string(b) + ": stored point (" +
                                   space.describe(result.point) +
                                   ") was not proposed again; the space, options or search code "
                                   "differ from the original run");
        }
      }
    }
    strategy.tell(batch.results);
  }
}

}  // namespace accelscope::search
