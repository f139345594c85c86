#include "model/vector_model.hpp"

#include <algorithm>
#include <cmath>

namespace accelscope::model {

double lane_cycles(const DesignContext& ctx, const Op& op) {
  const VectorUnitSpec& unit = ctx.accelerator->vector;
  const double cycles_per_element = unit.cycles_per_element[static_cast<std::size_t>(op.fn)];
  return std::ceil(static_cast<double>(op.work_elements) / unit.lanes) * cycles_per_element;
}

Costs evaluate_vector_op(const DesignContext& ctx, const Op& op, const VectorPlacement& placement) {
  Costs costs;
  if (op.kind == OpKind::reshape) return costs;  // a view: nothing moves
  const VectorUnitSpec& unit = ctx.accelerator->vector;
  constexpr auto kVec = static_cast<std::size_t>(Buffer::vector);
  const auto kPool = static_cast<std::size_t>(placement.activation_buffer);
  const double element_bytes = ctx.word_bytes[kVec];
  const double capacity = ctx.tile_capacity_bytes[kVec];

  const auto in = static_cast<double>(op.input_elements);
  const double in_chip = std::min(in, placement.input_elements_on_chip);
  const auto out = static_cast<double>(op.output_elements);
  const auto work = static_cast<double>(op.work_elements);
  // A reduction group larger than the vector memory is streamed twice (statistics, then apply),
  // from wherever the input lives.
  const bool two_passes = static_cast<double>(op.reduction_elements) * element_bytes > capacity;
  const double passes = two_passes ? 2 : 1;
  const double in_read_dram = passes * (in - in_chip) + placement.fused_dram_input_elements;
  const double in_read_chip = passes * in_chip + placement.fused_chip_input_elements;

  // A result the array reads next leaves in the array's operand precision.
  const double out_element_bytes = op.output_to_array ? ctx.operand_bytes : element_bytes;
  const double out_dram = placement.output_on_chip ? 0 : out;
  const double dram_bytes = in_read_dram * element_bytes + out_dram * out_element_bytes;
  const double compute_lane_cycles = lane_cycles(ctx, op) + placement.fused_lane_cycles;
  const double per_tile_cycles = unit.pipeline_depth + unit.tile_overhead_cycles;
  PerBuffer dram{};
  dram[kVec] = dram_bytes;
  auto compute_with = [&](double n) {
    return compute_lane_cycles > 0 ? compute_lane_cycles + n * per_tile_cycles : 0;
  };
  // Tiles through the vector memory: at least enough for the data it moves to and from DRAM.
  // Double-buffered, smaller tiles hide more of the first load at a per-tile cost: take the best
  // of the fewest tiles and the count that balances the two (about sqrt(hidden / per tile)).
  const double fewest = capacity > 0 ? std::max(1.0, std::ceil(dram_bytes / capacity)) : 1.0;
  double tiles = fewest;
  if (ctx.accelerator->sram[kVec].double_buffered && dram_bytes > 0 && compute_lane_cycles > 0) {
    const double transfer = overlap_cycles(ctx, 0, dram, 1);
    const double hidden = std::min(compute_lane_cycles, transfer);
    const double most =
        std::max(fewest, std::ceil(static_cast<double>(op.work_elements) / unit.lanes));
    const double balanced = per_tile_cycles > 0 ? std::sqrt(hidden / per_tile_cycles) : most;
    double best = overlap_cycles(ctx, compute_with(fewest), dram, fewest);
    for (double n : {std::floor(balanced), std::ceil(balanced)}) {
      n = std::clamp(n, fewest, most);
      const double cycles = overlap_cycles(ctx, compute_with(n), dram, n);
      if (cycles < best) {
        best = cycles;
        tiles = n;
      }
    }
  }
  const double compute = compute_with(tiles);

  costs.compute_cycles = compute;
  costs.dram_read_bytes[kVec] = in_read_dram * element_bytes;
  costs.dram_write_bytes[kVec] = out_dram * out_element_bytes;
  // Data from DRAM is staged in the vector memory (filled, then read by the lanes); results bound
  // for DRAM are written there and read out. Resident data is read and written in place.
  costs.sram_writes[kVec] = in_read_dram + out_dram;
  costs.sram_reads[kVec] = in_read_dram + out_dram;
  costs.sram_reads[kPool] += in_read_chip;
  if (placement.output_on_chip) costs.sram_writes[kPool] += out;
  costs.total_cycles = overlap_cycles(ctx, compute, dram, tiles);
  costs.stall_cycles = costs.total_cycles - costs.compute_cycles;
  costs.energy.vector_pj =
      work * unit.cycles_per_element[static_cast<std::size_t>(op.fn)] * ctx.vector_op_pj +
      placement.fused_vector_pj;
  add_memory_energy(ctx, costs);
  return costs;
}

}  // namespace accelscope::model
