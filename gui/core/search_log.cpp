#include "gui/core/search_log.hpp"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "gui/core/study_data.hpp"

namespace accelscope::gui {

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

std::optional<double> number(const nlohmann::json& event, const char* key) {
  const auto found = event.find(key);
  if (found == event.end() || !found->is_number()) return std::nullopt;
  return found->get<double>();
}

std::string whole(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}

std::string seconds(double value) {
  if (value < 120) return whole(value) + " s";
  if (value < 7200) return whole(value / 60) + " min";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f h", value / 3600);
  return text;
}

// ", front 23, hypervolume 0.512" (~ before an estimate).
std::string front_part(const nlohmann::json& event) {
  std::string text;
  if (auto front = number(event, "front_size")) text += ", front " + whole(*front);
  if (auto hypervolume = number(event, "hypervolume")) {
    const bool estimated = event.value("hypervolume_estimated", false);
    text += ", hypervolume " + std::string(estimated ? "~" : "") + format_number(*hypervolume);
  }
  return text;
}

std::string format_event(const nlohmann::json& event) {
  const std::string kind = event.value("event", std::string());
  const std::string study = event.contains("study") && event["study"].is_string()
                                ? event["study"].get<std::string>() + ": "
                                : std::string();
  const std::optional<double> done = number(event, "done");
  if (kind == "progress" && done) {
    std::string text = study + whole(*done);
    const std::optional<double> budget = number(event, "budget");
    if (budget && *budget > 0) {
      text += "/" + whole(*budget) + " designs (" + whole(100 * *done / *budget) + "%)";
    } else {
      text += " designs";
    }
    if (auto rate = number(event, "designs_per_s"); rate && *rate > 0) {
      text += ", " + (*rate >= 100 ? whole(*rate) : format_number(*rate, 3)) + " designs/s";
      if (budget && *budget > *done) text += ", ETA " + seconds((*budget - *done) / *rate);
    }
    if (auto failed = number(event, "failed"); failed && *failed > 0)
      text += ", " + whole(*failed) + " failed";
    return text + front_part(event);
  }
  if ((kind == "done" || kind == "stopped") && done) {
    std::string text = study + (kind == "done" ? "finished, " : "stopped (resumable), ") +
                       whole(*done) + " designs";
    if (auto elapsed = number(event, "elapsed_s")) text += " in " + seconds(*elapsed);
    return text + front_part(event);
  }
  // Another event: its fields as name=value, in the order written.
  std::string text = kind.empty() ? std::string() : kind + ":";
  for (const auto& [key, value] : event.items()) {
    if (key == "event") continue;
    text += (text.empty() ? "" : " ") + key + "=" +
            (value.is_string()   ? value.get<std::string>()
             : value.is_number() ? format_number(value.get<double>())
                                 : value.dump());
  }
  return text;
}

}  // namespace

std::optional<std::string> format_search_log_line(std::string_view line) {
  line = trimmed(line);
  if (line.empty()) return std::nullopt;
  if (line.front() == '{') {
    const nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object()) return format_event(event);
  }
  return std::string(line);
}

std::vector<std::string> LineSplitter::add(std::string_view chunk) {
  std::vector<std::string> lines;
  pending_ += chunk;
  std::size_t start = 0;
  for (std::size_t end = pending_.find('\n'); end != std::string::npos;
       end = pending_.find('\n', start)) {
    std::string line = pending_.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  pending_.erase(0, start);
  return lines;
}

std::string LineSplitter::rest() {
  std::string rest = std::move(pending_);
  pending_.clear();
  return rest;
}

}  // namespace accelscope::gui
