// What the viewer knows about one study: its finished designs as flat parameter and metric maps,
// the catalogue of plottable fields, and incremental refresh from a database another process is
// writing. Plain C++ (no Qt) so that it can be unit-tested without widgets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace accelscope::gui {

enum class FieldKind : std::uint8_t { metric, param };

// A metric ("latency_ms") or a parameter ("array.rows") of the designs of a study.
struct FieldId {
  FieldKind kind = FieldKind::metric;
  std::string name;

  // "metric:latency_ms" / "param:array.rows": stable keys for settings and combo boxes.
  std::string key() const;
  static std::optional<FieldId> from_key(std::string_view key);
  // What the user reads: metric names as they are, parameters marked as such.
  std::string label() const;
  auto operator<=>(const FieldId&) const = default;
};

inline FieldId metric(std::string name) {
  return {FieldKind::metric, std::move(name)};
}
inline FieldId param(std::string name) {
  return {FieldKind::param, std::move(name)};
}

// A parameter value: a number (booleans as 0/1) or a category such as a dataflow name.
using ParamValue = std::variant<double, std::string>;

struct Field {
  static constexpr std::size_t kMaxDistinct = 8;

  FieldId id;
  bool numeric = true;                  // every value seen is a number
  std::vector<std::string> categories;  // the distinct texts, sorted, when !numeric
  std::vector<double> distinct;         // the distinct numbers, sorted, if at most kMaxDistinct
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  std::size_t count = 0;  // designs that have a value

  bool few_values() const { return numeric && !distinct.empty(); }
  bool varies() const { return numeric ? (count > 0 && min < max) : categories.size() > 1; }
};

// Allocates arrays of 2 MiB or more on huge pages (where the kernel offers them on request): a
// million-design column is 8 MB, and faulting it in 4 KiB pages costs more than filling it.
template <typename T>
struct ColumnAllocator {
  using value_type = T;
  ColumnAllocator() = default;
  template <typename U>
  ColumnAllocator(const ColumnAllocator<U>&) noexcept {}
  T* allocate(std::size_t count);
  void deallocate(T* pointer, std::size_t count) noexcept;
  template <typename U>
  bool operator==(const ColumnAllocator<U>&) const noexcept {
    return true;
  }
};
void* allocate_column_bytes(std::size_t bytes);
void free_column_bytes(void* pointer, std::size_t bytes) noexcept;
template <typename T>
T* ColumnAllocator<T>::allocate(std::size_t count) {
  return static_cast<T*>(allocate_column_bytes(count * sizeof(T)));
}
template <typename T>
void ColumnAllocator<T>::deallocate(T* pointer, std::size_t count) noexcept {
  free_column_bytes(pointer, count * sizeof(T));
}
using NumberColumn = std::vector<double, ColumnAllocator<double>>;
using TextColumn = std::vector<std::int32_t, ColumnAllocator<std::int32_t>>;

// Every design's parameters and metrics by field, column-wise: numbers where a design has a
// number (NaN otherwise), and for parameters the index of a text value (a dataflow) or -1. A
// million designs of ~50 fields take ~400 MB this way, instead of gigabytes of maps.
struct DesignColumns {
  std::vector<FieldId> fields;               // by column
  std::map<FieldId, std::size_t> column_of;  // field -> column
  // [column][row], with room for `capacity` rows of which the first `rows` are designs.
  std::vector<NumberColumn> numbers;
  // Empty for metric columns and for parameters that have had no text value yet (most are
  // numbers: a million-row column of -1 each would be 4 MB of nothing).
  std::vector<TextColumn> texts;
  std::vector<std::string> text_values;
  // The distinct violation lists (JSON arrays), shared by the designs that have them: a few
  // hundred texts for hundreds of thousands of infeasible designs.
  std::vector<std::string> violation_texts;
  std::size_t rows = 0;
  std::size_t capacity = 0;

  std::size_t column(const FieldId& field);  // adds the column (filled with "missing") if new
  void reserve(std::size_t rows_expected);   // room for that many rows
  const NumberColumn* numbers_of(const FieldId& field) const;
  // The column's texts, or nullptr when it has none.
  const TextColumn* texts_of(std::size_t column) const;
  // The text value index at (column, row), -1 for none.
  std::int32_t text_at(std::size_t column, std::size_t row) const;
  TextColumn& texts_for_writing(std::size_t column);  // allocated (all -1) on first use
  void add_row();                                     // the next row, every field missing
};

// One finished, evaluated design (a done trial). Its values live in the study's columns.
struct Design {
  // The design's one id everywhere: `accelscope show --design ID`, `front`, the report's #ID.
  store::TrialId id = 0;
  std::int64_t batch = 0;
  bool feasible = true;
  bool on_front = false;  // on the study's stored (all-objective) front
  // Index into columns->violation_texts (a JSON array of the violated constraints), -1: none.
  std::int32_t violations_text = -1;
  std::optional<double> eval_seconds;
  const DesignColumns* columns = nullptr;
  std::size_t row = 0;

  // The field as a number; nullopt when missing or a category.
  std::optional<double> value(const FieldId& field) const;
  // The field as display text (numbers formatted); nullopt when missing.
  std::optional<std::string> text(const FieldId& field) const;
  std::map<std::string, double, std::less<>> metrics() const;
  std::map<std::string, ParamValue, std::less<>> params() const;
  std::vector<std::string> violations() const;
};

