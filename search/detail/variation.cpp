#include "search/detail/variation.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace accelscope::search::detail {
namespace {

// Ordered coordinates are varied in "gene" units: the level index, the value, or log(value).
struct GeneRange {
  double lo;
  double hi;
};

GeneRange gene_range(const Dimension& dimension) {
  if (dimension.is_discrete()) return {0.0, static_cast<double>(dimension.level_count() - 1)};
  if (dimension.log_scale) return {std::log(dimension.lo), std::log(dimension.hi)};
  return {dimension.lo, dimension.hi};
}

double to_gene(const Dimension& dimension, double coordinate) {
  return !dimension.is_discrete() && dimension.log_scale ? std::log(coordinate) : coordinate;
}

double from_gene(const Dimension& dimension, double gene) {
  const GeneRange range = gene_range(dimension);
  const double clamped = std::clamp(gene, range.lo, range.hi);
  if (dimension.is_discrete()) return std::round(clamped);
  if (dimension.log_scale) return std::clamp(std::exp(clamped), dimension.lo, dimension.hi);
  return clamped;
}

bool can_change(const Dimension& dimension) {
  return !dimension.is_discrete() || dimension.level_count() > 1;
}

// Bounded SBX spread factor for one side (Deb & Agrawal 1995, as in Deb's NSGA-II code).
double sbx_beta(double u, double distance_to_bound, double parent_gap, double eta) {
  const double beta = 1.0 + 2.0 * distance_to_bound / parent_gap;
  const double alpha = 2.0 - std::pow(beta, -(eta + 1.0));
  if (u <= 1.0 / alpha) return std::pow(u * alpha, 1.0 / (eta + 1.0));
  return std::pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
}

// Bounded polynomial mutation step, as a signed fraction of the range.
double polynomial_delta(double gene, GeneRange range, double eta, double u) {
  const double width = range.hi - range.lo;
  const double to_lo = (gene - range.lo) / width;
  const double to_hi = (range.hi - gene) / width;
  const double power = 1.0 / (eta + 1.0);
  if (u < 0.5) {
    const double value = 2.0 * u + (1.0 - 2.0 * u) * std::pow(1.0 - to_lo, eta + 1.0);
    return std::pow(value, power) - 1.0;
  }
  const double value = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * std::pow(1.0 - to_hi, eta + 1.0);
  return 1.0 - std::pow(value, power);
}

void mutate_coordinate(const Dimension& dimension, double& coordinate, double eta, Rng& rng) {
  if (!can_change(dimension)) return;
  if (dimension.is_discrete() && dimension.categorical) {
    const auto levels = dimension.level_count();
    const auto current = static_cast<std::size_t>(coordinate);
    const std::size_t other = rng.index(levels - 1);  // uniform over the other levels
    coordinate = static_cast<double>(other >= current ? other + 1 : other);
    return;
  }
  const GeneRange range = gene_range(dimension);
  const double gene = to_gene(dimension, coordinate);
  const double delta = polynomial_delta(gene, range, eta, rng.uniform01());
  const double mutated = from_gene(dimension, gene + delta * (range.hi - range.lo));
  if (dimension.is_discrete() && mutated == coordinate) {
    // Rounding undid the step: move one level the drawn way (the other way at a bound), so that a
    // coordinate picked for mutation always changes even when it has two or three levels.
    const double direction =
        delta > 0.0 ? 1.0 : (delta < 0.0 ? -1.0 : (rng.bernoulli(0.5) ? 1.0 : -1.0));
    const double stepped = coordinate + direction;
    coordinate = stepped < range.lo || stepped > range.hi ? coordinate - direction : stepped;
    return;
  }
  coordinate = mutated;
}

}  // namespace

std::pair<Point, Point> crossover(const Space& space, const Point& a, const Point& b, double eta,
                                  Rng& rng) {
  Point first = a;
  Point second = b;
  for (std::size_t i = 0; i < space.dimension_count(); ++i) {
    const auto& dimension = space.dimension(i);
    if (!rng.bernoulli(0.5)) continue;
    if (dimension.is_discrete() && dimension.categorical) {
      std::swap(first[i], second[i]);
      continue;
    }
    const double gene_a = to_gene(dimension, a[i]);
    const double gene_b = to_gene(dimension, b[i]);
    const double parent_gap = std::abs(gene_a - gene_b);
    if (parent_gap < 1e-14) continue;
    const GeneRange range = gene_range(dimension);
    const double low = std::min(gene_a, gene_b);
    const double high = std::max(gene_a, gene_b);
    const double u = rng.uniform01();
    const double child_low =
        0.5 * ((low + high) - sbx_beta(u, low - range.lo, parent_gap, eta) * parent_gap);
    const double child_high =
        0.5 * ((low + high) + sbx_beta(u, range.hi - high, parent_gap, eta) * parent_gap);
    const bool swap_children = rng.bernoulli(0.5);
    first[i] = from_gene(dimension, swap_children ? child_high : child_low);
    second[i] = from_gene(dimension, swap_children ? child_low : child_high);
  }
  return {std::move(first), std::move(second)};
}

void mutate(const Space& space, Point& point, double per_coordinate_probability, double eta,
            Rng& rng) {
  for (std::size_t i = 0; i < space.dimension_count(); ++i) {
    if (rng.bernoulli(per_coordinate_probability)) {
      mutate_coordinate(space.dimension(i), point[i], eta, rng);
    }
  }
}

Point neighbour(const Space& space, const Point& point, double eta, Rng& rng) {
  Point result = point;
  std::vector<std::size_t> changeable;
  for (std::size_t i = 0; i < space.dimension_count(); ++i) {
    if (can_change(space.dimension(i))) changeable.push_back(i);
  }
  if (changeable.empty()) return result;
  const std::size_t forced = changeable[rng.index(changeable.size())];
  const double probability = 1.0 / static_cast<double>(space.dimension_count());
  for (std::size_t i = 0; i < space.dimension_count(); ++i) {
    if (i == forced || rng.bernoulli(probability)) {
      mutate_coordinate(space.dimension(i), result[i], eta, rng);
    }
  }
  return result;
}

}  // namespace accelscope::search::detail
