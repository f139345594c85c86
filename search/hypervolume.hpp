// Hypervolume (all objectives minimised): the measure of the region dominated by a point set and
// bounded by a reference point. Only points strictly better than the reference in every objective
// contribute; dominated and repeated points are harmless.
#pragma once

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

// A reference point for `points`: per objective, the worst (largest) value plus margin_fraction of
// the objective's range; when the range is zero, margin_fraction of max(|worst|, 1). Non-finite
// values are ignored. Throws std::invalid_argument on an empty set.
std::vector<double> reference_point(const std::vector<std::vector<double>>& points,
                                    double margin_fraction = 0.1);

}  // namespace accelscope::search
