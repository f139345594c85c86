// One SQLite file of studies and their trials: the only code in accelscope that speaks SQL.
//
// Thread safety: a Database is one SQLite connection and is NOT shared between threads; each
// thread or process opens its own (after fork(), never inherit one). Several Databases on one
// file, in one process or many on the same host, are safe: writes are serialised by SQLite's
// lock (WAL mode, waiting up to the busy timeout) and claim_pending() hands each pending trial
// to exactly one caller. Not for network file systems (WAL needs shared memory).
//
// Crash safety: every public write is one transaction (BEGIN IMMEDIATE, rolled back on any
// error), so a killed process leaves either all or nothing of a call. Trials it had claimed stay
// 'running' until release_dead_workers(), release_worker() or release_stale() puts them back to
// 'pending'. A Transaction must not outlive its Database.
//
// Scale: every call a search makes per batch costs O(batch) (or O(front)), never O(study): counts
// are running counters, the front is kept in memory between write transactions, and each query
// has an index that matches it. Whole-study reads are streaming (for_each_trial, scan).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/error.hpp"
#include "store/types.hpp"

namespace accelscope::store {

enum class OpenMode : std::uint8_t {
  create,      // read-write; creates the file if missing and migrates an older schema
  read_write,  // read-write; the file must exist (migrates an older schema)
  read_only,   // for viewers and reports: never creates, migrates or writes anything
};

struct OpenOptions {
  OpenMode mode = OpenMode::create;
  // How long a write waits for another connection's lock before failing with ErrorKind::locked.
  std::chrono::milliseconds busy_timeout{10000};
  // Caps the file size (0: no cap); a write past it fails with ErrorKind::full like a full disk.
  std::int64_t max_size_bytes = 0;
  // false (synchronous=NORMAL): a killed process loses nothing committed, a power cut may lose the
  // last commits. true (FULL): an fsync per commit also survives power cuts.
  bool sync_every_commit = false;
};

// Hash of a spec's canonical JSON text (keys sorted): 16 hex digits of FNV-1a 64.
std::string spec_hash(const nlohmann::json& spec);

// A name for the calling process as a worker: "host:pid" (append ":thread" etc. as needed; the
// prefix lets release_dead_workers() recognise it).
std::string default_worker_id();

namespace detail {
struct DatabaseState;
}

// RAII transaction. The outermost is BEGIN IMMEDIATE (takes the write lock at once, so it never
// fails half-way for lock reasons) and commits on commit(); nested ones are savepoints. Destroyed
// without commit(), it rolls back. Every Database write joins an open transaction, so a caller
// can group many (e.g. a batch of results) into one commit.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  void commit();

 private:
  friend class Database;
  friend struct detail::DatabaseState;
  explicit Transaction(detail::DatabaseState& state);
  detail::DatabaseState* state_ = nullptr;  // null once committed, rolled back or moved from
  int level_ = 0;                           // 1 for the outermost
};

class Database {
 public:
  // Opens (and per mode creates and migrates) the file. Throws StoreError: not_found,
  // cannot_open, not_sqlite, not_accelscope, corrupt, too_new, needs_migration, read_only, locked.
  explicit Database(const std::filesystem::path& path, OpenOptions options = {});
  ~Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;

  const std::filesystem::path& path() const;
  bool read_only() const;
  int schema_version() const;  // of the open file (== kSchemaVersion)

  Transaction transaction();

  // --- studies ---------------------------------------------------------------------------------
  // Throws invalid_argument if the name is taken, empty, or objectives are missing or repeated.
  StudyId create_study(const StudyConfig& config);
  // The study named config.name, created if absent. An existing one must have the same spec hash
  // and objectives (spec_mismatch otherwise); its other fields are left as stored.
  struct Opened {
    StudyInfo study;
    bool created = false;
  };
  Opened create_or_resume_study(const StudyConfig& config);
  std::optional<StudyInfo> find_study(std::string_view name);
  StudyInfo study(StudyId id);       // throws no_such_study
  std::vector<StudyInfo> studies();  // all, by id, with counts
  // Throws spec_mismatch (naming the study and both hashes) unless spec hashes as stored.
  void check_spec(StudyId id, const nlohmann::json& spec);
  void set_status(StudyId id, StudyStatus status);
  void set_budget(StudyId id, std::int64_t budget);
  void set_options(StudyId id, const nlohmann::json& options);
  void set_identity(StudyId id, const nlohmann::json& identity);
  void delete_study(StudyId id);  // with all its trials

