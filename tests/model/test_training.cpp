// Training graphs: a tiny network whose every backward op is checked by hand, MAC and shape
// invariants on convolutions of every kind, optimizer and footprint arithmetic, SimDIT's ResNet-50
// training iteration, and `accelscope eval --training`.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <tuple>

#include "engine/eval_output.hpp"
#include "engine/loaders.hpp"
#include "model/evaluate.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/technology_io.hpp"
#include "model/io/workload_json.hpp"
#include "model/training.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using model::OpKind;
using model::Phase;

namespace {

// x[2,3,8,8] -> conv0 1x1 -> s -> conv1 3x3/2 pad 1 -> bn1 -> relu1 -> r1 --+--> add1 -> gap ->
//                             \-> down 1x1/2 ------------------------ d1 --/      flat -> fc
// `s` feeds two convolutions (its gradient is a sum); conv0 reads the network input (no
// backward-data).
const char* kTinyJson = R"({
  "name": "tiny", "batch": 2,
  "ops": [
    {"name": "conv0", "type": "conv2d", "in": [3, 8, 8], "out_channels": 4, "kernel": [1, 1],
     "inputs": ["x"], "outputs": ["s"]},
    {"name": "conv1", "type": "conv2d", "in": [4, 8, 8], "out_channels": 8, "kernel": [3, 3],
     "stride": [2, 2], "pad": [1, 1], "inputs": ["s"], "outputs": ["c1"]},
    {"name": "bn1", "type": "batch_norm", "shape": [8, 4, 4], "params": 16,
     "inputs": ["c1"], "outputs": ["b1"]},
    {"name": "relu1", "type": "activation", "fn": "relu", "shape": [8, 4, 4],
     "inputs": ["b1"], "outputs": ["r1"]},
    {"name": "down", "type": "conv2d", "in": [4, 8, 8], "out_channels": 8, "kernel": [1, 1],
     "stride": [2, 2], "inputs": ["s"], "outputs": ["d1"]},
    {"name": "add1", "type": "eltwise", "fn": "add", "shape": [8, 4, 4],
     "inputs": ["r1", "d1"], "outputs": ["a1"]},
    {"name": "gap", "type": "pool", "in": [8, 4, 4], "global": true,
     "inputs": ["a1"], "outputs": ["g1"]},
    {"name": "flat", "type": "reshape", "shape": [8], "inputs": ["g1"], "outputs": ["f1"]},
    {"name": "fc", "type": "matmul", "m": 1, "k": 8, "n": 10, "params": 90,
     "inputs": ["f1"], "outputs": ["logits"]}
  ]})";

model::Network tiny() {
  return io::parse_workload(nlohmann::json::parse(kTinyJson), "tiny.json");
}

const model::Op& find(const model::Network& n, const std::string& name) {
  for (const model::Op& op : n.ops)
    if (op.name == name) return op;
  FAIL("no op named " << name);
  throw std::logic_error("unreachable");
}

bool has(const model::Network& n, const std::string& name) {
  for (const model::Op& op : n.ops)
    if (op.name == name) return true;
  return false;
}

void check_conv(const model::Conv2d& c, std::array<std::int64_t, 6> batch_cin_h_w_cout_groups,
                std::array<std::int64_t, 2> kernel, std::array<int, 2> stride,
                std::array<int, 2> dilation, std::array<int, 2> input_dilation,
                std::array<int, 4> pads, std::array<std::int64_t, 2> out) {
  const auto [batch, cin, h, w, cout, groups] = batch_cin_h_w_cout_groups;
  CHECK(c.batch == batch);
  CHECK(c.in_channels == cin);
  CHECK(c.in_h == h);
  CHECK(c.in_w == w);
  CHECK(c.out_channels == cout);
  CHECK(c.groups == groups);
  CHECK(c.kernel_h == kernel[0]);
  CHECK(c.kernel_w == kernel[1]);
  CHECK(c.stride_h == stride[0]);
  CHECK(c.stride_w == stride[1]);
  CHECK(c.dilation_h == dilation[0]);
  CHECK(c.dilation_w == dilation[1]);
  CHECK(c.input_dilation_h == input_dilation[0]);
  CHECK(c.input_dilation_w == input_dilation[1]);
  CHECK(std::array<int, 4>{c.pad_top, c.pad_bottom, c.pad_left, c.pad_right} == pads);
  CHECK(c.out_h == out[0]);
  CHECK(c.out_w == out[1]);
}

void check_vector(const model::Op& op, OpKind kind, Phase phase, model::VectorFn fn,
                  std::int64_t in, std::int64_t out, std::int64_t work, std::int64_t reduction) {
  INFO(op.name);
  CHECK(op.kind == kind);
  CHECK(op.phase == phase);
  CHECK(op.fn == fn);
  CHECK(op.input_elements == in);
  CHECK(op.output_elements == out);
  CHECK(op.work_elements == work);
  CHECK(op.reduction_elements == reduction);
}

std::vector<std::string> names(const model::Network& n) {
  std::vector<std::string> list;
  for (const model::Op& op : n.ops) list.push_back(op.name);
  return list;
}

// Every array op of the forward network has backward ops with its MACs; backward-data convs
// reproduce the forward input shape. Returns how many backward ops differ from the forward MACs,
// as they must where the forward is not a padded ("same") convolution:
//  - a backward-data conv of stride 1 computes every input pixel (H x W) where the forward
//    computed P x Q; around an unpadded forward it multiplies the padding around dy, as a padded
//    forward does around x (macs() counts padding, not inserted zeros);
//  - a transposed one drops forward output rows that saw only padding (P' x Q' of P x Q).
int check_backward_invariants(const model::Network& forward, const model::Network& training) {
  int differing = 0;
  for (const model::Op& f : forward.ops) {
    if (!f.on_array()) continue;
    INFO(f.name);
    const std::int64_t macs = model::macs(f);
    for (const char* suffix : {".bwd_data", ".bwd_data_a", ".bwd_data_b", ".bwd_weight"}) {
      const std::string name = f.name + suffix;
      if (!has(training, name)) continue;
      const model::Op& b = find(training, name);
      INFO(name);
      const model::Conv2d& c = b.conv;
      const bool data_conv = b.kind == OpKind::conv2d && std::string(suffix) == ".bwd_data" &&
                             f.conv.input_dilation_h == 1 && f.conv.input_dilation_w == 1;
      const bool transposed = c.input_dilation_h > 1 || c.input_dilation_w > 1;
      if (data_conv && transposed) {
        CHECK(model::macs(b) * f.conv.out_h * f.conv.out_w == macs * c.in_h * c.in_w);
      } else if (data_conv) {
        CHECK(model::macs(b) * f.conv.out_h * f.conv.out_w == macs * f.conv.in_h * f.conv.in_w);
      } else {
        CHECK(model::macs(b) == macs);
      }
      if (model::macs(b) != macs) ++differing;
      if (b.kind == OpKind::conv2d && std::string(suffix) == ".bwd_data") {
        CHECK(b.conv.out_channels == f.conv.in_channels);
        CHECK(b.conv.out_h == f.conv.in_h);
        CHECK(b.conv.out_w == f.conv.in_w);
      }
      if (b.kind == OpKind::conv2d && std::string(suffix) == ".bwd_weight") {
        // The output is the weight tensor: K x C/groups x R x S.
        CHECK(b.conv.batch * b.conv.out_channels * b.conv.out_h * b.conv.out_w ==
              f.conv.out_channels * (f.conv.in_channels / f.conv.groups) * f.conv.kernel_h *
                  f.conv.kernel_w);
        CHECK(b.conv.out_h == f.conv.kernel_h);
        CHECK(b.conv.out_w == f.conv.kernel_w);
      }
    }
  }
  return differing;
}

}  // namespace

