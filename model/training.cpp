#include "model/training.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace accelscope::model {

std::string_view to_string(Optimizer optimizer) {
  switch (optimizer) {
    case Optimizer::sgd:
      return "sgd";
    case Optimizer::momentum:
      return "momentum";
    case Optimizer::adam:
      return "adam";
  }
  return "?";
}

Optimizer parse_optimizer(std::string_view name) {
  for (Optimizer o : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam})
    if (name == to_string(o)) return o;
  throw std::invalid_argument("optimizer '" + std::string(name) +
                              "', allowed: sgd, momentum, adam");
}

int optimizer_state_per_parameter(Optimizer optimizer) {
  switch (optimizer) {
    case Optimizer::sgd:
      return 0;
    case Optimizer::momentum:
      return 1;
    case Optimizer::adam:
      return 2;
  }
  return 0;
}

bool has_training_phases(const Network& network) {
  return std::any_of(network.ops.begin(), network.ops.end(), [](const Op& op) {
    return op.phase != Phase::forward || op.kind == OpKind::optimizer;
  });
}

FootprintPrecisions footprint_precisions(const Accelerator& accelerator) {
  FootprintPrecisions p;
  p.weights = accelerator.array.precision;
  p.gradients = accelerator.array.precision;
  p.activations = accelerator.array.output_precision;
  p.optimizer_state = accelerator.vector.precision;
  return p;
}

bool fits_in_dram(const TrainingFootprint& footprint, const DramSpec& dram) {
  constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;
  return dram.capacity_gib <= 0 || footprint.total_bytes() <= dram.capacity_gib * kBytesPerGib;
}

namespace {

// ---- tensors of the forward graph ----

struct TensorInfo {
  std::int64_t elements = 0;
  std::int64_t channels = 0;  // 0: unknown
  int producer = -1;          // forward op writing it; -1: a network input
  bool needs_gradient = false;
};

using TensorMap = std::map<std::string, TensorInfo>;

// Channels of an op's output where the graph tells them (batch norm needs them for its
// per-channel statistics).
std::int64_t output_channels(const Op& op, const TensorMap& tensors) {
  if (op.kind == OpKind::conv2d) return op.conv.out_channels;
  if (op.kind == OpKind::matmul) return op.matmul.n;
  if (op.inputs.empty() || op.kind == OpKind::reshape || op.kind == OpKind::reduce) return 0;
  const TensorInfo& first = tensors.at(op.inputs[0]);
  if (op.kind != OpKind::data_move) return first.channels;
  // Concatenation along channels: every input has the same pixels per channel.
  std::int64_t channels = 0;
  for (std::size_t i = 0; i < data_input_count(op); ++i) {
    const TensorInfo& in = tensors.at(op.inputs[i]);
    if (in.channels == 0 || first.channels == 0 ||
        in.elements * first.channels != first.elements * in.channels)
      return 0;
    channels += in.channels;
  }
  return op.outputs.size() == 1 && op.output_elements * first.channels == first.elements * channels
             ? channels
             : 0;
}

TensorMap analyse(const std::vector<Op>& ops) {
  TensorMap tensors;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    bool input_needs_gradient = false;
    for (std::size_t j = 0; j < op.inputs.size(); ++j) {
      auto [it, inserted] = tensors.try_emplace(op.inputs[j]);
      if (inserted && j < data_input_count(op)) {
        it->second.elements = input_elements_of(op, j);
        if (op.kind == OpKind::conv2d) it->second.channels = op.conv.in_channels;
      }
      if (j < data_input_count(op)) input_needs_gradient |= it->second.needs_gradient;
    }
    const std::int64_t channels = output_channels(op, tensors);
    // A reshape is a view: its element count, if not given, is its input's.
    const std::int64_t written =
        op.kind == OpKind::reshape && output_elements_of(op) == 0 && !op.inputs.empty()
            ? tensors.at(op.inputs[0]).elements
            : output_elements_of(op);
    for (const std::string& name : op.outputs) {
      TensorInfo& info = tensors[name];
      info.producer = static_cast<int>(i);
      info.elements = written / static_cast<std::int64_t>(op.outputs.size());
      info.channels = channels;
      info.needs_gradient = op.parameter_elements > 0 || input_needs_gradient;
    }
  }
  return tensors;
}

// ---- backward convolutions ----

