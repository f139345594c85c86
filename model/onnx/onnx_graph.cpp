#include "model/onnx/onnx_graph.hpp"

#include <algorithm>

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "model/io/json_reader.hpp"
#include "model/limits.hpp"

namespace accelscope::io::onnx_detail {

using ::onnx::GraphProto;
using ::onnx::ModelProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;
using ::onnx::TensorShapeProto;
using ::onnx::ValueInfoProto;

bool TensorInfo::complete() const {
  return has_shape && std::all_of(dims.begin(), dims.end(), [](std::int64_t d) { return d >= 0; });
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  text.erase(
      std::unique(text.begin(), text.end(), [](char a, char b) { return a == ' ' && b == ' '; }),
      text.end());
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > 300) {
    text.resize(297);
    text.append("...");
  }
  return text;
}

std::optional<EinsumProduct> einsum_product(std::string equation,
                                            const std::vector<std::vector<std::int64_t>>& inputs) {
  equation.erase(std::remove(equation.begin(), equation.end(), ' '), equation.end());
  if (inputs.empty() || inputs.size() > 2) return std::nullopt;
  const auto arrow = equation.find("->");
  std::string left = equation.substr(0, arrow);
  std::vector<std::string> terms;
  for (std::size_t start = 0;;) {
    const auto comma = left.find(',', start);
    terms.push_back(left.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != inputs.size()) return std::nullopt;
  // "..." stands for the leading dimensions not named; give them letters no equation uses.
  std::size_t ellipsis_rank = 0;
  auto expand = [&](std::string term, std::size_t rank) -> std::optional<std::string> {
    const auto dots = term.find("...");
    if (dots == std::string::npos) return term.size() == rank ? std::optional(term) : std::nullopt;
    if (term.size() - 3 > rank) return std::nullopt;
    const std::size_t hidden = rank - (term.size() - 3);
    ellipsis_rank = std::max(ellipsis_rank, hidden);
    std::string letters;
    for (std::size_t i = 0; i < hidden; ++i)
      letters += static_cast<char>('0' + (ellipsis_rank - hidden + i));
    return term.replace(dots, 3, letters);
  };
  std::map<char, std::int64_t> size;
  std::vector<std::string> named;
  for (std::size_t t = 0; t < terms.size(); ++t) {
    const auto term = expand(terms[t], inputs[t].size());
    if (!term) return std::nullopt;
    for (std::size_t d = 0; d < term->size(); ++d) {
      std::int64_t& s = size.try_emplace((*term)[d], 1).first->second;
      const std::int64_t dim = inputs[t][d];
      if (s != 1 && dim != 1 && s != dim) return std::nullopt;
      s = std::max(s, dim);
    }
    named.push_back(*term);
  }
  std::string out;
  if (arrow != std::string::npos) {
    std::string explicit_out = equation.substr(arrow + 2);
    const auto dots = explicit_out.find("...");
    if (dots != std::string::npos) {
      std::string letters;
      for (std::size_t i = 0; i < ellipsis_rank; ++i) letters += static_cast<char>('0' + i);
      explicit_out.replace(dots, 3, letters);
    }
    out = explicit_out;
  } else {  // implicit: broadcast letters, then letters used once, alphabetically
    for (std::size_t i = 0; i < ellipsis_rank; ++i) out += static_cast<char>('0' + i);
    std::map<char, int> uses;
    for (const std::string& term : named)
      for (char c : term) ++uses[c];
    for (const auto& [c, n] : uses)
      if (n == 1 && !(c >= '0' && c <= '9')) out += c;
  }
  EinsumProduct p;
  for (char c : out) {
    if (!size.count(c)) return std::nullopt;
    p.output.push_back(size[c]);
  }
  auto in = [&](std::size_t t, char c) {
    return t < named.size() && named[t].find(c) != std::string::npos;
  };
  for (const auto& [c, s] : size) {
    const bool kept = out.find(c) != std::string::npos;
    if (inputs.size() == 1) {
      (kept ? p.m : p.k) *= s;
    } else if (kept) {
      (in(0, c) && in(1, c) ? p.batch : in(0, c) ? p.m : p.n) *= s;
    } else if (in(0, c) && in(1, c)) {
      p.k *= s;
    }
  }
  return p;
}

namespace {

bool has_data(const TensorProto& t) {
  return t.has_raw_data() || t.data_location() == TensorProto::EXTERNAL || t.float_data_size() ||
         t.int32_data_size() || t.int64_data_size() || t.double_data_size() ||
         t.uint64_data_size() || t.string_data_size();
}

std::string node_label(const NodeProto& node, int index) {
  std::string name = node.name();
  if (name.empty()) name = node.op_type() + "_" + std::to_string(index);
  return "node '" + name + "' (" + node.op_type() + ")";
}

int default_opset(const ModelProto& model, const std::string& file) {
  for (const auto& opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return static_cast<int>(opset.version());
  throw InputError(file +
                   ": the model imports no version of the default ONNX operator set "
                   "(opset_import has no entry for domain \"\")");
}

// Every node input must exist before the node: catches truncated and hand-broken files.
// Attributes ONNX's shape inference divides by or sizes with, checked before it runs: a stride of
// 0 made it divide by zero (SIGFPE inside libonnx, found by fuzzing).
void check_attributes(const NodeProto& node, int index, const std::string& file) {
  struct Rule {
    std::string_view name;
    std::int64_t min;
  };
  constexpr Rule kRules[] = {{"strides", 1},        {"dilations", 1},   {"kernel_shape", 1},
                             {"blocksize", 1},      {"group", 1},       {"pads", 0},
                             {"output_padding", 0}, {"output_shape", 0}};
  constexpr std::int64_t kMax = model::limits::kMaxDimension;
  for (const auto& attribute : node.attribute())
    for (const Rule& rule : kRules) {
      if (attribute.name() != rule.name) continue;
      auto check = [&](std::int64_t value) {
        if (value < rule.min || value > kMax)
          throw InputError(file + ": " + node_label(node, index) + ": attribute '" +
                           attribute.name() + "' = " + std::to_string(value) +
                           ", allowed: integers from " + std::to_string(rule.min) + " to " +
                           std::to_string(kMax));
      };
      if (attribute.has_i()) check(attribute.i());
      for (std::int64_t value : attribute.ints()) check(value);
    }
}

void check_structure(const GraphProto& graph, const std::string& file) {
  for (int i = 0; i < graph.node_size(); ++i) check_attributes(graph.node(i), i, file);
  std::unordered_set<std::string> defined;
  for (const auto& input : graph.input()) defined.insert(input.name());
  for (const auto& init : graph.initializer()) defined.insert(init.name());
  for (int i = 0; i < graph.node_size(); ++i) {
    const NodeProto& node = graph.node(i);
    for (const std::string& input : node.input())
      if (!input.empty() && !defined.count(input))
        throw InputError(file + ": " + node_label(node, i) + ": input '" + input +
                         "' is not produced by any earlier node, initializer or graph input "
                         "(the file is truncated, or the graph is not topologically sorted)");
    for (const std::string& output : node.output()) defined.insert(output);
  }
  for (const auto& output : graph.output())
    if (!defined.count(output.name()))
      throw InputError(file + ": graph output '" + output.name() +
                       "' is not produced by any node (the file is truncated or incomplete)");
}

// Initializers stored with dimensions but no data become typed graph inputs, so shape inference
// sees them as tensors of known shape (a model stripped of its weights).
void shape_only_initializers_to_inputs(GraphProto& graph, std::unordered_set<std::string>& names) {
  std::unordered_set<std::string> input_names;
  for (const auto& input : graph.input()) input_names.insert(input.name());
  auto* inits = graph.mutable_initializer();
  for (int i = 0; i < inits->size();) {
    const TensorProto& t = inits->Get(i);
    names.insert(t.name());
    if (has_data(t)) {
      ++i;
      continue;
    }
    if (!input_names.count(t.name())) {
      ValueInfoProto* input = graph.add_input();
      input->set_name(t.name());
      auto* tensor_type = input->mutable_type()->mutable_tensor_type();
      tensor_type->set_elem_type(t.data_type());
      auto* shape = tensor_type->mutable_shape();
      for (std::int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
    inits->DeleteSubrange(i, 1);
  }
}

std::string dynamic_names_list(const std::vector<std::string>& names) {
  if (names.empty()) return "it has none";
  std::string text = "its dynamic dimensions: ";
  for (std::size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + names[i];
  return text;
}

void bind_dimensions(GraphProto& graph, const std::unordered_set<std::string>& initializers,
                     const std::string& file,
                     const std::map<std::string, std::int64_t, std::less<>>& dims,
                     std::optional<std::int64_t> batch,
                     std::unordered_set<std::string>& symbolic_inputs) {
  std::map<std::string, std::int64_t, std::less<>> bindings = dims;
  std::vector<std::string> dynamic_names;
  bool first = true;
  for (const auto& input : graph.input()) {
    if (initializers.count(input.name())) continue;
    if (!input.type().has_tensor_type())
      throw InputError(file + ": input '" + input.name() +
                       "' is not a tensor (sequences, maps and optionals are not supported)");
    const auto& tensor_type = input.type().tensor_type();
    if (!tensor_type.has_shape())
      throw InputError(file + ": input '" + input.name() +
                       "' has no shape (not even a rank): re-export the model with input shapes");
    for (int d = 0; d < tensor_type.shape().dim_size(); ++d) {
      const auto& dim = tensor_type.shape().dim(d);
      if (!dim.has_dim_param()) continue;
      symbolic_inputs.insert(input.name());
      if (std::find(dynamic_names.begin(), dynamic_names.end(), dim.dim_param()) ==
          dynamic_names.end())
        dynamic_names.push_back(dim.dim_param());
      if (first && d == 0 && batch) bindings[dim.dim_param()] = *batch;
    }
    first = false;
  }
  for (const auto& [name, value] : dims) {
    if (std::find(dynamic_names.begin(), dynamic_names.end(), name) == dynamic_names.end())
      throw InputError(file + ": --dim " + name + "=" + std::to_string(value) +
                       ": the model has no dynamic input dimension named '" + name + "' (" +
                       dynamic_names_list(dynamic_names) + ")");
    if (value < 1)
      throw InputError(file + ": --dim " + name + "=" + std::to_string(value) +
                       ": allowed: an integer >= 1");
  }
  // leading: the first data input, whose dimension 0 --batch binds.
  auto bind_shape = [&](TensorShapeProto& shape, const std::string& tensor, bool required,
                        bool leading) {
    for (int d = 0; d < shape.dim_size(); ++d) {
      auto* dim = shape.mutable_dim(d);
      if (dim->has_dim_value()) {
        if (required && (dim->dim_value() < 0 || dim->dim_value() > model::limits::kMaxDimension))
          throw InputError(file + ": input '" + tensor + "' dimension " + std::to_string(d) +
                           " = " + std::to_string(dim->dim_value()) + ", allowed: 0 to " +
                           std::to_string(model::limits::kMaxDimension));
        continue;
      }
      if (dim->has_dim_param()) {
        const auto it = bindings.find(dim->dim_param());
        if (it != bindings.end()) {
          dim->set_dim_value(it->second);
          continue;
        }
        if (required)
          throw InputError(file + ": input '" + tensor + "' dimension " + std::to_string(d) +
                           " ('" + dim->dim_param() + "') is dynamic: give its value with --dim " +
                           dim->dim_param() + "=N" +
                           (d == 0 && leading ? " (or --batch N)" : " (accelscope import-onnx)"));
      } else if (required) {
        throw InputError(file + ": input '" + tensor + "' dimension " + std::to_string(d) +
                         " has neither a size nor a name: re-export the model with a fixed or "
                         "named size for it");
      }
    }
  };
  bool leading = true;
  for (auto& input : *graph.mutable_input()) {
    const bool data = !initializers.count(input.name());
    if (input.type().has_tensor_type() && input.type().tensor_type().has_shape())
      bind_shape(*input.mutable_type()->mutable_tensor_type()->mutable_shape(), input.name(), data,
                 leading && data);
    if (data) leading = false;
  }
  for (auto& output : *graph.mutable_output())
    if (output.type().has_tensor_type() && output.type().tensor_type().has_shape())
      bind_shape(*output.mutable_type()->mutable_tensor_type()->mutable_shape(), output.name(),
                 false, false);
}

TensorInfo info_of(const ::onnx::TypeProto& type) {
  TensorInfo info;
  if (!type.has_tensor_type()) return info;
  const auto& tensor_type = type.tensor_type();
  info.elem_type = tensor_type.elem_type();
  if (!tensor_type.has_shape()) return info;
  info.has_shape = true;
  for (const auto& dim : tensor_type.shape().dim()) {
    info.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    info.dim_names.push_back(dim.has_dim_param() ? dim.dim_param() : "");
  }
  return info;
}

void collect_tensors(const GraphProto& graph, std::unordered_map<std::string, TensorInfo>& out) {
  out.clear();
  for (const auto& init : graph.initializer()) {
    TensorInfo info;
    info.has_shape = true;
    info.elem_type = init.data_type();
    info.dims.assign(init.dims().begin(), init.dims().end());
    info.dim_names.assign(info.dims.size(), "");
    out[init.name()] = info;
  }
  for (const auto* list : {&graph.input(), &graph.value_info(), &graph.output()})
    for (const ValueInfoProto& v : *list) {
      TensorInfo info = info_of(v.type());
      auto [it, inserted] = out.emplace(v.name(), info);
      // Prefer the most complete description (a declared output may be vaguer than inferred).
      if (!inserted && info.complete() && !it->second.complete()) it->second = info;
    }
}

void replace_with_constant(NodeProto& node, const StaticValue& value) {
  const std::string name = node.name();
  const std::string output = node.output(0);
  node.Clear();
  node.set_name(name);
  node.set_op_type("Constant");
  node.add_output(output);
  auto* attribute = node.add_attribute();
  attribute->set_name("value");
  attribute->set_type(::onnx::AttributeProto::TENSOR);
  *attribute->mutable_t() = to_tensor(value, output);
}

}  // namespace

BoundModel bind_and_infer(const std::string& bytes, const std::string& file,
                          const std::map<std::string, std::int64_t, std::less<>>& dims,
                          std::optional<std::int64_t> batch, bool assume_unknown_elementwise) {
  BoundModel bound;
  ModelProto& model = bound.model;
  if (!model.ParseFromString(bytes))
    throw InputError(file +
                     ": not a valid ONNX model: its protobuf could not be parsed (the file is "
                     "corrupt, truncated or not an .onnx model)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw InputError(file +
                     ": not an ONNX model: it has no graph nodes (an empty, corrupt or "
                     "non-ONNX file)");
  bound.opset = default_opset(model, file);
  GraphProto& graph = *model.mutable_graph();
  check_structure(graph, file);
  shape_only_initializers_to_inputs(graph, bound.initializers);
  for (const auto& input : graph.input())
    if (!bound.initializers.count(input.name())) bound.inputs.push_back(input.name());
  if (bound.inputs.empty())
    throw InputError(file + ": the graph has no inputs besides initializers");
  bind_dimensions(graph, bound.initializers, file, dims, batch, bound.symbolic_inputs);

  for (const auto& init : graph.initializer())
    if (auto value = value_of(init)) bound.values.emplace(init.name(), std::move(*value));

  // Each round infers shapes as far as ONNX can, then evaluates the shape arithmetic that became
  // computable and freezes it into Constants; a chain of reshapes resolves one link per round.
  const ::onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict=*/1,
                                              /*data_propagation=*/true);
  // Outputs of ops without a schema, assumed shaped like their first input (element-wise).
  std::unordered_map<std::string, ::onnx::TypeProto> assumed;
  for (;;) {
    graph.clear_value_info();
    for (const auto& [name, type] : assumed) {
      ValueInfoProto* info = graph.add_value_info();
      info->set_name(name);
      *info->mutable_type() = type;
    }
    try {
      ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception& e) {
      throw InputError(file + ": ONNX shape inference failed: " + one_line(e.what()));
    }
    collect_tensors(graph, bound.tensors);
    ShapeLookup shapes;
    for (const auto& [name, info] : bound.tensors)
      if (info.complete()) shapes.emplace(name, info.dims);
    bool changed = false;
    for (NodeProto& node : *graph.mutable_node()) {
      if (node.output_size() != 1 || bound.values.count(node.output(0))) continue;
      auto result = evaluate_node(node, bound.values, shapes, bound.opset);
      if (!result || result->size() != 1) continue;
      StaticValue& value = (*result)[0];
      shapes[node.output(0)] = value.dims;
      if (node.op_type() != "Constant") {
        replace_with_constant(node, value);
        changed = true;
      }
      bound.values.emplace(node.output(0), std::move(value));
    }
    // ONNX infers only the rank of an Einsum; its shape follows from the equation.
    for (const NodeProto& node : graph.node()) {
      if (node.op_type() != "Einsum" || node.output_size() != 1 || shapes.count(node.output(0)) ||
          assumed.count(node.output(0)))
        continue;
      std::vector<std::vector<std::int64_t>> operand_shapes;
      for (const std::string& in : node.input())
        if (shapes.count(in)) operand_shapes.push_back(shapes.at(in));
      const auto equation =
          std::find_if(node.attribute().begin(), node.attribute().end(),
                       [](const ::onnx::AttributeProto& a) { return a.name() == "equation"; });
      if (operand_shapes.size() != static_cast<std::size_t>(node.input_size()) ||
          equation == node.attribute().end())
        continue;
      const auto product = einsum_product(equation->s(), operand_shapes);
      if (!product) continue;
      ::onnx::TypeProto type;
      auto* tensor_type = type.mutable_tensor_type();
      tensor_type->set_elem_type(bound.tensors.at(node.input(0)).elem_type);
      for (std::int64_t d : product->output)
        tensor_type->mutable_shape()->add_dim()->set_dim_value(d);
      assumed.emplace(node.output(0), type);
      changed = true;
    }
    if (assume_unknown_elementwise)
      for (const NodeProto& node : graph.node()) {
        const std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
        if (::onnx::OpSchemaRegistry::Schema(node.op_type(), domain)) continue;
        const auto input =
            std::find_if(node.input().begin(), node.input().end(),
                         [&](const std::string& in) { return !in.empty() && shapes.count(in); });
        if (input == node.input().end()) continue;
        const TensorInfo& like = bound.tensors.at(*input);
        for (const std::string& out : node.output()) {
          if (out.empty() || shapes.count(out) || assumed.count(out)) continue;
          ::onnx::TypeProto type;
          auto* tensor_type = type.mutable_tensor_type();
          tensor_type->set_elem_type(like.elem_type);
          for (std::int64_t d : like.dims)
            tensor_type->mutable_shape()->add_dim()->set_dim_value(d);
          assumed.emplace(out, type);
          changed = true;
        }
      }
    if (!changed) break;
  }
  return bound;
}

}  // namespace accelscope::io::onnx_detail