TEST_CASE("training: every op of a tiny network's iteration, by hand", "[training]") {
  const model::Network forward = tiny();
  model::Network t = model::derive_training(forward);
  CHECK(t.training);
  CHECK(t.batch == 2);

  // Forward, loss and its gradient, backward in reverse order, then one update per parameterised
  // op in forward order. add1 has no backward op (its gradient passes to both inputs unchanged);
  // conv0 has no backward-data (its input is the network input).
  const std::vector<std::string> expected = {"conv0",
                                             "conv1",
                                             "bn1",
                                             "relu1",
                                             "down",
                                             "add1",
                                             "gap",
                                             "flat",
                                             "fc",
                                             "loss",
                                             "loss.grad",
                                             "fc.bwd_data",
                                             "fc.bwd_weight",
                                             "fc.bwd_bias",
                                             "flat.bwd_data",
                                             "gap.bwd_data",
                                             "down.bwd_data",
                                             "down.bwd_weight",
                                             "relu1.bwd_data",
                                             "bn1.bwd_sums",
                                             "bn1.bwd_data",
                                             "conv1.bwd_data",
                                             "conv1.bwd_weight",
                                             "grad_sum(s)#1",
                                             "conv0.bwd_weight",
                                             "conv0.update",
                                             "conv1.update",
                                             "bn1.update",
                                             "down.update",
                                             "fc.update"};
  REQUIRE(names(t) == expected);

  SECTION("forward: unchanged but batch norm computes batch statistics") {
    for (std::size_t i = 0; i < forward.ops.size(); ++i) CHECK(t.ops[i].phase == Phase::forward);
    CHECK(model::macs(find(t, "conv1")) == model::macs(find(forward, "conv1")));
    // 8 channels, each a reduction over N*H*W = 2*4*4; statistics then normalisation.
    check_vector(find(t, "bn1"), OpKind::batch_norm, Phase::forward, model::VectorFn::batch_norm,
                 256, 256, 512, 32);
    // Cross entropy over 2 rows of 10 logits.
    check_vector(find(t, "loss"), OpKind::loss, Phase::forward, model::VectorFn::loss, 20, 2, 20,
                 10);
    check_vector(find(t, "loss.grad"), OpKind::loss, Phase::backward_data, model::VectorFn::loss,
                 20, 20, 20, 10);
  }

  SECTION("fully connected: dX = dY W^T, dW = X^T dY, bias = column sums of dY") {
    const model::Op& d = find(t, "fc.bwd_data");
    CHECK(d.phase == Phase::backward_data);
    CHECK(std::tuple(d.matmul.batch_count, d.matmul.m, d.matmul.k, d.matmul.n,
                     d.matmul.weights_shared) == std::tuple(1, 2, 10, 8, true));
    const model::Op& w = find(t, "fc.bwd_weight");
    CHECK(w.phase == Phase::backward_weight);
    CHECK(std::tuple(w.matmul.batch_count, w.matmul.m, w.matmul.k, w.matmul.n,
                     w.matmul.weights_shared) == std::tuple(1, 8, 2, 10, false));
    CHECK(model::macs(d) == 160);
    CHECK(model::macs(w) == 160);
    check_vector(find(t, "fc.bwd_bias"), OpKind::reduce, Phase::backward_weight,
                 model::VectorFn::reduce, 20, 10, 20, 2);
  }

  SECTION("reshape, pooling, relu, batch norm and the residual sum") {
    check_vector(find(t, "flat.bwd_data"), OpKind::reshape, Phase::backward_data,
                 model::VectorFn::copy, 16, 16, 16, 0);
    // Global average pooling: each of the 16 gradients spread over its 4x4 window.
    check_vector(find(t, "gap.bwd_data"), OpKind::pool, Phase::backward_data, model::VectorFn::pool,
                 16, 256, 256, 0);
    // relu: mask from the saved output (256) applied to the gradient (256).
    const model::Op& relu = find(t, "relu1.bwd_data");
    check_vector(relu, OpKind::activation, Phase::backward_data, model::VectorFn::relu, 512, 256,
                 256, 0);
    CHECK(relu.inputs[0] == "r1");
    // dgamma, dbeta: 2 sums per channel over N*H*W = 32, reading x and dy.
    check_vector(find(t, "bn1.bwd_sums"), OpKind::reduce, Phase::backward_weight,
                 model::VectorFn::reduce, 512, 16, 512, 32);
    // dx: x, dy and the 2 x 8 sums in, one gradient out.
    check_vector(find(t, "bn1.bwd_data"), OpKind::batch_norm, Phase::backward_data,
                 model::VectorFn::batch_norm, 528, 256, 256, 0);
    // s feeds conv1 and down: their two gradients (2 x 4x8x8 each) are added.
    const model::Op& sum = find(t, "grad_sum(s)#1");
    check_vector(sum, OpKind::eltwise, Phase::backward_data, model::VectorFn::add, 1024, 512, 512,
                 0);
    CHECK(sum.inputs == std::vector<std::string>{"grad(s)@down", "grad(s)@conv1"});
    CHECK(find(t, "conv0.bwd_weight").inputs == std::vector<std::string>{"x", "grad(s)"});
    // The add's gradient reaches relu and down unchanged.
    CHECK(find(t, "relu1.bwd_data").inputs[1] == find(t, "gap.bwd_data").outputs[0]);
    CHECK(find(t, "down.bwd_data").inputs[0] == find(t, "gap.bwd_data").outputs[0]);
  }

  SECTION("convolutions: backward-data transposed, backward-weight with channels in the batch") {
    // conv1: 4->8, 3x3, stride 2, pad 1, 8x8 -> 4x4. Backward-data: the 4x4 gradient with zeros
    // inserted (7x7), padded 1 before (kernel reach 2 - pad 1) and 2 after (absorbing the input
    // row the stride skipped), 3x3 kernel: 7 + 3 - 3 + 1 = 8 = the input.
    check_conv(find(t, "conv1.bwd_data").conv, {2, 8, 4, 4, 4, 1}, {3, 3}, {1, 1}, {1, 1}, {2, 2},
               {1, 2, 1, 2}, {8, 8});
    // Backward-weight: batch = C = 4, channels = N = 2, the 8x8 input (pad 1 before; the bottom
    // pad the forward windows never reached is cropped: reach = 3*2 + 2 + 1 = 9 = 1 + 8), kernel =
    // the 4x4 gradient dilated by the stride: (9 - 7) + 1 = 3 = R.
    check_conv(find(t, "conv1.bwd_weight").conv, {4, 2, 8, 8, 8, 1}, {4, 4}, {1, 1}, {2, 2}, {1, 1},
               {1, 0, 1, 0}, {3, 3});
    CHECK(model::macs(find(t, "conv1.bwd_data")) == 9216);
    CHECK(model::macs(find(t, "conv1.bwd_weight")) == 9216);
    // down: 4->8, 1x1, stride 2, 8x8 -> 4x4: 7 + 0 + 1 = 8; its weight gradient needs input rows
    // 0..6 only (reach 3*2 + 1 = 7): the 8th row is cropped.
    check_conv(find(t, "down.bwd_data").conv, {2, 8, 4, 4, 4, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 2},
               {0, 1, 0, 1}, {8, 8});
    check_conv(find(t, "down.bwd_weight").conv, {4, 2, 7, 7, 8, 1}, {4, 4}, {1, 1}, {2, 2}, {1, 1},
               {0, 0, 0, 0}, {1, 1});
    CHECK(model::macs(find(t, "down.bwd_weight")) == 1024);
    // conv0: 3->4, 1x1 on 8x8: batch 3, channels 2, the 8x8 gradient as the kernel.
    check_conv(find(t, "conv0.bwd_weight").conv, {3, 2, 8, 8, 4, 1}, {8, 8}, {1, 1}, {1, 1}, {1, 1},
               {0, 0, 0, 0}, {1, 1});
    CHECK(model::macs(find(t, "conv0.bwd_weight")) == 1536);
    CHECK(check_backward_invariants(forward, t) == 0);
  }

  SECTION("phases present and ordered: forward, backward, update") {
    std::array<int, model::kNumPhases> count{};
    int last_rank = 0;
    for (const model::Op& op : t.ops) {
      ++count[static_cast<std::size_t>(op.phase)];
      const int rank = op.phase == Phase::forward ? 0 : op.phase == Phase::update ? 2 : 1;
      CHECK(rank >= last_rank);
      last_rank = rank;
    }
    CHECK(count == std::array<int, model::kNumPhases>{10, 9, 6, 5});
  }

  SECTION("backward convolutions round-trip through the native JSON format") {
    // (Array ops only: the writer does not yet emit pooling ops in a form its parser reads.)
    model::Network array_ops = t;
    std::erase_if(array_ops.ops, [](const model::Op& op) { return !op.on_array(); });
    const model::Network back =
        io::parse_workload(io::workload_to_json(array_ops), "round-trip.json");
    REQUIRE(back.ops.size() == array_ops.ops.size());
    CHECK(model::macs(back) == model::macs(t));
    CHECK(find(back, "conv1.bwd_data").conv.out_h == 8);
    CHECK(find(back, "conv1.bwd_data").conv.input_dilation_h == 2);
    CHECK(find(back, "conv1.bwd_weight").conv.batch == 4);
    CHECK(find(back, "fc.bwd_weight").matmul.weights_shared == false);
  }

  SECTION("a training graph cannot be derived again") {
    CHECK_THROWS_AS(model::derive_training(t), std::invalid_argument);
  }
}

