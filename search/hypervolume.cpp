#include "search/hypervolume.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "search/detail/rng.hpp"
#include "search/pareto.hpp"

namespace accelscope::search {
namespace {

using Points = std::vector<std::vector<double>>;

// Validates sizes and keeps the points that strictly dominate the reference (the others bound no
// volume).
Points contributing(const Points& points, const std::vector<double>& reference) {
  if (reference.empty()) throw std::invalid_argument("hypervolume: empty reference point");
  Points kept;
  kept.reserve(points.size());
  for (const auto& point : points) {
    if (point.size() != reference.size()) {
      throw std::invalid_argument("hypervolume: a point has " + std::to_string(point.size()) +
                                  " objectives, the reference has " +
                                  std::to_string(reference.size()));
    }
    bool inside = true;
    for (std::size_t i = 0; i < point.size() && inside; ++i) inside = point[i] < reference[i];
    if (inside) kept.push_back(point);
  }
  return kept;
}

double sweep_2d(Points points, const std::vector<double>& reference) {
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) {
    return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
  });
  double area = 0.0;
  double lowest_y = reference[1];
  for (const auto& point : points) {
    if (point[1] < lowest_y) {
      area += (reference[0] - point[0]) * (lowest_y - point[1]);
      lowest_y = point[1];
    }
  }
  return area;
}

// The region dominated by a 2-D point set inside the reference box, kept as a staircase (x
// increasing, y strictly decreasing) together with its area, under insertions.
class Staircase {
 public:
  Staircase(double reference_x, double reference_y)
      : reference_x_(reference_x), reference_y_(reference_y) {}

  double area() const { return area_; }

  void insert(double x, double y) {
    auto next = steps_.lower_bound(x);  // first step with step.x >= x
    if (next != steps_.end() && next->first == x && next->second <= y) return;
    double ceiling_y = reference_y_;  // the lowest covered y just left of x
    if (next != steps_.begin()) {
      ceiling_y = std::prev(next)->second;
      if (ceiling_y <= y) return;  // dominated by the step on the left
    }
    // Walk right over the steps the new point covers, adding the uncovered area strip by strip.
    double left_x = x;
    while (next != steps_.end() && next->second >= y) {
      area_ += (next->first - left_x) * (ceiling_y - y);
      left_x = next->first;
      ceiling_y = next->second;
      next = steps_.erase(next);
    }
    const double right_x = next == steps_.end() ? reference_x_ : next->first;
    area_ += (right_x - left_x) * (ceiling_y - y);
    steps_.emplace_hint(next, x, y);
  }

 private:
  double reference_x_;
  double reference_y_;
  double area_ = 0.0;
  std::map<double, double> steps_;
};

double sweep_3d(Points points, const std::vector<double>& reference) {
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a[2] < b[2]; });
  Staircase staircase(reference[0], reference[1]);
  double volume = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    staircase.insert(points[i][0], points[i][1]);
    const double next_z = i + 1 < points.size() ? points[i + 1][2] : reference[2];
    volume += staircase.area() * (next_z - points[i][2]);
  }
  return volume;
}

double exact(Points points, const std::vector<double>& reference);

// Sweeps the last objective: between consecutive values of it, the cross-section is the
// (d-1)-dimensional hypervolume of the points already passed. Only that set's non-dominated
// members are kept, which keeps the recursion small.
double slice(Points points, const std::vector<double>& reference) {
  const std::size_t last = reference.size() - 1;
  std::sort(points.begin(), points.end(),
            [last](const auto& a, const auto& b) { return a[last] < b[last]; });
  const std::vector<double> section_reference(reference.begin(), reference.end() - 1);
  Points section;  // non-dominated projections of the points passed so far
  double volume = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::vector<double> projection(points[i].begin(), points[i].end() - 1);
    const bool covered = std::any_of(section.begin(), section.end(), [&](const auto& member) {
      return member == projection || dominates(member, projection);
    });
    if (!covered) {
      std::erase_if(section, [&](const auto& member) { return dominates(projection, member); });
      section.push_back(std::move(projection));
    }
    const double next_value = i + 1 < points.size() ? points[i + 1][last] : reference[last];
    const double thickness = next_value - points[i][last];
    if (thickness > 0.0) volume += exact(section, section_reference) * thickness;
  }
  return volume;
}

// Hypervolume of points that all strictly dominate the reference.
double exact(Points points, const std::vector<double>& reference) {
  if (points.empty()) return 0.0;
  switch (reference.size()) {
    case 1: {
      double lowest = reference[0];
      for (const auto& point : points) lowest = std::min(lowest, point[0]);
      return reference[0] - lowest;
    }
    case 2:
      return sweep_2d(std::move(points), reference);
    case 3:
      return sweep_3d(std::move(points), reference);
    default:
      return slice(std::move(points), reference);
  }
}

}  // namespace

