// Exhaustive enumeration of the discrete grid, streamed (only a cursor is kept) and sharded.
#include <memory>

#include "search/detail/strategy_base.hpp"

namespace accelscope::search::detail {
namespace {

class GridStrategy final : public StrategyBase {
 public:
  GridStrategy(const Space& space, const StrategyOptions& options)
      : StrategyBase(space, options, /*track_seen=*/false),
        grid_size_(*space.grid_size()),
        next_index_(options.shard_index) {}

  std::string name() const override { return "grid"; }

 protected:
  std::vector<Point> propose(std::size_t max_points) override {
    std::vector<Point> points;
    const std::uint64_t stride = options().shard_count;
    while (points.size() < max_points && next_index_ < grid_size_) {
      Point point = space().grid_point(next_index_);
      // Advance without overflowing when the grid is close to 2^64 points.
      next_index_ = grid_size_ - next_index_ > stride ? next_index_ + stride : grid_size_;
      if (passes_cheap_test(point)) points.push_back(std::move(point));
    }
    return points;
  }

  void learn(const std::vector<Evaluation>&) override {}

 private:
  std::uint64_t grid_size_;
  std::uint64_t next_index_;
};

}  // namespace

std::unique_ptr<Strategy> make_grid_strategy(const Space& space, const StrategyOptions& options) {
  return std::make_unique<GridStrategy>(space, options);
}

}  // namespace accelscope::search::detail