// Gradient of the input: a transposed convolution over the output gradient (zeros inserted at the
// forward stride, flipped kernel) whose output is exactly the forward input.
Conv2d backward_data_conv(const Conv2d& f) {
  Conv2d t;
  t.batch = f.batch;
  t.in_channels = f.out_channels;
  t.in_h = f.out_h;
  t.in_w = f.out_w;
  t.out_channels = f.in_channels;
  t.kernel_h = f.kernel_h;
  t.kernel_w = f.kernel_w;
  t.groups = f.groups;
  t.dilation_h = f.dilation_h;
  t.dilation_w = f.dilation_w;
  // The forward stride becomes zero insertion; a forward input dilation becomes a stride (only
  // real input pixels get a gradient).
  t.input_dilation_h = f.stride_h;
  t.input_dilation_w = f.stride_w;
  t.stride_h = f.input_dilation_h;
  t.stride_w = f.input_dilation_w;
  // Padding before: the kernel reach less the forward padding; after: whatever makes the output
  // exactly the input size (it absorbs rows the forward stride skipped). Where the forward
  // padding is wider than the kernel reach (SCALE-Sim's ceil-mode outputs), some output rows of
  // the forward saw only padding: their gradients reach no input, so they are dropped from dy
  // (the MACs are then the forward's less those rows').
  auto fit = [](std::int64_t in, std::int64_t& out, std::int64_t kernel, int dilation, int stride,
                int input_dilation, int pad_before, int& before, int& after) {
    std::int64_t b = (kernel - 1) * dilation - pad_before;
    std::int64_t a = (in - 1) * input_dilation - (out - 1) * stride + pad_before;
    std::int64_t dead = 0;
    if (b < 0) {
      const std::int64_t rows = (-b + stride - 1) / stride;
      b += rows * stride;
      dead += rows;
    }
    if (a < 0) {
      const std::int64_t rows = (-a + stride - 1) / stride;
      a += rows * stride;
      dead += rows;
    }
    out -= dead;
    before = static_cast<int>(b);
    after = static_cast<int>(a);
  };
  fit(f.in_h, t.in_h, f.kernel_h, f.dilation_h, f.stride_h, f.input_dilation_h, f.pad_top,
      t.pad_top, t.pad_bottom);
  fit(f.in_w, t.in_w, f.kernel_w, f.dilation_w, f.stride_w, f.input_dilation_w, f.pad_left,
      t.pad_left, t.pad_right);
  return t;
}

// Gradient of the weights: the input convolved with the output gradient as the kernel, channels
// in the batch. Input rows past the last window of the forward convolution are cropped.
Conv2d backward_weight_conv(const Conv2d& f) {
  Conv2d w;
  w.batch = f.in_channels / f.groups;
  w.in_channels = f.groups * f.batch;
  w.groups = f.groups;
  w.out_channels = f.out_channels;
  w.in_h = f.in_h;
  w.in_w = f.in_w;
  w.kernel_h = f.out_h;
  w.kernel_w = f.out_w;
  w.dilation_h = f.stride_h;
  w.dilation_w = f.stride_w;
  w.stride_h = f.dilation_h;
  w.stride_w = f.dilation_w;
  w.pad_top = f.pad_top;
  w.pad_left = f.pad_left;
  auto crop = [](std::int64_t& in, int pad_before, int& pad_after, std::int64_t out,
                 std::int64_t kernel, int stride, int dilation) {
    const std::int64_t reach = (out - 1) * stride + (kernel - 1) * dilation + 1;
    std::int64_t excess = pad_before + in + pad_after - reach;
    const std::int64_t from_pad =
        std::min<std::int64_t>(pad_after, std::max<std::int64_t>(0, excess));
    pad_after -= static_cast<int>(from_pad);
    excess -= from_pad;
    if (excess > 0) in -= excess;
  };
  w.pad_bottom = f.pad_bottom;
  w.pad_right = f.pad_right;
  crop(w.in_h, w.pad_top, w.pad_bottom, f.out_h, f.kernel_h, f.stride_h, f.dilation_h);
  crop(w.in_w, w.pad_left, w.pad_right, f.out_w, f.kernel_w, f.stride_w, f.dilation_w);
  return w;
}

// A forward transposed convolution's weight gradient as per-group matmuls (its zero-inserted
// input does not fit the convolution form): m = K/groups, k = N x real input pixels,
// n = C/groups x taps.
Matmul backward_weight_matmul_for_transposed(const Conv2d& f) {
  Matmul mm;
  mm.batch_count = f.groups;
  mm.m = f.out_channels / f.groups;
  mm.k = f.batch * f.in_h * f.in_w;
  mm.n = f.in_channels / f.groups * f.kernel_h * f.kernel_w;
  mm.weights_shared = false;
  return mm;
}

