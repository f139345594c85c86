// Training graphs: one training iteration derived from a forward network, and its memory
// footprint. Pure functions over plain data (no I/O).
//
// derive_training() emits, in order:
//   1. the forward ops (phase forward; batch norm switched to batch statistics),
//   2. the loss (cross entropy on the last op's output, unless the network ends with a loss) and
//      its gradient,
//   3. for every op in reverse order its backward ops (phases backward_data, backward_weight),
//      gradients routed along the tensor names; a tensor read by several ops gets one add per
//      extra reader to sum its gradients,
//   4. one optimizer op per parameterised op (phase update).
// Only tensors that depend on a parameter get gradients: nothing flows into the network input
// (the first layer has no backward-data).
//
// Backward ops per forward op (E = elements; all element counts include the batch):
//   conv2d      backward-data: transposed conv (below); backward-weight: conv (below); bias: dy
//               summed per channel
//   matmul      shared weights (FC): dX = dY W^T, dW = X^T dY (both operands activations), bias;
//               attention (both operands activations): dA = dC B^T, dB = A^T dC
//   batch_norm  forward: statistics per channel over N*H*W (reduction_elements), 2 lane-ops per
//               element; backward: dgamma/dbeta sums (reduce, backward_weight) then dx
//   layer_norm  dgamma/dbeta over the rows; dx with two row sums (reduction = the row)
//   softmax     dx = y * (dy - sum(dy * y)) per row
//   activation  relu: mask of the saved output; sigmoid/tanh: from the saved output; others
//               (gelu, exp...): derivative at the saved input
//   pool        dy spread over each window (max pooling, named "max...", also reads the input)
//   eltwise     add/sub: dy passes unchanged (a broadcast input sums it); mul/div: dy times the
//               other operand(s)
//   reduce      dy broadcast back
//   data_move   the same data moved back (a concat's gradient is a split and vice versa); a gather
//               from a parameter (embedding) scatters dy into its gradient
//   reshape     a free view
// An array op with parameter_elements = 0 shares (ties) its weights with another op: its weight
// gradient is computed, the update belongs to the owner.
//
// Backward convolutions (both have the MACs of the forward convolution):
//   - backward-data is a transposed convolution: Conv2d over the output gradient with
//     input_dilation = forward stride, kernel dilation = forward dilation, stride 1, padding
//     chosen so the output is exactly the forward input; groups kept. (Forward output rows that
//     saw only padding, as SCALE-Sim's ceil-mode outputs have, are dropped from dy.)
//   - backward-weight is a convolution of the input by the output gradient, with channels in the
//     batch (as SimDIT lays it out): batch = C/groups, in_channels = groups*N, groups kept,
//     kernel = the output gradient (P x Q, dilated by the forward stride), stride = forward
//     dilation, output = the weight (R x S), out_channels = K. Input rows the forward convolution
//     never reached are cropped, so the output is exactly R x S. A convolution (not an im2col
//     matmul) so its DRAM traffic counts the input once, not R*S times. (A forward transposed
//     convolution's weight gradient is a per-group matmul instead.)
#pragma once

#include <cstdint>
#include <string_view>

#include "model/hardware.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

enum class Optimizer : std::uint8_t { sgd, momentum, adam };
enum class Loss : std::uint8_t { cross_entropy };

std::string_view to_string(Optimizer);
// "sgd", "momentum" or "adam"; throws std::invalid_argument otherwise.
Optimizer parse_optimizer(std::string_view name);

// Per-parameter tensors of an optimizer besides the weight and its gradient (momentum: v;
// adam: m and v).
int optimizer_state_per_parameter(Optimizer);

struct TrainingOptions {
  Optimizer optimizer = Optimizer::sgd;
  Loss loss = Loss::cross_entropy;  // on the last op's output
};

// One training iteration of `forward` (ops with full shapes, batch included). Tensor names route
// gradients; an op without names reads the previous op's output (a chain, e.g. a SCALE-Sim
// topology). Throws std::invalid_argument if `forward` already holds non-forward ops.
Network derive_training(const Network& forward, const TrainingOptions& options = {});

// Bytes each kind of training state is stored in.
struct FootprintPrecisions {
  Precision weights = Precision::fp32;
  Precision activations = Precision::fp32;
  Precision gradients = Precision::fp32;
  Precision optimizer_state = Precision::fp32;
};

// Memory one training iteration needs resident (in DRAM): the parameters, the forward
// activations read by backward ops (the network input included), one gradient per parameter, and
// the optimizer state. Transient activation gradients are not counted.
struct TrainingFootprint {
  std::int64_t parameter_elements = 0;
  std::int64_t activation_elements = 0;
  std::int64_t optimizer_state_elements = 0;
  double weights_bytes = 0;
  double activations_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_state_bytes = 0;
  double total_bytes() const {
    return weights_bytes + activations_bytes + gradients_bytes + optimizer_state_bytes;
  }
};

// The precisions a design keeps training state in: weights and weight gradients at the array's
// operand precision, activations at what the array writes back, optimizer state at the vector
// unit's precision (it runs the update).
FootprintPrecisions footprint_precisions(const Accelerator& accelerator);

// Of a training graph (from derive_training, or one with phases and optimizer ops); a forward
// network is first derived with `options_if_forward`.
TrainingFootprint footprint(const Network& training_or_forward,
                            const FootprintPrecisions& precisions = {},
                            const TrainingOptions& options_if_forward = {});

// Whether DRAM holds the footprint; true when its capacity is not modelled (capacity_gib = 0).
bool fits_in_dram(const TrainingFootprint& footprint, const DramSpec& dram);

// True if the network holds any op of a phase other than forward.
bool has_training_phases(const Network& network);

}  // namespace accelscope::model
