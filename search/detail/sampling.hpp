// Sampling helpers shared by the strategies: a set of seen points, a scrambled Halton sequence, and
// a sampler that draws points not seen yet.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "search/detail/rng.hpp"
#include "search/space.hpp"

namespace accelscope::search::detail {

using CheapFeasible = std::function<bool(const Point&)>;

// Points already asked or told. Keyed by grid index when the space is a discrete grid (8 bytes a
// point), by Space::key otherwise. Membership only: it is never iterated, so hash order cannot leak
// into results.
class PointSet {
 public:
  explicit PointSet(const Space& space);
  bool insert(const Point& point);  // true if it was not there
  bool contains(const Point& point) const;
  std::size_t size() const { return by_index_ ? indices_.size() : keys_.size(); }

 private:
  const Space& space_;
  bool by_index_;
  std::unordered_set<std::uint64_t> indices_;
  std::unordered_set<std::string> keys_;
};

// A point uniform over the levels of each discrete dimension and over each continuous range
// (log-uniform with log_scale).
Point uniform_point(const Space& space, Rng& rng);

// Halton sequence with a random permutation of the digits at every digit position of every
// dimension (random digit scrambling), which removes the correlations plain Halton has between
// high dimensions. Deterministic given the generator it is built with.
class ScrambledHalton {
 public:
  ScrambledHalton(std::size_t dimension_count, Rng& rng);
  std::vector<double> next();  // a point of [0,1)^d

 private:
  std::vector<std::uint32_t> bases_;
  // permutations_[dimension][digit position][digit]
  std::vector<std::vector<std::vector<std::uint32_t>>> permutations_;
  std::uint64_t index_ = 0;
};

// Draws points that are not in a PointSet: uniformly at random (or along a scrambled Halton
// sequence) while the space is mostly unexplored; on a discrete grid that is half seen (or when
// draws keep colliding) it switches to a shuffled enumeration of the unseen grid points, so drawing
// never loops on repeats and ends exactly when the grid is used up.
class UniqueSampler {
 public:
  enum class Pattern { uniform, low_discrepancy };
  // strict: never return a point the cheap predicate rejects (nullopt when none can be found);
  // prefer: return a rejected point when no accepted one turns up within a few attempts.
  enum class Acceptance { strict, prefer };

  UniqueSampler(const Space& space, Pattern pattern, std::uint64_t seed);

  // An unseen point (not inserted into `seen`), or nullopt when the space is used up.
  std::optional<Point> next(const PointSet& seen, const CheapFeasible& cheap_feasible,
                            Acceptance acceptance);

 private:
  std::optional<Point> draw_unseen(const PointSet& seen);
  std::optional<Point> take_deferred(const PointSet& seen);
  void start_enumeration(const PointSet& seen);

  const Space& space_;
  Pattern pattern_;
  Rng rng_;
  std::optional<ScrambledHalton> halton_;
  std::optional<std::uint64_t> grid_size_;
  bool enumerating_ = false;
  std::vector<std::uint64_t> shuffled_unseen_;  // consumed from the back
  std::vector<std::uint64_t> deferred_;         // rejected by the cheap predicate while enumerating
};

}  // namespace accelscope::search::detail
