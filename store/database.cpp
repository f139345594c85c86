#include "store/database.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>

#include "store/codec.hpp"
#include "store/pareto.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"

#ifndef ACCELSCOPE_STORE_VERSION
#define ACCELSCOPE_STORE_VERSION "unknown"
#endif

namespace accelscope::store {

using nlohmann::json;

namespace {

constexpr int kForeignDatabase = -1;  // detect_version(): SQLite, but not ours

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// JSON for error messages, cut short so a message stays one readable line.
std::string preview(const json& value) {
  constexpr std::size_t kMaxLength = 120;
  std::string text = value.dump();
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength) + "...";
  return text;
}

json objectives_to_json(const std::vector<Objective>& objectives) {
  json array = json::array();
  for (const Objective& objective : objectives) {
    array.push_back({{"name", objective.name}, {"direction", to_string(objective.direction)}});
  }
  return array;
}

// Columns of a trial row, in the order read_trial() expects (no table prefix, so the list also
// serves RETURNING).
constexpr std::string_view kTrialColumns =
    "id, study_id, seq, batch, point, params, status, worker, claimed_at, created_at, "
    "finished_at, eval_seconds, metrics, feasible, violations, workloads, on_front, error";

constexpr std::string_view kStudyColumns =
    "id, name, spec, spec_hash, strategy, seed, budget, engine_version, status, created_at, "
    "updated_at, objectives, reference_point, options, identity, pending_count, running_count, "
    "done_count, failed_count, feasible_count";

// Key kinds of study_key: a study's params and metrics are stored with indices into these lists.
constexpr int kParamKeys = 0;
constexpr int kMetricKeys = 1;

// Set by migration 3 on designs older versions stored with non-finite (null) metrics.
constexpr std::string_view kNullMetricsError =
    "non-finite metrics (stored as null by an older accelscope)";

// Whether every number in value is finite: NaN and infinities cannot be stored (JSON has no such
// numbers) and would make a study unreadable.
bool all_finite(const json& value) {
  if (value.is_number_float()) return std::isfinite(value.get<double>());
  if (value.is_object() || value.is_array())
    return std::all_of(value.begin(), value.end(), [](const json& v) { return all_finite(v); });
  return true;
}

// The path of the first number in value that is not finite (call when !all_finite(value)).
std::string first_non_finite(const json& value, const std::string& path = {}) {
  if (value.is_number_float()) return std::isfinite(value.get<double>()) ? std::string() : path;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (all_finite(*it)) continue;
      return first_non_finite(*it, path.empty() ? it.key() : path + "." + it.key());
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (all_finite(value[i])) continue;
      return first_non_finite(value[i], path + "[" + std::to_string(i) + "]");
    }
  }
  return {};
}

// Changes of a study's counters, applied with one UPDATE per call.
struct CountDelta {
  std::int64_t pending = 0, running = 0, done = 0, failed = 0, feasible = 0;
  void leave(TrialStatus status) {
    if (status == TrialStatus::pending) --pending;
    if (status == TrialStatus::running) --running;
  }
  bool empty() const {
    return pending == 0 && running == 0 && done == 0 && failed == 0 && feasible == 0;
  }
};

std::string local_host_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) return "localhost";
  return host.data();
}

// The pid in a worker id "host:pid[:anything]" if host is this host.
std::optional<pid_t> local_pid_of(std::string_view worker, std::string_view host) {
  if (worker.size() <= host.size() || worker.substr(0, host.size()) != host ||
      worker[host.size()] != ':') {
    return std::nullopt;
  }
  const std::string_view rest = worker.substr(host.size() + 1);
  const std::string_view digits = rest.substr(0, rest.find(':'));
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  pid_t pid = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    pid = pid * 10 + (c - '0');
  }
  return pid > 0 ? std::optional<pid_t>(pid) : std::nullopt;
}