Matmul make_matmul(std::int64_t batch_count, std::int64_t m, std::int64_t k, std::int64_t n,
                   bool weights_shared) {
  Matmul mm;
  mm.batch_count = batch_count;
  mm.m = m;
  mm.k = k;
  mm.n = n;
  mm.weights_shared = weights_shared;
  return mm;
}

bool contains_case_insensitive(std::string_view text, std::string_view word) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  const auto it = std::search(text.begin(), text.end(), word.begin(), word.end(),
                              [&](char a, char b) { return lower(a) == lower(b); });
  return it != text.end();
}

// ---- the derivation ----

class Deriver {
 public:
  Deriver(const Network& forward, const TrainingOptions& options)
      : options_(options), ops_(with_edges(forward)), tensors_(analyse(ops_)) {
    out_.name = forward.name;
    out_.batch = forward.batch;
    out_.training = true;
  }

  Network run() {
    emit_forward();
    const std::size_t loss_index = emit_loss();
    for (std::size_t i = ops_.size(); i-- > 0;) {
      if (i == loss_index) continue;
      const Op& op = ops_[i];
      std::vector<std::string> dy;
      bool any = false;
      for (const std::string& t : op.outputs) {
        dy.push_back(gradient_of(t));
        any |= !dy.back().empty();
      }
      if (any) emit_backward(op, dy);
    }
    emit_updates();
    finalize(out_);
    return std::move(out_);
  }

 private:
  const TrainingOptions& options_;
  std::vector<Op> ops_;
  TensorMap tensors_;
  Network out_;
  std::map<std::string, std::vector<std::string>> contributions_;        // tensor -> gradient parts
  std::map<std::string, std::vector<std::string>> parameter_gradients_;  // op -> its gradients

  std::int64_t elements(const std::string& tensor) const { return tensors_.at(tensor).elements; }
  bool needs_gradient(const std::string& tensor) const {
    return tensors_.at(tensor).needs_gradient;
  }

  Op& emit(Op op) {
    out_.ops.push_back(std::move(op));
    return out_.ops.back();
  }

  static Op vector_op(std::string name, OpKind kind, Phase phase, VectorFn fn, std::int64_t in,
                      std::int64_t out, std::int64_t work, std::int64_t reduction = 0) {
    Op op;
    op.name = std::move(name);
    op.kind = kind;
    op.phase = phase;
    op.fn = fn;
    op.input_elements = in;
    op.output_elements = out;
    op.work_elements = work;
    op.reduction_elements = reduction;
    return op;
  }

  // Name of the gradient `consumer` sends to `tensor`, registered as one of its parts.
  std::string contribute(const std::string& tensor, const Op& consumer) {
    std::string name = "grad(" + tensor + ")@" + consumer.name;
    contributions_[tensor].push_back(name);
    return name;
  }

  // The gradient of a tensor: its parts summed, one add per consumer beyond the first. Empty if
  // nothing downstream sends one (a dead branch).
  std::string gradient_of(const std::string& tensor) {
    const auto it = contributions_.find(tensor);
    if (it == contributions_.end() || it->second.empty()) return {};
    const std::vector<std::string>& parts = it->second;
    std::string sum = parts[0];
    const std::int64_t e = elements(tensor);
    for (std::size_t k = 1; k < parts.size(); ++k) {
      const std::string name = k + 1 == parts.size() ? "grad(" + tensor + ")"
                                                     : "grad(" + tensor + ")#" + std::to_string(k);
      Op& add = emit(vector_op("grad_sum(" + tensor + ")#" + std::to_string(k), OpKind::eltwise,
                               Phase::backward_data, VectorFn::add, 2 * e, e, e));
      add.inputs = {sum, parts[k]};
      add.outputs = {name};
      sum = name;
    }
    return sum;
  }

  // Channels of a batch norm: from the graph, else from its scale and shift, else one feature
  // per sample element (a 1-d batch norm).
  std::int64_t batch_norm_channels(const Op& op) const {
    const std::int64_t from_graph = tensors_.at(op.inputs[0]).channels;
    if (from_graph > 0) return from_graph;
    if (op.parameter_elements >= 2) return op.parameter_elements / 2;
    return std::max<std::int64_t>(1, op.output_elements / std::max<std::int64_t>(1, out_.batch));
  }

