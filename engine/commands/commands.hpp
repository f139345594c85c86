// One function per subcommand of the `accelscope` tool; each registers itself on the app.
#pragma once

#include <cstdint>

#include <CLI/CLI.hpp>

#include "model/limits.hpp"

namespace accelscope::engine {

// Counts given on the command line, checked against the limits (README "Limits"): a usage error
// naming the option and the range instead of an overflow later.
inline CLI::Range threads_range() {
  return CLI::Range(0, model::limits::kMaxThreads, "THREADS");
}
inline CLI::Range batch_range() {
  return CLI::Range(std::int64_t{1}, model::limits::kMaxBatch, "BATCH");
}
inline CLI::Range budget_range() {
  return CLI::Range(std::int64_t{0}, model::limits::kMaxBudget, "BUDGET");
}
inline CLI::Range ask_batch_range() {
  return CLI::Range(std::int64_t{1}, model::limits::kMaxAskBatch, "DESIGNS");
}

void register_eval_command(CLI::App& app);
void register_bench_command(CLI::App& app);
void register_search_commands(CLI::App& app);  // search, resume
void register_studies_command(CLI::App& app);
void register_migrate_command(CLI::App& app);
void register_front_command(CLI::App& app);
void register_show_command(CLI::App& app);
void register_bench_search_command(CLI::App& app);
void register_bench_study_command(CLI::App& app);
void register_import_onnx_command(CLI::App& app);
void register_workloads_command(CLI::App& app);
void register_report_command(CLI::App& app);
void register_validate_command(CLI::App& app);
void register_serve_command(CLI::App& app);

}  // namespace accelscope::engine
