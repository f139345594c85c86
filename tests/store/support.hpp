// Helpers shared by the store tests: unique temporary directories and sample studies.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace accelscope::store::testing {

// A fresh directory under the system temp dir, removed (with its contents) at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("accelscope-store-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    // Tests may leave it read-only; make it writable again so it can be removed.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Three objectives, one maximised, as a real search would have.
inline StudyConfig sample_config(const std::string& name = "study-a") {
  StudyConfig config;
  config.name = name;
  config.spec = {{"space", "edge"}, {"workloads", {"resnet50"}}, {"budget", 100}};
  config.strategy = "random";
  config.seed = 42;
  config.budget = 100;
  config.engine_version = "0.1.0-test";
  config.objectives = {{"latency_ms", Direction::minimize},
                       {"energy_mj", Direction::minimize},
                       {"throughput", Direction::maximize}};
  config.reference_point = {10.0, 5.0, 0.0};
  config.options = {{"population", 16}, {"shard", {{"index", 0}, {"count", 1}}}};
  return config;
}

inline std::vector<ProposedPoint> sample_points(int count, int offset = 0) {
  std::vector<ProposedPoint> points;
  for (int i = 0; i < count; ++i) {
    const int value = i + offset;
    points.push_back({{value, value % 3, 0.5 * value}, {{"rows", value}, {"dataflow", value % 3}}});
  }
  return points;
}

inline TrialResult sample_result(double latency, double energy, double throughput,
                                 bool feasible = true) {
  TrialResult result;
  result.metrics = {{"latency_ms", latency},
                    {"energy_mj", energy},
                    {"throughput", throughput},
                    {"area_mm2", 1.5}};
  result.feasible = feasible;
  if (!feasible) result.violations = {"area_mm2 > 1.0"};
  result.workloads = {{"resnet50", {{"latency_ms", latency}}}};
  return result;
}

}  // namespace accelscope::store::testing
