#include "fixture.hpp"

#include "model/die_cost.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

namespace accelscope::gui::fixture {

namespace {

struct Choice {
  const char* name;
  std::vector<nlohmann::json> values;
};

const std::vector<Choice>& space() {
  static const std::vector<Choice> choices = {
      {"array.rows", {8, 16, 32, 64, 128}},
      {"array.cols", {8, 16, 32, 64, 128}},
      {"array.dataflow", {"ws", "os", "is"}},
      {"sram.inputs.kib", {32, 64, 128, 256, 512}},
      {"sram.weights.kib", {32, 64, 128, 256, 512}},
      {"sram.outputs.kib", {16, 32, 64, 128}},
      {"sram.vector.kib", {32, 64}},
      {"dram.bandwidth_gbps", {6.4, 12.8, 25.6, 51.2}},
      {"vector.lanes", {8, 16, 32, 64}},
  };
  return choices;
}

enum class Unit { array, vector };

struct Layer {
  std::string name;
  std::string op;
  std::string phase = "forward";
  Unit unit = Unit::array;
  double out_channels = 0;  // M
  double reduction = 0;     // R = C * kh * kw
  double positions = 0;     // N = output pixels x batch
  double in_bytes = 0;
  double elements = 0;  // vector ops
  double macs() const { return unit == Unit::array ? out_channels * reduction * positions : 0; }
};

void conv(std::vector<Layer>& out, const std::string& name, double in_c, double out_c, double k,
          double out_hw, double stride, double batch, const char* op = "conv") {
  Layer layer;
  layer.name = name;
  layer.op = op;
  layer.out_channels = out_c;
  layer.reduction = in_c * k * k;
  layer.positions = out_hw * out_hw * batch;
  layer.in_bytes = in_c * (out_hw * stride) * (out_hw * stride) * batch;
  out.push_back(layer);
}

void vector_op(std::vector<Layer>& out, const std::string& name, const std::string& op,
               double elements) {
  Layer layer;
  layer.name = name;
  layer.op = op;
  layer.unit = Unit::vector;
  layer.elements = elements;
  layer.in_bytes = elements;
  out.push_back(layer);
}

std::vector<Layer> resnet50(double batch) {
  std::vector<Layer> layers;
  conv(layers, "conv1", 3, 64, 7, 112, 2, batch);
  vector_op(layers, "pool1", "maxpool", 64 * 56 * 56 * batch);
  struct Stage {
    int blocks;
    double mid, out, hw;
  };
  double in_c = 64;
  int stage_index = 2;
  for (const Stage& stage : {Stage{3, 64, 256, 56}, Stage{4, 128, 512, 28}, Stage{6, 256, 1024, 14},
                             Stage{3, 512, 2048, 7}}) {
    for (int b = 0; b < stage.blocks; ++b) {
      const std::string prefix = "res" + std::to_string(stage_index) + char('a' + b);
      const double stride = (b == 0 && stage_index > 2) ? 2 : 1;
      conv(layers, prefix + "_branch2a", in_c, stage.mid, 1, stage.hw, stride, batch);
      conv(layers, prefix + "_branch2b", stage.mid, stage.mid, 3, stage.hw, 1, batch);
      conv(layers, prefix + "_branch2c", stage.mid, stage.out, 1, stage.hw, 1, batch);
      if (b == 0) conv(layers, prefix + "_branch1", in_c, stage.out, 1, stage.hw, stride, batch);
      vector_op(layers, prefix + "_add", "add", stage.out * stage.hw * stage.hw * batch);
      in_c = stage.out;
    }
    ++stage_index;
  }
  vector_op(layers, "pool5", "avgpool", 2048 * 49 * batch);
  conv(layers, "fc1000", 2048, 1000, 1, 1, 1, batch, "gemm");
  vector_op(layers, "softmax", "softmax", 1000 * batch);
  return layers;
}

std::vector<Layer> mobilenet_v2(double batch) {
  std::vector<Layer> layers;
  conv(layers, "conv_stem", 3, 32, 3, 112, 2, batch);
  struct Block {
    double t, c;
    int n;
    double s;
  };
  double in_c = 32, hw = 112;
  int index = 1;
  for (const Block& block :
       {Block{1, 16, 1, 1}, Block{6, 24, 2, 2}, Block{6, 32, 3, 2}, Block{6, 64, 4, 2},
        Block{6, 96, 3, 1}, Block{6, 160, 3, 2}, Block{6, 320, 1, 1}}) {
    for (int i = 0; i < block.n; ++i) {
      const double stride = i == 0 ? block.s : 1;
      const double out_hw = hw / stride;
      const double hidden = in_c * block.t;
      const std::string prefix = "block" + std::to_string(index++);
      if (block.t > 1) conv(layers, prefix + "_expand", in_c, hidden, 1, hw, 1, batch);
      // Depthwise: one filter per channel, mapped as a grouped GEMM with a tiny reduction.
      conv(layers, prefix + "_dw", 1, hidden, 3, out_hw, stride, batch, "dwconv");
      conv(layers, prefix + "_project", hidden, block.c, 1, out_hw, 1, batch);
      if (stride == 1 && in_c == block.c) {
        vector_op(layers, prefix + "_add", "add", block.c * out_hw * out_hw * batch);
      }
      in_c = block.c;
      hw = out_hw;
    }
  }
  conv(layers, "conv_head", 320, 1280, 1, 7, 1, batch);
  vector_op(layers, "pool", "avgpool", 1280 * 49 * batch);
  conv(layers, "classifier", 1280, 1000, 1, 1, 1, batch, "gemm");
  vector_op(layers, "softmax", "softmax", 1000 * batch);
  return layers;
}

// Training: each layer forward, then backward for data and weights (about twice the work).
std::vector<Layer> training(const std::vector<Layer>& forward) {
  std::vector<Layer> layers = forward;
  for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
    Layer data = *it, weights = *it;
    data.phase = "backward_data";
    data.name += "_bwd_data";
    weights.phase = "backward_weight";
    weights.name += "_bwd_weight";
    if (it->unit == Unit::array) {
      std::swap(weights.reduction, weights.positions);  // the batch*pixels dimension reduces
      layers.push_back(data);
      layers.push_back(weights);
    } else {
      layers.push_back(data);
    }
  }
  return layers;
}

struct Workload {
  std::string name;
  std::string file;
  double batch;
  double weight;
  std::vector<Layer> layers;
};

const std::vector<Workload>& workloads(const std::string& mode) {
  static const std::vector<Workload> inference = {
      {"resnet50", "workloads/resnet50.json", 1, 2, resnet50(1)},
      {"mobilenet_v2", "workloads/mobilenet_v2.json", 1, 1, mobilenet_v2(1)}};
  static const std::vector<Workload> train = {
      {"resnet50", "workloads/resnet50.json", 8, 2, training(resnet50(8))},
      {"mobilenet_v2", "workloads/mobilenet_v2.json", 8, 1, training(mobilenet_v2(8))}};
  return mode == "training" ? train : inference;
}

struct Tech {
  double mac_pj, sram_pj_per_byte_32kib, dram_pj_per_byte, vector_pj, pe_mm2, sram_mm2_per_kib,
      lane_mm2, leakage_mw_per_mm2, clock_mhz;
};

Tech technology(int nm) {
  if (nm <= 7) return {0.07, 0.035, 28, 0.18, 0.00028, 0.0011, 0.0016, 30, 1000};
  return {0.22, 0.09, 32, 0.5, 0.0012, 0.0032, 0.006, 14, 800};
}

double get(const nlohmann::json& params, const char* name) {
  return params.at(name).get<double>();
}

double ceil_div(double a, double b) {
  return std::ceil(a / b);
}

struct LayerResult {
  double compute_cycles = 0, stall_cycles = 0, dram_bytes = 0;
  double mac_pj = 0, sram_pj = 0, dram_pj = 0, vector_pj = 0, leakage_pj = 0;
  double energy() const { return mac_pj + sram_pj + dram_pj + vector_pj + leakage_pj; }
};

}  // namespace

