#include "model/io/hardware_json.hpp"

#include "model/evaluate.hpp"
#include "model/io/json_reader.hpp"

namespace accelscope::io {

using model::Buffer;
using model::kNumBuffers;

const std::vector<std::pair<std::string_view, model::Precision>>& precision_names() {
  static const std::vector<std::pair<std::string_view, model::Precision>> names = {
      {"int8", model::Precision::int8},   {"int16", model::Precision::int16},
      {"int32", model::Precision::int32}, {"fp16", model::Precision::fp16},
      {"bf16", model::Precision::bf16},   {"fp32", model::Precision::fp32},
      {"int4", model::Precision::int4}};
  return names;
}

const std::vector<std::pair<std::string_view, model::Dataflow>>& dataflow_names() {
  static const std::vector<std::pair<std::string_view, model::Dataflow>> names = {
      {"os", model::Dataflow::output_stationary},
      {"ws", model::Dataflow::weight_stationary},
      {"is", model::Dataflow::input_stationary},
      {"rs", model::Dataflow::row_stationary}};
  return names;
}

const std::vector<std::pair<std::string_view, model::VectorFn>>& vector_fn_names() {
  static const std::vector<std::pair<std::string_view, model::VectorFn>> names = [] {
    std::vector<std::pair<std::string_view, model::VectorFn>> list;
    for (std::size_t f = 0; f < model::kNumVectorFns; ++f) {
      const auto fn = static_cast<model::VectorFn>(f);
      list.emplace_back(model::to_string(fn), fn);
    }
    return list;
  }();
  return names;
}

const std::vector<std::pair<std::string_view, model::InterLayer>>& inter_layer_names() {
  static const std::vector<std::pair<std::string_view, model::InterLayer>> names = {
      {"resident", model::InterLayer::resident}, {"through_dram", model::InterLayer::through_dram}};
  return names;
}

const std::vector<std::pair<std::string_view, model::Process>>& process_names() {
  static const std::vector<std::pair<std::string_view, model::Process>> names = {
      {"low_power", model::Process::low_power},
      {"high_performance", model::Process::high_performance}};
  return names;
}

model::Accelerator parse_hardware(const nlohmann::json& json, const std::string& file) {
  const JsonObject root(json, file);
  root.allow_only({"name", "clock_mhz", "tech_node_nm", "array", "sram", "dram", "vector", "links",
                   "inter_layer", "fusion", "process"});
  model::Accelerator a;
  a.name = root.string("name", "");
  a.clock_mhz = root.positive("clock_mhz");
  a.tech_node_nm = static_cast<int>(root.integer("tech_node_nm"));

  const JsonObject array = root.object("array");
  array.allow_only({"rows", "cols", "dataflow", "precision", "accumulator_bits", "output_precision",
                    "fold_overlap", "pipelined_tiles", "unroll_kernel", "scratchpad_bytes"});
  a.array.rows = static_cast<int>(array.integer("rows"));
  a.array.cols = static_cast<int>(array.integer("cols"));
  a.array.dataflow = array.choice("dataflow", dataflow_names());
  a.array.precision = array.choice("precision", precision_names());
  a.array.accumulator_bits = static_cast<int>(array.integer("accumulator_bits", 32, 8));
  if (a.array.accumulator_bits > 64)
    array.fail("accumulator_bits", std::to_string(a.array.accumulator_bits), "8 to 64");
  a.array.output_precision = array.choice("output_precision", precision_names(), a.array.precision);
  a.array.fold_overlap = array.boolean("fold_overlap", true);
  a.array.unroll_kernel = array.boolean("unroll_kernel", true);
  a.array.pipelined_tiles = array.boolean("pipelined_tiles", true);
  if (a.array.dataflow == model::Dataflow::row_stationary) {
    if (!array.has("scratchpad_bytes"))
      array.fail_missing(
          "scratchpad_bytes",
          "an object {\"filter\", \"ifmap\", \"psum\"} of bytes per PE (row "
          "stationary keeps a filter row, an input row and partial sums in each PE)");
    const JsonObject pads = array.object("scratchpad_bytes");
    pads.allow_only({"filter", "ifmap", "psum"});
    a.array.filter_scratchpad_bytes = pads.positive("filter");
    a.array.ifmap_scratchpad_bytes = pads.positive("ifmap");
    a.array.psum_scratchpad_bytes = pads.positive("psum");
  } else if (array.has("scratchpad_bytes")) {
    array.fail("scratchpad_bytes", "given", "only with \"dataflow\": \"rs\"");
  }

  const JsonObject sram = root.object("sram");
  sram.allow_only({"inputs", "weights", "outputs", "vector", "input_output_banks"});
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    const std::string_view name = model::to_string(static_cast<Buffer>(b));
    const JsonObject buffer = sram.object(name);
    buffer.allow_only({"kib", "double_buffered", "port_bits", "holds_activations"});
    a.sram[b].capacity_bytes = buffer.positive("kib") * 1024.0;
    a.sram[b].double_buffered = buffer.boolean("double_buffered", true);
    a.sram[b].port_bits = static_cast<int>(buffer.integer("port_bits", 0, 0));
    // By default activations stay in the input buffer (the array reads them from there).
    a.sram[b].holds_activations = buffer.boolean("holds_activations", b == 0);
  }
  a.input_output_banks = static_cast<int>(sram.integer("input_output_banks", 0, 0, 4096));
  if (a.input_output_banks == 1)
    sram.fail("input_output_banks", "1", "0 (fixed capacities) or 2 to 4096 banks");