TEST_CASE("training: optimizer element counts", "[training]") {
  const model::Network forward = tiny();
  // Parameters: conv0 12, conv1 288, bn1 16, down 32, fc 80 + 10.
  const std::map<std::string, std::int64_t> params = {
      {"conv0", 12}, {"conv1", 288}, {"bn1", 16}, {"down", 32}, {"fc", 90}};
  // (reads, writes) per parameter: sgd w,g -> w; momentum w,g,v -> w,v; adam w,g,m,v -> w,m,v.
  for (auto [optimizer, reads, writes] :
       {std::tuple(model::Optimizer::sgd, 2, 1), std::tuple(model::Optimizer::momentum, 3, 2),
        std::tuple(model::Optimizer::adam, 4, 3)}) {
    INFO(model::to_string(optimizer));
    model::TrainingOptions options;
    options.optimizer = optimizer;
    const model::Network t = model::derive_training(forward, options);
    for (const auto& [name, p] : params) {
      const model::Op& u = find(t, name + ".update");
      check_vector(u, OpKind::optimizer, Phase::update, model::VectorFn::optimizer, reads * p,
                   writes * p, p, 0);
      CHECK(u.parameter_elements == p);
    }
  }
  CHECK(model::parse_optimizer("adam") == model::Optimizer::adam);
  CHECK_THROWS_AS(model::parse_optimizer("lamb"), std::invalid_argument);
}

