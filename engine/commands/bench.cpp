// accelscope bench [--designs N] [--json]: model speed in design points per second per core.
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <nlohmann/json.hpp>

#include "engine/commands/commands.hpp"
#include "engine/loaders.hpp"
#include "engine/version.hpp"
#include "model/evaluate.hpp"
#include "model/io/technology_io.hpp"
#include "model/training.hpp"

namespace accelscope::engine {

namespace {

struct BenchArgs {
  std::size_t designs = 20000;
  std::string inference_workload;
  std::string training_workload;
  std::int64_t training_batch = 32;
  bool json = false;
};

// Distinct designs: a mixed-radix walk over array shape, dataflow, buffer sizes and bandwidth.
std::vector<model::Accelerator> make_designs(const model::Accelerator& base, std::size_t count) {
  const int sides[] = {8, 16, 32, 64, 128, 256};
  const model::Dataflow dataflows[] = {model::Dataflow::output_stationary,
                                       model::Dataflow::weight_stationary,
                                       model::Dataflow::input_stationary};
  const double kib[] = {16, 32, 64, 128, 256, 512, 1024};
  const double gbps[] = {4, 8, 16, 32, 64, 128, 256};
  std::vector<model::Accelerator> designs;
  designs.reserve(count);
  for (std::size_t i = 0; designs.size() < count; ++i) {
    std::size_t code = i * 7919 + 13;  // a stride co-prime with the radices spreads the points
    auto pick = [&code](std::size_t radix) {
      const std::size_t digit = code % radix;
      code /= radix;
      return digit;
    };
    model::Accelerator a = base;
    a.array.rows = sides[pick(6)];
    a.array.cols = sides[pick(6)];
    a.array.dataflow = dataflows[pick(3)];
    a.sram[0].capacity_bytes = kib[pick(7)] * 1024;
    a.sram[1].capacity_bytes = kib[pick(7)] * 1024;
    a.sram[2].capacity_bytes = kib[pick(7)] * 1024;
    a.dram.shared = true;
    a.dram.shared_gbps = gbps[pick(7)];
    designs.push_back(a);
  }
  return designs;
}

struct Rate {
  double per_second = 0;
  double checksum = 0;  // keeps the work observable
};

template <typename F>
Rate measure(const std::vector<model::Accelerator>& designs, F&& evaluate_one) {
  const auto start = std::chrono::steady_clock::now();
  double checksum = 0;
  for (const model::Accelerator& a : designs) checksum += evaluate_one(a);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {static_cast<double>(designs.size()) / seconds, checksum};
}

void run_bench(const BenchArgs& args) {
  const std::string data = io::data_directory();
  const model::Accelerator base = load_hardware(data + "/hardware/edge_16x16_int8.json");
  const io::TechLibrary library = io::load_default_tech_library();
  const model::Technology tech = io::technology_at(library, base.tech_node_nm);
  const std::vector<model::Accelerator> designs = make_designs(base, args.designs);

  nlohmann::json result = {
      {"engine_version", kVersion},
      {"designs", designs.size()},
      {"threads_all_cores", tbb::info::default_concurrency()},
      // No cache across designs: "cold" costs identical groups of fused ops with the same
      // operand placement once per design (fusion is planned when the workload is prepared).
      {"cross_design_cache", false}};
  auto bench_workload = [&](const std::string& key, const std::string& path, bool training) {
    WorkloadOptions options;
    if (training) options.batch = args.training_batch;
    model::Network network = load_workload(path, options);
    if (training) network = model::derive_training(network);
    const model::PreparedNetwork prepared = model::prepare(network);
    model::EvalOptions totals_only;
    totals_only.per_op = false;
    // Cold: every design evaluated from scratch (identical layers of the network costed once).
    const Rate cold = measure(designs, [&](const model::Accelerator& a) {
      return model::evaluate_totals(a, prepared, tech, totals_only).all.total_cycles;
    });
    // Full report: every op costed and reported (what `eval` prints and a study stores for its
    // breakdowns), from the prepared network.
    const std::size_t full_count = std::max<std::size_t>(1, designs.size() / 10);
    const std::vector<model::Accelerator> some(
        designs.begin(), designs.begin() + static_cast<std::ptrdiff_t>(full_count));
    const Rate full = measure(some, [&](const model::Accelerator& a) {
      return model::evaluate(a, prepared, tech).total.all.total_cycles;
    });
    // All cores: the same cold evaluations spread over TBB's threads, as a search runs them.
    const auto parallel_start = std::chrono::steady_clock::now();
    std::vector<double> cycles(designs.size());
    tbb::parallel_for(std::size_t{0}, designs.size(), [&](std::size_t i) {
      cycles[i] = model::evaluate_totals(designs[i], prepared, tech, totals_only).all.total_cycles;
    });
    const double parallel_per_s =
        static_cast<double>(designs.size()) /
        std::chrono::duration<double>(std::chrono::steady_clock::now() - parallel_start).count();
    result[key + "_per_s_all_cores"] = parallel_per_s;
    result[key + "_per_s_per_core"] = cold.per_second;
    result[key + "_full_report_per_s_per_core"] = full.per_second;
    result[key + "_workload"] = path;
    result[key + "_ops"] = network.ops.size();
    const model::NetworkPlan& plan = prepared.plan_for(designs.front());
    result[key + "_groups"] = plan.groups.size();
    result[key + "_distinct_groups"] = plan.signatures;
    if (!args.json)
      fmt::print(
          "{:<19} {:>4} ops ({:>4} after fusion, {:>3} distinct): {:>8.0f} designs/s/core cold, "
          "{:>8.0f} with per-op report, {:>8.0f} designs/s on {} threads\n",
          key, network.ops.size(), plan.groups.size(), plan.signatures, cold.per_second,
          full.per_second, parallel_per_s, tbb::info::default_concurrency());
  };
  const std::string resnet50 = data + "/workloads/resnet50.json";
  bench_workload("resnet50_inference",
                 args.inference_workload.empty() ? resnet50 : args.inference_workload, false);
  bench_workload("resnet50_training",
                 args.training_workload.empty() ? resnet50 : args.training_workload, true);
  if (args.json) std::cout << result.dump(1) << "\n";
}

}  // namespace

void register_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure model speed: ResNet-50 design points evaluated per second per core");
  cmd->add_option("--designs", args->designs, "Number of distinct design points")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--inference-workload", args->inference_workload,
                  "Workload for the inference figure");
  cmd->add_option("--training-workload", args->training_workload,
                  "Workload for the training figure");
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->callback([args] { run_bench(*args); });
}

}  // namespace accelscope::engine
