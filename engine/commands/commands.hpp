// One function per subcommand of the `accelscope` tool; each registers itself on the app.
#pragma once

#include <CLI/CLI.hpp>

namespace accelscope::engine {

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

}  // namespace accelscope::engine
