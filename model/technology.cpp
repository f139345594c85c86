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

SramPoint sram_at(const Technology& tech, double capacity_bytes, Process cells) {
  const std::vector<SramPoint>& table = tech.sram_tables[static_cast<std::size_t>(cells)];
  SramPoint result;
  result.capacity_bytes = capacity_bytes;
  if (capacity_bytes <= 0 || table.empty()) return result;
  if (table.size() == 1) {
    const double scale = capacity_bytes / table.front().capacity_bytes;
    result = table.front();
    result.capacity_bytes = capacity_bytes;
    result.area_mm2 *= scale;
    result.leakage_mw *= scale;
    return result;
  }
  // Segment containing the capacity (first or last segment when outside: extrapolation).
  auto upper = std::upper_bound(
      table.begin(), table.end(), capacity_bytes,
      [](double value, const SramPoint& point) { return value < point.capacity_bytes; });
  if (upper == table.begin()) ++upper;
  if (upper == table.end()) --upper;
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

double pe_register_bits(Dataflow dataflow, Precision precision, int accumulator_bits) {
  const double operand = bits_of(precision);
  switch (dataflow) {
    case Dataflow::weight_stationary:
    case Dataflow::input_stationary:
      return 3 * operand + accumulator_bits;
    case Dataflow::output_stationary:
      return 2 * operand + accumulator_bits;
    case Dataflow::row_stationary:
      return 2 * operand + accumulator_bits;
  }
  return 3 * operand + accumulator_bits;
}

PeCost pe_cost(const Technology& tech, Precision precision, int accumulator_bits,
               double register_bits) {
  const auto p = static_cast<std::size_t>(precision);
  const bool floating =
      precision == Precision::fp16 || precision == Precision::bf16 || precision == Precision::fp32;
  double add_pj = 0, add_um2 = 0;
  if (floating) {
    const auto adder =
        static_cast<std::size_t>(accumulator_bits > 16 ? Precision::fp32 : Precision::fp16);
    add_pj = tech.add_pj[adder];
    add_um2 = tech.add_um2[adder];
  } else {
    add_pj = tech.int_add_pj_per_bit * accumulator_bits;
    add_um2 = tech.int_add_um2_per_bit * accumulator_bits;
  }
  PeCost cost;
  cost.mac_pj = tech.multiply_pj[p] + add_pj +
                register_bits * (tech.register_pj_per_bit - tech.register_clock_pj_per_bit);
  cost.clock_pj_per_cycle = register_bits * tech.register_clock_pj_per_bit;
  cost.area_um2 = (tech.multiply_um2[p] + add_um2 + register_bits * tech.register_um2_per_bit) *
                  tech.logic_layout_factor;
  return cost;
}

SramMacro sram_macro(const Technology& tech, double capacity_bytes, double port_bits,
                     Process cells) {
  SramMacro macro;
  if (capacity_bytes <= 0) return macro;
  // Banks side by side for a port wider than one bank's, more for a capacity beyond the largest
  // bank; never banks smaller than one port-wide word.
  const double by_port = std::ceil(std::max(1.0, port_bits) / tech.sram_bank_port_bits);
  const double by_size = std::ceil(capacity_bytes / tech.sram_max_bank_bytes);
  const double max_banks = std::max(1.0, std::floor(capacity_bytes * 8 / tech.sram_bank_port_bits));
  macro.banks = std::min(std::max(by_port, by_size), max_banks);
  const SramPoint bank = sram_at(tech, capacity_bytes / macro.banks, cells);
  const double bitcells_mm2 = capacity_bytes * 8 * tech.sram_bitcell_um2 * 1e-6;
  macro.area_mm2 = std::max(bitcells_mm2, macro.banks * bank.area_mm2 * tech.sram_macro_factor);
  macro.read_pj_per_bit = bank.read_pj_per_bit;
  macro.write_pj_per_bit = bank.write_pj_per_bit;
  macro.leakage_mw = macro.banks * bank.leakage_mw;
  return macro;
}

const DramInterface& dram_interface(const Technology& tech, const std::string& type) {
  for (const DramInterface& d : tech.dram)
    if (d.type == type) return d;
  std::string allowed;
  for (const DramInterface& d : tech.dram) allowed += (allowed.empty() ? "" : ", ") + d.type;
  throw std::invalid_argument("field 'dram.type' = '" + type + "', allowed: " + allowed);
}

double dram_pj_per_bit(const Technology& tech, const std::string& type) {
  return dram_interface(tech, type).device_pj_per_bit;
}

}  // namespace accelscope::model
