// Values of small compile-time tensors of an ONNX graph (shape arithmetic: Shape, Gather, Concat,
// Range, Div...). Exporters compute reshape targets and slice bounds from the input's shape at run
// time; ONNX's own data propagation covers only some of these ops, so the importer evaluates them
// once every dimension is bound and hands the results back to shape inference as Constants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <onnx/onnx_pb.h>

namespace accelscope::io::onnx_detail {

// A dense tensor of integers (int64, int32, bool...) or reals (float, double).
struct StaticValue {
  std::int32_t elem_type = ::onnx::TensorProto::INT64;
  std::vector<std::int64_t> dims;
  bool is_real = false;
  std::vector<std::int64_t> ints;  // when !is_real
  std::vector<double> reals;       // when is_real

  std::size_t size() const { return is_real ? reals.size() : ints.size(); }
  double real(std::size_t i) const { return is_real ? reals[i] : static_cast<double>(ints[i]); }
  std::int64_t integer(std::size_t i) const;
};

// A node's attribute by name (null if absent), and an integer attribute with a default; shared by
// the evaluator and the importer.
const ::onnx::AttributeProto* find_attribute(const ::onnx::NodeProto& node, std::string_view name);
std::int64_t attr_int(const ::onnx::NodeProto& node, std::string_view name, std::int64_t fallback);

// Largest tensor evaluated (shape tensors are tiny; masks and tables are left to shape inference).
inline constexpr std::size_t kMaxStaticElements = 4096;

// The value of a TensorProto (initializer or Constant), if it is a supported type with data and
// not larger than kMaxStaticElements.
std::optional<StaticValue> value_of(const ::onnx::TensorProto& tensor);
::onnx::TensorProto to_tensor(const StaticValue& value, const std::string& name);

// Known shape of a tensor: every dimension a value (empty optional when unknown).
using ShapeLookup = std::unordered_map<std::string, std::vector<std::int64_t>>;
using ValueLookup = std::unordered_map<std::string, StaticValue>;

// Evaluates a node whose inputs are all known values (or, for Shape and Size, whose input shape is
// known). Returns one value per output, or nothing if the op is not evaluable here or the result
// would be too large. opset: the default domain's version.
std::optional<std::vector<StaticValue>> evaluate_node(const ::onnx::NodeProto& node,
                                                      const ValueLookup& values,
                                                      const ShapeLookup& shapes, int opset);

}  // namespace accelscope::io::onnx_detail