  void emit_forward() {
    for (const Op& op : ops_) {
      Op f = op;
      f.phase = Phase::forward;
      if (op.kind == OpKind::batch_norm) {
        // Training mode: statistics of the batch (sum and sum of squares per channel over N*H*W),
        // then the normalisation: two lane-operations per element.
        const std::int64_t e = op.output_elements;
        f.reduction_elements = e / batch_norm_channels(op);
        f.work_elements = 2 * e;
      }
      emit(std::move(f));
    }
  }

  // Appends the loss unless the network ends with one; emits its gradient. Returns the index of
  // the loss among the forward ops (ops_.size() if appended).
  std::size_t emit_loss() {
    const Op& last = ops_.back();
    const bool has_loss = last.kind == OpKind::loss;
    const std::string logits = last.kind == OpKind::loss ? last.inputs[0] : last.outputs[0];
    const std::int64_t e = elements(logits);
    // One row of class scores per sample (per token for a sequence model): the classes are the
    // logits' channels where the graph tells them.
    const std::int64_t classes = tensors_.at(logits).channels;
    const std::int64_t rows = std::max<std::int64_t>(
        1, classes > 0 && e % classes == 0 ? e / classes : std::min(out_.batch, e));
    if (!has_loss) {
      // Cross entropy: log-softmax over each row, then the negative log-likelihood of the label.
      Op& loss = emit(
          vector_op("loss", OpKind::loss, Phase::forward, VectorFn::loss, e, rows, e, e / rows));
      loss.inputs = {logits};
      loss.outputs = {"loss"};
    }
    // d loss / d logits = softmax(logits) - one_hot(label), per row.
    Op grad = vector_op("loss.grad", OpKind::loss, Phase::backward_data, VectorFn::loss, e, e, e,
                        e / rows);
    grad.inputs = {logits};
    grad.outputs = {contribute(logits, grad)};
    emit(std::move(grad));
    return has_loss ? ops_.size() - 1 : ops_.size();
  }

  // Gradient of the parameters of a vector op without a rule of its own: dy reduced onto them.
  void emit_generic_parameter_gradient(const Op& op, const std::string& dy) {
    const std::int64_t e = elements(op.outputs[0]);
    const std::int64_t p = op.parameter_elements;
    Op g = vector_op(op.name + ".bwd_weight", OpKind::reduce, Phase::backward_weight,
                     VectorFn::reduce, e, p, e, std::max<std::int64_t>(1, e / p));
    g.inputs = {dy};
    g.outputs = {parameter_gradient(op)};
    emit(std::move(g));
  }

  // Name of a gradient of op's parameters ("weight", "bias", "params"), noted for its update.
  std::string parameter_gradient(const Op& op, const std::string& which = "params") {
    std::string name = op.name + "." + which + ".grad";
    parameter_gradients_[op.name].push_back(name);
    return name;
  }

  void emit_backward(const Op& op, const std::vector<std::string>& dy) {
    switch (op.kind) {
      case OpKind::conv2d:
        return conv_backward(op, dy[0]);
      case OpKind::matmul:
        return matmul_backward(op, dy[0]);
      case OpKind::batch_norm:
        return batch_norm_backward(op, dy[0]);
      case OpKind::layer_norm:
        return layer_norm_backward(op, dy[0]);
      case OpKind::softmax:
        return one_input_backward(op, dy[0], OpKind::softmax, VectorFn::mul, op.outputs[0], 2,
                                  op.reduction_elements);
      case OpKind::activation:
        return activation_backward(op, dy[0]);
      case OpKind::pool:
        return pool_backward(op, dy[0]);
      case OpKind::eltwise:
        return eltwise_backward(op, dy[0]);
      case OpKind::reduce:
        // Broadcast back (scaled for a mean).
        return one_input_backward(op, dy[0], OpKind::eltwise, VectorFn::mul, "", 1, 0);
      case OpKind::data_move:
        return data_move_backward(op, dy);
      case OpKind::reshape:
        return one_input_backward(op, dy[0], OpKind::reshape, VectorFn::copy, "", 1, 0);
      case OpKind::loss:       // a loss that is not the last op feeds nothing
      case OpKind::optimizer:  // excluded by derive_training
        return;
    }
  }

