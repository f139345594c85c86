// The network level of the model, hardware-independent part: which ops fuse into groups and which
// tensors flow between the groups, with their lifetimes. Computed once per network (and fusion
// setting); every design then decides where each tensor lives (network_run.hpp). Internal to the
// model.
//
// Fusion: an element-wise op (activation, element-wise arithmetic, inference batch-norm) joins the
// group that produced its input when that tensor has no other reader. It then runs on the output
// path of the group's head (the vector unit streaming the array's results, or the same pass of a
// vector op): its intermediate tensor is never stored. Batch-norm right after a convolution or a
// matmul in inference is folded into the weights (free). A second operand of a fused op (the
// skip connection of a residual add) is read where it lives.
//
// Groups run in the order of their last member, a valid topological order: no op can read a
// group's internal tensors, and a member's other operands come from earlier ops.
#pragma once

#include <cstdint>
#include <vector>

#include "model/workload.hpp"

namespace accelscope::model {

struct PlannedTensor {
  std::int64_t elements = 0;
  int producer_group = -1;     // -1: a network input (comes from DRAM)
  int last_reader_group = -1;  // -1: nobody reads it (a network output, written to DRAM)
  // Written by the array's output path (array precision) rather than by the vector unit.
  bool written_by_array = false;
  // The vector unit writes it in the array's operand precision (it feeds a GEMM).
  bool written_for_array = false;
  // First reader is an array op (a network input is then stored at operand precision).
  bool read_by_array = false;
};

// How a fused op joins its group.
enum class FusedAs : std::uint8_t {
  output_path,  // runs on the stream of results (vector lanes), no memory round trip
  folded        // inference batch-norm folded into the preceding GEMM's weights: free
};

struct PlannedGroup {
  std::size_t head = 0;            // op index: an array op or a vector op
  std::vector<std::size_t> fused;  // op indices in order
  std::vector<FusedAs> fused_as;   // per fused op
  // Activation tensors the head reads: for an array op [0] is the GEMM input and [1] (if any) the
  // GEMM's other operand when it is an activation (attention, backward-weight).
  std::vector<int> head_inputs;
  // Second operands read by fused ops (one list per fused op, in the order of `fused`).
  std::vector<std::vector<int>> fused_inputs;
  std::vector<int> outputs;  // tensors the group writes (the last member's outputs)
  bool head_on_array = false;
  double psum_elements = 0;  // array head: outputs of one GEMM group (partial sums held at once)
  // Groups with the same signature cost the same under the same placement.
  int signature = 0;
  // Array heads with the same id run the same GEMM (whatever their kind, phase or fused ops), so
  // cost the same under the same operand placement; -1 for a vector head.
  int gemm = -1;
};

struct NetworkPlan {
  std::vector<PlannedTensor> tensors;
  std::vector<PlannedGroup> groups;  // in execution order
  // Tensors that may stay on chip (written by a group and read by a later one), in the order
  // they are produced.
  std::vector<int> production_order;
  int signatures = 0;
  int gemms = 0;  // distinct GEMMs of the array heads
  // Parameters read by array ops (elements), for weights kept on chip across inferences.
  double array_weight_elements = 0;
  bool training = false;
};

// `fuse` false: every op is a group of its own.
NetworkPlan plan_network(const Network& network, bool fuse);

// Whether an op may run on the output path of the op producing its first input.
bool is_fusable_elementwise(const Op& op, bool training);

}  // namespace accelscope::model