TEST_CASE("training: memory footprint by hand", "[training]") {
  const model::Network forward = tiny();
  // Activations read by backward ops: x (2*3*64 = 384, by conv0's weight gradient), s (512, by
  // conv1's and down's), c1 (256, batch norm), r1 (256, relu mask), f1 = g1 (16, fc's weight
  // gradient; a reshape is a view), logits (20, the loss gradient). 1444 elements.
  // Parameters 12 + 288 + 16 + 32 + 90 = 438.
  model::FootprintPrecisions fp32;
  for (auto [optimizer, state] :
       {std::pair(model::Optimizer::sgd, 0), std::pair(model::Optimizer::momentum, 438),
        std::pair(model::Optimizer::adam, 876)}) {
    model::TrainingOptions options;
    options.optimizer = optimizer;
    const model::TrainingFootprint f =
        model::footprint(model::derive_training(forward, options), fp32);
    CHECK(f.parameter_elements == 438);
    CHECK(f.activation_elements == 1444);
    CHECK(f.optimizer_state_elements == state);
    CHECK(f.weights_bytes == 438 * 4);
    CHECK(f.gradients_bytes == 438 * 4);
    CHECK(f.activations_bytes == 1444 * 4);
    CHECK(f.optimizer_state_bytes == state * 4);
    CHECK(f.total_bytes() == (438 * 2 + 1444 + state) * 4);
    // From the forward network directly: the same.
    CHECK(model::footprint(forward, fp32, options).total_bytes() == f.total_bytes());
  }
  // Mixed precisions: bf16 weights, gradients and activations, fp32 optimizer state.
  model::FootprintPrecisions mixed{model::Precision::bf16, model::Precision::bf16,
                                   model::Precision::bf16, model::Precision::fp32};
  model::TrainingOptions adam;
  adam.optimizer = model::Optimizer::adam;
  CHECK(model::footprint(forward, mixed, adam).total_bytes() == (438 * 2 + 1444) * 2 + 876 * 4);

  model::DramSpec dram;
  const model::TrainingFootprint f = model::footprint(forward, fp32);
  CHECK(model::fits_in_dram(f, dram));  // capacity not modelled
  dram.capacity_gib = 9280.0 / (1024.0 * 1024.0 * 1024.0);
  CHECK(f.total_bytes() == 9280);
  CHECK(model::fits_in_dram(f, dram));
  dram.capacity_gib = 9279.0 / (1024.0 * 1024.0 * 1024.0);
  CHECK_FALSE(model::fits_in_dram(f, dram));
}

TEST_CASE("training: grouped, dilated and transposed convolutions, attention, transformer ops",
          "[training]") {
  const nlohmann::json j = nlohmann::json::parse(R"({
    "name": "mixed", "batch": 2,
    "ops": [
      {"name": "stem", "type": "conv2d", "in": [3, 15, 15], "out_channels": 16, "kernel": [3, 3],
       "stride": [2, 2], "inputs": ["x"], "outputs": ["a"]},
      {"name": "dw", "type": "conv2d", "in": [16, 7, 7], "out_channels": 32, "kernel": [5, 5],
       "stride": [2, 2], "pad": [2, 1, 2, 1], "groups": 16, "inputs": ["a"], "outputs": ["b"]},
      {"name": "dil", "type": "conv2d", "in": [32, 4, 4], "out_channels": 32, "kernel": [3, 3],
       "pad": [2, 2], "dilation": [2, 2], "groups": 4, "inputs": ["b"], "outputs": ["c"]},
      {"name": "up", "type": "conv2d", "in": [32, 4, 4], "out_channels": 8, "kernel": [3, 3],
       "pad": [1, 2, 1, 2], "input_dilation": [2, 2], "inputs": ["c"], "outputs": ["d"]},
      {"name": "flat", "type": "reshape", "shape": [16, 32], "inputs": ["d"], "outputs": ["tokens"]},
      {"name": "ln", "type": "layer_norm", "shape": [16, 32], "params": 64,
       "inputs": ["tokens"], "outputs": ["h"]},
      {"name": "qkv", "type": "matmul", "m": 16, "k": 32, "n": 96, "inputs": ["h"],
       "outputs": ["qkv"]},
      {"name": "split", "type": "data_move", "shape": [3, 16, 32], "inputs": ["qkv"],
       "outputs": ["q", "k", "v"]},
      {"name": "scores", "type": "matmul", "m": 16, "k": 32, "n": 16, "weights_shared": false,
       "inputs": ["q", "k"], "outputs": ["s"]},
      {"name": "softmax", "type": "softmax", "shape": [16, 16], "inputs": ["s"], "outputs": ["p"]},
      {"name": "context", "type": "matmul", "m": 16, "k": 16, "n": 32, "weights_shared": false,
       "inputs": ["p", "v"], "outputs": ["o"]},
      {"name": "gelu", "type": "activation", "fn": "gelu", "shape": [16, 32], "inputs": ["o"],
       "outputs": ["g"]},
      {"name": "gate", "type": "eltwise", "fn": "mul", "shape": [16, 32], "inputs": ["g", "h"],
       "outputs": ["y"]},
      {"name": "head", "type": "matmul", "m": 1, "k": 512, "n": 4, "inputs": ["y"],
       "outputs": ["logits"]}
    ]})");
  const model::Network forward = io::parse_workload(j, "mixed.json");
  const model::Network t = model::derive_training(forward);
  CHECK(check_backward_invariants(forward, t) == 0);
  CHECK_FALSE(has(t, "stem.bwd_data"));

  // Grouped conv (16 groups of 1 -> 2 channels), 5x5, stride 2, padding 2 before and 1 after:
  // 7x7 -> 3x3. Backward-data: the 3x3 gradient zero-filled to 5x5, padded 4 - 2 = 2 before and
  // (7 - 1) - (3 - 1)*2 + 2 = 4 after: 5 + 6 - 5 + 1 = 7.
  check_conv(find(t, "dw.bwd_data").conv, {2, 32, 3, 3, 16, 16}, {5, 5}, {1, 1}, {1, 1}, {2, 2},
             {2, 4, 2, 4}, {7, 7});
  // Backward-weight: batch = C/groups = 1, channels = groups * N = 32; the windows reach
  // (3 - 1)*2 + 5 = 9 of the 2 + 7 + 1 = 10 padded rows: the bottom pad is cropped, 9 - 5 + 1 = 5.
  check_conv(find(t, "dw.bwd_weight").conv, {1, 32, 7, 7, 32, 16}, {3, 3}, {1, 1}, {2, 2}, {1, 1},
             {2, 0, 2, 0}, {5, 5});
  // Dilated grouped conv: the backward kernels keep the dilation (backward-data) or turn it into
  // the stride (backward-weight).
  CHECK(find(t, "dil.bwd_data").conv.dilation_h == 2);
  CHECK(find(t, "dil.bwd_weight").conv.stride_h == 2);
  // A transposed forward conv: backward-data is a strided conv (gradients of real pixels only),
  // backward-weight a per-group matmul.
  const model::Op& up_data = find(t, "up.bwd_data");
  CHECK(up_data.conv.stride_h == 2);
  CHECK(up_data.conv.input_dilation_h == 1);
  CHECK(find(t, "up.bwd_weight").kind == OpKind::matmul);

  // Attention: both operands are activations and both get a gradient; the split's three
  // gradients are concatenated back.
  for (const char* name :
       {"scores.bwd_data_a", "scores.bwd_data_b", "context.bwd_data_a", "context.bwd_data_b"}) {
    INFO(name);
    CHECK(find(t, name).phase == Phase::backward_data);
    CHECK_FALSE(find(t, name).matmul.weights_shared);
  }
  const model::Op& dq = find(t, "scores.bwd_data_a");  // dQ[16x32] = dS[16x16] K^T
  CHECK(std::tuple(dq.matmul.batch_count, dq.matmul.m, dq.matmul.k, dq.matmul.n) ==
        std::tuple(2, 16, 16, 32));
  const model::Op& dk = find(t, "scores.bwd_data_b");  // dK[32x16] = Q^T dS
  CHECK(std::tuple(dk.matmul.batch_count, dk.matmul.m, dk.matmul.k, dk.matmul.n) ==
        std::tuple(2, 32, 16, 16));
  check_vector(find(t, "split.bwd_data"), OpKind::data_move, Phase::backward_data,
               model::VectorFn::copy, 3072, 3072, 3072, 0);
  // Softmax: y and dy in, a row sum of dy*y over 16.
  check_vector(find(t, "softmax.bwd_data"), OpKind::softmax, Phase::backward_data,
               model::VectorFn::mul, 1024, 512, 1024, 16);
  check_vector(find(t, "gelu.bwd_data"), OpKind::activation, Phase::backward_data,
               model::VectorFn::gelu, 2048, 1024, 1024, 0);
  CHECK(find(t, "gelu.bwd_data").inputs[0] == "o");  // the derivative at the saved input
  // Layer norm: dgamma/dbeta over the 32 rows, dx with two row sums over 32 features.
  check_vector(find(t, "ln.bwd_weight"), OpKind::reduce, Phase::backward_weight,
               model::VectorFn::reduce, 2048, 64, 2048, 32);
  check_vector(find(t, "ln.bwd_data"), OpKind::layer_norm, Phase::backward_data,
               model::VectorFn::layer_norm, 2048, 1024, 2048, 32);
  // The gate multiplies g by h: each gets dy times the other; h also feeds qkv, so its two
  // gradients are summed.
  check_vector(find(t, "gate.bwd_data0"), OpKind::eltwise, Phase::backward_data,
               model::VectorFn::mul, 2048, 1024, 1024, 0);
  check_vector(find(t, "gate.bwd_data1"), OpKind::eltwise, Phase::backward_data,
               model::VectorFn::mul, 2048, 1024, 1024, 0);
  CHECK(has(t, "grad_sum(h)#1"));
  CHECK(has(t, "grad_sum(qkv)#1") == false);

  // The evaluator costs every op of the iteration.
  const model::Accelerator a =
      engine::load_hardware(testing::data_dir() + "/hardware/edge_16x16_int8.json");
  const model::Technology tech = io::technology_at(io::load_default_tech_library(), a.tech_node_nm);
  const model::NetworkReport report = model::evaluate(a, t, tech);
  CHECK(report.total.all.macs == static_cast<double>(model::macs(t)));
  for (std::size_t p = 0; p < model::kNumPhases; ++p)
    CHECK(report.total.by_phase[p].total_cycles > 0);
}

