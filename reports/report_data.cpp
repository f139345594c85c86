#include "reports/report_data.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "model/io/technology_io.hpp"
#include "reports/format.hpp"
#include "reports/front_analysis.hpp"

namespace accelscope::reports {

using nlohmann::json;

const char* const kKneeDefinition =
    "The knee is the front design closest (Euclidean distance) to the ideal point once every "
    "objective is normalised to [0, 1] over the front (0 = the best value on the front, 1 = the "
    "worst): the most balanced design, with no weighting between objectives.";

namespace {

// ---- reading JSON leniently: the report shows what it finds and never fails on a missing field

double number_at(const json& object, std::string_view key, double fallback = 0) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string text_at(const json& object, std::string_view key, std::string fallback = {}) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

const json& null_json() {
  static const json kNull;
  return kNull;
}

const json& at_dot_path(const json& root, std::string_view path) {
  const json* node = &root;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!node->is_object() || !node->contains(key)) return null_json();
    node = &(*node)[key];
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return *node;
}

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return format_exact(value.get<double>());
  return value.dump();
}

std::string join_values(const json& values) {
  constexpr std::size_t kMaxShown = 12;
  std::string out;
  for (std::size_t i = 0; i < values.size() && i < kMaxShown; ++i)
    out += (i ? ", " : "") + scalar_text(values[i]);
  if (values.size() > kMaxShown) out += fmt::format(", … ({} values)", values.size());
  return out;
}

// ---- what was asked (the spec's format belongs to the engine; read it leniently) ----------

std::string describe_parameter(const json& entry) {
  if (entry.is_array()) return join_values(entry);
  if (!entry.is_object()) return "fixed at " + scalar_text(entry);
  for (const char* key : {"values", "levels", "choices", "options"})
    if (entry.contains(key) && entry[key].is_array()) return join_values(entry[key]);
  json lo, hi;
  if (entry.contains("range") && entry["range"].is_array() && entry["range"].size() == 2) {
    lo = entry["range"][0];
    hi = entry["range"][1];
  }
  if (entry.contains("pow2") && entry["pow2"].is_array() && entry["pow2"].size() == 2)
    return "powers of two from " + scalar_text(entry["pow2"][0]) + " to " +
           scalar_text(entry["pow2"][1]);
  const bool log_scale = (entry.contains("log") && entry["log"] == true) ||
                         (entry.contains("log_scale") && entry["log_scale"] == true) ||
                         text_at(entry, "scale") == "log";
  if (entry.contains("float") && entry["float"].is_array() && entry["float"].size() == 2)
    return scalar_text(entry["float"][0]) + " to " + scalar_text(entry["float"][1]) +
           (log_scale ? " (continuous, log scale)" : " (continuous)");
  for (const auto& [lo_key, hi_key] : {std::pair{"min", "max"}, std::pair{"lo", "hi"},
                                       std::pair{"low", "high"}, std::pair{"from", "to"}})
    if (entry.contains(lo_key) && entry.contains(hi_key)) lo = entry[lo_key], hi = entry[hi_key];
  if (!lo.is_null()) {
    std::string text = scalar_text(lo) + " to " + scalar_text(hi);
    if (entry.contains("step")) text += ", step " + scalar_text(entry["step"]);
    return log_scale ? text + " (log scale)" : text;
  }
  for (const char* key : {"value", "fixed"})
    if (entry.contains(key)) return "fixed at " + scalar_text(entry[key]);
  json rest = entry;
  rest.erase("name");
  return rest.dump();
}

// The spec as written: the engine stores {"spec": <as written>, "base_hardware", ...}; older or
// hand-made studies may store it directly.
const json& written_spec(const json& stored) {
  if (stored.is_object() && stored.contains("spec") && stored["spec"].is_object())
    return stored["spec"];
  return stored;
}

const json& base_hardware_of(const json& stored) {
  if (stored.is_object() && stored.contains("base_hardware") && stored["base_hardware"].is_object())
    return stored["base_hardware"];
  const json& written = written_spec(stored);
  if (written.is_object() && written.contains("hardware") && written["hardware"].is_object())
    return written["hardware"];
  return null_json();
}

void flatten(const json& node, const std::string& path,
             std::vector<std::pair<std::string, const json*>>& out) {
  if (node.is_object() && !node.empty()) {
    for (const auto& [key, child] : node.items())
      flatten(child, path.empty() ? key : path + "." + key, out);
  } else {
    out.emplace_back(path, &node);
  }
}

// Base hardware fields no parameter (or derived field) sets, e.g. clock, node, precision.
std::vector<ParameterRequest> fixed_hardware_of(const json& base,
                                                const std::vector<ParameterRequest>& parameters,
                                                const std::vector<Design>& designs) {
  std::vector<std::pair<std::string, const json*>> leaves;
  flatten(base, "", leaves);
  auto varied = [&](const std::string& path) {
    auto covers = [&](const std::string& name) {
      return path == name || path.rfind(name + ".", 0) == 0 || name.rfind(path + ".", 0) == 0;
    };
    for (const ParameterRequest& p : parameters)
      if (covers(p.name)) return true;
    if (!designs.empty())
      for (const auto& [name, value] : designs.front().params.items())
        if (covers(name)) return true;
    return false;
  };
  std::vector<ParameterRequest> out;
  for (const auto& [path, value] : leaves)
    if (!path.empty() && !varied(path))
      out.push_back({path, value->is_array() ? join_values(*value) : scalar_text(*value)});
  return out;
}

