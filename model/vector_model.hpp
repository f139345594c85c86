// Cost of a non-GEMM op on the vector unit: lanes x cycles per element, DRAM traffic through the
// vector memory, and the transfer time it exposes when that memory is single-buffered.
// Internal to the model.
#pragma once

#include "model/design_context.hpp"
#include "model/report.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

// Where the operands of a vector op live, decided at the network level (defaults: in DRAM).
struct VectorPlacement {
  double input_elements_on_chip = 0;  // of op.input_elements, those resident on chip
  bool output_on_chip = false;
  int activation_buffer = 0;  // buffer holding resident activations (index of Buffer)
  // Element-wise ops fused into this pass: lane cycles, lane-operation energy, and their second
  // operands (elements in DRAM and on chip).
  double fused_lane_cycles = 0;
  double fused_vector_pj = 0;
  double fused_dram_input_elements = 0;
  double fused_chip_input_elements = 0;
};

Costs evaluate_vector_op(const DesignContext& context, const Op& op,
                         const VectorPlacement& placement = {});

// Lane cycles of one element-wise op (work spread over the lanes).
double lane_cycles(const DesignContext& context, const Op& op);

}  // namespace accelscope::model