// kill(pid, 0) probes without signalling; EPERM means it exists under another user.
bool process_alive(pid_t pid) {
  return kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace

namespace detail {

struct DatabaseState {
  DatabaseState(const std::filesystem::path& file, const OpenOptions& open_options, int flags,
                const std::string& uri = {})
      : path(file),
        options(open_options),
        connection(file.string(), flags, static_cast<int>(open_options.busy_timeout.count()), uri) {
  }

  std::filesystem::path path;
  OpenOptions options;
  sqlite::Connection connection;
  int depth = 0;  // open Transaction levels

  // Per study, what recording a result needs without reading it back: the objectives, the current
  // front and the key dictionaries of the compact form. Valid while no other connection has
  // committed (PRAGMA data_version, checked as each write transaction takes the lock) and dropped
  // on any rollback, which may undo cached changes. Readers use the key lists too: they only ever
  // grow, so a reader that meets an unknown index reloads them.
  struct KeyList {
    std::vector<std::string> names;
    std::unordered_map<std::string, std::uint32_t> index;
  };
  struct StudyCache {
    std::vector<Objective> objectives;
    std::optional<ParetoFront> front;  // loaded on first use
    std::array<KeyList, 2> keys;
    bool keys_loaded = false;
  };
  std::map<StudyId, StudyCache> cache;
  std::int64_t cache_data_version = -1;

  void validate_cache() {
    auto version = query("PRAGMA data_version", "checking for other writers");
    version.step();
    if (version.integer(0) != cache_data_version) {
      cache.clear();
      cache_data_version = version.integer(0);
    }
  }

  StoreError error(ErrorKind kind, std::string_view problem, std::string_view context = {}) const {
    return sqlite::make_error(kind, connection.path(), problem, context);
  }

  void require_writable(std::string_view context) const {
    if (options.mode == OpenMode::read_only) {
      throw error(ErrorKind::read_only, "the database was opened read-only", context);
    }
  }

  json parse_stored(std::string_view text, std::string_view what) const {
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
      throw error(ErrorKind::corrupt, "stored " + std::string(what) + " is not valid JSON");
    }
    return value;
  }

  sqlite::Query query(std::string_view sql, std::string_view context) {
    return connection.query(sql, context);
  }

  Transaction begin() { return Transaction(*this); }

  // --- opening ---------------------------------------------------------------------------------

  void initialise() {
    const bool writable = options.mode != OpenMode::read_only;
    if (writable && connection.read_only()) {
      throw error(ErrorKind::read_only,
                  "the file is read-only; fix its permissions or open it read-only");
    }
    connection.exec("PRAGMA foreign_keys = ON", "configuring the connection");
    const int version = detect_version();
    check_version(version);
    if (!writable) return;

    switch_to_wal();
    connection.exec(
        options.sync_every_commit ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
        "configuring the connection");
    if (options.max_size_bytes > 0) {
      std::int64_t page_size = 4096;
      {
        auto page = query("PRAGMA page_size", "configuring the size limit");
        if (page.step()) page_size = page.integer(0);
      }
      const std::int64_t pages = std::max<std::int64_t>(1, options.max_size_bytes / page_size);
      connection.exec("PRAGMA max_page_count = " + std::to_string(pages),
                      "configuring the size limit");
    }
    if (version < kSchemaVersion) migrate();
  }

  // WAL lets readers (the GUI) run beside the writer and keeps commits cheap. Switching needs an
  // exclusive lock, and SQLite reports a conflict at once instead of calling the busy handler,
  // so workers starting together on a new file retry here until the busy timeout.
  void switch_to_wal() {
    const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
    auto delay = std::chrono::milliseconds(1);
    while (true) {
      {
        auto mode = query("PRAGMA journal_mode", "reading the journal mode");
        if (mode.step() && mode.text(0) == "wal") return;
      }
      try {
        connection.exec("PRAGMA journal_mode = WAL", "switching to WAL mode");
        return;
      } catch (const StoreError& failure) {
        if (failure.kind() != ErrorKind::locked || std::chrono::steady_clock::now() >= deadline) {
          throw;
        }
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(50));
    }
  }

  // 0: empty database; kForeignDatabase: tables, but not ours; otherwise the schema version.
  int detect_version() {
    ReadSnapshot snapshot(*this);
    {
      auto tables = query("SELECT count(*) FROM sqlite_master", "reading the schema");
      tables.step();
      if (tables.integer(0) == 0) return 0;
    }
    {
      auto meta = query(
          "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'accelscope_meta'",
          "reading the schema");
      meta.step();
      if (meta.integer(0) == 0) return kForeignDatabase;
    }
    auto version = query("SELECT value FROM accelscope_meta WHERE key = 'schema_version'",
                         "reading the schema version");
    if (!version.step()) {
      throw error(ErrorKind::corrupt, "accelscope_meta has no schema_version entry");
    }
    const std::string text = version.text(0);
    try {
      std::size_t used = 0;
      const int number = std::stoi(text, &used);
      if (used == text.size() && number >= 0) return number;
    } catch (const std::exception&) {
    }
    throw error(ErrorKind::corrupt,
                "accelscope_meta has a malformed schema_version '" + text + "'");
  }

  void check_version(int version) const {
    if (version == kForeignDatabase) {
      throw error(ErrorKind::not_accelscope,
                  "not an accelscope study database (no accelscope_meta table)");
    }
    if (version > kSchemaVersion) {
      throw error(ErrorKind::too_new, "schema version " + std::to_string(version) +
                                          " is newer than this accelscope supports (" +
                                          std::to_string(kSchemaVersion) +
                                          "); use a newer accelscope");
    }
    if (version == 0 && options.mode != OpenMode::create) {
      // Only a search creates a study file; resuming or reading an empty one is a mistake (a
      // wrong path), and writing a schema into it would hide that.
      throw error(ErrorKind::not_accelscope,
                  "not an accelscope study database (an empty file; nothing to read or resume)");
    }
    if (options.mode != OpenMode::read_only) return;
    if (version < kSchemaVersion) {
      throw error(
          ErrorKind::needs_migration,
          "schema version " + std::to_string(version) + " is older than " +
              std::to_string(kSchemaVersion) +
              "; open it read-write once (e.g. accelscope migrate --db FILE) to migrate it");
    }
  }

  // Applies the missing steps in one transaction; re-reads the version under the write lock in
  // case another process migrated meanwhile.
  void migrate() {
    Transaction transaction(*this);
    const int version = detect_version();
    check_version(version);
    for (const Migration& step : migrations()) {
      if (step.to_version <= version) continue;
      const std::string context = "migrating the schema to version " +
                                  std::to_string(step.to_version) + " (" +
                                  std::string(step.description) + ")";
      connection.exec(step.sql, context);
    }
    if (version > 0 && version < 3) {
      // Designs turned failed by step 3 may have been on a front: rebuild those fronts.
      std::vector<StudyId> studies;
      {
        auto rows =
            query("SELECT DISTINCT study_id FROM trial WHERE status = 'failed' AND error = ?1",
                  "migrating the schema to version 3");
        rows.bind(1, kNullMetricsError);
        while (rows.step()) studies.push_back(rows.integer(0));
      }
      for (const StudyId study : studies) rebuild_front(study);
    }
    auto set_meta = [&](std::string_view key, const std::string& value) {
      query(
          "INSERT INTO accelscope_meta (key, value) VALUES (?1, ?2) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          "recording the schema version")
          .bind(1, key)
          .bind(2, value)
          .run();
    };
    set_meta("schema_version", std::to_string(kSchemaVersion));
    if (version == 0) {
      set_meta("created_at", std::to_string(now_seconds()));
      set_meta("created_by", "accelscope " ACCELSCOPE_STORE_VERSION);
    }
    transaction.commit();
  }

  // --- reads -----------------------------------------------------------------------------------

  // A consistent view across several SELECTs; joins an enclosing transaction if there is one.
  class ReadSnapshot {
   public:
    explicit ReadSnapshot(DatabaseState& state) : state_(state) {
      if (state_.connection.in_transaction()) return;
      state_.connection.exec("BEGIN", "starting a read transaction");
      owns_ = true;
    }
    ~ReadSnapshot() {
      if (!owns_ || !state_.connection.in_transaction()) return;
      try {
        state_.connection.exec("COMMIT", "ending a read transaction");
      } catch (const StoreError&) {
        // Read transactions change nothing; SQLite drops the snapshot when the statement fails.
      }
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

   private:
    DatabaseState& state_;
    bool owns_ = false;
  };

  void require_study(StudyId study) {
    auto found = query("SELECT 1 FROM study WHERE id = ?1", "looking up a study");
    found.bind(1, study);
    if (!found.step()) {
      throw error(ErrorKind::no_such_study, "no study with id " + std::to_string(study));
    }
  }

  std::vector<Objective> load_objectives(StudyId study) {
    auto row = query("SELECT objectives FROM study WHERE id = ?1", "reading a study");
    row.bind(1, study);
    if (!row.step()) {
      throw error(ErrorKind::no_such_study, "no study with id " + std::to_string(study));
    }
    return objectives_from_json(parse_stored(row.bytes(0), "study objectives"));
  }

  std::vector<Objective> objectives_from_json(const json& array) const {
    std::vector<Objective> objectives;
    try {
      for (const json& item : array) {
        objectives.push_back(Objective{item.at("name").get<std::string>(),
                                       parse_direction(item.at("direction").get<std::string>())});
      }
    } catch (const std::exception& problem) {
      throw error(ErrorKind::corrupt,
                  "stored study objectives are malformed: " + std::string(problem.what()));
    }
    return objectives;
  }

  // Reads kStudyColumns.
  StudyInfo read_study(const sqlite::Query& row) const {
    StudyInfo info;
    info.id = row.integer(0);
    info.name = row.text(1);
    info.spec = parse_stored(row.bytes(2), "study spec");
    info.spec_hash = row.text(3);
    info.strategy = row.text(4);
    info.seed = row.integer(5);
    info.budget = row.integer(6);
    info.engine_version = row.text(7);
    info.status = parse_study_status(row.text(8));
    info.created_at = row.real(9);
    info.updated_at = row.real(10);
    info.objectives = objectives_from_json(parse_stored(row.bytes(11), "study objectives"));
    info.reference_point = parse_stored(row.bytes(12), "reference point");
    info.options = parse_stored(row.bytes(13), "study options");
    info.identity = parse_stored(row.bytes(14), "study identity");
    info.counts.pending = row.integer(15);
    info.counts.running = row.integer(16);
    info.counts.done = row.integer(17);
    info.counts.failed = row.integer(18);
    info.counts.feasible = row.integer(19);
    return info;
  }

  TrialCounts count_trials(StudyId study) {
    auto row = query(
        "SELECT pending_count, running_count, done_count, failed_count, feasible_count "
        "FROM study WHERE id = ?1",
        "reading a study's counters");
    row.bind(1, study);
    if (!row.step()) {
      throw error(ErrorKind::no_such_study, "no study with id " + std::to_string(study));
    }
    return TrialCounts{row.integer(0), row.integer(1), row.integer(2), row.integer(3),
                       row.integer(4)};
  }

  // --- the compact form's key dictionaries ----------------------------------------------------

  StudyCache& cache_of(StudyId study) {
    auto found = cache.find(study);
    if (found != cache.end()) return found->second;
    StudyCache loaded;
    loaded.objectives = load_objectives(study);
    return cache.emplace(study, std::move(loaded)).first->second;
  }

  void load_keys(StudyId study, StudyCache& entry) {
    for (KeyList& list : entry.keys) list = {};
    auto rows =
        query("SELECT kind, idx, name FROM study_key WHERE study_id = ?1 ORDER BY kind, idx",
              "reading a study's keys");
    rows.bind(1, study);
    while (rows.step()) {
      const auto kind = rows.integer(0);
      if (kind != kParamKeys && kind != kMetricKeys) continue;
      KeyList& list = entry.keys[static_cast<std::size_t>(kind)];
      if (rows.integer(1) != static_cast<std::int64_t>(list.names.size())) {
        throw error(ErrorKind::corrupt, "study " + std::to_string(study) +
                                            ": the key dictionary has a gap at index " +
                                            std::to_string(list.names.size()));
      }
      list.index.emplace(rows.text(2), static_cast<std::uint32_t>(list.names.size()));
      list.names.push_back(rows.text(2));
    }
    entry.keys_loaded = true;
  }

  KeyList& keys_of(StudyId study, int kind) {
    StudyCache& entry = cache_of(study);
    if (!entry.keys_loaded) load_keys(study, entry);
    return entry.keys[static_cast<std::size_t>(kind)];
  }

  // The index of name, assigned (and stored) if new; the caller holds a write transaction.
  std::uint32_t key_index(StudyId study, int kind, const std::string& name) {
    KeyList& list = keys_of(study, kind);
    const auto found = list.index.find(name);
    if (found != list.index.end()) return found->second;
    const auto index = static_cast<std::uint32_t>(list.names.size());
    query("INSERT INTO study_key (study_id, kind, idx, name) VALUES (?1, ?2, ?3, ?4)",
          "recording a new parameter or metric name")
        .bind(1, study)
        .bind(2, kind)
        .bind(3, static_cast<std::int64_t>(index))
        .bind(4, name)
        .run();
    list.index.emplace(name, index);
    list.names.push_back(name);
    return index;
  }

  // The name of index; reloads the dictionary once if another connection added it meanwhile.
  const std::string& key_name(StudyId study, int kind, std::uint32_t index) {
    KeyList* list = &keys_of(study, kind);
    if (index >= list->names.size()) {
      load_keys(study, cache_of(study));
      list = &keys_of(study, kind);
      if (index >= list->names.size()) {
        throw codec::DecodeError{"unknown key index " + std::to_string(index)};
      }
    }
    return list->names[index];
  }

  std::string encode_object(StudyId study, int kind, const json& object) {
    return codec::encode_object(
        object, [&](const std::string& name) { return key_index(study, kind, name); });
  }

  // A point, params or metrics column: compact bytes (schema 3) or JSON text (older rows).
  json decode_column(const sqlite::Query& row, int column, StudyId study, int kind,
                     std::string_view what) {
    if (!row.is_blob(column)) return parse_stored(row.bytes(column), what);
    try {
      if (kind < 0) return codec::decode_array(row.bytes(column));
      return codec::decode_object(
          row.bytes(column),
          [&](std::uint32_t index) -> const std::string& { return key_name(study, kind, index); });
    } catch (const codec::DecodeError& problem) {
      throw error(ErrorKind::corrupt,
                  "stored " + std::string(what) + " does not decode: " + problem.problem);
    }
  }

  // A point column as doubles (NaN for anything that is not a number).
  void decode_numbers(const sqlite::Query& row, int column, std::vector<double>& out) const {
    out.clear();
    if (row.is_blob(column)) {
      try {
        codec::Cursor cursor(row.bytes(column), false);
        while (cursor.next()) out.push_back(cursor.number());
      } catch (const codec::DecodeError& problem) {
        throw error(ErrorKind::corrupt, "a stored point does not decode: " + problem.problem);
      }
      return;
    }
    for (const json& value : parse_stored(row.bytes(column), "trial point"))
      out.push_back(value.is_number() ? value.get<double>()
                                      : std::numeric_limits<double>::quiet_NaN());
  }

  // Reads kTrialColumns (and, at column 18 when present, the breakdown).
  Trial read_trial(const sqlite::Query& row, bool has_breakdown) {
    Trial trial;
    trial.id = row.integer(0);
    trial.study = row.integer(1);
    trial.seq = row.integer(2);
    trial.batch = row.integer(3);
    trial.point = decode_column(row, 4, trial.study, -1, "trial point");
    trial.params = decode_column(row, 5, trial.study, kParamKeys, "trial params");
    trial.status = parse_trial_status(row.text(6));
    trial.worker = row.text(7);
    trial.claimed_at = row.optional_real(8);
    trial.created_at = row.real(9);
    trial.finished_at = row.optional_real(10);
    trial.eval_seconds = row.optional_real(11);
    if (!row.is_null(12)) {
      trial.metrics = decode_column(row, 12, trial.study, kMetricKeys, "trial metrics");
    }
    if (auto feasible = row.optional_integer(13)) trial.feasible = *feasible != 0;
    if (!row.is_null(14)) {
      trial.violations = parse_stored(row.bytes(14), "trial violations");
    } else if (trial.status == TrialStatus::done) {
      trial.violations = json::array();
    }
    if (!row.is_null(15)) trial.workloads = parse_stored(row.bytes(15), "trial workloads");
    trial.on_front = row.integer(16) != 0;
    trial.error = row.text(17);
    if (has_breakdown && !row.is_null(18)) {
      trial.breakdown = parse_stored(row.bytes(18), "trial breakdown");
    }
    return trial;
  }

  // Objective values of a done trial, in study order; NaN where a metric is missing or not a
  // finite number.
  static std::vector<double> objective_values(const json& metrics,
                                              const std::vector<Objective>& objectives) {
    std::vector<double> values;
    values.reserve(objectives.size());
    for (const Objective& objective : objectives) {
      double value = std::numeric_limits<double>::quiet_NaN();
      if (metrics.is_object()) {
        const auto found = metrics.find(objective.name);
        if (found != metrics.end() && found->is_number()) value = found->get<double>();
      }
      values.push_back(std::isfinite(value) ? value : std::numeric_limits<double>::quiet_NaN());
    }
    return values;
  }

  static void fill_objectives(Trial& trial, const std::vector<Objective>& objectives) {
    if (trial.status == TrialStatus::done) {
      trial.objectives = objective_values(trial.metrics, objectives);
    }
  }

  static std::vector<double> minimised(const std::vector<double>& values,
                                       const std::vector<Objective>& objectives) {
    std::vector<double> result(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      result[i] = objectives[i].direction == Direction::maximize ? -values[i] : values[i];
    }
    return result;
  }

  // (id, objective values) of the front's members, by seq.
  std::vector<std::pair<TrialId, std::vector<double>>> load_front_values(StudyId study) {
    std::vector<std::pair<TrialId, std::vector<double>>> members;
    auto rows = query(
        "SELECT trial.id, o.value FROM trial INDEXED BY trial_on_front "
        "JOIN trial_objective o ON o.trial_id = trial.id "
        "WHERE trial.study_id = ?1 AND trial.on_front = 1 ORDER BY trial.seq, o.idx",
        "loading the Pareto front");
    rows.bind(1, study);
    while (rows.step()) {
      const TrialId id = rows.integer(0);
      if (members.empty() || members.back().first != id)
        members.emplace_back(id, std::vector<double>{});
      members.back().second.push_back(rows.real(1));
    }
    return members;
  }

  // --- writes ----------------------------------------------------------------------------------

  void apply(StudyId study, const CountDelta& delta) {
    query(
        "UPDATE study SET pending_count = pending_count + ?2, running_count = running_count + ?3, "
        "done_count = done_count + ?4, failed_count = failed_count + ?5, "
        "feasible_count = feasible_count + ?6, updated_at = ?7 WHERE id = ?1",
        "updating a study's counters")
        .bind(1, study)
        .bind(2, delta.pending)
        .bind(3, delta.running)
        .bind(4, delta.done)
        .bind(5, delta.failed)
        .bind(6, delta.feasible)
        .bind(7, now_seconds())
        .run();
  }

  void touch_study(StudyId study) { apply(study, CountDelta{}); }

  // The study's front as stored, loaded once per write transaction. Members that turn out to
  // be dominated (only after a manual edit of the file) are unflagged on the way.
  ParetoFront& front_of(StudyId study) {
    StudyCache& entry = cache_of(study);
    if (entry.front) return *entry.front;
    ParetoFront front;
    std::vector<TrialId> unflag;
    for (auto& [id, values] : load_front_values(study)) {
      if (values.size() != entry.objectives.size()) {
        unflag.push_back(id);
        continue;
      }
      auto inserted = front.insert(id, minimised(values, entry.objectives));
      if (!inserted.on_front) unflag.push_back(id);
      unflag.insert(unflag.end(), inserted.evicted.begin(), inserted.evicted.end());
    }
    for (TrialId id : unflag) set_on_front(id, false);
    entry.front = std::move(front);
    return *entry.front;
  }

  // Rebuilds on_front flags from all done trials (a full scan: repair and migration only).
  void rebuild_front(StudyId study) {
    constexpr std::string_view kContext = "recomputing the Pareto front";
    const std::vector<Objective> objectives = load_objectives(study);
    query("UPDATE trial SET on_front = 0 WHERE study_id = ?1 AND on_front = 1", kContext)
        .bind(1, study)
        .run();
    std::vector<std::pair<TrialId, std::vector<double>>> candidates;
    {
      auto rows = query(
          "SELECT trial.id, o.value FROM trial JOIN trial_objective o ON o.trial_id = trial.id "
          "WHERE trial.study_id = ?1 AND trial.status = 'done' AND trial.feasible = 1 "
          "ORDER BY trial.id, o.idx",
          kContext);
      rows.bind(1, study);
      while (rows.step()) {
        const TrialId id = rows.integer(0);
        if (candidates.empty() || candidates.back().first != id)
          candidates.emplace_back(id, std::vector<double>{});
        candidates.back().second.push_back(rows.real(1));
      }
    }
    ParetoFront front;
    for (auto& [id, values] : candidates) {
      if (values.size() == objectives.size()) front.insert(id, minimised(values, objectives));
    }
    for (const ParetoFront::Member& member : front.members()) set_on_front(member.id, true);
    cache.erase(study);
  }

  void set_on_front(TrialId trial, bool on_front) {
    query("UPDATE trial SET on_front = ?2 WHERE id = ?1", "updating the Pareto front")
        .bind(1, trial)
        .bind(2, on_front ? 1 : 0)
        .run();
  }

  // The study and status of a trial; throws no_such_trial.
  std::pair<StudyId, TrialStatus> trial_state(TrialId trial) {
    auto row = query("SELECT study_id, status FROM trial WHERE id = ?1", "looking up a trial");
    row.bind(1, trial);
    if (!row.step()) {
      throw error(ErrorKind::no_such_trial, "no trial with id " + std::to_string(trial));
    }
    return {row.integer(0), parse_trial_status(row.text(1))};
  }

  void store_breakdown(TrialId trial, std::string_view breakdown_json) {
    query(
        "INSERT INTO trial_breakdown (trial_id, breakdown) VALUES (?1, ?2) "
        "ON CONFLICT (trial_id) DO UPDATE SET breakdown = excluded.breakdown",
        "storing a breakdown")
        .bind(1, trial)
        .bind(2, breakdown_json)
        .run();
  }

  void heartbeat(StudyId study, std::string_view worker) {
    query(
        "INSERT INTO study_worker (study_id, worker, heartbeat_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (study_id, worker) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        "recording a heartbeat")
        .bind(1, study)
        .bind(2, worker)
        .bind(3, now_seconds())
        .run();
  }

  // Records one result; the caller holds a write transaction and applies the counter changes.
  bool record(TrialId trial, const TrialResult& result, std::map<StudyId, CountDelta>& deltas) {
    constexpr std::string_view kContext = "recording a result";
    if (!result.metrics.is_object()) {
      throw error(ErrorKind::invalid_argument,
                  "trial " + std::to_string(trial) + ": metrics must be a JSON object", kContext);
    }
    if (!all_finite(result.metrics)) {
      throw error(ErrorKind::invalid_argument,
                  "trial " + std::to_string(trial) + ": metric '" +
                      first_non_finite(result.metrics) +
                      "' is not a finite number (record such a design with fail())",
                  kContext);
    }
    const auto [study, status] = trial_state(trial);
    if (status == TrialStatus::done || status == TrialStatus::failed) return false;

    const std::vector<Objective>& objectives = cache_of(study).objectives;
    const std::vector<double> values = objective_values(result.metrics, objectives);
    const auto missing = static_cast<std::size_t>(
        std::find_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }) -
        values.begin());
    if (result.feasible && missing < values.size()) {
      throw error(ErrorKind::invalid_argument,
                  "trial " + std::to_string(trial) + ": objective '" + objectives[missing].name +
                      "' is missing from the metrics or not a finite number",
                  kContext);
    }

    ParetoFront::InsertResult front_change;
    if (result.feasible)
      front_change = front_of(study).insert(trial, minimised(values, objectives));
    const std::string metrics = encode_object(study, kMetricKeys, result.metrics);
    auto update = query(
        "UPDATE trial SET status = 'done', metrics = ?2, feasible = ?3, violations = ?4, "
        "workloads = ?5, finished_at = ?6, eval_seconds = ?7, on_front = ?8, error = NULL "
        "WHERE id = ?1",
        kContext);
    update.bind(1, trial)
        .bind_blob(2, metrics)
        .bind(3, result.feasible ? 1 : 0)
        .bind(6, now_seconds())
        .bind(7, result.eval_seconds)
        .bind(8, front_change.on_front ? 1 : 0);
    if (result.violations.is_array() && !result.violations.empty()) {
      update.bind(4, result.violations.dump());
    }
    if (front_change.on_front && !result.workloads.is_null()) {
      update.bind(5, result.workloads.dump());
    }
    update.run();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i])) continue;
      query(
          "INSERT INTO trial_objective (trial_id, idx, name, value) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (trial_id, idx) DO UPDATE SET name = excluded.name, value = excluded.value",
          kContext)
          .bind(1, trial)
          .bind(2, static_cast<std::int64_t>(i))
          .bind(3, objectives[i].name)
          .bind(4, values[i])
          .run();
    }
    for (TrialId evicted : front_change.evicted) set_on_front(evicted, false);
    if (result.breakdown) store_breakdown(trial, result.breakdown->dump());
    CountDelta& delta = deltas[study];
    delta.leave(status);
    ++delta.done;
    if (result.feasible) ++delta.feasible;
    return true;
  }

  // Marks a trial failed; the caller holds a write transaction and applies the counter changes.
  bool record_failure(TrialId trial, std::string_view message,
                      std::map<StudyId, CountDelta>& deltas) {
    const auto [study, status] = trial_state(trial);
    if (status == TrialStatus::done || status == TrialStatus::failed) return false;
    query(
        "UPDATE trial SET status = 'failed', error = ?2, finished_at = ?3, on_front = 0 "
        "WHERE id = ?1",
        "recording a failure")
        .bind(1, trial)
        .bind(2, message)
        .bind(3, now_seconds())
        .run();
    CountDelta& delta = deltas[study];
    delta.leave(status);
    ++delta.failed;
    return true;
  }

  void apply_all(const std::map<StudyId, CountDelta>& deltas) {
    for (const auto& [study, delta] : deltas) apply(study, delta);
  }
};

}  // namespace detail

