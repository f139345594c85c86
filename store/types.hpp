// Plain data exchanged with the store. The store knows nothing of accelerators: a design is a
// trial with a parameter vector and JSON blobs the engine fills in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace accelscope::store {

using StudyId = std::int64_t;
using TrialId = std::int64_t;

enum class StudyStatus : std::uint8_t { running, paused, done, failed };
enum class TrialStatus : std::uint8_t { pending, running, done, failed };
enum class Direction : std::uint8_t { minimize, maximize };

std::string_view to_string(StudyStatus status);
std::string_view to_string(TrialStatus status);
std::string_view to_string(Direction direction);
// Throw StoreError(invalid_argument) on an unknown name.
StudyStatus parse_study_status(std::string_view text);
TrialStatus parse_trial_status(std::string_view text);
Direction parse_direction(std::string_view text);

struct Objective {
  std::string name;  // a key of every feasible trial's metrics object
  Direction direction = Direction::minimize;
  bool operator==(const Objective&) const = default;
};

// What a new study is created from.
struct StudyConfig {
  std::string name;                                // unique within the file
  nlohmann::json spec = nlohmann::json::object();  // the full study spec
  std::string strategy;                            // e.g. "nsga2"
  std::int64_t seed = 0;
  std::int64_t budget = 0;  // designs to evaluate
  std::string engine_version;
  std::vector<Objective> objectives;
  nlohmann::json reference_point = nullptr;           // for hypervolume; stored as given
  nlohmann::json options = nlohmann::json::object();  // strategy options, shard, ...
  // What else the results depend on besides the spec (e.g. technology data hash, model
  // version), name -> text; the engine compares it when a study is resumed.
  nlohmann::json identity = nlohmann::json::object();
};

// Kept as running counters in the study row: reading them costs nothing at any study size.
struct TrialCounts {
  std::int64_t pending = 0;
  std::int64_t running = 0;
  std::int64_t done = 0;
  std::int64_t failed = 0;
  std::int64_t feasible = 0;  // of done
  std::int64_t total() const { return pending + running + done + failed; }
  std::int64_t finished() const { return done + failed; }
  bool operator==(const TrialCounts&) const = default;
};

struct StudyInfo {
  StudyId id = 0;
  std::string name;
  nlohmann::json spec;
  std::string spec_hash;
  std::string strategy;
  std::int64_t seed = 0;
  std::int64_t budget = 0;
  std::string engine_version;
  StudyStatus status = StudyStatus::running;
  double created_at = 0;  // Unix time, seconds
  double updated_at = 0;  // last write to the study or any of its trials
  std::vector<Objective> objectives;
  nlohmann::json reference_point;
  nlohmann::json options;
  nlohmann::json identity;  // object; empty for studies made before schema 3
  TrialCounts counts;       // progress: counts.finished() against budget
};

// A design the strategy proposed, before evaluation.
struct ProposedPoint {
  nlohmann::json point = nlohmann::json::array();    // the parameter vector (a JSON array)
  nlohmann::json params = nlohmann::json::object();  // the same point, human-readable (an object)
};

// What add_pending did for one seq.
struct PendingTrial {
  TrialId id = 0;
  std::int64_t seq = 0;
  bool inserted = false;  // false: the seq existed with the same point (a replay), left as is
  TrialStatus status = TrialStatus::pending;
};

// The outcome of evaluating one design.
struct TrialResult {
  nlohmann::json metrics = nlohmann::json::object();  // name -> number; holds every objective
  bool feasible = true;
  nlohmann::json violations = nlohmann::json::array();  // violated constraints
  // Per-workload details: kept only if the design is on the front when recorded (the final
  // front's designs always have them; the rest can be recomputed from the point).
  nlohmann::json workloads = nullptr;
  std::optional<nlohmann::json> breakdown;  // per-layer breakdown, if kept
  std::optional<double> eval_seconds;       // wall time of the evaluation
};

// A trial claimed for evaluation (Database::claim_points).
struct ClaimedPoint {
  TrialId id = 0;
  std::int64_t seq = 0;
  std::vector<double> point;
};

struct Completion {
  TrialId trial = 0;
  TrialResult result;
};

struct Trial {
  TrialId id = 0;
  StudyId study = 0;
  std::int64_t seq = 0;    // proposal order within the study
  std::int64_t batch = 0;  // the ask() round that proposed it
  nlohmann::json point;
  nlohmann::json params;
  TrialStatus status = TrialStatus::pending;
  std::string worker;  // who claimed it; empty if never claimed or released
  std::optional<double> claimed_at;
  double created_at = 0;
  std::optional<double> finished_at;
  std::optional<double> eval_seconds;
  nlohmann::json metrics;  // null until done
  // The study's objectives in study order, natural direction (not negated); NaN where a metric
  // is missing (possible only for infeasible trials); empty unless done.
  std::vector<double> objectives;
  std::optional<bool> feasible;  // set once done
  nlohmann::json violations;     // array (empty when feasible)
  nlohmann::json workloads;      // null unless kept (see TrialResult::workloads)
  bool on_front = false;
  std::string error;                        // failed trials only
  std::optional<nlohmann::json> breakdown;  // only when asked for and stored
};

struct TrialFilter {
  std::optional<TrialStatus> status;
  bool feasible_only = false;
  bool infeasible_only = false;  // done and infeasible
  bool front_only = false;
  bool off_front_only = false;
  std::int64_t every = 1;  // only trials whose seq is a multiple of this (an even sample)
  std::optional<std::int64_t> batch;
  std::optional<std::int64_t> seq_from;  // inclusive
  std::optional<std::int64_t> seq_to;    // inclusive
  std::optional<double> finished_since;  // Unix time; for polling new results
  std::optional<std::int64_t> limit;
  std::int64_t offset = 0;
  bool with_breakdown = false;
  bool without_stored_breakdown = false;  // only trials that have no breakdown stored
};

// Names behind the indices of TrialRow, per study; they only ever grow.
struct ScanKeys {
  std::vector<std::string> params;
  std::vector<std::string> metrics;
  std::vector<std::string> texts;  // text parameter values (e.g. a dataflow), interned
};

// What scan() decodes (the rest of TrialRow is left empty): less is faster.
struct ScanColumns {
  bool point = true;
  bool params = true;
  bool metrics = true;
};

// A trial as numbers, without JSON: for readers of very large studies (plots, samples). Views
// are valid during the callback only.
struct TrialRow {
  TrialId id = 0;
  std::int64_t seq = 0;
  std::int64_t batch = 0;
  TrialStatus status = TrialStatus::pending;
  bool feasible = false;
  bool on_front = false;
  std::optional<double> finished_at;
  std::optional<double> eval_seconds;
  std::span<const double> point;  // the parameter vector (NaN where not a number)
  // By index into ScanKeys::metrics / ScanKeys::params; NaN where absent or not a number.
  std::span<const double> metrics;
  std::span<const double> params;
  // Per param index: index into ScanKeys::texts for text values, -1 otherwise.
  std::span<const std::int32_t> param_texts;
  std::string_view violations;  // JSON array text; empty when none
};

}  // namespace accelscope::store