store::StudyConfig study_config(const StudyOptions& options) {
  store::StudyConfig config;
  config.name = options.name;
  config.strategy = options.strategy;
  config.seed = static_cast<std::int64_t>(options.seed);
  config.budget = options.budget;
  config.engine_version = "0.1.0-fixture";
  nlohmann::json parameters = nlohmann::json::array();
  for (const Choice& choice : space())
    parameters.push_back({{"name", choice.name}, {"values", choice.values}});
  nlohmann::json workload_list = nlohmann::json::array();
  for (const Workload& w : workloads(options.mode)) {
    workload_list.push_back({{"name", w.name},
                             {"file", w.file},
                             {"batch", w.batch},
                             {"mode", options.mode},
                             {"weight", w.weight}});
  }
  config.spec = {{"name", options.name},
                 {"technology", {{"node_nm", options.tech_nm}}},
                 {"workloads", workload_list},
                 {"parameters", parameters},
                 {"constraints", {{{"metric", "area_mm2"}, {"max", options.area_limit_mm2}}}},
                 {"objectives",
                  {{{"metric", "latency_ms"}, {"direction", "minimize"}},
                   {{"metric", "energy_mj"}, {"direction", "minimize"}},
                   {{"metric", "area_mm2"}, {"direction", "minimize"}}}}};
  config.objectives = {{"latency_ms", store::Direction::minimize},
                       {"energy_mj", store::Direction::minimize},
                       {"area_mm2", store::Direction::minimize}};
  config.reference_point = options.mode == "training" ? nlohmann::json{5000.0, 5000.0, 40.0}
                                                      : nlohmann::json{200.0, 50.0, 40.0};
  config.options = {{"population", 32}};
  return config;
}

