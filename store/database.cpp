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
#include <utility>

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
    "updated_at, objectives, reference_point, options";

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

  // Each study's objectives and current front, so recording a result reads nothing back. Valid
  // while no other connection has committed (PRAGMA data_version, checked as each write
  // transaction takes the lock) and dropped on any rollback, which may undo cached changes.
  struct StudyFront {
    std::vector<Objective> objectives;
    ParetoFront front;
  };
  std::map<StudyId, StudyFront> fronts;
  std::int64_t fronts_data_version = -1;

  void validate_front_cache() {
    auto version = query("PRAGMA data_version", "checking for other writers");
    version.step();
    if (version.integer(0) != fronts_data_version) {
      fronts.clear();
      fronts_data_version = version.integer(0);
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

  json parse_stored(const std::string& text, std::string_view what) const {
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
      throw error(ErrorKind::corrupt, "stored " + std::string(what) + " is not valid JSON");
    }
    return value;
  }

  sqlite::Query query(std::string_view sql, std::string_view context) {
    return connection.query(sql, context);
  }

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
    if (options.mode != OpenMode::read_only) return;
    if (version == 0) {
      throw error(ErrorKind::not_accelscope,
                  "not an accelscope study database (empty; nothing to read)");
    }
    if (version < kSchemaVersion) {
      throw error(ErrorKind::needs_migration,
                  "schema version " + std::to_string(version) + " is older than " +
                      std::to_string(kSchemaVersion) +
                      "; open it read-write once (e.g. resume the search) to migrate it");
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
    return objectives_from_json(parse_stored(row.text(0), "study objectives"));
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

  StudyInfo read_study(const sqlite::Query& row) const {
    StudyInfo info;
    info.id = row.integer(0);
    info.name = row.text(1);
    info.spec = parse_stored(row.text(2), "study spec");
    info.spec_hash = row.text(3);
    info.strategy = row.text(4);
    info.seed = row.integer(5);
    info.budget = row.integer(6);
    info.engine_version = row.text(7);
    info.status = parse_study_status(row.text(8));
    info.created_at = row.real(9);
    info.updated_at = row.real(10);
    info.objectives = objectives_from_json(parse_stored(row.text(11), "study objectives"));
    info.reference_point = parse_stored(row.text(12), "reference point");
    info.options = parse_stored(row.text(13), "study options");
    return info;
  }

  TrialCounts count_trials(StudyId study) {
    TrialCounts counts;
    auto rows = query("SELECT status, count(*) FROM trial WHERE study_id = ?1 GROUP BY status",
                      "counting trials");
    rows.bind(1, study);
    while (rows.step()) add_count(counts, rows.text(0), rows.integer(1));
    return counts;
  }

  static void add_count(TrialCounts& counts, std::string_view status, std::int64_t count) {
    switch (parse_trial_status(status)) {
      case TrialStatus::pending:
        counts.pending += count;
        break;
      case TrialStatus::running:
        counts.running += count;
        break;
      case TrialStatus::done:
        counts.done += count;
        break;
      case TrialStatus::failed:
        counts.failed += count;
        break;
    }
  }

  // Reads kTrialColumns (and, at column 18 when present, the breakdown).
  Trial read_trial(const sqlite::Query& row, bool has_breakdown) const {
    Trial trial;
    trial.id = row.integer(0);
    trial.study = row.integer(1);
    trial.seq = row.integer(2);
    trial.batch = row.integer(3);
    trial.point = parse_stored(row.text(4), "trial point");
    trial.params = parse_stored(row.text(5), "trial params");
    trial.status = parse_trial_status(row.text(6));
    trial.worker = row.text(7);
    trial.claimed_at = row.optional_real(8);
    trial.created_at = row.real(9);
    trial.finished_at = row.optional_real(10);
    trial.eval_seconds = row.optional_real(11);
    if (!row.is_null(12)) trial.metrics = parse_stored(row.text(12), "trial metrics");
    if (auto feasible = row.optional_integer(13)) trial.feasible = *feasible != 0;
    if (!row.is_null(14)) trial.violations = parse_stored(row.text(14), "trial violations");
    if (!row.is_null(15)) trial.workloads = parse_stored(row.text(15), "trial workloads");
    trial.on_front = row.integer(16) != 0;
    trial.error = row.text(17);
    if (has_breakdown && !row.is_null(18)) {
      trial.breakdown = parse_stored(row.text(18), "trial breakdown");
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

  // --- writes ----------------------------------------------------------------------------------

  void touch_study(StudyId study) {
    query("UPDATE study SET updated_at = ?2 WHERE id = ?1", "updating a study")
        .bind(1, study)
        .bind(2, now_seconds())
        .run();
  }

  // The study's front as stored, loaded once per write transaction. Members that turn out to
  // be dominated (only after a manual edit of the file) are unflagged on the way.
  StudyFront& front_of(StudyId study) {
    auto cached = fronts.find(study);
    if (cached != fronts.end()) return cached->second;
    StudyFront loaded{load_objectives(study), {}};
    std::vector<std::pair<TrialId, std::vector<double>>> members;
    {
      auto rows = query(
          "SELECT trial.id, o.value FROM trial JOIN trial_objective o ON o.trial_id = trial.id "
          "WHERE trial.study_id = ?1 AND trial.on_front = 1 ORDER BY trial.id, o.idx",
          "loading the Pareto front");
      rows.bind(1, study);
      while (rows.step()) {
        const TrialId id = rows.integer(0);
        if (members.empty() || members.back().first != id)
          members.emplace_back(id, std::vector<double>{});
        members.back().second.push_back(rows.real(1));
      }
    }
    std::vector<TrialId> unflag;
    for (auto& [id, values] : members) {
      if (values.size() != loaded.objectives.size()) {
        unflag.push_back(id);
        continue;
      }
      auto inserted = loaded.front.insert(id, minimised(values, loaded.objectives));
      if (!inserted.on_front) unflag.push_back(id);
      unflag.insert(unflag.end(), inserted.evicted.begin(), inserted.evicted.end());
    }
    for (TrialId id : unflag) set_on_front(id, false);
    return fronts.emplace(study, std::move(loaded)).first->second;
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

  void store_breakdown(TrialId trial, const json& breakdown) {
    query(
        "INSERT INTO trial_breakdown (trial_id, breakdown) VALUES (?1, ?2) "
        "ON CONFLICT (trial_id) DO UPDATE SET breakdown = excluded.breakdown",
        "storing a breakdown")
        .bind(1, trial)
        .bind(2, breakdown.dump())
        .run();
  }

  // Records one result; the caller holds a write transaction.
  bool record(TrialId trial, const TrialResult& result) {
    constexpr std::string_view kContext = "recording a result";
    if (!result.metrics.is_object()) {
      throw error(ErrorKind::invalid_argument,
                  "trial " + std::to_string(trial) + ": metrics must be a JSON object", kContext);
    }
    const auto [study, status] = trial_state(trial);
    if (status == TrialStatus::done || status == TrialStatus::failed) return false;

    StudyFront& study_front = front_of(study);
    const std::vector<double> values = objective_values(result.metrics, study_front.objectives);
    const bool complete_vector =
        std::none_of(values.begin(), values.end(), [](double value) { return std::isnan(value); });
    if (result.feasible && !complete_vector) {
      const auto missing = static_cast<std::size_t>(
          std::find_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }) -
          values.begin());
      throw error(ErrorKind::invalid_argument,
                  "trial " + std::to_string(trial) + ": objective '" +
                      study_front.objectives[missing].name +
                      "' is missing from the metrics or not a finite number",
                  kContext);
    }

    ParetoFront::InsertResult front_change;
    if (result.feasible) {
      front_change = study_front.front.insert(trial, minimised(values, study_front.objectives));
    }
    query(
        "UPDATE trial SET status = 'done', metrics = ?2, feasible = ?3, violations = ?4, "
        "workloads = ?5, finished_at = ?6, eval_seconds = ?7, on_front = ?8, error = NULL "
        "WHERE id = ?1",
        kContext)
        .bind(1, trial)
        .bind(2, result.metrics.dump())
        .bind(3, result.feasible ? 1 : 0)
        .bind(4, result.violations.dump())
        .bind(5, result.workloads.dump())
        .bind(6, now_seconds())
        .bind(7, result.eval_seconds)
        .bind(8, front_change.on_front ? 1 : 0)
        .run();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i])) continue;
      query(
          "INSERT INTO trial_objective (trial_id, idx, name, value) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (trial_id, idx) DO UPDATE SET name = excluded.name, value = excluded.value",
          kContext)
          .bind(1, trial)
          .bind(2, static_cast<std::int64_t>(i))
          .bind(3, study_front.objectives[i].name)
          .bind(4, values[i])
          .run();
    }
    for (TrialId evicted : front_change.evicted) set_on_front(evicted, false);
    if (result.breakdown) store_breakdown(trial, *result.breakdown);
    touch_study(study);
    return true;
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
      state.validate_front_cache();
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
  state.fronts.clear();  // the cache may hold changes that were just undone
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
        "status, created_at, updated_at, objectives, reference_point, options) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', ?8, ?8, ?9, ?10, ?11) RETURNING id",
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
        .bind(11, config.options.dump());
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
  DatabaseState::ReadSnapshot snapshot(state);
  std::optional<StudyInfo> found;
  {
    auto row = state.query("SELECT " + std::string(kStudyColumns) + " FROM study WHERE name = ?1",
                           "looking up a study");
    row.bind(1, name);
    if (!row.step()) return std::nullopt;
    found = state.read_study(row);
  }
  found->counts = state.count_trials(found->id);
  return found;
}

