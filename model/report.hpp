// What the model returns: costs per op, totals per network, and the design's area and power.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/hardware.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

enum class Unit : std::uint8_t { array, vector, none };

struct Energy {
  double mac_pj = 0;
  double sram_pj = 0;
  double dram_pj = 0;  // in the DRAM devices and an off-die interface (outside the die)
  double io_pj = 0;    // in the die's DRAM interface (PHY and controller)
  double vector_pj = 0;
  // Standing energy: leakage, the DRAM interface's standing power and the clock of the array's
  // registers (drawn on every cycle, busy or idle).
  double leakage_pj = 0;
  double total_pj() const { return mac_pj + sram_pj + dram_pj + io_pj + vector_pj + leakage_pj; }
  Energy& operator+=(const Energy& o);
};
Energy operator*(const Energy& e, double factor);

// Inline: totals add up every op's costs several times over in each evaluation.
inline Energy& Energy::operator+=(const Energy& o) {
  mac_pj += o.mac_pj;
  sram_pj += o.sram_pj;
  dram_pj += o.dram_pj;
  io_pj += o.io_pj;
  vector_pj += o.vector_pj;
  leakage_pj += o.leakage_pj;
  return *this;
}

// Per buffer (inputs, weights, outputs, vector): counts of accesses in words of that buffer's
// element size, and DRAM bytes per interface.
using PerBuffer = std::array<double, kNumBuffers>;

// The DRAM tiling chosen for an array op (for explanation in breakdowns).
struct Tiling {
  std::int64_t m = 0, n = 0, k = 0;   // tile sizes in the GEMM view
  char loop_order[4] = {0, 0, 0, 0};  // outer to inner over 'm','n','k'
  std::int64_t tiles = 0;
};

// Costs that add up over ops (and over repeated identical ops).
struct Costs {
  double macs = 0;
  double compute_cycles = 0;
  double stall_cycles = 0;
  double total_cycles = 0;
  PerBuffer sram_reads{};
  PerBuffer sram_writes{};
  PerBuffer dram_read_bytes{};
  PerBuffer dram_write_bytes{};
  Energy energy;
  // Array: PE-cycles doing useful MACs / PE-cycles available while computing.
  double busy_pe_cycles = 0;

  double dram_read_total() const;
  double dram_write_total() const;
  Costs& operator+=(const Costs& o);
};
Costs operator*(const Costs& c, double factor);

inline Costs& Costs::operator+=(const Costs& o) {
  macs += o.macs;
  compute_cycles += o.compute_cycles;
  stall_cycles += o.stall_cycles;
  total_cycles += o.total_cycles;
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    sram_reads[b] += o.sram_reads[b];
    sram_writes[b] += o.sram_writes[b];
    dram_read_bytes[b] += o.dram_read_bytes[b];
    dram_write_bytes[b] += o.dram_write_bytes[b];
  }
  energy += o.energy;
  busy_pe_cycles += o.busy_pe_cycles;
  return *this;
}

// Where an op's result lived until its last reader.
enum class Residence : std::uint8_t {
  dram,  // written to DRAM (spilled, a network output, or layer-by-layer execution)
  sram,  // kept on chip
  fused  // never stored: consumed on the output path by the op fused after it
};
std::string_view to_string(Residence);

struct OpReport {
  std::string name;
  OpKind op = OpKind::eltwise;
  Phase phase = Phase::forward;
  Unit unit = Unit::none;
  Costs costs;
  double utilization = 0;  // useful MACs / (PEs x compute cycles), array ops only
  bool fits = true;        // false: even the smallest tile exceeds an on-chip buffer
  Tiling tiling;
  // Fusion: index (in the network) of the op whose output path runs this one, or -1; folded:
  // an inference batch-norm folded into that op's weights (free).
  int fused_into = -1;
  bool folded = false;
  Residence output = Residence::dram;
};

struct AreaBreakdown {
  double pe_array_mm2 = 0;
  PerBuffer sram_mm2{};
  double vector_unit_mm2 = 0;
  double io_mm2 = 0;  // DRAM interface (PHY)
  double control_mm2 = 0;
  double interconnect_mm2 = 0;  // on-chip interconnect and unattributed floorplan area
  double overhead_mm2 = 0;      // control + interconnect
  double core_mm2() const;      // PE array, SRAM and vector unit
  double total_mm2() const;
};

struct DesignReport {
  AreaBreakdown area;
  double leakage_mw = 0;  // leakage and the DRAM interface's standing power
  double clock_mw = 0;    // the array's pipeline registers, clocked on every cycle
  double links_mw = 0;    // chip-to-chip links, running whether data moves or not
  double standing_mw() const { return leakage_mw + clock_mw + links_mw; }  // drawn even when idle
  // The die with every PE doing a MAC, every SRAM port busy, the DRAM interface at full
  // bandwidth, plus leakage (the DRAM devices are not the die's).
  double peak_power_w = 0;
  double peak_tops = 0;  // 2 x PEs x clock
};

struct NetworkTotals {
  Costs all;
  std::array<Costs, kNumPhases> by_phase{};
  Costs conv;     // array (GEMM-type) ops
  Costs nonconv;  // everything else
  double latency_s = 0;
  double average_power_w = 0;
  double utilization = 0;      // MACs / (PEs x total cycles)
  double ops_not_fitting = 0;  // ops whose smallest tile exceeds a buffer (design infeasible)
  // The die alone: all energy but the DRAM devices' (pJ) and its average power (W).
  // average_power_w above is the system's: die plus DRAM.
  double chip_energy_pj() const { return all.energy.total_pj() - all.energy.dram_pj; }
  double chip_power_w = 0;
  // Network level: ops fused into another op's output path, tensors kept on chip and spilled,
  // the most bytes resident at once, and whether all weights stayed on chip across inferences.
  double fused_ops = 0;
  double tensors_on_chip = 0;
  double tensors_spilled = 0;
  double peak_resident_bytes = 0;
  bool weights_on_chip = false;
  double nonconv_cycle_share() const;
};

struct NetworkReport {
  DesignReport design;
  NetworkTotals total;
  std::vector<OpReport> ops;  // empty when evaluated for totals only
};

}  // namespace accelscope::model
