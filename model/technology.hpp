// Technology tables: energy, area and leakage figures at one node. Plain data with sources;
// loaded from spaces/tech/ by model/io/technology_io and resolved for a node once, then passed to
// every evaluation.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "model/hardware.hpp"

namespace accelscope::model {

inline constexpr std::size_t kNumPrecisions = 7;

// One SRAM macro size from CACTI (per access of port_bits bits).
struct SramPoint {
  double capacity_bytes = 0;
  double read_pj_per_bit = 0;
  double write_pj_per_bit = 0;
  double leakage_mw = 0;
  double area_mm2 = 0;
};

struct Technology {
  int node_nm = 45;
  // One multiply-accumulate (multiplier at operand precision + adder at accumulator width).
  std::array<double, kNumPrecisions> mac_pj{};
  // One processing element: multiplier, accumulator adder and pipeline registers.
  std::array<double, kNumPrecisions> pe_area_um2{};
  // One vector-lane operation (an add and a multiply) at the vector precision.
  std::array<double, kNumPrecisions> vector_op_pj{};
  std::array<double, kNumPrecisions> vector_lane_area_um2{};
  // SRAM sizes sorted by capacity; interpolated log-linearly in capacity.
  std::vector<SramPoint> sram;
  // DRAM energy per bit transferred, by type name ("hbm2", "lpddr4"...).
  std::vector<std::pair<std::string, double>> dram_pj_per_bit;
  double logic_leakage_mw_per_mm2 = 0;
  // Control, interconnect, I/O and clock tree, as a fraction of the sum of the modelled parts.
  double area_overhead_fraction = 0;
  // Where each group of figures comes from (printed in reports).
  std::vector<std::string> sources;
};

// SRAM figures for a capacity, interpolated (extrapolated linearly in log-log space beyond the
// table); never negative.
SramPoint sram_at(const Technology& tech, double capacity_bytes);

// DRAM energy per bit for a type; throws std::invalid_argument listing the known types.
double dram_pj_per_bit(const Technology& tech, const std::string& type);

}  // namespace accelscope::model
