#include "engine/validation.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "engine/loaders.hpp"
#include "model/evaluate.hpp"
#include "model/io/csv_table.hpp"
#include "model/io/json_reader.hpp"

namespace accelscope::engine {

double ValidationRow::error() const {
  if (!published) return 0;
  if (error_in_points) return model - *published;
  return *published != 0 ? (model - *published) / *published : 0;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using io::CsvRow;

double number(const CsvRow& row, const std::string& column, const std::string& file) {
  auto it = row.find(column);
  if (it == row.end()) throw io::InputError(file + ": no column '" + column + "'");
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    throw io::InputError(file + ": column '" + column + "' = '" + it->second + "' is not a number");
  }
}

// Rows of one reference.
class Table {
 public:
  Table(std::vector<ValidationRow>& rows, std::string reference)
      : rows_(rows), reference_(std::move(reference)) {}

  // Within a relative tolerance of a published value.
  void relative(const std::string& figure, const std::string& unit, double model, double published,
                double tolerance, const std::string& note = "") {
    ValidationRow r = base(figure, unit, model, note);
    r.published = published;
    r.low = published * (1 - tolerance);
    r.high = published * (1 + tolerance);
    r.tolerance = fmt::format("+-{:g} %", tolerance * 100);
    rows_.push_back(std::move(r));
  }
  // Within [low, high] (either may be infinite).
  void range(const std::string& figure, const std::string& unit, double model, double low,
             double high, std::optional<double> published = std::nullopt,
             const std::string& note = "") {
    ValidationRow r = base(figure, unit, model, note);
    r.published = published;
    r.low = low;
    r.high = high;
    if (std::isinf(high))
      r.tolerance = fmt::format(">= {:g}", low);
    else if (std::isinf(low))
      r.tolerance = fmt::format("<= {:g}", high);
    else
      r.tolerance = fmt::format("in [{:g}, {:g}]", low, high);
    rows_.push_back(std::move(r));
  }
  // Within `points` of a published share (shares as fractions, shown in %).
  void points(const std::string& figure, double model, double published, double points,
              const std::string& note = "") {
    ValidationRow r = base(figure, "%", 100 * model, note);
    r.published = 100 * published;
    r.low = 100 * (published - points);
    r.high = 100 * (published + points);
    r.tolerance = fmt::format("+-{:g} points", points * 100);
    r.error_in_points = true;
    rows_.push_back(std::move(r));
  }
  // Shown beside the published value, not judged (the source gives no tolerance).
  void informative(const std::string& figure, const std::string& unit, double model,
                   std::optional<double> published, const std::string& note = "") {
    ValidationRow r = base(figure, unit, model, note);
    r.published = published;
    r.judged = false;
    r.tolerance = "informative";
    rows_.push_back(std::move(r));
  }

