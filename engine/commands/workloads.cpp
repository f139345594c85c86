// accelscope workloads [--dir DIR] [--json]: the shipped workloads with their size.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/commands/commands.hpp"
#include "engine/loaders.hpp"
#include "engine/workload_stats.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"

namespace accelscope::engine {

namespace {

struct WorkloadsArgs {
  std::string directory;
  bool json = false;
};

void run_workloads(const WorkloadsArgs& args) {
  const std::string directory =
      args.directory.empty() ? io::data_directory() + "/workloads" : args.directory;
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec))
    throw io::InputError(directory + ": not a directory of workloads");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".json" || ext == ".csv")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  nlohmann::json list = nlohmann::json::array();
  if (!args.json)
    fmt::print("{:<28} {:>5} {:>6} {:>10} {:>16} {:>24}\n", "workload", "batch", "ops", "GMAC",
               "parameters (M)", "activations (M elements)");
  for (const auto& path : files) {
    const std::string file = path.filename().string();
    try {
      const model::Network network = load_workload(path.string());
      const WorkloadStats stats = workload_stats(network);
      const double gmac = static_cast<double>(stats.macs) / 1e9;
      const double params_m = static_cast<double>(stats.parameters) / 1e6;
      const double activations_m = static_cast<double>(stats.activation_elements) / 1e6;
      if (args.json) {
        list.push_back({{"file", file},
                        {"name", network.name},
                        {"batch", network.batch},
                        {"ops", stats.ops},
                        {"macs", stats.macs},
                        {"parameters", stats.parameters},
                        {"activation_elements", stats.activation_elements}});
      } else {
        fmt::print("{:<28} {:>5} {:>6} {:>10.3f} {:>16.3f} {:>24.3f}\n", file, network.batch,
                   stats.ops, gmac, params_m, activations_m);
      }
    } catch (const std::exception& e) {
      if (args.json)
        list.push_back({{"file", file}, {"error", e.what()}});
      else
        fmt::print(stderr, "{}: error: {}\n", file, e.what());
    }
  }
  if (args.json) std::cout << list.dump(1) << "\n";
}

}  // namespace

void register_workloads_command(CLI::App& app) {
  auto args = std::make_shared<WorkloadsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "workloads",
      "List the shipped workloads: batch, ops, GMAC, parameters (M) and activations (M elements "
      "written by all ops)");
  cmd->add_option("--dir", args->directory, "Directory to list (default: <data dir>/workloads)");
  cmd->add_flag("--json", args->json, "Print a JSON array");
  cmd->callback([args] { run_workloads(*args); });
}

}  // namespace accelscope::engine