using detail::DatabaseState;

// --- free functions ----------------------------------------------------------------------------

std::string spec_hash(const nlohmann::json& spec) {
  // nlohmann::json keeps object keys sorted, so dump() is canonical.
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : spec.dump()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  std::array<char, 17> text{};
  std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(hash));
  return std::string(text.data(), 16);
}

std::string default_worker_id() {
  return local_host_name() + ":" + std::to_string(getpid());
}

// --- Transaction -------------------------------------------------------------------------------

Transaction::Transaction(DatabaseState& state) : state_(&state), level_(state.depth + 1) {
  state.require_writable("starting a transaction");
  if (level_ == 1) {
    state.connection.exec("BEGIN IMMEDIATE", "starting a write transaction");
    try {
      state.validate_cache();
    } catch (const StoreError&) {
      state.connection.exec("ROLLBACK", "rolling back");
      throw;
    }
  } else {
    if (!state.connection.in_transaction()) {
      throw state.error(ErrorKind::sql,
                        "the enclosing transaction was already rolled back after an error",
                        "starting a nested transaction");
    }
    state.connection.exec("SAVEPOINT level_" + std::to_string(level_),
                          "starting a nested transaction");
  }
  state.depth = level_;
}

Transaction::Transaction(Transaction&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), level_(other.level_) {}