  const JsonObject dram = root.object("dram");
  dram.allow_only(
      {"type", "bandwidth_gbps", "capacity_gib", "phy_on_die", "activation_compression"});
  a.dram.phy_on_die = dram.boolean("phy_on_die", true);
  a.dram.type = dram.string("type");
  if (!dram.has("bandwidth_gbps"))
    dram.fail_missing("bandwidth_gbps",
                      "a number (one shared channel) or an object with "
                      "inputs, weights, outputs, vector (one interface each)");
  if (dram.raw("bandwidth_gbps").is_object()) {
    a.dram.shared = false;
    const JsonObject split = dram.object("bandwidth_gbps");
    split.allow_only({"inputs", "weights", "outputs", "vector"});
    for (std::size_t b = 0; b < kNumBuffers; ++b)
      a.dram.interface_gbps[b] = split.positive(model::to_string(static_cast<Buffer>(b)));
  } else {
    a.dram.shared = true;
    a.dram.shared_gbps = dram.positive("bandwidth_gbps");
    a.dram.interface_gbps.fill(a.dram.shared_gbps);
  }
  a.dram.capacity_gib = dram.positive("capacity_gib", 0.0, true);
  if (dram.has("activation_compression")) {
    const JsonObject code = dram.object("activation_compression");
    code.allow_only({"format", "run_bits", "level_bits", "word_bits", "pairs_per_word"});
    const std::string format = code.string("format");
    if (format != "rlc") code.fail("format", "\"" + format + "\"", "rlc");
    model::RunLengthCode& rlc = a.dram.activation_rlc;
    rlc.run_bits = static_cast<int>(code.integer("run_bits", std::nullopt, 1, 16));
    rlc.level_bits = static_cast<int>(code.integer("level_bits", std::nullopt, 1, 64));
    rlc.pairs_per_word = static_cast<int>(code.integer("pairs_per_word", std::nullopt, 1, 64));
    rlc.word_bits = static_cast<int>(code.integer("word_bits", std::nullopt, 8, 1024));
    if (rlc.word_bits < rlc.pairs_per_word * (rlc.run_bits + rlc.level_bits))
      code.fail("word_bits", std::to_string(rlc.word_bits),
                "at least pairs_per_word x (run_bits + level_bits) = " +
                    std::to_string(rlc.pairs_per_word * (rlc.run_bits + rlc.level_bits)));
  }

  const JsonObject vector = root.object("vector");
  vector.allow_only(
      {"lanes", "pipeline_depth", "precision", "tile_overhead_cycles", "cycles_per_element"});
  a.vector.lanes = static_cast<int>(vector.integer("lanes"));
  a.vector.pipeline_depth = static_cast<int>(vector.integer("pipeline_depth", 4, 0));
  a.vector.precision = vector.choice("precision", precision_names(), model::Precision::fp32);
  a.vector.tile_overhead_cycles = vector.positive("tile_overhead_cycles", 0.0, true);
  a.vector.cycles_per_element = model::default_vector_cycles();
  if (vector.has("cycles_per_element")) {
    const JsonObject cycles = vector.object("cycles_per_element");
    std::vector<std::string> allowed;
    for (const auto& [name, fn] : vector_fn_names()) allowed.emplace_back(name);
    cycles.allow_only(allowed);
    for (const auto& [name, fn] : vector_fn_names())
      if (cycles.has(name))
        a.vector.cycles_per_element[static_cast<std::size_t>(fn)] =
            cycles.positive(name, std::nullopt, true);
  }

