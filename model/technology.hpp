// Technology tables: energy, area and leakage figures at one node. Plain data with sources;
// loaded from spaces/tech/ by model/io/technology_io and resolved for a node once, then passed to
// every evaluation.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/die_cost.hpp"
#include "model/hardware.hpp"

namespace accelscope::model {

inline constexpr std::size_t kNumPrecisions = 7;

// One SRAM bank size from CACTI (per access of its port).
struct SramPoint {
  double capacity_bytes = 0;
  double read_pj_per_bit = 0;
  double write_pj_per_bit = 0;
  double leakage_mw = 0;
  double area_mm2 = 0;
};

// One kind of off-chip memory: energy per bit in the DRAM devices (outside the die) and in the
// die's own interface (PHY and controller), the interface's area and its standing power.
struct DramInterface {
  std::string type;
  double device_pj_per_bit = 0;
  double phy_pj_per_bit = 0;
  double phy_mm2_per_gbps = 0;
  double phy_static_mw_per_gbps = 0;
};

struct Technology {
  int node_nm = 45;
  // Cells at this node: a multiplier and an adder per precision, an integer adder per bit (the
  // accumulator of integer PEs), a register bit (energy per clocked cycle, area).
  std::array<double, kNumPrecisions> multiply_pj{}, multiply_um2{};
  std::array<double, kNumPrecisions> add_pj{}, add_um2{};
  double int_add_pj_per_bit = 0, int_add_um2_per_bit = 0;
  double register_pj_per_bit = 0, register_um2_per_bit = 0;
  // The part of register_pj_per_bit drawn by the clock on every cycle, whether the register takes
  // new data or not (the array's registers are not clock-gated when idle).
  double register_clock_pj_per_bit = 0;
  // A typical PE (weight stationary, 32-bit accumulator; the model costs each design's own PE
  // with pe_cost()): one MAC's energy and the PE's placed area.
  std::array<double, kNumPrecisions> mac_pj{};
  std::array<double, kNumPrecisions> pe_area_um2{};
  // One vector-lane operation (an add and a multiply) at the vector precision.
  std::array<double, kNumPrecisions> vector_op_pj{};
  std::array<double, kNumPrecisions> vector_lane_area_um2{};
  // One access of a PE's local register file (row-stationary scratchpads), per bit.
  double register_file_pj_per_bit = 0;
  double register_file_um2_per_bit = 0;
  // One word bit moved over a row-stationary array's network (multicast into a PE, PE to PE).
  double array_network_pj_per_bit = 0;
  // CACTI tables (SRAM sizes sorted by capacity; interpolated log-linearly), by cell type.
  std::array<std::vector<SramPoint>, kNumProcesses> sram_tables;
  // Product macros: area over CACTI's bank (ECC, redundancy, test, wrappers, routing to the
  // datapath), never below the bare bit cells; a wide port is served by banks side by side.
  double sram_macro_factor = 1;
  double sram_bitcell_um2 = 0;
  double sram_bank_port_bits = 128;
  double sram_max_bank_bytes = 256 * 1024;
  std::vector<DramInterface> dram;
  // A chip-to-chip link transceiver (transmitter and receiver) per bit each way; 0 when the
  // technology description gives none (then a design with links is rejected).
  double chip_link_pj_per_bit = 0;
  std::array<double, kNumProcesses> logic_leakage_mw_per_mm2{};
  // Placed datapath area over the sum of its cells (placement density, local routing, clock
  // buffers).
  double logic_layout_factor = 1;
  // Control and on-chip interconnect (with unused floorplan area), as fractions of the core
  // (PE array, SRAM and vector unit).
  double control_fraction = 0;
  double interconnect_fraction = 0;
  // Die cost at this node; absent when the technology description has no "die_cost".
  std::optional<DieCostFigures> die_cost;
  // Where each group of figures comes from (printed in reports).
  std::vector<std::string> sources;
};

// One PE of an array: the multiplier at the operand precision, the accumulator adder at
// `accumulator_bits` (integer, or fp32/fp16 for floating point), and `register_bits` of pipeline
// registers; area as placed (layout factor). A MAC costs the arithmetic and the registers' data
// switching; the registers' clock is drawn on every cycle, busy or idle.
struct PeCost {
  double mac_pj = 0;
  double clock_pj_per_cycle = 0;
  double area_um2 = 0;
};
PeCost pe_cost(const Technology& tech, Precision precision, int accumulator_bits,
               double register_bits);
// Pipeline register bits of one PE: weight stationary and input stationary PEs hold the
// stationary operand twice (double-buffered) and forward the other and the partial sum; output
// stationary PEs forward both operands and keep the sum; row stationary PEs keep their operands
// in scratchpads (costed apart) and register the product and the sum.
double pe_register_bits(Dataflow dataflow, Precision precision, int accumulator_bits);

// SRAM figures of one CACTI bank of a capacity, interpolated (extrapolated linearly in log-log
// space beyond the table); never negative.
SramPoint sram_at(const Technology& tech, double capacity_bytes,
                  Process cells = Process::low_power);

// A buffer as a product macro: `port_bits` wide, split into banks (no wider than the CACTI port,
// no larger than the largest bank); area, per-bit access energies and leakage of the whole.
struct SramMacro {
  double banks = 1;
  double area_mm2 = 0;
  double read_pj_per_bit = 0;
  double write_pj_per_bit = 0;
  double leakage_mw = 0;
};
SramMacro sram_macro(const Technology& tech, double capacity_bytes, double port_bits,
                     Process cells);

// The interface of a DRAM type; throws std::invalid_argument listing the known types.
const DramInterface& dram_interface(const Technology& tech, const std::string& type);
// DRAM device energy per bit for a type (the part outside the die).
double dram_pj_per_bit(const Technology& tech, const std::string& type);

}  // namespace accelscope::model
