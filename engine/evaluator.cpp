#include "engine/evaluator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "engine/eval_output.hpp"
#include "engine/loaders.hpp"
#include "engine/platform_eval.hpp"
#include "engine/platform_spec.hpp"
#include "engine/serving_eval.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/training.hpp"

namespace accelscope::engine {

struct DesignEvaluator::Workload {
  WorkloadSpec spec;
  model::Network network;
  model::PreparedNetwork prepared;
};

struct DesignEvaluator::Serving {
  LoadedScenario scenario;  // networks at every batch of each tenant's ladder, read-only
};

DesignEvaluator::DesignEvaluator(const SpaceSpec& spec, const io::TechLibrary& library)
    : spec_(spec), library_(library) {
  if (spec_.serving) {
    serving_ = std::make_unique<Serving>();
    load_scenario_networks(spec_.serving->scenario, serving_->scenario);
  }
  for (const WorkloadSpec& w : spec_.workloads) {
    auto workload = std::make_unique<Workload>();
    workload->spec = w;
    WorkloadOptions options;
    options.batch = w.batch;
    workload->network = load_workload(w.file, options);
    workload->network.name = w.name;
    if (w.training) {
      model::TrainingOptions training;
      training.optimizer = model::parse_optimizer(w.optimizer);
      workload->network = model::derive_training(workload->network, training);
    }
    workload->prepared = model::prepare(workload->network);
    workloads_.push_back(std::move(workload));
  }
  for (int node : io::supported_nodes(library))
    technologies_[node] = io::technology_at(library, node);
  for (const Bound& bound : spec_.constraints)
    if (bound.metric == "area_mm2" && bound.max) area_limit_mm2_ = *bound.max;
  if (spec_.platform) {
    // The first design's platform with these technology tables (read_space_spec tried the
    // shipped ones).
    search::Point first(spec_.parameters.size(), 0.0);
    for (std::size_t d = 0; d < first.size(); ++d)
      if (!spec_.parameters[d].dimension.is_discrete()) first[d] = spec_.parameters[d].dimension.lo;
    (void)platform_at(first);
    return;
  }
  // Technology figures for the first design (its node, its DRAM type): without them every design
  // of a study would fail, one by one (found by fuzzing a spec with "dram.type": "hb-2").
  search::Point first(spec_.parameters.size(), 0.0);
  for (std::size_t d = 0; d < first.size(); ++d)
    if (!spec_.parameters[d].dimension.is_discrete()) first[d] = spec_.parameters[d].dimension.lo;
  const model::Accelerator a = accelerator_at(first);  // valid: read_space_spec tried it
  try {
    model::evaluate_design(a, technology(a.tech_node_nm));
  } catch (const std::exception& e) {  // no figure for the node or the DRAM type
    throw io::InputError(spec_.file + ": the technology tables (" + library.directory +
                         ") cannot cost its designs: " + e.what());
  }
}

DesignEvaluator::~DesignEvaluator() = default;

const model::Technology& DesignEvaluator::technology(int node_nm) const {
  auto it = technologies_.find(node_nm);
  if (it == technologies_.end()) {
    std::string allowed;
    for (const auto& [node, tech] : technologies_)
      allowed += (allowed.empty() ? "" : ", ") + std::to_string(node);
    throw io::InputError("field 'tech_node_nm' = " + std::to_string(node_nm) +
                         ", allowed: one of " + allowed);
  }
  return it->second;
}

model::Accelerator DesignEvaluator::accelerator_at(const search::Point& point) const {
  return io::parse_hardware(hardware_json_at(spec_, point), spec_.file);
}

model::platform::HeteroPlatform DesignEvaluator::platform_at(const search::Point& point) const {
  return platform_from_json(platform_json_at(spec_, point), spec_.platform->file, library_);
}

double DesignEvaluator::area_mm2(const search::Point& point) const {
  if (spec_.platform) {
    double area = 0;
    for (const model::platform::ComputeUnit& unit : platform_at(point).units) area += unit.area_mm2;
    return area;
  }
  const model::Accelerator a = accelerator_at(point);
  return model::evaluate_design(a, technology(a.tech_node_nm)).area.total_mm2();
}

bool DesignEvaluator::passes_area_limit(const search::Point& point) const {
  if (!area_limit_mm2_) return true;
  try {
    return area_mm2(point) <= *area_limit_mm2_;
  } catch (const std::exception&) {
    return true;  // invalid hardware: let the evaluation report it
  }
}

std::vector<double> DesignEvaluator::natural_objectives(const DesignResult& result) const {
  std::vector<double> values;
  for (std::size_t i = 0; i < spec_.objectives.size(); ++i)
    values.push_back(spec_.objectives[i].maximize ? -result.evaluation.objectives[i]
                                                  : result.evaluation.objectives[i]);
  return values;
}

namespace {

// Weighted mean over workloads.
struct Mean {
  double sum = 0, weight = 0;
  void add(double value, double w) {
    sum += value * w;
    weight += w;
  }
  double value() const { return weight > 0 ? sum / weight : 0; }
};

bool all_finite(const nlohmann::json& values) {
  if (values.is_number_float()) return std::isfinite(values.get<double>());
  if (values.is_object())
    return std::all_of(values.begin(), values.end(),
                       [](const nlohmann::json& v) { return all_finite(v); });
  return true;
}

// Throws (making the design failed) at the first number in `values` that is not finite.
void check_finite(const nlohmann::json& values, std::string_view what,
                  const std::string& path = {}) {
  if (all_finite(values)) return;
  if (values.is_number_float())
    throw std::runtime_error(fmt::format(
        "{} '{}' is {}: the design's figures are out of range (e.g. an extreme clock or size)",
        what, path, values.get<double>()));
  for (auto it = values.begin(); it != values.end(); ++it)
    if (!all_finite(*it)) check_finite(*it, what, path.empty() ? it.key() : path + "." + it.key());
}

nlohmann::json phase_costs(const model::Costs& c) {
  return {{"cycles", c.total_cycles}, {"energy_mj", c.energy.total_pj() * 1e-9}};
}

}  // namespace

void DesignEvaluator::evaluate_on_platform(const search::Point& point, DesignResult& result) const {
  const model::platform::HeteroPlatform hetero = platform_at(point);
  check_capacity(serving_->scenario, hetero, spec_.platform->file);
  PlatformDesign design = evaluate_platform_design(
      serving_->scenario, hetero, placement_at(spec_, point), serving_options_at(spec_, point));
  result.metrics = std::move(design.metrics);
  result.workloads = std::move(design.tenants);
}

void DesignEvaluator::evaluate_on_hardware(const search::Point& point, DesignResult& result) const {
  const model::Accelerator a = accelerator_at(point);
  const model::Technology& tech = technology(a.tech_node_nm);
  const model::DesignReport design = model::evaluate_design(a, tech);
  const double area = design.area.total_mm2();
  nlohmann::json& m = result.metrics;
  m["area_mm2"] = area;
  m["area.pe_array_mm2"] = design.area.pe_array_mm2;
  double sram = 0;
  for (double s : design.area.sram_mm2) sram += s;
  m["area.sram_mm2"] = sram;
  m["area.vector_mm2"] = design.area.vector_unit_mm2;
  m["area.io_mm2"] = design.area.io_mm2;
  m["area.overhead_mm2"] = design.area.overhead_mm2;
  m["peak_power_w"] = design.peak_power_w;
  m["peak_tops"] = design.peak_tops;
  if (tech.die_cost) {  // cost of a good die of this area at this node (model/die_cost.hpp)
    const model::DieCost cost = model::die_cost(area, *tech.die_cost);
    m["die_cost_usd"] = cost.total_usd();
    m["die_cost.silicon_usd"] = cost.silicon_usd;
    m["die_cost.package_test_usd"] = cost.package_test_usd;
    m["die_cost.yield"] = cost.yield;
    m["die_cost.dies_per_wafer"] = cost.dies_per_wafer;
  }

  if (serving_) {
    // A fresh L(b) cache per design: every partition of this design is its own accelerator.
    model::platform::LatencyCache cache(a, tech, serving_->scenario.tenants);
    const ServingEvaluation serving =
        evaluate_serving(cache, serving_policy_at(spec_, point), serving_options_at(spec_, point));
    add_serving_results(serving_->scenario, serving, m, result.workloads);
  }

  Mean latency, energy, throughput, tops, utilization, nonconv, dram, e_mac, e_sram, e_dram, e_vec,
      e_io, e_leak;
  double power = 0, chip_power = 0, ops_not_fitting = 0;
  model::EvalOptions options;
  options.per_op = false;
  for (const auto& w : workloads_) {
    const model::NetworkTotals t = model::evaluate_totals(a, w->prepared, tech, options);
    const double weight = w->spec.weight;
    const double latency_ms = t.latency_s * 1e3;
    const double energy_mj = t.all.energy.total_pj() * 1e-9;
    const double samples_per_s = static_cast<double>(w->spec.batch) / t.latency_s;
    const double effective_tops = 2 * t.all.macs / t.latency_s * 1e-12;
    latency.add(latency_ms, weight);
    energy.add(energy_mj, weight);
    throughput.add(samples_per_s, weight);
    tops.add(effective_tops, weight);
    utilization.add(t.utilization, weight);
    nonconv.add(t.nonconv_cycle_share(), weight);
    dram.add((t.all.dram_read_total() + t.all.dram_write_total()) / 1048576.0, weight);
    e_mac.add(t.all.energy.mac_pj * 1e-9, weight);
    e_sram.add(t.all.energy.sram_pj * 1e-9, weight);
    e_dram.add(t.all.energy.dram_pj * 1e-9, weight);
    e_vec.add(t.all.energy.vector_pj * 1e-9, weight);
    e_io.add(t.all.energy.io_pj * 1e-9, weight);
    e_leak.add(t.all.energy.leakage_pj * 1e-9, weight);
    power = std::max(power, t.average_power_w);
    chip_power = std::max(chip_power, t.chip_power_w);
    ops_not_fitting += t.ops_not_fitting;

    const std::string& name = w->spec.name;
    m[name + ".latency_ms"] = latency_ms;
    m[name + ".energy_mj"] = energy_mj;
    m[name + ".power_w"] = t.average_power_w;
    m[name + ".chip_power_w"] = t.chip_power_w;
    m[name + ".throughput_per_s"] = samples_per_s;
    m[name + ".utilization"] = t.utilization;
    m[name + ".nonconv_share"] = t.nonconv_cycle_share();
    nlohmann::json detail = {{"file", w->spec.file},
                             {"batch", w->spec.batch},
                             {"mode", w->spec.training ? "training" : "inference"},
                             {"weight", weight},
                             {"latency_ms", latency_ms},
                             {"energy_mj", energy_mj},
                             {"power_w", t.average_power_w},
                             {"nonconv_share", t.nonconv_cycle_share()},
                             {"utilization", t.utilization},
                             {"compute_cycles", t.all.compute_cycles},
                             {"stall_cycles", t.all.stall_cycles},
                             {"conv", phase_costs(t.conv)},
                             {"nonconv", phase_costs(t.nonconv)}};
    for (std::size_t p = 0; p < model::kNumPhases; ++p)
      if (t.by_phase[p].total_cycles > 0)
        detail["by_phase"][std::string(model::to_string(static_cast<model::Phase>(p)))] =
            phase_costs(t.by_phase[p]);
    if (w->spec.training) {
      const model::TrainingFootprint footprint =
          model::footprint(w->network, model::footprint_precisions(a));
      detail["training_footprint_bytes"] = footprint.total_bytes();
      const double capacity = a.dram.capacity_gib * 1073741824.0;
      if (capacity > 0 && footprint.total_bytes() > capacity) {
        result.violations.push_back(
            fmt::format("{}: training footprint {:.2f} GiB > DRAM {:.2f} GiB", name,
                        footprint.total_bytes() / 1073741824.0, a.dram.capacity_gib));
        result.evaluation.violation += footprint.total_bytes() / capacity - 1;
      }
    }
    result.workloads[name] = std::move(detail);
  }
  if (!workloads_.empty()) {
    m["latency_ms"] = latency.value();
    m["energy_mj"] = energy.value();
    m["edp_mj_ms"] = energy.value() * latency.value();
    m["throughput_per_s"] = throughput.value();
    // power_w is the system's (die and DRAM devices), chip_power_w the die's alone.
    m["power_w"] = power;
    m["chip_power_w"] = chip_power;
    m["tops_per_w"] = power > 0 ? tops.value() / power : 0;
    m["tops_per_mm2"] = tops.value() / area;
    m["utilization"] = utilization.value();
    m["nonconv_share"] = nonconv.value();
    m["dram_mib"] = dram.value();
    m["energy.mac_mj"] = e_mac.value();
    m["energy.sram_mj"] = e_sram.value();
    m["energy.dram_mj"] = e_dram.value();
    m["energy.vector_mj"] = e_vec.value();
    m["energy.io_mj"] = e_io.value();
    m["energy.leakage_mj"] = e_leak.value();
  }

  if (ops_not_fitting > 0) {
    result.violations.push_back(fmt::format("buffers: {} ops do not fit on chip", ops_not_fitting));
    result.evaluation.violation += ops_not_fitting;
  }
}

DesignResult DesignEvaluator::evaluate(const search::Point& point) const {
  const auto start = std::chrono::steady_clock::now();
  DesignResult result;
  result.evaluation.point = point;
  result.params = params_at(spec_, point);
  try {
    if (spec_.platform)
      evaluate_on_platform(point, result);
    else
      evaluate_on_hardware(point, result);
    const nlohmann::json& m = result.metrics;
    for (const Bound& bound : spec_.constraints) {
      if (!m.contains(bound.metric)) {  // a tenant's latency, unbounded: it does not keep up
        result.violations.push_back(
            fmt::format("{} is unbounded (the tenant does not keep up)", bound.metric));
        result.evaluation.violation += 1;
        continue;
      }
      const double value = m.at(bound.metric).get<double>();
      if (bound.max && value > *bound.max) {
        result.violations.push_back(
            fmt::format("{} <= {:g} (is {:.4g})", bound.metric, *bound.max, value));
        result.evaluation.violation += (value - *bound.max) / std::max(std::abs(*bound.max), 1e-12);
      }
      if (bound.min && value < *bound.min) {
        result.violations.push_back(
            fmt::format("{} >= {:g} (is {:.4g})", bound.metric, *bound.min, value));
        result.evaluation.violation += (*bound.min - value) / std::max(std::abs(*bound.min), 1e-12);
      }
    }
    // Out-of-range inputs (a clock of 1e-300 MHz) overflow to inf or NaN, which a study cannot
    // store or compare: such a design is failed, with the reason.
    check_finite(m, "metric");
    check_finite(result.workloads, "workload result");
    for (const ObjectiveSpec& objective : spec_.objectives) {
      if (!m.contains(objective.metric)) {  // unbounded latency: no value to rank, infeasible
        result.violations.push_back(fmt::format(
            "objective {} is unbounded (the tenant does not keep up)", objective.metric));
        result.evaluation.violation += 1;
        result.evaluation.objectives.push_back(std::nan(""));
        continue;
      }
      const double value = m.at(objective.metric).get<double>();
      result.evaluation.objectives.push_back(objective.maximize ? -value : value);
    }
  } catch (const std::exception& e) {
    result.failed = true;
    result.error = e.what();
    result.metrics = nlohmann::json::object();
    result.workloads = nlohmann::json::object();
    result.violations = nlohmann::json::array();
    result.evaluation.objectives.assign(spec_.objectives.size(), std::nan(""));
    result.evaluation.violation = std::numeric_limits<double>::infinity();
  }
  result.eval_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::vector<DesignResult> DesignEvaluator::evaluate_all(const std::vector<search::Point>& points,
                                                        std::size_t threads) const {
  std::vector<DesignResult> results(points.size());
  const int concurrency =
      threads == 0 ? tbb::this_task_arena::max_concurrency() : static_cast<int>(threads);
  tbb::task_arena arena(concurrency);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, points.size(),
                      [&](std::size_t i) { results[i] = evaluate(points[i]); });
  });
  return results;
}