TEST_CASE("training: embeddings, tied weights and a per-token loss", "[training]") {
  const nlohmann::json j = nlohmann::json::parse(R"({
    "name": "lm", "batch": 2,
    "ops": [
      {"name": "embed", "type": "data_move", "shape": [16, 32], "params": 3200,
       "inputs": ["ids"], "outputs": ["e"]},
      {"name": "head", "type": "matmul", "m": 16, "k": 32, "n": 100, "params": 0,
       "inputs": ["e"], "outputs": ["logits"]}
    ]})");
  const model::Network t = model::derive_training(io::parse_workload(j, "lm.json"));
  // The table's gradient: dy scattered into all 100 x 32 entries; no gradient for the ids.
  check_vector(find(t, "embed.bwd_weight"), OpKind::reduce, Phase::backward_weight,
               model::VectorFn::reduce, 1024, 3200, 1024, 1);
  CHECK_FALSE(has(t, "embed.bwd_data"));
  // The head's weights are the table (tied, counted on embed): gradient computed, one update.
  CHECK(model::macs(find(t, "head.bwd_weight")) == 2 * 16 * 32 * 100);
  CHECK_FALSE(has(t, "head.update"));
  CHECK(find(t, "embed.update").parameter_elements == 3200);
  // Cross entropy per token: 32 rows of 100 classes.
  check_vector(find(t, "loss"), OpKind::loss, Phase::forward, model::VectorFn::loss, 3200, 32, 3200,
               100);
}

TEST_CASE("training: a topology without tensor names is a chain", "[training]") {
  const model::Network forward =
      io::read_scalesim_topology(testing::reference_dir() + "/scalesim/resnet50_topology.csv", 1);
  const model::Network t = model::derive_training(forward);
  std::array<int, model::kNumPhases> convs{};
  for (const model::Op& op : t.ops)
    if (op.on_array()) ++convs[static_cast<std::size_t>(op.phase)];
  const int layers = static_cast<int>(forward.ops.size());
  CHECK(convs[0] == layers);
  CHECK(convs[1] == layers - 1);  // the first layer's input is the network input
  CHECK(convs[2] == layers);
  CHECK_FALSE(has(t, forward.ops[0].name + ".bwd_data"));
  // SCALE-Sim's topology has no padding: its 16 3x3 convs shrink 56 -> 54 and their
  // backward-data computes all 56 x 56 input gradients; its ceil-mode output gives the six 1x1
  // stride-2 layers (CB3a_1, CB3s, ...) a last output row and column of padding only (56 -> 29),
  // which backward-data drops.
  CHECK(check_backward_invariants(forward, t) == 16 + 6);
  std::array<std::int64_t, model::kNumPhases> macs{};
  for (const model::Op& op : t.ops) macs[static_cast<std::size_t>(op.phase)] += model::macs(op);
  CHECK(macs[0] == model::macs(forward));
  CHECK(macs[2] == model::macs(forward));
}

// ---- SimDIT's ResNet-50 training iteration ----

namespace {

// ResNet-50 v1.5 (stride on the 3x3 conv, as torchvision and SimDIT), batch 1, with named
// tensors, batch norms, relus, residual adds, pooling and the classifier. Used until the shipped
// workload spaces/workloads/resnet50.json exists.
class ResNetBuilder {
 public:
  explicit ResNetBuilder(std::int64_t batch) {
    net.name = "resnet50";
    net.batch = batch;
  }
  model::Network net;