Transaction::~Transaction() {
  if (state_ == nullptr) return;
  DatabaseState& state = *state_;
  try {
    if (state.connection.in_transaction()) {
      if (level_ == 1) {
        state.connection.exec("ROLLBACK", "rolling back");
      } else {
        const std::string name = "level_" + std::to_string(level_);
        state.connection.exec("ROLLBACK TO " + name + "; RELEASE " + name, "rolling back");
      }
    }
  } catch (const StoreError&) {
    // Nothing more can be done in a destructor; SQLite rolls back on close at the latest.
  }
  state.cache.clear();  // the cache may hold changes that were just undone
  state.depth = level_ - 1;
}

void Transaction::commit() {
  if (state_ == nullptr) {
    throw StoreError(ErrorKind::invalid_argument, "commit() on a finished transaction");
  }
  DatabaseState& state = *state_;
  if (state.depth != level_) {
    throw state.error(ErrorKind::invalid_argument,
                      "a transaction was committed while a nested one was still open");
  }
  if (!state.connection.in_transaction()) {
    throw state.error(ErrorKind::sql, "the transaction was already rolled back after an error",
                      "committing");
  }
  if (level_ == 1) {
    state.connection.exec("COMMIT", "committing");  // on failure the destructor rolls back
  } else {
    state.connection.exec("RELEASE level_" + std::to_string(level_), "committing");
  }
  state.depth = level_ - 1;
  state_ = nullptr;
}

// --- Database ----------------------------------------------------------------------------------

namespace {

int open_flags(OpenMode mode) {
  // NOMUTEX: a Database is never shared between threads, so SQLite's own locking is waste.
  const int common = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case OpenMode::create:
      return common | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    case OpenMode::read_write:
      return common | SQLITE_OPEN_READWRITE;
    case OpenMode::read_only:
      return common | SQLITE_OPEN_READONLY;
  }
  return common | SQLITE_OPEN_READONLY;
}

// Clearer messages than SQLite's "unable to open database file" for the common cases.
void check_path(const std::filesystem::path& path, OpenMode mode) {
  const std::string name = path.string();
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    throw sqlite::make_error(ErrorKind::cannot_open, name, "cannot access: " + error.message());
  }
  if (std::filesystem::is_directory(status)) {
    throw sqlite::make_error(ErrorKind::cannot_open, name, "is a directory, not a database file");
  }
  if (std::filesystem::exists(status)) return;
  if (mode != OpenMode::create) {
    throw sqlite::make_error(ErrorKind::not_found, name, "no such file");
  }
  const std::filesystem::path parent = path.parent_path();
  std::error_code ignored;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ignored)) {
    throw sqlite::make_error(
        ErrorKind::cannot_open, name,
        "cannot create the file: directory " + parent.string() + " does not exist");
  }
}

// "file:" URI opening path as immutable (no locks, no -shm), with path percent-encoded.
std::string immutable_uri(const std::filesystem::path& path) {
  const std::string absolute = std::filesystem::absolute(path).string();
  std::string uri = "file:";
  for (const char c : absolute) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri.push_back(c);
    } else {
      std::array<char, 4> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "%%%02X", byte);
      uri.append(escaped.data(), 3);
    }
  }
  return uri + "?immutable=1";
}

}  // namespace

