// accelscope eval --hw FILE --workload FILE|NAME [--batch N] [--compat scalesim]
//                 [--training [--optimizer sgd|momentum|adam]] [--json]
#include <iostream>

#include "engine/commands/commands.hpp"
#include "engine/eval_output.hpp"
#include "engine/loaders.hpp"
#include "engine/single_eval.hpp"
#include "model/io/technology_io.hpp"

namespace accelscope::engine {

namespace {

struct EvalArgs {
  std::string hardware;
  std::string workload;
  std::int64_t batch = 0;
  std::string compat = "none";
  std::string tech_dir;
  bool training = false;
  std::string optimizer = "sgd";
  bool json = false;
};

void run_eval(const EvalArgs& args) {
  const model::Accelerator accelerator = load_hardware(args.hardware);
  WorkloadOptions workload_options;
  if (args.batch > 0) workload_options.batch = args.batch;
  if (args.training) {
    model::TrainingOptions training;
    training.optimizer = model::parse_optimizer(args.optimizer);
    workload_options.training = training;
  }
  const model::Network network = load_workload(resolve_workload(args.workload), workload_options);
  const io::TechLibrary library = args.tech_dir.empty() ? io::load_default_tech_library()
                                                        : io::load_tech_library(args.tech_dir);
  SingleEvalOptions options;
  options.scalesim_compat = args.compat == "scalesim";
  const model::NetworkReport report =
      evaluate_single(accelerator, network, nullptr,
                      technology_for(library, accelerator, args.hardware), options, args.hardware);
  if (args.json) {
    std::cout << report_to_json(accelerator, network, report).dump(1) << "\n";
  } else {
    print_report_table(std::cout, accelerator, network, report);
  }
}

}  // namespace

void register_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Evaluate one design on one workload: per-layer table and totals (or JSON)");
  cmd->add_option("--hw", args->hardware, "Hardware file: accelscope .json, or SCALE-Sim .cfg")
      ->required();
  cmd->add_option(
         "--workload", args->workload,
         "Workload: a file (accelscope or SimDIT .json, SCALE-Sim topology .csv, .onnx) or a "
         "shipped name (accelscope workloads)")
      ->required();
  cmd->add_option("--batch", args->batch, "Batch size (overrides the workload's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--compat", args->compat,
                  "Compatibility mode: scalesim reproduces SCALE-Sim's compute cycles and SRAM "
                  "counts (whole layer as one tile, no fold overlap)")
      ->check(CLI::IsMember({"none", "scalesim"}));
  cmd->add_option("--tech", args->tech_dir, "Directory of technology tables (default: shipped)");
  CLI::Option* training =
      cmd->add_flag("--training", args->training,
                    "Evaluate one training iteration derived from the forward workload (forward, "
                    "backward-data, backward-weight, update); reports per phase and the memory "
                    "footprint against the DRAM capacity");
  cmd->add_option("--optimizer", args->optimizer, "Weight update of --training (default sgd)")
      ->check(CLI::IsMember({"sgd", "momentum", "adam"}))
      ->needs(training);
  cmd->add_flag("--json", args->json, "Print one JSON object {design, total, layers}");
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace accelscope::engine