 private:
  ValidationRow base(const std::string& figure, const std::string& unit, double model,
                     const std::string& note) const {
    ValidationRow r;
    r.reference = reference_;
    r.figure = figure;
    r.unit = unit;
    r.model = model;
    r.note = note;
    return r;
  }
  std::vector<ValidationRow>& rows_;
  std::string reference_;
};

// ---- workloads built from published descriptions ----

model::Op fc(const std::string& name, std::int64_t batch, std::int64_t in, std::int64_t out) {
  model::Op op;
  op.name = name;
  op.kind = model::OpKind::matmul;
  op.matmul.m = batch;
  op.matmul.k = in;
  op.matmul.n = out;
  op.parameter_elements = in * out;
  return op;
}

// `layers` equal fully-connected layers holding `weights` parameters in all, at `batch`: an MLP or
// an LSTM's gate matmuls (TPU v1's MLP0/MLP1/LSTM0, whose layer sizes are not published).
model::Network fc_stack(const std::string& name, int layers, double weights, std::int64_t batch) {
  const auto width = static_cast<std::int64_t>(std::round(std::sqrt(weights / layers)));
  model::Network network;
  network.name = name;
  network.batch = batch;
  for (int i = 0; i < layers; ++i)
    network.ops.push_back(fc(name + ".fc" + std::to_string(i), batch, width, width));
  model::finalize(network);
  return network;
}

// CNN0-like: 16 layers of 3x3 convolutions on a 19x19 board (2888 MACs per weight byte at batch 8:
// 19 x 19 x 8), channels rounded to the array width.
model::Network cnn0_like(std::int64_t layers, std::int64_t channels, std::int64_t batch) {
  model::Network network;
  network.name = "cnn0_like";
  network.batch = batch;
  for (std::int64_t i = 0; i < layers; ++i) {
    model::Op op;
    op.name = "conv" + std::to_string(i);
    op.kind = model::OpKind::conv2d;
    op.conv.batch = batch;
    op.conv.in_channels = op.conv.out_channels = channels;
    op.conv.in_h = op.conv.in_w = 19;
    op.conv.kernel_h = op.conv.kernel_w = 3;
    op.conv.pad_top = op.conv.pad_bottom = op.conv.pad_left = op.conv.pad_right = 1;
    op.parameter_elements = 9 * channels * channels;
    op.inputs = {i == 0 ? "board" : "a" + std::to_string(i - 1)};
    op.outputs = {"c" + std::to_string(i)};
    network.ops.push_back(op);
    model::Op relu;
    relu.name = "relu" + std::to_string(i);
    relu.kind = model::OpKind::activation;
    relu.fn = model::VectorFn::relu;
    relu.input_elements = relu.output_elements = relu.work_elements = batch * channels * 19 * 19;
    relu.output_to_array = true;
    relu.inputs = {"c" + std::to_string(i)};
    relu.outputs = {"a" + std::to_string(i)};
    network.ops.push_back(relu);
  }
  model::finalize(network);
  return network;
}

model::Network gemm(std::int64_t size) {
  model::Network network;
  network.name = fmt::format("gemm{}", size);
  network.ops.push_back(fc("gemm", size, size, size));
  model::finalize(network);
  return network;
}

// The convolutions of a network (up to its first matmul).
model::Network convolutions_of(model::Network network) {
  std::vector<model::Op> kept;
  for (const model::Op& op : network.ops) {
    if (op.kind == model::OpKind::matmul) break;
    kept.push_back(op);
  }
  network.ops = std::move(kept);
  network.name += "_conv";
  return network;
}

struct Runner {
  std::string data;
  const io::TechLibrary& library;