store::ProposedPoint propose(const StudyOptions& options, std::int64_t seq) {
  std::mt19937_64 random(options.seed * 1000003ULL + static_cast<std::uint64_t>(seq));
  store::ProposedPoint point;
  for (const Choice& choice : space()) {
    std::uniform_int_distribution<std::size_t> pick(0, choice.values.size() - 1);
    const std::size_t index = pick(random);
    point.point.push_back(index);
    point.params[choice.name] = choice.values[index];
  }
  const double rows = point.params["array.rows"].get<double>();
  const double cols = point.params["array.cols"].get<double>();
  point.params["pe_count"] = static_cast<std::int64_t>(rows * cols);
  point.params["aspect"] = rows / cols;
  return point;
}

store::TrialResult evaluate(const StudyOptions& options, const nlohmann::json& params) {
  const Tech tech = technology(options.tech_nm);
  const double rows = get(params, "array.rows"), cols = get(params, "array.cols");
  const double pe = rows * cols;
  const std::string dataflow = params.at("array.dataflow").get<std::string>();
  const double sram_in = get(params, "sram.inputs.kib"), sram_w = get(params, "sram.weights.kib");
  const double sram_out = get(params, "sram.outputs.kib"),
               sram_vec = get(params, "sram.vector.kib");
  const double bandwidth = get(params, "dram.bandwidth_gbps"), lanes = get(params, "vector.lanes");
  const double clock_hz = tech.clock_mhz * 1e6;
  const double bytes_per_cycle = bandwidth * 1e9 / clock_hz;
  const double dram_pj_per_byte = tech.dram_pj_per_byte * (1 + 0.25 * std::log2(bandwidth / 6.4));
  const double dram_background_w = 0.012 * bandwidth;

  // Area and leakage.
  const double pe_area = pe * tech.pe_mm2;
  const nlohmann::json sram_area = {{"inputs", sram_in * tech.sram_mm2_per_kib},
                                    {"weights", sram_w * tech.sram_mm2_per_kib},
                                    {"outputs", sram_out * tech.sram_mm2_per_kib},
                                    {"vector", sram_vec * tech.sram_mm2_per_kib}};
  const double sram_total = (sram_in + sram_w + sram_out + sram_vec) * tech.sram_mm2_per_kib;
  const double vector_area = lanes * tech.lane_mm2;
  const double overhead = 0.1 * (pe_area + sram_total + vector_area) + 0.25;
  const double area = pe_area + sram_total + vector_area + overhead;
  const double leakage_mw = area * tech.leakage_mw_per_mm2;
  auto sram_pj = [&](double kib) { return tech.sram_pj_per_byte_32kib * std::sqrt(kib / 32.0); };

  nlohmann::json workload_results = nlohmann::json::object();
  nlohmann::json breakdown_workloads = nlohmann::json::object();
  double weight_sum = 0, latency_sum = 0, energy_sum = 0, throughput_sum = 0, util_sum = 0,
         nonconv_sum = 0, dram_sum = 0, max_power = 0, macs_per_s_sum = 0;
  std::array<double, 5> component_sum{};
  for (const Workload& workload : workloads(options.mode)) {
    double compute = 0, stall = 0, macs = 0, dram_bytes = 0, conv_cycles = 0, nonconv_cycles = 0;
    double conv_energy = 0, nonconv_energy = 0;
    std::array<double, 5> components{};
    nlohmann::json by_phase = nlohmann::json::object();
    nlohmann::json layer_rows = nlohmann::json::array();
    for (const Layer& layer : workload.layers) {
      LayerResult r;
      if (layer.unit == Unit::array) {
        const double m = layer.out_channels, red = layer.reduction, n = layer.positions;
        double folds = 0, inner = 0;
        if (dataflow == "ws") {
          folds = ceil_div(red, rows) * ceil_div(m, cols), inner = n;
        } else if (dataflow == "os") {
          folds = ceil_div(n, rows) * ceil_div(m, cols), inner = red;
        } else {
          folds = ceil_div(red, rows) * ceil_div(n, cols), inner = m;
        }
        r.compute_cycles = folds * (inner + rows + cols);
        if (layer.op == "dwconv") r.compute_cycles *= 1.0 + cols / 16.0;  // poor mapping
        const double weights = m * red, outputs = m * n;
        const double weight_refetch = std::min(
            4.0, std::max(1.0, weights / (sram_w * 1024.0) * (dataflow == "ws" ? 0.3 : 0.8)));
        const double input_refetch = std::min(1.0 + ceil_div(m, cols) * 0.25,
                                              std::max(1.0, layer.in_bytes / (sram_in * 1024.0)));
        const double output_refetch =
            outputs > sram_out * 1024.0 * (dataflow == "os" ? 4 : 1) ? 2 : 1;
        r.dram_bytes =
            weights * weight_refetch + layer.in_bytes * input_refetch + outputs * output_refetch;
        // PEs that idle through a fold still clock their registers: big, poorly used arrays
        // burn energy, which is what makes latency and energy pull apart.
        const double idle_pe_cycles = std::max(0.0, pe * r.compute_cycles - layer.macs());
        r.mac_pj = layer.macs() * tech.mac_pj + idle_pe_cycles * tech.mac_pj * 0.3;
        r.sram_pj = (layer.macs() * (1 / rows + 1 / cols) * 2) * sram_pj((sram_in + sram_w) / 2) +
                    r.dram_bytes * sram_pj(sram_out);
      } else {
        r.compute_cycles = ceil_div(layer.elements, lanes) + 12;
        r.dram_bytes = layer.elements > sram_vec * 1024.0 ? 2 * layer.elements : 0;
        r.vector_pj = layer.elements * tech.vector_pj;
        r.sram_pj = layer.elements * 2 * sram_pj(sram_vec);
      }
      const double memory_cycles = r.dram_bytes / bytes_per_cycle;
      r.stall_cycles = std::max(0.0, memory_cycles - r.compute_cycles);
      const double cycles = r.compute_cycles + r.stall_cycles;
      // Faster DRAM interfaces cost more per byte and keep their PHY powered (background power).
      r.dram_pj = r.dram_bytes * dram_pj_per_byte + dram_background_w * (cycles / clock_hz) * 1e12;
      r.leakage_pj = leakage_mw * 1e-3 * (cycles / clock_hz) * 1e12;
      compute += r.compute_cycles;
      stall += r.stall_cycles;
      macs += layer.macs();
      dram_bytes += r.dram_bytes;
      (layer.unit == Unit::array ? conv_cycles : nonconv_cycles) += cycles;
      (layer.unit == Unit::array ? conv_energy : nonconv_energy) += r.energy();
      const std::array<double, 5> parts = {r.mac_pj, r.sram_pj, r.dram_pj, r.vector_pj,
                                           r.leakage_pj};
      for (std::size_t c = 0; c < parts.size(); ++c) components[c] += parts[c];
      auto& phase = by_phase[layer.phase];
      if (!phase.is_object()) phase = {{"cycles", 0.0}, {"energy_mj", 0.0}};
      phase["cycles"] = phase["cycles"].get<double>() + cycles;
      phase["energy_mj"] = phase["energy_mj"].get<double>() + r.energy() * 1e-9;
      layer_rows.push_back({{"name", layer.name},
                            {"op", layer.op},
                            {"phase", layer.phase},
                            {"unit", layer.unit == Unit::array ? "array" : "vector"},
                            {"macs", layer.macs()},
                            {"compute_cycles", r.compute_cycles},
                            {"stall_cycles", r.stall_cycles},
                            {"total_cycles", cycles},
                            {"dram_bytes", r.dram_bytes},
                            {"energy_pj", r.energy()},
                            {"energy",
                             {{"mac_pj", r.mac_pj},
                              {"sram_pj", r.sram_pj},
                              {"dram_pj", r.dram_pj},
                              {"vector_pj", r.vector_pj},
                              {"leakage_pj", r.leakage_pj}}}});
    }
    const double cycles = compute + stall;
    const double latency_s = cycles / clock_hz;
    double energy_pj = 0;
    for (double part : components) energy_pj += part;
    const double latency_ms = latency_s * 1e3, energy_mj = energy_pj * 1e-9;
    const double power_w = energy_pj * 1e-12 / latency_s;
    const double utilization = macs / (pe * compute);
    const double nonconv_share = nonconv_cycles / cycles;
    const double throughput = workload.batch / latency_s;
    workload_results[workload.name] = {
        {"file", workload.file},
        {"batch", workload.batch},
        {"mode", options.mode},
        {"weight", workload.weight},
        {"latency_ms", latency_ms},
        {"energy_mj", energy_mj},
        {"power_w", power_w},
        {"nonconv_share", nonconv_share},
        {"utilization", utilization},
        {"compute_cycles", compute},
        {"stall_cycles", stall},
        {"by_phase", by_phase},
        {"conv", {{"cycles", conv_cycles}, {"energy_mj", conv_energy * 1e-9}}},
        {"nonconv", {{"cycles", nonconv_cycles}, {"energy_mj", nonconv_energy * 1e-9}}}};
    breakdown_workloads[workload.name] = {{"total",
                                           {{"latency_s", latency_s},
                                            {"energy_pj", energy_pj},
                                            {"compute_cycles", compute},
                                            {"stall_cycles", stall},
                                            {"total_cycles", cycles},
                                            {"nonconv_cycle_share", nonconv_share},
                                            {"energy",
                                             {{"mac_pj", components[0]},
                                              {"sram_pj", components[1]},
                                              {"dram_pj", components[2]},
                                              {"vector_pj", components[3]},
                                              {"leakage_pj", components[4]}}}}},
                                          {"layers", layer_rows}};
    const double w = workload.weight;
    weight_sum += w;
    latency_sum += w * latency_ms;
    energy_sum += w * energy_mj;
    throughput_sum += w * throughput;
    util_sum += w * utilization;
    nonconv_sum += w * nonconv_share;
    dram_sum += w * dram_bytes / (1024.0 * 1024.0);
    macs_per_s_sum += w * macs / latency_s;
    max_power = std::max(max_power, power_w);
    for (std::size_t c = 0; c < components.size(); ++c)
      component_sum[c] += w * components[c] * 1e-9;
  }
  const double latency = latency_sum / weight_sum, energy = energy_sum / weight_sum;
  const double ops_per_s = 2 * macs_per_s_sum / weight_sum;
  const double peak_power = pe * clock_hz * tech.mac_pj * 1e-12 * 1.6 + leakage_mw * 1e-3 +
                            bandwidth * 1e9 * tech.dram_pj_per_byte * 1e-12;

  store::TrialResult result;
  nlohmann::json& m = result.metrics;
  m["area_mm2"] = area;
  m["area.pe_array_mm2"] = pe_area;
  m["area.sram_mm2"] = sram_total;
  m["area.vector_mm2"] = vector_area;
  m["area.overhead_mm2"] = overhead;
  m["peak_power_w"] = peak_power;
  m["peak_tops"] = 2 * pe * clock_hz / 1e12;
  m["power_w"] = max_power;
  m["latency_ms"] = latency;
  m["energy_mj"] = energy;
  m["edp_mj_ms"] = energy * latency;
  m["throughput_per_s"] = throughput_sum / weight_sum;
  m["tops_per_w"] = ops_per_s / 1e12 / (energy * 1e-3 / (latency * 1e-3));
  m["tops_per_mm2"] = ops_per_s / 1e12 / area;
  m["utilization"] = util_sum / weight_sum;
  m["nonconv_share"] = nonconv_sum / weight_sum;
  const char* component_names[] = {"mac", "sram", "dram", "vector", "leakage"};
  for (std::size_t c = 0; c < 5; ++c)
    m[std::string("energy.") + component_names[c] + "_mj"] = component_sum[c] / weight_sum;
  m["dram_mib"] = dram_sum / weight_sum;
  {  // the engine's die cost (model/die_cost.hpp) with round figures for the node
    model::DieCostFigures figures;
    figures.wafer_usd = options.tech_nm <= 7 ? 9000 : 3000;
    figures.defects_per_cm2 = options.tech_nm <= 7 ? 0.1 : 0.07;
    figures.package_test_usd = 2;
    figures.package_test_usd_per_mm2 = 0.02;
    const model::DieCost cost = model::die_cost(area, figures);
    m["die_cost_usd"] = cost.total_usd();
    m["die_cost.silicon_usd"] = cost.silicon_usd;
    m["die_cost.package_test_usd"] = cost.package_test_usd;
    m["die_cost.yield"] = cost.yield;
    m["die_cost.dies_per_wafer"] = cost.dies_per_wafer;
  }
  for (auto it = workload_results.begin(); it != workload_results.end(); ++it) {
    for (const char* key : {"latency_ms", "energy_mj", "power_w", "utilization", "nonconv_share"}) {
      m[it.key() + "." + key] = (*it)[key];
    }
    m[it.key() + ".throughput_per_s"] =
        (*it)["batch"].get<double>() / ((*it)["latency_ms"].get<double>() * 1e-3);
  }
  result.workloads = workload_results;

  result.violations = nlohmann::json::array();
  if (area > options.area_limit_mm2) {
    char text[96];
    std::snprintf(text, sizeof text, "area_mm2 <= %g (is %.3g)", options.area_limit_mm2, area);
    result.violations.push_back(text);
  }
  const double tile_kib = 4 * pe / 1024.0;  // a double-buffered weight tile of the array
  if (sram_w < tile_kib) {
    result.violations.push_back("buffers: a " + std::to_string(static_cast<int>(tile_kib)) +
                                " KiB weight tile does not fit sram.weights");
  }
  result.feasible = result.violations.empty();

  nlohmann::json hardware = {
      {"name", "design"},
      {"clock_mhz", tech.clock_mhz},
      {"tech_node_nm", options.tech_nm},
      {"array", {{"rows", rows}, {"cols", cols}, {"dataflow", dataflow}, {"precision", "int8"}}},
      {"sram",
       {{"inputs", {{"kib", sram_in}}},
        {"weights", {{"kib", sram_w}}},
        {"outputs", {{"kib", sram_out}}},
        {"vector", {{"kib", sram_vec}}}}},
      {"dram", {{"type", "lpddr4"}, {"bandwidth_gbps", bandwidth}}},
      {"vector", {{"lanes", lanes}}}};
  result.breakdown = nlohmann::json{{"hardware", hardware},
                                    {"design",
                                     {{"area_mm2", area},
                                      {"area",
                                       {{"pe_array_mm2", pe_area},
                                        {"sram_mm2", sram_area},
                                        {"vector_unit_mm2", vector_area},
                                        {"overhead_mm2", overhead}}},
                                      {"peak_power_w", peak_power},
                                      {"leakage_mw", leakage_mw}}},
                                    {"workloads", breakdown_workloads}};
  result.eval_seconds = 0.002 + 1e-9 * pe * 10;
  return result;
}

