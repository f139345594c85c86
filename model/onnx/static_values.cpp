#include "model/onnx/static_values.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace accelscope::io::onnx_detail {

const ::onnx::AttributeProto* find_attribute(const ::onnx::NodeProto& node, std::string_view name) {
  for (const ::onnx::AttributeProto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t attr_int(const ::onnx::NodeProto& node, std::string_view name, std::int64_t fallback) {
  const ::onnx::AttributeProto* a = find_attribute(node, name);
  return a ? a->i() : fallback;
}

using ::onnx::AttributeProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;

std::int64_t StaticValue::integer(std::size_t i) const {
  if (!is_real) return ints[i];
  const double r = reals[i];
  // Exporters use huge reals for "to the end" in slices; clamp rather than overflow.
  if (r >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
  if (r <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(r);
}

namespace {

using Values = std::vector<StaticValue>;
using Result = std::optional<Values>;

bool is_integer_type(std::int32_t t) {
  switch (t) {
    case TensorProto::INT64:
    case TensorProto::INT32:
    case TensorProto::INT16:
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::UINT16:
    case TensorProto::UINT32:
    case TensorProto::BOOL:
      return true;
    default:
      return false;
  }
}

bool is_real_type(std::int32_t t) {
  return t == TensorProto::FLOAT || t == TensorProto::DOUBLE;
}

std::int64_t element_count(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0) return -1;
    n *= d;
    if (n > static_cast<std::int64_t>(kMaxStaticElements)) return -1;
  }
  return n;
}

template <typename T>
std::vector<T> read_raw(const std::string& raw) {
  std::vector<T> out(raw.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), raw.data(), out.size() * sizeof(T));
  return out;
}

std::optional<std::vector<std::int64_t>> attr_ints(const NodeProto& node, std::string_view name) {
  const AttributeProto* a = find_attribute(node, name);
  if (!a) return std::nullopt;
  return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

StaticValue make_ints(std::vector<std::int64_t> dims, std::vector<std::int64_t> data,
                      std::int32_t type = TensorProto::INT64) {
  StaticValue v;
  v.elem_type = type;
  v.dims = std::move(dims);
  v.ints = std::move(data);
  return v;
}

// A value with the same element class as `like`, dims `dims`, elements picked by `source`.
StaticValue gather_elements(const StaticValue& like, std::vector<std::int64_t> dims,
                            const std::vector<std::size_t>& source) {
  StaticValue v;
  v.elem_type = like.elem_type;
  v.is_real = like.is_real;
  v.dims = std::move(dims);
  if (like.is_real) {
    v.reals.reserve(source.size());
    for (std::size_t s : source) v.reals.push_back(like.reals[s]);
  } else {
    v.ints.reserve(source.size());
    for (std::size_t s : source) v.ints.push_back(like.ints[s]);
  }
  return v;
}

std::int64_t normalize_axis(std::int64_t axis, std::int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

std::vector<std::int64_t> as_ints(const StaticValue& v) {
  std::vector<std::int64_t> out(v.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = v.integer(i);
  return out;
}

// Numpy broadcasting of several shapes; nullopt when incompatible.
std::optional<std::vector<std::int64_t>> broadcast(
    const std::vector<const std::vector<std::int64_t>*>& shapes) {
  std::size_t rank = 0;
  for (const auto* s : shapes) rank = std::max(rank, s->size());
  std::vector<std::int64_t> out(rank, 1);
  for (const auto* s : shapes) {
    for (std::size_t i = 0; i < s->size(); ++i) {
      const std::size_t o = rank - s->size() + i;
      const std::int64_t d = (*s)[i];
      if (d == 1) continue;
      if (out[o] != 1 && out[o] != d) return std::nullopt;
      out[o] = d;
    }
  }
  return out;
}

// For each element of `out_dims`, the flat index into a tensor of `dims` broadcast to it.
std::vector<std::size_t> broadcast_index(const std::vector<std::int64_t>& dims,
                                         const std::vector<std::int64_t>& out_dims) {
  const std::size_t rank = out_dims.size();
  std::vector<std::int64_t> strides(rank, 0);
  std::int64_t stride = 1;
  for (std::size_t i = dims.size(); i-- > 0;) {
    const std::size_t o = rank - dims.size() + i;
    strides[o] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
  const std::int64_t total = element_count(out_dims);
  std::vector<std::size_t> index(static_cast<std::size_t>(std::max<std::int64_t>(total, 0)));
  std::vector<std::int64_t> counter(rank, 0);
  for (std::size_t flat = 0; flat < index.size(); ++flat) {
    std::int64_t src = 0;
    for (std::size_t d = 0; d < rank; ++d) src += counter[d] * strides[d];
    index[flat] = static_cast<std::size_t>(src);
    for (std::size_t d = rank; d-- > 0;) {
      if (++counter[d] < out_dims[d]) break;
      counter[d] = 0;
    }
  }
  return index;
}

// Element-wise op over broadcast inputs. `integer_op` and `real_op` compute one element; the
// result type is `result_type` (or the first input's when 0).
Result elementwise(const Values& in, std::int32_t result_type,
                   const std::function<std::int64_t(const std::vector<std::int64_t>&)>& integer_op,
                   const std::function<double(const std::vector<double>&)>& real_op) {
  std::vector<const std::vector<std::int64_t>*> shapes;
  for (const StaticValue& v : in) shapes.push_back(&v.dims);
  const auto out_dims = broadcast(shapes);
  if (!out_dims || element_count(*out_dims) < 0) return std::nullopt;
  std::vector<std::vector<std::size_t>> index;
  for (const StaticValue& v : in) index.push_back(broadcast_index(v.dims, *out_dims));
  const bool any_real = std::any_of(in.begin(), in.end(), [](const auto& v) { return v.is_real; });
  const std::int32_t type = result_type ? result_type : in[0].elem_type;
  StaticValue out;
  out.elem_type = type;
  out.dims = *out_dims;
  out.is_real = is_real_type(type);
  const std::size_t n = index.empty() ? 0 : index[0].size();
  for (std::size_t e = 0; e < n; ++e) {
    if (any_real || !integer_op) {
      std::vector<double> args;
      for (std::size_t i = 0; i < in.size(); ++i) args.push_back(in[i].real(index[i][e]));
      const double r = real_op(args);
      if (out.is_real)
        out.reals.push_back(r);
      else
        out.ints.push_back(static_cast<std::int64_t>(r));
    } else {
      std::vector<std::int64_t> args;
      for (std::size_t i = 0; i < in.size(); ++i) args.push_back(in[i].ints[index[i][e]]);
      const std::int64_t r = integer_op(args);
      if (out.is_real)
        out.reals.push_back(static_cast<double>(r));
      else
        out.ints.push_back(r);
    }
  }
  return Values{std::move(out)};
}

Result evaluate_constant(const NodeProto& node) {
  for (const AttributeProto& a : node.attribute()) {
    if (a.name() == "value") {
      auto v = value_of(a.t());
      if (!v) return std::nullopt;
      return Values{std::move(*v)};
    }
    if (a.name() == "value_int") return Values{make_ints({}, {a.i()})};
    if (a.name() == "value_ints")
      return Values{make_ints({a.ints_size()}, {a.ints().begin(), a.ints().end()})};
    if (a.name() == "value_float" || a.name() == "value_floats") {
      StaticValue v;
      v.elem_type = TensorProto::FLOAT;
      v.is_real = true;
      if (a.name() == "value_float") {
        v.reals = {a.f()};
      } else {
        v.dims = {a.floats_size()};
        v.reals.assign(a.floats().begin(), a.floats().end());
      }
      return Values{std::move(v)};
    }
  }
  return std::nullopt;
}

Result evaluate_slice(const NodeProto& node, const Values& in, int opset) {
  const StaticValue& data = in[0];
  std::vector<std::int64_t> starts, ends, axes, steps;
  if (opset >= 10) {
    if (in.size() < 3) return std::nullopt;
    starts = as_ints(in[1]);
    ends = as_ints(in[2]);
    if (in.size() > 3 && in[3].size()) axes = as_ints(in[3]);
    if (in.size() > 4 && in[4].size()) steps = as_ints(in[4]);
  } else {
    starts = attr_ints(node, "starts").value_or(std::vector<std::int64_t>{});
    ends = attr_ints(node, "ends").value_or(std::vector<std::int64_t>{});
    axes = attr_ints(node, "axes").value_or(std::vector<std::int64_t>{});
  }
  const auto rank = static_cast<std::int64_t>(data.dims.size());
  if (axes.empty())
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return std::nullopt;
  // Per axis, the source positions kept.
  std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(rank));
  for (std::int64_t d = 0; d < rank; ++d)
    for (std::int64_t i = 0; i < data.dims[static_cast<std::size_t>(d)]; ++i)
      keep[static_cast<std::size_t>(d)].push_back(i);
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const std::int64_t axis = normalize_axis(axes[i], rank);
    if (axis < 0 || axis >= rank || steps[i] == 0) return std::nullopt;
    const std::int64_t dim = data.dims[static_cast<std::size_t>(axis)];
    const std::int64_t step = steps[i];
    auto clamp = [&](std::int64_t v, std::int64_t lo, std::int64_t hi) {
      if (v < 0) v = v <= std::numeric_limits<std::int64_t>::min() + dim ? lo : v + dim;
      return std::clamp(v, lo, hi);
    };
    std::int64_t start = step > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], 0, dim - 1);
    std::int64_t end = step > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    if (step < 0 && ends[i] < -dim) end = -1;
    std::vector<std::int64_t> positions;
    for (std::int64_t p = start; step > 0 ? p < end : p > end; p += step) positions.push_back(p);
    keep[static_cast<std::size_t>(axis)] = std::move(positions);
  }
  std::vector<std::int64_t> out_dims;
  for (const auto& k : keep) out_dims.push_back(static_cast<std::int64_t>(k.size()));
  if (element_count(out_dims) < 0) return std::nullopt;
  std::vector<std::int64_t> strides(static_cast<std::size_t>(rank), 1);
  for (std::int64_t d = rank - 2; d >= 0; --d)
    strides[static_cast<std::size_t>(d)] =
        strides[static_cast<std::size_t>(d + 1)] * data.dims[static_cast<std::size_t>(d + 1)];
  std::vector<std::size_t> source;
  std::vector<std::size_t> counter(static_cast<std::size_t>(rank), 0);
  const std::int64_t total = element_count(out_dims);
  for (std::int64_t e = 0; e < total; ++e) {
    std::int64_t src = 0;
    for (std::size_t d = 0; d < counter.size(); ++d) src += keep[d][counter[d]] * strides[d];
    source.push_back(static_cast<std::size_t>(src));
    for (std::size_t d = counter.size(); d-- > 0;) {
      if (++counter[d] < keep[d].size()) break;
      counter[d] = 0;
    }
  }
  return Values{gather_elements(data, out_dims, source)};
}

Result evaluate_gather(const NodeProto& node, const Values& in) {
  const StaticValue& data = in[0];
  const StaticValue& indices = in[1];
  const auto rank = static_cast<std::int64_t>(data.dims.size());
  const std::int64_t axis = normalize_axis(attr_int(node, "axis", 0), rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  const auto a = static_cast<std::size_t>(axis);
  std::int64_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < a; ++d) outer *= data.dims[d];
  for (std::size_t d = a + 1; d < data.dims.size(); ++d) inner *= data.dims[d];
  const std::int64_t dim = data.dims[a];
  std::vector<std::int64_t> out_dims(data.dims.begin(), data.dims.begin() + axis);
  out_dims.insert(out_dims.end(), indices.dims.begin(), indices.dims.end());
  out_dims.insert(out_dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (element_count(out_dims) < 0) return std::nullopt;
  std::vector<std::size_t> source;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < indices.size(); ++i) {
      std::int64_t idx = indices.integer(i);
      if (idx < 0) idx += dim;
      if (idx < 0 || idx >= dim) return std::nullopt;
      for (std::int64_t k = 0; k < inner; ++k)
        source.push_back(static_cast<std::size_t>((o * dim + idx) * inner + k));
    }
  return Values{gather_elements(data, out_dims, source)};
}

Result evaluate_concat(const NodeProto& node, const Values& in) {
  if (in.empty()) return std::nullopt;
  const auto rank = static_cast<std::int64_t>(in[0].dims.size());
  const std::int64_t axis = normalize_axis(attr_int(node, "axis", 0), rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  const auto a = static_cast<std::size_t>(axis);
  std::vector<std::int64_t> out_dims = in[0].dims;
  out_dims[a] = 0;
  for (const StaticValue& v : in) {
    if (v.dims.size() != in[0].dims.size() || v.is_real != in[0].is_real) return std::nullopt;
    out_dims[a] += v.dims[a];
  }
  std::int64_t outer = 1;
  for (std::size_t d = 0; d < a; ++d) outer *= out_dims[d];
  StaticValue out;
  out.elem_type = in[0].elem_type;
  out.is_real = in[0].is_real;
  out.dims = out_dims;
  for (std::int64_t o = 0; o < outer; ++o)
    for (const StaticValue& v : in) {
      const std::size_t chunk = outer ? v.size() / static_cast<std::size_t>(outer) : 0;
      const std::size_t begin = static_cast<std::size_t>(o) * chunk;
      if (v.is_real)
        out.reals.insert(out.reals.end(), v.reals.begin() + static_cast<std::ptrdiff_t>(begin),
                         v.reals.begin() + static_cast<std::ptrdiff_t>(begin + chunk));
      else
        out.ints.insert(out.ints.end(), v.ints.begin() + static_cast<std::ptrdiff_t>(begin),
                        v.ints.begin() + static_cast<std::ptrdiff_t>(begin + chunk));
    }
  return Values{std::move(out)};
}

Result evaluate_transpose(const NodeProto& node, const StaticValue& data) {
  const std::size_t rank = data.dims.size();
  std::vector<std::int64_t> perm = attr_ints(node, "perm").value_or(std::vector<std::int64_t>{});
  if (perm.empty())
    for (std::size_t i = rank; i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  if (perm.size() != rank) return std::nullopt;
  std::vector<std::int64_t> out_dims(rank), in_strides(rank, 1);
  for (std::size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * data.dims[d];
  for (std::size_t d = 0; d < rank; ++d) out_dims[d] = data.dims[static_cast<std::size_t>(perm[d])];
  std::vector<std::size_t> source;
  std::vector<std::int64_t> counter(rank, 0);
  for (std::size_t e = 0; e < data.size(); ++e) {
    std::int64_t src = 0;
    for (std::size_t d = 0; d < rank; ++d)
      src += counter[d] * in_strides[static_cast<std::size_t>(perm[d])];
    source.push_back(static_cast<std::size_t>(src));
    for (std::size_t d = rank; d-- > 0;) {
      if (++counter[d] < out_dims[d]) break;
      counter[d] = 0;
    }
  }
  return Values{gather_elements(data, out_dims, source)};
}

// Reduction of every element (or over axes covering the whole tensor).
Result evaluate_full_reduce(const NodeProto& node, const Values& in, int opset) {
  const StaticValue& data = in[0];
  std::vector<std::int64_t> axes = attr_ints(node, "axes").value_or(std::vector<std::int64_t>{});
  if ((node.op_type() == "ReduceSum" && opset >= 13) || opset >= 18)
    if (in.size() > 1) axes = as_ints(in[1]);
  const bool everything = axes.empty() || axes.size() == data.dims.size();
  if (!everything) return std::nullopt;
  const bool keepdims = attr_int(node, "keepdims", 1) != 0;
  const std::string& op = node.op_type();
  double acc = op == "ReduceProd" ? 1.0 : 0.0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double x = data.real(i);
    if (op == "ReduceProd")
      acc *= x;
    else if (op == "ReduceSum")
      acc += x;
    else if (op == "ReduceMax")
      acc = i == 0 ? x : std::max(acc, x);
    else if (op == "ReduceMin")
      acc = i == 0 ? x : std::min(acc, x);
  }
  StaticValue out;
  out.elem_type = data.elem_type;
  out.is_real = data.is_real;
  if (keepdims) out.dims.assign(data.dims.size(), 1);
  if (out.is_real)
    out.reals = {acc};
  else
    out.ints = {static_cast<std::int64_t>(acc)};
  return Values{std::move(out)};
}

}  // namespace

std::optional<StaticValue> value_of(const TensorProto& tensor) {
  if (tensor.data_location() == TensorProto::EXTERNAL) return std::nullopt;
  const std::int32_t type = tensor.data_type();
  if (!is_integer_type(type) && !is_real_type(type)) return std::nullopt;
  std::vector<std::int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  const std::int64_t count = element_count(dims);
  if (count < 0) return std::nullopt;
  StaticValue v;
  v.elem_type = type;
  v.dims = dims;
  v.is_real = is_real_type(type);
  const std::string& raw = tensor.raw_data();
  const bool has_raw = tensor.has_raw_data();
  switch (type) {
    case TensorProto::INT64:
      if (has_raw)
        v.ints = read_raw<std::int64_t>(raw);
      else
        v.ints.assign(tensor.int64_data().begin(), tensor.int64_data().end());
      break;
    case TensorProto::INT32:
      if (has_raw) {
        for (std::int32_t x : read_raw<std::int32_t>(raw)) v.ints.push_back(x);
      } else {
        v.ints.assign(tensor.int32_data().begin(), tensor.int32_data().end());
      }
      break;
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      if (has_raw) {
        for (char c : raw)
          v.ints.push_back(type == TensorProto::INT8 ? static_cast<std::int8_t>(c)
                                                     : static_cast<std::uint8_t>(c));
      } else {
        v.ints.assign(tensor.int32_data().begin(), tensor.int32_data().end());
      }
      break;
    case TensorProto::FLOAT:
      if (has_raw) {
        for (float x : read_raw<float>(raw)) v.reals.push_back(x);
      } else {
        v.reals.assign(tensor.float_data().begin(), tensor.float_data().end());
      }
      break;
    case TensorProto::DOUBLE:
      if (has_raw)
        v.reals = read_raw<double>(raw);
      else
        v.reals.assign(tensor.double_data().begin(), tensor.double_data().end());
      break;
    default:
      return std::nullopt;  // 16-bit and unsigned 32-bit integers: not needed for shapes
  }
  if (static_cast<std::int64_t>(v.size()) != count) return std::nullopt;  // no data (shape only)
  return v;
}

TensorProto to_tensor(const StaticValue& value, const std::string& name) {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(value.elem_type);
  for (std::int64_t d : value.dims) t.add_dims(d);
  switch (value.elem_type) {
    case TensorProto::INT64:
      for (std::size_t i = 0; i < value.size(); ++i) t.add_int64_data(value.integer(i));
      break;
    case TensorProto::FLOAT:
      for (std::size_t i = 0; i < value.size(); ++i)
        t.add_float_data(static_cast<float>(value.real(i)));
      break;
    case TensorProto::DOUBLE:
      for (std::size_t i = 0; i < value.size(); ++i) t.add_double_data(value.real(i));
      break;
    default:  // int32 and narrower, bool
      for (std::size_t i = 0; i < value.size(); ++i)
        t.add_int32_data(static_cast<std::int32_t>(value.integer(i)));
      break;
  }
  return t;
}

std::optional<std::vector<StaticValue>> evaluate_node(const NodeProto& node,
                                                      const ValueLookup& values,
                                                      const ShapeLookup& shapes, int opset) {
  if (!node.domain().empty() && node.domain() != "ai.onnx") return std::nullopt;
  const std::string& op = node.op_type();
  if (op == "Constant") return evaluate_constant(node);
  if (op == "Shape" || op == "Size") {
    if (node.input_size() < 1) return std::nullopt;
    const auto it = shapes.find(node.input(0));
    if (it == shapes.end()) return std::nullopt;
    const std::vector<std::int64_t>& dims = it->second;
    if (op == "Size") {
      std::int64_t n = 1;
      for (std::int64_t d : dims) n *= d;
      return Values{make_ints({}, {n})};
    }
    const auto rank = static_cast<std::int64_t>(dims.size());
    std::int64_t start = attr_int(node, "start", 0), end = attr_int(node, "end", rank);
    start = std::clamp(start < 0 ? start + rank : start, std::int64_t{0}, rank);
    end = std::clamp(end < 0 ? end + rank : end, std::int64_t{0}, rank);
    std::vector<std::int64_t> part;
    for (std::int64_t d = start; d < end; ++d) part.push_back(dims[static_cast<std::size_t>(d)]);
    return Values{make_ints({static_cast<std::int64_t>(part.size())}, part)};
  }

  // Everything else needs the values of its inputs (empty names are omitted optional inputs).
  Values in;
  for (const std::string& name : node.input()) {
    if (name.empty()) {
      in.emplace_back();
      continue;
    }
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    in.push_back(it->second);
  }
  if (in.empty() && op != "Range") return std::nullopt;
  auto scalar_of = [](const StaticValue& v) { return v.size() == 1; };

  if (op == "Identity") return Values{in[0]};
  if (op == "Cast") {
    const auto to = static_cast<std::int32_t>(attr_int(node, "to", TensorProto::FLOAT));
    if (!is_integer_type(to) && !is_real_type(to)) return std::nullopt;
    StaticValue v;
    v.elem_type = to;
    v.dims = in[0].dims;
    v.is_real = is_real_type(to);
    for (std::size_t i = 0; i < in[0].size(); ++i) {
      if (v.is_real)
        v.reals.push_back(in[0].real(i));
      else if (to == TensorProto::BOOL)
        v.ints.push_back(in[0].real(i) != 0 ? 1 : 0);
      else
        v.ints.push_back(in[0].integer(i));
    }
    return Values{std::move(v)};
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<std::int64_t> axes;
    if (opset >= 13) {
      if (in.size() > 1 && in[1].size()) axes = as_ints(in[1]);
    } else {
      axes = attr_ints(node, "axes").value_or(std::vector<std::int64_t>{});
    }
    StaticValue v = in[0];
    if (op == "Unsqueeze") {
      const auto rank = static_cast<std::int64_t>(v.dims.size() + axes.size());
      for (std::int64_t& a : axes) a = normalize_axis(a, rank);
      std::sort(axes.begin(), axes.end());
      for (std::int64_t a : axes) {
        if (a < 0 || a > static_cast<std::int64_t>(v.dims.size())) return std::nullopt;
        v.dims.insert(v.dims.begin() + a, 1);
      }
    } else {
      const auto rank = static_cast<std::int64_t>(v.dims.size());
      std::vector<std::int64_t> kept;
      for (std::int64_t d = 0; d < rank; ++d) {
        const bool listed = axes.empty()
                                ? v.dims[static_cast<std::size_t>(d)] == 1
                                : std::any_of(axes.begin(), axes.end(), [&](std::int64_t a) {
                                    return normalize_axis(a, rank) == d;
                                  });
        if (!listed) kept.push_back(v.dims[static_cast<std::size_t>(d)]);
      }
      v.dims = kept;
    }
    return Values{std::move(v)};
  }
  if (op == "Reshape") {
    if (in.size() < 2) return std::nullopt;
    std::vector<std::int64_t> target = as_ints(in[1]);
    const bool allow_zero = attr_int(node, "allowzero", 0) != 0;
    std::int64_t known = 1;
    int infer = -1;
    for (std::size_t d = 0; d < target.size(); ++d) {
      if (target[d] == 0 && !allow_zero) {
        if (d >= in[0].dims.size()) return std::nullopt;
        target[d] = in[0].dims[d];
      }
      if (target[d] == -1) {
        if (infer >= 0) return std::nullopt;
        infer = static_cast<int>(d);
      } else {
        known *= target[d];
      }
    }
    const auto total = static_cast<std::int64_t>(in[0].size());
    if (infer >= 0) {
      if (known == 0 || total % known) return std::nullopt;
      target[static_cast<std::size_t>(infer)] = total / known;
    }
    StaticValue v = in[0];
    v.dims = target;
    if (element_count(v.dims) != total) return std::nullopt;
    return Values{std::move(v)};
  }
  if (op == "Flatten") {
    const auto rank = static_cast<std::int64_t>(in[0].dims.size());
    const std::int64_t axis = normalize_axis(attr_int(node, "axis", 1), rank);
    std::int64_t outer = 1;
    for (std::int64_t d = 0; d < axis; ++d) outer *= in[0].dims[static_cast<std::size_t>(d)];
    StaticValue v = in[0];
    v.dims = {outer, outer ? static_cast<std::int64_t>(v.size()) / outer : 0};
    return Values{std::move(v)};
  }
  if (op == "Concat") return evaluate_concat(node, in);
  if (op == "Gather" && in.size() == 2) return evaluate_gather(node, in);
  if (op == "Slice") return evaluate_slice(node, in, opset);
  if (op == "Transpose") return evaluate_transpose(node, in[0]);
  if (op == "ReduceProd" || op == "ReduceSum" || op == "ReduceMax" || op == "ReduceMin")
    return evaluate_full_reduce(node, in, opset);
  if (op == "Range") {
    if (in.size() != 3 || !scalar_of(in[0]) || !scalar_of(in[1]) || !scalar_of(in[2]))
      return std::nullopt;
    StaticValue v;
    v.elem_type = in[0].elem_type;
    v.is_real = in[0].is_real;
    const double start = in[0].real(0), limit = in[1].real(0), delta = in[2].real(0);
    if (delta == 0) return std::nullopt;
    const auto count = static_cast<std::int64_t>(std::max(0.0, std::ceil((limit - start) / delta)));
    if (count > static_cast<std::int64_t>(kMaxStaticElements)) return std::nullopt;
    v.dims = {count};
    for (std::int64_t i = 0; i < count; ++i) {
      if (v.is_real)
        v.reals.push_back(start + static_cast<double>(i) * delta);
      else
        v.ints.push_back(in[0].ints[0] + i * in[2].ints[0]);
    }
    return Values{std::move(v)};
  }
  if (op == "ConstantOfShape") {
    std::vector<std::int64_t> dims = as_ints(in[0]);
    if (element_count(dims) < 0) return std::nullopt;
    StaticValue fill;
    fill.elem_type = TensorProto::FLOAT;
    fill.is_real = true;
    fill.reals = {0.0};
    if (const AttributeProto* a = find_attribute(node, "value")) {
      auto v = value_of(a->t());
      if (!v || v->size() != 1) return std::nullopt;
      fill = *v;
    }
    std::vector<std::size_t> source(static_cast<std::size_t>(element_count(dims)), 0);
    return Values{gather_elements(fill, dims, source)};
  }
  if (op == "Expand") {
    if (in.size() != 2) return std::nullopt;
    const std::vector<std::int64_t> shape = as_ints(in[1]);
    const auto out_dims = broadcast({&in[0].dims, &shape});
    if (!out_dims || element_count(*out_dims) < 0) return std::nullopt;
    return Values{gather_elements(in[0], *out_dims, broadcast_index(in[0].dims, *out_dims))};
  }
  if (op == "Where") {
    if (in.size() != 3) return std::nullopt;
    return elementwise(
        in, in[1].elem_type, [](const std::vector<std::int64_t>& a) { return a[0] ? a[1] : a[2]; },
        [](const std::vector<double>& a) { return a[0] != 0 ? a[1] : a[2]; });
  }

  using IntOp = std::function<std::int64_t(const std::vector<std::int64_t>&)>;
  using RealOp = std::function<double(const std::vector<double>&)>;
  auto binary = [&](std::int32_t type, IntOp i, RealOp r) -> Result {
    if (in.size() != 2) return std::nullopt;
    return elementwise(in, type, std::move(i), std::move(r));
  };
  constexpr std::int32_t kSame = 0, kBool = TensorProto::BOOL;
  if (op == "Add")
    return binary(
        kSame, [](auto& a) { return a[0] + a[1]; }, [](auto& a) { return a[0] + a[1]; });
  if (op == "Sub")
    return binary(
        kSame, [](auto& a) { return a[0] - a[1]; }, [](auto& a) { return a[0] - a[1]; });
  if (op == "Mul")
    return binary(
        kSame, [](auto& a) { return a[0] * a[1]; }, [](auto& a) { return a[0] * a[1]; });
  if (op == "Div") {
    const bool zero_divisor = [&] {
      for (std::size_t i = 0; i < in[1].size(); ++i)
        if (!in[1].is_real && in[1].ints[i] == 0) return true;
      return false;
    }();
    if (zero_divisor) return std::nullopt;
    return binary(
        kSame, [](auto& a) { return a[0] / a[1]; }, [](auto& a) { return a[0] / a[1]; });
  }
  if (op == "Mod") {
    if (std::any_of(in[1].ints.begin(), in[1].ints.end(), [](auto x) { return x == 0; }))
      return std::nullopt;
    return binary(
        kSame, [](auto& a) { return a[0] % a[1]; }, [](auto& a) { return std::fmod(a[0], a[1]); });
  }
  if (op == "Pow") return binary(kSame, nullptr, [](auto& a) { return std::pow(a[0], a[1]); });
  if (op == "Equal")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] == a[1]; },
        [](auto& a) -> double { return a[0] == a[1]; });
  if (op == "Less")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] < a[1]; },
        [](auto& a) -> double { return a[0] < a[1]; });
  if (op == "Greater")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] > a[1]; },
        [](auto& a) -> double { return a[0] > a[1]; });
  if (op == "LessOrEqual")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] <= a[1]; },
        [](auto& a) -> double { return a[0] <= a[1]; });
  if (op == "GreaterOrEqual")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] >= a[1]; },
        [](auto& a) -> double { return a[0] >= a[1]; });
  if (op == "And")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] && a[1]; },
        [](auto& a) -> double { return a[0] != 0 && a[1] != 0; });
  if (op == "Or")
    return binary(
        kBool, [](auto& a) -> std::int64_t { return a[0] || a[1]; },
        [](auto& a) -> double { return a[0] != 0 || a[1] != 0; });
  if (op == "Max" || op == "Min") {
    const bool is_max = op == "Max";
    Result acc = Values{in[0]};
    for (std::size_t i = 1; i < in.size() && acc; ++i)
      acc = elementwise(
          {(*acc)[0], in[i]}, kSame,
          [is_max](auto& a) { return is_max ? std::max(a[0], a[1]) : std::min(a[0], a[1]); },
          [is_max](auto& a) { return is_max ? std::max(a[0], a[1]) : std::min(a[0], a[1]); });
    return acc;
  }
  auto unary = [&](IntOp i, RealOp r) -> Result {
    if (in.size() != 1) return std::nullopt;
    return elementwise(in, kSame, std::move(i), std::move(r));
  };
  if (op == "Neg") return unary([](auto& a) { return -a[0]; }, [](auto& a) { return -a[0]; });
  if (op == "Abs")
    return unary([](auto& a) { return a[0] < 0 ? -a[0] : a[0]; },
                 [](auto& a) { return std::fabs(a[0]); });
  if (op == "Sqrt") return unary(nullptr, [](auto& a) { return std::sqrt(a[0]); });
  if (op == "Reciprocal") return unary(nullptr, [](auto& a) { return 1.0 / a[0]; });
  if (op == "Floor")
    return unary([](auto& a) { return a[0]; }, [](auto& a) { return std::floor(a[0]); });
  if (op == "Ceil")
    return unary([](auto& a) { return a[0]; }, [](auto& a) { return std::ceil(a[0]); });
  if (op == "Not")
    return elementwise(
        in, kBool, [](auto& a) -> std::int64_t { return !a[0]; },
        [](auto& a) -> double { return a[0] == 0; });
  return std::nullopt;
}

}  // namespace accelscope::io::onnx_detail
