// accelscope: design-space exploration for DNN accelerators. One subcommand per file in
// engine/commands/.
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "engine/commands/commands.hpp"
#include "engine/mpi_evaluator.hpp"
#include "engine/progress.hpp"
#include "engine/study_lookup.hpp"
#include "engine/version.hpp"

namespace {

// Errors are one line on stderr: control characters (a newline in a file's field name, say) are
// escaped, and a message is cut at 2000 characters.
std::string one_line(std::string_view message) {
  constexpr std::size_t kMaxChars = 2000;
  std::string out;
  for (const char c : message.substr(0, kMaxChars)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += c == '\n' ? std::string("\\n") : std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (message.size() > kMaxChars) out += "...";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  accelscope::engine::log_to_stderr();
  // Under mpirun or srun, rank 0 runs the command and the other ranks evaluate what it sends.
  std::optional<accelscope::engine::mpi::Session> mpi_session;
  try {
    mpi_session.emplace(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "accelscope: error: " << one_line(e.what()) << "\n";
    return 2;
  }
  if (mpi_session->rank() > 0) return mpi_session->serve();
  CLI::App app{"accelscope " + std::string(accelscope::engine::kVersion) +
               ": design-space exploration for DNN accelerators"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(accelscope::engine::kVersion));
  accelscope::engine::register_eval_command(app);
  accelscope::engine::register_bench_command(app);
  accelscope::engine::register_search_commands(app);
  accelscope::engine::register_studies_command(app);
  accelscope::engine::register_migrate_command(app);
  accelscope::engine::register_front_command(app);
  accelscope::engine::register_show_command(app);
  accelscope::engine::register_bench_search_command(app);
  accelscope::engine::register_bench_study_command(app);
  accelscope::engine::register_import_onnx_command(app);
  accelscope::engine::register_workloads_command(app);
  accelscope::engine::register_report_command(app);
  accelscope::engine::register_validate_command(app);
  accelscope::engine::register_serve_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "accelscope: usage error: " << one_line(e.what()) << " (see --help)\n";
    return 2;
  } catch (const accelscope::engine::Interrupted& e) {
    std::cerr << "accelscope: " << one_line(e.what()) << "\n";
    return 130;
  } catch (const std::exception& e) {
    std::cerr << "accelscope: error: " << one_line(e.what()) << "\n";
    return 1;
  }
  return 0;
}
