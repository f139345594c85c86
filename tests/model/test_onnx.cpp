// ONNX import: the committed exports (tests/data/onnx, made by scripts/export_onnx_models.py)
// import with the MACs and parameter counts published for each network, the shipped workloads
// (spaces/workloads, made by scripts/make_workloads.sh) equal a fresh import, and bad files give
// one-line errors naming the file and what is wrong.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/loaders.hpp"
#include "engine/workload_stats.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/workload_json.hpp"
#include "model/onnx/onnx_import.hpp"

namespace {

using accelscope::io::InputError;
using accelscope::io::OnnxImport;
using accelscope::io::OnnxImportOptions;
using accelscope::model::Network;
using accelscope::model::Op;
using accelscope::model::OpKind;

const std::string kOnnxDir = std::string(ACCELSCOPE_TEST_SOURCE_DIR) + "/tests/data/onnx";
const std::string kWorkloadDir = std::string(ACCELSCOPE_TEST_DATA_DIR) + "/workloads";

OnnxImport import(const std::string& model,
                  std::map<std::string, std::int64_t, std::less<>> dims = {{"batch", 1}},
                  bool unknown_as_eltwise = false) {
  OnnxImportOptions options;
  options.dims = std::move(dims);
  options.unknown_as_eltwise = unknown_as_eltwise;
  return accelscope::io::import_onnx_file(kOnnxDir + "/" + model + ".onnx", options);
}

std::int64_t parameters(const Network& network) {
  return accelscope::engine::workload_stats(network).parameters;
}

std::size_t count_kind(const Network& network, OpKind kind) {
  return static_cast<std::size_t>(std::count_if(network.ops.begin(), network.ops.end(),
                                                [kind](const Op& op) { return op.kind == kind; }));
}

// The tensor names are the graph: every op reads model inputs or what an earlier op wrote, and
// no tensor is written twice.
void check_edges(const Network& network, const std::set<std::string>& model_inputs) {
  std::set<std::string> written(model_inputs.begin(), model_inputs.end());
  for (const Op& op : network.ops) {
    INFO(op.name);
    CHECK_FALSE(op.outputs.empty());
    for (const std::string& in : op.inputs) CHECK(written.count(in) == 1);
    for (const std::string& out : op.outputs) CHECK(written.insert(out).second);
  }
}

// Known figures are quoted to two decimals (GMAC); equal within that rounding.
void check_gmac(const Network& network, double published_gmac) {
  const double gmac = static_cast<double>(accelscope::model::macs(network)) / 1e9;
  INFO(network.name << ": " << gmac << " GMAC, published " << published_gmac);
  CHECK(std::abs(gmac - published_gmac) <= 0.005 + 1e-9);
}

// Transformer layer MACs at hidden h, sequence s: Q, K, V and output projections (4 h^2 s), the
// attention scores and their product with V (2 s^2 h), and the 4h-wide feed-forward (8 h^2 s).
std::int64_t transformer_layer_macs(std::int64_t h, std::int64_t s) {
  return 4 * h * h * s + 2 * s * s * h + 2 * h * (4 * h) * s;
}
// Parameters of one such layer: four h x h projections with biases, the feed-forward with biases,
// two layer norms (scale and shift).
std::int64_t transformer_layer_parameters(std::int64_t h) {
  return 4 * (h * h + h) + (h * 4 * h + 4 * h) + (4 * h * h + h) + 2 * (2 * h);
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() / ("accelscope_onnx_" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("onnx: ImageNet CNNs import with torchvision's published MACs and parameters", "[onnx]") {
  // torchvision model documentation (docs/source/models, "GFLOPS" column, which counts
  // multiply-accumulates as fvcore does, and "Params"); ResNet-50's 4.09 is the ResNet paper's
  // "3.8 x 10^9 FLOPs" (multiply-adds) counted with torchvision's stride-2 placement.
  struct Known {
    std::string model;
    double gmac;
    std::int64_t params;
    std::size_t convs, batch_norms;
  };
  const std::vector<Known> known = {{"resnet50", 4.09, 25'557'032, 53, 53},
                                    {"resnet18", 1.81, 11'689'512, 20, 20},
                                    {"mobilenet_v2", 0.30, 3'504'872, 52, 52},
                                    {"vgg16", 15.47, 138'357'544, 13, 0},
                                    // without the auxiliary classifiers, as published
                                    {"googlenet", 1.50, 6'624'904, 57, 57},
                                    {"mnasnet", 0.31, 4'383'312, 52, 52}};
  for (const Known& k : known) {
    const OnnxImport imported = import(k.model);
    const Network& network = imported.network;
    INFO(k.model);
    CHECK(imported.unknown_ops.empty());
    CHECK(network.batch == 1);
    CHECK_FALSE(network.training);
    check_gmac(network, k.gmac);
    CHECK(parameters(network) == k.params);
    CHECK(count_kind(network, OpKind::conv2d) == k.convs);
    CHECK(count_kind(network, OpKind::batch_norm) == k.batch_norms);  // kept, not folded
    check_edges(network, {"input"});
  }
  // LeNet-5 (padded 28x28 input): 6x28x28x25 + 16x10x10x150 + 400x120 + 120x84 + 84x10 MACs and
  // the 61,706 parameters of the LeNet-5 paper's layer sizes.
  const Network lenet = import("lenet").network;
  CHECK(accelscope::model::macs(lenet) == 117'600 + 240'000 + 48'000 + 10'080 + 840);
  CHECK(parameters(lenet) == 61'706);
  CHECK(count_kind(lenet, OpKind::conv2d) == 2);
  // Residual sums read both branches.
  const Network resnet = import("resnet18").network;
  const auto add = std::find_if(resnet.ops.begin(), resnet.ops.end(), [](const Op& op) {
    return op.kind == OpKind::eltwise && op.fn == accelscope::model::VectorFn::add;
  });
  REQUIRE(add != resnet.ops.end());
  CHECK(add->inputs.size() == 2);
  CHECK(add->input_elements == 2 * add->output_elements);
  // MobileNetV2's depthwise convolutions keep their groups.
  const Network mobilenet = import("mobilenet_v2").network;
  CHECK(std::any_of(mobilenet.ops.begin(), mobilenet.ops.end(), [](const Op& op) {
    return op.kind == OpKind::conv2d && op.conv.groups == op.conv.in_channels && op.conv.groups > 1;
  }));
}

TEST_CASE("onnx: Transformers import with their analytical MACs and parameters", "[onnx]") {
  const std::int64_t h = 768, layers = 12;
  SECTION("BERT-base encoder, sequence 128 and 512") {
    // Embeddings (30522 words, 512 positions, 2 token types, layer norm) and 12 layers, no
    // pooler: Hugging Face bert-base-uncased's 109,482,240 minus the pooler's 590,592.
    const std::int64_t params =
        (30522 + 512 + 2) * h + 2 * h + layers * transformer_layer_parameters(h);
    CHECK(params == 109'482'240 - 590'592);
    for (const std::int64_t s : {128, 512}) {
      const Network network = import("bert_base", {{"batch", 1}, {"sequence", s}}).network;
      INFO("sequence " << s);
      CHECK(accelscope::model::macs(network) == layers * transformer_layer_macs(h, s));
      CHECK(parameters(network) == params);
      CHECK(count_kind(network, OpKind::layer_norm) == 25);
      CHECK(count_kind(network, OpKind::softmax) == 12);
      // Attention products: two activations, one product per head.
      std::size_t attention = 0;
      for (const Op& op : network.ops)
        if (op.kind == OpKind::matmul && !op.matmul.weights_shared) {
          ++attention;
          CHECK(op.matmul.batch_count == 12);
          CHECK(op.matmul.m == s);
          CHECK(op.parameter_elements == 0);
        }
      CHECK(attention == 24);
      check_edges(network, {"input_ids"});
    }
    CHECK(accelscope::model::macs(import("bert_base", {{"batch", 1}, {"sequence", 128}}).network) ==
          11'173'625'856);  // ~11.2 GMAC
  }
  SECTION("GPT-2 small, sequence 1024") {
    // 12 blocks, then the LM head (h x vocabulary, tied to the token embedding: no parameters of
    // its own). Parameters: Hugging Face gpt2's 124,439,808.
    const std::int64_t s = 1024, vocabulary = 50257;
    const Network network = import("gpt2_small", {{"batch", 1}, {"sequence", s}}).network;
    CHECK(accelscope::model::macs(network) ==
          layers * transformer_layer_macs(h, s) + s * h * vocabulary);
    const std::int64_t params =
        (vocabulary + 1024) * h + layers * transformer_layer_parameters(h) + 2 * h;
    CHECK(params == 124'439'808);
    CHECK(parameters(network) == params);
    CHECK(network.ops.back().kind == OpKind::matmul);
    CHECK(network.ops.back().matmul.n == vocabulary);
    CHECK(network.ops.back().parameter_elements == 0);  // tied
    check_edges(network, {"input_ids"});
  }
  SECTION("torch.nn.TransformerEncoderLayer (opset 13) and DecoderLayer (opset 17)") {
    // d_model 64, 4 heads, feed-forward 128. Opset 13 decomposes layer norm; both the norm and
    // the erf GELU are fused back into one op each.
    const Network encoder = import("torch_encoder_layer", {{"batch", 2}, {"sequence", 16}}).network;
    CHECK(count_kind(encoder, OpKind::layer_norm) == 2);
    CHECK(count_kind(encoder, OpKind::reduce) == 0);
    CHECK(std::count_if(encoder.ops.begin(), encoder.ops.end(), [](const Op& op) {
            return op.fn == accelscope::model::VectorFn::gelu;
          }) == 1);
    const std::int64_t d = 64, ff = 128;
    const std::int64_t attention_params = 3 * d * d + 3 * d + d * d + d;
    const std::int64_t ffn_params = d * ff + ff + ff * d + d;
    CHECK(parameters(encoder) == attention_params + ffn_params + 2 * 2 * d);
    CHECK(accelscope::model::macs(encoder) ==
          2 * (16 * 4 * d * d + 2 * 16 * 16 * d + 2 * 16 * d * ff));
    check_edges(encoder, {"x"});

    const Network decoder =
        import("torch_decoder_layer", {{"batch", 2}, {"sequence", 16}, {"memory_sequence", 10}})
            .network;
    CHECK(count_kind(decoder, OpKind::layer_norm) == 3);
    CHECK(parameters(decoder) == 2 * attention_params + ffn_params + 3 * 2 * d);
    check_edges(decoder, {"x", "memory"});
  }
  SECTION("Einsum attention (MaxViT's form): shapes from the equation, products on the array") {
    const Network network = import("einsum_attention", {{"batch", 3}}).network;
    REQUIRE(network.ops.size() == 4);
    for (const std::size_t i : {0, 2}) {
      CHECK(network.ops[i].kind == OpKind::matmul);
      CHECK_FALSE(network.ops[i].matmul.weights_shared);
      CHECK(network.ops[i].matmul.batch_count == 3 * 4);
    }
    CHECK(network.ops[0].matmul.m == 16);
    CHECK(network.ops[0].matmul.k == 8);
    CHECK(network.ops[0].matmul.n == 16);
    CHECK(network.ops[1].output_elements == 3 * 4 * 16 * 16);  // softmax over the scores
    CHECK(network.ops[2].matmul.k == 16);
    CHECK(network.ops[2].matmul.n == 8);
    CHECK(network.ops[3].kind == OpKind::reduce);  // one operand, a letter summed away
    CHECK(network.ops[3].output_elements == 3 * 16 * 8);
    check_edges(network, {"q", "k", "v"});
  }
}

TEST_CASE("onnx: Shipped workloads equal a fresh ONNX import", "[onnx]") {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kWorkloadDir)) {
    if (entry.path().extension() != ".json") continue;
    nlohmann::json shipped = accelscope::io::read_json_file(entry.path().string());
    if (!shipped.contains("source") || !shipped["source"].contains("onnx")) continue;
    INFO(entry.path().filename().string());
    const nlohmann::json source = shipped["source"];
    OnnxImportOptions options;
    options.name = shipped["name"].get<std::string>();
    if (source.contains("dims"))
      for (const auto& [name, value] : source["dims"].items())
        options.dims[name] = value.get<std::int64_t>();
    const std::string model =
        std::string(ACCELSCOPE_TEST_SOURCE_DIR) + "/" + source["onnx"].get<std::string>();
    const Network fresh = accelscope::io::import_onnx_file(model, options).network;
    shipped.erase("source");
    CHECK(accelscope::io::workload_to_json(fresh) == shipped);

    // The shipped file reads back to the same network, and --batch scales it.
    const Network read = accelscope::io::parse_workload(shipped, entry.path().string());
    CHECK(accelscope::model::macs(read) == accelscope::model::macs(fresh));
    CHECK(parameters(read) == parameters(fresh));
    const Network batch8 = accelscope::io::parse_workload(shipped, entry.path().string(), 8);
    CHECK(accelscope::model::macs(batch8) == 8 * accelscope::model::macs(fresh));
    ++checked;
  }
  CHECK(checked == 10);  // 7 + googlenet, mnasnet, lenet
}

TEST_CASE("onnx: An .onnx workload loads anywhere a workload does, with --batch", "[onnx]") {
  accelscope::engine::WorkloadOptions options;
  options.batch = 4;
  const Network network = accelscope::engine::load_workload(kOnnxDir + "/resnet18.onnx", options);
  CHECK(network.batch == 4);
  CHECK(accelscope::model::macs(network) ==
        4 * accelscope::model::macs(import("resnet18").network));
  // A fixed-batch model is rescaled: the imported network at batch 1, read back at batch 3.
  OnnxImportOptions fixed;
  fixed.dims = {{"batch", 1}};
  fixed.batch = 3;
  const Network rescaled =
      accelscope::io::import_onnx_file(kOnnxDir + "/vgg16.onnx", fixed).network;
  CHECK(rescaled.batch == 3);
  CHECK(accelscope::model::macs(rescaled) == 3 * accelscope::model::macs(import("vgg16").network));
}

TEST_CASE("onnx: Bad ONNX inputs give one-line errors naming the file and the fault", "[onnx]") {
  auto one_line = [](const std::string& message) {
    CHECK(message.find('\n') == std::string::npos);
    return message;
  };
  SECTION("not ONNX: random bytes, an empty file, a JSON file, a directory, a missing file") {
    std::mt19937 random(42);
    std::string bytes(4096, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xff);
    const std::string noise = write_temp("noise.onnx", bytes);
    std::string message = one_line(error_of([&] { accelscope::io::import_onnx_file(noise); }));
    CHECK_THAT(message, Catch::Contains(noise));
    CHECK_THAT(message, Catch::Contains("ONNX model"));
    const std::string empty = write_temp("empty.onnx", "");
    message = one_line(error_of([&] { accelscope::io::import_onnx_file(empty); }));
    CHECK_THAT(message, Catch::Contains(empty + ": not an ONNX model"));
    const std::string json = write_temp("json.onnx", "{\"name\": \"not onnx\"}\n");
    message = one_line(error_of([&] { accelscope::io::import_onnx_file(json); }));
    CHECK_THAT(message, Catch::Contains(json));
    CHECK_THAT(message, Catch::Contains("ONNX model"));
    CHECK_THAT(error_of([&] { accelscope::io::import_onnx_file(kOnnxDir); }),
               Catch::Contains("is a directory"));
    CHECK_THAT(error_of([&] { accelscope::io::import_onnx_file(kOnnxDir + "/missing.onnx"); }),
               Catch::Contains("missing.onnx: cannot open file"));
    for (const auto& f : {noise, empty, json}) std::filesystem::remove(f);
  }
  SECTION("truncated files") {
    const std::string whole = accelscope::io::read_text_file(kOnnxDir + "/resnet18.onnx");
    for (const double fraction : {0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
      const auto size = static_cast<std::size_t>(fraction * static_cast<double>(whole.size()));
      INFO("first " << size << " of " << whole.size() << " bytes");
      const std::string cut = write_temp("cut.onnx", whole.substr(0, size));
      OnnxImportOptions options;
      options.dims = {{"batch", 1}};
      const std::string message =
          one_line(error_of([&] { accelscope::io::import_onnx_file(cut, options); }));
      CHECK_THAT(message, Catch::Contains(cut + ": "));
      CHECK((message.find("could not be parsed") != std::string::npos ||
             message.find("truncated") != std::string::npos ||
             message.find("no graph nodes") != std::string::npos));
      std::filesystem::remove(cut);
    }
  }
  SECTION("dynamic dimensions without a value") {
    std::string message = one_line(error_of([] { import("resnet18", {}); }));
    CHECK_THAT(message, Catch::Contains("resnet18.onnx: input 'input' dimension 0 ('batch') is "
                                        "dynamic: give its value with --dim batch=N"));
    message = one_line(error_of([] { import("bert_base", {{ "batch", 1 }}); }));
    CHECK_THAT(message, Catch::Contains("input 'input_ids' dimension 1 ('sequence') is dynamic"));
    message = one_line(error_of([] { import("resnet18", {{"batch", 1}, { "height", 224 }}); }));
    CHECK_THAT(message,
               Catch::Contains("--dim height=224: the model has no dynamic input "
                               "dimension named 'height' (its dynamic dimensions: batch)"));
    message = one_line(error_of([] { import("resnet18", {{ "batch", 0 }}); }));
    CHECK_THAT(message, Catch::Contains("--dim batch=0: allowed: an integer >= 1"));
  }
  SECTION("an input without a shape") {
    const std::string message = one_line(error_of([] { import("no_shape", {}); }));
    CHECK_THAT(message, Catch::Contains("no_shape.onnx: input 'x' has no shape"));
  }
  SECTION("unsupported ops, with and without --unknown-as-eltwise") {
    // CumSum (a standard op) and Scale (a custom domain's, no ONNX schema, no inferred shape).
    const std::string message = one_line(error_of([] {
      import("unsupported_op", {{ "batch", 4 }});
    }));
    CHECK_THAT(message, Catch::Contains("unsupported_op.onnx: node 'running_total' (CumSum): "
                                        "operator not supported"));
    CHECK_THAT(message, Catch::Contains("2 unsupported node(s), op types: CumSum, Scale"));
    CHECK_THAT(message, Catch::Contains("--unknown-as-eltwise"));
    const OnnxImport imported = import("unsupported_op", {{"batch", 4}}, true);
    CHECK(imported.unknown_ops ==
          std::vector<std::string>{"running_total (CumSum)", "custom_scale (Scale)"});
    const Network& network = imported.network;
    REQUIRE(network.ops.size() == 4);
    for (const std::size_t i : {1, 2}) {
      CHECK(network.ops[i].kind == OpKind::eltwise);
      CHECK(network.ops[i].output_elements == 4 * 64);
    }
    CHECK(network.ops[1].inputs == std::vector<std::string>{"a"});
    CHECK(network.ops[3].input_elements == 4 * 64);  // shaped through the custom op
    check_edges(network, {"x"});
  }
}

#ifdef ACCELSCOPE_TEST_CLI
namespace {
// Runs the tool; returns stdout and stderr together and the exit status.
std::pair<std::string, int> run(const std::string& arguments) {
  const std::string command = std::string(ACCELSCOPE_TEST_CLI) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int status = pclose(pipe);
  return {output, WEXITSTATUS(status)};
}
}  // namespace

TEST_CASE("onnx: accelscope import-onnx and accelscope workloads", "[onnx]") {
  const std::string out = (std::filesystem::temp_directory_path() / "accelscope_onnx_cli.json");
  auto [text, status] = run("import-onnx " + kOnnxDir + "/unsupported_op.onnx --dim batch=2 -o " +
                            out + " --unknown-as-eltwise");
  CHECK(status == 0);
  CHECK_THAT(text, Catch::Contains("warning: 2 unsupported op(s) costed as element-wise over "
                                   "their output: running_total (CumSum), custom_scale (Scale)"));
  const nlohmann::json written = accelscope::io::read_json_file(out);
  CHECK(written.at("batch") == 2);
  CHECK(written.at("source").at("unknown_as_eltwise") == true);
  std::filesystem::remove(out);

  std::tie(text, status) = run("import-onnx " + kOnnxDir + "/unsupported_op.onnx --dim batch=2");
  CHECK(status == 1);
  CHECK_THAT(text, Catch::Contains("node 'running_total' (CumSum)"));
  std::tie(text, status) = run("import-onnx " + kOnnxDir + "/resnet18.onnx --dim batch");
  CHECK(status == 1);
  CHECK_THAT(text, Catch::Contains("--dim 'batch': expected NAME=VALUE"));

  std::tie(text, status) = run("workloads --json --dir " + kWorkloadDir);
  REQUIRE(status == 0);
  const nlohmann::json list = nlohmann::json::parse(text);
  std::map<std::string, nlohmann::json> by_file;
  for (const auto& entry : list) by_file[entry.at("file").get<std::string>()] = entry;
  REQUIRE(by_file.count("bert_base_s128.json"));
  CHECK(by_file["bert_base_s128.json"].at("macs") == 11'173'625'856);
  CHECK(by_file["resnet50.json"].at("parameters") == 25'557'032);
  CHECK(by_file.count("gpt2_small_s1024.json"));
  // The networks the multi-tenant mixes add.
  REQUIRE(by_file.count("googlenet.json"));
  CHECK(by_file["googlenet.json"].at("parameters") == 6'624'904);
  REQUIRE(by_file.count("mnasnet.json"));
  CHECK(by_file["mnasnet.json"].at("parameters") == 4'383'312);
  REQUIRE(by_file.count("lenet.json"));
  CHECK(by_file["lenet.json"].at("macs") == 416'520);
}
#endif
