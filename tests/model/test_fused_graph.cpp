// Fused multi-model graphs (model/platform/fused_graph.hpp): the union keeps every op and
// parameter, merges only same-shape convolutions that the array runs faster together, plans one
// activation arena, and loads one unit; a group of small CNNs runs in less time and memory fused
// than separately, reported next to FusedInf's figures (up to 14 % less time, up to 17 % less
// memory). Measured (LeNet-5, MobileNetV2, MNASNet, ResNet-18, batch 1):
//   edge_16x16_int8:         0.8 % less time (the saved launches; merges gain 4 us), 22.7 % less
//                            memory (14.9 % without the assumed per-graph context);
//   datacenter_128x128_bf16: 14.3 % less time (merged depthwise convolutions: 0.51 of the
//                            0.54 ms gained), 18.4 % less memory (11.7 % and 14.2 % without
//                            the assumed launch overhead and context).
#include <catch2/catch.hpp>

#include <iostream>

#include "engine/loaders.hpp"
#include "model/evaluate.hpp"
#include "model/io/technology_io.hpp"
#include "model/io/workload_json.hpp"
#include "model/platform/fused_graph.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using model::platform::compare_fused_separate;
using model::platform::FuseComparison;
using model::platform::FuseOptions;

namespace {

const io::TechLibrary& library() {
  static const io::TechLibrary lib = io::load_default_tech_library();
  return lib;
}

model::Network workload(const std::string& name) {
  return engine::load_workload(testing::data_dir() + "/workloads/" + name + ".json");
}

model::Accelerator edge() {
  return engine::load_hardware(testing::data_dir() + "/hardware/edge_16x16_int8.json");
}

// Prints fused vs separate for the small-CNN group on a shipped design and checks fused is
// smaller in both (the figures are in this file's header comment and README).
void compare_small_cnns(const std::string& hardware) {
  const model::Accelerator hw =
      engine::load_hardware(testing::data_dir() + "/hardware/" + hardware + ".json");
  const model::Technology tech = io::technology_at(library(), hw.tech_node_nm);
  const std::vector<model::Network> group = {workload("lenet"), workload("mobilenet_v2"),
                                             workload("mnasnet"), workload("resnet18")};
  FuseOptions options;
  const FuseComparison c = compare_fused_separate(group, hw, tech, options);
  std::cout << "fused vs separate (lenet, mobilenet_v2, mnasnet, resnet18 on " << hardware << "):\n"
            << "  time   " << c.separate_s * 1e3 << " -> " << c.fused_s * 1e3 << " ms, "
            << 100 * c.time_saving_fraction() << " % less (FusedInf: up to 14 %); compute "
            << c.separate_compute_s * 1e3 << " -> " << c.fused_compute_s * 1e3 << " ms, merges "
            << c.merged_groups << " groups of " << c.merged_ops << " convs gain "
            << c.merge_gain_s * 1e3 << " ms\n"
            << "  memory " << c.separate_peak_bytes / 1e6 << " -> " << c.fused_peak_bytes / 1e6
            << " MB, " << 100 * c.memory_saving_fraction()
            << " % less (FusedInf: up to 17 %); weights " << c.weight_bytes / 1e6
            << " MB, activations " << c.separate_activation_bytes / 1e6 << " -> "
            << c.fused_activation_bytes / 1e6 << " MB\n";
  for (const auto& m : model::platform::fuse_networks(group, hw, tech).merges) {
    std::cout << "    merged " << m.ops.size() << " convs: " << m.separate_s * 1e6 << " -> "
              << m.merged_s * 1e6 << " us\n";
  }
  CHECK(c.fused_s < c.separate_s);
  CHECK(c.fused_peak_bytes < c.separate_peak_bytes);

  // Without the assumed runtime costs (no launch overhead, no context): what the model's own
  // figures give (the one schedule, merges and the one activation plan).
  options.runtime.launch_overhead_s = 0;
  options.runtime.context_bytes = 0;
  const FuseComparison bare = compare_fused_separate(group, hw, tech, options);
  std::cout << "  without launch/context assumptions: time " << 100 * bare.time_saving_fraction()
            << " % less, memory " << 100 * bare.memory_saving_fraction() << " % less\n";
  CHECK(bare.fused_peak_bytes < bare.separate_peak_bytes);
  CHECK(bare.fused_s <= bare.separate_s);
}

}  // namespace

TEST_CASE("fused graph: small CNNs fused take less time and memory", "[platform][fuse]") {
  compare_small_cnns("edge_16x16_int8");
  // A 128x128 array, which small (depthwise) convolutions leave idle: merges gain most.
  compare_small_cnns("datacenter_128x128_bf16");
}