// As the engine reads a spec: text levels, or numbers marked "categorical".
bool is_categorical(const json& entry) {
  if (!entry.is_object()) return false;
  if (entry.value("categorical", false)) return true;
  const json& values = entry.contains("values") ? entry["values"] : null_json();
  return values.is_array() && !values.empty() &&
         std::all_of(values.begin(), values.end(), [](const json& v) { return v.is_string(); });
}

std::vector<ParameterRequest> parameters_from_spec(const json& stored) {
  const json& spec = written_spec(stored);
  std::vector<ParameterRequest> out;
  const json& parameters =
      spec.is_object() && spec.contains("parameters") ? spec["parameters"] : null_json();
  if (parameters.is_object()) {
    for (const auto& [name, entry] : parameters.items())
      out.push_back({name, describe_parameter(entry), is_categorical(entry)});
  } else if (parameters.is_array()) {
    for (const json& entry : parameters) {
      const std::string name =
          text_at(entry, "name", text_at(entry, "path", fmt::format("#{}", out.size() + 1)));
      out.push_back({name, describe_parameter(entry), is_categorical(entry)});
    }
  }
  return out;
}

std::string describe_constraint(const std::string& metric, const json& entry) {
  if (entry.is_string())
    return metric.empty() ? entry.get<std::string>() : metric + " " + entry.get<std::string>();
  if (entry.is_number()) return metric + " <= " + scalar_text(entry);
  if (!entry.is_object()) return metric + ": " + entry.dump();
  const std::string name =
      metric.empty() ? text_at(entry, "metric", text_at(entry, "name")) : metric;
  std::vector<std::string> parts;
  for (const auto& [key, op] :
       {std::pair{"max", "<="}, std::pair{"<=", "<="}, std::pair{"<", "<"}, std::pair{"min", ">="},
        std::pair{">=", ">="}, std::pair{">", ">"}, std::pair{"equals", "=="}})
    if (entry.contains(key)) parts.push_back(name + " " + op + " " + scalar_text(entry[key]));
  if (entry.contains("op") && entry.contains("value"))
    parts.push_back(name + " " + text_at(entry, "op") + " " + scalar_text(entry["value"]));
  if (parts.empty()) return (name.empty() ? "" : name + ": ") + entry.dump();
  std::string text = parts[0];
  for (std::size_t i = 1; i < parts.size(); ++i) text += " and " + parts[i];
  return text;
}

std::vector<std::string> constraints_from_spec(const json& stored) {
  const json& spec = written_spec(stored);
  std::vector<std::string> out;
  const json& constraints =
      spec.is_object() && spec.contains("constraints") ? spec["constraints"] : null_json();
  if (constraints.is_object()) {
    for (const auto& [metric, entry] : constraints.items())
      out.push_back(describe_constraint(metric, entry));
  } else if (constraints.is_array()) {
    for (const json& entry : constraints) out.push_back(describe_constraint("", entry));
  }
  return out;
}

void merge_workload(std::vector<WorkloadRequest>& workloads, const std::string& name,
                    const json& entry) {
  auto it = std::find_if(workloads.begin(), workloads.end(),
                         [&](const WorkloadRequest& w) { return w.name == name; });
  if (it == workloads.end()) {
    WorkloadRequest request;
    request.name = name;
    workloads.push_back(std::move(request));
    it = workloads.end() - 1;
  }
  if (!entry.is_object()) {
    if (entry.is_string() && it->file.empty()) it->file = entry.get<std::string>();
    return;
  }
  it->file = text_at(entry, "file", text_at(entry, "path", it->file));
  it->mode = text_at(entry, "mode", it->mode);
  it->batch = static_cast<std::int64_t>(number_at(entry, "batch", static_cast<double>(it->batch)));
  it->weight = number_at(entry, "weight", it->weight);
}

