// Reading an ONNX model and giving every tensor a static shape: parse, check the structure, bind
// dynamic dimensions, then alternate ONNX shape inference with evaluation of compile-time shape
// arithmetic (static_values.hpp) until nothing new is learnt.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <onnx/onnx_pb.h>

#include "model/onnx/static_values.hpp"

namespace accelscope::io::onnx_detail {

struct TensorInfo {
  bool has_shape = false;              // rank known
  std::vector<std::int64_t> dims;      // -1: unknown
  std::vector<std::string> dim_names;  // symbolic name of an unknown dimension, if any
  std::int32_t elem_type = 0;
  bool complete() const;  // rank and every dimension known
};

struct BoundModel {
  ::onnx::ModelProto model;  // dims bound; compile-time tensors replaced by Constant nodes
  int opset = 0;             // version of the default ONNX domain
  std::unordered_map<std::string, TensorInfo> tensors;
  std::unordered_set<std::string> initializers;  // with data, or shape only
  std::vector<std::string> inputs;               // graph inputs that are not initializers, in order
  std::unordered_set<std::string> symbolic_inputs;  // of those, with a named dynamic dimension
  ValueLookup values;                               // known values of compile-time tensors
};

// dims: values of named dynamic dimensions. batch: value for the leading dimension of the first
// graph input when it is dynamic (wins over dims). assume_unknown_elementwise: outputs of ops
// ONNX has no schema for (custom domains) get the shape of their first input. Throws InputError
// naming the file and the input, dimension, node or tensor at fault.
BoundModel bind_and_infer(const std::string& bytes, const std::string& file,
                          const std::map<std::string, std::int64_t, std::less<>>& dims,
                          std::optional<std::int64_t> batch, bool assume_unknown_elementwise);

// An Einsum of one or two operands as the product the array runs: batch x (m x k) by (k x n).
// Letters in both operands and the output are batch, in one operand and the output m (first) or
// n (second), in both operands only k. One operand: m is everything kept, k what is summed.
struct EinsumProduct {
  std::vector<std::int64_t> output;  // output shape
  std::int64_t batch = 1, m = 1, k = 1, n = 1;
};
// nullopt if the equation does not fit the shapes or is not supported (three or more operands).
std::optional<EinsumProduct> einsum_product(std::string equation,
                                            const std::vector<std::vector<std::int64_t>>& inputs);

// One line of at most ~300 characters (library messages span lines).
std::string one_line(std::string text);

}  // namespace accelscope::io::onnx_detail