  if (root.has("links")) {
    const JsonObject links = root.object("links");
    links.allow_only({"count", "gbps"});
    a.links.count =
        static_cast<int>(links.integer("count", std::nullopt, 1, model::limits::kMaxChipLinks));
    a.links.gbps = links.positive("gbps");
  }

  a.inter_layer = root.choice("inter_layer", inter_layer_names(), model::InterLayer::resident);
  a.fusion = root.boolean("fusion", true);
  a.process = root.choice("process", process_names(), model::Process::low_power);

  try {
    model::validate(a);
  } catch (const std::invalid_argument& e) {
    throw InputError(file + ": " + e.what());
  }
  return a;
}

model::Accelerator read_hardware_file(const std::string& path) {
  return parse_hardware(read_json_file(path), path);
}

nlohmann::json hardware_to_json(const model::Accelerator& a) {
  nlohmann::json j;
  j["name"] = a.name;
  j["clock_mhz"] = a.clock_mhz;
  j["tech_node_nm"] = a.tech_node_nm;
  j["array"] = {{"rows", a.array.rows},
                {"cols", a.array.cols},
                {"dataflow", model::to_string(a.array.dataflow)},
                {"precision", model::to_string(a.array.precision)},
                {"accumulator_bits", a.array.accumulator_bits},
                {"output_precision", model::to_string(a.array.output_precision)},
                {"fold_overlap", a.array.fold_overlap},
                {"unroll_kernel", a.array.unroll_kernel},
                {"pipelined_tiles", a.array.pipelined_tiles}};
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    nlohmann::json buffer = {{"kib", a.sram[b].capacity_bytes / 1024.0},
                             {"double_buffered", a.sram[b].double_buffered},
                             {"holds_activations", a.sram[b].holds_activations}};
    if (a.sram[b].port_bits) buffer["port_bits"] = a.sram[b].port_bits;
    j["sram"][std::string(model::to_string(static_cast<Buffer>(b)))] = buffer;
  }
  j["dram"]["type"] = a.dram.type;
  if (a.dram.shared) {
    j["dram"]["bandwidth_gbps"] = a.dram.shared_gbps;
  } else {
    for (std::size_t b = 0; b < kNumBuffers; ++b)
      j["dram"]["bandwidth_gbps"][std::string(model::to_string(static_cast<Buffer>(b)))] =
          a.dram.interface_gbps[b];
  }
  if (a.dram.capacity_gib > 0) j["dram"]["capacity_gib"] = a.dram.capacity_gib;
  j["dram"]["phy_on_die"] = a.dram.phy_on_die;
  if (a.dram.activation_rlc.on())
    j["dram"]["activation_compression"] = {
        {"format", "rlc"},
        {"run_bits", a.dram.activation_rlc.run_bits},
        {"level_bits", a.dram.activation_rlc.level_bits},
        {"word_bits", a.dram.activation_rlc.word_bits},
        {"pairs_per_word", a.dram.activation_rlc.pairs_per_word}};
  if (a.input_output_banks > 0) j["sram"]["input_output_banks"] = a.input_output_banks;
  if (a.array.dataflow == model::Dataflow::row_stationary)
    j["array"]["scratchpad_bytes"] = {{"filter", a.array.filter_scratchpad_bytes},
                                      {"ifmap", a.array.ifmap_scratchpad_bytes},
                                      {"psum", a.array.psum_scratchpad_bytes}};
  if (a.links.count > 0) j["links"] = {{"count", a.links.count}, {"gbps", a.links.gbps}};
  j["inter_layer"] = model::to_string(a.inter_layer);
  j["fusion"] = a.fusion;
  j["process"] = model::to_string(a.process);
  j["vector"] = {{"lanes", a.vector.lanes},
                 {"pipeline_depth", a.vector.pipeline_depth},
                 {"precision", model::to_string(a.vector.precision)},
                 {"tile_overhead_cycles", a.vector.tile_overhead_cycles}};
  for (std::size_t f = 0; f < model::kNumVectorFns; ++f)
    j["vector"]["cycles_per_element"]
     [std::string(model::to_string(static_cast<model::VectorFn>(f)))] =
         a.vector.cycles_per_element[f];
  return j;
}

}  // namespace accelscope::io