Database::Database(const std::filesystem::path& path, OpenOptions options) {
  check_path(path, options.mode);
  try {
    state_ = std::make_unique<DatabaseState>(path, options, open_flags(options.mode));
    state_->initialise();
  } catch (const StoreError& error) {
    // A WAL file in a directory we cannot write (an archived study) cannot be read normally:
    // the reader must create the -shm index. With no -wal file there is no writer, so the file
    // can be read as immutable.
    const bool retry =
        options.mode == OpenMode::read_only &&
        (error.kind() == ErrorKind::read_only || error.kind() == ErrorKind::cannot_open) &&
        !std::filesystem::exists(path.string() + "-wal");
    if (!retry) throw;
    state_ = std::make_unique<DatabaseState>(
        path, options, open_flags(options.mode) | SQLITE_OPEN_URI, immutable_uri(path));
    state_->initialise();
  }
}

Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

const std::filesystem::path& Database::path() const {
  return state_->path;
}
bool Database::read_only() const {
  return state_->options.mode == OpenMode::read_only;
}
int Database::schema_version() const {
  return kSchemaVersion;
}

Transaction Database::transaction() {
  return Transaction(*state_);
}

// --- studies -------------------------------------------------------------------------------------

StudyId Database::create_study(const StudyConfig& config) {
  constexpr std::string_view kContext = "creating a study";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  if (config.name.empty()) {
    throw state.error(ErrorKind::invalid_argument, "a study needs a name", kContext);
  }
  if (config.objectives.empty()) {
    throw state.error(ErrorKind::invalid_argument,
                      "study '" + config.name + "' needs at least one objective", kContext);
  }
  std::set<std::string> names;
  for (const Objective& objective : config.objectives) {
    if (objective.name.empty() || !names.insert(objective.name).second) {
      throw state.error(ErrorKind::invalid_argument,
                        "study '" + config.name + "': objective names must be unique and non-empty",
                        kContext);
    }
  }
  if (config.budget < 0) {
    throw state.error(ErrorKind::invalid_argument,
                      "study '" + config.name + "': the budget cannot be negative", kContext);
  }
  if (!config.identity.is_object()) {
    throw state.error(ErrorKind::invalid_argument,
                      "study '" + config.name + "': the identity must be a JSON object", kContext);
  }

  Transaction transaction(state);
  if (auto existing = find_study(config.name)) {
    throw state.error(ErrorKind::invalid_argument,
                      "a study named '" + config.name + "' already exists (id " +
                          std::to_string(existing->id) + ")",
                      kContext);
  }
  const double now = now_seconds();
  StudyId id = 0;
  {
    auto insert = state.query(
        "INSERT INTO study (name, spec, spec_hash, strategy, seed, budget, engine_version, "
        "status, created_at, updated_at, objectives, reference_point, options, identity) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', ?8, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        kContext);
    insert.bind(1, config.name)
        .bind(2, config.spec.dump())
        .bind(3, spec_hash(config.spec))
        .bind(4, config.strategy)
        .bind(5, config.seed)
        .bind(6, config.budget)
        .bind(7, config.engine_version)
        .bind(8, now)
        .bind(9, objectives_to_json(config.objectives).dump())
        .bind(10, config.reference_point.dump())
        .bind(11, config.options.dump())
        .bind(12, config.identity.dump());
    insert.step();
    id = insert.integer(0);
    insert.run();
  }
  transaction.commit();
  return id;
}

Database::Opened Database::create_or_resume_study(const StudyConfig& config) {
  DatabaseState& state = *state_;
  state.require_writable("opening a study");
  Transaction transaction(state);
  Opened opened;
  if (auto existing = find_study(config.name)) {
    check_spec(existing->id, config.spec);
    if (existing->objectives != config.objectives) {
      throw state.error(ErrorKind::spec_mismatch,
                        "study '" + config.name + "' (id " + std::to_string(existing->id) +
                            ") was created with objectives " +
                            objectives_to_json(existing->objectives).dump() + ", not " +
                            objectives_to_json(config.objectives).dump());
    }
    opened.study = std::move(*existing);
  } else {
    opened.study = study(create_study(config));
    opened.created = true;
  }
  transaction.commit();
  return opened;
}

std::optional<StudyInfo> Database::find_study(std::string_view name) {
  DatabaseState& state = *state_;
  auto row = state.query("SELECT " + std::string(kStudyColumns) + " FROM study WHERE name = ?1",
                         "looking up a study");
  row.bind(1, name);
  if (!row.step()) return std::nullopt;
  return state.read_study(row);
}

StudyInfo Database::study(StudyId id) {
  DatabaseState& state = *state_;
  auto row = state.query("SELECT " + std::string(kStudyColumns) + " FROM study WHERE id = ?1",
                         "reading a study");
  row.bind(1, id);
  if (!row.step()) {
    throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
  }
  return state.read_study(row);
}

std::vector<StudyInfo> Database::studies() {
  DatabaseState& state = *state_;
  std::vector<StudyInfo> all;
  auto rows = state.query("SELECT " + std::string(kStudyColumns) + " FROM study ORDER BY id",
                          "listing studies");
  while (rows.step()) all.push_back(state.read_study(rows));
  return all;
}

void Database::check_spec(StudyId id, const nlohmann::json& spec) {
  DatabaseState& state = *state_;
  std::string name;
  std::string stored_hash;
  {
    auto row = state.query("SELECT name, spec_hash FROM study WHERE id = ?1", "checking a spec");
    row.bind(1, id);
    if (!row.step()) {
      throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
    }
    name = row.text(0);
    stored_hash = row.text(1);
  }
  const std::string given_hash = spec_hash(spec);
  if (given_hash != stored_hash) {
    throw state.error(ErrorKind::spec_mismatch,
                      "study '" + name + "' (id " + std::to_string(id) +
                          ") was created from a different spec (stored hash " + stored_hash +
                          ", given " + given_hash +
                          "); resume it with its original spec or start a new study");
  }
}

namespace {

// One UPDATE of a study column by id; no_such_study when there is no such study.
template <typename Value>
void update_study_column(DatabaseState& state, StudyId id, std::string_view column,
                         const Value& value, std::string_view context) {
  state.require_writable(context);
  Transaction transaction = state.begin();
  state
      .query("UPDATE study SET " + std::string(column) + " = ?2, updated_at = ?3 WHERE id = ?1",
             context)
      .bind(1, id)
      .bind(2, value)
      .bind(3, now_seconds())
      .run();
  if (state.connection.changes() == 0) {
    throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
  }
  transaction.commit();
}

}  // namespace

void Database::set_status(StudyId id, StudyStatus status) {
  update_study_column(*state_, id, "status", to_string(status), "setting a study's status");
}

void Database::set_budget(StudyId id, std::int64_t budget) {
  if (budget < 0) {
    throw state_->error(ErrorKind::invalid_argument, "the budget cannot be negative",
                        "setting a study's budget");
  }
  update_study_column(*state_, id, "budget", budget, "setting a study's budget");
}

void Database::set_options(StudyId id, const nlohmann::json& options) {
  update_study_column(*state_, id, "options", options.dump(), "setting a study's options");
}

void Database::set_identity(StudyId id, const nlohmann::json& identity) {
  if (!identity.is_object()) {
    throw state_->error(ErrorKind::invalid_argument, "the identity must be a JSON object",
                        "setting a study's identity");
  }
  update_study_column(*state_, id, "identity", identity.dump(), "setting a study's identity");
}

void Database::delete_study(StudyId id) {
  constexpr std::string_view kContext = "deleting a study";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  // Trials, their objectives and breakdowns, keys and workers go with it (ON DELETE CASCADE).
  state.query("DELETE FROM study WHERE id = ?1", kContext).bind(1, id).run();
  if (state.connection.changes() == 0) {
    throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
  }
  state.cache.erase(id);
  transaction.commit();
}

// --- proposing and claiming ----------------------------------------------------------------------

std::int64_t Database::next_seq(StudyId study) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  state.require_study(study);
  auto row = state.query("SELECT coalesce(max(seq) + 1, 0) FROM trial WHERE study_id = ?1",
                         "finding the next seq");
  row.bind(1, study);
  row.step();
  return row.integer(0);
}

