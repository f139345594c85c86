// Workload graph: a network is a list of ops in execution order, each with full shapes (batch
// included) and a training phase. Plain data; parsers (model/io) and the training derivation
// build it, the model costs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/hardware.hpp"

namespace accelscope::model {

enum class Phase : std::uint8_t { forward, backward_data, backward_weight, update };
inline constexpr std::size_t kNumPhases = 4;

enum class OpKind : std::uint8_t {
  conv2d,      // on the array: convolution (grouped, depthwise, dilated, transposed)
  matmul,      // on the array: (batched) matrix multiply, fully-connected
  pool,        // vector unit: max / avg / global pooling (and gradients)
  batch_norm,  // vector unit
  layer_norm,  // vector unit
  softmax,     // vector unit
  activation,  // vector unit: relu, gelu, sigmoid, tanh...
  eltwise,     // vector unit: add, sub, mul, div
  reduce,      // vector unit: mean, sum, variance
  loss,        // vector unit
  optimizer,   // vector unit: weight update
  data_move,   // concat, transpose, pad...: costs only the bytes it moves
  reshape,     // reshape, flatten, view, identity: costs nothing
};
inline constexpr std::size_t kNumOpKinds = 13;

// Convolution in NCHW with every knob. Input sizes are before padding.
// A transposed convolution (as in backward-data) sets input_dilation > 1: zeros inserted
// between input pixels, which an accelerator skips by splitting into stride^2 phases.
struct Conv2d {
  std::int64_t batch = 1;
  std::int64_t in_channels = 0;
  std::int64_t in_h = 0, in_w = 0;
  std::int64_t out_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;
  int input_dilation_h = 1, input_dilation_w = 1;
  std::int64_t groups = 1;
  // Derived by finalize(): output size.
  std::int64_t out_h = 0, out_w = 0;
};

// batch_count independent products of (m x k) by (k x n). A fully-connected layer is
// batch_count = 1, m = batch. weights_shared: the right operand is a parameter (one copy for
// every product), not an activation (attention scores).
struct Matmul {
  std::int64_t batch_count = 1;
  std::int64_t m = 0, k = 0, n = 0;
  bool weights_shared = true;
};

// The GEMM every array op reduces to: groups independent products C[m,n] += A[m,k] B[k,n].
struct GemmView {
  std::int64_t groups = 1;
  std::int64_t m = 0, n = 0, k = 0;
  // Unique elements of each operand over all groups (for DRAM traffic): for a convolution the
  // input is much smaller than m*k (im2col reuse).
  std::int64_t input_elements = 0, weight_elements = 0, output_elements = 0;
  // Convolution geometry used to size input tiles with their halo (1 for a matmul).
  std::int64_t out_rows_per_image = 1;  // output rows per image (rows of m are out_w long)
  std::int64_t out_cols = 1;            // out_w
  std::int64_t images = 1;              // images (batch) in m
  std::int64_t in_rows = 1;             // input rows (padded) per image
  std::int64_t in_cols = 1;             // input cols (padded)
  std::int64_t window_rows = 1;         // effective (dilated) kernel height
  std::int64_t kernel_rows = 1;         // kernel height (taps = kernel_rows x kernel width)
  int kernel_row_dilation = 1;
  int row_stride = 1;
  std::int64_t taps = 1;       // kernel_h * kernel_w (k = channels * taps)
  bool weights_shared = true;  // false: both operands are activations
  // Fractions of non-zero values in the input read from DRAM and the output written back (0: not
  // known), from the op (Op::input_density, Op::output_density).
  double input_density = 0, output_density = 0;

  bool operator==(const GemmView&) const = default;
};

struct Op {
  std::string name;
  OpKind kind = OpKind::eltwise;
  Phase phase = Phase::forward;
  // Array ops
  Conv2d conv;
  Matmul matmul;
  // Vector ops: what the unit does, on how many elements.
  VectorFn fn = VectorFn::copy;
  std::int64_t input_elements = 0;   // read from memory (all inputs)
  std::int64_t output_elements = 0;  // written to memory
  std::int64_t work_elements = 0;    // lane-operations of class fn (e.g. outputs x window)
  // Elements that must be resident together (a reduction group, e.g. one channel of batch
  // norm over N*H*W); if more than the vector memory holds, the input is read twice.
  std::int64_t reduction_elements = 0;
  // Parameters owned by this op (weights, biases, scales), for footprints and optimizers.
  std::int64_t parameter_elements = 0;
  // The result feeds an array op: the vector unit writes it in the array's operand precision
  // (quantised on the way out, as the GEMM will read it) instead of its own precision.
  bool output_to_array = false;
  // Array ops: fractions of non-zero values (activation sparsity, measured on real data) in the
  // input feature map read from DRAM and in the output written back, after an activation fused
  // on the op's output path; 0: not known. Only a design compressing activations in DRAM
  // (DramSpec::activation_rlc) uses them; without them it moves the tensor uncompressed.
  double input_density = 0, output_density = 0;

  // Graph edges: tensor names (informative; the model does not need them).
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;

  bool on_array() const { return kind == OpKind::conv2d || kind == OpKind::matmul; }
  bool is_conv_type() const { return on_array(); }
};

struct Network {
  std::string name;
  std::int64_t batch = 1;
  bool training = false;
  std::vector<Op> ops;
  // Where the ops' activation densities come from (required when any op gives one).
  std::string density_source;
};

std::string_view to_string(Phase);
std::string_view to_string(OpKind);

// Fills derived fields (conv output size) and validates shapes; throws std::invalid_argument
// naming the op and the field.
void finalize(Op& op);
void finalize(Network& network);

// The GEMM an array op reduces to (conv2d or matmul). Precondition: op.on_array().
GemmView gemm_view(const Op& op);

// ---- graph edges (tensor names) ----

// Elements an op writes (all outputs together).
std::int64_t output_elements_of(const Op& op);
// Inputs that carry activations. A conv or a shared-weight matmul reads one (further names, if a
// converter lists its parameters, are not data); attention reads two; vector ops read their first
// input, except those combining tensors.
std::size_t data_input_count(const Op& op);
// Elements of data input `index` as the op sees it.
std::int64_t input_elements_of(const Op& op, std::size_t index);
// The ops with every edge named and each name written once: an op without inputs reads the
// previous op's first output (the network input for the first op), one without outputs writes
// "<name>:out", and a name written again (in place) gets a fresh version.
std::vector<Op> with_edges(const Network& network);

// Multiply-accumulates an op really needs (no padding zeros, no inserted zeros).
std::int64_t macs(const Op& op);
std::int64_t macs(const Network& network);

}  // namespace accelscope::model