StudyInfo Database::study(StudyId id) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  StudyInfo info;
  {
    auto row = state.query("SELECT " + std::string(kStudyColumns) + " FROM study WHERE id = ?1",
                           "reading a study");
    row.bind(1, id);
    if (!row.step()) {
      throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
    }
    info = state.read_study(row);
  }
  info.counts = state.count_trials(id);
  return info;
}

std::vector<StudyInfo> Database::studies() {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  std::vector<StudyInfo> all;
  {
    auto rows = state.query("SELECT " + std::string(kStudyColumns) + " FROM study ORDER BY id",
                            "listing studies");
    while (rows.step()) all.push_back(state.read_study(rows));
  }
  std::map<StudyId, TrialCounts> counts;
  {
    auto rows =
        state.query("SELECT study_id, status, count(*) FROM trial GROUP BY study_id, status",
                    "counting trials");
    while (rows.step()) {
      DatabaseState::add_count(counts[rows.integer(0)], rows.text(1), rows.integer(2));
    }
  }
  for (StudyInfo& info : all) info.counts = counts[info.id];
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

void Database::set_status(StudyId id, StudyStatus status) {
  constexpr std::string_view kContext = "setting a study's status";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  state.query("UPDATE study SET status = ?2, updated_at = ?3 WHERE id = ?1", kContext)
      .bind(1, id)
      .bind(2, to_string(status))
      .bind(3, now_seconds())
      .run();
  if (state.connection.changes() == 0) {
    throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
  }
  transaction.commit();
}

void Database::set_budget(StudyId id, std::int64_t budget) {
  constexpr std::string_view kContext = "setting a study's budget";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  if (budget < 0) {
    throw state.error(ErrorKind::invalid_argument, "the budget cannot be negative", kContext);
  }
  Transaction transaction(state);
  state.query("UPDATE study SET budget = ?2, updated_at = ?3 WHERE id = ?1", kContext)
      .bind(1, id)
      .bind(2, budget)
      .bind(3, now_seconds())
      .run();
  if (state.connection.changes() == 0) {
    throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
  }
  transaction.commit();
}

void Database::delete_study(StudyId id) {
  constexpr std::string_view kContext = "deleting a study";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  // Trials, their objectives and breakdowns go with it (ON DELETE CASCADE).
  state.query("DELETE FROM study WHERE id = ?1", kContext).bind(1, id).run();
  if (state.connection.changes() == 0) {
    throw state.error(ErrorKind::no_such_study, "no study with id " + std::to_string(id));
  }
  state.fronts.erase(id);
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
  bool inserted_any = false;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::int64_t seq = first_seq + static_cast<std::int64_t>(i);
    const ProposedPoint& proposed = points[i];
    if (seq < next) {
      auto existing = state.query(
          "SELECT id, point, status FROM trial WHERE study_id = ?1 AND seq = ?2", kContext);
      existing.bind(1, study).bind(2, seq);
      if (existing.step()) {
        const json stored = state.parse_stored(existing.text(1), "trial point");
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
    auto insert = state.query(
        "INSERT INTO trial (study_id, seq, batch, point, params, status, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6) RETURNING id",
        kContext);
    insert.bind(1, study)
        .bind(2, seq)
        .bind(3, batch)
        .bind(4, proposed.point.dump())
        .bind(5, proposed.params.dump())
        .bind(6, now);
    insert.step();
    added.push_back(PendingTrial{insert.integer(0), seq, true, TrialStatus::pending});
    insert.run();
    inserted_any = true;
  }
  if (inserted_any) state.touch_study(study);
  transaction.commit();
  return added;
}

std::vector<Trial> Database::claim_pending(StudyId study, std::string_view worker,
                                           std::size_t max_count) {
  constexpr std::string_view kContext = "claiming trials";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  std::vector<Trial> claimed;
  if (max_count == 0) return claimed;

  // BEGIN IMMEDIATE takes the write lock before reading, so two workers never pick the same row.
  Transaction transaction(state);
  state.require_study(study);
  {
    auto rows = state.query(
        "UPDATE trial SET status = 'running', worker = ?1, claimed_at = ?2 WHERE id IN ("
        "SELECT id FROM trial WHERE study_id = ?3 AND status = 'pending' ORDER BY seq LIMIT ?4) "
        "RETURNING " +
            std::string(kTrialColumns),
        kContext);
    rows.bind(1, worker)
        .bind(2, now_seconds())
        .bind(3, study)
        .bind(4, static_cast<std::int64_t>(
                     std::min<std::size_t>(max_count, std::numeric_limits<std::int64_t>::max())));
    while (rows.step()) claimed.push_back(state.read_trial(rows, false));
  }
  transaction.commit();
  std::sort(claimed.begin(), claimed.end(),
            [](const Trial& a, const Trial& b) { return a.seq < b.seq; });
  return claimed;
}

std::size_t Database::release_stale(StudyId study, double older_than_seconds) {
  constexpr std::string_view kContext = "releasing stale claims";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  state.require_study(study);
  state
      .query(
          "UPDATE trial SET status = 'pending', worker = NULL, claimed_at = NULL "
          "WHERE study_id = ?1 AND status = 'running' AND claimed_at <= ?2",
          kContext)
      .bind(1, study)
      .bind(2, now_seconds() - older_than_seconds)
      .run();
  const auto released = static_cast<std::size_t>(state.connection.changes());
  transaction.commit();
  return released;
}

std::size_t Database::release_worker(StudyId study, std::string_view worker) {
  constexpr std::string_view kContext = "releasing a worker's claims";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  state.require_study(study);
  state
      .query(
          "UPDATE trial SET status = 'pending', worker = NULL, claimed_at = NULL "
          "WHERE study_id = ?1 AND status = 'running' AND worker = ?2",
          kContext)
      .bind(1, study)
      .bind(2, worker)
      .run();
  const auto released = static_cast<std::size_t>(state.connection.changes());
  transaction.commit();
  return released;
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
        "SELECT DISTINCT worker FROM trial WHERE study_id = ?1 AND status = 'running' "
        "AND worker IS NOT NULL",
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

bool Database::complete(TrialId trial, const TrialResult& result) {
  DatabaseState& state = *state_;
  state.require_writable("recording a result");
  Transaction transaction(state);
  const bool recorded = state.record(trial, result);
  transaction.commit();
  return recorded;
}

std::size_t Database::complete_many(std::span<const Completion> completions) {
  DatabaseState& state = *state_;
  state.require_writable("recording results");
  Transaction transaction(state);
  std::size_t recorded = 0;
  for (const Completion& completion : completions) {
    if (state.record(completion.trial, completion.result)) ++recorded;
  }
  transaction.commit();
  return recorded;
}

bool Database::fail(TrialId trial, std::string_view error) {
  constexpr std::string_view kContext = "recording a failure";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  const auto [study, status] = state.trial_state(trial);
  if (status == TrialStatus::done || status == TrialStatus::failed) return false;
  state
      .query(
          "UPDATE trial SET status = 'failed', error = ?2, finished_at = ?3, on_front = 0 "
          "WHERE id = ?1",
          kContext)
      .bind(1, trial)
      .bind(2, error)
      .bind(3, now_seconds())
      .run();
  state.touch_study(study);
  transaction.commit();
  return true;
}

void Database::set_breakdown(TrialId trial, const nlohmann::json& breakdown) {
  DatabaseState& state = *state_;
  state.require_writable("storing a breakdown");
  Transaction transaction(state);
  state.trial_state(trial);
  state.store_breakdown(trial, breakdown);
  transaction.commit();
}

void Database::recompute_front(StudyId study) {
  constexpr std::string_view kContext = "recomputing the Pareto front";
  DatabaseState& state = *state_;
  state.require_writable(kContext);
  Transaction transaction(state);
  const std::vector<Objective> objectives = state.load_objectives(study);
  state.query("UPDATE trial SET on_front = 0 WHERE study_id = ?1 AND on_front = 1", kContext)
      .bind(1, study)
      .run();
  std::vector<std::pair<TrialId, std::vector<double>>> candidates;
  {
    auto rows = state.query(
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
    if (values.size() == objectives.size()) {
      front.insert(id, DatabaseState::minimised(values, objectives));
    }
  }
  for (const ParetoFront::Member& member : front.members()) state.set_on_front(member.id, true);
  state.fronts.erase(study);
  transaction.commit();
}

// --- reading -----------------------------------------------------------------------------------

std::vector<Trial> Database::trials(StudyId study, const TrialFilter& filter) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  const std::vector<Objective> objectives = state.load_objectives(study);
  std::vector<Trial> result;
  auto rows = state.query("SELECT " + std::string(kTrialColumns) +
                              ", CASE WHEN ?10 THEN (SELECT breakdown FROM trial_breakdown "
                              "WHERE trial_breakdown.trial_id = trial.id) END "
                              "FROM trial WHERE study_id = ?1 "
                              "AND (?2 IS NULL OR status = ?2) "
                              "AND (?3 = 0 OR feasible = 1) "
                              "AND (?4 = 0 OR on_front = 1) "
                              "AND (?5 IS NULL OR batch = ?5) "
                              "AND (?6 IS NULL OR seq >= ?6) "
                              "AND (?7 IS NULL OR seq <= ?7) "
                              "AND (?8 IS NULL OR finished_at >= ?8) "
                              "ORDER BY seq LIMIT ?9 OFFSET ?11",
                          "listing trials");
  rows.bind(1, study);
  if (filter.status) rows.bind(2, to_string(*filter.status));
  rows.bind(3, filter.feasible_only ? 1 : 0)
      .bind(4, filter.front_only ? 1 : 0)
      .bind(5, filter.batch)
      .bind(6, filter.seq_from)
      .bind(7, filter.seq_to)
      .bind(8, filter.finished_since)
      .bind(9, filter.limit.value_or(-1))
      .bind(10, filter.with_breakdown ? 1 : 0)
      .bind(11, filter.offset);
  while (rows.step()) {
    Trial trial = state.read_trial(rows, true);
    DatabaseState::fill_objectives(trial, objectives);
    result.push_back(std::move(trial));
  }
  return result;
}

std::vector<Trial> Database::front(StudyId study) {
  TrialFilter filter;
  filter.front_only = true;
  return trials(study, filter);
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
  DatabaseState::fill_objectives(*found, state.load_objectives(found->study));
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
  return state.parse_stored(row.text(0), "trial breakdown");
}

TrialCounts Database::counts(StudyId study) {
  DatabaseState& state = *state_;
  DatabaseState::ReadSnapshot snapshot(state);
  state.require_study(study);
  return state.count_trials(study);
}

void Database::check_integrity() {
  DatabaseState& state = *state_;
  auto rows = state.query("PRAGMA quick_check", "checking integrity");
  if (!rows.step()) return;
  const std::string first = rows.text(0);
  if (first != "ok") {
    throw state.error(ErrorKind::corrupt, "integrity check failed: " + first);
  }
}

}  // namespace accelscope::store
