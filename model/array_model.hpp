// Cost of a GEMM-shaped op (convolution, matmul) on the systolic PE array: folding onto the
// array, fill and drain, SRAM accesses per operand, DRAM tiling under buffer capacities, and the
// memory stalls that follow. Internal to the model.
#pragma once

#include "model/design_context.hpp"
#include "model/evaluate.hpp"
#include "model/report.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

struct ArrayOpResult {
  Costs costs;
  Tiling tiling;
  double utilization = 0;
  bool fits = true;  // false: even the smallest tile exceeds a buffer
};

ArrayOpResult evaluate_array_op(const DesignContext& context, const GemmView& gemm,
                                const EvalOptions& options);

}  // namespace accelscope::model