nlohmann::json DesignEvaluator::breakdown(const search::Point& point) const {
  if (spec_.platform) {
    // The design's units (what its parameters made of the platform file); where each tenant ran
    // is in its details.
    const model::platform::HeteroPlatform hetero = platform_at(point);
    return {{"platform", hetero.name},
            {"placement", placement_at(spec_, point)},
            {"dram_bandwidth_gbps", hetero.dram.bandwidth_bytes_per_s * 1e-9},
            {"units", units_json(hetero)}};
  }
  const nlohmann::json hardware = hardware_json_at(spec_, point);
  const model::Accelerator a = io::parse_hardware(hardware, spec_.file);
  const model::Technology& tech = technology(a.tech_node_nm);
  nlohmann::json result = {{"hardware", hardware}};
  for (const auto& w : workloads_) {
    const model::NetworkReport report = model::evaluate(a, w->prepared, tech);
    if (!result.contains("design"))
      result["design"] = design_to_json(a, report.design, report.total);
    nlohmann::json layers = nlohmann::json::array();
    for (const model::OpReport& op : report.ops) {
      const model::Costs& c = op.costs;
      layers.push_back({{"name", op.name},
                        {"op", model::to_string(op.op)},
                        {"phase", model::to_string(op.phase)},
                        {"unit", op.unit == model::Unit::array    ? "array"
                                 : op.unit == model::Unit::vector ? "vector"
                                                                  : "none"},
                        {"macs", c.macs},
                        {"compute_cycles", c.compute_cycles},
                        {"stall_cycles", c.stall_cycles},
                        {"total_cycles", c.total_cycles},
                        {"dram_bytes", c.dram_read_total() + c.dram_write_total()},
                        {"energy_pj", c.energy.total_pj()},
                        {"energy",
                         {{"mac_pj", c.energy.mac_pj},
                          {"sram_pj", c.energy.sram_pj},
                          {"dram_pj", c.energy.dram_pj},
                          {"vector_pj", c.energy.vector_pj},
                          {"leakage_pj", c.energy.leakage_pj}}}});
    }
    result["workloads"][w->spec.name] = {{"total", totals_to_json(report.total)},
                                         {"layers", std::move(layers)}};
  }
  return result;
}

}  // namespace accelscope::engine