std::vector<PendingTrial> Database::add_pending(StudyId study, std::int64_t batch,
                                                std::int64_t first_seq,
                                                std::span<const ProposedPoint> points) {
  constexpr std::string_view kContext = "adding pending trials";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  for (const ProposedPoint& proposed : points) {
    if (!proposed.point.is_array() || !proposed.params.is_object()) {
      throw state.error(ErrorKind::invalid_argument,
                        "a proposed point must be a JSON array and its params a JSON object",
                        kContext);
    }
  }

  Transaction transaction(state);
  const std::int64_t next = next_seq(study);
  if (first_seq < 0 || first_seq > next) {
    throw state.error(ErrorKind::invalid_argument,
                      "study " + std::to_string(study) + ": first seq " +
                          std::to_string(first_seq) + " would leave a gap (the next seq is " +
                          std::to_string(next) + ")",
                      kContext);
  }
  const double now = now_seconds();
  std::vector<PendingTrial> added;
  added.reserve(points.size());
  CountDelta delta;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::int64_t seq = first_seq + static_cast<std::int64_t>(i);
    const ProposedPoint& proposed = points[i];
    if (seq < next) {
      auto existing = state.query(
          "SELECT id, point, status FROM trial WHERE study_id = ?1 AND seq = ?2", kContext);
      existing.bind(1, study).bind(2, seq);
      if (existing.step()) {
        const json stored = state.decode_column(existing, 1, study, -1, "trial point");
        if (stored != proposed.point) {
          throw state.error(
              ErrorKind::seq_conflict,
              "study " + std::to_string(study) + ": seq " + std::to_string(seq) +
                  " already holds point " + preview(stored) + ", not " + preview(proposed.point) +
                  "; the search did not replay deterministically (changed seed, spec or code?)",
              kContext);
        }
        added.push_back(
            PendingTrial{existing.integer(0), seq, false, parse_trial_status(existing.text(2))});
        continue;
      }
    }
    const std::string point = codec::encode_array(proposed.point);
    const std::string params = state.encode_object(study, kParamKeys, proposed.params);
    auto insert = state.query(
        "INSERT INTO trial (study_id, seq, batch, point, params, status, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6) RETURNING id",
        kContext);
    insert.bind(1, study).bind(2, seq).bind(3, batch).bind_blob(4, point).bind_blob(5, params).bind(
        6, now);
    insert.step();
    added.push_back(PendingTrial{insert.integer(0), seq, true, TrialStatus::pending});
    insert.run();
    ++delta.pending;
  }
  if (!delta.empty()) state.apply(study, delta);
  transaction.commit();
  return added;
}

namespace {

// Marks up to max_count pending trials (lowest seq first) running for worker and hands each
// returned row (the `returning` columns) to read; counters and heartbeat in the same transaction.
template <typename Read>
void claim(DatabaseState& state, StudyId study, std::string_view worker, std::size_t max_count,
           std::string_view returning, Read&& read) {
  constexpr std::string_view kContext = "claiming trials";
  state.require_writable(kContext);
  if (max_count == 0) return;
  // BEGIN IMMEDIATE takes the write lock before reading, so two workers never pick the same row.
  Transaction transaction = state.begin();
  state.require_study(study);
  std::int64_t count = 0;
  {
    auto rows = state.query(
        "UPDATE trial SET status = 'running', worker = ?1, claimed_at = ?2 WHERE id IN ("
        "SELECT id FROM trial INDEXED BY trial_open WHERE study_id = ?3 "
        "AND status IN ('pending', 'running') AND status = 'pending' ORDER BY seq LIMIT ?4) "
        "RETURNING " +
            std::string(returning),
        kContext);
    rows.bind(1, worker)
        .bind(2, now_seconds())
        .bind(3, study)
        .bind(4, static_cast<std::int64_t>(
                     std::min<std::size_t>(max_count, std::numeric_limits<std::int64_t>::max())));
    while (rows.step()) {
      read(rows);
      ++count;
    }
  }
  if (count > 0) state.apply(study, CountDelta{.pending = -count, .running = count});
  state.heartbeat(study, worker);
  transaction.commit();
}

}  // namespace

std::vector<Trial> Database::claim_pending(StudyId study, std::string_view worker,
                                           std::size_t max_count) {
  std::vector<Trial> claimed;
  claim(*state_, study, worker, max_count, kTrialColumns,
        [&](const sqlite::Query& row) { claimed.push_back(state_->read_trial(row, false)); });
  std::sort(claimed.begin(), claimed.end(),
            [](const Trial& a, const Trial& b) { return a.seq < b.seq; });
  return claimed;
}

std::vector<ClaimedPoint> Database::claim_points(StudyId study, std::string_view worker,
                                                 std::size_t max_count) {
  std::vector<ClaimedPoint> claimed;
  claim(*state_, study, worker, max_count, "id, seq, point", [&](const sqlite::Query& row) {
    ClaimedPoint point{row.integer(0), row.integer(1), {}};
    state_->decode_numbers(row, 2, point.point);
    claimed.push_back(std::move(point));
  });
  std::sort(claimed.begin(), claimed.end(),
            [](const ClaimedPoint& a, const ClaimedPoint& b) { return a.seq < b.seq; });
  return claimed;
}

void Database::heartbeat(StudyId study, std::string_view worker) {
  DatabaseState& state = *state_;
  state.require_writable("recording a heartbeat");
  Transaction transaction(state);
  state.require_study(study);
  state.heartbeat(study, worker);
  transaction.commit();
}

namespace {

// Puts running trials back to pending: those of one worker, or (worker empty) those whose worker
// has been idle since before idle_since.
std::size_t release_claims(DatabaseState& state, StudyId study,
                           std::optional<std::string_view> worker, double idle_since,
                           std::string_view context) {
  state.require_writable(context);
  Transaction transaction = state.begin();
  state.require_study(study);
  auto update = state.query(
      "UPDATE trial SET status = 'pending', worker = NULL, claimed_at = NULL WHERE id IN ("
      "SELECT t.id FROM trial t INDEXED BY trial_open "
      "LEFT JOIN study_worker w ON w.study_id = t.study_id AND w.worker = t.worker "
      "WHERE t.study_id = ?1 AND t.status IN ('pending', 'running') AND t.status = 'running' "
      "AND (?2 IS NULL OR t.worker = ?2) "
      "AND (?3 IS NULL OR max(coalesce(w.heartbeat_at, 0), coalesce(t.claimed_at, 0)) <= ?3))",
      context);
  update.bind(1, study).bind(2, worker);
  if (!worker) update.bind(3, idle_since);
  update.run();
  const auto released = state.connection.changes();
  if (worker) {
    state.query("DELETE FROM study_worker WHERE study_id = ?1 AND worker = ?2", context)
        .bind(1, study)
        .bind(2, *worker)
        .run();
  }
  if (released > 0) state.apply(study, CountDelta{.pending = released, .running = -released});
  transaction.commit();
  return static_cast<std::size_t>(released);
}

}  // namespace

std::size_t Database::release_stale(StudyId study, double older_than_seconds) {
  return release_claims(*state_, study, std::nullopt, now_seconds() - older_than_seconds,
                        "releasing stale claims");
}

std::size_t Database::release_worker(StudyId study, std::string_view worker) {
  return release_claims(*state_, study, worker, 0, "releasing a worker's claims");
}

std::vector<Database::WorkerClaims> Database::claims(StudyId study) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  state.require_study(study);
  std::vector<WorkerClaims> result;
  auto rows = state.query(
      "SELECT t.worker, count(*), max(coalesce(max(w.heartbeat_at), 0), "
      "coalesce(max(t.claimed_at), 0)) FROM trial t INDEXED BY trial_open "
      "LEFT JOIN study_worker w ON w.study_id = t.study_id AND w.worker = t.worker "
      "WHERE t.study_id = ?1 AND t.status IN ('pending', 'running') AND t.status = 'running' "
      "GROUP BY t.worker",
      "listing claims");
  rows.bind(1, study);
  const double now = now_seconds();
  while (rows.step()) {
    result.push_back({rows.text(0), rows.integer(1), std::max(0.0, now - rows.real(2))});
  }
  std::sort(result.begin(), result.end(), [](const WorkerClaims& a, const WorkerClaims& b) {
    return a.idle_seconds > b.idle_seconds;
  });
  return result;
}

std::size_t Database::release_dead_workers(StudyId study) {
  constexpr std::string_view kContext = "releasing claims of dead workers";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  state.require_study(study);
  std::vector<std::string> workers;
  {
    auto rows = state.query(
        "SELECT DISTINCT worker FROM trial INDEXED BY trial_open WHERE study_id = ?1 "
        "AND status IN ('pending', 'running') AND status = 'running' AND worker IS NOT NULL",
        kContext);
    rows.bind(1, study);
    while (rows.step()) workers.push_back(rows.text(0));
  }
  const std::string host = local_host_name();
  std::size_t released = 0;
  for (const std::string& worker : workers) {
    if (const auto pid = local_pid_of(worker, host); pid && !process_alive(*pid)) {
      released += release_worker(study, worker);
    }
  }
  transaction.commit();
  return released;
}

// --- results -----------------------------------------------------------------------------------

