#include "model/workload.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "model/limits.hpp"

namespace accelscope::model {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::forward:
      return "forward";
    case Phase::backward_data:
      return "backward_data";
    case Phase::backward_weight:
      return "backward_weight";
    case Phase::update:
      return "update";
  }
  return "?";
}

std::string_view to_string(OpKind kind) {
  switch (kind) {
    case OpKind::conv2d:
      return "conv2d";
    case OpKind::matmul:
      return "matmul";
    case OpKind::pool:
      return "pool";
    case OpKind::batch_norm:
      return "batch_norm";
    case OpKind::layer_norm:
      return "layer_norm";
    case OpKind::softmax:
      return "softmax";
    case OpKind::activation:
      return "activation";
    case OpKind::eltwise:
      return "eltwise";
    case OpKind::reduce:
      return "reduce";
    case OpKind::loss:
      return "loss";
    case OpKind::optimizer:
      return "optimizer";
    case OpKind::data_move:
      return "data_move";
    case OpKind::reshape:
      return "reshape";
  }
  return "?";
}

namespace {

[[noreturn]] void bad_field(const Op& op, std::string_view field, std::int64_t value,
                            std::string_view allowed) {
  throw std::invalid_argument("op '" + op.name + "' (" + std::string(to_string(op.kind)) +
                              "): field '" + std::string(field) + "' = " + std::to_string(value) +
                              ", allowed: " + std::string(allowed));
}

void require_positive(const Op& op, std::string_view field, std::int64_t value) {
  if (value <= 0) bad_field(op, field, value, "an integer > 0");
}

void require_non_negative(const Op& op, std::string_view field, std::int64_t value) {
  if (value < 0) bad_field(op, field, value, "an integer >= 0");
}

// A density is 0 (not known) or a fraction of non-zero values in (0, 1].
void require_density(const Op& op, std::string_view field, double value) {
  if (value == 0 || (std::isfinite(value) && value > 0 && value <= 1)) return;
  throw std::invalid_argument("op '" + op.name + "' (" + std::string(to_string(op.kind)) +
                              "): field '" + std::string(field) + "' = " + std::to_string(value) +
                              ", allowed: a fraction of non-zero values in (0, 1]");
}

// Size of one spatial output dimension.
std::int64_t conv_out_size(std::int64_t in, std::int64_t kernel, int stride, int pad_before,
                           int pad_after, int dilation, int input_dilation) {
  const std::int64_t in_effective = (in - 1) * input_dilation + 1 + pad_before + pad_after;
  const std::int64_t kernel_effective = static_cast<std::int64_t>(dilation) * (kernel - 1) + 1;
  if (in_effective < kernel_effective) return 0;
  return (in_effective - kernel_effective) / stride + 1;
}

}  // namespace