  void conv_backward(const Op& op, const std::string& dy) {
    const Conv2d& f = op.conv;
    const std::string& x = op.inputs[0];
    if (needs_gradient(x)) {
      Op d;
      d.name = op.name + ".bwd_data";
      d.kind = OpKind::conv2d;
      d.phase = Phase::backward_data;
      d.conv = backward_data_conv(f);
      d.inputs = {dy};
      d.outputs = {contribute(x, op)};
      emit(std::move(d));
    }
    // Always: parameter_elements = 0 means weights tied to (counted on) another op.
    Op w;
    w.name = op.name + ".bwd_weight";
    w.phase = Phase::backward_weight;
    if (f.input_dilation_h == 1 && f.input_dilation_w == 1) {
      w.kind = OpKind::conv2d;
      w.conv = backward_weight_conv(f);
    } else {
      w.kind = OpKind::matmul;
      w.matmul = backward_weight_matmul_for_transposed(f);
    }
    w.inputs = {x, dy};
    w.outputs = {parameter_gradient(op, "weight")};
    emit(std::move(w));
    const std::int64_t weights =
        f.out_channels * (f.in_channels / f.groups) * f.kernel_h * f.kernel_w;
    if (op.parameter_elements > weights) {
      // Bias: dy summed over N*P*Q per output channel.
      const std::int64_t e = elements(op.outputs[0]);
      Op b = vector_op(op.name + ".bwd_bias", OpKind::reduce, Phase::backward_weight,
                       VectorFn::reduce, e, op.parameter_elements - weights, e, e / f.out_channels);
      b.inputs = {dy};
      b.outputs = {parameter_gradient(op, "bias")};
      emit(std::move(b));
    }
  }

  void matmul_backward(const Op& op, const std::string& dy) {
    const Matmul& f = op.matmul;
    const std::string& a = op.inputs[0];
    if (f.weights_shared) {
      // Y[M,n] = X[M,k] W[k,n] with M = batch_count*m.
      if (needs_gradient(a)) {
        Op d;  // dX[M,k] = dY[M,n] W^T[n,k]
        d.name = op.name + ".bwd_data";
        d.kind = OpKind::matmul;
        d.phase = Phase::backward_data;
        d.matmul = make_matmul(f.batch_count, f.m, f.n, f.k, true);
        d.inputs = {dy};
        d.outputs = {contribute(a, op)};
        emit(std::move(d));
      }
      // Always: parameter_elements = 0 means weights tied to another op (an LM head).
      Op w;  // dW[k,n] = X^T[k,M] dY[M,n]: both operands are activations
      w.name = op.name + ".bwd_weight";
      w.kind = OpKind::matmul;
      w.phase = Phase::backward_weight;
      w.matmul = make_matmul(1, f.k, f.batch_count * f.m, f.n, false);
      w.inputs = {a, dy};
      w.outputs = {parameter_gradient(op, "weight")};
      emit(std::move(w));
      if (op.parameter_elements > f.k * f.n) {
        const std::int64_t rows = f.batch_count * f.m;
        Op b = vector_op(op.name + ".bwd_bias", OpKind::reduce, Phase::backward_weight,
                         VectorFn::reduce, rows * f.n, op.parameter_elements - f.k * f.n,
                         rows * f.n, rows);
        b.inputs = {dy};
        b.outputs = {parameter_gradient(op, "bias")};
        emit(std::move(b));
      }
      return;
    }
    // Attention: C[b] = A[b] B[b], both activations, both get gradients.
    if (needs_gradient(a)) {
      Op d;  // dA = dC B^T
      d.name = op.name + ".bwd_data_a";
      d.kind = OpKind::matmul;
      d.phase = Phase::backward_data;
      d.matmul = make_matmul(f.batch_count, f.m, f.n, f.k, false);
      d.inputs = {dy};
      if (op.inputs.size() > 1) d.inputs.push_back(op.inputs[1]);
      d.outputs = {contribute(a, op)};
      emit(std::move(d));
    }
    if (op.inputs.size() > 1 && needs_gradient(op.inputs[1])) {
      Op d;  // dB = A^T dC
      d.name = op.name + ".bwd_data_b";
      d.kind = OpKind::matmul;
      d.phase = Phase::backward_data;
      d.matmul = make_matmul(f.batch_count, f.k, f.m, f.n, false);
      d.inputs = {a, dy};
      d.outputs = {contribute(op.inputs[1], op)};
      emit(std::move(d));
    }
    if (op.parameter_elements > 0) emit_generic_parameter_gradient(op, dy);
  }

