// Parsers: round trips, and bad input that must give a clear one-line error naming the file,
// the field, the bad value and what is allowed.
#include <catch2/catch.hpp>

#include <fstream>

#include "engine/loaders.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/technology_io.hpp"
#include "model/io/workload_json.hpp"
#include "model/evaluate.hpp"
#include "model/limits.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using Catch::Matchers::Contains;

namespace {

std::string edge_path() {
  return accelscope::testing::data_dir() + "/hardware/edge_16x16_int8.json";
}

nlohmann::json edge_json() {
  return io::read_json_file(edge_path());
}

std::string write_temp(const std::string& stem, const std::string& text) {
  const std::string path = accelscope::testing::temp_path(stem);
  std::ofstream(path) << text;
  return path;
}

// The error message of parsing `json` as hardware.
std::string hardware_error(const nlohmann::json& json) {
  try {
    io::parse_hardware(json, "hw.json");
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "no error";
}

std::string workload_error(const std::string& ops_json) {
  try {
    io::parse_workload(
        nlohmann::json::parse(R"({"name": "w", "batch": 1, "ops": )" + ops_json + "}"), "w.json");
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("hardware JSON round trip", "[inputs]") {
  const model::Accelerator a = io::read_hardware_file(edge_path());
  CHECK(a.array.rows == 16);
  CHECK(a.sram[0].capacity_bytes == 128 * 1024);
  const model::Accelerator b = io::parse_hardware(io::hardware_to_json(a), "again.json");
  CHECK(io::hardware_to_json(b) == io::hardware_to_json(a));
  nlohmann::json split = edge_json();
  split["dram"]["bandwidth_gbps"] = {{"inputs", 4}, {"weights", 2}, {"outputs", 3}, {"vector", 1}};
  const model::Accelerator c = io::parse_hardware(split, "split.json");
  CHECK_FALSE(c.dram.shared);
  CHECK(c.dram.interface_gbps[1] == 2);
  CHECK(io::hardware_to_json(io::parse_hardware(io::hardware_to_json(c), "x")) ==
        io::hardware_to_json(c));
  // Chip-to-chip links: absent means none; given, they survive the round trip.
  CHECK(a.links.count == 0);
  CHECK_FALSE(io::hardware_to_json(a).contains("links"));
  nlohmann::json linked = edge_json();
  linked["links"] = {{"count", 6}, {"gbps", 46.9}};
  const model::Accelerator d = io::parse_hardware(linked, "linked.json");
  CHECK(d.links.count == 6);
  CHECK(d.links.gbps == 46.9);
  CHECK(io::hardware_to_json(io::parse_hardware(io::hardware_to_json(d), "x")) ==
        io::hardware_to_json(d));
}

TEST_CASE("bad hardware files give clear errors", "[inputs]") {
  nlohmann::json j = edge_json();
  j["array"]["dataflow"] = "xy";
  CHECK_THAT(hardware_error(j), Contains("hw.json") && Contains("array.dataflow") &&
                                    Contains("\"xy\"") && Contains("os, ws, is, rs"));
  // Row stationary needs its PE scratchpads.
  j = edge_json();
  j["array"]["dataflow"] = "rs";
  CHECK_THAT(hardware_error(j), Contains("hw.json") && Contains("array.scratchpad_bytes"));
  j["array"]["scratchpad_bytes"] = {{"filter", 448}, {"ifmap", 24}};
  CHECK_THAT(hardware_error(j), Contains("array.scratchpad_bytes.psum"));
  j = edge_json();
  j["array"]["scratchpad_bytes"] = {{"filter", 448}, {"ifmap", 24}, {"psum", 48}};
  CHECK_THAT(hardware_error(j), Contains("array.scratchpad_bytes") && Contains("rs"));
  j = edge_json();
  j["inter_layer"] = "cache";
  CHECK_THAT(hardware_error(j),
             Contains("inter_layer") && Contains("resident") && Contains("through_dram"));
  j = edge_json();
  j["process"] = "fast";
  CHECK_THAT(hardware_error(j),
             Contains("process") && Contains("low_power") && Contains("high_performance"));
  j = edge_json();
  j["sram"]["inputs"]["holds_activations"] = 1;
  CHECK_THAT(hardware_error(j), Contains("sram.inputs.holds_activations"));
  j = edge_json();
  j["fusion"] = "yes";
  CHECK_THAT(hardware_error(j), Contains("fusion") && Contains("true or false"));
  j = edge_json();
  j["array"]["rows"] = 0;
  CHECK_THAT(hardware_error(j),
             Contains("array.rows") && Contains("= 0") && Contains("an integer from 1 to"));
  j = edge_json();
  j["array"]["cols"] = -4;
  CHECK_THAT(hardware_error(j), Contains("array.cols") && Contains("-4"));
  j = edge_json();
  j["sram"]["weights"]["kib"] = -1;
  CHECK_THAT(hardware_error(j), Contains("sram.weights.kib") && Contains("> 0"));
  j = edge_json();
  j["sram"].erase("outputs");
  CHECK_THAT(hardware_error(j), Contains("missing field 'sram.outputs'"));
  j = edge_json();
  j["array"]["precision"] = "int3";
  CHECK_THAT(hardware_error(j), Contains("array.precision") && Contains("int8, int16"));
  j = edge_json();
  j["array"]["rowz"] = 4;
  CHECK_THAT(hardware_error(j), Contains("unknown field 'array.rowz'") && Contains("rows"));
  j = edge_json();
  j["dram"]["bandwidth_gbps"] = "fast";
  CHECK_THAT(hardware_error(j), Contains("dram.bandwidth_gbps") && Contains("a number"));
  j = edge_json();
  j["dram"]["bandwidth_gbps"] = {{"inputs", 4}};
  CHECK_THAT(hardware_error(j), Contains("missing field 'dram.bandwidth_gbps.weights'"));
  j = edge_json();
  j["vector"]["cycles_per_element"] = {{"relu", 1}, {"frobnicate", 2}};
  CHECK_THAT(hardware_error(j),
             Contains("vector.cycles_per_element.frobnicate") && Contains("gelu"));
  j = edge_json();
  j["clock_mhz"] = 0;
  CHECK_THAT(hardware_error(j), Contains("clock_mhz") && Contains("> 0"));
  j = edge_json();
  j["array"]["accumulator_bits"] = 128;
  CHECK_THAT(hardware_error(j), Contains("accumulator_bits") && Contains("8 to 64"));
}

TEST_CASE("malformed and missing files", "[inputs]") {
  const std::string path =
      write_temp("bad.json", "{\n  \"name\": \"x\",\n  \"array\": {\"rows\": 4,,}\n}\n");
  try {
    io::read_hardware_file(path);
    FAIL("expected an error");
  } catch (const io::InputError& e) {
    CHECK_THAT(e.what(), Contains(path) && Contains("not valid JSON at line 3"));
  }
  CHECK_THROWS_WITH(io::read_hardware_file("/nonexistent/hw.json"),
                    Contains("/nonexistent/hw.json") && Contains("cannot open"));
  CHECK_THROWS_WITH(io::parse_hardware(nlohmann::json::array(), "list.json"),
                    Contains("list.json") && Contains("must be a JSON object"));
  CHECK_THROWS_WITH(engine::load_hardware("design.yaml"), Contains("unknown hardware format"));
  std::remove(path.c_str());
}

TEST_CASE("technology: unknown node and DRAM type", "[inputs]") {
  const io::TechLibrary library = io::load_default_tech_library();
  for (int node : {45, 28, 22, 16, 7}) CHECK_NOTHROW(io::technology_at(library, node));
  CHECK_THROWS_WITH(io::technology_at(library, 5),
                    Contains("tech_node_nm") && Contains("= 5") && Contains("45") && Contains("7"));
  const model::Technology tech = io::technology_at(library, 45);
  CHECK_THROWS_WITH(model::dram_pj_per_bit(tech, "ddr9"),
                    Contains("dram.type") && Contains("ddr9") && Contains("hbm2"));
  // Smaller nodes cost less energy and area per operation.
  const model::Technology tech7 = io::technology_at(library, 7);
  CHECK(tech7.mac_pj[0] < tech.mac_pj[0]);
  CHECK(tech7.pe_area_um2[0] < tech.pe_area_um2[0]);
  CHECK(model::sram_at(tech7, 65536).area_mm2 < model::sram_at(tech, 65536).area_mm2);
  // The 45 nm int8 PE is Horowitz's 8-bit multiply and a 32-bit add, plus its pipeline registers.
  const auto int8 = static_cast<std::size_t>(model::Precision::int8);
  CHECK(tech.multiply_pj[int8] == Approx(0.2));
  CHECK(32 * tech.int_add_pj_per_bit == Approx(0.1));
  // A MAC pays the registers' data switching; their clock (Aladdin: 7.94 of 9.0 fJ at 40 nm, to
  // 45 nm) is drawn every cycle, so the two add up to the register's whole energy.
  const model::PeCost pe = model::pe_cost(tech, model::Precision::int8, 32, 56);
  CHECK(tech.register_clock_pj_per_bit == Approx(0.0089));
  CHECK(pe.mac_pj + pe.clock_pj_per_cycle == Approx(0.2 + 0.1 + 56 * tech.register_pj_per_bit));
  CHECK(pe.clock_pj_per_cycle == Approx(56 * 0.0089));
  // A word over a row-stationary array's network costs two scratchpad accesses (Eyeriss).
  CHECK(tech.array_network_pj_per_bit == Approx(2 * tech.register_file_pj_per_bit));
  // SRAM figures interpolate between CACTI points and grow with capacity.
  CHECK(model::sram_at(tech, 32768).area_mm2 > model::sram_at(tech, 16384).area_mm2);
  CHECK(model::sram_at(tech, 32768).area_mm2 < model::sram_at(tech, 65536).area_mm2);
  CHECK(model::sram_at(tech, 65536).read_pj_per_bit == Approx(39.3320 / 128));
}

TEST_CASE("workload JSON: shapes, batch and round trip", "[inputs]") {
  const nlohmann::json j =
      nlohmann::json::parse(R"({"name": "t", "batch": 4, "training": true, "ops": [
      {"name": "c", "type": "conv2d", "in": [3, 32, 32], "out_channels": 8, "kernel": [3, 3], "pad": [1, 1]},
      {"name": "bn", "type": "batch_norm", "shape": [8, 32, 32]},
      {"name": "fc", "type": "matmul", "m": 1, "k": 8192, "n": 10},
      {"name": "att", "type": "matmul", "m": 16, "k": 8, "n": 16, "batch_count": 2, "weights_shared": false},
      {"name": "up", "type": "optimizer", "optimizer": "momentum", "params": 1000, "phase": "update"}]})");
  const model::Network n = io::parse_workload(j, "t.json");
  CHECK(n.ops[0].conv.batch == 4);
  CHECK(n.ops[0].conv.out_h == 32);
  CHECK(n.ops[1].input_elements == 4 * 8 * 32 * 32);
  CHECK(n.ops[1].reduction_elements == 4 * 32 * 32);
  CHECK(n.ops[2].matmul.m == 4);
  CHECK(n.ops[3].matmul.batch_count == 8);
  CHECK(n.ops[4].input_elements == 3000);  // weight, gradient, velocity
  CHECK(n.ops[4].output_elements == 2000);
  const model::Network eight = io::parse_workload(j, "t.json", 8);
  CHECK(eight.ops[0].conv.batch == 8);
  CHECK(eight.ops[4].input_elements == 3000);  // updates do not scale with the batch
  const nlohmann::json back = io::workload_to_json(n);
  const model::Network again = io::parse_workload(back, "back.json");
  CHECK(io::workload_to_json(again) == back);
  CHECK(model::macs(again) == model::macs(n));
  const model::Network again8 = io::parse_workload(back, "back.json", 8);
  CHECK(io::workload_to_json(again8) == io::workload_to_json(eight));
}

TEST_CASE("bad workloads give clear errors", "[inputs]") {
  CHECK_THAT(workload_error(R"([{"name": "x", "type": "convolution"}])"),
             Contains("w.json") && Contains("ops[0](x).type") && Contains("conv2d"));
  CHECK_THAT(workload_error(R"([{"name": "x", "type": "conv2d", "out_channels": 4}])"),
             Contains("missing field") && Contains("in"));
  CHECK_THAT(
      workload_error(
          R"([{"name": "x", "type": "conv2d", "in": [3, 8, 8], "out_channels": 4, "groups": 2}])"),
      Contains("groups") && Contains("divisor of in_channels"));
  CHECK_THAT(
      workload_error(
          R"([{"name": "x", "type": "conv2d", "in": [3, 8, 8], "out_channels": 4, "kernel": [9, 9]}])"),
      Contains("kernel_h") && Contains("no taller than the padded input"));
  CHECK_THAT(
      workload_error(R"([{"name": "x", "type": "conv2d", "in": [3, 0, 8], "out_channels": 4}])"),
      Contains("ops[0](x).in'") && Contains("integers from 1 to"));
  CHECK_THAT(workload_error(R"([{"name": "x", "type": "matmul", "m": 4, "k": -2, "n": 3}])"),
             Contains("k") && Contains("-2"));
  CHECK_THAT(
      workload_error(R"([{"name": "x", "type": "activation", "fn": "swoosh", "shape": [4]}])"),
      Contains("fn") && Contains("swoosh") && Contains("relu"));
  CHECK_THAT(
      workload_error(R"([{"name": "x", "type": "optimizer", "optimizer": "lion", "params": 4}])"),
      Contains("optimizer") && Contains("sgd, momentum, adam"));
  CHECK_THAT(workload_error(R"([])"), Contains("ops") && Contains("non-empty"));
  CHECK_THAT(workload_error(R"([{"name": "x", "type": "eltwise", "shape": [4], "colour": 1}])"),
             Contains("unknown field") && Contains("colour"));
}

TEST_CASE("bad SCALE-Sim inputs give clear errors", "[inputs]") {
  const std::string cfg = write_temp("bad.cfg",
                                     "[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\n"
                                     "IfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\n"
                                     "Dataflow : xs\n");
  CHECK_THROWS_WITH(io::read_scalesim_config(cfg), Contains(cfg) && Contains("Dataflow") &&
                                                       Contains("xs") && Contains("os, ws, is"));
  const std::string cfg2 = write_temp("bad2.cfg", "ArrayHeight: 32\nArrayWidth: 0\nDataflow: ws\n");
  CHECK_THROWS_WITH(io::read_scalesim_config(cfg2),
                    Contains("ArrayWidth") && Contains("an integer from 1 to 65536"));
  const std::string cfg3 = write_temp("bad3.cfg", "ArrayHeight: 32\nDataflow: ws\n");
  CHECK_THROWS_WITH(io::read_scalesim_config(cfg3), Contains("missing field 'ArrayWidth'"));
  const std::string topo =
      write_temp("bad.csv", "Layer name,H,W,R,S,C,K,Stride,\nc1,56,56,3,3,64,-64,1,\n");
  CHECK_THROWS_WITH(io::read_scalesim_topology(topo), Contains("line 2") && Contains("-64"));
  const std::string topo2 = write_temp("bad2.csv", "Layer name,H,W,R,S,C,K,Stride,\nc1,56,56,3,\n");
  CHECK_THROWS_WITH(io::read_scalesim_topology(topo2),
                    Contains("line 2") && Contains("expected 8 fields"));
  const std::string topo3 =
      write_temp("bad3.csv", "Layer name,H,W,R,S,C,K,Stride,\nc1,2,2,3,3,4,4,1,\n");
  CHECK_THROWS_WITH(io::read_scalesim_topology(topo3), Contains("larger than the input"));
  for (const auto& p : {cfg, cfg2, cfg3, topo, topo2, topo3}) std::remove(p.c_str());
}

TEST_CASE("SCALE-Sim GEMM topology", "[inputs]") {
  const std::string topo = write_temp("gemm.csv", "Layer,M,N,K,\nqk,128,128,64,\n");
  const model::Network n = io::read_scalesim_topology(topo, 2);
  REQUIRE(n.ops.size() == 1);
  CHECK(n.ops[0].kind == model::OpKind::matmul);
  CHECK(model::macs(n) == 2 * 128 * 128 * 64);
  std::remove(topo.c_str());
}

TEST_CASE("limits: products are checked, never wrapped", "[inputs][limits]") {
  using model::limits::checked_product;
  CHECK(checked_product({3, 5, 7}) == 105);
  CHECK(checked_product({0, std::int64_t{1} << 62, std::int64_t{1} << 62}) == 0);
  CHECK(checked_product({std::int64_t{1} << 26, std::int64_t{1} << 27}) ==
        model::limits::kMaxElements);
  CHECK_FALSE(checked_product({std::int64_t{1} << 26, (std::int64_t{1} << 27) + 1}));
  CHECK_FALSE(checked_product({std::int64_t{1} << 40, std::int64_t{1} << 40}));  // wraps to 0
  CHECK_FALSE(checked_product({3037000500, 3037000500}, INT64_MAX));             // just past 2^63
  CHECK_FALSE(checked_product({-1, 4}));
}

TEST_CASE("limits: JSON nesting, out-of-range numbers and huge values in messages",
          "[inputs][limits]") {
  auto error_of = [](const std::string& text) {
    const std::string path = write_temp("limits.json", text);
    try {
      io::read_json_file(path);
    } catch (const io::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // 100,000 nested arrays crashed (recursive destruction and dump); now refused before parsing.
  CHECK_THAT(error_of(std::string(100000, '[') + std::string(100000, ']')),
             Contains("nested deeper than 64 levels") && Contains("line 1, column 65"));
  CHECK_THAT(
      error_of(R"({"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"),
      Contains("no error"));  // brackets inside strings do not count
  CHECK(error_of(std::string(64, '[') + std::string(64, ']')) == "no error");
  CHECK_THAT(error_of("{\"clock_mhz\":\n 1e400}"),
             Contains("limits.json") && Contains("number 1e400 at line 2, column 2") &&
                 Contains("out of range"));
  // A value in a message is an excerpt, not the whole value.
  nlohmann::json big = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) big.push_back(i);
  CHECK(io::excerpt(big).size() < 200);
  CHECK(io::excerpt(std::string(1000000, 'x')).size() < 200);
  nlohmann::json hw = edge_json();
  hw["array"]["precision"] = big;
  CHECK(hardware_error(hw).size() < 400);
}

TEST_CASE("limits: integers beyond 64 bits and the int range are refused, not wrapped",
          "[inputs][limits]") {
  nlohmann::json j = edge_json();
  for (const char* value : {"1e30", "18446744073709551615", "9223372036854775808", "2147483648",
                            "-9223372036854775808", "4.5"}) {
    j["array"]["rows"] = nlohmann::json::parse(value);
    CHECK_THAT(hardware_error(j), Contains("array.rows") && Contains("allowed"));
  }
  j["array"]["rows"] = 4.0;  // a whole number written as a float is still accepted
  CHECK(hardware_error(j) == "no error");
  j = edge_json();
  j["array"]["rows"] = 100000;
  CHECK_THAT(hardware_error(j), Contains("array.rows") && Contains("1 to 65536"));
}

TEST_CASE("limits: physical ranges of hardware give clear errors instead of inf and NaN",
          "[inputs][limits]") {
  struct Case {
    std::string path;
    double value;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{{"/clock_mhz", 1e-300, "0.001 to 100000"},
                                         {"/clock_mhz", 1e300, "0.001 to 100000"},
                                         {"/sram/inputs/kib", 1e308, "sram.inputs.kib"},
                                         {"/sram/vector/kib", 1e-300, "sram.vector.kib"},
                                         {"/dram/bandwidth_gbps", 1e-300, "1e-06 to 1e+06"},
                                         {"/dram/capacity_gib", 1e300, "dram.capacity_gib"},
                                         {"/vector/tile_overhead_cycles", 1e300, "1e+09"}}) {
    nlohmann::json j = edge_json();
    j[nlohmann::json::json_pointer(c.path)] = c.value;
    CHECK_THAT(hardware_error(j), Contains(c.expected) && Contains("limits"));
  }
}

TEST_CASE("limits: element counts are checked where they multiply", "[inputs][limits]") {
  // m = 2^62 wrapped the GEMM's element counts (zero DRAM traffic); a batch of 2^62 gave a
  // SIGFPE in the model. Both are errors now, naming the op.
  CHECK_THAT(workload_error(
                 R"([{"name": "x", "type": "matmul", "m": 4611686018427387904, "k": 2, "n": 3}])"),
             Contains("ops[0](x).m") && Contains("2147483647"));
  CHECK_THAT(
      workload_error(
          R"([{"name": "x", "type": "matmul", "m": 2147483647, "k": 2147483647, "n": 2147483647}])"),
      Contains("ops[0](x)") && Contains("exceed the limit of 9007199254740992"));
  CHECK_THAT(
      workload_error(
          R"([{"name": "a", "type": "activation", "shape": [2147483647, 2147483647, 2147483647]}])"),
      Contains("ops[0](a)") && Contains("elements of shape exceed the limit"));
  const std::string net = accelscope::testing::temp_path("limits_net") + ".json";
  std::ofstream(net) << (R"({"name": "n", "ops": [
      {"name": "c", "type": "conv2d", "in": [3, 224, 224], "out_channels": 4096, "kernel": [7, 7]}]})");
  engine::WorkloadOptions options;
  options.batch = 4611686018427387904;
  CHECK_THROWS_WITH(engine::load_workload(net, options),
                    Contains("limits_net") && Contains("batch") && Contains("1048576"));
  options.batch = 1 << 20;
  CHECK_THROWS_WITH(engine::load_workload(net, options),
                    Contains("limits_net") && Contains("exceeds the limit of 2^53"));
  options.batch = 1 << 16;
  CHECK(engine::load_workload(net, options).ops.size() == 1);
}

TEST_CASE("limits: SCALE-Sim files name the row and the field", "[inputs][limits]") {
  const std::string header =
      "Layer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,Channels,Num "
      "Filter,Strides,\n";
  // Rows with a bad field after the header were taken for more headers ("no layers found").
  const std::string bad = write_temp("limits_bad.csv", header + "conv1,224,x,7,7,3,64,2,\n");
  CHECK_THROWS_WITH(io::read_scalesim_topology(bad, 1), Contains("line 2") && Contains("conv1") &&
                                                            Contains("IFMAP Width") &&
                                                            Contains("'x'"));
  // 2^40 overflowed to 0 MACs and 0 ms.
  const std::string huge =
      write_temp("limits_huge.csv", header + "conv1,1099511627776,1099511627776,7,7,3,64,2,\n");
  CHECK_THROWS_WITH(io::read_scalesim_topology(huge, 1),
                    Contains("IFMAP Height") && Contains("2147483647"));
  // ArrayHeight 1e30 became rows = -2147483648.
  const std::string cfg =
      write_temp("limits.cfg", "ArrayHeight: 1e30\nArrayWidth: 8\nDataflow: ws\n");
  CHECK_THROWS_WITH(io::read_scalesim_config(cfg),
                    Contains("ArrayHeight") && Contains("1 to 65536"));
}

TEST_CASE("limits: a description built in code is refused where its file would be",
          "[inputs][limits]") {
  // A pool of one bank cannot be split: the JSON reader refuses it, and so does the model's own
  // check for callers that build the description in code.
  CHECK_THAT(hardware_error([] {
               nlohmann::json j = edge_json();
               j["sram"]["input_output_banks"] = 1;
               return j;
             }()),
             Contains("input_output_banks"));
  model::Accelerator a = io::parse_hardware(edge_json(), "edge.json");
  a.input_output_banks = 1;
  try {
    model::validate(a);
    FAIL("a pool of one bank was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(std::string(e.what()),
               Contains("sram.input_output_banks") && Contains("2 to 4096"));
  }
  a.input_output_banks = 2;
  CHECK_NOTHROW(model::validate(a));
}