  // --- proposing and claiming ------------------------------------------------------------------
  // The seq the next proposed point gets: one past the largest seq of the study (0 if none).
  std::int64_t next_seq(StudyId study);
  // Inserts points as pending trials with seq first_seq, first_seq + 1, ... asked in round batch.
  // Idempotent for replay: a seq that exists with an equal point is left untouched (inserted =
  // false, whatever its status); with a different point the whole call fails with seq_conflict.
  // first_seq may not leave a gap after the study's last seq (invalid_argument).
  std::vector<PendingTrial> add_pending(StudyId study, std::int64_t batch, std::int64_t first_seq,
                                        std::span<const ProposedPoint> points);
  // Atomically marks up to max_count pending trials (lowest seq first) running, claimed by
  // worker, and returns them in seq order; empty when none is pending. Each pending trial is
  // handed to exactly one caller, across threads and processes.
  std::vector<Trial> claim_pending(StudyId study, std::string_view worker, std::size_t max_count);
  // The same, returning only what evaluating needs (no JSON): the fast path of the study loop.
  std::vector<ClaimedPoint> claim_points(StudyId study, std::string_view worker,
                                         std::size_t max_count);
  // Records that worker is alive and making progress (claim_pending() does it too).
  void heartbeat(StudyId study, std::string_view worker);
  // Puts back to pending the running trials whose worker has shown no heartbeat (nor claimed
  // anything) for at least older_than_seconds, whatever its process id says (0: all claims).
  std::size_t release_stale(StudyId study, double older_than_seconds);
  struct WorkerClaims {
    std::string worker;
    std::int64_t running = 0;  // trials it holds
    double idle_seconds = 0;   // since its last heartbeat (or claim)
  };
  // Who holds running trials of the study, most idle first.
  std::vector<WorkerClaims> claims(StudyId study);
  // Puts the running trials claimed by worker back to pending.
  std::size_t release_worker(StudyId study, std::string_view worker);
  // At resume: releases the claims of workers named "host:pid[:...]" (default_worker_id()) whose
  // host is this one and whose process no longer exists. Other workers are left alone (a worker
  // on another host needs release_stale()).
  std::size_t release_dead_workers(StudyId study);

  // --- results ---------------------------------------------------------------------------------
  // Records a result (the trial may be pending or running) and updates the study's front, in one
  // transaction. Every objective must be a finite number in result.metrics when feasible
  // (invalid_argument otherwise). Returns false, changing nothing, if the trial already finished
  // (a duplicate completion after a stale claim was re-run). Throws no_such_trial.
  bool complete(TrialId trial, const TrialResult& result);
  // Records many results in one transaction (the fast path: one commit per batch). Returns how
  // many were recorded (duplicates skipped as in complete()).
  std::size_t complete_many(std::span<const Completion> completions);
  // Marks the trial failed with an error text; false if it already finished.
  bool fail(TrialId trial, std::string_view error);
  // Stores (or replaces) a trial's per-layer breakdown (the second form takes it as JSON text,
  // serialised by the caller, e.g. in parallel).
  void set_breakdown(TrialId trial, const nlohmann::json& breakdown);
  void set_breakdown_text(TrialId trial, std::string_view breakdown_json);
  // Deletes the breakdowns of the study's trials that are no longer on the front; returns how many.
  std::size_t prune_breakdowns(StudyId study);
  // Rebuilds a study's on_front flags from all its done trials (a repair tool; normally the
  // front is maintained incrementally by complete()).
  void recompute_front(StudyId study);

  // --- reading ---------------------------------------------------------------------------------
  std::vector<Trial> trials(StudyId study, const TrialFilter& filter = {});  // by seq
  // The same trials one at a time (by seq), without holding them all in memory. The callback
  // must not call this Database.
  void for_each_trial(StudyId study, const TrialFilter& filter,
                      const std::function<void(Trial&&)>& visit);
  // The same trials as numbers (TrialRow), the fast path for plots of millions of designs;
  // keys receives the names behind the indices (and only grows).
  void scan(StudyId study, const TrialFilter& filter, ScanKeys& keys,
            const std::function<void(const TrialRow&)>& visit, ScanColumns columns = {});
  std::vector<Trial> front(StudyId study);  // feasible non-dominated done trials, by seq
  // The front's objective vectors (study order, natural direction) and trial ids, by seq.
  std::vector<std::pair<TrialId, std::vector<double>>> front_objectives(StudyId study);
  // Pending or running trials with seq in [seq_from, seq_to].
  std::int64_t open_trials(StudyId study, std::int64_t seq_from, std::int64_t seq_to);
  std::optional<Trial> trial(TrialId trial, bool with_breakdown = true);
  std::optional<Trial> trial_by_seq(StudyId study, std::int64_t seq, bool with_breakdown = false);
  std::optional<nlohmann::json> breakdown(TrialId trial);
  // Bytes of the study's stored breakdowns (JSON text), for file size accounting.
  std::int64_t breakdown_bytes(StudyId study);
  TrialCounts counts(StudyId study);

  // Runs SQLite's quick_check and compares every study's counters with its trials (a full
  // scan); throws corrupt with the first complaint.
  void check_integrity();

 private:
  std::unique_ptr<detail::DatabaseState> state_;
};

}  // namespace accelscope::store