void finalize(Op& op) {
  switch (op.kind) {
    case OpKind::conv2d: {
      Conv2d& c = op.conv;
      require_positive(op, "batch", c.batch);
      require_positive(op, "in_channels", c.in_channels);
      require_positive(op, "in_h", c.in_h);
      require_positive(op, "in_w", c.in_w);
      require_positive(op, "out_channels", c.out_channels);
      require_positive(op, "kernel_h", c.kernel_h);
      require_positive(op, "kernel_w", c.kernel_w);
      require_positive(op, "stride_h", c.stride_h);
      require_positive(op, "stride_w", c.stride_w);
      require_positive(op, "dilation_h", c.dilation_h);
      require_positive(op, "dilation_w", c.dilation_w);
      require_positive(op, "input_dilation_h", c.input_dilation_h);
      require_positive(op, "input_dilation_w", c.input_dilation_w);
      require_positive(op, "groups", c.groups);
      require_non_negative(op, "pad_top", c.pad_top);
      require_non_negative(op, "pad_bottom", c.pad_bottom);
      require_non_negative(op, "pad_left", c.pad_left);
      require_non_negative(op, "pad_right", c.pad_right);
      if (c.in_channels % c.groups != 0)
        bad_field(op, "groups", c.groups, "a divisor of in_channels");
      if (c.out_channels % c.groups != 0)
        bad_field(op, "groups", c.groups, "a divisor of out_channels");
      limits::check_extents(op);
      c.out_h = conv_out_size(c.in_h, c.kernel_h, c.stride_h, c.pad_top, c.pad_bottom, c.dilation_h,
                              c.input_dilation_h);
      c.out_w = conv_out_size(c.in_w, c.kernel_w, c.stride_w, c.pad_left, c.pad_right, c.dilation_w,
                              c.input_dilation_w);
      if (c.out_h <= 0)
        bad_field(op, "kernel_h", c.kernel_h, "a kernel no taller than the padded input");
      if (c.out_w <= 0)
        bad_field(op, "kernel_w", c.kernel_w, "a kernel no wider than the padded input");
      break;
    }
    case OpKind::matmul:
      require_positive(op, "batch_count", op.matmul.batch_count);
      require_positive(op, "m", op.matmul.m);
      require_positive(op, "k", op.matmul.k);
      require_positive(op, "n", op.matmul.n);
      limits::check_extents(op);
      break;
    default:
      require_non_negative(op, "input_elements", op.input_elements);
      require_non_negative(op, "output_elements", op.output_elements);
      require_non_negative(op, "work_elements", op.work_elements);
      require_non_negative(op, "reduction_elements", op.reduction_elements);
      break;
  }
  require_non_negative(op, "parameter_elements", op.parameter_elements);
  require_density(op, "input_density", op.input_density);
  require_density(op, "output_density", op.output_density);
  limits::check_products(op);
}

void finalize(Network& network) {
  if (network.batch <= 0)
    throw std::invalid_argument("network '" + network.name + "': batch = " +
                                std::to_string(network.batch) + ", allowed: an integer > 0");
  for (Op& op : network.ops) finalize(op);
  limits::check(network);
}

GemmView gemm_view(const Op& op) {
  GemmView view;
  if (op.kind == OpKind::matmul) {
    const Matmul& mm = op.matmul;
    if (mm.weights_shared) {
      // One weight matrix for every product: fold the products into m.
      view.groups = 1;
      view.m = mm.batch_count * mm.m;
      view.weight_elements = mm.k * mm.n;
    } else {
      view.groups = mm.batch_count;
      view.m = mm.m;
      view.weight_elements = mm.batch_count * mm.k * mm.n;
    }
    view.n = mm.n;
    view.k = mm.k;
    view.input_elements = mm.batch_count * mm.m * mm.k;
    view.output_elements = mm.batch_count * mm.m * mm.n;
    view.out_rows_per_image = view.m;
    view.images = 1;
    view.in_rows = view.m;
    view.row_stride = 1;
    view.weights_shared = mm.weights_shared;
    view.input_density = op.input_density;
    view.output_density = op.output_density;
    return view;
  }
  const Conv2d& c = op.conv;
  const std::int64_t channels_per_group = c.in_channels / c.groups;
  const bool transposed = c.input_dilation_h > 1 || c.input_dilation_w > 1;
  view.groups = c.groups;
  view.n = c.out_channels / c.groups;
  view.taps = c.kernel_h * c.kernel_w;
  view.k = channels_per_group * view.taps;
  // A transposed convolution (zeros inserted between input pixels) runs as input_dilation^2
  // dense phases; inserted zeros are never multiplied, so its GEMM has one row per real input
  // pixel, the same MACs as the forward convolution it is the gradient of.
  view.m = transposed ? c.batch * c.in_h * c.in_w : c.batch * c.out_h * c.out_w;
  view.input_elements = c.batch * c.in_channels * c.in_h * c.in_w;
  view.weight_elements = c.out_channels * channels_per_group * c.kernel_h * c.kernel_w;
  view.output_elements = c.batch * c.out_channels * c.out_h * c.out_w;
  view.out_rows_per_image = transposed ? c.in_h : c.out_h;
  view.out_cols = transposed ? c.in_w : c.out_w;
  view.images = c.batch;
  view.in_rows = (c.in_h - 1) * c.input_dilation_h + 1 + c.pad_top + c.pad_bottom;
  view.in_cols = (c.in_w - 1) * c.input_dilation_w + 1 + c.pad_left + c.pad_right;
  view.window_rows = static_cast<std::int64_t>(c.dilation_h) * (c.kernel_h - 1) + 1;
  view.kernel_rows = c.kernel_h;
  view.kernel_row_dilation = c.dilation_h;
  view.row_stride = c.stride_h;
  view.weights_shared = true;
  view.input_density = op.input_density;
  view.output_density = op.output_density;
  return view;
}

