// Pareto dominance (all objectives minimised), Deb's constraint-domination, non-dominated sorting,
// crowding distance, and an incremental archive of the feasible non-dominated set. Objectives of
// feasible points must be finite; a failed evaluation is an infeasible one (violation +inf).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace accelscope::search {

// a dominates b: a is no worse in every objective and strictly better in at least one.
// Throws std::invalid_argument if the sizes differ.
bool dominates(std::span<const double> a, std::span<const double> b);

// Deb's constraint-domination (Deb 2002): a feasible point (violation 0) beats an infeasible one;
// between two infeasible points the smaller violation wins; between two feasible points, Pareto
// dominance decides.
bool constraint_dominates(std::span<const double> a, double a_violation, std::span<const double> b,
                          double b_violation);

// Fronts of a fast non-dominated sort: fronts[0] holds the indices of non-dominated points,
// fronts[1] those dominated only by fronts[0], and so on. Indices within a front are increasing.
// Equal objective vectors share a front.
using Fronts = std::vector<std::vector<std::size_t>>;
Fronts non_dominated_sort(const std::vector<std::vector<double>>& objectives);

// The same under constraint-domination: the feasible points' fronts first, then the infeasible
// points grouped by equal violation, smallest violation first.
Fronts constrained_non_dominated_sort(const std::vector<std::vector<double>>& objectives,
                                      const std::vector<double>& violations);

// Crowding distance (Deb 2002) of each member of `front` (indices into `objectives`), in the same
// order as `front`: the extreme points of every objective get +inf.
std::vector<double> crowding_distance(const std::vector<std::vector<double>>& objectives,
                                      const std::vector<std::size_t>& front);

// Indices of the non-dominated points (the first front).
std::vector<std::size_t> non_dominated_indices(const std::vector<std::vector<double>>& objectives);

// The feasible non-dominated set, kept incrementally. Each entry carries the caller's id (e.g. the
// engine's design row id). Infeasible points are never admitted; points with identical objective
// vectors are all kept (neither dominates the other).
class ParetoArchive {
 public:
  struct Entry {
    std::uint64_t id = 0;
    std::vector<double> objectives;
  };
  struct InsertResult {
    bool added = false;                      // the point is now on the front
    std::vector<std::uint64_t> removed_ids;  // entries it pushed off the front
  };

  explicit ParetoArchive(std::size_t objective_count);

  // Offers a point. Throws std::invalid_argument when the objective count is wrong or an
  // objective is not finite for a feasible point. Infeasible (violation > 0 or NaN) points are
  // rejected without touching the archive.
  InsertResult insert(std::uint64_t id, std::vector<double> objectives, double violation = 0.0);

  // Entries in insertion order.
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<std::vector<double>> objective_vectors() const;
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t objective_count() const { return objective_count_; }
  // Hypervolume of the front with respect to `reference` (see hypervolume.hpp).
  double hypervolume(const std::vector<double>& reference) const;

 private:
  std::size_t objective_count_;
  std::vector<Entry> entries_;
};

}  // namespace accelscope::search
