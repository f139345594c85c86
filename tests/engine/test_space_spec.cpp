// Design-space specs: parsing, derived rules, mapping points to hardware, and bad specs.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>

#include "engine/space_spec.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using Catch::Matchers::Contains;

namespace {

std::string tiny_path() {
  return accelscope::testing::source_dir() + "/tests/data/spaces/tiny.json";
}

nlohmann::json tiny_json() {
  return io::read_json_file(tiny_path());
}

std::string spec_error(const nlohmann::json& json) {
  try {
    engine::parse_space_spec(json, tiny_path());
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("space spec: parameters, grid and hardware at a point", "[space]") {
  const engine::SpaceSpec spec = engine::read_space_spec(tiny_path());
  CHECK(spec.name == "tiny");
  const search::Space space = spec.space();
  REQUIRE(space.dimension_count() == 5);
  CHECK(*space.grid_size() == 5 * 3 * 4 * 2 * 2);
  CHECK(space.dimension(0).values == std::vector<double>{64, 128, 256, 512, 1024});
  CHECK(space.dimension(3).categorical);
  // pe_count 256 (level 2), aspect 4 (level 2), inputs 64 KiB (level 1), ws, 25.6 GB/s.
  const search::Point point{2, 2, 1, 1, 1};
  const nlohmann::json hw = engine::hardware_json_at(spec, point);
  CHECK(hw["array"]["rows"] == 32);
  CHECK(hw["array"]["cols"] == 8);
  CHECK(hw["array"]["dataflow"] == "ws");
  CHECK(hw["sram"]["inputs"]["kib"] == 64);
  CHECK(hw["dram"]["bandwidth_gbps"] == 25.6);
  CHECK(io::parse_hardware(hw, "x").array.rows == 32);
  const nlohmann::json params = engine::params_at(spec, point);
  CHECK(params["pe_count"] == 256);
  CHECK(params["array.rows"] == 32);
  CHECK(params["array.dataflow"] == "ws");
  CHECK(spec.objectives.size() == 2);
  CHECK(spec.objectives[0].metric == "latency_ms");
  CHECK(spec.constraints.at(0).max == 4.5);
}

TEST_CASE("space spec: pe_array keeps the PE count exact; dram_split divides bandwidth",
          "[space]") {
  nlohmann::json j = tiny_json();
  j["parameters"].push_back({{"name", "bw"}, {"values", {100}}});
  j["parameters"].push_back({{"name", "w_share"}, {"values", {1, 3}}});
  j["derived"].push_back(
      {{"rule", "dram_split"},
       {"total_gbps", "bw"},
       {"fractions", {{"inputs", 1}, {"weights", "w_share"}, {"outputs", 1}, {"vector", 1}}}});
  const engine::SpaceSpec spec = engine::parse_space_spec(j, tiny_path());
  for (double pes_level = 0; pes_level < 5; ++pes_level)
    for (double aspect_level = 0; aspect_level < 3; ++aspect_level) {
      const nlohmann::json hw =
          engine::hardware_json_at(spec, {pes_level, aspect_level, 0, 0, 0, 0, 1});
      CHECK(hw["array"]["rows"].get<int>() * hw["array"]["cols"].get<int>() ==
            64 << static_cast<int>(pes_level));
    }
  const nlohmann::json hw = engine::hardware_json_at(spec, {4, 2, 0, 0, 0, 0, 1});
  CHECK(hw["array"]["rows"] == 64);  // 1024 PEs, aspect 4
  CHECK(hw["array"]["cols"] == 16);
  CHECK(hw["dram"]["bandwidth_gbps"]["weights"].get<double>() == Approx(50));
  CHECK(hw["dram"]["bandwidth_gbps"]["inputs"].get<double>() == Approx(100.0 / 6));
  CHECK_FALSE(io::parse_hardware(hw, "x").dram.shared);
}

TEST_CASE("space spec: bad specs give clear errors", "[space]") {
  nlohmann::json j = tiny_json();
  j["parameters"][2]["name"] = "sram.inputz.kib";
  CHECK_THAT(spec_error(j),
             Contains("tiny.json") && Contains("sram.inputz.kib") && Contains("unknown field"));

  j = tiny_json();
  j["parameters"][2]["pow2"] = {256, 32};
  CHECK_THAT(spec_error(j),
             Contains("parameters[2](sram.inputs.kib).pow2") && Contains("empty range"));

  j = tiny_json();
  j["parameters"][1]["values"] = nlohmann::json::array();
  CHECK_THAT(spec_error(j), Contains("values") && Contains("non-empty"));

  j = tiny_json();
  j["parameters"][3]["values"] = {"os", "xs"};
  CHECK_THAT(spec_error(j),
             Contains("array.dataflow") && Contains("xs") && Contains("os, ws, is, rs"));

  j = tiny_json();
  j["parameters"][2]["pow2"] = {0.5, 4};
  j["parameters"][2]["name"] = "array.rows";
  CHECK_THAT(spec_error(j), Contains("array.rows") && Contains("invalid hardware"));

  j = tiny_json();
  j["constraints"]["area_mm2"] = {{"min", 5}, {"max", 1}};
  CHECK_THAT(spec_error(j), Contains("contradictory bounds"));

  j = tiny_json();
  j["constraints"]["speed"] = {{"max", 1}};
  CHECK_THAT(spec_error(j),
             Contains("unknown metric 'constraints.speed'") && Contains("latency_ms"));

  j = tiny_json();
  j["objectives"] = {"latency", "happiness"};
  CHECK_THAT(spec_error(j), Contains("unknown objective 'happiness'") && Contains("energy"));

  j = tiny_json();
  j["objectives"] = {"latency", "latency_ms"};
  CHECK_THAT(spec_error(j), Contains("given twice"));

  j = tiny_json();
  j["workloads"][0]["file"] = "no_such_network.json";
  CHECK_THAT(spec_error(j), Contains("workloads[0].file") && Contains("no_such_network.json") &&
                                Contains("an existing file"));

  j = tiny_json();
  j["workloads"][0]["mode"] = "serving";
  CHECK_THAT(spec_error(j), Contains("mode") && Contains("inference, training"));

  j = tiny_json();
  j["parameters"].push_back({{"name", "spare"}, {"values", {1, 2}}});
  CHECK_THAT(spec_error(j), Contains("'spare'") && Contains("neither a hardware field"));

  j = tiny_json();
  j["parameters"].push_back(j["parameters"][0]);
  CHECK_THAT(spec_error(j), Contains("pe_count") && Contains("not used by another parameter"));

  j = tiny_json();
  j["derived"][0]["aspect"] = "shape";
  CHECK_THAT(spec_error(j), Contains("derived[0].aspect") && Contains("pe_count, aspect"));

  j = tiny_json();
  j["parameters"][0] = {{"name", "array.rows"}, {"pow2", {8, 64}}, {"range", {8, 64}}};
  CHECK_THAT(spec_error(j), Contains("exactly one of values, pow2, range, float"));

  j = tiny_json();
  j["colour"] = "blue";
  CHECK_THAT(spec_error(j), Contains("unknown field 'colour'"));

  j = tiny_json();
  j["reference_point"] = {1, 2, 3};
  CHECK_THAT(spec_error(j), Contains("reference_point") && Contains("one per objective"));
}

TEST_CASE("space spec: the stored spec changes with the files it names", "[space]") {
  const std::string dir = accelscope::testing::temp_path("spec_dir");
  std::filesystem::create_directories(dir);
  const std::string workload = dir + "/net.csv";
  std::ofstream(workload) << "Layer name,H,W,R,S,C,K,Stride,\nc1,8,8,3,3,4,8,1,\n";
  nlohmann::json j = tiny_json();
  j["hardware"] =
      io::read_json_file(accelscope::testing::data_dir() + "/hardware/edge_16x16_int8.json");
  j["workloads"][0]["file"] = workload;
  const nlohmann::json before = engine::parse_space_spec(j, dir + "/s.json").stored_spec();
  std::ofstream(workload) << "Layer name,H,W,R,S,C,K,Stride,\nc1,8,8,3,3,4,16,1,\n";
  const nlohmann::json after = engine::parse_space_spec(j, dir + "/s.json").stored_spec();
  CHECK(before != after);
  std::filesystem::remove_all(dir);
}

TEST_CASE("space spec: pe_array finds the divisor nearest the aspect in sqrt(pe_count) steps",
          "[space][limits]") {
  // The rule used to try every number up to pe_count (18 s for pow2 [1, 2^31], hours for 2^40);
  // divisors now come in pairs below the square root. Compare with every divisor on small counts,
  // then the largest counts: 2^32 and the product of the two largest primes below 2^16.
  auto rows_of = [](double pes, double aspect) {
    nlohmann::json j = tiny_json();
    j["parameters"][0] = {{"name", "pe_count"}, {"values", {pes}}};
    j["parameters"][1] = {{"name", "aspect"}, {"values", {aspect}}};
    const engine::SpaceSpec spec = engine::parse_space_spec(j, tiny_path());
    const nlohmann::json params = engine::params_at(spec, {0, 0, 0, 0, 0});
    CHECK(params["array.rows"].get<std::int64_t>() * params["array.cols"].get<std::int64_t>() ==
          static_cast<std::int64_t>(pes));
    return params["array.rows"].get<std::int64_t>();
  };
  for (int pes : {1, 2, 12, 36, 64, 96, 97, 360, 1000})
    for (double aspect : {0.25, 1.0, 3.0}) {
      const double ideal = std::log(std::sqrt(pes * aspect));
      std::int64_t expected = 1;
      for (int d = 1; d <= pes; ++d)
        if (pes % d == 0 && std::abs(std::log(double(d)) - ideal) <=
                                std::abs(std::log(double(expected)) - ideal) + 1e-12)
          expected = d;  // the rule as it was: every d, ties to the taller array
      CHECK(rows_of(pes, aspect) == expected);
    }
  CHECK(rows_of(4294967296.0, 1) == 65536);
  CHECK(rows_of(65521.0 * 65519.0, 1.0001) == 65521);
}

TEST_CASE("space spec: levels are counted before they are built and must differ",
          "[space][limits]") {
  nlohmann::json j = tiny_json();
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"range", {1, 1e9}}};
  CHECK_THAT(spec_error(j), Contains("at most 65536 levels") && Contains("1e+09"));
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"range", {1e17, 1e18}}, {"step", 1}};
  CHECK_THAT(spec_error(j), Contains("at most 65536 levels"));
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"range", {16, 64}}, {"step", 1e-300}};
  CHECK_THAT(spec_error(j), Contains("at most 65536 levels"));
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"range", {1e17, 1e17 + 64}}, {"step", 1}};
  CHECK_THAT(spec_error(j), Contains("step") && Contains("levels must differ"));
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"pow2", {1e-300, 1e300}}};
  CHECK_THAT(spec_error(j), Contains("pow2") && Contains("levels"));
  j["parameters"][0] = {{"name", "pe_count"}, {"pow2", {1, 1099511627776.0}}};  // 2^40
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"pow2", {32, 256}}};
  CHECK_THAT(spec_error(j), Contains("pe_count") && Contains("2^32"));
  // A range is built level by level from its index: 0.1 steps land on 0.1 * i, not on a sum.
  j = tiny_json();
  j["parameters"][2] = {{"name", "sram.inputs.kib"}, {"range", {16, 17}}, {"step", 0.1}};
  const engine::SpaceSpec spec = engine::parse_space_spec(j, tiny_path());
  REQUIRE(spec.parameters[2].dimension.values.size() == 11);
  CHECK(spec.parameters[2].dimension.values[7] == 16 + 7 * 0.1);
}