std::string stem_of(const std::string& file) {
  const std::size_t slash = file.find_last_of('/');
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  const std::size_t dot = base.find('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// From the spec, then overridden by what the trials record (what was actually evaluated).
std::vector<WorkloadRequest> workloads_of(const json& stored, const std::vector<Design>& designs) {
  const json& spec = written_spec(stored);
  std::vector<WorkloadRequest> out;
  const json& listed =
      spec.is_object() && spec.contains("workloads") ? spec["workloads"] : null_json();
  if (listed.is_object()) {
    for (const auto& [name, entry] : listed.items()) merge_workload(out, name, entry);
  } else if (listed.is_array()) {
    for (const json& entry : listed) {
      const std::string file = entry.is_string() ? entry.get<std::string>()
                                                 : text_at(entry, "file", text_at(entry, "path"));
      merge_workload(out, text_at(entry, "name", stem_of(file)), entry);
    }
  }
  for (const Design& design : designs) {
    if (!design.workloads.is_object() || design.workloads.empty()) continue;
    for (const auto& [name, entry] : design.workloads.items())
      if (!entry.is_object() || entry.value("mode", std::string{}) != "serving")  // a tenant
        merge_workload(out, name, entry);
    break;
  }
  return out;
}

// ---- breakdowns -----------------------------------------------------------------------------

void set_energy(LayerCost& cost, const json& energy) {
  constexpr double kMjPerPj = 1e-9;
  cost.mac_mj = number_at(energy, "mac_pj") * kMjPerPj;
  cost.sram_mj = number_at(energy, "sram_pj") * kMjPerPj;
  cost.dram_mj = number_at(energy, "dram_pj") * kMjPerPj;
  cost.io_mj = number_at(energy, "io_pj") * kMjPerPj;
  cost.vector_mj = number_at(energy, "vector_pj") * kMjPerPj;
  cost.leakage_mj = number_at(energy, "leakage_pj") * kMjPerPj;
}

LayerCost cost_of(const json& costs, double ms_per_cycle) {
  LayerCost cost;
  cost.compute_ms = number_at(costs, "compute_cycles") * ms_per_cycle;
  cost.stall_ms = number_at(costs, "stall_cycles") * ms_per_cycle;
  // total_cycles may exceed compute + stall (e.g. a pipeline start); keep the difference in
  // compute so bars add up to the latency.
  const double total_ms = number_at(costs, "total_cycles") * ms_per_cycle;
  if (total_ms > cost.compute_ms + cost.stall_ms) cost.compute_ms = total_ms - cost.stall_ms;
  if (costs.contains("energy")) set_energy(cost, costs["energy"]);
  return cost;
}

void add_cost(LayerCost& sum, const LayerCost& part) {
  sum.compute_ms += part.compute_ms;
  sum.stall_ms += part.stall_ms;
  sum.mac_mj += part.mac_mj;
  sum.sram_mj += part.sram_mj;
  sum.dram_mj += part.dram_mj;
  sum.io_mj += part.io_mj;
  sum.vector_mj += part.vector_mj;
  sum.leakage_mj += part.leakage_mj;
}

template <typename Key>
std::vector<LayerCost> top_layers(std::vector<LayerCost> layers, std::size_t count, Key key) {
  std::stable_sort(layers.begin(), layers.end(),
                   [&](const LayerCost& a, const LayerCost& b) { return key(a) > key(b); });
  if (layers.size() <= count + 1) return layers;  // "other (1 layer)" would be silly
  LayerCost other;
  other.name = fmt::format("other ({} layers)", layers.size() - count);
  other.merged_layers = layers.size() - count;
  for (std::size_t i = count; i < layers.size(); ++i) add_cost(other, layers[i]);
  layers.resize(count);
  layers.push_back(other);
  return layers;
}

WorkloadBreakdown parse_workload(const std::string& name, const json& entry, const json& hardware,
                                 const Design& design, std::size_t top_count) {
  WorkloadBreakdown out;
  out.name = name;
  const json& recorded = design.workloads.is_object() && design.workloads.contains(name)
                             ? design.workloads[name]
                             : null_json();
  out.mode = text_at(recorded, "mode", "inference");
  out.batch = static_cast<std::int64_t>(number_at(recorded, "batch", 1));
  const json& total = entry.contains("total") ? entry["total"] : null_json();
  const double total_cycles = number_at(total, "total_cycles");
  const double clock_mhz = number_at(hardware, "clock_mhz");
  double ms_per_cycle = 0;
  if (total_cycles > 0 && number_at(total, "latency_s") > 0)
    ms_per_cycle = number_at(total, "latency_s") * 1e3 / total_cycles;
  else if (clock_mhz > 0)
    ms_per_cycle = 1e-3 / clock_mhz;
  out.total = cost_of(total, ms_per_cycle);
  out.total.name = "total";

  std::vector<LayerCost> layers;
  LayerCost conv_sum, nonconv_sum;
  if (entry.contains("layers") && entry["layers"].is_array()) {
    for (const json& layer : entry["layers"]) {
      LayerCost cost = cost_of(layer, ms_per_cycle);
      cost.name = text_at(layer, "name", "?");
      const std::string phase = text_at(layer, "phase", "forward");
      if (phase != "forward") cost.name += " [" + phase + "]";
      cost.op = text_at(layer, "op");
      cost.unit = text_at(layer, "unit");
      add_cost(cost.unit == "array" ? conv_sum : nonconv_sum, cost);
      layers.push_back(std::move(cost));
    }
  }
  out.layer_count = layers.size();
  out.conv = total.contains("conv") ? cost_of(total["conv"], ms_per_cycle) : conv_sum;
  out.nonconv = total.contains("nonconv") ? cost_of(total["nonconv"], ms_per_cycle) : nonconv_sum;
  out.conv.name = "conv / GEMM (array)";
  out.nonconv.name = "non-conv (vector unit)";
  out.top_by_latency =
      top_layers(layers, top_count, [](const LayerCost& c) { return c.latency_ms(); });
  out.top_by_energy =
      top_layers(layers, top_count, [](const LayerCost& c) { return c.energy_mj(); });
  return out;
}

std::vector<AreaPart> area_parts(const json& area, const Design& design) {
  std::vector<AreaPart> parts;
  if (area.is_object()) {
    parts.push_back({"PE array", number_at(area, "pe_array_mm2")});
    const json& sram = area.contains("sram_mm2") ? area["sram_mm2"] : null_json();
    if (sram.is_object()) {
      for (const auto& [buffer, mm2] : sram.items())
        parts.push_back({"SRAM " + buffer, mm2.is_number() ? mm2.get<double>() : 0});
    } else {
      parts.push_back({"SRAM", number_at(area, "sram_mm2")});
    }
    parts.push_back({"vector unit", number_at(area, "vector_unit_mm2")});
    parts.push_back({"DRAM interface", number_at(area, "io_mm2")});
    parts.push_back({"control and interconnect", number_at(area, "overhead_mm2")});
    return parts;
  }
  // No breakdown: the metrics' coarser split.
  for (const auto& [metric, label] :
       {std::pair{"area.pe_array_mm2", "PE array"}, std::pair{"area.sram_mm2", "SRAM"},
        std::pair{"area.vector_mm2", "vector unit"}, std::pair{"area.io_mm2", "DRAM interface"},
        std::pair{"area.overhead_mm2", "control and interconnect"}}) {
    const double mm2 = design.metric(metric);
    if (std::isfinite(mm2)) parts.push_back({label, mm2});
  }
  return parts;
}

DesignBreakdown parse_breakdown(const std::optional<json>& stored, const Design& design,
                                std::size_t top_count) {
  DesignBreakdown out;
  if (!stored || !stored->is_object()) {
    out.missing_reason = "no breakdown stored for this design";
    out.area = area_parts(null_json(), design);
    return out;
  }
  const json& breakdown = *stored;
  out.available = true;
  out.hardware = breakdown.contains("hardware") ? breakdown["hardware"] : json::object();
  const json& design_json = breakdown.contains("design") ? breakdown["design"] : null_json();
  out.area = area_parts(design_json.contains("area") ? design_json["area"] : null_json(), design);
  if (breakdown.contains("workloads") && breakdown["workloads"].is_object())
    for (const auto& [name, entry] : breakdown["workloads"].items())
      out.workloads.push_back(parse_workload(name, entry, out.hardware, design, top_count));
  return out;
}

// ---- assumptions ----------------------------------------------------------------------------

std::vector<std::string> model_assumptions() {
  return {
      "Unless the hardware says \"inter_layer\": \"through_dram\", a layer's output stays in "
      "on-chip SRAM while it fits beside the other live tensors and the working tiles of the "
      "layers running meanwhile, and spills to DRAM otherwise (written once, read back by each "
      "consumer); weights stay on chip across inferences when the weight buffer holds them all.",
      "With fusion on (the default), inference folds batch-norm into the preceding convolution "
      "and applies activations, bias and residual adds on the producer's output path; training "
      "keeps what the backward pass needs.",
      "GEMM-type layers (convolutions, matrix multiplies) run on the PE array, tiled to fit half "
      "of each double-buffered SRAM; DRAM transfers overlap computation, and the part that does "
      "not fit in the compute time is counted as memory stall.",
      "All other layers (activations, pooling, normalisation, element-wise) run on the vector "
      "unit; a single-buffered vector memory exposes its DRAM transfer time.",
      "Energy = operation and access counts x per-operation energy (MAC with its pipeline "
      "registers' data switching, row-stationary array network per word, SRAM per bit, DRAM "
      "devices and the die's DRAM interface per bit) + standing power (leakage, the DRAM "
      "interface's standing power, the array registers' clock on every cycle) x latency. Power = "
      "energy / latency at a fixed clock; power_w is the system's (die and DRAM "
      "devices), chip_power_w the die's alone.",
      "Area = PE array (placed MAC cells and registers) + banked SRAM macros (never below the "
      "bit-cell area) + vector unit + DRAM interface (PHY) + control and interconnect as shares "
      "of the core. DRAM devices and the package are not included.",
      "Latency and energy are per run: one inference of the batch, or one training step. With "
      "several workloads, the design-level latency, energy, throughput, utilisation and TOPS "
      "figures are means over the workloads weighted as requested (labelled \"weighted "
      "mean\"); the tables show each workload's own figures beside them.",
      "Power is the average over a run (energy / latency), not the peak: power_w (die and DRAM "
      "devices) and chip_power_w (die alone) are the highest such average over the workloads, "
      "and a power constraint applies to that figure. peak_power_w is the die's with every PE, "
      "SRAM port, lane and DRAM interface busy, which a design can exceed its average by "
      "several times. Area is the die's (with the DRAM interface PHY when on the die); DRAM "
      "devices count in power but not in area.",
  };
}

// Every "source" in the technology description, named by where it sits ("sram.macro_factor"),
// so the report lists what the tables cite whatever their layout.
void collect_sources(const json& node, const std::string& path, std::vector<TechSource>& out) {
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    const bool is_source = key == "source" || key.ends_with("_source");
    if (is_source && value.is_string()) {
      std::string topic = path.empty() ? key : path;
      std::replace(topic.begin(), topic.end(), '_', ' ');
      out.push_back({topic, value.get<std::string>()});
    } else if (value.is_object()) {
      collect_sources(value, path.empty() ? key : path + "." + key, out);
    }
  }
}

void add_tech_sources(Assumptions& assumptions, const io::TechLibrary& library) {
  const json& d = library.description;
  assumptions.tech_directory = library.directory;
  collect_sources(d, "", assumptions.sources);

  const json& nodes = at_dot_path(d, "node_scaling.nodes");
  for (const int node : assumptions.nodes_nm) {
    const json& factors =
        nodes.is_object() ? at_dot_path(nodes, std::to_string(node)) : null_json();
    if (factors.is_object())
      assumptions.node_scaling.push_back(fmt::format(
          "{} nm: energy x{}, area x{} relative to 45 nm", node,
          format_exact(number_at(factors, "energy")), format_exact(number_at(factors, "area"))));
    else
      assumptions.node_scaling.push_back(
          fmt::format("{} nm: not in the technology tables read for this report", node));
  }
  const json& dram = at_dot_path(d, "dram.types");
  for (const std::string& type : assumptions.dram_types) {
    const json& figures = dram.is_object() && dram.contains(type) ? dram[type] : null_json();
    if (figures.is_object())
      assumptions.node_scaling.push_back(
          fmt::format("DRAM {}: {} pJ/bit in the devices, {} pJ/bit in the die's interface", type,
                      format_exact(number_at(figures, "device_pj_per_bit")),
                      format_exact(number_at(figures, "phy_pj_per_bit"))));
  }
}

Assumptions assumptions_of(const ReportData& data, const CollectOptions& options) {
  Assumptions out;
  std::set<int> nodes;
  std::set<std::string> dram_types;
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const json& node = data.front_param(i, "tech_node_nm");
    if (node.is_number()) nodes.insert(node.get<int>());
    const json& dram = data.front_param(i, "dram.type");
    if (dram.is_string()) dram_types.insert(dram.get<std::string>());
  }
  out.nodes_nm.assign(nodes.begin(), nodes.end());
  out.dram_types.assign(dram_types.begin(), dram_types.end());
  out.model = model_assumptions();
  try {
    if (options.tech) {
      add_tech_sources(out, *options.tech);
    } else {
      add_tech_sources(out, io::load_default_tech_library());
    }
  } catch (const std::exception& e) {
    out.tech_error = e.what();
  }
  return out;
}

