#include "model/io/simdit.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "model/evaluate.hpp"
#include "model/io/json_reader.hpp"

namespace accelscope::io {

using model::OpKind;
using model::Phase;
using model::VectorFn;

namespace {

// SimDIT's multi-cycle SIMD latencies are DesignWare figures for an 800 ps clock period.
constexpr double kGenesysClockMhz = 1250;

std::string file_name(const std::string& path) {
  return path.substr(path.find_last_of('/') + 1);
}

model::Precision operand_precision(const JsonObject& root, std::string_view key) {
  const std::int64_t bits = root.integer(key);
  if (bits == 4) return model::Precision::int4;
  if (bits == 8) return model::Precision::int8;
  if (bits == 16) return model::Precision::int16;
  if (bits == 32) return model::Precision::int32;
  root.fail(key, std::to_string(bits), "4, 8, 16 or 32 (bits)");
}

// Bits per cycle of an AXI interface as GB/s at the GeneSys clock.
double axi_gbps(std::int64_t bits_per_cycle) {
  return static_cast<double>(bits_per_cycle) / 8.0 * kGenesysClockMhz * 1e-3;
}

}  // namespace

bool is_genesys_config(const nlohmann::json& json) {
  return json.is_object() && json.contains("ARRAY_N");
}

bool is_simdit_spec(const nlohmann::json& json) {
  return json.is_object() && json.contains("program");
}

model::Accelerator parse_genesys_config(const nlohmann::json& json, const std::string& file) {
  const JsonObject root(json, file);
  root.allow_only({"ARRAY_N", "ARRAY_M", "WGT_DATA_WIDTH", "ACT_DATA_WIDTH", "BIAS_WIDTH",
                   "ACC_WIDTH", "IBUF_CAPACITY_BITS", "WBUF_CAPACITY_BITS", "OBUF_CAPACITY_BITS",
                   "BBUF_CAPACITY_BITS", "INST_MEM_CAPACITY_BITS", "INST_MEM_AXI_DATA_WIDTH",
                   "IBUF_AXI_DATA_WIDTH", "PARAMBUF_AXI_DATA_WIDTH", "OBUF_AXI_DATA_WIDTH",
                   "SIMD_INST_MEM_ADDR_WIDTH", "SIMD_VMEM_CAPACITY_BITS", "SIMD_AXI_DATA_WIDTH"});
  model::Accelerator a;
  a.name = "genesys:" + file_name(file);
  a.clock_mhz = kGenesysClockMhz;
  a.tech_node_nm = 45;  // SimDIT has no energy or area model; the project's default node

  const std::int64_t rows = root.integer("ARRAY_N");
  const std::int64_t cols = root.integer("ARRAY_M");
  a.array.rows = static_cast<int>(rows);
  a.array.cols = static_cast<int>(cols);
  a.array.dataflow = model::Dataflow::weight_stationary;
  // One operand precision in the model: the wider of the two if they differ.
  const std::int64_t weight_bits = root.integer("WGT_DATA_WIDTH");
  const std::int64_t activation_bits = root.integer("ACT_DATA_WIDTH");
  a.array.precision =
      operand_precision(root, weight_bits >= activation_bits ? "WGT_DATA_WIDTH" : "ACT_DATA_WIDTH");
  const std::int64_t accumulator_bits = root.integer("ACC_WIDTH");
  if (accumulator_bits != 16 && accumulator_bits != 32)
    root.fail("ACC_WIDTH", std::to_string(accumulator_bits), "16 or 32 (bits)");
  a.array.accumulator_bits = static_cast<int>(accumulator_bits);
  // Convolution results go to the SIMD unit unquantised, as partial sums.
  a.array.output_precision =
      accumulator_bits == 16 ? model::Precision::int16 : model::Precision::int32;
  a.array.fold_overlap = true;
  a.array.pipelined_tiles = false;  // SimDIT pays fill and drain for every tile
  a.array.unroll_kernel = false;
  // SimDIT runs one op at a time through DRAM, without fusion.
  a.inter_layer = model::InterLayer::through_dram;
  a.fusion = false;

  auto capacity_bytes = [&](std::string_view key) {
    return static_cast<double>(root.integer(key)) / 8.0;
  };
  auto& inputs = a.sram[static_cast<std::size_t>(model::Buffer::inputs)];
  auto& weights = a.sram[static_cast<std::size_t>(model::Buffer::weights)];
  auto& outputs = a.sram[static_cast<std::size_t>(model::Buffer::outputs)];
  auto& vector = a.sram[static_cast<std::size_t>(model::Buffer::vector)];
  inputs.capacity_bytes = capacity_bytes("IBUF_CAPACITY_BITS");
  weights.capacity_bytes = capacity_bytes("WBUF_CAPACITY_BITS");
  outputs.capacity_bytes = 2 * capacity_bytes("OBUF_CAPACITY_BITS");      // two banks, one given
  vector.capacity_bytes = 2 * capacity_bytes("SIMD_VMEM_CAPACITY_BITS");  // VMEM1 + VMEM2
  inputs.double_buffered = weights.double_buffered = outputs.double_buffered = true;
  vector.double_buffered = false;

  a.dram.type = "lpddr4";
  a.dram.shared = false;
  const std::int64_t weight_port_bits = rows * weight_bits;
  a.dram.interface_gbps[static_cast<std::size_t>(model::Buffer::inputs)] =
      axi_gbps(root.integer("IBUF_AXI_DATA_WIDTH"));
  a.dram.interface_gbps[static_cast<std::size_t>(model::Buffer::weights)] =
      axi_gbps(std::min(root.integer("PARAMBUF_AXI_DATA_WIDTH"), weight_port_bits));
  a.dram.interface_gbps[static_cast<std::size_t>(model::Buffer::outputs)] =
      axi_gbps(root.integer("OBUF_AXI_DATA_WIDTH"));
  a.dram.interface_gbps[static_cast<std::size_t>(model::Buffer::vector)] =
      axi_gbps(root.integer("SIMD_AXI_DATA_WIDTH"));

  // The SIMD unit is 32-bit: fixed point in GeneSys' inference designs (narrow activations),
  // floating point in its training ones; its multi-cycle latencies differ accordingly.
  const bool floating_point = activation_bits >= 16;
  a.vector.lanes = static_cast<int>(cols);
  a.vector.precision = floating_point ? model::Precision::fp32 : model::Precision::int32;
  a.vector.pipeline_depth = 5;                                    // 6 stages: 5 cycles to fill
  a.vector.tile_overhead_cycles = static_cast<double>(cols - 1);  // the chain of lane ALUs
  a.vector.cycles_per_element = model::default_vector_cycles();
  auto set = [&](VectorFn fn, double cycles) {
    a.vector.cycles_per_element[static_cast<std::size_t>(fn)] = cycles;
  };
  // No result forwarding: an instruction that reads the previous one's result waits 2 NOPs.
  set(VectorFn::copy, 1);
  set(VectorFn::relu, 1);
  set(VectorFn::add, 1);
  set(VectorFn::mul, 1);
  set(VectorFn::div, floating_point ? 5 : 9);
  set(VectorFn::sqrt, floating_point ? 11 : 13);  // inverse square root
  set(VectorFn::exp, 3);
  set(VectorFn::pool, 1);         // a compare or add per window element
  set(VectorFn::reduce, 5);       // mean and variance: add, multiply, add (+2 NOPs)
  set(VectorFn::batch_norm, 10);  // subtract, multiply, multiply, add (+2 NOPs on the last three)
  set(VectorFn::optimizer, 2);    // SGD: multiply, subtract
  // sigmoid, tanh, gelu, layer_norm, softmax, loss: SimDIT has no figures; project defaults.

  try {
    model::validate(a);
  } catch (const std::invalid_argument& e) {
    throw InputError(file + ": " + e.what());
  }
  return a;
}

model::Accelerator read_genesys_config(const std::string& path) {
  return parse_genesys_config(read_json_file(path), path);
}

namespace {

constexpr std::array<std::string_view, 30> kOperations = {
    "conv",
    "conv_bias",
    "gemm",
    "gemm_no_bias",
    "relu",
    "relu_grad",
    "elem_add",
    "max_pool",
    "max_pool_grad",
    "global_avg_pool",
    "global_average_pool_grad",
    "mean_var",
    "batch_norm",
    "batchnorm_grad_x_mu",
    "batchnorm_grad_inv_std",
    "batchnorm_grad_xhat",
    "batchnorm_grad_dbeta",
    "batchnorm_grad_dgamma",
    "batchnorm_grad_dgamma_mul_xhat",
    "batchnorm_grad_gamma_inv_std",
    "batchnorm_grad_scaled_gy",
    "batchnorm_grad_dx_rhs",
    "batchnorm_grad_dx",
    "sgd1d",
    "sgd2d",
    "sgd4d",
    "reduce_sum",
    "tensor_transpose4d",
    "cross_entropy_loss",
    "cross_entropy_loss_grad",
};
// Views: nothing moves.
constexpr std::array<std::string_view, 2> kViews = {"coarse_flatten", "flatten_grad"};

bool is_array_operation(std::string_view operation) {
  return operation == "conv" || operation == "conv_bias" || operation == "gemm" ||
         operation == "gemm_no_bias";
}

std::string allowed_operations() {
  std::string list = "one of ";
  for (std::string_view name : kOperations) list += std::string(name) + ", ";
  for (std::size_t i = 0; i < kViews.size(); ++i)
    list += std::string(kViews[i]) + (i + 1 < kViews.size() ? ", " : "");
  return list;
}

void set_vector(model::Op& op, OpKind kind, VectorFn fn, std::int64_t in, std::int64_t out,
                std::int64_t work) {
  op.kind = kind;
  op.fn = fn;
  op.input_elements = in;
  op.output_elements = out;
  op.work_elements = work;
}

// Reads one program entry into an op (tensor_transpose4d is sized afterwards from its
// neighbours).
class SpecReader {
 public:
  SpecReader(std::int64_t batch, bool training) : batch_(batch), training_(training) {}