  void batch_norm_backward(const Op& op, const std::string& dy) {
    const std::string& x = op.inputs[0];
    const std::int64_t e = op.output_elements;
    const std::int64_t channels = batch_norm_channels(op);
    // dbeta = sum(dy), dgamma = sum(dy * xhat) per channel over N*H*W (xhat recomputed from x and
    // the saved statistics). dx needs both sums, so they come first.
    const bool has_parameters = op.parameter_elements > 0;
    Op sums = vector_op(op.name + ".bwd_sums", OpKind::reduce,
                        has_parameters ? Phase::backward_weight : Phase::backward_data,
                        VectorFn::reduce, 2 * e, 2 * channels, 2 * e, e / channels);
    sums.inputs = {x, dy};
    sums.outputs = {has_parameters ? parameter_gradient(op) : op.name + ".sums"};
    const std::string sums_name = sums.outputs[0];
    emit(std::move(sums));
    if (!needs_gradient(x)) return;
    // dx = gamma * inv_std / NHW * (NHW * dy - dbeta - xhat * dgamma), per element.
    Op d = vector_op(op.name + ".bwd_data", OpKind::batch_norm, Phase::backward_data,
                     VectorFn::batch_norm, 2 * e + 2 * channels, e, e);
    d.inputs = {x, dy, sums_name};
    d.outputs = {contribute(x, op)};
    emit(std::move(d));
  }

  void layer_norm_backward(const Op& op, const std::string& dy) {
    const std::string& x = op.inputs[0];
    const std::int64_t e = op.output_elements;
    std::int64_t row = op.reduction_elements;
    if (row <= 0) row = op.parameter_elements >= 2 ? op.parameter_elements / 2 : e;
    if (op.parameter_elements > 0) {
      // dgamma, dbeta: per feature, summed over every row.
      Op sums = vector_op(op.name + ".bwd_weight", OpKind::reduce, Phase::backward_weight,
                          VectorFn::reduce, 2 * e, op.parameter_elements, 2 * e,
                          std::max<std::int64_t>(1, e / row));
      sums.inputs = {x, dy};
      sums.outputs = {parameter_gradient(op)};
      emit(std::move(sums));
    }
    if (!needs_gradient(x)) return;
    // dx: two row sums (of dy*gamma and dy*gamma*xhat), then the per-element formula.
    Op d = vector_op(op.name + ".bwd_data", OpKind::layer_norm, Phase::backward_data,
                     VectorFn::layer_norm, 2 * e, e, 2 * e, row);
    d.inputs = {x, dy};
    d.outputs = {contribute(x, op)};
    emit(std::move(d));
  }

  // dx from dy and (optionally) one saved tensor, element for element.
  void one_input_backward(const Op& op, const std::string& dy, OpKind kind, VectorFn fn,
                          const std::string& saved, std::int64_t work_per_element,
                          std::int64_t reduction) {
    const std::string& x = op.inputs[0];
    if (op.parameter_elements > 0) emit_generic_parameter_gradient(op, dy);
    if (!needs_gradient(x)) return;
    const std::int64_t e_in = elements(x);
    const std::int64_t e_out = elements(op.outputs[0]);
    Op d = vector_op(op.name + ".bwd_data", kind, Phase::backward_data, fn,
                     e_out + (saved.empty() ? 0 : elements(saved)), e_in,
                     work_per_element * std::max(e_in, e_out), reduction);
    d.inputs = {dy};
    if (!saved.empty()) d.inputs.insert(d.inputs.begin(), saved);
    d.outputs = {contribute(x, op)};
    emit(std::move(d));
  }

  void activation_backward(const Op& op, const std::string& dy) {
    switch (op.fn) {
      case VectorFn::relu:  // mask of the saved output
        return one_input_backward(op, dy, OpKind::activation, VectorFn::relu, op.outputs[0], 1, 0);
      case VectorFn::sigmoid:  // dy * y * (1 - y)
      case VectorFn::tanh:     // dy * (1 - y^2)
        return one_input_backward(op, dy, OpKind::activation, VectorFn::mul, op.outputs[0], 2, 0);
      default:  // derivative evaluated at the saved input (gelu, swish, exp...)
        return one_input_backward(op, dy, OpKind::activation, op.fn, op.inputs[0], 1, 0);
    }
  }

