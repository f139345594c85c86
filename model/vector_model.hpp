// Cost of a non-GEMM op on the vector unit: lanes x cycles per element, DRAM traffic through the
// vector memory, and the transfer time it exposes when that memory is single-buffered.
// Internal to the model.
#pragma once

#include "model/design_context.hpp"
#include "model/report.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

Costs evaluate_vector_op(const DesignContext& context, const Op& op);

}  // namespace accelscope::model
