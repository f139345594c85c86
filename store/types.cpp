#include "store/types.hpp"

#include <array>
#include <string>
#include <utility>

#include "store/error.hpp"

namespace accelscope::store {

namespace {

template <class Enum, std::size_t N>
Enum parse_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                std::string_view text, std::string_view what) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  std::string known;
  for (const auto& [value, name] : names) known.append(known.empty() ? "" : ", ").append(name);
  throw StoreError(
      ErrorKind::invalid_argument,
      "unknown " + std::string(what) + " '" + std::string(text) + "' (expected " + known + ")");
}

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<StudyStatus, std::string_view>, 4> kStudyStatuses = {{
    {StudyStatus::running, "running"},
    {StudyStatus::paused, "paused"},
    {StudyStatus::done, "done"},
    {StudyStatus::failed, "failed"},
}};

constexpr std::array<std::pair<TrialStatus, std::string_view>, 4> kTrialStatuses = {{
    {TrialStatus::pending, "pending"},
    {TrialStatus::running, "running"},
    {TrialStatus::done, "done"},
    {TrialStatus::failed, "failed"},
}};

constexpr std::array<std::pair<Direction, std::string_view>, 2> kDirections = {{
    {Direction::minimize, "minimize"},
    {Direction::maximize, "maximize"},
}};

}  // namespace

std::string_view to_string(StudyStatus status) {
  return name_of(kStudyStatuses, status);
}
std::string_view to_string(TrialStatus status) {
  return name_of(kTrialStatuses, status);
}
std::string_view to_string(Direction direction) {
  return name_of(kDirections, direction);
}

StudyStatus parse_study_status(std::string_view text) {
  return parse_name(kStudyStatuses, text, "study status");
}
TrialStatus parse_trial_status(std::string_view text) {
  return parse_name(kTrialStatuses, text, "trial status");
}
Direction parse_direction(std::string_view text) {
  return parse_name(kDirections, text, "objective direction");
}

}  // namespace accelscope::store