// ---- the rest ---------------------------------------------------------------------------------

std::string constraint_of(const std::string& violation) {
  // "area_mm2 <= 10 (is 12.4)" counts as "area_mm2 <= 10".
  const std::size_t detail = violation.rfind(" (is ");
  return detail == std::string::npos ? violation : violation.substr(0, detail);
}

// Over every infeasible design of the study, reading only their violations.
std::vector<ViolationCount> count_violations(store::Database& db, store::StudyId study) {
  // Violation lists repeat across hundreds of thousands of designs: each distinct list is parsed
  // once and counted per occurrence.
  std::unordered_map<std::string, std::int64_t> lists;
  store::TrialFilter infeasible;
  infeasible.infeasible_only = true;
  store::ScanKeys keys;
  db.scan(
      study, infeasible, keys,
      [&](const store::TrialRow& row) {
        if (row.violations.empty()) return;
        auto found = lists.find(std::string(row.violations));
        if (found == lists.end()) found = lists.emplace(std::string(row.violations), 0).first;
        ++found->second;
      },
      store::ScanColumns{.point = false, .params = false, .metrics = false});
  std::map<std::string, std::int64_t> counts;
  for (const auto& [text, designs] : lists) {
    const json list = json::parse(text, nullptr, false);
    if (!list.is_array()) continue;
    for (const json& violation : list) counts[constraint_of(scalar_text(violation))] += designs;
  }
  std::vector<ViolationCount> out;
  for (const auto& [constraint, count] : counts) out.push_back({constraint, count});
  std::stable_sort(out.begin(), out.end(), [](const ViolationCount& a, const ViolationCount& b) {
    return a.designs > b.designs;
  });
  return out;
}

}  // namespace

