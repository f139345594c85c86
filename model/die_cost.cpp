#include "model/die_cost.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace accelscope::model {

DieCost die_cost(double die_area_mm2, const DieCostFigures& f) {
  constexpr double kPi = 3.14159265358979323846;
  DieCost cost;
  const double diameter = f.wafer_diameter_mm - 2 * f.edge_exclusion_mm;
  const double side = std::sqrt(std::max(0.0, die_area_mm2)) + f.scribe_mm;
  const double site_mm2 = side * side;
  if (site_mm2 > 0 && diameter > 0)
    cost.dies_per_wafer = std::max(0.0, std::floor(kPi * diameter * diameter / (4 * site_mm2) -
                                                   kPi * diameter / std::sqrt(2 * site_mm2)));
  const double area_cm2 = die_area_mm2 / 100;
  cost.yield = f.clustering_alpha > 0
                   ? std::pow(1 + area_cm2 * f.defects_per_cm2 / f.clustering_alpha,
                              -f.clustering_alpha)
                   : std::exp(-area_cm2 * f.defects_per_cm2);  // Poisson, the alpha -> inf limit
  const double good_dies = cost.dies_per_wafer * cost.yield;
  cost.silicon_usd =
      good_dies > 0 ? f.wafer_usd / good_dies : std::numeric_limits<double>::infinity();
  cost.package_test_usd = f.package_test_usd + f.package_test_usd_per_mm2 * die_area_mm2;
  return cost;
}

}  // namespace accelscope::model
