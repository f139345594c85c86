#include "model/onnx/onnx_import.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "model/io/json_reader.hpp"
#include "model/io/workload_json.hpp"
#include "model/limits.hpp"
#include "model/onnx/onnx_graph.hpp"
#include "model/onnx/static_values.hpp"

namespace accelscope::io {

namespace {

using model::OpKind;
using model::VectorFn;
using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;
using onnx_detail::attr_int;
using onnx_detail::BoundModel;
using onnx_detail::find_attribute;
using onnx_detail::TensorInfo;

// What a tensor is at run time: known at compile time (shapes, constants), a trained parameter
// (or derived only from parameters and constants), or data flowing from the model's inputs.
enum class Role : std::uint8_t { constant, parameter, activation };

// How an ONNX op is costed.
enum class Handler : std::uint8_t {
  conv,
  gemm,
  matmul,
  einsum,  // two operands: matmul; one: data_move (transpose) or reduce
  batch_norm,
  layer_norm,
  unary,   // activation over the output
  binary,  // element-wise over the (broadcast) output
  softmax,
  pool,
  global_pool,
  reduce,
  move,      // data_move: costs the elements it moves
  view,      // reshape: free
  constant,  // evaluated at import, never costed (only reached with non-constant inputs)
};

struct OpMapping {
  Handler handler;
  VectorFn fn = VectorFn::copy;
};

const std::unordered_map<std::string_view, OpMapping>& op_table() {
  static const std::unordered_map<std::string_view, OpMapping> table = {
      {"Conv", {Handler::conv}},
      {"Gemm", {Handler::gemm}},
      {"MatMul", {Handler::matmul}},
      {"Einsum", {Handler::einsum}},
      {"BatchNormalization", {Handler::batch_norm, VectorFn::batch_norm}},
      {"LayerNormalization", {Handler::layer_norm, VectorFn::layer_norm}},
      // activations
      {"Relu", {Handler::unary, VectorFn::relu}},
      {"LeakyRelu", {Handler::unary, VectorFn::relu}},
      {"PRelu", {Handler::unary, VectorFn::relu}},
      {"ThresholdedRelu", {Handler::unary, VectorFn::relu}},
      {"Clip", {Handler::unary, VectorFn::relu}},
      {"Sigmoid", {Handler::unary, VectorFn::sigmoid}},
      {"HardSigmoid", {Handler::unary, VectorFn::sigmoid}},
      {"HardSwish", {Handler::unary, VectorFn::sigmoid}},
      {"Tanh", {Handler::unary, VectorFn::tanh}},
      {"Erf", {Handler::unary, VectorFn::gelu}},
      {"Elu", {Handler::unary, VectorFn::exp}},
      {"Selu", {Handler::unary, VectorFn::exp}},
      {"Celu", {Handler::unary, VectorFn::exp}},
      {"Softplus", {Handler::unary, VectorFn::exp}},
      {"Softsign", {Handler::unary, VectorFn::div}},
      {"Exp", {Handler::unary, VectorFn::exp}},
      {"Log", {Handler::unary, VectorFn::exp}},
      {"Sqrt", {Handler::unary, VectorFn::sqrt}},
      {"Reciprocal", {Handler::unary, VectorFn::div}},
      {"Neg", {Handler::unary, VectorFn::mul}},
      {"Abs", {Handler::unary, VectorFn::relu}},
      {"Sign", {Handler::unary, VectorFn::relu}},
      {"Floor", {Handler::unary, VectorFn::add}},
      {"Ceil", {Handler::unary, VectorFn::add}},
      {"Round", {Handler::unary, VectorFn::add}},
      {"Not", {Handler::unary, VectorFn::add}},
      {"IsNaN", {Handler::unary, VectorFn::add}},
      {"IsInf", {Handler::unary, VectorFn::add}},
      // element-wise
      {"Add", {Handler::binary, VectorFn::add}},
      {"Sub", {Handler::binary, VectorFn::add}},
      {"Sum", {Handler::binary, VectorFn::add}},
      {"Max", {Handler::binary, VectorFn::add}},
      {"Min", {Handler::binary, VectorFn::add}},
      {"Mean", {Handler::binary, VectorFn::add}},
      {"Mul", {Handler::binary, VectorFn::mul}},
      {"Div", {Handler::binary, VectorFn::div}},
      {"Mod", {Handler::binary, VectorFn::div}},
      {"Pow", {Handler::binary, VectorFn::sqrt}},
      {"Equal", {Handler::binary, VectorFn::add}},
      {"Less", {Handler::binary, VectorFn::add}},
      {"LessOrEqual", {Handler::binary, VectorFn::add}},
      {"Greater", {Handler::binary, VectorFn::add}},
      {"GreaterOrEqual", {Handler::binary, VectorFn::add}},
      {"And", {Handler::binary, VectorFn::add}},
      {"Or", {Handler::binary, VectorFn::add}},
      {"Xor", {Handler::binary, VectorFn::add}},
      {"Where", {Handler::binary, VectorFn::add}},
      // softmax, pooling, reductions
      {"Softmax", {Handler::softmax, VectorFn::softmax}},
      {"LogSoftmax", {Handler::softmax, VectorFn::softmax}},
      {"MaxPool", {Handler::pool, VectorFn::pool}},
      {"AveragePool", {Handler::pool, VectorFn::pool}},
      {"LpPool", {Handler::pool, VectorFn::pool}},
      {"GlobalAveragePool", {Handler::global_pool, VectorFn::pool}},
      {"GlobalMaxPool", {Handler::global_pool, VectorFn::pool}},
      {"GlobalLpPool", {Handler::global_pool, VectorFn::pool}},
      {"ReduceMean", {Handler::reduce, VectorFn::reduce}},
      {"ReduceSum", {Handler::reduce, VectorFn::reduce}},
      {"ReduceMax", {Handler::reduce, VectorFn::reduce}},
      {"ReduceMin", {Handler::reduce, VectorFn::reduce}},
      {"ReduceProd", {Handler::reduce, VectorFn::reduce}},
      {"ReduceL1", {Handler::reduce, VectorFn::reduce}},
      {"ReduceL2", {Handler::reduce, VectorFn::reduce}},
      {"ReduceSumSquare", {Handler::reduce, VectorFn::reduce}},
      {"ReduceLogSumExp", {Handler::reduce, VectorFn::reduce}},
      {"ArgMax", {Handler::reduce, VectorFn::reduce}},
      {"ArgMin", {Handler::reduce, VectorFn::reduce}},
      // data movement
      {"Concat", {Handler::move}},
      {"Split", {Handler::move}},
      {"Slice", {Handler::move}},
      {"Pad", {Handler::move}},
      {"Transpose", {Handler::move}},
      {"Gather", {Handler::move}},
      {"GatherElements", {Handler::move}},
      {"GatherND", {Handler::move}},
      {"ScatterND", {Handler::move}},
      {"ScatterElements", {Handler::move}},
      {"Expand", {Handler::move}},
      {"Tile", {Handler::move}},
      {"Cast", {Handler::move}},
      {"CastLike", {Handler::move}},
      {"Resize", {Handler::move}},
      {"Upsample", {Handler::move}},
      {"DepthToSpace", {Handler::move}},
      {"SpaceToDepth", {Handler::move}},
      {"Trilu", {Handler::move}},
      // views
      {"Reshape", {Handler::view}},
      {"Flatten", {Handler::view}},
      {"Squeeze", {Handler::view}},
      {"Unsqueeze", {Handler::view}},
      {"Identity", {Handler::view}},
      {"Dropout", {Handler::view}},
      // shape computation: always compile time
      {"Shape", {Handler::constant}},
      {"Size", {Handler::constant}},
      {"Constant", {Handler::constant}},
  };
  return table;
}

bool is_float_type(std::int32_t t) {
  return t == TensorProto::FLOAT || t == TensorProto::DOUBLE || t == TensorProto::FLOAT16 ||
         t == TensorProto::BFLOAT16;
}

std::vector<std::int64_t> attr_ints(const NodeProto& node, std::string_view name) {
  const AttributeProto* a = find_attribute(node, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

// Product of dims[begin, end): a tensor's elements, checked (model::limits::kMaxElements).
std::int64_t product(const std::vector<std::int64_t>& dims, std::size_t begin, std::size_t end) {
  end = std::min(end, dims.size());
  begin = std::min(begin, end);
  std::int64_t result = 1;
  for (std::size_t i = begin; i < end; ++i)
    if (__builtin_mul_overflow(result, dims[i], &result) || result > model::limits::kMaxElements ||
        result < -model::limits::kMaxElements) {
      std::string text;
      for (std::int64_t d : dims) text += (text.empty() ? "" : " x ") + std::to_string(d);
      throw std::invalid_argument("a tensor of " + text +
                                  " has more than 2^53 elements (the limit)");
    }
  return result;
}
std::int64_t product(const std::vector<std::int64_t>& dims) {
  return product(dims, 0, dims.size());
}

// "/layers.0/ffn/act/Erf" -> "/layers.0/ffn/act/"
std::string scope_of(const std::string& name) {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? std::string() : name.substr(0, slash + 1);
}

struct Use {
  int node;
  int slot;
};

class Importer {
 public:
  Importer(BoundModel& bound, std::string file, const OnnxImportOptions& options)
      : bound_(bound), graph_(bound.model.graph()), file_(std::move(file)), options_(options) {}

  OnnxImport run() {
    index_graph();
    classify_inputs();
    classify_nodes();
    find_fusions();
    OnnxImport result;
    result.network.name =
        options_.name.empty() ? std::filesystem::path(file_).stem().string() : options_.name;
    result.network.training = false;
    result.network.batch = batch_;
    // Unsupported ops first: the error names them before any shape problem they cause downstream.
    for (int i = 0; i < graph_.node_size(); ++i)
      if (costed(i) && !supported(i)) unknown_.push_back(i);
    if (!unknown_.empty() && !options_.unknown_as_eltwise) {
      std::string types;
      std::unordered_set<std::string> seen;
      for (const int i : unknown_)
        if (seen.insert(graph_.node(i).op_type()).second)
          types += (types.empty() ? "" : ", ") + graph_.node(i).op_type();
      throw InputError(
          file_ + ": " + label(unknown_.front()) + ": operator not supported by the ONNX import (" +
          std::to_string(unknown_.size()) + " unsupported node(s), op types: " + types +
          "); rerun with --unknown-as-eltwise to cost them as element-wise");
    }
    for (int i = 0; i < graph_.node_size(); ++i) emit(i, result.network.ops);
    for (const int i : unknown_)
      result.unknown_ops.push_back(node_name(i) + " (" + graph_.node(i).op_type() + ")");
    result.data_inputs = data_inputs_;
    for (std::size_t i = 0; i < result.network.ops.size(); ++i) {
      try {
        model::finalize(result.network.ops[i]);
      } catch (const std::invalid_argument& e) {
        throw InputError(file_ + ": " + e.what());
      }
    }
    return result;
  }

 private:
  // ---- graph indexing ----
  void index_graph() {
    for (int i = 0; i < graph_.node_size(); ++i) {
      const NodeProto& node = graph_.node(i);
      for (int s = 0; s < node.input_size(); ++s)
        if (!node.input(s).empty()) consumers_[node.input(s)].push_back({i, s});
    }
    for (const auto& output : graph_.output()) graph_outputs_.insert(output.name());
  }

  std::string node_name(int i) const {
    const NodeProto& node = graph_.node(i);
    return node.name().empty() ? node.op_type() + "_" + std::to_string(i) : node.name();
  }
  std::string label(int i) const {
    return "node '" + node_name(i) + "' (" + graph_.node(i).op_type() + ")";
  }

  Role role(const std::string& tensor) const {
    const auto it = roles_.find(tensor);
    return it == roles_.end() ? Role::constant : it->second;
  }
  bool is_activation(const std::string& t) const { return role(t) == Role::activation; }

  const TensorInfo* info(const std::string& tensor) const {
    const auto it = bound_.tensors.find(tensor);
    return it == bound_.tensors.end() ? nullptr : &it->second;
  }

  // Full shape of a tensor a costed node uses; InputError naming the node if unknown.
  const std::vector<std::int64_t>& shape(const std::string& tensor, int node) const {
    const TensorInfo* t = info(tensor);
    if (!t || !t->has_shape)
      throw InputError(file_ + ": " + label(node) + ": tensor '" + tensor +
                       "' has no inferred shape (ONNX shape inference could not derive it)");
    for (std::size_t d = 0; d < t->dims.size(); ++d)
      if (t->dims[d] < 0) {
        const std::string& dim_name = t->dim_names[d];
        throw InputError(file_ + ": " + label(node) + ": dimension " + std::to_string(d) +
                         " of tensor '" + tensor + "' is unknown" +
                         (dim_name.empty() ? "" : " ('" + dim_name + "')") +
                         " after shape inference; bind dynamic input dimensions with --dim "
                         "NAME=VALUE");
      }
    return t->dims;
  }
  std::int64_t elements(const std::string& tensor, int node) const {
    return product(shape(tensor, node));
  }

  bool single_use(const std::string& tensor) const {
    if (graph_outputs_.count(tensor)) return false;
    const auto it = consumers_.find(tensor);
    return it != consumers_.end() && it->second.size() == 1;
  }
  // The only consumer of a tensor (nullopt if none or several, or a graph output).
  std::optional<int> sole_consumer(const std::string& tensor) const {
    if (!single_use(tensor)) return std::nullopt;
    return consumers_.at(tensor).front().node;
  }

  // ---- roles ----
  // Would this graph input be a parameter? True if every use is a weight slot (directly or through
  // view-like ops), or the smaller operand of an element-wise op (a bias, a position table).
  bool feeds_only_weights(const std::string& tensor, int depth) const {
    const auto it = consumers_.find(tensor);
    if (it == consumers_.end()) return true;
    for (const Use& use : it->second) {
      const NodeProto& node = graph_.node(use.node);
      const std::string& op = node.op_type();
      bool weight = false;
      if (op == "Conv" || op == "ConvTranspose" || op == "BatchNormalization" ||
          op == "LayerNormalization" || op == "InstanceNormalization" ||
          op == "GroupNormalization" || op == "PRelu")
        weight = use.slot >= 1;
      else if (op == "Gemm" || op == "MatMul")
        weight = use.slot == 1 || use.slot == 2;
      else if (op == "Gather")
        weight = use.slot == 0;
      else if (op == "Identity" || op == "Transpose" || op == "Reshape" || op == "Unsqueeze" ||
               op == "Squeeze" || op == "Cast" || op == "Slice" || op == "Flatten" ||
               op == "Split" || op == "Expand") {
        weight = use.slot == 0 && depth < 8;
        for (const std::string& out : node.output())
          if (weight && !out.empty()) weight = feeds_only_weights(out, depth + 1);
      } else if (op == "Concat" ||
                 (op_table().count(op) && op_table().at(op).handler == Handler::binary)) {
        const TensorInfo* mine = info(tensor);
        const TensorInfo* out = node.output_size() ? info(node.output(0)) : nullptr;
        // No larger than the result: a bias, a scale, a position table (at batch 1 as large).
        weight = mine && out && mine->complete() && out->complete() &&
                 product(mine->dims) <= product(out->dims);
      }
      if (!weight) return false;
    }
    return true;
  }

  void classify_inputs() {
    for (const auto& init : graph_.initializer()) {
      const std::int64_t n = product({init.dims().begin(), init.dims().end()});
      roles_[init.name()] =
          is_float_type(init.data_type()) && n > 1 ? Role::parameter : Role::constant;
    }
    // Without weights in the file, parameters (and buffers) are graph inputs too. Data inputs:
    // those with a dynamic (named) dimension, as exporters mark the batch; in a model without
    // any, those read where a parameter cannot be (the data operand of a convolution...).
    std::vector<std::string>& real = data_inputs_;
    const bool any_symbolic = !bound_.symbolic_inputs.empty();
    for (const std::string& input : bound_.inputs) {
      if (bound_.initializers.count(input)) continue;
      const bool data =
          any_symbolic ? bound_.symbolic_inputs.count(input) > 0 : !feeds_only_weights(input, 0);
      roles_[input] = data ? Role::activation : Role::parameter;
      if (data) real.push_back(input);
    }
    // Shape-only initializers moved to graph inputs are parameters whatever they feed.
    for (const std::string& input : bound_.inputs)
      if (bound_.initializers.count(input)) roles_[input] = Role::parameter;
    if (real.empty()) {
      for (const std::string& input : bound_.inputs)
        if (!bound_.initializers.count(input)) {
          roles_[input] = Role::activation;
          real.push_back(input);
          break;
        }
    }
    if (real.empty())
      throw InputError(file_ + ": the graph has no data input (every input is a weight)");
    for (const auto& [name, r] : roles_)
      if (r == Role::parameter) roots_[name] = {name};
    const TensorInfo* first = info(real.front());
    batch_ = first && first->complete() && !first->dims.empty() ? first->dims[0] : 1;
    if (batch_ < 1)
      throw InputError(file_ + ": input '" + real.front() + "' has batch (leading dimension) " +
                       std::to_string(batch_) + ", allowed: >= 1");
  }

  void classify_nodes() {
    for (int i = 0; i < graph_.node_size(); ++i) {
      const NodeProto& node = graph_.node(i);
      Role out_role = Role::constant;
      std::vector<std::string> derived_from;
      const bool shape_only =
          node.op_type() == "Shape" || node.op_type() == "Size" || node.op_type() == "Constant";
      if (!shape_only) {
        for (const std::string& in : node.input()) {
          if (in.empty()) continue;
          const Role r = role(in);
          if (r == Role::activation) out_role = Role::activation;
          if (r == Role::parameter) {
            if (out_role == Role::constant) out_role = Role::parameter;
            const auto& from = roots_[in];
            derived_from.insert(derived_from.end(), from.begin(), from.end());
          }
        }
      }
      for (const std::string& out : node.output()) {
        if (out.empty()) continue;
        roles_[out] = out_role;
        if (out_role == Role::parameter) roots_[out] = derived_from;
      }
    }
  }

  // Parameters reached through `tensor` not yet counted by an earlier op; counts them now.
  std::int64_t take_parameters(const std::string& tensor, int node, bool count = true) {
    if (role(tensor) != Role::parameter) return 0;
    std::int64_t total = 0;
    for (const std::string& root : roots_[tensor]) {
      if (!counted_.insert(root).second) continue;
      // Integer buffers (index tables) are not trained.
      const TensorInfo* t = info(root);
      if (count && t && is_float_type(t->elem_type)) total += elements(root, node);
    }
    return total;
  }

  // ---- fusions ----
  struct Fusion {
    enum class Kind { gelu, layer_norm, matmul_bias } kind;
    std::vector<int> members;  // node indices, the anchor first
    std::string input, output;
    std::vector<std::string> parameters;  // gamma, beta / bias
  };

  bool other_input_is(const NodeProto& node, const std::string& known, Role wanted,
                      std::string* other = nullptr) const {
    if (node.input_size() != 2) return false;
    const int k = node.input(0) == known ? 0 : node.input(1) == known ? 1 : -1;
    if (k < 0) return false;
    const std::string& o = node.input(1 - k);
    if (other) *other = o;
    return role(o) == wanted;
  }

  std::optional<Fusion> match_gelu(int erf_index) const {
    const NodeProto& erf = graph_.node(erf_index);
    const auto it = std::find_if(
        graph_.node().begin(), graph_.node().end(),
        [&](const NodeProto& n) { return n.output_size() && n.output(0) == erf.input(0); });
    if (it == graph_.node().end()) return std::nullopt;
    const int scale_index = static_cast<int>(it - graph_.node().begin());
    const NodeProto& scale = *it;  // x / sqrt(2)
    if ((scale.op_type() != "Div" && scale.op_type() != "Mul") || scale.input_size() != 2 ||
        !is_activation(scale.input(0)) || role(scale.input(1)) != Role::constant ||
        !single_use(scale.output(0)))
      return std::nullopt;
    const std::string& x = scale.input(0);
    const auto add = sole_consumer(erf.output(0));
    if (!add || graph_.node(*add).op_type() != "Add" ||
        !other_input_is(graph_.node(*add), erf.output(0), Role::constant))
      return std::nullopt;
    const auto mul = sole_consumer(graph_.node(*add).output(0));
    if (!mul || graph_.node(*mul).op_type() != "Mul" ||
        !other_input_is(graph_.node(*mul), graph_.node(*add).output(0), Role::activation) ||
        (graph_.node(*mul).input(0) != x && graph_.node(*mul).input(1) != x))
      return std::nullopt;
    const auto half = sole_consumer(graph_.node(*mul).output(0));
    if (!half || graph_.node(*half).op_type() != "Mul" ||
        !other_input_is(graph_.node(*half), graph_.node(*mul).output(0), Role::constant))
      return std::nullopt;
    return Fusion{Fusion::Kind::gelu,
                  {erf_index, scale_index, *add, *mul, *half},
                  x,
                  graph_.node(*half).output(0),
                  {}};
  }

  std::optional<Fusion> match_layer_norm(int mean_index) const {
    const NodeProto& mean = graph_.node(mean_index);
    if (mean.input_size() < 1 || !is_activation(mean.input(0))) return std::nullopt;
    const std::string& x = mean.input(0);
    auto op_is = [&](std::optional<int> i, std::string_view type) {
      return i && graph_.node(*i).op_type() == type;
    };
    const auto sub = sole_consumer(mean.output(0));
    if (!op_is(sub, "Sub") || graph_.node(*sub).input(0) != x) return std::nullopt;
    const std::string& centered = graph_.node(*sub).output(0);
    const auto uses = consumers_.find(centered);
    if (graph_outputs_.count(centered) || uses == consumers_.end() || uses->second.size() != 2)
      return std::nullopt;
    std::optional<int> pow, div;
    for (const Use& u : uses->second) {
      if (graph_.node(u.node).op_type() == "Pow" && u.slot == 0) pow = u.node;
      if (graph_.node(u.node).op_type() == "Div" && u.slot == 0) div = u.node;
    }
    if (!pow || !div || role(graph_.node(*pow).input(1)) != Role::constant) return std::nullopt;
    const auto variance = sole_consumer(graph_.node(*pow).output(0));
    if (!op_is(variance, "ReduceMean")) return std::nullopt;
    const auto eps = sole_consumer(graph_.node(*variance).output(0));
    if (!op_is(eps, "Add") ||
        !other_input_is(graph_.node(*eps), graph_.node(*variance).output(0), Role::constant))
      return std::nullopt;
    const auto sqrt = sole_consumer(graph_.node(*eps).output(0));
    if (!op_is(sqrt, "Sqrt") || sole_consumer(graph_.node(*sqrt).output(0)) != div ||
        graph_.node(*div).input(1) != graph_.node(*sqrt).output(0))
      return std::nullopt;
    Fusion f{Fusion::Kind::layer_norm,
             {mean_index, *sub, *pow, *variance, *eps, *sqrt, *div},
             x,
             graph_.node(*div).output(0),
             {}};
    // Optional affine part: * gamma + beta.
    std::string parameter;
    const auto gamma = sole_consumer(f.output);
    if (op_is(gamma, "Mul") &&
        other_input_is(graph_.node(*gamma), f.output, Role::parameter, &parameter)) {
      f.members.push_back(*gamma);
      f.parameters.push_back(parameter);
      f.output = graph_.node(*gamma).output(0);
      const auto beta = sole_consumer(f.output);
      if (op_is(beta, "Add") &&
          other_input_is(graph_.node(*beta), f.output, Role::parameter, &parameter)) {
        f.members.push_back(*beta);
        f.parameters.push_back(parameter);
        f.output = graph_.node(*beta).output(0);
      }
    }
    return f;
  }

  std::optional<Fusion> match_matmul_bias(int matmul_index) const {
    const NodeProto& matmul = graph_.node(matmul_index);
    if (matmul.input_size() != 2 || !is_activation(matmul.input(0)) ||
        role(matmul.input(1)) != Role::parameter)
      return std::nullopt;
    const auto add = sole_consumer(matmul.output(0));
    std::string bias;
    if (!add || graph_.node(*add).op_type() != "Add" ||
        !other_input_is(graph_.node(*add), matmul.output(0), Role::parameter, &bias))
      return std::nullopt;
    const TensorInfo* y = info(matmul.output(0));
    const TensorInfo* b = info(bias);
    const TensorInfo* sum = info(graph_.node(*add).output(0));
    if (!y || !b || !sum || !y->complete() || !b->complete() || !sum->complete() ||
        y->dims != sum->dims || y->dims.empty() || product(b->dims) != y->dims.back())
      return std::nullopt;
    return Fusion{Fusion::Kind::matmul_bias,
                  {matmul_index, *add},
                  matmul.input(0),
                  graph_.node(*add).output(0),
                  {bias}};
  }

  void find_fusions() {
    for (int i = 0; i < graph_.node_size(); ++i) {
      const NodeProto& node = graph_.node(i);
      if (!node.domain().empty() || node.output_size() < 1 || !is_activation(node.output(0)) ||
          fused_member_.count(i))
        continue;
      std::optional<Fusion> f;
      if (node.op_type() == "Erf")
        f = match_gelu(i);
      else if (node.op_type() == "ReduceMean")
        f = match_layer_norm(i);
      else if (node.op_type() == "MatMul")
        f = match_matmul_bias(i);
      if (!f) continue;
      if (std::any_of(f->members.begin(), f->members.end(),
                      [&](int m) { return fused_member_.count(m) > 0; }))
        continue;
      const int last = *std::max_element(f->members.begin(), f->members.end());
      for (const int m : f->members) fused_member_.insert(m);
      fusions_.emplace(last, std::move(*f));
    }
  }

  // ---- emitting ops ----
  model::Op base_op(int i, OpKind kind) const {
    model::Op op;
    op.name = node_name(i);
    op.kind = kind;
    const NodeProto& node = graph_.node(i);
    for (const std::string& in : node.input())
      if (!in.empty() && is_activation(in) &&
          std::find(op.inputs.begin(), op.inputs.end(), in) == op.inputs.end())
        op.inputs.push_back(in);
    op.outputs = kept_outputs(i);
    return op;
  }

  // Outputs that carry data on: the first, and any other that is used (drops batch-norm's running
  // statistics and dropout's mask).
  std::vector<std::string> kept_outputs(int i) const {
    std::vector<std::string> out;
    const NodeProto& node = graph_.node(i);
    for (int k = 0; k < node.output_size(); ++k) {
      const std::string& name = node.output(k);
      if (name.empty()) continue;
      if (k == 0 || consumers_.count(name) || graph_outputs_.count(name)) out.push_back(name);
    }
    return out;
  }

  std::int64_t sum_elements(const std::vector<std::string>& tensors, int node) const {
    std::int64_t n = 0;
    for (const std::string& t : tensors) n += elements(t, node);
    return n;
  }
  // Elements of every non-constant input (activations and parameters).
  std::int64_t input_elements(int i) const {
    std::int64_t n = 0;
    for (const std::string& in : graph_.node(i).input())
      if (!in.empty() && role(in) != Role::constant) n += elements(in, i);
    return n;
  }
  std::int64_t node_parameters(int i) {
    std::int64_t n = 0;
    for (const std::string& in : graph_.node(i).input())
      if (!in.empty()) n += take_parameters(in, i);
    return n;
  }

  model::Op vector_op(int i, OpKind kind, VectorFn fn) {
    model::Op op = base_op(i, kind);
    op.fn = fn;
    op.input_elements = input_elements(i);
    op.output_elements = sum_elements(op.outputs, i);
    op.work_elements = op.output_elements;
    op.parameter_elements = node_parameters(i);
    return op;
  }

  // A node that becomes an op: it reads data and is not inside a fused pattern (compile-time
  // nodes: constants, shapes, weight transforms, are not).
  bool costed(int i) const {
    if (fused_member_.count(i) && !fusions_.count(i)) return false;
    const NodeProto& node = graph_.node(i);
    return std::any_of(node.input().begin(), node.input().end(),
                       [&](const std::string& in) { return is_activation(in); });
  }
  bool supported(int i) const {
    if (fusions_.count(i)) return true;
    const NodeProto& node = graph_.node(i);
    return (node.domain().empty() || node.domain() == "ai.onnx") &&
           op_table().count(node.op_type());
  }

  void emit(int i, std::vector<model::Op>& ops) {
    if (const auto it = fusions_.find(i); it != fusions_.end()) {
      ops.push_back(fused_op(it->second));
      return;
    }
    if (!costed(i)) return;
    if (!supported(i)) {
      ops.push_back(unknown_op(i));  // only reached with --unknown-as-eltwise
      return;
    }
    const NodeProto& node = graph_.node(i);
    const OpMapping& m = op_table().at(node.op_type());
    check_arity(i, m.handler);
    switch (m.handler) {
      case Handler::conv:
        ops.push_back(conv_op(i));
        return;
      case Handler::gemm:
        ops.push_back(gemm_op(i));
        return;
      case Handler::matmul:
        ops.push_back(matmul_op(i, std::nullopt));
        return;
      case Handler::einsum:
        ops.push_back(einsum_op(i));
        return;
      case Handler::batch_norm: {
        model::Op op = base_op(i, OpKind::batch_norm);
        op.fn = m.fn;
        op.input_elements = elements(node.input(0), i);
        op.output_elements = elements(node.output(0), i);
        op.work_elements = op.output_elements;
        // Trainable: scale and bias; the running mean and variance are state, not parameters.
        op.parameter_elements =
            take_parameters(node.input(1), i) + take_parameters(node.input(2), i);
        for (int k = 3; k < node.input_size(); ++k) take_parameters(node.input(k), i, false);
        ops.push_back(op);
        return;
      }
      case Handler::layer_norm: {
        model::Op op = vector_op(i, OpKind::layer_norm, m.fn);
        op.output_elements = op.work_elements = elements(node.output(0), i);
        const auto& x = shape(node.input(0), i);
        const auto rank = static_cast<std::int64_t>(x.size());
        std::int64_t axis = attr_int(node, "axis", -1);
        if (axis < 0) axis += rank;
        op.reduction_elements =
            product(x, static_cast<std::size_t>(std::max<std::int64_t>(0, axis)), x.size());
        ops.push_back(op);
        return;
      }
      case Handler::unary:
        ops.push_back(vector_op(i, OpKind::activation, m.fn));
        return;
      case Handler::binary:
        ops.push_back(vector_op(i, OpKind::eltwise, m.fn));
        return;
      case Handler::softmax: {
        model::Op op = vector_op(i, OpKind::softmax, m.fn);
        const auto& x = shape(node.input(0), i);
        const auto rank = static_cast<std::int64_t>(x.size());
        std::int64_t axis = attr_int(node, "axis", bound_.opset >= 13 ? -1 : 1);
        if (axis < 0) axis += rank;
        const auto a = static_cast<std::size_t>(std::clamp<std::int64_t>(axis, 0, rank - 1));
        // Opset 13 normalises along one axis; earlier opsets over all axes from `axis` on.
        op.reduction_elements = bound_.opset >= 13 ? x[a] : product(x, a, x.size());
        ops.push_back(op);
        return;
      }
      case Handler::pool: {
        model::Op op = vector_op(i, OpKind::pool, m.fn);
        op.output_elements = elements(node.output(0), i);
        op.work_elements = op.output_elements * product(attr_ints(node, "kernel_shape"));
        ops.push_back(op);
        return;
      }
      case Handler::global_pool: {
        model::Op op = vector_op(i, OpKind::pool, m.fn);
        op.work_elements = elements(node.input(0), i);
        ops.push_back(op);
        return;
      }
      case Handler::reduce: {
        model::Op op = vector_op(i, OpKind::reduce, m.fn);
        const std::int64_t in = elements(node.input(0), i);
        op.work_elements = in;
        op.reduction_elements = op.output_elements > 0 ? in / op.output_elements : in;
        ops.push_back(op);
        return;
      }
      case Handler::move: {
        model::Op op = vector_op(i, OpKind::data_move, VectorFn::copy);
        const std::string& type = node.op_type();
        // A slice or gather reads only what it keeps (plus the indices).
        if (type == "Slice") op.input_elements = op.output_elements;
        if (type == "Gather" || type == "GatherElements" || type == "GatherND")
          op.input_elements =
              op.output_elements + (is_activation(node.input(1)) ? elements(node.input(1), i) : 0);
        ops.push_back(op);
        return;
      }
      case Handler::view: {
        model::Op op = base_op(i, OpKind::reshape);
        op.outputs.resize(std::min<std::size_t>(op.outputs.size(), 1));  // dropout: no mask
        op.parameter_elements = node_parameters(i);
        ops.push_back(op);
        return;
      }
      case Handler::constant:
        return;
    }
  }

  model::Op unknown_op(int i) {
    model::Op op = base_op(i, OpKind::eltwise);
    op.fn = VectorFn::add;
    op.input_elements = input_elements(i);
    std::int64_t out = 0;
    for (const std::string& o : op.outputs) {
      const TensorInfo* t = info(o);
      // No schema, no inferred shape: an element-wise op's output is shaped like its input.
      out += t && t->complete() ? product(t->dims)
                                : (op.inputs.empty() ? 0 : elements(op.inputs.front(), i));
    }
    op.output_elements = op.work_elements = out;
    op.parameter_elements = node_parameters(i);
    return op;
  }

  // The inputs and outputs the handlers read (fewer than ONNX requires): a malformed node with
  // fewer would read past the end of protobuf's lists (found by fuzzing: a Conv with one input).
  void check_arity(int i, Handler handler) const {
    const NodeProto& node = graph_.node(i);
    int inputs = 1;
    switch (handler) {
      case Handler::conv:
      case Handler::gemm:
      case Handler::matmul:
        inputs = 2;
        break;
      case Handler::batch_norm:
        inputs = 3;
        break;
      case Handler::move:
        inputs = node.op_type().starts_with("Gather") ? 2 : 1;
        break;
      case Handler::einsum:
      case Handler::view:
      case Handler::constant:
        inputs = 0;
        break;
      default:
        break;
    }
    if (node.input_size() < inputs || node.output_size() < 1)
      throw InputError(file_ + ": " + label(i) + ": " + std::to_string(node.input_size()) +
                       " inputs and " + std::to_string(node.output_size()) +
                       " outputs, allowed: at least " + std::to_string(inputs) +
                       " inputs and one output");
  }

  model::Op conv_op(int i) {
    const NodeProto& node = graph_.node(i);
    model::Op op = base_op(i, OpKind::conv2d);
    const auto& x = shape(node.input(0), i);
    const auto& w = shape(node.input(1), i);
    if (x.size() != 3 && x.size() != 4)
      throw InputError(file_ + ": " + label(i) + ": input '" + node.input(0) + "' has rank " +
                       std::to_string(x.size()) +
                       ", allowed: 3 or 4 (1-D or 2-D convolution; 3-D is not supported)");
    const bool one_d = x.size() == 3;
    model::Conv2d& c = op.conv;
    c.batch = x[0];
    c.in_channels = x[1];
    c.in_h = one_d ? 1 : x[2];
    c.in_w = one_d ? x[2] : x[3];
    c.out_channels = w[0];
    std::vector<std::int64_t> kernel = attr_ints(node, "kernel_shape");
    if (kernel.empty()) kernel.assign(w.begin() + 2, w.end());
    std::vector<std::int64_t> strides = attr_ints(node, "strides");
    std::vector<std::int64_t> dilations = attr_ints(node, "dilations");
    std::vector<std::int64_t> pads = attr_ints(node, "pads");
    const std::size_t spatial = x.size() - 2;
    if (kernel.size() != spatial)
      throw InputError(file_ + ": " + label(i) + ": kernel_shape has " +
                       std::to_string(kernel.size()) + " dimensions, input has " +
                       std::to_string(spatial) + " spatial dimensions");
    strides.resize(spatial, 1);
    dilations.resize(spatial, 1);
    // Conv pads are [begin per axis..., end per axis...].
    std::vector<std::int64_t> begin(spatial, 0), end(spatial, 0);
    const AttributeProto* auto_pad = find_attribute(node, "auto_pad");
    const std::string mode = auto_pad ? auto_pad->s() : "NOTSET";
    const std::vector<std::int64_t> in_sizes(x.begin() + 2, x.end());
    for (std::size_t d = 0; d < spatial; ++d) {
      if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
        const std::int64_t out = (in_sizes[d] + strides[d] - 1) / strides[d];
        const std::int64_t total = std::max<std::int64_t>(
            0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - in_sizes[d]);
        begin[d] = mode == "SAME_UPPER" ? total / 2 : total - total / 2;
        end[d] = total - begin[d];
      } else if (mode == "NOTSET" && pads.size() == 2 * spatial) {
        begin[d] = pads[d];
        end[d] = pads[d + spatial];
      }
    }
    auto as_int = [](std::int64_t v) { return static_cast<int>(v); };
    if (one_d) {
      c.kernel_w = kernel[0];
      c.stride_w = as_int(strides[0]);
      c.dilation_w = as_int(dilations[0]);
      c.pad_left = as_int(begin[0]);
      c.pad_right = as_int(end[0]);
    } else {
      c.kernel_h = kernel[0];
      c.kernel_w = kernel[1];
      c.stride_h = as_int(strides[0]);
      c.stride_w = as_int(strides[1]);
      c.dilation_h = as_int(dilations[0]);
      c.dilation_w = as_int(dilations[1]);
      c.pad_top = as_int(begin[0]);
      c.pad_left = as_int(begin[1]);
      c.pad_bottom = as_int(end[0]);
      c.pad_right = as_int(end[1]);
    }
    c.groups = attr_int(node, "group", 1);
    op.parameter_elements = node_parameters(i);
    try {
      model::finalize(op);
    } catch (const std::invalid_argument& e) {
      throw InputError(file_ + ": " + label(i) + ": " + e.what());
    }
    // The output ONNX inferred must be the one accelscope will cost.
    const auto& y = shape(node.output(0), i);
    const std::int64_t out_h = one_d ? 1 : y[2], out_w = one_d ? y[2] : y[3];
    if (y[1] != c.out_channels || c.out_h != out_h || c.out_w != out_w)
      throw InputError(file_ + ": " + label(i) + ": computed output " + std::to_string(c.out_h) +
                       "x" + std::to_string(c.out_w) + " differs from the inferred shape of '" +
                       node.output(0) + "' (" + std::to_string(out_h) + "x" +
                       std::to_string(out_w) + ")");
    return op;
  }

  // A product with the parameter on the left (W x) runs as its transpose, so the parameter is
  // the right operand the array model expects.
  void set_product(model::Op& op, std::int64_t batch_count, std::int64_t m, std::int64_t k,
                   std::int64_t n, bool left_parameter, bool right_parameter) {
    model::Matmul& mm = op.matmul;
    mm.k = k;
    if (right_parameter) {
      mm.weights_shared = true;
      mm.batch_count = 1;
      mm.m = batch_count * m;
      mm.n = n;
    } else if (left_parameter) {
      mm.weights_shared = true;
      mm.batch_count = 1;
      mm.m = batch_count * n;
      mm.n = m;
    } else {
      mm.weights_shared = false;
      mm.batch_count = batch_count;
      mm.m = m;
      mm.n = n;
    }
  }

  model::Op gemm_op(int i) {
    const NodeProto& node = graph_.node(i);
    model::Op op = base_op(i, OpKind::matmul);
    const auto& a = shape(node.input(0), i);
    const auto& b = shape(node.input(1), i);
    if (a.size() != 2 || b.size() != 2)
      throw InputError(file_ + ": " + label(i) + ": Gemm operands must be 2-D, got ranks " +
                       std::to_string(a.size()) + " and " + std::to_string(b.size()));
    const bool ta = attr_int(node, "transA", 0) != 0, tb = attr_int(node, "transB", 0) != 0;
    const std::int64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1], n = tb ? b[0] : b[1];
    set_product(op, 1, m, k, n, role(node.input(0)) == Role::parameter,
                role(node.input(1)) == Role::parameter);
    op.parameter_elements = node_parameters(i);
    return op;
  }

  model::Op matmul_op(int i, const std::optional<Fusion>& bias) {
    const NodeProto& node = graph_.node(i);
    model::Op op = base_op(i, OpKind::matmul);
    std::vector<std::int64_t> a = shape(node.input(0), i);
    std::vector<std::int64_t> b = shape(node.input(1), i);
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    const std::int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
    if (b[b.size() - 2] != k)
      throw InputError(file_ + ": " + label(i) + ": inner dimensions differ (" + std::to_string(k) +
                       " vs " + std::to_string(b[b.size() - 2]) + ")");
    // Batch dimensions broadcast; a parameter with its own batch dimensions is not shared.
    const std::int64_t a_batch = product(a, 0, a.size() - 2);
    const std::int64_t b_batch = product(b, 0, b.size() - 2);
    const std::size_t rank = std::max(a.size(), b.size()) - 2;
    std::int64_t batch = 1;
    for (std::size_t d = 0; d < rank; ++d) {
      auto dim = [&](const std::vector<std::int64_t>& s) {
        const std::size_t lead = s.size() - 2;
        return d + lead >= rank ? s[d + lead - rank] : std::int64_t{1};
      };
      batch *= std::max(dim(a), dim(b));
    }
    const bool left_parameter = role(node.input(0)) == Role::parameter && a_batch == 1;
    const bool right_parameter = role(node.input(1)) == Role::parameter && b_batch == 1;
    set_product(op, batch, m, k, n, left_parameter && !right_parameter, right_parameter);
    op.parameter_elements = node_parameters(i);
    if (bias) {
      op.parameter_elements += take_parameters(bias->parameters.front(), i);
      op.outputs = {bias->output};
    }
    return op;
  }

  model::Op einsum_op(int i) {
    const NodeProto& node = graph_.node(i);
    std::vector<std::vector<std::int64_t>> operands;
    for (const std::string& in : node.input()) operands.push_back(shape(in, i));
    const AttributeProto* equation = find_attribute(node, "equation");
    const auto product = onnx_detail::einsum_product(equation ? equation->s() : "", operands);
    if (!product)
      throw InputError(file_ + ": " + label(i) + ": equation '" + (equation ? equation->s() : "") +
                       "' is not supported with these operand shapes (allowed: one or two "
                       "operands, letters and ...)");
    if (operands.size() == 1) {
      model::Op op = vector_op(i, product->k > 1 ? OpKind::reduce : OpKind::data_move,
                               product->k > 1 ? VectorFn::reduce : VectorFn::copy);
      if (product->k > 1) {
        op.work_elements = op.input_elements;
        op.reduction_elements = product->k;
      }
      return op;
    }
    model::Op op = base_op(i, OpKind::matmul);
    const bool left_parameter = role(node.input(0)) == Role::parameter;
    const bool right_parameter = role(node.input(1)) == Role::parameter;
    // A parameter operand with batch letters differs per product: not shared.
    const bool shared = product->batch == 1;
    set_product(op, product->batch, product->m, product->k, product->n,
                shared && left_parameter && !right_parameter, shared && right_parameter);
    op.parameter_elements = node_parameters(i);
    return op;
  }

  model::Op fused_op(const Fusion& f) {
    const int anchor = f.members.front();
    const NodeProto& node = graph_.node(anchor);
    if (f.kind == Fusion::Kind::matmul_bias) return matmul_op(anchor, f);
    model::Op op;
    op.inputs = {f.input};
    op.outputs = {f.output};
    const std::int64_t in = elements(f.input, anchor);
    const std::int64_t out = elements(f.output, anchor);
    if (f.kind == Fusion::Kind::gelu) {
      op.name = scope_of(node.name()).empty() ? node_name(anchor) + "_gelu"
                                              : scope_of(node.name()) + "Gelu";
      op.kind = OpKind::activation;
      op.fn = VectorFn::gelu;
    } else {
      op.name = scope_of(node.name()).empty() ? node_name(anchor) + "_layer_norm"
                                              : scope_of(node.name()) + "LayerNormalization";
      op.kind = OpKind::layer_norm;
      op.fn = VectorFn::layer_norm;
      const std::int64_t means = elements(node.output(0), anchor);
      op.reduction_elements = means > 0 ? in / means : in;
    }
    op.input_elements = in;
    for (const std::string& p : f.parameters) {
      op.input_elements += elements(p, anchor);
      op.parameter_elements += take_parameters(p, anchor);
    }
    op.output_elements = op.work_elements = out;
    return op;
  }

  BoundModel& bound_;
  const GraphProto& graph_;
  std::string file_;
  const OnnxImportOptions& options_;
  std::int64_t batch_ = 1;
  std::vector<std::string> data_inputs_;
  std::unordered_map<std::string, std::vector<Use>> consumers_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_map<std::string, Role> roles_;
  std::unordered_map<std::string, std::vector<std::string>> roots_;  // parameter -> its sources
  std::unordered_set<std::string> counted_;
  std::unordered_map<int, Fusion> fusions_;  // by the index of the last member
  std::unordered_set<int> fused_member_;
  std::vector<int> unknown_;
};

}  // namespace

OnnxImport import_onnx(const std::string& bytes, const std::string& file,
                       const OnnxImportOptions& options) {
  BoundModel bound = onnx_detail::bind_and_infer(bytes, file, options.dims, options.batch,
                                                 options.unknown_as_eltwise);
  OnnxImport result = Importer(bound, file, options).run();
  if (options.batch && *options.batch != result.network.batch) {
    // A model exported with a fixed batch: per-sample ops scale to the requested one.
    result.network = parse_workload(workload_to_json(result.network), file, *options.batch);
  }
  return result;
}

OnnxImport import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a directory, expected an .onnx file");
  return import_onnx(read_text_file(path, model::limits::kMaxOnnxFileBytes), path, options);
}

}  // namespace accelscope::io