  model::Accelerator chip(const std::string& name) const {
    return load_hardware(data + "/hardware/chips/" + name + ".json");
  }
  model::NetworkReport run(const model::Accelerator& a, const model::Network& n,
                           const model::EvalOptions& options = {}) const {
    return model::evaluate(a, n, io::technology_at(library, a.tech_node_nm), options);
  }
};

double tops(const model::NetworkReport& r) {
  return 2 * r.total.all.macs / r.total.latency_s * 1e-12;
}

double chip_pj_per_mac(const model::NetworkReport& r) {
  return r.total.chip_energy_pj() / r.total.all.macs;
}

// ---- references ----

void scalesim(std::vector<ValidationRow>& rows, const Runner& runner) {
  Table table(rows, "SCALE-Sim v2 (ResNet-50, 32x32)");
  const std::string dir = runner.data + "/reference/scalesim/";
  const model::Network network = load_workload(dir + "resnet50_topology.csv");
  for (const char* dataflow : {"os", "ws", "is"}) {
    const std::string base = dir + "r50_32x32_" + dataflow + "_calc";
    model::Accelerator a = load_hardware(base + ".cfg");
    model::EvalOptions options;
    options.tile_for_capacity = false;  // as `eval --compat scalesim`
    const model::NetworkReport r = runner.run(a, network, options);
    double theirs = 0;
    for (const CsvRow& row : io::read_csv_table(base + ".csv"))
      theirs += number(row, "compute_cycles_excl_stall", base + ".csv");
    table.relative(fmt::format("{} compute cycles, 54 layers", dataflow), "cycles",
                   r.total.all.compute_cycles, theirs, 0.001,
                   "SCALE-Sim subtracts 1 cycle per layer");
  }
}

void simdit(std::vector<ValidationRow>& rows, const Runner& runner) {
  Table table(rows, "SimDIT (GeneSys design01, 16x16)");
  const std::string dir = runner.data + "/reference/simdit/";
  for (bool training : {false, true}) {
    const model::Accelerator a = load_hardware(
        dir + (training ? "hw_training_design01.json" : "hw_inference_design01.json"));
    WorkloadOptions options;
    options.batch = training ? 32 : 1;
    const model::Network network = load_workload(
        dir + (training ? "resnet50_training_spec.json" : "resnet50_inference_spec.json"), options);
    const std::string result =
        dir + (training ? "result_training_design01_b32.csv" : "result_inference_design01_b1.csv");
    const std::vector<CsvRow> reference = io::read_csv_table(result);
    std::vector<bool> modeled(reference.size(), true);
    if (training) {
      const std::vector<CsvRow> ops = io::read_csv_table(dir + "resnet50_training_ops_table.csv");
      for (std::size_t i = 0; i < ops.size() && i < modeled.size(); ++i)
        modeled[i] = ops[i].count("modeled_by_simdit") && ops[i].at("modeled_by_simdit") == "1";
    }
    const model::NetworkReport r = runner.run(a, network);
    double ours = 0, theirs = 0, ours_nonconv = 0, theirs_nonconv = 0;
    for (std::size_t i = 0; i < network.ops.size() && i < reference.size(); ++i) {
      if (!modeled[i]) continue;
      const double their_cycles = number(reference[i], "total cycles", result);
      ours += r.ops[i].costs.total_cycles;
      theirs += their_cycles;
      if (!network.ops[i].on_array()) {
        ours_nonconv += r.ops[i].costs.total_cycles;
        theirs_nonconv += their_cycles;
      }
    }
    const std::string what = training ? "ResNet-50 training step, batch 32" : "ResNet-50, batch 1";
    table.relative(what + ": total cycles", "cycles", ours, theirs, 0.25,
                   "tiling differs (tests/model/test_simdit.cpp)");
    table.points(what + ": non-convolution share of cycles", ours_nonconv / ours,
                 theirs_nonconv / theirs, 0.05);
  }
}

void tpu_v1(std::vector<ValidationRow>& rows, const Runner& runner, const io::JsonObject& chip) {
  Table table(rows, "TPU v1 (Jouppi et al., ISCA 2017)");
  const model::Accelerator a = runner.chip("tpu_v1");
  const io::JsonObject figures = chip.object("figures");
  const model::Network cnn0 = cnn0_like(16, 256, 8);
  const model::NetworkReport busy = runner.run(a, cnn0);
  const model::DesignReport& d = busy.design;
  const io::JsonObject peak = figures.object("peak_tops");
  table.relative("peak TOPS", "TOPS", d.peak_tops, peak.number("value"), peak.number("tol"));
  const double die = d.area.total_mm2();
  table.range("die area", "mm2", die, 230, figures.object("die_mm2").number("max"), std::nullopt,
              "less than half of Haswell's 662 mm2");
  const io::JsonObject shares = figures.object("floorplan_share");
  const double sram_die = d.area.sram_mm2[0];
  table.points("unified buffer share of die", sram_die / die, shares.number("unified_buffer"),
               0.10);
  table.points("matrix unit share of die", d.area.pe_array_mm2 / die, shares.number("matrix_unit"),
               0.10);
  table.points("accumulators share of die", d.area.sram_mm2[2] / die, shares.number("accumulators"),
               0.10);
  table.points("datapath share of die", d.area.core_mm2() / die, shares.number("datapath_total"),
               0.10, "PE array, SRAM and vector unit");
  table.points("I/O share of die", d.area.io_mm2 / die, shares.number("io"), 0.10,
               "DRAM interface only (PCIe not modelled)");
  table.points("control share of die", d.area.control_mm2 / die, shares.number("control"), 0.10);
  const io::JsonObject power = figures.object("busy_power_w");
  table.relative("busy power (die), CNN0-like", "W", busy.total.chip_power_w, power.number("value"),
                 power.number("tol"), "16 layers of 3x3x256x256 convolutions on 19x19, batch 8");
  table.range("CNN0-like conv stack", "TOPS", tops(busy), 80, kInf, 86.0,
              "published CNN0: 86 TOPS achieved");
  table.informative("idle power (leakage, interface, register clock)", "W", d.standing_mw() * 1e-3,
                    figures.object("idle_power_w").number("value"),
                    "the chip did not clock-gate at idle");
  const io::JsonObject apps = figures.object("apps");
  const io::JsonObject roofline = figures.object("roofline_bound_tops");
  for (const char* app : {"mlp0", "mlp1", "lstm0"}) {
    const io::JsonObject spec = apps.object(app);
    const model::Network network =
        fc_stack(app, static_cast<int>(spec.number("layers")), spec.number("weights_m") * 1e6,
                 static_cast<std::int64_t>(spec.number("batch")));
    const model::NetworkReport r = runner.run(a, network);
    table.relative(std::string(app) + "-like FC stack", "TOPS", tops(r),
                   spec.number("achieved_tops"), spec.number("tol"),
                   "equal layers holding the published weights at the published batch");
    table.range(std::string(app) + "-like FC stack, at most the roofline", "TOPS", tops(r), 0,
                roofline.number(app));
  }
}

void eyeriss(std::vector<ValidationRow>& rows, const Runner& runner, const io::JsonObject& chip) {
  Table table(rows, "Eyeriss v1 (Chen et al., JSSC 2017)");
  const model::Accelerator a = runner.chip("eyeriss_v1");
  const io::JsonObject figures = chip.object("figures");
  WorkloadOptions batch4;
  batch4.batch = 4;
  const model::Network alexnet =
      load_workload(runner.data + "/workloads/validation/alexnet_conv.json", batch4);
  const model::NetworkReport r = runner.run(a, alexnet);
  const io::JsonObject alex = figures.object("alexnet_conv1_5_batch4");
  const io::JsonObject fps = alex.object("fps");
  table.relative("AlexNet CONV1-5, batch 4: frames/s", "fps", 4 / r.total.latency_s,
                 fps.number("value"), fps.number("tol"),
                 "row stationary, transfers not overlapped");
  const io::JsonObject dram = alex.object("dram_mb_per_batch");
  table.relative("AlexNet CONV1-5, batch 4: DRAM traffic", "MB",
                 (r.total.all.dram_read_total() + r.total.all.dram_write_total()) * 1e-6,
                 dram.number("value"), dram.number("tol"));
  const io::JsonObject power = alex.object("chip_power_mw");
  table.relative("AlexNet CONV1-5, batch 4: chip power", "mW", r.total.chip_power_w * 1e3,
                 power.number("value"), power.number("tol"));
  table.informative(
      "AlexNet CONV1-5: PE busy share", "%",
      100 * r.total.all.macs / (a.array.rows * a.array.cols * r.total.all.compute_cycles),
      100 * alex.object("pe_active_share").number("value"));
  // What the run-length code saves on the feature maps of CONV1 and CONV5 (the same chip
  // without it, each op tiled for its own traffic).
  model::Accelerator uncoded = a;
  uncoded.dram.activation_rlc = {};
  const model::NetworkReport raw = runner.run(uncoded, alexnet);
  const io::JsonObject saving = alex.object("rlc_fmap_dram_saving");
  for (const char* layer : {"conv1", "conv5"}) {
    auto fmap_bytes = [&](const model::NetworkReport& report) {
      constexpr auto kIn = static_cast<std::size_t>(model::Buffer::inputs);
      constexpr auto kOut = static_cast<std::size_t>(model::Buffer::outputs);
      for (const model::OpReport& op : report.ops)
        if (op.name == layer)
          return op.costs.dram_read_bytes[kIn] + op.costs.dram_write_bytes[kOut];
      throw io::InputError("validation: no op '" + std::string(layer) + "' in alexnet_conv");
    };
    table.informative(fmt::format("AlexNet {}: feature-map DRAM traffic saved by RLC", layer), "%",
                      100 * (1 - fmap_bytes(r) / fmap_bytes(raw)), 100 * saving.number(layer),
                      "published 'nearly'; the workload's densities");
  }
  WorkloadOptions batch3;
  batch3.batch = 3;
  const model::Network vgg =
      convolutions_of(load_workload(runner.data + "/workloads/vgg16.json", batch3));
  const model::NetworkReport v = runner.run(a, vgg);
  const io::JsonObject vgg_figures = figures.object("vgg16_conv_batch3");
  table.relative("VGG-16 CONV, batch 3: frames/s", "fps", 3 / v.total.latency_s,
                 vgg_figures.object("fps").number("value"),
                 vgg_figures.object("fps").number("tol"));
  table.relative("VGG-16 CONV, batch 3: chip power", "mW", v.total.chip_power_w * 1e3,
                 vgg_figures.object("chip_power_mw").number("value"),
                 vgg_figures.object("chip_power_mw").number("tol"));
  table.informative("VGG-16 CONV, batch 3: DRAM traffic", "MB",
                    (v.total.all.dram_read_total() + v.total.all.dram_write_total()) * 1e-6,
                    vgg_figures.object("dram_mb_per_batch").number("value"),
                    "uncoded: no VGG-16 activation densities");
  const io::JsonObject peak = figures.object("peak_gmacs");
  table.relative("peak GMAC/s", "GMAC/s", r.design.peak_tops / 2 * 1e3, peak.number("value"),
                 peak.number("tol"));
  table.informative("die area (with pads)", "mm2", r.design.area.total_mm2(),
                    figures.object("die_mm2").number("value"), "the core is 12.25 mm2");
}

void diannao(std::vector<ValidationRow>& rows, const Runner& runner, const io::JsonObject& chip) {
  Table table(rows, "DianNao (Chen et al., ASPLOS 2014)");
  const model::Accelerator a = runner.chip("diannao");
  const model::DesignReport d =
      model::evaluate_design(a, io::technology_at(runner.library, a.tech_node_nm));
  const io::JsonObject figures = chip.object("figures");
  const io::JsonObject area = figures.object("area_mm2");
  table.relative("area", "mm2", d.area.total_mm2(), area.number("value"), area.number("tol"));
  const io::JsonObject power = figures.object("power_mw");
  table.relative("power at full activity", "mW", d.peak_power_w * 1e3, power.number("value"),
                 power.number("tol"), "the model's peak power");
  const io::JsonObject peak = figures.object("peak_gmacs");
  table.relative("peak GMAC/s", "GMAC/s", d.peak_tops / 2 * 1e3, peak.number("value"),
                 peak.number("tol"));
}

void tpu_v3_v4(std::vector<ValidationRow>& rows, const Runner& runner,
               const io::JsonObject& chips) {
  for (const char* name : {"tpu_v3", "tpu_v4"}) {
    const io::JsonObject chip = chips.object(name);
    Table table(rows, std::string(name == std::string("tpu_v3") ? "TPU v3" : "TPU v4") +
                          " (Google Cloud documentation)");
    const model::Accelerator a = runner.chip(name);
    const model::NetworkReport r = runner.run(a, gemm(8192));
    const io::JsonObject figures = chip.object("figures");
    const io::JsonObject peak = figures.object("peak_tflops");
    table.relative("peak TFLOPS", "TFLOPS", r.design.peak_tops, peak.number("value"),
                   peak.number("tol"));
    const io::JsonObject power = figures.object("measured_power_w");
    table.range("chip power, 8192^3 bf16 GEMM", "W", r.total.chip_power_w, power.number("min"),
                power.number("max"), power.number("mean"), "inside the measured range");
  }
}

void energy_bands(std::vector<ValidationRow>& rows, const Runner& runner,
                  const io::JsonObject& energy) {
  Table table(rows, "Whole-chip energy per MAC (published.json plausibility bands)");
  const io::JsonObject bands = energy.object("plausibility_band_pj_per_mac");
  const nlohmann::json& int16 = bands.raw("int16_65nm");
  const nlohmann::json& int8 = bands.raw("int8_7_to_16nm");
  WorkloadOptions batch4;
  batch4.batch = 4;
  const model::Network alexnet =
      load_workload(runner.data + "/workloads/validation/alexnet_conv.json", batch4);
  const model::NetworkReport eyeriss = runner.run(runner.chip("eyeriss_v1"), alexnet);
  table.range("Eyeriss v1-like, AlexNet CONV1-5 (int16, 65 nm)", "pJ/MAC", chip_pj_per_mac(eyeriss),
              int16[0].get<double>(), int16[1].get<double>(), 12.0);
  const model::Accelerator diannao = runner.chip("diannao");
  const model::DesignReport d =
      model::evaluate_design(diannao, io::technology_at(runner.library, diannao.tech_node_nm));
  table.range("DianNao-like at full activity (int16, 65 nm)", "pJ/MAC",
              d.peak_power_w / (d.peak_tops / 2 * 1e12) * 1e12, int16[0].get<double>(),
              int16[1].get<double>(), 1.93);
  const model::Network resnet = load_workload(runner.data + "/workloads/resnet50.json");
  for (int node : {16, 7}) {
    model::Accelerator edge = load_hardware(runner.data + "/hardware/edge_16x16_int8.json");
    edge.tech_node_nm = node;
    const model::NetworkReport r = runner.run(edge, resnet);
    table.range(fmt::format("edge-16x16-int8 at {} nm, ResNet-50", node), "pJ/MAC",
                chip_pj_per_mac(r), int8[0].get<double>(), int8[1].get<double>());
  }
}

}  // namespace

