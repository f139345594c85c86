// ONNX import: a model file (weights optional: `export_params=False` exports work) to the forward
// graph accelscope costs. Shapes come from ONNX's shape inference after dynamic dimensions are
// bound; compile-time shape arithmetic is evaluated, not costed.
//
// What becomes what (the full table is op_table() in onnx_import.cpp):
// - Conv -> conv2d; Gemm, MatMul -> matmul (weights_shared when the right operand is a parameter:
//   an initializer, or a graph input that only feeds weight slots; attention products of two
//   activations are batched with weights_shared = false). A MatMul followed by the Add of a
//   parameter bias is one matmul (the bias is applied on the way out, as Gemm's).
// - Normalisations, activations, softmax, element-wise, pooling, reductions -> vector ops with
//   element counts; torch's decomposed layer norm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt,
//   Div [, Mul, Add]) and erf GELU (Div, Erf, Add, Mul, Mul) are fused into one layer_norm and
//   one gelu activation.
// - Concat, Split, Slice, Pad, Transpose, Gather... -> data_move; Reshape, Flatten, Squeeze,
//   Unsqueeze, Identity, Dropout -> reshape (free).
// - Ops computing only from constants, shapes and parameters (Shape, Constant, Range, Cast of a
//   shape, the transpose of a weight...) are evaluated at import and produce no op.
// Op inputs/outputs name the activation tensors only (the graph edges); parameters are counted
// in parameter_elements of the op that first uses them (trainable ones: batch-norm running
// statistics are not counted).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/workload.hpp"

namespace accelscope::io {

struct OnnxImportOptions {
  // Values of named dynamic dimensions, e.g. {"batch", 8}, {"sequence", 128}.
  std::map<std::string, std::int64_t, std::less<>> dims;
  // The network's batch: binds the leading dimension of the first model input when it is dynamic,
  // otherwise rescales the imported network (per-sample ops) to this batch.
  std::optional<std::int64_t> batch;
  // Cost unsupported ops as element-wise over their output instead of failing.
  bool unknown_as_eltwise = false;
  std::string name;  // network name; default: the file name without its extension
};

struct OnnxImport {
  model::Network network;  // training = false: the forward graph
  // Nodes costed as element-wise because their op is not supported: "name (OpType)".
  std::vector<std::string> unknown_ops;
  // Graph inputs taken as data (the rest are parameters): their tensor names.
  std::vector<std::string> data_inputs;
};

// Throws InputError (one line naming the file and the node, tensor or dimension at fault).
OnnxImport import_onnx_file(const std::string& path, const OnnxImportOptions& options = {});
// The same from the bytes of a model; `file` names it in errors.
OnnxImport import_onnx(const std::string& bytes, const std::string& file,
                       const OnnxImportOptions& options = {});

}  // namespace accelscope::io
