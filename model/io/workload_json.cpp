#include "model/io/workload_json.hpp"

#include <algorithm>
#include <cmath>

#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"

namespace accelscope::io {

using model::OpKind;

const std::vector<std::pair<std::string_view, OpKind>>& op_kind_names() {
  static const std::vector<std::pair<std::string_view, OpKind>> names = [] {
    std::vector<std::pair<std::string_view, OpKind>> list;
    for (std::size_t k = 0; k < model::kNumOpKinds; ++k)
      list.emplace_back(model::to_string(static_cast<OpKind>(k)), static_cast<OpKind>(k));
    return list;
  }();
  return names;
}

const std::vector<std::pair<std::string_view, model::Phase>>& phase_names() {
  static const std::vector<std::pair<std::string_view, model::Phase>> names = [] {
    std::vector<std::pair<std::string_view, model::Phase>> list;
    for (std::size_t p = 0; p < model::kNumPhases; ++p)
      list.emplace_back(model::to_string(static_cast<model::Phase>(p)),
                        static_cast<model::Phase>(p));
    return list;
  }();
  return names;
}

namespace {

using model::limits::kMaxElements;

std::int64_t product(const JsonObject& j, std::string_view what,
                     const std::vector<std::int64_t>& dims) {
  std::int64_t p = 1;
  for (std::int64_t d : dims) p = j.product(what, {p, d});
  return p;
}

// [a, b] from a list of 1 or 2 integers (a single value applies to both).
std::pair<std::int64_t, std::int64_t> pair_of(const JsonObject& op, std::string_view key,
                                              std::int64_t fallback, std::int64_t min) {
  if (!op.has(key)) return {fallback, fallback};
  const auto v = op.integers(key, 1, 2, min);
  return {v[0], v.size() == 2 ? v[1] : v[0]};
}

model::VectorFn default_fn(OpKind kind) {
  switch (kind) {
    case OpKind::pool:
      return model::VectorFn::pool;
    case OpKind::batch_norm:
      return model::VectorFn::batch_norm;
    case OpKind::layer_norm:
      return model::VectorFn::layer_norm;
    case OpKind::softmax:
      return model::VectorFn::softmax;
    case OpKind::eltwise:
      return model::VectorFn::add;
    case OpKind::reduce:
      return model::VectorFn::reduce;
    case OpKind::loss:
      return model::VectorFn::loss;
    case OpKind::optimizer:
      return model::VectorFn::optimizer;
    default:
      return model::VectorFn::copy;
  }
}

void parse_conv(const JsonObject& j, model::Op& op, std::int64_t batch) {
  model::Conv2d& c = op.conv;
  const auto in = j.integers("in", 3, 3);
  c.in_channels = in[0];
  c.in_h = in[1];
  c.in_w = in[2];
  c.batch = j.integer("batch", batch);
  c.out_channels = j.integer("out_channels");
  std::tie(c.kernel_h, c.kernel_w) = pair_of(j, "kernel", 1, 1);
  std::int64_t sh, sw, dh, dw, ih, iw;
  std::tie(sh, sw) = pair_of(j, "stride", 1, 1);
  std::tie(dh, dw) = pair_of(j, "dilation", 1, 1);
  std::tie(ih, iw) = pair_of(j, "input_dilation", 1, 1);
  c.stride_h = static_cast<int>(sh), c.stride_w = static_cast<int>(sw);
  c.dilation_h = static_cast<int>(dh), c.dilation_w = static_cast<int>(dw);
  c.input_dilation_h = static_cast<int>(ih), c.input_dilation_w = static_cast<int>(iw);
  if (j.has("pad")) {
    const auto pad = j.integers("pad", 1, 4, 0);
    if (pad.size() == 3)
      j.fail("pad", excerpt(j.raw("pad")), "[p], [ph, pw] or [top, bottom, left, right]");
    if (pad.size() == 4) {
      c.pad_top = static_cast<int>(pad[0]), c.pad_bottom = static_cast<int>(pad[1]);
      c.pad_left = static_cast<int>(pad[2]), c.pad_right = static_cast<int>(pad[3]);
    } else {
      c.pad_top = c.pad_bottom = static_cast<int>(pad[0]);
      c.pad_left = c.pad_right = static_cast<int>(pad.size() == 2 ? pad[1] : pad[0]);
    }
  }
  c.groups = j.integer("groups", 1);
  op.parameter_elements =
      j.has("params")
          ? j.integer("params", std::nullopt, 0, kMaxElements)
          : j.product("weight elements",
                      {c.out_channels, c.in_channels / std::max<std::int64_t>(1, c.groups),
                       c.kernel_h, c.kernel_w});
}

void parse_matmul(const JsonObject& j, model::Op& op, std::int64_t batch) {
  model::Matmul& mm = op.matmul;
  mm.m = j.integer("m");
  mm.k = j.integer("k");
  mm.n = j.integer("n");
  mm.batch_count = j.integer("batch_count", 1);
  mm.weights_shared = j.boolean("weights_shared", true);
  if (j.boolean("per_sample", true)) {
    if (mm.weights_shared)
      mm.m = j.product("m x batch", {mm.m, batch}, model::limits::kMaxDimension);
    else
      mm.batch_count = j.product("batch_count x batch", {mm.batch_count, batch});
  }
  op.parameter_elements = j.has("params")
                              ? j.integer("params", std::nullopt, 0, kMaxElements)
                              : (mm.weights_shared ? j.product("k x n", {mm.k, mm.n}) : 0);
}

void parse_vector(const JsonObject& j, model::Op& op, std::int64_t batch, bool training) {
  const bool per_sample = j.boolean("per_sample", op.kind != OpKind::optimizer);
  const std::int64_t scale = per_sample ? batch : 1;
  op.fn = j.choice("fn", vector_fn_names(), default_fn(op.kind));
  std::int64_t in = 0, out = 0, work = 0, reduction = 0;
  // A pool is given by its input shape and window, or (as workload_to_json writes it) by its
  // element counts.
  if (op.kind == OpKind::pool && (j.has("in") || !j.has("input_elements"))) {
    const auto shape = j.integers("in", 3, 3);
    const bool global = j.boolean("global", false);
    std::int64_t kh, kw, sh, sw, ph, pw;
    std::tie(kh, kw) = global ? std::pair<std::int64_t, std::int64_t>{shape[1], shape[2]}
                              : pair_of(j, "kernel", 1, 1);
    std::tie(sh, sw) = pair_of(j, "stride", global ? 1 : kh, 1);
    std::tie(ph, pw) = pair_of(j, "pad", 0, 0);
    // The window must fit the padded input (checked before dividing: integer division rounds
    // a negative size up to 0).
    if (kh > shape[1] + 2 * ph || kw > shape[2] + 2 * pw)
      j.fail("kernel", j.has("kernel") ? excerpt(j.raw("kernel")) : "?",
             "a window no larger than the padded input");
    const std::int64_t oh = (shape[1] + 2 * ph - kh) / sh + 1;
    const std::int64_t ow = (shape[2] + 2 * pw - kw) / sw + 1;
    in = product(j, "input elements", shape);
    out = j.product("output elements", {shape[0], oh, ow});
    work = j.product("window elements", {out, kh, kw});
  } else if (op.kind == OpKind::optimizer) {
    const std::int64_t params = j.integer("params", std::nullopt, 0, kMaxElements);
    const std::string kind = j.string("optimizer", "sgd");
    // Tensors read and written per parameter: weight, gradient, and optimizer state.
    std::int64_t reads = 2, writes = 1;
    if (kind == "momentum")
      reads = 3, writes = 2;
    else if (kind == "adam")
      reads = 4, writes = 3;
    else if (kind != "sgd")
      j.fail("optimizer", "\"" + kind + "\"", "one of sgd, momentum, adam");
    in = reads * params;
    out = writes * params;
    work = params;
    op.parameter_elements = params;
  } else if (op.kind != OpKind::reshape || j.has("shape")) {
    const auto shape = j.has("shape") ? j.integers("shape", 1, 8, 1) : std::vector<std::int64_t>{};
    const std::int64_t elements = shape.empty() ? 0 : product(j, "elements of shape", shape);
    const std::int64_t inputs_count =
        j.integer("inputs_count", op.kind == OpKind::eltwise ? 2 : 1, 0, 1024);
    out = op.kind == OpKind::loss ? 1 : elements;
    in = j.product("input elements", {elements, inputs_count});
    work = elements;
    if (op.kind == OpKind::layer_norm || op.kind == OpKind::softmax)
      reduction = shape.empty() ? 0 : shape.back();
    if (op.kind == OpKind::batch_norm && training && shape.size() >= 2)
      // one channel over the whole batch
      reduction = j.product("batch-norm reduction elements", {elements / shape[0], batch});
    if (op.kind == OpKind::reduce && j.has("out_shape"))
      out = product(j, "elements of out_shape", j.integers("out_shape", 1, 8, 1));
  }
  const auto count = [&](std::string_view key, std::int64_t fallback) {
    return j.integer(key, fallback, 0, kMaxElements);
  };
  op.input_elements = j.product("input_elements x batch", {count("input_elements", in), scale});
  op.output_elements = j.product("output_elements x batch", {count("output_elements", out), scale});
  op.work_elements = j.product("work_elements x batch", {count("work_elements", work), scale});
  // A reduction over the batch (batch-norm statistics) is given per sample; one within a sample
  // (a layer-norm row) is absolute.
  op.reduction_elements =
      j.has("reduction_per_sample")
          ? j.product("reduction_per_sample x batch", {count("reduction_per_sample", 0), batch})
          : count("reduction_elements", reduction);
  if (op.kind != OpKind::optimizer) op.parameter_elements = count("params", 0);
  op.output_to_array = j.boolean("output_to_array", false);
}

// A fraction of non-zero activations in (0, 1]; 0 when the op does not give it.
double density(const JsonObject& j, std::string_view key) {
  if (!j.has(key)) return 0;
  const nlohmann::json& value = j.raw(key);
  const double d = value.is_number() ? value.get<double>() : -1;
  if (!(std::isfinite(d) && d > 0 && d <= 1))
    j.fail(key, excerpt(value), "a fraction of non-zero values in (0, 1]");
  return d;
}

std::vector<std::string> strings(const JsonObject& j, std::string_view key) {
  std::vector<std::string> result;
  if (!j.has(key)) return result;
  const nlohmann::json& list = j.raw(key);
  if (!list.is_array()) j.fail(key, excerpt(list), "a list of tensor names");
  for (const auto& item : list) {
    if (!item.is_string()) j.fail(key, excerpt(list), "a list of tensor names");
    result.push_back(item.get<std::string>());
  }
  return result;
}

}  // namespace

model::Network parse_workload(const nlohmann::json& json, const std::string& file,
                              std::optional<std::int64_t> batch_override) {
  const JsonObject root(json, file);
  root.allow_only({"name", "batch", "training", "ops", "source", "density_source"});
  model::Network network;
  network.name = root.string("name", "");
  network.batch =
      batch_override ? *batch_override : root.integer("batch", 1, 1, model::limits::kMaxBatch);
  if (network.batch <= 0 || network.batch > model::limits::kMaxBatch)
    root.fail("batch", std::to_string(network.batch),
              "an integer from 1 to " + std::to_string(model::limits::kMaxBatch));
  network.training = root.boolean("training", false);
  network.density_source = root.string("density_source", "");
  if (!root.has("ops") || !root.raw("ops").is_array() || root.raw("ops").empty())
    root.fail("ops", root.has("ops") ? excerpt(root.raw("ops"), 40) : "missing",
              "a non-empty list of ops");
  const nlohmann::json& ops = root.raw("ops");
  network.ops.reserve(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const JsonObject j(ops[i], file, "ops[" + std::to_string(i) + "]");
    model::Op op;
    op.name = j.string("name");
    const JsonObject named(ops[i], file, "ops[" + std::to_string(i) + "](" + op.name + ")");
    op.kind = named.choice("type", op_kind_names());
    op.phase = named.choice("phase", phase_names(), model::Phase::forward);
    op.inputs = strings(named, "inputs");
    op.outputs = strings(named, "outputs");
    switch (op.kind) {
      case OpKind::conv2d:
        named.allow_only({"name", "type", "phase", "inputs", "outputs", "in", "batch",
                          "out_channels", "kernel", "stride", "pad", "dilation", "input_dilation",
                          "groups", "params", "input_density", "output_density"});
        parse_conv(named, op, network.batch);
        break;
      case OpKind::matmul:
        named.allow_only({"name", "type", "phase", "inputs", "outputs", "m", "k", "n",
                          "batch_count", "weights_shared", "per_sample", "params", "input_density",
                          "output_density"});
        parse_matmul(named, op, network.batch);
        break;
      default:
        named.allow_only({"name",
                          "type",
                          "phase",
                          "inputs",
                          "outputs",
                          "fn",
                          "shape",
                          "in",
                          "out_shape",
                          "kernel",
                          "stride",
                          "pad",
                          "global",
                          "inputs_count",
                          "optimizer",
                          "params",
                          "per_sample",
                          "input_elements",
                          "output_elements",
                          "work_elements",
                          "reduction_elements",
                          "reduction_per_sample",
                          "output_to_array"});
        parse_vector(named, op, network.batch, network.training);
        break;
    }
    if (op.on_array()) {
      op.input_density = density(named, "input_density");
      op.output_density = density(named, "output_density");
      if ((op.input_density > 0 || op.output_density > 0) && network.density_source.empty())
        root.fail_missing("density_source",
                          "where the activation densities come from (a paper, a data set)");
    }
    try {
      model::finalize(op);
    } catch (const std::invalid_argument& e) {
      throw InputError(file + ": ops[" + std::to_string(i) + "]: " + e.what());
    }
    network.ops.push_back(std::move(op));
  }
  return network;
}

model::Network read_workload_json_file(const std::string& path,
                                       std::optional<std::int64_t> batch_override) {
  return parse_workload(read_json_file(path), path, batch_override);
}

nlohmann::json workload_to_json(const model::Network& network) {
  nlohmann::json j;
  j["name"] = network.name;
  j["batch"] = network.batch;
  j["training"] = network.training;
  if (!network.density_source.empty()) j["density_source"] = network.density_source;
  nlohmann::json ops = nlohmann::json::array();
  const std::int64_t batch = network.batch;
  for (const model::Op& op : network.ops) {
    nlohmann::json o;
    o["name"] = op.name;
    o["type"] = model::to_string(op.kind);
    if (op.phase != model::Phase::forward) o["phase"] = model::to_string(op.phase);
    if (op.kind == OpKind::conv2d) {
      const model::Conv2d& c = op.conv;
      o["in"] = {c.in_channels, c.in_h, c.in_w};
      if (c.batch != batch) o["batch"] = c.batch;
      o["out_channels"] = c.out_channels;
      o["kernel"] = {c.kernel_h, c.kernel_w};
      o["stride"] = {c.stride_h, c.stride_w};
      o["pad"] = {c.pad_top, c.pad_bottom, c.pad_left, c.pad_right};
      if (c.dilation_h != 1 || c.dilation_w != 1) o["dilation"] = {c.dilation_h, c.dilation_w};
      if (c.input_dilation_h != 1 || c.input_dilation_w != 1)
        o["input_dilation"] = {c.input_dilation_h, c.input_dilation_w};
      if (c.groups != 1) o["groups"] = c.groups;
      o["params"] = op.parameter_elements;
    } else if (op.kind == OpKind::matmul) {
      const model::Matmul& mm = op.matmul;
      std::int64_t m = mm.m, count = mm.batch_count;
      bool per_sample = true;
      if (mm.weights_shared && m % batch == 0)
        m /= batch;
      else if (!mm.weights_shared && count % batch == 0)
        count /= batch;
      else
        per_sample = false;
      o["m"] = m;
      o["k"] = mm.k;
      o["n"] = mm.n;
      if (count != 1) o["batch_count"] = count;
      if (!mm.weights_shared) o["weights_shared"] = false;
      if (!per_sample) o["per_sample"] = false;
      o["params"] = op.parameter_elements;
    } else {
      o["fn"] = model::to_string(op.fn);
      const bool per_sample = op.kind != OpKind::optimizer && op.input_elements % batch == 0 &&
                              op.output_elements % batch == 0 && op.work_elements % batch == 0;
      const std::int64_t divisor = per_sample ? batch : 1;
      if (per_sample != (op.kind != OpKind::optimizer)) o["per_sample"] = per_sample;
      o["input_elements"] = op.input_elements / divisor;
      o["output_elements"] = op.output_elements / divisor;
      o["work_elements"] = op.work_elements / divisor;
      if (op.kind == OpKind::batch_norm && op.reduction_elements &&
          op.reduction_elements % batch == 0)
        o["reduction_per_sample"] = op.reduction_elements / batch;
      else if (op.reduction_elements)
        o["reduction_elements"] = op.reduction_elements;
      if (op.parameter_elements) o["params"] = op.parameter_elements;
      if (op.output_to_array) o["output_to_array"] = true;
    }
    if (op.input_density > 0) o["input_density"] = op.input_density;
    if (op.output_density > 0) o["output_density"] = op.output_density;
    if (!op.inputs.empty()) o["inputs"] = op.inputs;
    if (!op.outputs.empty()) o["outputs"] = op.outputs;
    ops.push_back(std::move(o));
  }
  j["ops"] = std::move(ops);
  return j;
}

}  // namespace accelscope::io