  void pool_backward(const Op& op, const std::string& dy) {
    const std::string& x = op.inputs[0];
    if (!needs_gradient(x)) return;
    // Max pooling routes dy to the argmax (from the saved input); average pooling spreads dy
    // over the window. The op kind does not say which, the name does ("MaxPool", "maxpool").
    const bool max = contains_case_insensitive(op.name, "max");
    const std::int64_t e_in = elements(x);
    const std::int64_t e_out = op.output_elements;
    Op d = vector_op(op.name + ".bwd_data", OpKind::pool, Phase::backward_data, VectorFn::pool,
                     e_out + (max ? e_in : 0), e_in, op.work_elements);
    d.inputs = {dy};
    if (max) d.inputs.insert(d.inputs.begin(), x);
    d.outputs = {contribute(x, op)};
    emit(std::move(d));
  }

  void eltwise_backward(const Op& op, const std::string& dy) {
    const std::int64_t e_out = elements(op.outputs[0]);
    const std::size_t inputs = data_input_count(op);
    for (std::size_t j = 0; j < inputs; ++j) {
      const std::string& x = op.inputs[j];
      if (!needs_gradient(x)) continue;
      const std::int64_t e_in = elements(x);
      // A broadcast input sums dy over the broadcast elements.
      const std::int64_t reduction = e_in < e_out ? e_out / std::max<std::int64_t>(1, e_in) : 0;
      if (op.fn == VectorFn::add || op.fn == VectorFn::copy) {
        if (reduction == 0) {
          // d(a + b)/da = 1: the gradient passes unchanged (a sub's sign folds into its user).
          contributions_[x].push_back(dy);
          continue;
        }
        Op r = vector_op(op.name + ".bwd_data" + std::to_string(j), OpKind::reduce,
                         Phase::backward_data, VectorFn::reduce, e_out, e_in, e_out, reduction);
        r.inputs = {dy};
        r.outputs = {contribute(x, op)};
        emit(std::move(r));
        continue;
      }
      // Products and quotients: dy times the other operands (div of the divisor needs both).
      std::vector<std::string> reads;
      std::int64_t read_elements = e_out;  // dy
      for (std::size_t k = 0; k < inputs; ++k)
        if (k != j || (op.fn == VectorFn::div && j > 0)) {
          reads.push_back(op.inputs[k]);
          read_elements += elements(op.inputs[k]);
        }
      reads.push_back(dy);
      const VectorFn fn = op.fn == VectorFn::div ? VectorFn::div : VectorFn::mul;
      const std::int64_t work = (op.fn == VectorFn::div && j > 0 ? 2 : 1) * e_out;
      Op d = vector_op(op.name + ".bwd_data" + std::to_string(j), OpKind::eltwise,
                       Phase::backward_data, fn, read_elements, e_in, work, reduction);
      d.inputs = std::move(reads);
      d.outputs = {contribute(x, op)};
      emit(std::move(d));
    }
    if (op.parameter_elements > 0) emit_generic_parameter_gradient(op, dy);
  }

  // Concat, split, transpose, pad: the gradient moves the same data back (a split of the
  // gradient for a concat, a concat for a split).
  void data_move_backward(const Op& op, const std::vector<std::string>& dy) {
    // A gather from a parameter (an embedding table): dy scattered into its gradient.
    if (op.parameter_elements > 0)
      emit_generic_parameter_gradient(
          op, *std::find_if(dy.begin(), dy.end(), [](const std::string& g) { return !g.empty(); }));
    std::vector<std::string> targets;
    std::int64_t moved = 0;
    for (std::size_t j = 0; j < data_input_count(op); ++j)
      if (needs_gradient(op.inputs[j])) {
        targets.push_back(op.inputs[j]);
        moved += elements(op.inputs[j]);
      }
    if (targets.empty()) return;
    std::int64_t read = 0;
    Op d = vector_op(op.name + ".bwd_data", OpKind::data_move, Phase::backward_data, VectorFn::copy,
                     0, moved, moved);
    for (std::size_t k = 0; k < dy.size(); ++k)
      if (!dy[k].empty()) {
        d.inputs.push_back(dy[k]);
        read += elements(op.outputs[k]);
      }
    d.input_elements = read;
    for (const std::string& t : targets) d.outputs.push_back(contribute(t, op));
    emit(std::move(d));
  }

