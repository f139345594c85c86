// How a running search shows its progress: a live bar on a terminal, periodic structured log
// lines (spdlog) otherwise, or JSON lines with --log-json.
#pragma once

#include <chrono>
#include <string>

#include "engine/study_runner.hpp"

namespace accelscope::engine {

// Sends spdlog's default logger (progress lines, warnings, notes) to stderr with one pattern, so
// stdout holds results only: `accelscope search > out.txt`, a pipe, or a Python program printing
// its own output. Idempotent (the command line and the Python module both call it).
void log_to_stderr();

class ProgressReporter {
 public:
  enum class Style { bar, log, json, quiet };
  // bar when stderr is a terminal, log otherwise; json when asked.
  static Style choose(bool log_json, bool quiet);

  ProgressReporter(Style style, std::string study_name, double log_interval_s = 5.0);
  void update(const Progress& progress);
  void finish(const RunResult& result);

 private:
  std::string line(const Progress& progress) const;

  Style style_;
  std::string study_name_;
  double log_interval_s_;
  std::chrono::steady_clock::time_point last_log_{};
  bool drew_bar_ = false;
};

}  // namespace accelscope::engine
