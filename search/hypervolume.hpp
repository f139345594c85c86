// Hypervolume (all objectives minimised): the measure of the region dominated by a point set and
// bounded by a reference point. Only points strictly better than the reference in every objective
// contribute; dominated and repeated points are harmless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace accelscope::search {

// Dispatches on the number of objectives: 1 (a length), 2 (sort + sweep, O(n log n)),
// 3 (sweep over the third objective keeping a 2-D staircase in a balanced tree, O(n log n)),
// >= 4 (dimension-sweep slicing down to the 3-D case, exact). Throws std::invalid_argument when a
// point's size differs from the reference's or the reference is empty.
double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference);

double hypervolume_2d(const std::vector<std::vector<double>>& points,
                      const std::vector<double>& reference);
double hypervolume_3d(const std::vector<std::vector<double>>& points,
                      const std::vector<double>& reference);
// Slicing algorithm valid for any dimension >= 1 (used for >= 4 objectives).
double hypervolume_slicing(const std::vector<std::vector<double>>& points,
                           const std::vector<double>& reference);

// A Monte Carlo estimate of hypervolume(points, reference) from `samples` uniform points of the
// box between the points' per-objective minimum and the reference (a fixed seed: the same inputs
// give the same estimate). Standard error about box * sqrt(p (1 - p) / samples), p the dominated
// fraction of the box: ~1% of the value for 20,000 samples when p is near 0.5. For progress
// displays of many objectives, where the exact value costs O(n^(d-2) log n).
double hypervolume_estimate(const std::vector<std::vector<double>>& points,
                            const std::vector<double>& reference, std::size_t samples,
                            std::uint64_t seed = 1);

// A hypervolume with its standard error: 0 when computed exactly; for a Monte Carlo estimate
// box * sqrt(p (1 - p) / samples), p the estimated dominated fraction of the sampled box.
struct HypervolumeValue {
  double value = 0.0;
  double standard_error = 0.0;
  bool exact = true;
  std::size_t samples = 0;  // Monte Carlo samples (0 when exact)
};

HypervolumeValue hypervolume_estimate_with_error(const std::vector<std::vector<double>>& points,
                                                 const std::vector<double>& reference,
                                                 std::size_t samples, std::uint64_t seed = 1);

// Largest non-dominated set whose exact hypervolume is computed by hypervolume_auto for this
// number of objectives (slicing costs O(n^(d-2) log n)): unlimited up to 3 objectives, 2,000 at 4,
// 150 at 5, 50 at 6 (points on a sphere: 1.0, 0.2 and 0.15 s on the loaded 2-core test machine),
// 0 beyond.
std::size_t exact_hypervolume_limit(std::size_t objective_count);

// Exact when the non-dominated contributing points are within exact_hypervolume_limit, otherwise
// the Monte Carlo estimate from `samples` points with its standard error (deterministic seed).
HypervolumeValue hypervolume_auto(const std::vector<std::vector<double>>& points,
                                  const std::vector<double>& reference, std::size_t samples = 20000,
                                  std::uint64_t seed = 1);

// A reference point for `points`: per objective, the worst (largest) value plus margin_fraction of
// the objective's range; when the range is zero, margin_fraction of max(|worst|, 1). Non-finite
// values are ignored. Throws std::invalid_argument on an empty set.
std::vector<double> reference_point(const std::vector<std::vector<double>>& points,
                                    double margin_fraction = 0.1);

}  // namespace accelscope::search
