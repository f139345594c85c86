// Per-design constants derived once from (accelerator, technology) and shared by every op of an
// evaluation: usable buffer capacities, energies per access, bandwidth per cycle, leakage.
// Internal to the model.
#pragma once

#include <algorithm>
#include <array>

#include "model/hardware.hpp"
#include "model/report.hpp"
#include "model/technology.hpp"

namespace accelscope::model {

struct DesignContext {
  const Accelerator* accelerator = nullptr;
  double clock_hz = 0;
  // Bytes a buffer can give to one tile (half of it when double-buffered).
  PerBuffer tile_capacity_bytes{};
  // Word size of each buffer in bytes (outputs hold partial sums at accumulator width).
  PerBuffer word_bytes{};
  // Bytes of an array operand, of an array output written back, of a partial sum.
  double operand_bytes = 0, output_bytes = 0, psum_bytes = 0;
  PerBuffer read_pj_per_word{};
  PerBuffer write_pj_per_word{};
  // DRAM bytes per clock cycle for each interface (all equal to the shared figure when shared).
  PerBuffer dram_bytes_per_cycle{};
  double shared_dram_bytes_per_cycle = 0;
  bool all_double_buffered = false;  // every buffer double-buffered (no exposed transfers)
  double dram_pj_per_byte = 0;       // in the DRAM devices (and an off-die interface)
  double io_pj_per_byte = 0;         // in the die's DRAM interface
  double mac_pj = 0;
  double vector_op_pj = 0;
  // Row stationary: a word moved over the array's network into a PE, a partial sum passed on.
  double network_pj_per_operand = 0, network_pj_per_psum = 0;
  // Standing energy per cycle: leakage, the DRAM interface's standing power and the clock of the
  // array's registers.
  double leakage_pj_per_cycle = 0;
  DesignReport design;
};

DesignContext make_design_context(const Accelerator& accelerator, const Technology& tech);

// Exposed DRAM transfer time (cycles) of an op given compute cycles, the bytes each interface
// moves, and the number of tiles (the first load and last store cannot overlap compute).
// Returns total cycles. Inline: the tiling search calls it for every candidate and loop order.
inline double overlap_cycles(const DesignContext& ctx, double compute_cycles,
                             const PerBuffer& dram_bytes, double tiles) {
  const Accelerator& a = *ctx.accelerator;
  double overlapped = 0, exposed = 0;
  if (a.dram.shared && ctx.all_double_buffered) {
    // The general case below with nothing exposed, summed in the same order.
    overlapped = (((dram_bytes[0] + dram_bytes[1]) + dram_bytes[2]) + dram_bytes[3]) /
                 ctx.shared_dram_bytes_per_cycle;
  } else if (a.dram.shared) {
    double overlapped_bytes = 0, exposed_bytes = 0;
    for (std::size_t b = 0; b < kNumBuffers; ++b)
      (a.sram[b].double_buffered ? overlapped_bytes : exposed_bytes) += dram_bytes[b];
    overlapped = overlapped_bytes / ctx.shared_dram_bytes_per_cycle;
    exposed = exposed_bytes / ctx.shared_dram_bytes_per_cycle;
  } else {
    // Independent interfaces transfer in parallel with each other.
    for (std::size_t b = 0; b < kNumBuffers; ++b) {
      const double cycles = dram_bytes[b] / ctx.dram_bytes_per_cycle[b];
      if (a.sram[b].double_buffered)
        overlapped = std::max(overlapped, cycles);
      else
        exposed = std::max(exposed, cycles);
    }
  }
  // Double-buffered tiles overlap transfer with compute except the first load and last store:
  // n tiles of compute c and transfer t take about n*max(c,t) + min(c,t).
  const double n = std::max(1.0, tiles);
  return std::max(compute_cycles, overlapped) + std::min(compute_cycles, overlapped) / n + exposed;
}

// Energy for SRAM accesses, DRAM bytes and leakage over a number of cycles (MAC and vector
// energy are added by the unit models).
void add_memory_energy(const DesignContext& context, Costs& costs);

}  // namespace accelscope::model
