#include "gui/core/cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

namespace accelscope::gui {

namespace {

bool is_executable_file(const std::filesystem::path& path) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(path, ignored) && ::access(path.c_str(), X_OK) == 0;
}

bool is_space_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return false;
  const nlohmann::json document = nlohmann::json::parse(in, nullptr, false);
  return document.is_object() && document.contains("parameters");
}

}  // namespace

std::optional<std::filesystem::path> locate_cli(const std::filesystem::path& app_dir,
                                                std::string_view path_variable,
                                                std::string_view override_path) {
  if (!override_path.empty()) {
    const std::filesystem::path path(override_path);
    if (is_executable_file(path)) return path;
  }
  for (const std::filesystem::path& candidate :
       {app_dir / "accelscope", app_dir / ".." / "engine" / "accelscope",
        app_dir / ".." / "bin" / "accelscope"}) {
    if (is_executable_file(candidate)) return candidate.lexically_normal();
  }
  std::size_t start = 0;
  while (start <= path_variable.size()) {
    const std::size_t end = std::min(path_variable.find(':', start), path_variable.size());
    const std::string_view entry = path_variable.substr(start, end - start);
    if (!entry.empty()) {
      const std::filesystem::path candidate = std::filesystem::path(entry) / "accelscope";
      if (is_executable_file(candidate)) return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string> search_arguments(const SearchRequest& request) {
  std::vector<std::string> args = {
      "search",     request.space.string(), "--db",     request.database.string(),
      "--strategy", request.strategy,       "--budget", std::to_string(request.budget)};
  if (request.seed) args.insert(args.end(), {"--seed", std::to_string(*request.seed)});
  if (request.threads) args.insert(args.end(), {"--threads", std::to_string(*request.threads)});
  if (!request.study.empty()) args.insert(args.end(), {"--study", request.study});
  return args;
}

std::string default_study_name(const std::filesystem::path& space, std::string_view strategy,
                               std::int64_t seed) {
  std::string name = space.stem().string();
  if (std::ifstream in{space}) {
    const nlohmann::json document = nlohmann::json::parse(in, nullptr, false);
    if (document.is_object() && document.contains("name") && document["name"].is_string()) {
      name = document["name"].get<std::string>();
    }
  }
  if (name.empty()) name = "study";
  return name + "-" + std::string(strategy) + "-s" + std::to_string(seed);
}

ReportFormat report_format_for(const std::filesystem::path& output) {
  std::string extension = output.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".pdf" ? ReportFormat::pdf : ReportFormat::html;
}

std::vector<std::string> report_arguments(const std::filesystem::path& database,
                                          std::int64_t study_id, ReportFormat format,
                                          const std::filesystem::path& output) {
  return {"report",
          "--db",
          database.string(),
          "--study",
          std::to_string(study_id),
          "--format",
          format == ReportFormat::pdf ? "pdf" : "html",
          "-o",
          output.string()};
}

std::vector<std::filesystem::path> find_space_files(
    const std::vector<std::filesystem::path>& directories) {
  std::set<std::filesystem::path> found;
  std::error_code error;
  auto scan = [&](const std::filesystem::path& directory) {
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
      if (entry.is_regular_file(error) && entry.path().extension() == ".json" &&
          is_space_file(entry.path())) {
        found.insert(std::filesystem::weakly_canonical(entry.path(), error));
      }
    }
  };
  for (const std::filesystem::path& directory : directories) {
    if (!std::filesystem::is_directory(directory, error)) continue;
    scan(directory);
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
      if (entry.is_directory(error)) scan(entry.path());
    }
  }
  return {found.begin(), found.end()};
}

}  // namespace accelscope::gui