Design design_of(const store::Trial& trial) {
  Design design;
  design.trial_id = trial.id;
  design.seq = trial.seq;
  design.feasible = trial.feasible.value_or(false);
  design.on_front = trial.on_front;
  design.params = trial.params.is_object() ? trial.params : json::object();
  design.metrics = trial.metrics.is_object() ? trial.metrics : json::object();
  design.workloads = trial.workloads;
  if (trial.violations.is_array())
    for (const json& v : trial.violations) design.violations.push_back(scalar_text(v));
  design.objectives = trial.objectives;
  return design;
}

namespace {

// Front designs, one per distinct parameter set, best for objective 1 first.
std::vector<std::size_t> front_of(const std::vector<Design>& designs,
                                  const std::vector<ObjectiveInfo>& objectives,
                                  std::size_t& duplicates) {
  std::vector<std::size_t> front;
  std::set<std::string> seen;
  duplicates = 0;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    if (!designs[i].on_front || !designs[i].feasible) continue;
    if (!seen.insert(designs[i].params.dump()).second) {
      ++duplicates;
      continue;
    }
    front.push_back(i);
  }
  if (!objectives.empty()) {
    const bool maximise = objectives[0].direction == store::Direction::maximize;
    std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
      const double va = designs[a].objectives.empty() ? NAN : designs[a].objectives[0];
      const double vb = designs[b].objectives.empty() ? NAN : designs[b].objectives[0];
      return maximise ? va > vb : va < vb;
    });
  }
  return front;
}

