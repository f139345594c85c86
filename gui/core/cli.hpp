// How the viewer talks to the `accelscope` command-line tool: where to find it and the argument
// lists of `accelscope search` and `accelscope report`. Plain C++ so the contract is unit-tested.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accelscope::gui {

// The CLI, first found of: `override_path` (the ACCELSCOPE_CLI variable) if it names a file; next
// to the viewer (`app_dir`/accelscope); the build tree's engine directory
// (`app_dir`/../engine/accelscope); an install prefix (`app_dir`/../bin); then each PATH entry.
std::optional<std::filesystem::path> locate_cli(const std::filesystem::path& app_dir,
                                                std::string_view path_variable,
                                                std::string_view override_path = {});

inline const std::vector<std::string>& search_strategies() {
  static const std::vector<std::string> strategies = {"nsga2", "random", "grid",
                                                      "bayes", "turbo",  "nsga3"};
  return strategies;
}

struct SearchRequest {
  std::filesystem::path space;
  std::filesystem::path database;
  std::string strategy = "nsga2";
  std::int64_t budget = 200;
  std::optional<std::int64_t> seed;
  std::optional<int> threads;
  std::string study;  // empty: the CLI's default name
};

// `search SPACE --db FILE --strategy S --budget N [--seed S] [--threads T] [--study NAME]`
std::vector<std::string> search_arguments(const SearchRequest& request);

// The name `accelscope search` gives a study when --study is not set:
// "<space name>-<strategy>-s<seed>", the space name being the spec's "name" (else the file stem).
std::string default_study_name(const std::filesystem::path& space, std::string_view strategy,
                               std::int64_t seed);

enum class ReportFormat { html, pdf };
// From the output file's extension (.pdf -> pdf, anything else html).
ReportFormat report_format_for(const std::filesystem::path& output);
// `report --db F --study ID --format html|pdf -o OUT`
std::vector<std::string> report_arguments(const std::filesystem::path& database,
                                          std::int64_t study_id, ReportFormat format,
                                          const std::filesystem::path& output);

// Design-space files (JSON objects with a "parameters" member) in the given directories and
// their immediate subdirectories, sorted by path.
std::vector<std::filesystem::path> find_space_files(
    const std::vector<std::filesystem::path>& directories);

}  // namespace accelscope::gui