  // after_transposes: the op follows two transposes, the operand layout of a backward-weight
  // convolution.
  model::Op read(const JsonObject& entry, const std::string& operation, bool backward,
                 bool after_transposes, const model::Op* last_array_op) const {
    model::Op op;
    op.phase = backward ? Phase::backward_data : Phase::forward;
    if (operation == "conv" || operation == "conv_bias") {
      read_conv(entry, backward, after_transposes, op);
    } else if (operation == "gemm" || operation == "gemm_no_bias") {
      read_gemm(entry, backward, op);
    } else if (operation == "relu" || operation == "relu_grad") {
      const std::int64_t e = activation(entry, "C", "H", "W");
      // The gradient reads the incoming gradient and the forward activation (its mask).
      const std::int64_t inputs = operation == "relu" ? 1 : 2;
      set_vector(op, OpKind::activation, VectorFn::relu, inputs * e, e, e);
    } else if (operation == "elem_add") {
      const std::int64_t e = activation(entry, "C", "H", "W");
      set_vector(op, OpKind::eltwise, VectorFn::add, 2 * e, e, e);
    } else if (operation == "max_pool" || operation == "max_pool_grad") {
      const JsonObject dims = entry.object("iterable_dimensions");
      const JsonObject params = entry.object("operation_parameters");
      const std::int64_t kh = dims.integer("KH"), kw = dims.integer("KW");
      const std::int64_t out = activation(entry, "C", "OH", "OW");
      const std::int64_t in_h = (dims.integer("OH") - 1) * params.integer("sy") + kh;
      const std::int64_t in_w = (dims.integer("OW") - 1) * params.integer("sx") + kw;
      const std::int64_t in = batch_ * dims.integer("C") * in_h * in_w;
      if (operation == "max_pool")
        set_vector(op, OpKind::pool, VectorFn::pool, in, out, out * kh * kw);
      else  // reads the gradient and the argmax index; a select and an add per window element
        set_vector(op, OpKind::pool, VectorFn::pool, 2 * out, in, 2 * out * kh * kw);
    } else if (operation == "global_avg_pool" || operation == "global_average_pool_grad") {
      const std::int64_t image = activation(entry, "C", "IH", "IW");
      const std::int64_t pooled = activation(entry, "C", "OH", "OW");
      if (operation == "global_avg_pool")
        set_vector(op, OpKind::pool, VectorFn::pool, image, pooled, image);
      else
        set_vector(op, OpKind::pool, VectorFn::pool, pooled, image, image);
    } else if (operation == "mean_var") {
      // Streaming statistics (sum and sum of squares): nothing needs to stay resident.
      const std::int64_t e = activation(entry, "C", "H", "W");
      const std::int64_t channels = entry.object("iterable_dimensions").integer("C");
      set_vector(op, OpKind::batch_norm, VectorFn::reduce, e, 2 * channels, e);
    } else if (operation == "batch_norm") {
      const std::int64_t e = activation(entry, "C", "H", "W");
      const std::int64_t channels = entry.object("iterable_dimensions").integer("C");
      // x plus mean, inverse deviation, scale and offset per channel.
      set_vector(op, OpKind::batch_norm, VectorFn::batch_norm, e + 4 * channels, e, e);
      op.parameter_elements = 2 * channels;
    } else if (operation == "batchnorm_grad_x_mu") {
      // The whole batch-norm backward, in two passes: (1) the scale and offset gradients,
      // writing x-hat; (2) the data gradient. Reads x, the gradient (twice) and x-hat back, plus
      // mean, inverse deviation and scale; writes x-hat, dx and the two parameter gradients.
      const std::int64_t e = activation(entry, "C", "H", "W");
      const std::int64_t channels = entry.object("iterable_dimensions").integer("C");
      set_vector(op, OpKind::batch_norm, VectorFn::batch_norm, 4 * e + 3 * channels,
                 2 * e + 2 * channels, 2 * e);
    } else if (operation.starts_with("batchnorm_grad_")) {
      op.kind = OpKind::reshape;  // a step of the backward costed by batchnorm_grad_x_mu
    } else if (operation == "sgd1d" || operation == "sgd2d" || operation == "sgd4d") {
      const JsonObject dims = entry.object("iterable_dimensions");
      std::int64_t params = dims.integer("C");
      if (operation != "sgd1d") params *= dims.integer("N");  // N here is not the batch
      if (operation == "sgd4d") params *= dims.integer("H") * dims.integer("W");
      // Reads weight and gradient, writes the weight.
      set_vector(op, OpKind::optimizer, VectorFn::optimizer, 2 * params, params, params);
      op.parameter_elements = params;
      op.phase = Phase::update;
    } else if (operation == "reduce_sum") {
      // The fully-connected bias gradient: the output gradient summed over the batch.
      const JsonObject dims = entry.object("iterable_dimensions");
      const std::int64_t channels = dims.integer("C");
      const std::int64_t in = batch_ * channels;
      dims.integer("N");  // required, replaced by the batch
      set_vector(op, OpKind::reduce, VectorFn::add, in, channels, in);
      op.phase = Phase::backward_weight;
    } else if (operation == "tensor_transpose4d") {
      op.kind = OpKind::data_move;
      op.fn = VectorFn::copy;
    } else if (operation == "cross_entropy_loss" || operation == "cross_entropy_loss_grad") {
      // Over the logits of the GEMM before it (none: nothing to cost).
      std::int64_t logits = 0, samples = 0;
      if (last_array_op && last_array_op->kind == OpKind::matmul) {
        samples = last_array_op->matmul.m;
        logits = samples * last_array_op->matmul.n;
      }
      if (operation == "cross_entropy_loss")
        set_vector(op, OpKind::loss, VectorFn::loss, logits, samples, logits);
      else
        set_vector(op, OpKind::loss, VectorFn::loss, logits, logits, logits);
    } else {  // coarse_flatten, flatten_grad
      op.kind = OpKind::reshape;
    }
    return op;
  }

