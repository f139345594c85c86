#include "gui/core/study_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace accelscope::gui {

namespace {

constexpr std::string_view kMetricPrefix = "metric:";
constexpr std::string_view kParamPrefix = "param:";
// finished_at is stamped by each writer at commit; a trial committed just after one we saw may
// carry a slightly earlier stamp, so each poll looks back this far (and the count check in
// refresh() catches anything older).
constexpr double kRefreshMarginSeconds = 2.0;

// Flattens nested objects into dot paths; calls visit(path, value) for every leaf.
template <typename Visit>
void flatten(const nlohmann::json& node, const std::string& prefix, Visit&& visit) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), visit);
    }
    return;
  }
  if (!prefix.empty()) visit(prefix, node);
}

std::vector<std::string> string_list(const nlohmann::json& node) {
  std::vector<std::string> out;
  if (!node.is_array()) return out;
  for (const auto& item : node)
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

Design design_from(const store::Trial& trial) {
  Design design;
  design.id = trial.id;
  design.seq = trial.seq;
  design.batch = trial.batch;
  design.feasible = trial.feasible.value_or(true);
  design.on_front = trial.on_front;
  design.eval_seconds = trial.eval_seconds;
  design.finished_at = trial.finished_at;
  design.violations = string_list(trial.violations);
  flatten(trial.metrics, "", [&](const std::string& name, const nlohmann::json& value) {
    if (value.is_number()) {
      const double number = value.get<double>();
      if (std::isfinite(number)) design.metrics.emplace(name, number);
    } else if (value.is_boolean()) {
      design.metrics.emplace(name, value.get<bool>() ? 1.0 : 0.0);
    }
  });
  flatten(trial.params, "", [&](const std::string& name, const nlohmann::json& value) {
    if (value.is_number()) {
      design.params.emplace(name, value.get<double>());
    } else if (value.is_boolean()) {
      design.params.emplace(name, value.get<bool>() ? 1.0 : 0.0);
    } else if (value.is_string()) {
      design.params.emplace(name, value.get<std::string>());
    } else if (!value.is_null()) {
      design.params.emplace(name, value.dump());
    }
  });
  return design;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string FieldId::key() const {
  return std::string(kind == FieldKind::metric ? kMetricPrefix : kParamPrefix) + name;
}

std::optional<FieldId> FieldId::from_key(std::string_view key) {
  if (key.starts_with(kMetricPrefix)) {
    return FieldId{FieldKind::metric, std::string(key.substr(kMetricPrefix.size()))};
  }
  if (key.starts_with(kParamPrefix)) {
    return FieldId{FieldKind::param, std::string(key.substr(kParamPrefix.size()))};
  }
  return std::nullopt;
}

std::string FieldId::label() const {
  return kind == FieldKind::metric ? name : name + " (param)";
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == std::floor(value) && std::fabs(value) < 1e9) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  const double magnitude = std::fabs(value);
  char buffer[48];
  if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e7)) {
    std::snprintf(buffer, sizeof buffer, "%.*e", significant - 1, value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*g", significant, value);
  }
  return buffer;
}

std::optional<double> Design::value(const FieldId& field) const {
  if (field.kind == FieldKind::metric) {
    const auto it = metrics.find(field.name);
    if (it == metrics.end()) return std::nullopt;
    return it->second;
  }
  const auto it = params.find(field.name);
  if (it == params.end()) return std::nullopt;
  if (const double* number = std::get_if<double>(&it->second)) return *number;
  return std::nullopt;
}

std::optional<std::string> Design::text(const FieldId& field) const {
  if (field.kind == FieldKind::param) {
    const auto it = params.find(field.name);
    if (it == params.end()) return std::nullopt;
    if (const std::string* category = std::get_if<std::string>(&it->second)) return *category;
  }
  const std::optional<double> number = value(field);
  if (!number) return std::nullopt;
  return format_number(*number);
}

StudyData StudyData::load(store::Database& db, store::StudyId study) {
  StudyData data;
  store::StudyInfo info = db.study(study);
  data.reset(std::move(info), db.trials(study));
  return data;
}

StudyData StudyData::from_trials(store::StudyInfo info, const std::vector<store::Trial>& trials) {
  StudyData data;
  data.reset(std::move(info), trials);
  return data;
}

