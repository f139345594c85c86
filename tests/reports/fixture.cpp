#include "fixture.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval_output.hpp"
#include "engine/loaders.hpp"
#include "model/evaluate.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "store/database.hpp"
#include "tests/test_support.hpp"

namespace accelscope::reports::testing {

using nlohmann::json;

namespace {

struct WorkloadSetup {
  std::string name;
  std::int64_t batch;
  double weight;
  model::Network network;
};

struct Evaluated {
  store::TrialResult result;
  json breakdown;
};

Evaluated evaluate(const json& hardware, const std::vector<WorkloadSetup>& workloads,
                   const model::Technology& tech, const FixtureOptions& options) {
  const model::Accelerator accelerator = io::parse_hardware(hardware, "fixture");
  Evaluated out;
  json& m = out.result.metrics;
  json workloads_json = json::object();
  json breakdown_workloads = json::object();
  double weights = 0, latency = 0, energy = 0, throughput = 0, ops_per_s = 0, power = 0;
  double not_fitting = 0;
  model::DesignReport design;
  model::NetworkTotals first_total;
  for (const WorkloadSetup& w : workloads) {
    const model::NetworkReport report = model::evaluate(accelerator, w.network, tech);
    design = report.design;
    if (weights == 0) first_total = report.total;
    const model::NetworkTotals& t = report.total;
    const double latency_ms = t.latency_s * 1e3;
    const double energy_mj = t.all.energy.total_pj() * 1e-9;
    const double samples_per_s = static_cast<double>(w.batch) / t.latency_s;
    m[w.name + ".latency_ms"] = latency_ms;
    m[w.name + ".energy_mj"] = energy_mj;
    m[w.name + ".power_w"] = t.average_power_w;
    m[w.name + ".throughput_per_s"] = samples_per_s;
    workloads_json[w.name] = {{"file", "resnet50_scalesim.csv"},
                              {"batch", w.batch},
                              {"mode", "inference"},
                              {"weight", w.weight},
                              {"latency_ms", latency_ms},
                              {"energy_mj", energy_mj},
                              {"power_w", t.average_power_w},
                              {"compute_cycles", t.all.compute_cycles},
                              {"stall_cycles", t.all.stall_cycles}};
    json layers = json::array();
    for (const model::OpReport& op : report.ops) layers.push_back(engine::op_to_json(op));
    breakdown_workloads[w.name] = {{"total", engine::totals_to_json(t)}, {"layers", layers}};
    weights += w.weight;
    latency += w.weight * latency_ms;
    energy += w.weight * energy_mj;
    throughput += w.weight * samples_per_s;
    ops_per_s += w.weight * 2 * t.all.macs / t.latency_s;
    power = std::max(power, t.average_power_w);
    not_fitting += t.ops_not_fitting;
  }
  const double area = design.area.total_mm2();
  m["area_mm2"] = area;
  m["area.pe_array_mm2"] = design.area.pe_array_mm2;
  double sram = 0;
  for (const double mm2 : design.area.sram_mm2) sram += mm2;
  m["area.sram_mm2"] = sram;
  m["area.vector_mm2"] = design.area.vector_unit_mm2;
  m["area.overhead_mm2"] = design.area.overhead_mm2;
  m["peak_power_w"] = design.peak_power_w;
  m["peak_tops"] = design.peak_tops;
  m["power_w"] = power;
  m["latency_ms"] = latency / weights;
  m["energy_mj"] = energy / weights;
  m["edp_mj_ms"] = m["latency_ms"].get<double>() * m["energy_mj"].get<double>();
  m["throughput_per_s"] = throughput / weights;
  m["tops_per_w"] = ops_per_s / weights * 1e-12 / power;
  m["tops_per_mm2"] = ops_per_s / weights * 1e-12 / area;
  out.result.workloads = workloads_json;
  if (not_fitting > 0)
    out.result.violations.push_back("buffers: " + std::to_string(static_cast<int>(not_fitting)) +
                                    " ops do not fit on chip");
  if (area > options.max_area_mm2)
    out.result.violations.push_back("area_mm2 <= " + std::to_string(options.max_area_mm2) +
                                    " (is " + std::to_string(area) + ")");
  out.result.feasible = out.result.violations.empty();
  out.breakdown = {{"hardware", hardware},
                   {"design", engine::design_to_json(accelerator, design, first_total)},
                   {"workloads", breakdown_workloads}};
  return out;
}

}  // namespace

store::StudyId make_fixture_study(const std::filesystem::path& database,
                                  const FixtureOptions& options) {
  const std::string data = accelscope::testing::data_dir();
  const json base = io::read_json_file(data + "/hardware/edge_16x16_int8.json");
  std::vector<WorkloadSetup> workloads;
  for (const auto& [name, batch, weight] :
       {std::tuple{"resnet50", 1, 3.0}, std::tuple{"resnet50_b4", 4, 1.0}}) {
    engine::WorkloadOptions load;
    load.batch = batch;
    workloads.push_back({name, batch, weight,
                         engine::load_workload(data + "/workloads/resnet50_scalesim.csv", load)});
  }
  const io::TechLibrary library = io::load_default_tech_library();
  const model::Technology tech = io::technology_at(library, base["tech_node_nm"].get<int>());

  const std::vector<int> sides = {8, 16, 32};
  const std::vector<std::string> dataflows = {"ws", "os", "is"};
  const std::vector<int> sram_kib = {32, 64, 128, 256};
  const std::vector<double> bandwidths = {6.4, 12.8, 25.6};

  store::StudyConfig config;
  config.name = options.name;
  json parameters = json::array({{{"name", "array.rows"}, {"values", sides}},
                                 {{"name", "array.cols"}, {"values", sides}},
                                 {{"name", "array.dataflow"}, {"values", dataflows}},
                                 {{"name", "sram.inputs.kib"}, {"pow2", {32, 256}}},
                                 {{"name", "sram.weights.kib"}, {"pow2", {32, 256}}},
                                 {{"name", "dram.bandwidth_gbps"}, {"values", bandwidths}},
                                 {{"name", "label"}, {"values", {"edge, variant \"A\""}}}});
  json objectives = json::array({"latency_ms", "energy_mj"});
  config.objectives = {{"latency_ms", store::Direction::minimize},
                       {"energy_mj", store::Direction::minimize}};
  if (options.objectives == 1) {
    objectives.erase(1);
    config.objectives.pop_back();
  }
  if (options.objectives >= 3) {
    objectives.push_back("area_mm2");
    config.objectives.push_back({"area_mm2", store::Direction::minimize});
  }
  config.spec = {
      {"spec",
       {{"name", options.name},
        {"hardware", "hardware/edge_16x16_int8.json"},
        {"parameters", parameters},
        {"workloads",
         {{{"name", "resnet50"}, {"file", "resnet50_scalesim.csv"}, {"batch", 1}, {"weight", 3}},
          {{"name", "resnet50_b4"}, {"file", "resnet50_scalesim.csv"}, {"batch", 4}}}},
        {"constraints", {{"area_mm2", {{"max", options.max_area_mm2}}}}},
        {"objectives", objectives}}},
      {"base_hardware", base}};
  config.strategy = "random";
  config.seed = 7;
  config.budget = options.designs + options.failed + options.left_pending;
  config.engine_version = "0.1.0-fixture";
  config.options = {{"spec_file", "spaces/edge_fixture.json"}};

  store::Database db(database);
  const store::StudyId study = db.create_study(config);

  std::mt19937 random(7);
  auto pick = [&](const auto& values) { return values[random() % values.size()]; };
  std::vector<store::ProposedPoint> points;
  std::vector<json> hardware;
  const int total = options.designs + options.failed + options.left_pending;
  for (int i = 0; i < total; ++i) {
    const int rows = pick(sides), cols = pick(sides);
    const std::string dataflow = pick(dataflows);
    const int inputs = pick(sram_kib), weights = pick(sram_kib);
    const double bandwidth = pick(bandwidths);
    json hw = base;
    hw["array"]["rows"] = rows;
    hw["array"]["cols"] = cols;
    hw["array"]["dataflow"] = dataflow;
    hw["sram"]["inputs"]["kib"] = inputs;
    hw["sram"]["weights"]["kib"] = weights;
    hw["dram"]["bandwidth_gbps"] = bandwidth;
    hardware.push_back(hw);
    store::ProposedPoint point;
    point.point = json::array({i, rows, cols, dataflow, inputs, weights, bandwidth});
    point.params = {{"array.rows", rows},
                    {"array.cols", cols},
                    {"array.dataflow", dataflow},
                    {"sram.inputs.kib", inputs},
                    {"sram.weights.kib", weights},
                    {"sram.outputs.kib", hw["sram"]["outputs"]["kib"]},
                    {"sram.vector.kib", hw["sram"]["vector"]["kib"]},
                    {"dram.bandwidth_gbps", bandwidth},
                    {"pe_count", rows * cols},
                    {"label", "edge, variant \"A\""}};
    points.push_back(point);
  }
  db.add_pending(study, 0, 0, points);
  const std::vector<store::Trial> claimed = db.claim_pending(
      study, store::default_worker_id(), static_cast<std::size_t>(total - options.left_pending));
  std::vector<store::Completion> completions;
  std::vector<json> breakdowns(hardware.size());
  for (const store::Trial& trial : claimed) {
    const std::size_t i = static_cast<std::size_t>(trial.seq);
    if (static_cast<int>(i) >= options.designs) {
      db.fail(trial.id, "model: simulated failure");
      continue;
    }
    Evaluated evaluated = evaluate(hardware[i], workloads, tech, options);
    breakdowns[i] = std::move(evaluated.breakdown);
    completions.push_back({trial.id, std::move(evaluated.result)});
  }
  db.complete_many(completions);
  if (options.store_breakdowns)
    for (const store::Trial& trial : db.front(study))
      db.set_breakdown(trial.id, breakdowns[static_cast<std::size_t>(trial.seq)]);
  if (options.left_pending == 0) db.set_status(study, store::StudyStatus::done);
  return study;
}

}  // namespace accelscope::reports::testing