// Significant-digit formatting for tables and tooltips: 1234.5 -> "1234.5", 0.000123 -> "1.23e-04".
std::string format_number(double value, int significant = 4);

// Thrown by StudyData::load when its stop token is triggered (a newer load replaced it).
struct LoadCancelled : std::runtime_error {
  LoadCancelled() : std::runtime_error("study load cancelled") {}
};

struct RefreshResult {
  bool changed = false;   // designs, front flags, status or counts changed
  std::size_t added = 0;  // designs new since the last load or refresh
  bool reloaded = false;  // the incremental path missed something; everything was re-read
};

class StudyData {
 public:
  StudyData() = default;
  // Designs point into the columns, which stay where they are when a StudyData moves.
  StudyData(StudyData&&) noexcept = default;
  StudyData& operator=(StudyData&&) noexcept = default;
  StudyData(const StudyData&) = delete;
  StudyData& operator=(const StudyData&) = delete;
  // Reads the study's finished trials (numbers only, without JSON: a million designs load in
  // seconds). Throws store::StoreError.
  // stop, when requested (from another thread), abandons the read with LoadCancelled.
  static StudyData load(store::Database& db, store::StudyId study, std::stop_token stop = {});
  // A first look at a large study, read in a fraction of load()'s time: every design of the
  // stored front plus an even sample of about sample_designs others (every k-th by seq). The
  // field catalogue comes from what was read; counts and status are the study's. complete() is
  // false: the viewer shows it while load() reads the rest.
  static StudyData load_preview(store::Database& db, store::StudyId study,
                                std::size_t sample_designs);
  // Whether every finished design was read (false for a preview).
  bool complete() const { return complete_; }

  // Picks up what a running search wrote since the last call: new finished trials (by
  // finished_at, with a margin for clock skew between workers), the current front flags, the
  // status and counts. Falls back to a full reload when its count disagrees with the store's.
  RefreshResult refresh(store::Database& db);

  const store::StudyInfo& info() const { return info_; }
  const std::vector<Design>& designs() const { return designs_; }
  const DesignColumns& columns() const { return *columns_; }
  const std::vector<Field>& fields() const { return fields_; }
  const Field* field(const FieldId& id) const;
  // A field by key ("metric:x") or by plain name (metrics first, then parameters).
  std::optional<FieldId> resolve(std::string_view name) const;
  std::optional<std::size_t> index_of(store::TrialId trial) const;
  std::size_t failed_count() const { return failed_.size(); }
  std::size_t front_count() const;

  // The objective's direction if the field is one of the study's objectives.
  std::optional<store::Direction> objective_direction(const FieldId& field) const;
  // Which way is better, where that is known: the study's objectives as declared, then the
  // metrics that the engine also accepts as objectives (latency, energy, area, power, EDP, die
  // cost: lower; throughput, utilisation, TOPS/W, TOPS/mm2: higher), per workload too. Other
  // fields (component splits, memory footprint, yield, parameters) have none.
  std::optional<store::Direction> known_direction(const FieldId& field) const;
  // known_direction, else minimise (an axis needs one).
  store::Direction default_direction(const FieldId& field) const;
  // The fields to offer first: objectives, then design-level metrics, then per-workload
  // metrics, then parameters that vary.
  std::vector<FieldId> ordered_fields(bool numeric_only) const;
  // Parameters that take more than one value in the study (the ones worth showing in a tooltip).
  std::vector<FieldId> varying_params() const;
  // The design space's own parameters (the spec's "parameters", in its order) that vary, without
  // the hardware fields derived from them; all varying parameters when the spec lists none.
  std::vector<FieldId> space_params() const;

  // Hover text: the design's varying parameters and key metrics plus the given extra fields.
  std::string tooltip(std::size_t design, const std::vector<FieldId>& extra = {}) const;

 private:
  void reset(store::StudyInfo info);
  // Reads the finished trials the filter selects; returns how many designs were new.
  std::size_t merge_scan(store::Database& db, const store::TrialFilter& filter,
                         const std::stop_token& stop = {});
  void note_finished(const std::optional<double>& finished_at);
  void rebuild_fields();
  bool is_per_workload_metric(std::string_view name) const;

  store::StudyInfo info_;
  std::unique_ptr<DesignColumns> columns_ = std::make_unique<DesignColumns>();
  std::vector<Design> designs_;
  // (trial id, index into designs_) sorted by id: designs arrive by seq, and a sorted vector
  // takes 16 bytes a design where a hash map takes ~50 and an allocation each.
  std::vector<std::pair<store::TrialId, std::size_t>> index_;
  std::unordered_set<store::TrialId> failed_;
  struct FieldStats {
    Field field;
    std::set<double> numbers;  // up to Field::kMaxDistinct + 1
    std::set<std::string> texts;
  };
  std::map<FieldId, FieldStats> stats_;  // accumulated over designs_[0, noted_)
  std::size_t noted_ = 0;
  std::vector<Field> fields_;
  std::vector<std::string> workload_names_;
  double last_finished_at_ = 0;
  bool complete_ = true;
};

}  // namespace accelscope::gui