void StudyData::reset(store::StudyInfo info, const std::vector<store::Trial>& trials) {
  info_ = std::move(info);
  designs_.clear();
  index_.clear();
  failed_.clear();
  stats_.clear();
  noted_ = 0;
  workload_names_.clear();
  last_finished_at_ = 0;
  for (const store::Trial& trial : trials) merge(trial);
  rebuild_fields();
}

bool StudyData::merge(const store::Trial& trial) {
  if (trial.finished_at) last_finished_at_ = std::max(last_finished_at_, *trial.finished_at);
  if (trial.status == store::TrialStatus::failed) return failed_.insert(trial.id).second;
  if (trial.status != store::TrialStatus::done) return false;
  if (index_.contains(trial.id)) return false;
  index_.emplace(trial.id, designs_.size());
  designs_.push_back(design_from(trial));
  // Per-workload metrics are "<workload>.<metric>": knowing the names groups them.
  if (trial.workloads.is_object()) {
    for (auto it = trial.workloads.begin(); it != trial.workloads.end(); ++it) {
      if (std::find(workload_names_.begin(), workload_names_.end(), it.key()) ==
          workload_names_.end()) {
        workload_names_.push_back(it.key());
      }
    }
  }
  return true;
}

RefreshResult StudyData::refresh(store::Database& db) {
  RefreshResult result;
  store::StudyInfo info = db.study(info_.id);
  const bool same = info.updated_at == info_.updated_at && info.counts == info_.counts &&
                    info.status == info_.status && info.budget == info_.budget;
  if (same) return result;
  result.changed = true;

  store::TrialFilter since;
  since.finished_since = last_finished_at_ - kRefreshMarginSeconds;
  const std::size_t known_before = designs_.size();
  for (const store::Trial& trial : db.trials(info_.id, since)) {
    if (merge(trial)) ++result.added;
  }
  // Front membership of older designs changes as new ones dominate them.
  std::unordered_set<store::TrialId> front_ids;
  for (const store::Trial& member : db.front(info_.id)) front_ids.insert(member.id);
  for (Design& design : designs_) design.on_front = front_ids.contains(design.id);

  const auto known = static_cast<std::int64_t>(designs_.size() + failed_.size());
  if (known < info.counts.finished()) {
    // Something finished that the window did not catch (e.g. a clock far behind): re-read all.
    reset(info, db.trials(info.id));
    result.reloaded = true;
    result.added = designs_.size() > known_before ? designs_.size() - known_before : 0;
    return result;
  }
  info_ = std::move(info);
  if (result.added > 0) rebuild_fields();
  return result;
}

void StudyData::rebuild_fields() {
  // Only designs added since the last call are scanned: a live study grows by a few designs per
  // poll while holding tens of thousands.
  auto note = [&](const FieldId& id, const double* number, const std::string* text) {
    auto [it, inserted] = stats_.try_emplace(id);
    FieldStats& stats = it->second;
    if (inserted) stats.field.id = id;
    ++stats.field.count;
    if (number) {
      if (stats.numbers.size() <= Field::kMaxDistinct) stats.numbers.insert(*number);
      stats.field.min = std::isnan(stats.field.min) ? *number : std::min(stats.field.min, *number);
      stats.field.max = std::isnan(stats.field.max) ? *number : std::max(stats.field.max, *number);
    } else if (text) {
      stats.field.numeric = false;
      stats.texts.insert(*text);
    }
  };
  for (; noted_ < designs_.size(); ++noted_) {
    const Design& design = designs_[noted_];
    for (const auto& [name, number] : design.metrics) note(metric(name), &number, nullptr);
    for (const auto& [name, value] : design.params) {
      if (const double* number = std::get_if<double>(&value)) {
        note(param(name), number, nullptr);
      } else {
        note(param(name), nullptr, &std::get<std::string>(value));
      }
    }
  }
  fields_.clear();
  for (const auto& [id, stats] : stats_) {
    Field field = stats.field;
    if (!field.numeric) {
      // A field mixing numbers and texts is treated as categorical throughout.
      std::set<std::string> texts = stats.texts;
      for (double number : stats.numbers) texts.insert(format_number(number));
      field.categories.assign(texts.begin(), texts.end());
      field.min = field.max = std::numeric_limits<double>::quiet_NaN();
    } else if (stats.numbers.size() <= Field::kMaxDistinct) {
      field.distinct.assign(stats.numbers.begin(), stats.numbers.end());
    }
    fields_.push_back(std::move(field));
  }
}