 private:
  // N x C x H x W with N = the batch (SimDIT replaces the spec's N on every activation).
  std::int64_t activation(const JsonObject& entry, std::string_view c, std::string_view h,
                          std::string_view w) const {
    const JsonObject dims = entry.object("iterable_dimensions");
    dims.integer("N");  // required, replaced by the batch
    return batch_ * dims.integer(c) * dims.integer(h) * dims.integer(w);
  }

  void read_conv(const JsonObject& entry, bool backward, bool after_transposes,
                 model::Op& op) const {
    const JsonObject dims = entry.object("iterable_dimensions");
    const JsonObject params = entry.object("operation_parameters");
    std::int64_t n = dims.integer("N"), in_channels = dims.integer("IC");
    const std::int64_t out_channels = dims.integer("OC");
    const std::int64_t kh = dims.integer("KH"), kw = dims.integer("KW");
    const std::int64_t oh = dims.integer("OH"), ow = dims.integer("OW");
    const std::int64_t stride = params.integer("stride");
    // A training spec is written for batch 1; a convolution with N != 1 is a backward-weight
    // one, whose reduction dimension (IC) holds the batch.
    const bool batch_in_reduction = training_ && n != 1;
    if (batch_in_reduction)
      in_channels = batch_;
    else
      n = batch_;
    op.kind = OpKind::conv2d;
    // The phase also follows the position: the shipped ResNet-50 spec has one backward-weight
    // convolution written with N = 1 (program[1063]), which SimDIT batches by its N rule.
    op.phase = !backward                                ? Phase::forward
               : batch_in_reduction || after_transposes ? Phase::backward_weight
                                                        : Phase::backward_data;
    model::Conv2d& c = op.conv;
    c.batch = n;
    c.in_channels = in_channels;
    c.out_channels = out_channels;
    c.kernel_h = kh;
    c.kernel_w = kw;
    c.stride_h = c.stride_w = static_cast<int>(stride);
    c.in_h = (oh - 1) * stride + kh;  // SimDIT's padded input; no padding field
    c.in_w = (ow - 1) * stride + kw;
    if (op.phase == Phase::forward) op.parameter_elements = out_channels * in_channels * kh * kw;
  }

