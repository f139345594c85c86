// Seeded random sampling without repeats (uniform or scrambled Halton); see UniqueSampler.
#include <memory>

#include "search/detail/strategy_base.hpp"

namespace accelscope::search::detail {
namespace {

constexpr std::uint64_t kSamplerStream = 1;

class RandomStrategy final : public StrategyBase {
 public:
  RandomStrategy(const Space& space, const StrategyOptions& options)
      : StrategyBase(space, options, /*track_seen=*/true),
        sampler_(this->space(),
                 options.low_discrepancy ? UniqueSampler::Pattern::low_discrepancy
                                         : UniqueSampler::Pattern::uniform,
                 derive_seed(options.seed, kSamplerStream)) {}

  std::string name() const override { return "random"; }

 protected:
  std::vector<Point> propose(std::size_t max_points) override {
    std::vector<Point> points;
    while (points.size() < max_points) {
      auto point =
          sampler_.next(seen(), options().cheap_feasible, UniqueSampler::Acceptance::strict);
      if (!point) break;
      seen().insert(*point);
      points.push_back(std::move(*point));
    }
    return points;
  }

  void learn(const std::vector<Evaluation>&) override {}

 private:
  UniqueSampler sampler_;
};

}  // namespace

std::unique_ptr<Strategy> make_random_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<RandomStrategy>(space, options);
}

}  // namespace accelscope::search::detail
