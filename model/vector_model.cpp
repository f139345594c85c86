#include "model/vector_model.hpp"

#include <algorithm>
#include <cmath>

namespace accelscope::model {

Costs evaluate_vector_op(const DesignContext& ctx, const Op& op) {
  Costs costs;
  if (op.kind == OpKind::reshape) return costs;  // a view: nothing moves
  const VectorUnitSpec& unit = ctx.accelerator->vector;
  constexpr auto kVec = static_cast<std::size_t>(Buffer::vector);
  const double element_bytes = ctx.word_bytes[kVec];
  const double capacity = ctx.tile_capacity_bytes[kVec];

  const auto in = static_cast<double>(op.input_elements);
  const auto out = static_cast<double>(op.output_elements);
  const auto work = static_cast<double>(op.work_elements);
  // A reduction group larger than the vector memory is streamed twice (statistics, then apply).
  const bool two_passes = static_cast<double>(op.reduction_elements) * element_bytes > capacity;
  const double in_read = two_passes ? 2 * in : in;

  // A result the array reads next leaves in the array's operand precision.
  const double out_element_bytes = op.output_to_array ? ctx.operand_bytes : element_bytes;
  const double bytes = in_read * element_bytes + out * out_element_bytes;
  const double tiles = capacity > 0 ? std::max(1.0, std::ceil(bytes / capacity)) : 1.0;
  const double cycles_per_element = unit.cycles_per_element[static_cast<std::size_t>(op.fn)];
  const double lane_cycles = std::ceil(work / unit.lanes) * cycles_per_element;
  const double compute =
      work > 0 ? lane_cycles + tiles * (unit.pipeline_depth + unit.tile_overhead_cycles) : 0;

  costs.compute_cycles = compute;
  costs.dram_read_bytes[kVec] = in_read * element_bytes;
  costs.dram_write_bytes[kVec] = out * out_element_bytes;
  costs.sram_writes[kVec] = in_read + out;  // fills from DRAM, results from the lanes
  costs.sram_reads[kVec] = in_read + out;   // operands to the lanes, results to DRAM
  PerBuffer dram{};
  dram[kVec] = bytes;
  costs.total_cycles = overlap_cycles(ctx, compute, dram, tiles);
  costs.stall_cycles = costs.total_cycles - costs.compute_cycles;
  costs.energy.vector_pj = work * cycles_per_element * ctx.vector_op_pj;
  add_memory_energy(ctx, costs);
  return costs;
}

}  // namespace accelscope::model
