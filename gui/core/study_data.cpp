#include "gui/core/study_data.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <new>
#include <set>

namespace accelscope::gui {

namespace {

constexpr std::string_view kMetricPrefix = "metric:";
constexpr std::string_view kParamPrefix = "param:";
// finished_at is stamped by each writer at commit; a trial committed just after one we saw may
// carry a slightly earlier stamp, so each poll looks back this far (and the count check in
// refresh() catches anything older).
constexpr double kRefreshMarginSeconds = 2.0;

std::vector<std::string> string_list(const nlohmann::json& node) {
  std::vector<std::string> out;
  if (!node.is_array()) return out;
  for (const auto& item : node)
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
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

std::size_t DesignColumns::column(const FieldId& field) {
  const auto found = column_of.find(field);
  if (found != column_of.end()) return found->second;
  const std::size_t index = fields.size();
  fields.push_back(field);
  column_of.emplace(field, index);
  numbers.emplace_back(capacity, std::numeric_limits<double>::quiet_NaN());
  texts.emplace_back();
  return index;
}

const TextColumn* DesignColumns::texts_of(std::size_t column) const {
  return texts[column].empty() ? nullptr : &texts[column];
}

std::int32_t DesignColumns::text_at(std::size_t column, std::size_t row) const {
  return texts[column].empty() ? -1 : texts[column][row];
}

TextColumn& DesignColumns::texts_for_writing(std::size_t column) {
  if (texts[column].empty()) texts[column].resize(capacity, -1);
  return texts[column];
}

void* allocate_column_bytes(std::size_t bytes) {
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  if (bytes < kHugePage) {
    void* pointer = std::malloc(std::max<std::size_t>(bytes, 1));
    if (!pointer) throw std::bad_alloc();
    return pointer;
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* pointer = std::aligned_alloc(kHugePage, rounded);
  if (!pointer) throw std::bad_alloc();
  madvise(pointer, rounded, MADV_HUGEPAGE);  // a hint: without huge pages it still works
  return pointer;
}

void free_column_bytes(void* pointer, std::size_t) noexcept {
  std::free(pointer);
}

const NumberColumn* DesignColumns::numbers_of(const FieldId& field) const {
  const auto found = column_of.find(field);
  return found == column_of.end() ? nullptr : &numbers[found->second];
}

void DesignColumns::reserve(std::size_t rows_expected) {
  if (rows_expected <= capacity) return;
  // Columns are allocated and filled with "missing" in one go: a million designs then cost one
  // sequential pass per column instead of a million appends to each.
  capacity = rows_expected;
  for (auto& column : numbers) column.resize(capacity, std::numeric_limits<double>::quiet_NaN());
  for (auto& column : texts)
    if (!column.empty()) column.resize(capacity, -1);
}

void DesignColumns::add_row() {
  if (rows == capacity) reserve(std::max<std::size_t>(1024, capacity * 2));
  ++rows;
}

std::optional<double> Design::value(const FieldId& field) const {
  if (!columns) return std::nullopt;
  const NumberColumn* numbers = columns->numbers_of(field);
  if (!numbers || row >= numbers->size() || std::isnan((*numbers)[row])) return std::nullopt;
  return (*numbers)[row];
}

std::optional<std::string> Design::text(const FieldId& field) const {
  if (field.kind == FieldKind::param && columns) {
    const auto found = columns->column_of.find(field);
    if (found != columns->column_of.end()) {
      const std::int32_t text = columns->text_at(found->second, row);
      if (text >= 0) return columns->text_values[static_cast<std::size_t>(text)];
    }
  }
  const std::optional<double> number = value(field);
  if (!number) return std::nullopt;
  return format_number(*number);
}

std::map<std::string, double, std::less<>> Design::metrics() const {
  std::map<std::string, double, std::less<>> out;
  if (!columns) return out;
  for (std::size_t c = 0; c < columns->fields.size(); ++c)
    if (columns->fields[c].kind == FieldKind::metric && !std::isnan(columns->numbers[c][row]))
      out.emplace(columns->fields[c].name, columns->numbers[c][row]);
  return out;
}

std::map<std::string, ParamValue, std::less<>> Design::params() const {
  std::map<std::string, ParamValue, std::less<>> out;
  if (!columns) return out;
  for (std::size_t c = 0; c < columns->fields.size(); ++c) {
    if (columns->fields[c].kind != FieldKind::param) continue;
    if (const std::int32_t text = columns->text_at(c, row); text >= 0)
      out.emplace(columns->fields[c].name, columns->text_values[static_cast<std::size_t>(text)]);
    else if (!std::isnan(columns->numbers[c][row]))
      out.emplace(columns->fields[c].name, columns->numbers[c][row]);
  }
  return out;
}

std::vector<std::string> Design::violations() const {
  if (violations_text < 0 || !columns) return {};
  return string_list(nlohmann::json::parse(
      columns->violation_texts[static_cast<std::size_t>(violations_text)], nullptr, false));
}

StudyData StudyData::load(store::Database& db, store::StudyId study, std::stop_token stop) {
  StudyData data;
  data.reset(db.study(study));
  const auto done = static_cast<std::size_t>(std::max<std::int64_t>(0, data.info_.counts.done));
  data.designs_.reserve(done);
  data.index_.reserve(done);
  data.columns_->reserve(done);
  data.merge_scan(db, store::TrialFilter{}, stop);
  data.rebuild_fields();
  return data;
}

StudyData StudyData::load_preview(store::Database& db, store::StudyId study,
                                  std::size_t sample_designs) {
  StudyData data;
  data.reset(db.study(study));
  data.complete_ = false;
  const auto done = std::max<std::int64_t>(0, data.info_.counts.done);
  const auto wanted = std::max<std::int64_t>(1, static_cast<std::int64_t>(sample_designs));
  const std::int64_t every = std::max<std::int64_t>(1, done / wanted);
  // The sample and a front of a few thousand designs (the columns grow if it is larger).
  const auto expected = static_cast<std::size_t>(done / every + 4096);
  data.designs_.reserve(expected);
  data.index_.reserve(expected);
  data.columns_->reserve(expected);
  store::TrialFilter on_front;
  on_front.status = store::TrialStatus::done;
  on_front.front_only = true;
  data.merge_scan(db, on_front);
  store::TrialFilter sample;
  sample.status = store::TrialStatus::done;
  sample.off_front_only = true;
  sample.every = every;
  data.merge_scan(db, sample);
  data.rebuild_fields();
  return data;
}

void StudyData::reset(store::StudyInfo info) {
  info_ = std::move(info);
  columns_ = std::make_unique<DesignColumns>();
  designs_.clear();
  index_.clear();
  failed_.clear();
  stats_.clear();
  noted_ = 0;
  workload_names_.clear();
  last_finished_at_ = 0;
  complete_ = true;
}

void StudyData::note_finished(const std::optional<double>& finished_at) {
  if (finished_at) last_finished_at_ = std::max(last_finished_at_, *finished_at);
}

std::size_t StudyData::merge_scan(store::Database& db, const store::TrialFilter& filter,
                                  const std::stop_token& stop) {
  DesignColumns& columns = *columns_;
  store::ScanKeys keys;
  // Scan indices -> columns (and text values), extended as the scan meets new names.
  std::vector<std::size_t> metric_columns, param_columns;
  std::vector<std::int32_t> texts;
  auto map_keys = [&] {
    for (std::size_t i = metric_columns.size(); i < keys.metrics.size(); ++i)
      metric_columns.push_back(columns.column(metric(keys.metrics[i])));
    for (std::size_t i = param_columns.size(); i < keys.params.size(); ++i)
      param_columns.push_back(columns.column(param(keys.params[i])));
    for (std::size_t i = texts.size(); i < keys.texts.size(); ++i) {
      const auto found =
          std::find(columns.text_values.begin(), columns.text_values.end(), keys.texts[i]);
      if (found == columns.text_values.end()) {
        texts.push_back(static_cast<std::int32_t>(columns.text_values.size()));
        columns.text_values.push_back(keys.texts[i]);
      } else {
        texts.push_back(static_cast<std::int32_t>(found - columns.text_values.begin()));
      }
    }
  };
  // Rows arrive one at a time but the columns are separate arrays: writing each value straight
  // into its column touches ~50 arrays per row (a cache miss each). Rows are gathered in a small
  // row-major block (consecutive rows, the columns known when it started) and copied column by
  // column instead.
  constexpr std::size_t kBlockRows = 2048;
  constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  std::size_t width = 0, block_rows = 0, first_row = 0;
  std::vector<double> block_numbers;
  std::vector<std::int32_t> block_texts;
  auto flush = [&] {
    for (std::size_t c = 0; c < width; ++c) {
      double* numbers = columns.numbers[c].data() + first_row;
      for (std::size_t r = 0; r < block_rows; ++r) numbers[r] = block_numbers[r * width + c];
      if (columns.fields[c].kind != FieldKind::param) continue;
      bool any_text = !columns.texts[c].empty();
      for (std::size_t r = 0; r < block_rows && !any_text; ++r)
        any_text = block_texts[r * width + c] >= 0;
      if (!any_text) continue;
      std::int32_t* texts_of = columns.texts_for_writing(c).data() + first_row;
      for (std::size_t r = 0; r < block_rows; ++r) texts_of[r] = block_texts[r * width + c];
    }
    block_rows = 0;
  };
  // Violation lists repeat ("buffers: 3 ops do not fit on chip"): each distinct one kept once.
  std::map<std::string, std::int32_t, std::less<>> violation_of;
  for (std::size_t i = 0; i < columns.violation_texts.size(); ++i)
    violation_of.emplace(columns.violation_texts[i], static_cast<std::int32_t>(i));
  auto violation_index = [&](std::string_view text) -> std::int32_t {
    if (text.empty() || text == "[]") return -1;
    const auto found = violation_of.find(text);
    if (found != violation_of.end()) return found->second;
    const auto index = static_cast<std::int32_t>(columns.violation_texts.size());
    columns.violation_texts.emplace_back(text);
    violation_of.emplace(std::string(text), index);
    return index;
  };
  // Trials new to this scan go after the sorted index, which is merged with them at the end.
  const std::size_t indexed_before = index_.size();
  auto known_before = [&](store::TrialId id) {
    const auto end = index_.begin() + static_cast<std::ptrdiff_t>(indexed_before);
    const auto it = std::lower_bound(index_.begin(), end, std::pair{id, std::size_t{0}});
    return it != end && it->first == id;
  };
  std::size_t added = 0;
  std::size_t visited = 0;
  db.scan(
      info_.id, filter, keys,
      [&](const store::TrialRow& trial) {
        // A cancelled load stops within a thousand rows (the check is an atomic load).
        if ((++visited & 1023) == 0 && stop.stop_requested()) throw LoadCancelled();
        note_finished(trial.finished_at);
        if (trial.status == store::TrialStatus::failed) {
          failed_.insert(trial.id);
          return;
        }
        if (trial.status != store::TrialStatus::done || known_before(trial.id)) return;
        if (metric_columns.size() < keys.metrics.size() ||
            param_columns.size() < keys.params.size() || texts.size() < keys.texts.size()) {
          flush();  // new columns: the block's width changes
          map_keys();
        }
        if (block_rows == 0) {
          width = columns.fields.size();
          first_row = columns.rows;
          block_numbers.assign(kBlockRows * width, kMissing);
          block_texts.assign(kBlockRows * width, -1);
        }
        Design design;
        design.id = trial.id;
        design.batch = trial.batch;
        design.feasible = trial.feasible;
        design.on_front = trial.on_front;
        design.eval_seconds = trial.eval_seconds;
        design.violations_text = violation_index(trial.violations);
        design.columns = &columns;
        design.row = columns.rows;
        columns.add_row();
        double* numbers = block_numbers.data() + block_rows * width;
        std::int32_t* texts_of = block_texts.data() + block_rows * width;
        for (std::size_t i = 0; i < trial.metrics.size(); ++i)
          numbers[metric_columns[i]] = trial.metrics[i];
        for (std::size_t i = 0; i < trial.params.size(); ++i) {
          if (trial.param_texts[i] >= 0)
            texts_of[param_columns[i]] = texts[static_cast<std::size_t>(trial.param_texts[i])];
          else
            numbers[param_columns[i]] = trial.params[i];
        }
        if (++block_rows == kBlockRows) flush();
        index_.emplace_back(trial.id, designs_.size());
        designs_.push_back(std::move(design));
        ++added;
      },
      store::ScanColumns{.point = false});
  flush();
  const auto middle = index_.begin() + static_cast<std::ptrdiff_t>(indexed_before);
  std::sort(middle, index_.end());
  std::inplace_merge(index_.begin(), middle, index_.end());
  return added;
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
  result.added = merge_scan(db, since);
  // Front membership of older designs changes as new ones dominate them.
  std::unordered_set<store::TrialId> front_ids;
  for (const auto& member : db.front_objectives(info_.id)) front_ids.insert(member.first);
  for (Design& design : designs_) design.on_front = front_ids.contains(design.id);

  const auto known = static_cast<std::int64_t>(designs_.size() + failed_.size());
  if (known < info.counts.finished()) {
    // Something finished that the window did not catch (e.g. a clock far behind): re-read all.
    reset(info);
    merge_scan(db, store::TrialFilter{});
    rebuild_fields();
    result.reloaded = true;
    result.added = designs_.size() > known_before ? designs_.size() - known_before : 0;
    return result;
  }
  info_ = std::move(info);
  if (result.added > 0) rebuild_fields();
  return result;
}

void StudyData::rebuild_fields() {
  // Only designs added since the last call are scanned (a live study grows by a few designs per
  // poll while holding up to millions), one column at a time.
  const DesignColumns& columns = *columns_;
  for (std::size_t c = 0; c < columns.fields.size(); ++c) {
    const FieldId& id = columns.fields[c];
    auto [it, inserted] = stats_.try_emplace(id);
    FieldStats& stats = it->second;
    if (inserted) stats.field.id = id;
    const NumberColumn& numbers = columns.numbers[c];
    const TextColumn* texts = columns.texts_of(c);
    std::int32_t last_text = -1;  // texts repeat: skip the set for a repeat of the last one
    for (std::size_t d = noted_; d < designs_.size(); ++d) {
      const std::size_t row = designs_[d].row;
      if (texts && (*texts)[row] >= 0) {
        ++stats.field.count;
        stats.field.numeric = false;
        if ((*texts)[row] != last_text) {
          last_text = (*texts)[row];
          stats.texts.insert(columns.text_values[static_cast<std::size_t>(last_text)]);
        }
      } else if (const double number = numbers[row]; !std::isnan(number)) {
        ++stats.field.count;
        if (stats.numbers.size() <= Field::kMaxDistinct) stats.numbers.insert(number);
        stats.field.min = std::isnan(stats.field.min) ? number : std::min(stats.field.min, number);
        stats.field.max = std::isnan(stats.field.max) ? number : std::max(stats.field.max, number);
      }
    }
  }
  noted_ = designs_.size();
  // Per-workload metrics are "<workload>.<metric>": a workload has "<name>.latency_ms".
  constexpr std::string_view kWorkloadMarker = ".latency_ms";
  for (const FieldId& field : columns.fields) {
    const std::string& name = field.name;
    if (field.kind != FieldKind::metric || !name.ends_with(kWorkloadMarker) ||
        name.size() == kWorkloadMarker.size())
      continue;
    const std::string workload = name.substr(0, name.size() - kWorkloadMarker.size());
    if (std::find(workload_names_.begin(), workload_names_.end(), workload) ==
        workload_names_.end())
      workload_names_.push_back(workload);
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
  const auto it = std::lower_bound(index_.begin(), index_.end(), std::pair{trial, std::size_t{0}});
  if (it == index_.end() || it->first != trial) return std::nullopt;
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

std::optional<store::Direction> StudyData::known_direction(const FieldId& field) const {
  if (auto direction = objective_direction(field)) return direction;
  if (field.kind != FieldKind::metric) return std::nullopt;
  // A per-workload metric ("resnet50.latency_ms") goes the way of the design-level one.
  std::string_view name = field.name;
  for (const std::string& workload : workload_names_) {
    if (name.size() > workload.size() + 1 && name.starts_with(workload) &&
        name[workload.size()] == '.') {
      name.remove_prefix(workload.size() + 1);
      break;
    }
  }
  for (std::string_view lower_is_better :
       {"latency_ms", "energy_mj", "area_mm2", "power_w", "chip_power_w", "peak_power_w",
        "edp_mj_ms", "die_cost_usd"}) {
    if (name == lower_is_better) return store::Direction::minimize;
  }
  for (std::string_view higher_is_better :
       {"throughput_per_s", "utilization", "tops_per_w", "tops_per_mm2"}) {
    if (name == higher_is_better) return store::Direction::maximize;
  }
  return std::nullopt;
}

store::Direction StudyData::default_direction(const FieldId& field) const {
  return known_direction(field).value_or(store::Direction::minimize);
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

std::vector<FieldId> StudyData::space_params() const {
  std::vector<FieldId> out;
  // The engine stores {"spec": <as written>, "base_hardware", ...}; older studies the spec alone.
  const nlohmann::json& spec = info_.spec.contains("spec") && info_.spec["spec"].is_object()
                                   ? info_.spec["spec"]
                                   : info_.spec;
  const auto parameters = spec.find("parameters");
  if (parameters != spec.end() && parameters->is_array()) {
    for (const nlohmann::json& parameter : *parameters) {
      if (!parameter.is_object() || !parameter.contains("name") || !parameter["name"].is_string())
        continue;
      const FieldId id = param(parameter["name"].get<std::string>());
      if (const Field* f = field(id); f && f->varies()) out.push_back(id);
    }
  }
  return out.empty() ? varying_params() : out;
}

std::string StudyData::tooltip(std::size_t index, const std::vector<FieldId>& extra) const {
  if (index >= designs_.size()) return {};
  const Design& design = designs_[index];
  std::string text = "design #" + std::to_string(design.id);
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
  for (const char* name : {"area_mm2", "die_cost_usd", "power_w", "latency_ms", "energy_mj"})
    add(metric(name));
  for (const std::string& violation : design.violations()) text += "\nviolates " + violation;
  return text;
}

}  // namespace accelscope::gui
