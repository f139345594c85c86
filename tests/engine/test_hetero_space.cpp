// Spaces naming a heterogeneous platform (issue 13 point 5; engine/space_spec, engine/evaluator,
// engine/platform_eval): platform knobs as parameters, the placement optimised inside each design,
// a small search end to end, and one-line errors for bad knobs.
#include <atomic>
#include <functional>

#include <catch2/catch.hpp>

#include "engine/space_spec.hpp"
#include "engine/study_runner.hpp"
#include "model/io/json_reader.hpp"
#include "store/database.hpp"
#include "tests/engine/study_support.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using Catch::Matchers::Contains;

namespace {

// Named beside the test spaces so that shipped names resolve as in any spec.
std::string spec_path() {
  return testing::source_dir() + "/tests/data/spaces/orin_dla_test.json";
}

nlohmann::json platform_space() {
  return {{"name", "orin-dla-test"},
          {"platform", "orin_like"},
          {"scenario", "orin_mix"},
          {"parameters",
           {{{"name", "platform.units.dla.count"}, {"values", {0, 2}}},
            {{"name", "platform.units.dla.hardware.array.cols"}, {"values", {64, 128}}},
            {{"name", "platform.dram.bandwidth_gbps"}, {"values", {102.4, 409.6}}},
            {{"name", "platform.placement"}, {"values", {"whole", "layer"}}}}},
          {"constraints", {{"power_w", {{"max", 40}}}}},
          {"objectives",
           {"goodput", "area", nlohmann::json{{"metric", "throughput"}, {"goal", "max"}}}}};
}

std::string spec_error(const std::function<void(nlohmann::json&)>& change) {
  nlohmann::json j = platform_space();
  change(j);
  try {
    engine::parse_space_spec(j, spec_path());
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("hetero space: platform knobs and the platform at a point", "[hetero][space]") {
  const engine::SpaceSpec spec = engine::parse_space_spec(platform_space(), spec_path());
  REQUIRE(spec.platform);
  CHECK(spec.workloads.empty());
  CHECK(spec.space().grid_size() == std::optional<std::uint64_t>{16});
  const search::Point point{1, 0, 1, 1};
  const nlohmann::json platform = engine::platform_json_at(spec, point);
  CHECK(platform["dram"]["bandwidth_gbps"] == 409.6);
  CHECK(platform["units"][1]["name"] == "dla");
  CHECK(platform["units"][1]["count"] == 2);
  CHECK(platform["units"][1]["hardware"]["array"]["cols"] == 64);
  CHECK(engine::placement_at(spec, point) == "layer");
  CHECK(engine::placement_at(spec, {0, 0, 0, 0}) == "whole");
  const nlohmann::json stored = spec.stored_spec();
  CHECK(stored["platform"]["name"] == "orin_like");
  CHECK(stored["scenario"]["tenants"].size() == 3);
}

TEST_CASE("hetero space: a small search of a platform space end to end", "[hetero][space]") {
  testing::TempDb db_file;
  {
    store::Database db(db_file.path);
    engine::StudyRunner runner(db, 2);
    std::atomic<bool> stop{false};
    runner.stop_requested = &stop;
    engine::SearchOptions options;
    options.strategy = "grid";
    runner.run(engine::parse_space_spec(platform_space(), spec_path()), options);
  }
  store::Database db(db_file.path, {.mode = store::OpenMode::read_only});
  const std::int64_t study = db.studies().front().id;
  const std::vector<store::Trial> trials = db.trials(study);
  REQUIRE(trials.size() == 16);
  // [dla count][bandwidth][placement] -> throughput, at 128 columns.
  double throughput[2][2][2] = {};
  for (const store::Trial& t : trials) {
    INFO(t.params.dump());
    REQUIRE(t.status == store::TrialStatus::done);
    const nlohmann::json& m = t.metrics;
    const int dlas = t.params["platform.units.dla.count"].get<int>();
    CHECK(m["units"] == 2 + dlas);
    // Areas summed over the units: GPU 150 + CPU 40 mm2 as the file says, the DLAs the model's.
    if (dlas == 0) CHECK(m["area_mm2"].get<double>() == Approx(190));
    if (dlas == 2) CHECK(m["area_mm2"].get<double>() > 190.5);
    CHECK(m["power_w"].get<double>() >= 35);
    CHECK(m["goodput_scale"].get<double>() > 0);
    CHECK(m["throughput_per_s"].get<double>() > 0);
    for (const char* tenant : {"resnet50", "mobilenet_v2", "bert_base"}) {
      CHECK(m[std::string(tenant) + ".units"].get<int>() >= 1);
      CHECK(m[std::string(tenant) + ".units"].get<int>() <= m["units"].get<int>());
    }
    if (t.params["platform.units.dla.hardware.array.cols"] == 128)
      throughput[dlas / 2][t.params["platform.dram.bandwidth_gbps"] == 409.6]
                [t.params["platform.placement"] == "layer"] = m["throughput_per_s"].get<double>();
  }
  // Layer placement uses the DLAs it is given: more instances per second with them, given the
  // bandwidth; whole placement here keeps each tenant on the GPU.
  CHECK(throughput[1][1][1] > 1.02 * throughput[0][1][1]);
  WARN("orin_mix closed-loop throughput, layer placement, 409.6 GB/s: no DLA "
       << throughput[0][1][1] << "/s, two DLAs " << throughput[1][1][1] << "/s");
  // Front designs keep where each tenant ran.
  const std::vector<store::Trial> front = db.front(study);
  REQUIRE_FALSE(front.empty());
  bool some_on_dla = false;
  for (const store::Trial& t : front) {
    REQUIRE(t.workloads.is_object());
    for (const char* tenant : {"resnet50", "mobilenet_v2", "bert_base"}) {
      const nlohmann::json& detail = t.workloads.at(tenant);
      CHECK(detail["mode"] == "serving");
      REQUIRE(detail["units"].is_array());
      double share = 0;
      for (const auto& [unit, fraction] : detail["unit_share"].items())
        share += fraction.get<double>();
      CHECK(share == Approx(1));
      for (const nlohmann::json& unit : detail["units"])
        some_on_dla = some_on_dla || unit.get<std::string>().rfind("dla", 0) == 0;
    }
  }
  CHECK(some_on_dla);
}

TEST_CASE("hetero space: bad platform knobs get one-line errors", "[hetero][space]") {
  const auto check = [](const std::string& error, const std::vector<std::string>& parts) {
    INFO(error);
    CHECK(error.find('\n') == std::string::npos);
    CHECK_THAT(error, Contains("orin_dla_test.json"));
    for (const std::string& part : parts) CHECK_THAT(error, Contains(part));
  };
  check(spec_error(
            [](nlohmann::json& j) { j["parameters"][0]["name"] = "platform.units.tpu.count"; }),
        {"platform.units.tpu.count", "no unit 'tpu'", "gpu, dla, cpu"});
  check(spec_error([](nlohmann::json& j) {
          j["parameters"][0]["values"] = {0, 65};
        }),
        {"platform.units.dla.count", "= 65", "units.dla.count", "orin_like.json", "allowed"});
  check(spec_error([](nlohmann::json& j) {
          j["parameters"][1]["name"] = "platform.units.dla.hardware.array.colz";
        }),
        {"platform.units.dla.hardware.array.colz", "colz"});
  check(spec_error([](nlohmann::json& j) {
          j["parameters"][2]["values"] = {0, 102.4};
        }),
        {"platform.dram.bandwidth_gbps", "dram.bandwidth_gbps", "a number > 0"});
  check(spec_error([](nlohmann::json& j) {
          j["parameters"][3]["values"] = {"layer", "heft"};
        }),
        {"platform.placement", "heft", "whole, layer, split, ga, best"});
  check(spec_error([](nlohmann::json& j) {
          j["parameters"][1] = {{"name", "platform.units.dla.io_unit"}, {"values", {"gpu", "tpu"}}};
        }),
        {"platform.units.dla.io_unit", "tpu", "io_unit", "another unit of the platform: gpu, cpu"});
  check(spec_error([](nlohmann::json& j) {
          j["parameters"][3] = {{"name", "array.rows"}, {"values", {8}}};
        }),
        {"'array.rows' is not a platform field", "platform.units.<unit>.<field>", "gpu, dla, cpu"});
  check(spec_error([](nlohmann::json& j) { j["hardware"] = "edge_16x16_int8.json"; }),
        {"field 'hardware'", "no hardware beside a \"platform\""});
  check(spec_error([](nlohmann::json& j) { j.erase("scenario"); }),
        {"field 'scenario'", "the scenario a \"platform\" serves"});
  check(spec_error([](nlohmann::json& j) { j["platform"] = "no_such_soc"; }),
        {"field 'platform'", "platforms"});
  check(spec_error([](nlohmann::json& j) {
          j.erase("platform");
          j["hardware"] = "../../../spaces/hardware/serving_128x128_int8.json";
        }),
        {"'platform.units.dla.count' is a platform field", "must name a \"platform\""});
  check(spec_error([](nlohmann::json& j) {
          j["constraints"] = {{"area.sram_mm2", {{"max", 1}}}};
        }),
        {"unknown metric 'constraints.area.sram_mm2'", "throughput_per_s",
         "resnet50.instances_per_s"});
}