  // One optimizer op per parameterised op (in forward order): sgd reads w, g and writes w;
  // momentum also reads and writes v; adam m and v.
  void emit_updates() {
    const std::int64_t state = optimizer_state_per_parameter(options_.optimizer);
    for (const Op& op : ops_) {
      const auto gradients = parameter_gradients_.find(op.name);
      if (gradients == parameter_gradients_.end()) continue;
      const std::int64_t p = op.parameter_elements;
      if (p <= 0) continue;  // tied weights: updated with their owner
      Op u = vector_op(op.name + ".update", OpKind::optimizer, Phase::update, VectorFn::optimizer,
                       (2 + state) * p, (1 + state) * p, p);
      u.parameter_elements = p;
      u.inputs = gradients->second;
      u.outputs = {op.name + ".params"};
      emit(std::move(u));
    }
  }
};

}  // namespace

Network derive_training(const Network& forward, const TrainingOptions& options) {
  if (forward.ops.empty())
    throw std::invalid_argument("network '" + forward.name + "': no ops to train");
  if (has_training_phases(forward))
    throw std::invalid_argument("network '" + forward.name +
                                "': already holds backward or update ops (a training graph); "
                                "derive training from a forward network");
  Network network = Deriver(forward, options).run();
  network.name = forward.name + " (training, " + std::string(to_string(options.optimizer)) + ")";
  return network;
}

TrainingFootprint footprint(const Network& network, const FootprintPrecisions& precisions,
                            const TrainingOptions& options_if_forward) {
  if (!has_training_phases(network))
    return footprint(derive_training(network, options_if_forward), precisions);
  TrainingFootprint f;
  std::int64_t optimizer_parameters = 0;
  for (const Op& op : network.ops) {
    if (op.kind == OpKind::optimizer) {
      optimizer_parameters += op.parameter_elements;
      f.optimizer_state_elements +=
          std::max<std::int64_t>(0, op.input_elements - 2 * op.parameter_elements);
    } else if (op.phase == Phase::forward) {
      f.parameter_elements += op.parameter_elements;
    }
  }
  // A hand-written training graph may carry its parameter counts on the optimizer ops only.
  if (f.parameter_elements == 0) f.parameter_elements = optimizer_parameters;

  // Activations kept for backward: the forward tensors (outputs of forward ops, and the network
  // input) that a backward op reads; a reshape's output is its input's storage.
  std::map<std::string, std::int64_t> forward_elements;
  std::map<std::string, std::string> storage;  // reshape output -> the tensor it views
  std::set<std::string> written_by_non_forward;
  for (const Op& op : network.ops) {
    if (op.phase != Phase::forward) {
      for (const std::string& t : op.outputs) written_by_non_forward.insert(t);
      continue;
    }
    for (std::size_t j = 0; j < op.inputs.size() && j < data_input_count(op); ++j)
      forward_elements.try_emplace(op.inputs[j], input_elements_of(op, j));
    for (const std::string& t : op.outputs) {
      forward_elements[t] = output_elements_of(op) / static_cast<std::int64_t>(op.outputs.size());
      if (op.kind == OpKind::reshape && !op.inputs.empty()) storage[t] = op.inputs[0];
    }
  }
  auto root = [&](std::string t) {
    for (auto it = storage.find(t); it != storage.end(); it = storage.find(t)) t = it->second;
    return t;
  };
  std::set<std::string> kept;
  for (const Op& op : network.ops) {
    if (op.phase == Phase::forward) continue;
    for (const std::string& t : op.inputs)
      if (forward_elements.count(t) && !written_by_non_forward.count(t)) kept.insert(root(t));
  }
  for (const std::string& t : kept) f.activation_elements += forward_elements[t];
  if (kept.empty()) {
    // No edges to follow: every forward output is assumed kept.
    for (const Op& op : network.ops)
      if (op.phase == Phase::forward && op.kind != OpKind::reshape && op.kind != OpKind::loss)
        f.activation_elements += output_elements_of(op);
  }

  const auto params = static_cast<double>(f.parameter_elements);
  f.weights_bytes = params * bytes_of(precisions.weights);
  f.gradients_bytes = params * bytes_of(precisions.gradients);
  f.activations_bytes =
      static_cast<double>(f.activation_elements) * bytes_of(precisions.activations);
  f.optimizer_state_bytes =
      static_cast<double>(f.optimizer_state_elements) * bytes_of(precisions.optimizer_state);
  return f;
}

}  // namespace accelscope::model