namespace {

// tiny.json over a serving scenario instead of (or beside) its workload.
nlohmann::json serving_json() {
  nlohmann::json j = tiny_json();
  j["hardware"] = "../../../spaces/hardware/serving_128x128_int8.json";
  j["scenario"] = "issue_mix";  // a shipped name
  j.erase("workloads");
  j["parameters"] = {{{"name", "dram.bandwidth_gbps"}, {"values", {64, 256}}},
                     {{"name", "serving.policy"}, {"values", {"temporal", "elastic"}}},
                     {{"name", "serving.max_partitions"}, {"values", {2, 4}}},
                     {{"name", "serving.partition_step"}, {"values", {0.25, 0.3}}},
                     {{"name", "serving.switch_cost_us"}, {"float", {0, 50}}}};
  j.erase("derived");
  j["constraints"] = {{"goodput_scale", {{"min", 1}}}, {"bert_base.p99_ms", {{"max", 10}}}};
  j["objectives"] = {"goodput", "area", "energy_per_request"};
  return j;
}

}  // namespace

TEST_CASE("space spec: a scenario, serving parameters and serving metrics", "[space][platform]") {
  const engine::SpaceSpec spec = engine::parse_space_spec(serving_json(), tiny_path());
  REQUIRE(spec.serving);
  CHECK(spec.serving->scenario.tenants.size() == 4);
  CHECK(spec.workloads.empty());
  REQUIRE(spec.objectives.size() == 3);
  CHECK(spec.objectives[0].metric == "goodput_scale");
  CHECK(spec.objectives[0].maximize);
  CHECK(spec.objectives[2].metric == "energy_mj_per_request");
  CHECK_FALSE(spec.objectives[2].maximize);
  // The point's policy and options: the scenario's, with the parameters applied.
  const search::Point point{1, 1, 0, 1, 20};
  CHECK(engine::serving_policy_at(spec, point) == model::platform::Policy::elastic);
  CHECK(engine::serving_policy_at(spec, {1, 0, 0, 1, 20}) == model::platform::Policy::temporal);
  const model::platform::PlatformOptions options = engine::serving_options_at(spec, point);
  CHECK(options.max_partitions == 2);
  CHECK(options.switch_cost_s == Approx(20e-6));
  CHECK(options.partition_menu == std::vector<double>{0.3, 0.6, 0.8999999999999999, 1.0});
  CHECK(engine::serving_options_at(spec, {0, 0, 1, 0, 0}).partition_menu ==
        std::vector<double>{0.25, 0.5, 0.75, 1.0});
  // Serving options are not hardware: the design's hardware is the base one at that bandwidth.
  CHECK(engine::hardware_json_at(spec, point)["dram"]["bandwidth_gbps"] == 256);
  CHECK_FALSE(engine::hardware_json_at(spec, point).contains("serving"));
  // The stored spec carries the scenario and its workloads' fingerprints.
  const nlohmann::json stored = spec.stored_spec();
  CHECK(stored["scenario"]["tenants"].size() == 4);
  CHECK(stored["scenario_workload_files"].contains("bert_base"));
}