std::int64_t macs(const Op& op) {
  if (op.kind == OpKind::matmul) {
    const Matmul& mm = op.matmul;
    return mm.batch_count * mm.m * mm.k * mm.n;
  }
  if (op.kind == OpKind::conv2d) {
    const Conv2d& c = op.conv;
    const std::int64_t per_output_pixel =
        (c.in_channels / c.groups) * c.kernel_h * c.kernel_w * c.out_channels;
    if (c.input_dilation_h == 1 && c.input_dilation_w == 1)
      return c.batch * c.out_h * c.out_w * per_output_pixel;
    // Transposed convolution: each real input pixel meets every tap once (the usual count, equal
    // to the forward convolution it is the gradient of).
    return c.batch * c.in_h * c.in_w * per_output_pixel;
  }
  return 0;
}

std::int64_t macs(const Network& network) {
  std::int64_t total = 0;
  for (const Op& op : network.ops) total += macs(op);
  return total;
}

// ---- graph edges ----

std::int64_t output_elements_of(const Op& op) {
  if (op.kind == OpKind::conv2d)
    return op.conv.batch * op.conv.out_channels * op.conv.out_h * op.conv.out_w;
  if (op.kind == OpKind::matmul) return op.matmul.batch_count * op.matmul.m * op.matmul.n;
  return op.output_elements;
}

// Inputs that carry activations. A conv or a shared-weight matmul reads one (further names, if a
// converter lists its parameters, are not data); attention reads two; vector ops read their first
// input, except those combining tensors.
std::size_t data_input_count(const Op& op) {
  std::size_t count = 1;
  if (op.kind == OpKind::matmul && !op.matmul.weights_shared) count = 2;
  if (op.kind == OpKind::eltwise || op.kind == OpKind::data_move) count = op.inputs.size();
  return std::min(count, op.inputs.size());
}

// Elements of data input `index` as the op sees it.
std::int64_t input_elements_of(const Op& op, std::size_t index) {
  if (op.kind == OpKind::conv2d)
    return op.conv.batch * op.conv.in_channels * op.conv.in_h * op.conv.in_w;
  if (op.kind == OpKind::matmul)
    return index == 0 ? op.matmul.batch_count * op.matmul.m * op.matmul.k
                      : op.matmul.batch_count * op.matmul.k * op.matmul.n;
  const auto count = static_cast<std::int64_t>(std::max<std::size_t>(1, data_input_count(op)));
  return op.input_elements / count;
}

// The forward ops with every edge named and each name written once: an op without inputs reads
// the previous op's first output (the network input for the first op), one without outputs writes
// "<name>:out", and a name written again (in place) gets a fresh version.
std::vector<Op> with_edges(const Network& forward) {
  std::vector<Op> ops = forward.ops;
  std::map<std::string, std::string> current;  // name in the file -> name of its latest version
  std::set<std::string> written;
  const std::string network_input = (forward.name.empty() ? "network" : forward.name) + ":input";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    Op& op = ops[i];
    if (op.inputs.empty()) op.inputs.push_back(i == 0 ? network_input : ops[i - 1].outputs[0]);
    for (std::string& name : op.inputs)
      if (auto it = current.find(name); it != current.end()) name = it->second;
    if (op.outputs.empty()) op.outputs.push_back(op.name + ":out");
    for (std::string& name : op.outputs) {
      std::string version = name;
      for (int k = 2; written.count(version) || current.count(version); ++k)
        version = name + "#" + std::to_string(k);
      written.insert(version);
      current[name] = version;
      name = version;
    }
  }
  return ops;
}

}  // namespace accelscope::model
