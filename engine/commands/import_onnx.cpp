// accelscope import-onnx MODEL.onnx [-o FILE] [--dim NAME=VALUE]... [--batch N] [--name NAME]
//                        [--unknown-as-eltwise]
// Converts an ONNX model into the native workload JSON (per-sample shapes, so --batch applies).
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/commands/commands.hpp"
#include "engine/workload_stats.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/workload_json.hpp"
#include "model/onnx/onnx_import.hpp"

namespace accelscope::engine {

namespace {

struct ImportArgs {
  std::string model;
  std::string output;
  std::vector<std::string> dims;
  std::int64_t batch = 0;
  std::string name;
  bool unknown_as_eltwise = false;
};

std::map<std::string, std::int64_t, std::less<>> parse_dims(const std::vector<std::string>& dims) {
  std::map<std::string, std::int64_t, std::less<>> result;
  for (const std::string& text : dims) {
    const auto eq = text.find('=');
    std::int64_t value = 0;
    bool ok = eq != std::string::npos && eq > 0 && eq + 1 < text.size();
    if (ok) {
      try {
        std::size_t used = 0;
        value = std::stoll(text.substr(eq + 1), &used);
        ok = used == text.size() - eq - 1 && value >= 1 && value <= model::limits::kMaxDimension;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok)
      throw io::InputError(
          "--dim '" + text + "': expected NAME=VALUE with VALUE an integer from 1 to " +
          std::to_string(model::limits::kMaxDimension) + ", e.g. --dim sequence=128");
    result[text.substr(0, eq)] = value;
  }
  return result;
}

// The workload JSON with one op per line: readable, and diffs show which op changed.
std::string workload_text(const nlohmann::json& workload) {
  std::string text = "{\n";
  bool first = true;
  for (const auto& [key, value] : workload.items()) {
    text += first ? "" : ",\n";
    first = false;
    text += " " + nlohmann::json(key).dump() + ": ";
    if (key != "ops") {
      text += value.dump();
      continue;
    }
    text += "[\n";
    for (std::size_t i = 0; i < value.size(); ++i)
      text += "  " + value[i].dump() + (i + 1 < value.size() ? ",\n" : "\n");
    text += " ]";
  }
  return text + "\n}\n";
}

void run_import(const ImportArgs& args) {
  io::OnnxImportOptions options;
  options.dims = parse_dims(args.dims);
  if (args.batch > 0) options.batch = args.batch;
  options.name = args.name;
  options.unknown_as_eltwise = args.unknown_as_eltwise;
  const io::OnnxImport imported = io::import_onnx_file(args.model, options);
  if (!imported.unknown_ops.empty()) {
    std::string list;
    for (const std::string& op : imported.unknown_ops) list += (list.empty() ? "" : ", ") + op;
    fmt::print(stderr,
               "accelscope: warning: {} unsupported op(s) costed as element-wise over "
               "their output: {}\n",
               imported.unknown_ops.size(), list);
  }

  nlohmann::json workload = io::workload_to_json(imported.network);
  // Where the file came from, so it can be regenerated (and checked: tests re-import it).
  nlohmann::json source = {{"tool", "accelscope import-onnx"}, {"onnx", args.model}};
  if (!options.dims.empty()) source["dims"] = options.dims;
  if (options.batch) source["batch"] = *options.batch;
  if (options.unknown_as_eltwise) source["unknown_as_eltwise"] = true;
  workload["source"] = source;
  const std::string text = workload_text(workload);

  const WorkloadStats stats = workload_stats(imported.network);
  std::string inputs;
  for (const std::string& input : imported.data_inputs)
    inputs += (inputs.empty() ? "" : ", ") + input;
  const std::string summary =
      fmt::format("{}: {} ops, {:.3f} GMAC, {:.3f} M parameters, batch {}, data inputs: {}",
                  imported.network.name, stats.ops, static_cast<double>(stats.macs) / 1e9,
                  static_cast<double>(stats.parameters) / 1e6, imported.network.batch, inputs);
  if (args.output.empty()) {
    std::cout << text;
    fmt::print(stderr, "{}\n", summary);
    return;
  }
  std::ofstream out(args.output, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw io::InputError(args.output + ": cannot write the workload file");
  fmt::print(stderr, "{} -> {}\n", summary, args.output);
}

}  // namespace

void register_import_onnx_command(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import-onnx", "Convert an ONNX model (weights optional) to an accelscope workload JSON");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("-o,--output", args->output, "Workload JSON to write (default: stdout)");
  cmd->add_option("--dim", args->dims,
                  "Value of a dynamic input dimension, NAME=VALUE (repeatable), e.g. --dim "
                  "batch=1 --dim sequence=128");
  cmd->add_option("--batch", args->batch,
                  "Batch: binds the leading dimension of the first input if dynamic, else "
                  "rescales the network")
      ->check(batch_range());
  cmd->add_option("--name", args->name, "Network name (default: the file name)");
  cmd->add_flag("--unknown-as-eltwise", args->unknown_as_eltwise,
                "Cost unsupported ops as element-wise over their output (with a warning) "
                "instead of failing");
  cmd->callback([args] { run_import(*args); });
}

}  // namespace accelscope::engine