TEST_CASE("space spec: bad serving specs give clear errors", "[space][platform]") {
  const auto error_with = [](const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json j = serving_json();
    change(j);
    return spec_error(j);
  };
  CHECK_THAT(error_with([](nlohmann::json& j) { j["scenario"] = "no_such_mix"; }),
             Contains("field 'scenario'") && Contains("scenarios"));
  CHECK_THAT(error_with([](nlohmann::json& j) { j.erase("scenario"); }),
             Contains("serving.policy") && Contains("must name a \"scenario\""));
  CHECK_THAT(error_with([](nlohmann::json& j) {
               j["parameters"][1]["values"] = {"elastic", "round_robin"};
             }),
             Contains("serving.policy") && Contains("round_robin") && Contains("temporal"));
  CHECK_THAT(error_with([](nlohmann::json& j) {
               j["parameters"][2]["values"] = {0, 4};
             }),
             Contains("serving.max_partitions") && Contains("1 to 64"));
  CHECK_THAT(error_with([](nlohmann::json& j) {
               j["parameters"][3]["values"] = {0.5, 1.5};
             }),
             Contains("serving.partition_step") && Contains("(0, 1]"));
  CHECK_THAT(
      error_with([](nlohmann::json& j) {
        j["parameters"][4] = {{"name", "serving.turns"}, {"values", {1}}};
      }),
      Contains("unknown serving parameter 'serving.turns'") && Contains("serving.switch_cost_us"));
  CHECK_THAT(
      error_with([](nlohmann::json& j) {
        j["constraints"] = {{"resnet.p99_ms", {{"max", 1}}}};
      }),
      Contains("unknown metric 'constraints.resnet.p99_ms'") && Contains("bert_base.p99_ms"));
  // Without a scenario, workloads are needed and serving metrics are unknown.
  CHECK_THAT(error_with([](nlohmann::json& j) {
               j.erase("scenario");
               j["parameters"] = {j["parameters"][0]};
             }),
             Contains("field 'workloads'"));
  CHECK_THAT(error_with([](nlohmann::json& j) {
               j.erase("scenario");
               j["parameters"] = {{{"name", "dram.bandwidth_gbps"}, {"values", {64}}}};
               j["workloads"] = tiny_json()["workloads"];
               j["workloads"][0]["file"] = "../../../spaces/workloads/resnet50_scalesim.csv";
               j["constraints"] = {{"goodput_scale", {{"min", 1}}}};
             }),
             Contains("unknown metric 'constraints.goodput_scale'"));
  // A workload named like a tenant would mix their metrics.
  CHECK_THAT(error_with([](nlohmann::json& j) {
               j["workloads"] = tiny_json()["workloads"];
               j["workloads"][0]["name"] = "bert_base";
               j["workloads"][0]["file"] = "../../../spaces/workloads/resnet50_scalesim.csv";
             }),
             Contains("bert_base") && Contains("tenant of the scenario"));
}
