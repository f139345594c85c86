#include "engine/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace accelscope::engine {

void log_to_stderr() {
  constexpr const char* kName = "accelscope";
  std::shared_ptr<spdlog::logger> logger = spdlog::get(kName);
  if (!logger) logger = spdlog::stderr_color_mt(kName);
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
}

ProgressReporter::Style ProgressReporter::choose(bool log_json, bool quiet) {
  if (quiet) return Style::quiet;
  if (log_json) return Style::json;
  return isatty(STDERR_FILENO) ? Style::bar : Style::log;
}

ProgressReporter::ProgressReporter(Style style, std::string study_name, double log_interval_s)
    : style_(style), study_name_(std::move(study_name)), log_interval_s_(log_interval_s) {}

std::string ProgressReporter::line(const Progress& p) const {
  const double remaining = static_cast<double>(std::max<std::int64_t>(0, p.budget - p.done));
  const double eta_s = p.designs_per_s > 0 ? remaining / p.designs_per_s : 0;
  return fmt::format("{}/{} designs, {:.0f}/s, ETA {:.0f}s, front {}{}", p.done, p.budget,
                     p.designs_per_s, eta_s, p.front_size,
                     p.hypervolume ? fmt::format(", hypervolume {}{:.4g}",
                                                 p.hypervolume_estimated ? "~" : "", *p.hypervolume)
                                   : "");
}

void ProgressReporter::update(const Progress& p) {
  const auto now = std::chrono::steady_clock::now();
  switch (style_) {
    case Style::quiet:
      return;
    case Style::bar: {
      constexpr int kWidth = 30;
      const double fraction =
          p.budget > 0 ? std::min(1.0, static_cast<double>(p.done) / p.budget) : 0;
      const int filled = static_cast<int>(fraction * kWidth);
      fmt::print(stderr, "\r[{}{}] {:3.0f}% {}\x1b[K", std::string(filled, '#'),
                 std::string(kWidth - filled, '.'), fraction * 100, line(p));
      std::fflush(stderr);
      drew_bar_ = true;
      return;
    }
    case Style::log:
    case Style::json:
      if (std::chrono::duration<double>(now - last_log_).count() < log_interval_s_) return;
      last_log_ = now;
      if (style_ == Style::log) {
        spdlog::info("study {}: {}", study_name_, line(p));
      } else {
        nlohmann::json j = {{"event", "progress"},
                            {"study", study_name_},
                            {"done", p.done},
                            {"budget", p.budget},
                            {"failed", p.failed},
                            {"designs_per_s", p.designs_per_s},
                            {"front_size", p.front_size},
                            {"elapsed_s", p.elapsed_s}};
        if (p.hypervolume) j["hypervolume"] = *p.hypervolume;
        if (p.hypervolume_estimated) j["hypervolume_estimated"] = true;
        fmt::print(stderr, "{}\n", j.dump());
      }
      return;
  }
}

void ProgressReporter::finish(const RunResult& r) {
  if (drew_bar_) fmt::print(stderr, "\n");
  const std::string state = r.finished ? "done" : "stopped (resume with: accelscope resume)";
  switch (style_) {
    case Style::quiet:
      return;
    case Style::json: {
      nlohmann::json j = {{"event", r.finished ? "done" : "stopped"},
                          {"study", r.study_name},
                          {"study_id", r.study},
                          {"done", r.progress.done},
                          {"front_size", r.progress.front_size},
                          {"elapsed_s", r.progress.elapsed_s},
                          {"evaluated_here", r.progress.evaluated_here},
                          {"store_seconds", r.progress.store_seconds}};
      if (r.progress.hypervolume) j["hypervolume"] = *r.progress.hypervolume;
      fmt::print(stderr, "{}\n", j.dump());
      return;
    }
    default: {
      const Progress& p = r.progress;
      std::string summary =
          fmt::format("{} designs, {:.0f}/s, front {}", p.done, p.designs_per_s, p.front_size);
      if (p.hypervolume)
        summary += fmt::format(", hypervolume {}{:.4g}", p.hypervolume_estimated ? "~" : "",
                               *p.hypervolume);
      // A grid (or random) run skips designs that fail the space's cheap limits (area) unevaluated,
      // so a finished study can hold fewer designs than its budget: say why, not "ETA".
      if (r.finished && p.done < p.budget)
        summary += fmt::format(
            "; the space was used up before the budget of {}: designs over the area limit are "
            "skipped without evaluation",
            p.budget);
      else if (!r.finished)
        summary += fmt::format(" of a budget of {}", p.budget);
      spdlog::info("study {} (id {}) {}: {}", r.study_name, r.study, state, summary);
    }
  }
}

}  // namespace accelscope::engine