double hypervolume(const Points& points, const std::vector<double>& reference) {
  return exact(contributing(points, reference), reference);
}

double hypervolume_2d(const Points& points, const std::vector<double>& reference) {
  if (reference.size() != 2) throw std::invalid_argument("hypervolume_2d: reference must be 2-D");
  return sweep_2d(contributing(points, reference), reference);
}

double hypervolume_3d(const Points& points, const std::vector<double>& reference) {
  if (reference.size() != 3) throw std::invalid_argument("hypervolume_3d: reference must be 3-D");
  return sweep_3d(contributing(points, reference), reference);
}

double hypervolume_slicing(const Points& points, const std::vector<double>& reference) {
  const Points kept = contributing(points, reference);
  if (reference.size() == 1) return exact(kept, reference);
  return kept.empty() ? 0.0 : slice(kept, reference);
}

double hypervolume_estimate(const Points& points, const std::vector<double>& reference,
                            std::size_t samples, std::uint64_t seed) {
  return hypervolume_estimate_with_error(points, reference, samples, seed).value;
}

HypervolumeValue hypervolume_estimate_with_error(const Points& points,
                                                 const std::vector<double>& reference,
                                                 std::size_t samples, std::uint64_t seed) {
  const Points kept = contributing(points, reference);
  HypervolumeValue result{0.0, 0.0, false, samples};
  if (kept.empty() || samples == 0) return result;
  const std::size_t dimensions = reference.size();
  std::vector<double> low(reference);
  for (const auto& point : kept)
    for (std::size_t m = 0; m < dimensions; ++m) low[m] = std::min(low[m], point[m]);
  double box = 1.0;
  for (std::size_t m = 0; m < dimensions; ++m) box *= reference[m] - low[m];
  detail::Rng rng(seed);
  std::vector<double> sample(dimensions);
  std::size_t dominated = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    for (std::size_t m = 0; m < dimensions; ++m) sample[m] = rng.uniform(low[m], reference[m]);
    for (const auto& point : kept) {
      bool covers = true;
      for (std::size_t m = 0; m < dimensions && covers; ++m) covers = point[m] <= sample[m];
      if (covers) {
        ++dominated;
        break;
      }
    }
  }
  const double fraction = static_cast<double>(dominated) / static_cast<double>(samples);
  result.value = box * fraction;
  result.standard_error =
      box * std::sqrt(fraction * (1.0 - fraction) / static_cast<double>(samples));
  return result;
}

std::size_t exact_hypervolume_limit(std::size_t objective_count) {
  switch (objective_count) {
    case 0:
    case 1:
    case 2:
    case 3:
      return std::numeric_limits<std::size_t>::max();
    case 4:
      return 2000;
    case 5:
      return 150;
    case 6:
      return 50;
    default:
      return 0;
  }
}

HypervolumeValue hypervolume_auto(const Points& points, const std::vector<double>& reference,
                                  std::size_t samples, std::uint64_t seed) {
  Points kept = contributing(points, reference);
  if (reference.size() > 3) {
    Points front;
    for (std::size_t i : non_dominated_indices(kept)) front.push_back(kept[i]);
    kept = std::move(front);
  }
  if (kept.size() <= exact_hypervolume_limit(reference.size())) {
    return HypervolumeValue{exact(std::move(kept), reference), 0.0, true, 0};
  }
  return hypervolume_estimate_with_error(kept, reference, samples, seed);
}

std::vector<double> reference_point(const Points& points, double margin_fraction) {
  if (points.empty()) throw std::invalid_argument("reference_point: no points");
  const std::size_t objective_count = points.front().size();
  std::vector<double> reference(objective_count);
  for (std::size_t m = 0; m < objective_count; ++m) {
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -std::numeric_limits<double>::infinity();
    for (const auto& point : points) {
      if (point.size() != objective_count) {
        throw std::invalid_argument("reference_point: points of different sizes");
      }
      if (!std::isfinite(point[m])) continue;
      lowest = std::min(lowest, point[m]);
      highest = std::max(highest, point[m]);
    }
    if (!std::isfinite(highest)) {
      throw std::invalid_argument("reference_point: objective " + std::to_string(m) +
                                  " has no finite value");
    }
    const double range = highest - lowest;
    const double margin =
        range > 0.0 ? margin_fraction * range : margin_fraction * std::max(std::abs(highest), 1.0);
    reference[m] = highest + margin;
  }
  return reference;
}

}  // namespace accelscope::search
