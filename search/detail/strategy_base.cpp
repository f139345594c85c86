#include "search/detail/strategy_base.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_set>

namespace accelscope::search::detail {

StrategyBase::StrategyBase(const Space& space, const StrategyOptions& options, bool track_seen)
    : space_(space), options_(options) {
  if (track_seen) {
    seen_.emplace(space_);
    told_.emplace(space_);
  }
}

std::uint64_t StrategyBase::remaining_budget() const {
  if (options_.budget == 0) return std::numeric_limits<std::uint64_t>::max();
  return options_.budget > asked_count_ ? options_.budget - asked_count_ : 0;
}

std::vector<Point> StrategyBase::ask(std::size_t max_points) {
  // Whatever is still untold from the previous ask is dropped.
  pending_.clear();
  pending_position_.clear();
  const std::uint64_t allowed = std::min<std::uint64_t>(max_points, remaining_budget());
  if (allowed == 0) return {};
  std::vector<Point> points = propose(static_cast<std::size_t>(allowed));
  for (const auto& point : points) {
    if (seen_) seen_->insert(point);
    pending_position_.emplace(space_.key(point), pending_.size());
    pending_.push_back(point);
  }
  asked_count_ += points.size();
  return points;
}

void StrategyBase::validate(const Evaluation& evaluation) const {
  space_.check(evaluation.point);
  if (evaluation.objectives.size() != options_.objective_count) {
    throw std::invalid_argument("tell: evaluation of (" + space_.describe(evaluation.point) +
                                ") has " + std::to_string(evaluation.objectives.size()) +
                                " objectives, the study has " +
                                std::to_string(options_.objective_count));
  }
  if (evaluation.violation < 0.0) {
    throw std::invalid_argument("tell: evaluation of (" + space_.describe(evaluation.point) +
                                ") has a negative constraint violation");
  }
}

void StrategyBase::tell(const std::vector<Evaluation>& results) {
  for (const auto& evaluation : results) validate(evaluation);  // all or nothing

  std::vector<std::optional<Evaluation>> asked(pending_.size());
  std::vector<Evaluation> unasked;
  std::unordered_set<std::string> unasked_keys;  // membership only
  for (const auto& evaluation : results) {
    Evaluation normalised = evaluation;
    normalised.violation = effective_violation(evaluation);
    const auto position = pending_position_.find(space_.key(evaluation.point));
    if (position != pending_position_.end()) {
      auto& slot = asked[position->second];
      if (!slot) slot = std::move(normalised);
      continue;
    }
    if (told_ && told_->contains(evaluation.point)) continue;
    if (unasked_keys.insert(space_.key(evaluation.point)).second) {
      unasked.push_back(std::move(normalised));
    }
  }

  std::vector<Evaluation> ordered;
  ordered.reserve(results.size());
  for (std::size_t i = 0; i < asked.size(); ++i) {
    if (!asked[i]) continue;
    pending_position_.erase(space_.key(pending_[i]));  // a second tell of it is ignored
    ordered.push_back(std::move(*asked[i]));
  }
  for (auto& evaluation : unasked) ordered.push_back(std::move(evaluation));
  for (const auto& evaluation : ordered) {
    if (seen_) seen_->insert(evaluation.point);
    if (told_) told_->insert(evaluation.point);
  }
  if (!ordered.empty()) learn(ordered);
}

}  // namespace accelscope::search::detail