namespace {

// Runs record(deltas) -> count in one transaction and applies the counter changes it made.
template <typename Record>
std::size_t record_in_transaction(DatabaseState& state, std::string_view context, Record&& record) {
  state.require_writable(context);
  Transaction transaction = state.begin();
  std::map<StudyId, CountDelta> deltas;
  const std::size_t recorded = record(deltas);
  state.apply_all(deltas);
  transaction.commit();
  return recorded;
}

}  // namespace

bool Database::complete(TrialId trial, const TrialResult& result) {
  return record_in_transaction(*state_, "recording a result", [&](auto& deltas) {
           return state_->record(trial, result, deltas) ? 1 : 0;
         }) == 1;
}

std::size_t Database::complete_many(std::span<const Completion> completions) {
  return record_in_transaction(*state_, "recording results", [&](auto& deltas) {
    std::size_t recorded = 0;
    for (const Completion& completion : completions)
      if (state_->record(completion.trial, completion.result, deltas)) ++recorded;
    return recorded;
  });
}

bool Database::fail(TrialId trial, std::string_view error) {
  return record_in_transaction(*state_, "recording a failure", [&](auto& deltas) {
           return state_->record_failure(trial, error, deltas) ? 1 : 0;
         }) == 1;
}

void Database::set_breakdown(TrialId trial, const nlohmann::json& breakdown) {
  set_breakdown_text(trial, breakdown.dump());
}

void Database::set_breakdown_text(TrialId trial, std::string_view breakdown_json) {
  DatabaseState& state = *state_;
  state.require_writable("storing a breakdown");
  Transaction transaction(state);
  state.trial_state(trial);
  state.store_breakdown(trial, breakdown_json);
  transaction.commit();
}

std::size_t Database::prune_breakdowns(StudyId study) {
  constexpr std::string_view kContext = "deleting breakdowns of designs off the front";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  state.require_study(study);
  state
      .query(
          "DELETE FROM trial_breakdown WHERE trial_id IN (SELECT b.trial_id FROM trial_breakdown b "
          "JOIN trial t ON t.id = b.trial_id WHERE t.study_id = ?1 AND t.on_front = 0)",
          kContext)
      .bind(1, study)
      .run();
  const auto deleted = static_cast<std::size_t>(state.connection.changes());
  transaction.commit();
  return deleted;
}

void Database::recompute_front(StudyId study) {
  DatabaseState& state = *state_;
  state.require_writable("recomputing the Pareto front");
  Transaction transaction(state);
  state.rebuild_front(study);
  transaction.commit();
}

// --- reading -----------------------------------------------------------------------------------

namespace {

// The WHERE clause (and index) for a filter, with its parameters in order.
struct FilterSql {
  std::string prefix;      // "WITH ..." before the SELECT, or empty
  std::string from_where;  // "FROM trial [INDEXED BY ...] WHERE ..."
  std::string tail;        // "ORDER BY seq [LIMIT ? OFFSET ?]"
  std::vector<std::variant<std::int64_t, double, std::string>> values;
};

FilterSql filter_sql(StudyId study, const TrialFilter& filter) {
  FilterSql sql;
  if (filter.every > 1) {
    // An even sample by point lookups on (study_id, seq), not a scan of every row.
    sql.prefix =
        "WITH RECURSIVE pick(s) AS (SELECT 0 UNION ALL SELECT s + ? FROM pick WHERE s + ? <= "
        "(SELECT coalesce(max(seq), 0) FROM trial WHERE study_id = ?)) ";
    sql.values.emplace_back(filter.every);
    sql.values.emplace_back(filter.every);
    sql.values.emplace_back(study);
  }
  std::string where = "WHERE study_id = ?";
  sql.values.emplace_back(study);
  std::string index;
  if (filter.status) {
    where += " AND status = ?";
    sql.values.emplace_back(std::string(to_string(*filter.status)));
    if (*filter.status == TrialStatus::pending || *filter.status == TrialStatus::running) {
      where += " AND status IN ('pending', 'running')";
      index = "trial_open";
    }
  }
  if (filter.feasible_only) where += " AND feasible = 1";
  if (filter.infeasible_only) where += " AND status = 'done' AND feasible = 0";
  if (filter.front_only) {
    where += " AND on_front = 1";
    index = "trial_on_front";
  }
  if (filter.off_front_only) where += " AND on_front = 0";
  if (filter.batch) {
    where += " AND batch = ?";
    sql.values.emplace_back(*filter.batch);
  }
  if (filter.seq_from) {
    where += " AND seq >= ?";
    sql.values.emplace_back(*filter.seq_from);
  }
  if (filter.seq_to) {
    where += " AND seq <= ?";
    sql.values.emplace_back(*filter.seq_to);
  }
  if (filter.finished_since) {
    where += " AND finished_at >= ?";
    sql.values.emplace_back(*filter.finished_since);
    if (index.empty()) index = "trial_by_finish";
  }
  if (filter.without_stored_breakdown) {
    where += " AND NOT EXISTS (SELECT 1 FROM trial_breakdown b WHERE b.trial_id = trial.id)";
  }
  // A seq range is best served by the (study_id, seq) key itself.
  if ((filter.seq_from || filter.seq_to) && index != "trial_on_front" && index != "trial_open")
    index.clear();
  sql.from_where = filter.every > 1
                       ? "FROM pick JOIN trial ON trial.seq = pick.s " + where
                       : "FROM trial" + (index.empty() ? "" : " INDEXED BY " + index) + " " + where;
  sql.tail = " ORDER BY seq";
  if (filter.limit || filter.offset > 0) {
    sql.tail += " LIMIT ? OFFSET ?";
    sql.values.emplace_back(filter.limit.value_or(-1));
    sql.values.emplace_back(filter.offset);
  }
  return sql;
}

void bind_all(sqlite::Query& query, const FilterSql& sql, int first_index) {
  int index = first_index;
  for (const auto& value : sql.values) {
    std::visit([&](const auto& v) { query.bind(index, v); }, value);
    ++index;
  }
}

}  // namespace

void Database::for_each_trial(StudyId study, const TrialFilter& filter,
                              const std::function<void(Trial&&)>& visit) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  const std::vector<Objective> objectives = state.cache_of(study).objectives;
  const FilterSql sql = filter_sql(study, filter);
  auto rows = state.query(sql.prefix + "SELECT " + std::string(kTrialColumns) +
                              (filter.with_breakdown ? ", (SELECT breakdown FROM trial_breakdown "
                                                       "WHERE trial_breakdown.trial_id = trial.id) "
                                                     : " ") +
                              sql.from_where + sql.tail,
                          "listing trials");
  bind_all(rows, sql, 1);
  while (rows.step()) {
    Trial trial = state.read_trial(rows, filter.with_breakdown);
    DatabaseState::fill_objectives(trial, objectives);
    visit(std::move(trial));
  }
}

std::vector<Trial> Database::trials(StudyId study, const TrialFilter& filter) {
  std::vector<Trial> result;
  for_each_trial(study, filter, [&](Trial&& trial) { result.push_back(std::move(trial)); });
  return result;
}