  std::string conv(const std::string& name, const std::string& in, std::int64_t c, std::int64_t h,
                   std::int64_t k, std::int64_t r, int stride, int pad) {
    model::Op op;
    op.name = name;
    op.kind = OpKind::conv2d;
    op.conv.batch = net.batch;
    op.conv.in_channels = c;
    op.conv.in_h = op.conv.in_w = h;
    op.conv.out_channels = k;
    op.conv.kernel_h = op.conv.kernel_w = r;
    op.conv.stride_h = op.conv.stride_w = stride;
    op.conv.pad_top = op.conv.pad_bottom = op.conv.pad_left = op.conv.pad_right = pad;
    op.parameter_elements = k * c * r * r;
    return push(std::move(op), {in});
  }
  std::string vector(const std::string& name, OpKind kind, model::VectorFn fn,
                     std::vector<std::string> in, std::int64_t in_elements,
                     std::int64_t out_elements, std::int64_t work, std::int64_t params = 0) {
    model::Op op;
    op.name = name;
    op.kind = kind;
    op.fn = fn;
    op.input_elements = in_elements * net.batch;
    op.output_elements = out_elements * net.batch;
    op.work_elements = work * net.batch;
    op.parameter_elements = params;
    return push(std::move(op), std::move(in));
  }
  std::string bn_relu(const std::string& name, const std::string& in, std::int64_t c,
                      std::int64_t h, bool relu) {
    const std::int64_t e = c * h * h;
    std::string t =
        vector(name + ".bn", OpKind::batch_norm, model::VectorFn::batch_norm, {in}, e, e, e, 2 * c);
    if (relu) t = vector(name + ".relu", OpKind::activation, model::VectorFn::relu, {t}, e, e, e);
    return t;
  }

 private:
  std::string push(model::Op op, std::vector<std::string> in) {
    op.inputs = std::move(in);
    op.outputs = {op.name};
    model::finalize(op);
    net.ops.push_back(op);
    return op.name;
  }
};

model::Network resnet50_helper(std::int64_t batch) {
  ResNetBuilder b(batch);
  std::string t = b.conv("conv1", "image", 3, 224, 64, 7, 2, 3);
  t = b.bn_relu("conv1", t, 64, 112, true);
  t = b.vector("maxpool", OpKind::pool, model::VectorFn::pool, {t}, 64 * 112 * 112, 64 * 56 * 56,
               64 * 56 * 56 * 9);
  std::int64_t channels = 64, size = 56;
  const std::array<int, 4> blocks = {3, 4, 6, 3};
  for (int stage = 0; stage < 4; ++stage) {
    const std::int64_t width = 64 << stage;
    for (int i = 0; i < blocks[static_cast<std::size_t>(stage)]; ++i) {
      const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      const int stride = stage > 0 && i == 0 ? 2 : 1;
      const std::int64_t out_size = size / stride;
      std::string y = b.conv(name + ".conv1", t, channels, size, width, 1, 1, 0);
      y = b.bn_relu(name + ".conv1", y, width, size, true);
      y = b.conv(name + ".conv2", y, width, size, width, 3, stride, 1);
      y = b.bn_relu(name + ".conv2", y, width, out_size, true);
      y = b.conv(name + ".conv3", y, width, out_size, 4 * width, 1, 1, 0);
      y = b.bn_relu(name + ".conv3", y, 4 * width, out_size, false);
      std::string shortcut = t;
      if (i == 0) {
        shortcut = b.conv(name + ".downsample", t, channels, size, 4 * width, 1, stride, 0);
        shortcut = b.bn_relu(name + ".downsample", shortcut, 4 * width, out_size, false);
      }
      const std::int64_t e = 4 * width * out_size * out_size;
      t = b.vector(name + ".add", OpKind::eltwise, model::VectorFn::add, {y, shortcut}, 2 * e, e,
                   e);
      t = b.vector(name + ".relu", OpKind::activation, model::VectorFn::relu, {t}, e, e, e);
      channels = 4 * width;
      size = out_size;
    }
  }
  t = b.vector("avgpool", OpKind::pool, model::VectorFn::pool, {t}, 2048 * 49, 2048, 2048 * 49);
  t = b.vector("flatten", OpKind::reshape, model::VectorFn::copy, {t}, 2048, 2048, 2048);
  model::Op fc;
  fc.name = "fc";
  fc.kind = OpKind::matmul;
  fc.matmul.m = batch;
  fc.matmul.k = 2048;
  fc.matmul.n = 1000;
  fc.parameter_elements = 2048 * 1000 + 1000;
  fc.inputs = {t};
  fc.outputs = {"logits"};
  b.net.ops.push_back(fc);
  return b.net;
}

struct SimditConv {
  int idx = 0;
  std::int64_t n = 0, c = 0, oc = 0, kh = 0, kw = 0, oh = 0, ow = 0;
};

std::int64_t pad16(std::int64_t channels) {
  return (channels + 15) / 16 * 16;
}

}  // namespace