std::vector<ValidationRow> run_validation(const std::string& data_dir,
                                          const io::TechLibrary& library) {
  const Runner runner{data_dir, library};
  std::vector<ValidationRow> rows;
  scalesim(rows, runner);
  simdit(rows, runner);
  const std::string published = data_dir + "/reference/silicon/published.json";
  const nlohmann::json json = io::read_json_file(published);
  const io::JsonObject root(json, published);
  const io::JsonObject chips = root.object("chips");
  tpu_v1(rows, runner, chips.object("tpu_v1"));
  eyeriss(rows, runner, chips.object("eyeriss_v1"));
  diannao(rows, runner, chips.object("diannao"));
  tpu_v3_v4(rows, runner, chips);
  energy_bands(rows, runner, root.object("energy_per_op"));
  return rows;
}

nlohmann::json validation_to_json(const std::vector<ValidationRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  std::size_t passed = 0, judged = 0;
  for (const ValidationRow& r : rows) {
    nlohmann::json j = {
        {"reference", r.reference}, {"figure", r.figure}, {"unit", r.unit},   {"model", r.model},
        {"tolerance", r.tolerance}, {"judged", r.judged}, {"pass", r.pass()}, {"note", r.note}};
    j["published"] = r.published ? nlohmann::json(*r.published) : nlohmann::json();
    if (r.published) {
      j["error"] = r.error();
      j["error_unit"] = r.error_in_points ? "points" : "relative";
    }
    if (r.judged) {
      j["low"] = std::isinf(r.low) ? nlohmann::json() : nlohmann::json(r.low);
      j["high"] = std::isinf(r.high) ? nlohmann::json() : nlohmann::json(r.high);
      ++judged;
      passed += r.pass() ? 1 : 0;
    }
    list.push_back(std::move(j));
  }
  return {{"rows", list}, {"judged", judged}, {"passed", passed}};
}

std::string validation_to_text(const std::vector<ValidationRow>& rows) {
  std::string out;
  std::string reference;
  std::size_t passed = 0, judged = 0;
  for (const ValidationRow& r : rows) {
    if (r.reference != reference) {
      reference = r.reference;
      out += "\n" + reference + "\n";
    }
    const std::string published = r.published ? fmt::format("{:.4g}", *r.published) : "";
    const std::string error = !r.published        ? ""
                              : r.error_in_points ? fmt::format("{:+.1f} pts", r.error())
                                                  : fmt::format("{:+.1f} %", 100 * r.error());
    out += fmt::format("  {:<4} {:<58} {:>11.4g} {:>11} {:<7} {:>9}  {}\n",
                       !r.judged ? "info" : (r.pass() ? "pass" : "FAIL"), r.figure, r.model,
                       published, r.unit, error, r.tolerance);
    if (r.judged) {
      ++judged;
      passed += r.pass() ? 1 : 0;
    }
  }
  out += fmt::format("\n{} of {} judged figures within tolerance\n", passed, judged);
  return out;
}

}  // namespace accelscope::engine