void Database::scan(StudyId study, const TrialFilter& filter, ScanKeys& keys,
                    const std::function<void(const TrialRow&)>& visit, ScanColumns columns) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  state.require_study(study);
  // Dictionary index (and, for JSON rows of older files, name) -> index into keys.
  struct Mapping {
    std::vector<std::string>* names = nullptr;
    std::unordered_map<std::string, std::uint32_t> by_name;
    std::vector<std::uint32_t> by_dictionary;
    std::uint32_t of_name(const std::string& name) {
      const auto found = by_name.find(name);
      if (found != by_name.end()) return found->second;
      const auto index = static_cast<std::uint32_t>(names->size());
      names->push_back(name);
      by_name.emplace(name, index);
      return index;
    }
  };
  std::array<Mapping, 2> mappings;
  mappings[kParamKeys].names = &keys.params;
  mappings[kMetricKeys].names = &keys.metrics;
  for (Mapping& mapping : mappings)
    for (std::uint32_t i = 0; i < mapping.names->size(); ++i)
      mapping.by_name.emplace((*mapping.names)[i], i);
  std::unordered_map<std::string, std::int32_t> text_index;
  for (std::size_t i = 0; i < keys.texts.size(); ++i)
    text_index.emplace(keys.texts[i], static_cast<std::int32_t>(i));
  auto intern_text = [&](std::string_view text) {
    // Few distinct texts (dataflows): a linear look first, without building a string.
    constexpr std::size_t kLinear = 32;
    for (std::size_t i = 0; i < keys.texts.size() && i < kLinear; ++i)
      if (keys.texts[i] == text) return static_cast<std::int32_t>(i);
    const auto [it, added] =
        text_index.try_emplace(std::string(text), static_cast<std::int32_t>(keys.texts.size()));
    if (added) keys.texts.emplace_back(text);
    return it->second;
  };
  auto scan_index = [&](int kind, std::uint32_t dictionary_index) {
    Mapping& mapping = mappings[static_cast<std::size_t>(kind)];
    while (dictionary_index >= mapping.by_dictionary.size()) {
      const auto next = static_cast<std::uint32_t>(mapping.by_dictionary.size());
      mapping.by_dictionary.push_back(mapping.of_name(state.key_name(study, kind, next)));
    }
    return mapping.by_dictionary[dictionary_index];
  };

  std::vector<double> metrics, params, point;
  std::vector<std::int32_t> param_texts;
  auto put = [](std::vector<double>& numbers, std::uint32_t index, double value) {
    if (index >= numbers.size())
      numbers.resize(index + 1, std::numeric_limits<double>::quiet_NaN());
    numbers[index] = value;
  };
  // Fills numbers (and texts) from a params or metrics column.
  auto read_column = [&](const sqlite::Query& row, int column, int kind,
                         std::vector<double>& numbers, std::vector<std::int32_t>* texts) {
    Mapping& mapping = mappings[static_cast<std::size_t>(kind)];
    numbers.assign(mapping.names->size(), std::numeric_limits<double>::quiet_NaN());
    if (texts) texts->assign(mapping.names->size(), -1);
    if (row.is_null(column)) return;
    auto note = [&](std::uint32_t index, double number, std::optional<std::string_view> text) {
      put(numbers, index, number);
      if (texts) {
        if (index >= texts->size()) texts->resize(index + 1, -1);
        (*texts)[index] = text ? intern_text(*text) : -1;
      }
    };
    if (row.is_blob(column)) {
      try {
        codec::Cursor cursor(row.bytes(column), true);
        while (cursor.next()) {
          const std::uint32_t index = scan_index(kind, cursor.key());
          if (cursor.tag() == codec::Tag::text) {
            note(index, std::numeric_limits<double>::quiet_NaN(), cursor.text());
          } else if (cursor.tag() == codec::Tag::true_value ||
                     cursor.tag() == codec::Tag::false_value) {
            note(index, cursor.tag() == codec::Tag::true_value ? 1 : 0, std::nullopt);
          } else {
            note(index, cursor.number(), std::nullopt);
          }
        }
      } catch (const codec::DecodeError& problem) {
        throw state.error(ErrorKind::corrupt,
                          "stored trial values do not decode: " + problem.problem);
      }
      return;
    }
    const json object = state.parse_stored(row.bytes(column), "trial values");
    if (!object.is_object()) return;
    for (auto it = object.begin(); it != object.end(); ++it) {
      const std::uint32_t index = mapping.of_name(it.key());
      if (it->is_string()) {
        note(index, std::numeric_limits<double>::quiet_NaN(), it->get<std::string>());
      } else if (it->is_boolean()) {
        note(index, it->get<bool>() ? 1 : 0, std::nullopt);
      } else if (it->is_number()) {
        note(index, it->get<double>(), std::nullopt);
      }
    }
  };

  const FilterSql sql = filter_sql(study, filter);
  auto rows = state.query(
      sql.prefix +
          "SELECT id, seq, batch, status, feasible, on_front, finished_at, eval_seconds, params, "
          "metrics, violations, point " +
          sql.from_where + sql.tail,
      "scanning trials");
  bind_all(rows, sql, 1);
  TrialRow out;
  while (rows.step()) {
    out.id = rows.integer(0);
    out.seq = rows.integer(1);
    out.batch = rows.integer(2);
    out.status = parse_trial_status(rows.text(3));
    out.feasible = rows.integer(4) != 0;
    out.on_front = rows.integer(5) != 0;
    out.finished_at = rows.optional_real(6);
    out.eval_seconds = rows.optional_real(7);
    if (columns.params) read_column(rows, 8, kParamKeys, params, &param_texts);
    if (columns.metrics) read_column(rows, 9, kMetricKeys, metrics, nullptr);
    out.params = params;
    out.param_texts = param_texts;
    out.metrics = metrics;
    const std::string_view violations = rows.is_null(10) ? std::string_view() : rows.bytes(10);
    out.violations = violations == "[]" ? std::string_view() : violations;
    point.clear();
    if (columns.point) state.decode_numbers(rows, 11, point);
    out.point = point;
    visit(out);
  }
}

std::vector<Trial> Database::front(StudyId study) {
  TrialFilter filter;
  filter.front_only = true;
  return trials(study, filter);
}

std::vector<std::pair<TrialId, std::vector<double>>> Database::front_objectives(StudyId study) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  state.require_study(study);
  return state.load_front_values(study);
}

std::int64_t Database::open_trials(StudyId study, std::int64_t seq_from, std::int64_t seq_to) {
  DatabaseState& state = *state_;
  auto row = state.query(
      "SELECT count(*) FROM trial INDEXED BY trial_open WHERE study_id = ?1 "
      "AND status IN ('pending', 'running') AND seq >= ?2 AND seq <= ?3",
      "counting open trials");
  row.bind(1, study).bind(2, seq_from).bind(3, seq_to);
  row.step();
  return row.integer(0);
}

std::optional<Trial> Database::trial(TrialId trial, bool with_breakdown) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  std::optional<Trial> found;
  {
    auto row = state.query("SELECT " + std::string(kTrialColumns) +
                               ", CASE WHEN ?2 THEN (SELECT breakdown FROM trial_breakdown "
                               "WHERE trial_breakdown.trial_id = trial.id) END "
                               "FROM trial WHERE id = ?1",
                           "reading a trial");
    row.bind(1, trial).bind(2, with_breakdown ? 1 : 0);
    if (!row.step()) return std::nullopt;
    found = state.read_trial(row, true);
  }
  DatabaseState::fill_objectives(*found, state.cache_of(found->study).objectives);
  return found;
}

std::optional<Trial> Database::trial_by_seq(StudyId study, std::int64_t seq, bool with_breakdown) {
  TrialFilter filter;
  filter.seq_from = seq;
  filter.seq_to = seq;
  filter.with_breakdown = with_breakdown;
  std::vector<Trial> found = trials(study, filter);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<nlohmann::json> Database::breakdown(TrialId trial) {
  DatabaseState& state = *state_;
  auto row = state.query("SELECT breakdown FROM trial_breakdown WHERE trial_id = ?1",
                         "reading a breakdown");
  row.bind(1, trial);
  if (!row.step()) return std::nullopt;
  return state.parse_stored(row.bytes(0), "trial breakdown");
}

std::int64_t Database::breakdown_bytes(StudyId study) {
  DatabaseState& state = *state_;
  auto row = state.query(
      "SELECT coalesce(sum(length(b.breakdown)), 0) FROM trial_breakdown b "
      "JOIN trial t ON t.id = b.trial_id WHERE t.study_id = ?1",
      "measuring breakdowns");
  row.bind(1, study);
  row.step();
  return row.integer(0);
}

TrialCounts Database::counts(StudyId study) {
  return state_->count_trials(study);
}

void Database::check_integrity() {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  {
    auto rows = state.query("PRAGMA quick_check", "checking integrity");
    if (rows.step()) {
      const std::string first = rows.text(0);
      if (first != "ok") throw state.error(ErrorKind::corrupt, "integrity check failed: " + first);
    }
  }
  std::map<StudyId, TrialCounts> actual;
  {
    auto rows = state.query(
        "SELECT study_id, status, count(*), sum(status = 'done' AND feasible = 1) FROM trial "
        "GROUP BY study_id, status",
        "checking the counters");
    while (rows.step()) {
      TrialCounts& counts = actual[rows.integer(0)];
      const std::int64_t count = rows.integer(2);
      switch (parse_trial_status(rows.text(1))) {
        case TrialStatus::pending:
          counts.pending = count;
          break;
        case TrialStatus::running:
          counts.running = count;
          break;
        case TrialStatus::done:
          counts.done = count;
          counts.feasible = rows.integer(3);
          break;
        case TrialStatus::failed:
          counts.failed = count;
          break;
      }
    }
  }
  for (const StudyInfo& info : studies()) {
    const TrialCounts& counted = actual[info.id];
    if (counted != info.counts) {
      throw state.error(
          ErrorKind::corrupt,
          "study " + std::to_string(info.id) + ": stored counters (" +
              std::to_string(info.counts.pending) + " pending, " +
              std::to_string(info.counts.running) + " running, " +
              std::to_string(info.counts.done) + " done, " + std::to_string(info.counts.failed) +
              " failed) disagree with its trials (" + std::to_string(counted.pending) + ", " +
              std::to_string(counted.running) + ", " + std::to_string(counted.done) + ", " +
              std::to_string(counted.failed) + ")");
    }
  }
}

}  // namespace accelscope::store