TEST_CASE("fused graph: the union keeps every op, merges only faster same-shape convolutions",
          "[platform][fuse]") {
  const model::Accelerator hw =
      engine::load_hardware(testing::data_dir() + "/hardware/datacenter_128x128_bf16.json");
  const model::Technology tech = io::technology_at(library(), hw.tech_node_nm);
  const std::vector<model::Network> group = {workload("mobilenet_v2"), workload("mobilenet_v2")};
  const auto fused = model::platform::fuse_networks(group, hw, tech);
  CHECK(fused.member_names == std::vector<std::string>{"mobilenet_v2", "mobilenet_v2#2"});
  CHECK(fused.network.ops.size() == 2 * group[0].ops.size());
  CHECK(model::macs(fused.network) == 2 * model::macs(group[0]));
  // Two copies run in lockstep: every convolution meets its twin; those that gain merge.
  REQUIRE_FALSE(fused.merges.empty());
  for (const auto& m : fused.merges) {
    REQUIRE(m.ops.size() == 2);
    CHECK(m.ops[1] == m.ops[0] + 1);
    const model::Op& a = fused.network.ops[m.ops[0]];
    const model::Op& b = fused.network.ops[m.ops[1]];
    CHECK(a.name.rfind("mobilenet_v2/", 0) == 0);
    CHECK(b.name.rfind("mobilenet_v2#2/", 0) == 0);
    CHECK(a.conv.out_h == b.conv.out_h);
    CHECK(a.conv.out_channels == b.conv.out_channels);
    CHECK(m.merged_s < m.separate_s);
  }
  const auto unmerged = model::platform::fuse_networks(group, hw, tech, false);
  CHECK(unmerged.merges.empty());
  CHECK(unmerged.merge_gain_s == 0);

  std::vector<model::Network> bad = group;
  bad[1].batch = 4;
  CHECK_THROWS_WITH(model::platform::fuse_networks(bad, hw, tech),
                    Catch::Contains("'mobilenet_v2' has batch 4, the first has 1"));
  bad[1].batch = 1;
  bad[1].training = true;
  CHECK_THROWS_WITH(model::platform::fuse_networks(bad, hw, tech),
                    Catch::Contains("training network"));
}

TEST_CASE("fused graph: liveness plan and LRU loads", "[platform][fuse]") {
  model::Accelerator hw = edge();
  hw.fusion = false;
  // A chain of three 3x3 convolutions on 32x32: tensors of 3, 8, 16 and 4 channels. The widest
  // pair alive at once is 8 + 16 channels.
  const model::Network chain = io::parse_workload(nlohmann::json::parse(R"({
    "name": "chain", "batch": 1, "ops": [
      {"name": "c1", "type": "conv2d", "in": [3, 32, 32], "out_channels": 8, "kernel": [3, 3], "pad": [1, 1]},
      {"name": "c2", "type": "conv2d", "in": [8, 32, 32], "out_channels": 16, "kernel": [3, 3], "pad": [1, 1]},
      {"name": "c3", "type": "conv2d", "in": [16, 32, 32], "out_channels": 4, "kernel": [3, 3], "pad": [1, 1]}
    ]})"),
                                                  "chain.json");
  const auto plan = model::platform::plan_memory(chain, hw);
  CHECK(plan.activation_peak_bytes ==
        (8 + 16) * 32 * 32 * model::bytes_of(hw.array.output_precision));
  double weights = 0;
  for (const model::Op& op : chain.ops) weights += static_cast<double>(op.parameter_elements);
  CHECK(weights >= 3 * 8 * 9 + 8 * 16 * 9 + 16 * 4 * 9);
  CHECK(plan.weight_bytes == weights * model::bytes_of(hw.array.precision));

  // Capacity for two of three 3-byte graphs: 0, 1 load; 0 hits; 2 evicts 1 (least recent); 1
  // evicts 0.
  auto s = model::platform::lru_loads({3, 3, 3}, {0, 1, 0, 2, 1}, 6, 1);
  CHECK(s.loads == 4);
  CHECK(s.hits == 1);
  CHECK(s.load_s == 12);
  // A graph larger than the memory is streamed in for every request.
  s = model::platform::lru_loads({9}, {0, 0, 0}, 6, 1);
  CHECK(s.loads == 3);
  s = model::platform::lru_loads({9}, {0, 0, 0}, 10, 1);
  CHECK(s.loads == 1);
  CHECK_THROWS_WITH(model::platform::lru_loads({3}, {1}, 6, 1),
                    Catch::Contains("request for graph 1, only 1 graphs"));
}

TEST_CASE("fused graph: a request stream under a memory capacity swaps less fused",
          "[platform][fuse]") {
  const model::Accelerator hw = edge();
  const model::Technology tech = io::technology_at(library(), hw.tech_node_nm);
  const std::vector<model::Network> group = {workload("lenet"), workload("mobilenet_v2"),
                                             workload("mnasnet")};
  FuseOptions options;
  options.requests = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};  // round robin
  const FuseComparison unlimited = compare_fused_separate(group, hw, tech, options);
  CHECK(unlimited.separate_loads.loads == 3);
  CHECK(unlimited.fused_loads.loads == 1);
  // Room for the fused graph but not for all separate graphs (their contexts and arenas add up):
  // round robin under LRU then reloads every separate graph every time.
  options.memory_capacity_bytes = unlimited.fused_peak_bytes;
  REQUIRE(options.memory_capacity_bytes < unlimited.separate_peak_bytes);
  const FuseComparison tight = compare_fused_separate(group, hw, tech, options);
  CHECK(tight.fused_loads.loads == 1);
  CHECK(tight.separate_loads.loads == 12);
  CHECK(tight.fused_loads.load_s < tight.separate_loads.load_s);
}
