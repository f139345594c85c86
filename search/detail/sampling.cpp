#include "search/detail/sampling.hpp"

#include <algorithm>
#include <cmath>

namespace accelscope::search::detail {
namespace {

// Beyond this many grid points the unseen remainder is never listed (8 bytes a point).
constexpr std::uint64_t kEnumerationLimit = std::uint64_t{1} << 24;
// Consecutive repeats tolerated before drawing is judged hopeless.
constexpr std::size_t kMaxCollisions = 1000;
// Rejections by the cheap predicate before giving up on it: strict callers (random) search hard,
// "prefer" callers (operators that already produced a point) only briefly.
constexpr std::size_t kStrictAttempts = 10000;
constexpr std::size_t kPreferAttempts = 32;

std::vector<std::uint32_t> first_primes(std::size_t count) {
  std::vector<std::uint32_t> primes;
  for (std::uint32_t candidate = 2; primes.size() < count; ++candidate) {
    const bool prime = std::none_of(primes.begin(), primes.end(), [&](std::uint32_t p) {
      return p * p <= candidate && candidate % p == 0;
    });
    if (prime) primes.push_back(candidate);
  }
  return primes;
}

}  // namespace

PointSet::PointSet(const Space& space) : space_(space), by_index_(space.grid_size().has_value()) {}

bool PointSet::insert(const Point& point) {
  if (by_index_) return indices_.insert(space_.grid_index(point)).second;
  return keys_.insert(space_.key(point)).second;
}

bool PointSet::contains(const Point& point) const {
  if (by_index_) return indices_.count(space_.grid_index(point)) > 0;
  return keys_.count(space_.key(point)) > 0;
}

Point uniform_point(const Space& space, Rng& rng) {
  Point point(space.dimension_count());
  for (std::size_t i = 0; i < point.size(); ++i) {
    const auto& dimension = space.dimension(i);
    if (dimension.is_discrete()) {
      point[i] = static_cast<double>(rng.index(dimension.level_count()));
    } else {
      const double u = rng.uniform01();
      const double lo = dimension.log_scale ? std::log(dimension.lo) : dimension.lo;
      const double hi = dimension.log_scale ? std::log(dimension.hi) : dimension.hi;
      const double value = lo + u * (hi - lo);
      point[i] =
          std::clamp(dimension.log_scale ? std::exp(value) : value, dimension.lo, dimension.hi);
    }
  }
  return point;
}

ScrambledHalton::ScrambledHalton(std::size_t dimension_count, Rng& rng)
    : bases_(first_primes(dimension_count)), permutations_(dimension_count) {
  for (std::size_t d = 0; d < dimension_count; ++d) {
    const std::uint32_t base = bases_[d];
    // Enough digit positions that the next one is below double resolution.
    const auto depth = static_cast<std::size_t>(std::ceil(53.0 / std::log2(base)));
    permutations_[d].resize(depth);
    for (auto& permutation : permutations_[d]) {
      permutation.resize(base);
      for (std::uint32_t digit = 0; digit < base; ++digit) permutation[digit] = digit;
      rng.shuffle(permutation);
    }
  }
}

std::vector<double> ScrambledHalton::next() {
  std::vector<double> point(bases_.size());
  for (std::size_t d = 0; d < bases_.size(); ++d) {
    const std::uint32_t base = bases_[d];
    const double inverse_base = 1.0 / base;
    std::uint64_t remaining = index_;
    double scale = inverse_base;
    double value = 0.0;
    for (const auto& permutation : permutations_[d]) {
      value += permutation[remaining % base] * scale;
      remaining /= base;
      scale *= inverse_base;
    }
    point[d] = std::min(value, std::nextafter(1.0, 0.0));
  }
  ++index_;
  return point;
}

UniqueSampler::UniqueSampler(const Space& space, Pattern pattern, std::uint64_t seed)
    : space_(space), pattern_(pattern), rng_(seed), grid_size_(space.grid_size()) {
  if (pattern_ == Pattern::low_discrepancy) halton_.emplace(space.dimension_count(), rng_);
}

std::optional<Point> UniqueSampler::next(const PointSet& seen, const CheapFeasible& cheap_feasible,
                                         Acceptance acceptance) {
  const bool prefer = acceptance == Acceptance::prefer;
  // While enumerating, a rejected grid point is gone from the shuffled list: a "prefer" caller may
  // still want it once nothing accepted is left, so it is set aside rather than lost.
  const auto set_aside = [&](const Point& point) {
    if (prefer && enumerating_) deferred_.push_back(space_.grid_index(point));
  };
  std::optional<Point> fallback;
  std::size_t rejected = 0;
  for (;;) {
    std::optional<Point> candidate = draw_unseen(seen);
    if (!candidate) {
      if (!prefer) return std::nullopt;
      return fallback ? fallback : take_deferred(seen);
    }
    if (!cheap_feasible || cheap_feasible(*candidate)) {
      if (fallback) set_aside(*fallback);
      return candidate;
    }
    ++rejected;
    if (prefer && !fallback) {
      fallback = std::move(candidate);
    } else {
      set_aside(*candidate);
    }
    if (prefer && rejected >= kPreferAttempts) return fallback;
    if (!prefer && rejected >= kStrictAttempts && !enumerating_) {
      // Accepted points are rare: test every remaining grid point once, or give up.
      if (!grid_size_ || *grid_size_ > kEnumerationLimit) return std::nullopt;
      start_enumeration(seen);
    }
  }
}

std::optional<Point> UniqueSampler::take_deferred(const PointSet& seen) {
  while (!deferred_.empty()) {
    Point point = space_.grid_point(deferred_.back());
    deferred_.pop_back();
    if (!seen.contains(point)) return point;
  }
  return std::nullopt;
}

std::optional<Point> UniqueSampler::draw_unseen(const PointSet& seen) {
  if (!enumerating_ && grid_size_ && *grid_size_ <= kEnumerationLimit &&
      seen.size() * 2 >= *grid_size_) {
    start_enumeration(seen);
  }
  if (enumerating_) {
    while (!shuffled_unseen_.empty()) {
      Point point = space_.grid_point(shuffled_unseen_.back());
      shuffled_unseen_.pop_back();
      if (!seen.contains(point)) return point;
    }
    return std::nullopt;
  }
  for (std::size_t collisions = 0; collisions < kMaxCollisions; ++collisions) {
    Point point = pattern_ == Pattern::low_discrepancy ? space_.from_unit(halton_->next())
                                                       : uniform_point(space_, rng_);
    if (!seen.contains(point)) return point;
  }
  if (grid_size_ && *grid_size_ <= kEnumerationLimit) {
    start_enumeration(seen);
    return draw_unseen(seen);
  }
  return std::nullopt;
}

void UniqueSampler::start_enumeration(const PointSet& seen) {
  enumerating_ = true;
  shuffled_unseen_.clear();
  for (std::uint64_t index = 0; index < *grid_size_; ++index) {
    if (!seen.contains(space_.grid_point(index))) shuffled_unseen_.push_back(index);
  }
  rng_.shuffle(shuffled_unseen_);
}

}  // namespace accelscope::search::detail