void add_trials(store::Database& db, store::StudyId study, const StudyOptions& options,
                std::int64_t first_seq, std::int64_t count) {
  if (count <= 0) return;
  std::vector<store::ProposedPoint> points;
  for (std::int64_t seq = first_seq; seq < first_seq + count; ++seq)
    points.push_back(propose(options, seq));
  db.add_pending(study, first_seq / 32, first_seq, points);
  const std::vector<store::Trial> claimed =
      db.claim_pending(study, store::default_worker_id(), static_cast<std::size_t>(count));
  std::vector<store::Completion> completions;
  auto transaction = db.transaction();
  for (const store::Trial& trial : claimed) {
    if (options.fail_every > 0 && (trial.seq + 1) % options.fail_every == 0) {
      db.fail(trial.id,
              "model: workload resnet50 layer res4a_branch2b: tiling search found no legal tile");
      continue;
    }
    store::TrialResult result = evaluate(options, trial.params);
    const bool keep = options.breakdown_every > 0 && trial.seq % options.breakdown_every == 0;
    if (!keep) result.breakdown.reset();
    completions.push_back({trial.id, std::move(result)});
  }
  db.complete_many(completions);
  transaction.commit();
}

store::StudyId write_study(store::Database& db, const StudyOptions& options) {
  const store::StudyId study = db.create_or_resume_study(study_config(options)).study.id;
  const std::int64_t start = db.next_seq(study);
  // In rounds, as a search proposes them.
  for (std::int64_t seq = start; seq < options.evaluate; seq += 32) {
    add_trials(db, study, options, seq, std::min<std::int64_t>(32, options.evaluate - seq));
  }
  // Front designs keep their breakdown (what the engine guarantees).
  auto transaction = db.transaction();
  for (const store::Trial& member : db.front(study)) {
    if (!db.breakdown(member.id))
      db.set_breakdown(member.id, *evaluate(options, member.params).breakdown);
  }
  transaction.commit();
  db.set_status(study, options.evaluate >= options.budget ? store::StudyStatus::done
                                                          : store::StudyStatus::paused);
  return study;
}

void write_example_database(const std::filesystem::path& path, double scale) {
  store::Database db(path);
  auto scaled = [&](double n) {
    return std::max<std::int64_t>(8, static_cast<std::int64_t>(n * scale));
  };
  StudyOptions inference22;
  inference22.budget = inference22.evaluate = scaled(600);
  inference22.fail_every = 97;
  write_study(db, inference22);

  StudyOptions inference7;
  inference7.name = "edge-inference-7nm";
  inference7.strategy = "random";
  inference7.tech_nm = 7;
  inference7.area_limit_mm2 = 4;
  inference7.seed = 7;
  inference7.budget = inference7.evaluate = scaled(400);
  write_study(db, inference7);

  StudyOptions training22;
  training22.name = "edge-training-22nm";
  training22.strategy = "bayes";
  training22.mode = "training";
  training22.seed = 3;
  training22.budget = scaled(300);
  training22.evaluate = scaled(120);
  write_study(db, training22);
}

}  // namespace accelscope::gui::fixture