TEST_CASE("training: ResNet-50 iteration against SimDIT's", "[training][simdit]") {
  // SimDIT's table (batch 1): op, N, IC_or_C, OC, KH, KW, OH_or_H, OW_or_W, stride.
  const auto rows =
      testing::read_csv(testing::reference_dir() + "/simdit/resnet50_training_ops_table.csv");
  std::vector<SimditConv> simdit_forward, simdit_backward;
  std::map<std::string, int> simdit_before_loss, simdit_after_loss;
  bool after_loss = false;
  for (const auto& row : rows) {
    const std::string& op = row.at("operation");
    if (op == "cross_entropy_loss") after_loss = true;
    ++(after_loss ? simdit_after_loss : simdit_before_loss)[op];
    if (op != "conv") continue;
    auto v = [&](const char* column) {
      return static_cast<std::int64_t>(testing::number(row, column));
    };
    SimditConv c{static_cast<int>(v("idx")),
                 v("N"),
                 v("IC_or_C"),
                 v("OC"),
                 v("KH"),
                 v("KW"),
                 v("OH_or_H"),
                 v("OW_or_W")};
    (after_loss ? simdit_backward : simdit_forward).push_back(c);
  }
  // 159 convolutions: 53 forward, then 53 (backward-data, backward-weight) pairs in reverse
  // layer order. SimDIT computes backward-data even for the first layer (its last pair).
  REQUIRE(simdit_forward.size() == 53);
  REQUIRE(simdit_backward.size() == 106);

  const std::string shipped = testing::data_dir() + "/workloads/resnet50.json";
  const bool real_graph = std::filesystem::exists(shipped);
  const model::Network forward =
      real_graph ? engine::load_workload(shipped, {.batch = 1, .training = std::nullopt})
                 : resnet50_helper(1);
  INFO("forward graph: " << (real_graph ? shipped : "test helper"));
  const model::Network t = model::derive_training(forward);

  // Convolutions per phase: ours skips the first layer's backward-data (no gradient is needed
  // for the image); SimDIT computes it.
  std::array<int, model::kNumPhases> convs{}, matmuls{};
  for (const model::Op& op : t.ops) {
    if (op.kind == OpKind::conv2d) ++convs[static_cast<std::size_t>(op.phase)];
    if (op.kind == OpKind::matmul) ++matmuls[static_cast<std::size_t>(op.phase)];
  }
  CHECK(convs == std::array<int, model::kNumPhases>{53, 52, 53, 0});
  CHECK(matmuls == std::array<int, model::kNumPhases>{1, 1, 1, 0});

  // Forward shapes agree (channels padded to 16 as SimDIT does: the image's 3 become 16).
  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t,
                         std::int64_t>;  // C, K, R, S, P, Q
  std::multimap<Key, const model::Op*> ours;
  std::map<Key, int> ours_count, simdit_count;
  for (const model::Op& op : forward.ops) {
    if (op.kind != OpKind::conv2d) continue;
    const model::Conv2d& c = op.conv;
    const Key key{pad16(c.in_channels), c.out_channels, c.kernel_h, c.kernel_w, c.out_h, c.out_w};
    ours.emplace(key, &op);
    ++ours_count[key];
  }
  for (const SimditConv& s : simdit_forward) ++simdit_count[{s.c, s.oc, s.kh, s.kw, s.oh, s.ow}];
  REQUIRE(ours_count == simdit_count);

  int data_exact = 0, weight_exact = 0, weight_uncropped = 0;
  for (std::size_t i = 0; i < simdit_forward.size(); ++i) {
    const SimditConv& f = simdit_forward[i];
    const SimditConv& sd = simdit_backward[2 * (simdit_forward.size() - 1 - i)];
    const SimditConv& sw = simdit_backward[2 * (simdit_forward.size() - 1 - i) + 1];
    INFO("SimDIT forward row " << f.idx << ", backward rows " << sd.idx << ", " << sw.idx);
    // The reverse pairing holds: backward-data maps OC channels back to IC.
    REQUIRE(sd.c == f.oc);
    REQUIRE(sd.oc == f.c);
    // Layers of one shape but different strides (layer4's first 3x3 and the others) differ in
    // the input size, which SimDIT gives as the backward-data output.
    const auto [begin, end] = ours.equal_range({f.c, f.oc, f.kh, f.kw, f.oh, f.ow});
    REQUIRE(begin != end);
    const model::Op* match = begin->second;
    for (auto it = begin; it != end; ++it)
      if (it->second->conv.in_h == sd.oh) match = it->second;
    const model::Op& op = *match;
    const model::Conv2d& fc = op.conv;
    const std::int64_t padded_channels = pad16(fc.in_channels);

    // Backward-weight. SimDIT: channels in N, batch as IC, OC = K, the output gradient with
    // zeros inserted as the kernel ((P-1)*s + 1), output = the weight taps. Ours: the same
    // convolution with the kernel dilated by the stride instead of zero-filled.
    const model::Conv2d& w = find(t, op.name + ".bwd_weight").conv;
    CHECK(sw.oc == w.out_channels);
    CHECK(sw.kh == (w.kernel_h - 1) * w.dilation_h + 1);
    CHECK(sw.kw == (w.kernel_w - 1) * w.dilation_w + 1);
    const std::int64_t real_taps = w.kernel_h * w.kernel_w;  // SimDIT's kernel less its zeros
    if (sw.n == w.batch && sw.c == w.in_channels && sw.oh == w.out_h && sw.ow == w.out_w) {
      CHECK(sw.n * sw.c * sw.oc * real_taps * sw.oh * sw.ow ==
            model::macs(find(t, op.name + ".bwd_weight")));
      ++weight_exact;
    } else {
      // A strided layer whose padded input has a row and column the forward windows never
      // reached (e.g. 1x1/2 on 14x14 reaches 13): SimDIT convolves over them and computes an
      // (R+1) x (S+1) weight gradient; ours crops them. Row 1063 also folds 4 of its 128
      // channels into the output plane (32 channels x 8x8 = 128 x 4x4): the same GEMM.
      CHECK(fc.stride_h == 2);
      CHECK(sw.n * sw.c * sw.oh * sw.ow == w.batch * w.in_channels * (w.out_h + 1) * (w.out_w + 1));
      CHECK(sw.n * sw.c * sw.oc * real_taps * sw.oh * sw.ow * w.out_h * w.out_w ==
            model::macs(find(t, op.name + ".bwd_weight")) * (w.out_h + 1) * (w.out_w + 1));
      ++weight_uncropped;
    }

    // Backward-data. SimDIT: a dense conv over the zero-inserted, padded gradient: IC = K,
    // OC = C, R x S kernel, output = the forward input H x W; its MAC count includes the inserted
    // zeros. Ours: the same transposed convolution, zeros skipped (MACs = forward MACs).
    if (!has(t, op.name + ".bwd_data")) {
      CHECK(i == 0);  // only the first layer, whose input is the image
      continue;
    }
    const model::Conv2d& d = find(t, op.name + ".bwd_data").conv;
    CHECK(d.in_channels == sd.c);
    CHECK(pad16(d.out_channels) == sd.oc);
    CHECK(d.kernel_h == sd.kh);
    CHECK(d.kernel_w == sd.kw);
    CHECK(d.out_h == sd.oh);
    CHECK(d.out_w == sd.ow);
    const std::int64_t simdit_data_macs = sd.n * sd.oh * sd.ow * sd.c * sd.oc * sd.kh * sd.kw;
    const std::int64_t our_data_macs =
        model::macs(find(t, op.name + ".bwd_data")) / fc.in_channels * padded_channels;
    // SimDIT multiplies every output pixel by every tap: (H*W)/(P*Q) = stride^2 times ours.
    CHECK(simdit_data_macs * fc.out_h * fc.out_w == our_data_macs * fc.in_h * fc.in_w);
    ++data_exact;
  }
  CHECK(data_exact == 52);
  CHECK(weight_exact == 47);
  CHECK(weight_uncropped == 6);

  // The classifier. SimDIT's gemm rows (M, N_gemm, P) = our (m, k, n): forward (1, 2048, 1000),
  // backward-data dX = dY W^T (1, 1000, 2048), backward-weight dW = X^T dY (2048, 1, 1000).
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> simdit_gemms, our_gemms;
  for (const auto& row : rows)
    if (row.at("operation") == "gemm")
      simdit_gemms.emplace_back(testing::number(row, "M"), testing::number(row, "N_gemm"),
                                testing::number(row, "P"));
  for (const model::Op& op : t.ops)
    if (op.kind == OpKind::matmul) our_gemms.emplace_back(op.matmul.m, op.matmul.k, op.matmul.n);
  CHECK(our_gemms == simdit_gemms);

  // Vector ops. SimDIT's table lists them one per sub-step; ours folds sub-steps into one op.
  std::map<std::pair<OpKind, Phase>, int> ours_vector;
  for (const model::Op& op : t.ops) ++ours_vector[{op.kind, op.phase}];
  // Batch norm: SimDIT mean_var + batch_norm per layer = ours one op with reduction_elements.
  CHECK(simdit_before_loss["batch_norm"] == 53);
  CHECK(simdit_before_loss["mean_var"] == 53);
  CHECK(ours_vector[{OpKind::batch_norm, Phase::forward}] == 53);
  // Batch-norm backward: SimDIT's 10 sub-steps (x_mu ... dx) = ours: the dgamma/dbeta sums and dx.
  CHECK(simdit_after_loss["batchnorm_grad_dx"] == 53);
  CHECK(ours_vector[{OpKind::batch_norm, Phase::backward_data}] == 53);
  CHECK(ours_vector[{OpKind::reduce, Phase::backward_weight}] == 53 + 1);  // + the fc bias
  // relu and its gradient.
  CHECK(simdit_before_loss["relu"] == 49);
  CHECK(simdit_after_loss["relu_grad"] == 49);
  CHECK(ours_vector[{OpKind::activation, Phase::backward_data}] == 49);
  // Residual adds: 16 forward; 16 backward, where a block's input gradient from the shortcut
  // and from the block's first conv are summed.
  CHECK(simdit_before_loss["elem_add"] == 16);
  CHECK(simdit_after_loss["elem_add"] == 16);
  CHECK(ours_vector[{OpKind::eltwise, Phase::forward}] == 16);
  CHECK(ours_vector[{OpKind::eltwise, Phase::backward_data}] == 16);
  // Pooling gradients (max and global average).
  CHECK(simdit_after_loss["max_pool_grad"] + simdit_after_loss["global_average_pool_grad"] == 2);
  CHECK(ours_vector[{OpKind::pool, Phase::backward_data}] == 2);
  // Updates: SimDIT 161 = 53 conv weights + 53 x 2 (gamma, beta) + fc weight and bias; ours one
  // op per parameterised op: 53 convs + 53 batch norms + fc.
  CHECK(simdit_after_loss["sgd1d"] + simdit_after_loss["sgd2d"] + simdit_after_loss["sgd4d"] ==
        53 + 53 * 2 + 2);
  CHECK(ours_vector[{OpKind::optimizer, Phase::update}] == 53 + 53 + 1);

  // MACs: backward-weight = forward; backward-data = forward less the first layer.
  std::array<std::int64_t, model::kNumPhases> macs{};
  for (const model::Op& op : t.ops) macs[static_cast<std::size_t>(op.phase)] += model::macs(op);
  const model::Op* first = nullptr;
  for (const model::Op& op : forward.ops)
    if (op.kind == OpKind::conv2d) {
      first = &op;
      break;
    }
  REQUIRE(first != nullptr);
  CHECK(macs[2] == macs[0]);
  CHECK(macs[1] == macs[0] - model::macs(*first));
}

