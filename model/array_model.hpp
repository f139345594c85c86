// Cost of a GEMM-shaped op (convolution, matmul) on the systolic PE array: folding onto the
// array, fill and drain, SRAM accesses per operand, DRAM tiling under buffer capacities, and the
// memory stalls that follow. Internal to the model.
#pragma once

#include "model/design_context.hpp"
#include "model/evaluate.hpp"
#include "model/report.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

// Where the operands of an array op live, decided at the network level. The defaults (everything in
// DRAM, the design's tile capacities) are an op run on its own, layer by layer through DRAM.
struct ArrayPlacement {
  bool input_on_chip = false;   // the GEMM input is resident in a buffer holding activations
  bool weight_on_chip = false;  // the other operand is resident (weights kept across inferences,
                                // or an activation operand of attention / backward-weight)
  bool output_on_chip = false;  // the result stays on chip for its readers
  int activation_buffer = 0;    // buffer receiving a resident result (index of Buffer)
  // Bytes one tile may take in each buffer: the design's tile capacities, less what resident
  // tensors occupy.
  PerBuffer tile_capacity_bytes{};

  bool operator==(const ArrayPlacement&) const = default;
};
ArrayPlacement streaming_placement(const DesignContext& context);

struct ArrayOpResult {
  Costs costs;
  Tiling tiling;
  double utilization = 0;
  bool fits = true;  // false: even the smallest tile exceeds a buffer
};

ArrayOpResult evaluate_array_op(const DesignContext& context, const GemmView& gemm,
                                const EvalOptions& options, const ArrayPlacement& placement);

}  // namespace accelscope::model
