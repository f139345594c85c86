#include "model/technology.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace accelscope::model {

namespace {

// Interpolates y(capacity) linearly in log-log space between two table points.
double log_log(double x, double x0, double y0, double x1, double y1) {
  if (y0 <= 0 || y1 <= 0) {  // a zero in the table: fall back to linear interpolation
    const double t = (x - x0) / (x1 - x0);
    return std::max(0.0, y0 + t * (y1 - y0));
  }
  const double t = (std::log(x) - std::log(x0)) / (std::log(x1) - std::log(x0));
  return std::exp(std::log(y0) + t * (std::log(y1) - std::log(y0)));
}

}  // namespace

SramPoint sram_at(const Technology& tech, double capacity_bytes) {
  SramPoint result;
  result.capacity_bytes = capacity_bytes;
  if (capacity_bytes <= 0 || tech.sram.empty()) return result;
  if (tech.sram.size() == 1) {
    const double scale = capacity_bytes / tech.sram.front().capacity_bytes;
    result = tech.sram.front();
    result.capacity_bytes = capacity_bytes;
    result.area_mm2 *= scale;
    result.leakage_mw *= scale;
    return result;
  }
  // Segment containing the capacity (first or last segment when outside: extrapolation).
  auto upper = std::upper_bound(
      tech.sram.begin(), tech.sram.end(), capacity_bytes,
      [](double value, const SramPoint& point) { return value < point.capacity_bytes; });
  if (upper == tech.sram.begin()) ++upper;
  if (upper == tech.sram.end()) --upper;
  const SramPoint& lo = *(upper - 1);
  const SramPoint& hi = *upper;
  auto at = [&](double SramPoint::*field) {
    return log_log(capacity_bytes, lo.capacity_bytes, lo.*field, hi.capacity_bytes, hi.*field);
  };
  result.read_pj_per_bit = at(&SramPoint::read_pj_per_bit);
  result.write_pj_per_bit = at(&SramPoint::write_pj_per_bit);
  result.leakage_mw = at(&SramPoint::leakage_mw);
  result.area_mm2 = at(&SramPoint::area_mm2);
  return result;
}

double dram_pj_per_bit(const Technology& tech, const std::string& type) {
  for (const auto& [name, pj] : tech.dram_pj_per_bit)
    if (name == type) return pj;
  std::string allowed;
  for (const auto& entry : tech.dram_pj_per_bit)
    allowed += (allowed.empty() ? "" : ", ") + entry.first;
  throw std::invalid_argument("field 'dram.type' = '" + type + "', allowed: " + allowed);
}

}  // namespace accelscope::model
