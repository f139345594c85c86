// Per-design constants derived once from (accelerator, technology) and shared by every op of an
// evaluation: usable buffer capacities, energies per access, bandwidth per cycle, leakage.
// Internal to the model.
#pragma once

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
  double dram_pj_per_byte = 0;  // in the DRAM devices
  double io_pj_per_byte = 0;    // in the die's DRAM interface
  double mac_pj = 0;
  double vector_op_pj = 0;
  double leakage_pj_per_cycle = 0;
  DesignReport design;
};

DesignContext make_design_context(const Accelerator& accelerator, const Technology& tech);

// Exposed DRAM transfer time (cycles) of an op given compute cycles, the bytes each interface
// moves, and the number of tiles (the first load and last store cannot overlap compute).
// Returns total cycles.
double overlap_cycles(const DesignContext& context, double compute_cycles,
                      const PerBuffer& dram_bytes, double tiles);

// Energy for SRAM accesses, DRAM bytes and leakage over a number of cycles (MAC and vector
// energy are added by the unit models).
void add_memory_energy(const DesignContext& context, Costs& costs);

}  // namespace accelscope::model