const Field* StudyData::field(const FieldId& id) const {
  const auto it = std::find_if(fields_.begin(), fields_.end(),
                               [&](const Field& field) { return field.id == id; });
  return it == fields_.end() ? nullptr : &*it;
}

std::optional<FieldId> StudyData::resolve(std::string_view name) const {
  if (auto id = FieldId::from_key(name); id && field(*id)) return id;
  for (FieldKind kind : {FieldKind::metric, FieldKind::param}) {
    FieldId id{kind, std::string(name)};
    if (field(id)) return id;
  }
  return std::nullopt;
}

std::optional<std::size_t> StudyData::index_of(store::TrialId trial) const {
  const auto it = index_.find(trial);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::size_t StudyData::front_count() const {
  return static_cast<std::size_t>(
      std::count_if(designs_.begin(), designs_.end(), [](const Design& d) { return d.on_front; }));
}

std::optional<store::Direction> StudyData::objective_direction(const FieldId& field) const {
  if (field.kind != FieldKind::metric) return std::nullopt;
  for (const store::Objective& objective : info_.objectives) {
    if (objective.name == field.name) return objective.direction;
  }
  return std::nullopt;
}

store::Direction StudyData::default_direction(const FieldId& field) const {
  if (auto direction = objective_direction(field)) return *direction;
  const std::string_view name = field.name;
  for (std::string_view larger_is_better :
       {"throughput", "tops", "utilization", "utilisation", "per_s", "efficiency"}) {
    if (contains(name, larger_is_better)) return store::Direction::maximize;
  }
  return store::Direction::minimize;
}

bool StudyData::is_per_workload_metric(std::string_view name) const {
  return std::any_of(workload_names_.begin(), workload_names_.end(), [&](const std::string& w) {
    return name.size() > w.size() && name.starts_with(w) && name[w.size()] == '.';
  });
}

std::vector<FieldId> StudyData::ordered_fields(bool numeric_only) const {
  std::vector<FieldId> objectives, design_level, per_workload, params;
  for (const store::Objective& objective : info_.objectives) {
    if (field(metric(objective.name))) objectives.push_back(metric(objective.name));
  }
  for (const Field& f : fields_) {
    if (numeric_only && !f.numeric) continue;
    if (f.id.kind == FieldKind::param) {
      params.push_back(f.id);
    } else if (!objective_direction(f.id)) {
      (is_per_workload_metric(f.id.name) ? per_workload : design_level).push_back(f.id);
    }
  }
  std::vector<FieldId> out = objectives;
  for (auto* group : {&design_level, &params, &per_workload}) {
    out.insert(out.end(), group->begin(), group->end());
  }
  return out;
}

std::vector<FieldId> StudyData::varying_params() const {
  std::vector<FieldId> out;
  for (const Field& f : fields_) {
    if (f.id.kind == FieldKind::param && f.varies()) out.push_back(f.id);
  }
  return out;
}

std::string StudyData::tooltip(std::size_t index, const std::vector<FieldId>& extra) const {
  if (index >= designs_.size()) return {};
  const Design& design = designs_[index];
  std::string text = "design #" + std::to_string(design.seq);
  if (design.on_front) text += "  (study front)";
  if (!design.feasible) text += "  (infeasible)";
  std::vector<FieldId> shown;
  auto add = [&](const FieldId& id) {
    if (std::find(shown.begin(), shown.end(), id) != shown.end()) return;
    const std::optional<std::string> value = design.text(id);
    if (!value) return;
    shown.push_back(id);
    text += "\n" + id.name + " = " + *value;
  };
  const std::vector<FieldId> params = varying_params();
  for (std::size_t i = 0; i < params.size() && i < 10; ++i) add(params[i]);
  for (const FieldId& id : extra) add(id);
  for (const store::Objective& objective : info_.objectives) add(metric(objective.name));
  for (const char* name : {"area_mm2", "power_w", "latency_ms", "energy_mj"}) add(metric(name));
  for (const std::string& violation : design.violations) text += "\nviolates " + violation;
  return text;
}

}  // namespace accelscope::gui