// ---- accelscope eval --training ----

namespace {

std::string write_temp(const std::string& stem, const std::string& extension,
                       const std::string& text) {
  const std::string path = testing::temp_path(stem) + extension;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("training: the engine reports phases and the footprint", "[training][engine]") {
  const std::string workload = write_temp("tiny", ".json", kTinyJson);
  model::TrainingOptions adam;
  adam.optimizer = model::Optimizer::adam;
  const model::Network t =
      engine::load_workload(workload, {.batch = std::nullopt, .training = adam});
  const model::Accelerator a =
      engine::load_hardware(testing::data_dir() + "/hardware/edge_16x16_int8.json");
  const model::Technology tech = io::technology_at(io::load_default_tech_library(), a.tech_node_nm);
  const nlohmann::json j = engine::report_to_json(a, t, model::evaluate(a, t, tech));
  const nlohmann::json& total = j.at("total");
  for (const char* phase : {"forward", "backward_data", "backward_weight", "update"})
    CHECK(total.at("by_phase").at(phase).at("total_cycles").get<double>() > 0);
  // int8 weights, gradients, activations and optimizer state (the edge design's precisions).
  const nlohmann::json& bytes = total.at("training_footprint_bytes");
  CHECK(bytes.at("weights").get<double>() == 438);
  CHECK(bytes.at("gradients").get<double>() == 438);
  CHECK(bytes.at("activations").get<double>() == 1444);
  CHECK(bytes.at("optimizer_state").get<double>() == 876);
  CHECK(bytes.at("total").get<double>() == 438 * 2 + 1444 + 876);
  CHECK(total.at("fits_dram").get<bool>());

  std::ostringstream table;
  engine::print_report_table(table, a, t, model::evaluate(a, t, tech));
  CHECK_THAT(table.str(), Catch::Contains("backward_weight"));
  CHECK_THAT(table.str(), Catch::Contains("training mem"));

#ifdef ACCELSCOPE_TEST_CLI
  // The command line: --training --optimizer adam --json on a design whose DRAM is too small.
  nlohmann::json hw = io::read_json_file(testing::data_dir() + "/hardware/edge_16x16_int8.json");
  hw["dram"]["capacity_gib"] = 1000.0 / (1024.0 * 1024.0 * 1024.0);
  const std::string hardware = write_temp("small_dram", ".json", hw.dump());
  const std::string command = std::string(ACCELSCOPE_TEST_CLI) + " eval --hw " + hardware +
                              " --workload " + workload + " --training --optimizer adam --json";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
  const nlohmann::json cli = nlohmann::json::parse(output);
  CHECK(cli.at("total").at("by_phase").contains("backward_data"));
  CHECK(cli.at("total").at("by_phase").contains("update"));
  CHECK(cli.at("total").at("training_footprint_bytes").at("total").get<double>() == 3196);
  CHECK_FALSE(cli.at("total").at("fits_dram").get<bool>());
  std::filesystem::remove(hardware);
#endif
  std::filesystem::remove(workload);
}