  void read_gemm(const JsonObject& entry, bool backward, model::Op& op) const {
    const JsonObject dims = entry.object("iterable_dimensions");
    std::int64_t m = dims.integer("M"), k = dims.integer("N");
    const std::int64_t n = dims.integer("P");
    const bool batch_in_reduction = training_ && m != 1;
    if (batch_in_reduction)
      k = batch_;
    else
      m = batch_;
    op.kind = OpKind::matmul;
    op.phase = !backward            ? Phase::forward
               : batch_in_reduction ? Phase::backward_weight
                                    : Phase::backward_data;
    op.matmul.m = m;
    op.matmul.k = k;
    op.matmul.n = n;
    if (op.phase == Phase::forward) op.parameter_elements = k * n;
  }

  std::int64_t batch_;
  bool training_;
};

// A transpose carries no shape: it lays out an operand of the convolution next to it.
void size_transposes(model::Network& network, const std::vector<std::string>& operations) {
  auto conv_at = [&](std::size_t i) -> const model::Op* {
    return i < network.ops.size() && network.ops[i].kind == OpKind::conv2d ? &network.ops[i]
                                                                           : nullptr;
  };
  for (std::size_t i = 0; i < network.ops.size(); ++i) {
    if (operations[i] != "tensor_transpose4d") continue;
    model::Op& op = network.ops[i];
    std::int64_t elements = 0;
    const model::Op* served = nullptr;
    if ((served = conv_at(i + 1))) {  // the weight-side operand of the next convolution
      const model::Conv2d& c = served->conv;
      elements = c.out_channels * c.in_channels * c.kernel_h * c.kernel_w;
    } else if (i + 1 < operations.size() && operations[i + 1] == "tensor_transpose4d" &&
               (served = conv_at(i + 2))) {  // the input of the convolution after the pair
      const model::Conv2d& c = served->conv;
      elements = c.batch * c.in_channels * c.in_h * c.in_w;
    } else if (i > 0 && (served = conv_at(i - 1))) {  // the result of the previous convolution
      const model::Conv2d& c = served->conv;
      elements = c.batch * c.out_channels * c.out_h * c.out_w;
    }
    if (served) op.phase = served->phase;
    op.input_elements = op.output_elements = op.work_elements = elements;
    op.output_to_array = conv_at(i + 1) != nullptr;
  }
}

}  // namespace

model::Network parse_simdit_spec(const nlohmann::json& json, const std::string& file,
                                 std::int64_t batch) {
  const JsonObject root(json, file);
  if (batch < 1) throw InputError(file + ": batch = " + std::to_string(batch) + ", allowed: >= 1");
  const std::string mode = root.string("mode", "inference");
  if (mode != "inference" && mode != "training")
    root.fail("mode", "\"" + mode + "\"", "one of inference, training");
  if (!root.has("program") || !root.raw("program").is_array() || root.raw("program").empty())
    root.fail("program", root.has("program") ? root.raw("program").dump().substr(0, 40) : "missing",
              "a non-empty list of operations");
  const nlohmann::json& program = root.raw("program");

  model::Network network;
  network.name = file_name(file);
  network.batch = batch;
  network.training = mode == "training";
  network.ops.reserve(program.size());
  std::vector<std::string> operations;
  operations.reserve(program.size());
  for (std::size_t i = 0; i < program.size(); ++i) {
    const std::string where = "program[" + std::to_string(i) + "]";
    const std::string operation = JsonObject(program[i], file, where).string("operation");
    operations.push_back(operation);
  }

  const SpecReader reader(batch, network.training);
  bool backward = false;
  std::optional<std::size_t> last_array_op;
  for (std::size_t i = 0; i < program.size(); ++i) {
    const std::string& operation = operations[i];
    const std::string where = "program[" + std::to_string(i) + "]";
    const bool known =
        std::find(kOperations.begin(), kOperations.end(), operation) != kOperations.end() ||
        std::find(kViews.begin(), kViews.end(), operation) != kViews.end();
    if (!known)
      throw InputError(file + ": " + where + ": unknown operation '" + operation +
                       "', allowed: " + allowed_operations());
    // Everything from the first gradient op on is the backward pass.
    backward = backward || operation.find("_grad") != std::string::npos;
    const JsonObject entry(program[i], file, where + "(" + operation + ")");
    const bool after_transposes = i >= 2 && operations[i - 1] == "tensor_transpose4d" &&
                                  operations[i - 2] == "tensor_transpose4d";
    model::Op op = reader.read(entry, operation, backward, after_transposes,
                               last_array_op ? &network.ops[*last_array_op] : nullptr);
    op.name = operation + "#" + std::to_string(i);
    // The SIMD unit quantises a result for the array op that reads it next.
    op.output_to_array =
        !op.on_array() && i + 1 < operations.size() && is_array_operation(operations[i + 1]);
    try {
      model::finalize(op);
    } catch (const std::invalid_argument& e) {
      throw InputError(file + ": " + where + "(" + operation + "): " + e.what());
    }
    if (op.on_array()) last_array_op = network.ops.size();
    network.ops.push_back(std::move(op));
  }
  size_transposes(network, operations);
  return network;
}

model::Network read_simdit_spec(const std::string& path, std::int64_t batch) {
  return parse_simdit_spec(read_json_file(path), path, batch);
}

}  // namespace accelscope::io