std::string lower_first(std::string text) {
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Quoted for a POSIX shell when it holds anything but safe characters.
std::string shell_word(const std::string& word) {
  const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_./:=+,-@%").find(c) != std::string_view::npos;
  });
  if (safe) return word;
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Reproduction reproduction_of(const store::StudyInfo& study, const std::string& database_path) {
  Reproduction out;
  out.engine_version = study.engine_version;
  out.spec_hash = study.spec_hash;
  out.spec_hash_verified = store::spec_hash(study.spec) == study.spec_hash;
  out.seed = study.seed;
  for (const char* key : {"spec_file", "spec_path", "spec"})
    if (out.spec_file.empty()) out.spec_file = text_at(study.options, key);
  if (out.spec_file.empty()) out.spec_file = "<spec.json>";
  const json& o = study.options;
  out.command =
      fmt::format("accelscope search {} --strategy {} --budget {} --seed {} --db {} --study {}",
                  shell_word(out.spec_file), shell_word(study.strategy), study.budget, study.seed,
                  shell_word(database_path), shell_word(study.name));
  // Options that change which designs are proposed.
  if (number_at(o, "batch_size") > 0) out.command += " --batch " + scalar_text(o["batch_size"]);
  if (number_at(o, "shard_count", 1) > 1)
    out.command +=
        " --shard " + scalar_text(o["shard_index"]) + "/" + scalar_text(o["shard_count"]);
  if (o.is_object() && o.value("low_discrepancy", false)) out.command += " --low-discrepancy";
  return out;
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

MetricInfo metric_info(std::string_view metric) {
  static const std::map<std::string, MetricInfo, std::less<>> kKnown = {
      {"latency_ms", {"Latency", "ms"}},
      {"energy_mj", {"Energy", "mJ"}},
      {"area_mm2", {"Area", "mm²"}},
      // power_w and chip_power_w are the highest average over the workloads, not a mean.
      {"power_w", {"Avg. power, die + DRAM devices (highest workload)", "W"}},
      {"chip_power_w", {"Avg. die power (highest workload)", "W"}},
      {"peak_power_w", {"Peak die power (every unit busy)", "W"}},
      {"peak_tops", {"Peak TOPS", ""}},
      {"die_cost_usd", {"Die cost (good die, packaged, tested)", "USD"}},
      {"die_cost.silicon_usd", {"Silicon cost per good die", "USD"}},
      {"die_cost.package_test_usd", {"Package and test cost", "USD"}},
      {"die_cost.yield", {"Die yield", ""}},
      {"die_cost.dies_per_wafer", {"Dies per wafer (gross)", ""}},
      {"throughput_per_s", {"Throughput", "samples/s"}},
      {"tops_per_w", {"TOPS/W", ""}},
      {"tops_per_mm2", {"TOPS/mm²", ""}},
      {"edp_mj_ms", {"Energy-delay product", "mJ·ms"}},
      {"utilization", {"PE utilisation", ""}},
      {"nonconv_share", {"Non-conv share of cycles", ""}},
      {"dram_mib", {"DRAM traffic", "MiB"}},
      {"area.pe_array_mm2", {"PE array area", "mm²"}},
      {"area.sram_mm2", {"SRAM area", "mm²"}},
      {"area.vector_mm2", {"Vector unit area", "mm²"}},
      {"area.io_mm2", {"DRAM interface area", "mm²"}},
      {"area.overhead_mm2", {"Control and interconnect area", "mm²"}},
      {"energy.mac_mj", {"MAC energy", "mJ"}},
      {"energy.sram_mj", {"SRAM energy", "mJ"}},
      {"energy.dram_mj", {"DRAM device energy", "mJ"}},
      {"energy.io_mj", {"DRAM interface energy", "mJ"}},
      {"energy.vector_mj", {"Vector energy", "mJ"}},
      {"energy.leakage_mj", {"Standing energy (leakage, clock)", "mJ"}},
      // Serving a scenario (README "Design spaces"); per tenant "<tenant>.p99_ms" etc.
      {"goodput_scale", {"Goodput (multiple of the scenario's rates)", ""}},
      {"slo_attainment", {"SLO attainment (lowest tenant)", ""}},
      {"energy_mj_per_request", {"Energy per request", "mJ"}},
      {"serving_power_w", {"Avg. power serving the scenario (batches only)", "W"}},
      {"pe_utilization", {"PE utilisation serving the scenario", ""}},
      {"dram_utilization", {"DRAM utilisation serving the scenario", ""}},
      {"partitions", {"Partitions", ""}},
      {"p50_ms", {"p50 latency", "ms"}},
      {"p99_ms", {"p99 latency", "ms"}},
      {"partition", {"Partition (share of the array)", ""}},
      {"batch", {"Batch", ""}},
  };
  if (const auto it = kKnown.find(metric); it != kKnown.end()) return it->second;
  // Per-workload metrics "<w>.latency_ms".
  const std::size_t dot = metric.rfind('.');
  if (dot != std::string_view::npos) {
    if (const auto it = kKnown.find(metric.substr(dot + 1)); it != kKnown.end())
      return {std::string(metric.substr(0, dot)) + " " + lower_first(it->second.label),
              it->second.unit};
  }
  return {std::string(metric), ""};
}

std::string metric_heading(std::string_view metric) {
  const MetricInfo info = metric_info(metric);
  return info.unit.empty() ? info.label : info.label + " (" + info.unit + ")";
}

std::string lower_label(std::string_view metric) {
  return lower_first(metric_info(metric).label);
}

std::string constraint_label(std::string_view constraint) {
  const std::size_t space = constraint.find(' ');
  if (space == std::string_view::npos) return std::string(constraint);
  const std::string_view metric = constraint.substr(0, space);
  std::string rest(constraint.substr(space));
  for (const auto& [ascii, sign] : {std::pair{" <= ", " ≤ "}, std::pair{" >= ", " ≥ "}})
    if (rest.rfind(ascii, 0) == 0) rest = sign + rest.substr(4);
  // Only metrics the label table knows: a spec's own expression stays as written.
  if (metric_info(metric).label == metric) return std::string(metric) + rest;
  return metric_heading(metric) + rest;
}

std::string parameter_label(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kKnown = {
      {"pe_count", "PE count"},
      {"aspect", "Array aspect (rows/cols)"},
      {"array.rows", "Array rows"},
      {"array.cols", "Array columns"},
      {"array.dataflow", "Dataflow"},
      {"array.precision", "Precision"},
      {"array.accumulator_bits", "Accumulator bits"},
      {"sram.inputs.kib", "Input SRAM (KiB)"},
      {"sram.weights.kib", "Weight SRAM (KiB)"},
      {"sram.outputs.kib", "Output SRAM (KiB)"},
      {"sram.vector.kib", "Vector SRAM (KiB)"},
      {"dram.bandwidth_gbps", "DRAM bandwidth (GB/s)"},
      {"dram.type", "DRAM type"},
      {"dram.capacity_gib", "DRAM capacity (GiB)"},
      {"tech_node_nm", "Technology node (nm)"},
      {"clock_mhz", "Clock (MHz)"},
      {"process", "Process flavour"},
      {"vector.lanes", "Vector lanes"},
      {"vector.precision", "Vector precision"},
      {"inter_layer", "Inter-layer tensors"},
      {"fusion", "Operator fusion"},
  };
  if (const auto it = kKnown.find(name); it != kKnown.end()) return it->second;
  return std::string(name);
}

double Design::metric(std::string_view name) const {
  const auto it = metrics.find(name);
  return it != metrics.end() && it->is_number() ? it->get<double>() : NAN;
}

const json* ReportData::shortlisted_hardware(std::size_t front_index) const {
  for (const ShortlistEntry& entry : shortlist)
    if (entry.front_index == front_index && entry.breakdown.available &&
        entry.breakdown.hardware.is_object())
      return &entry.breakdown.hardware;
  return nullptr;
}

const json& ReportData::front_param(std::size_t front_index, std::string_view name) const {
  const json& value = front_design(front_index).param(name, shortlisted_hardware(front_index));
  return value.is_null() ? at_dot_path(base_hardware, name) : value;
}

const json& Design::param(std::string_view name, const json* hardware) const {
  if (const auto it = params.find(name); it != params.end()) return *it;
  return hardware ? at_dot_path(*hardware, name) : null_json();
}

std::vector<std::string> ReportData::roles(std::size_t front_index) const {
  std::vector<std::string> out;
  if (knee && *knee == front_index) out.emplace_back("knee");
  for (std::size_t j = 0; j < best.size() && j < objectives.size(); ++j) {
    if (!best[j] || *best[j] != front_index) continue;
    const bool maximise = objectives[j].direction == store::Direction::maximize;
    out.push_back((maximise ? "highest " : "lowest ") + lower_label(objectives[j].metric));
  }
  return out;
}

std::string ReportData::energy_per() const {
  bool inference = false, training = false;
  for (const WorkloadRequest& w : workloads) (w.mode == "training" ? training : inference) = true;
  if (training && inference) return "run";
  return training ? "training step" : "inference";
}

std::string bottleneck_text(const WorkloadBreakdown& wl, double utilization) {
  const double total_ms = wl.total.latency_ms();
  if (!(total_ms > 0)) return {};
  struct Part {
    const char* name;
    double ms;
  };
  std::array<Part, 3> parts = {Part{"PE array compute", wl.conv.compute_ms},
                               Part{"memory stalls of array ops", wl.conv.stall_ms},
                               Part{"vector unit (non-GEMM ops)", wl.nonconv.latency_ms()}};
  std::stable_sort(parts.begin(), parts.end(),
                   [](const Part& a, const Part& b) { return a.ms > b.ms; });
  std::string text = fmt::format("{}: {} of {} ms ({})", parts[0].name, format_number(parts[0].ms),
                                 format_number(total_ms), format_percent(parts[0].ms / total_ms));
  text += fmt::format("; {} {} ms, {} {} ms", parts[1].name, format_number(parts[1].ms),
                      parts[2].name, format_number(parts[2].ms));
  if (!wl.top_by_latency.empty() && wl.top_by_latency.front().merged_layers == 0)
    text += fmt::format("; slowest layer {} ({} ms)", wl.top_by_latency.front().name,
                        format_number(wl.top_by_latency.front().latency_ms()));
  if (std::isfinite(utilization)) text += "; PE utilisation " + format_percent(utilization);
  return text;
}

std::string ReportData::heading(const std::string& metric) const {
  static const std::set<std::string, std::less<>> kAveraged = {
      "latency_ms",   "energy_mj",        "throughput_per_s", "edp_mj_ms",
      "tops_per_w",   "tops_per_mm2",     "utilization",      "nonconv_share",
      "dram_mib",     "energy.mac_mj",    "energy.sram_mj",   "energy.dram_mj",
      "energy.io_mj", "energy.vector_mj", "energy.leakage_mj"};
  std::string label = metric_info(metric).label;
  const std::string unit = metric_info(metric).unit;
  if (metric == "energy_mj") label = "Energy per " + energy_per();
  for (const WorkloadRequest& w : workloads)
    if (metric == w.name + ".energy_mj")
      label = w.name + " energy per " + (w.mode == "training" ? "training step" : "inference");
  if (workloads.size() > 1 && kAveraged.count(metric))
    label = "Weighted mean " + lower_first(label);
  return unit.empty() ? label : label + " (" + unit + ")";
}

ReportData collect(store::Database& db, store::StudyId study_id, const CollectOptions& options) {
  ReportData data;
  data.study = db.study(study_id);
  data.database_path = db.path().string();
  data.generator = options.generator;
  data.generated_at = options.generated_at;
  for (const store::Objective& o : data.study.objectives)
    data.objectives.push_back({o.name, o.direction});

  // The counts come from the study's counters; the designs read are the front and a sample.
  const store::TrialCounts& counts = data.study.counts;
  data.evaluated_count = counts.done;
  data.feasible_count = counts.feasible;
  data.infeasible_count = counts.done - counts.feasible;
  store::TrialFilter front_filter;
  front_filter.front_only = true;
  db.for_each_trial(study_id, front_filter,
                    [&](store::Trial&& trial) { data.designs.push_back(design_of(trial)); });
  if (!options.front_only) {
    const auto others =
        std::max<std::int64_t>(0, counts.done - static_cast<std::int64_t>(data.designs.size()));
    const auto most =
        static_cast<std::int64_t>(std::max<std::size_t>(1, options.max_other_designs));
    data.other_stride = std::max<std::int64_t>(1, (others + most - 1) / most);
    store::TrialFilter sample;
    sample.status = store::TrialStatus::done;
    sample.off_front_only = true;
    sample.every = data.other_stride;
    db.for_each_trial(study_id, sample,
                      [&](store::Trial&& trial) { data.designs.push_back(design_of(trial)); });
    std::stable_sort(data.designs.begin(), data.designs.end(),
                     [](const Design& a, const Design& b) { return a.seq < b.seq; });
    data.violations = count_violations(db, study_id);
  }

  data.workloads = workloads_of(data.study.spec, data.designs);
  data.parameters = parameters_from_spec(data.study.spec);
  data.base_hardware = base_hardware_of(data.study.spec);
  data.fixed_hardware = fixed_hardware_of(data.base_hardware, data.parameters, data.designs);
  data.constraints = constraints_from_spec(data.study.spec);

  data.front = front_of(data.designs, data.objectives, data.duplicate_front_designs);
  ObjectiveVectors front_objectives;
  for (std::size_t i = 0; i < data.front.size(); ++i)
    front_objectives.push_back(data.front_design(i).objectives);
  std::vector<store::Direction> directions;
  for (const ObjectiveInfo& o : data.objectives) directions.push_back(o.direction);
  data.knee = knee_point(front_objectives, directions);
  data.best = best_per_objective(front_objectives, directions);

  // Shortlist: the knee, the best per objective, then a spread of further front designs.
  std::vector<std::size_t> chosen;
  auto choose = [&](std::optional<std::size_t> index) {
    if (index && std::find(chosen.begin(), chosen.end(), *index) == chosen.end())
      chosen.push_back(*index);
  };
  choose(data.knee);
  for (const auto& best : data.best) choose(best);
  const std::size_t roles_count = chosen.size();
  for (const std::size_t pick :
       spread_picks(front_objectives, directions, chosen, options.extra_shortlist))
    chosen.push_back(pick);
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    ShortlistEntry entry;
    entry.front_index = chosen[k];
    entry.reasons = data.roles(chosen[k]);
    if (k >= roles_count) entry.reasons.emplace_back("spread along the front");
    const Design& design = data.front_design(chosen[k]);
    entry.breakdown = parse_breakdown(db.breakdown(design.trial_id), design, options.top_layers);
    for (WorkloadBreakdown& wl : entry.breakdown.workloads)
      wl.bottleneck = bottleneck_text(wl, design.metric(wl.name + ".utilization"));
    data.shortlist.push_back(std::move(entry));
  }

  if (!options.front_only && options.importance_designs > 0) {
    std::vector<std::string> names, metrics;
    std::vector<bool> categorical;
    for (const ParameterRequest& p : data.parameters) {
      names.push_back(p.name);
      categorical.push_back(p.categorical);
    }
    for (const ObjectiveInfo& o : data.objectives) metrics.push_back(o.metric);
    data.importance =
        collect_importance(db, study_id, std::move(names), std::move(categorical),
                           std::move(metrics), data.evaluated_count, options.importance_designs);
  }

  data.assumptions = assumptions_of(data, options);
  data.reproduce = reproduction_of(data.study, data.database_path);
  return data;
}

}  // namespace accelscope::reports
