// Runs a study: the strategy proposes batches (ask), workers claim and evaluate them in parallel
// and record results in the store, the strategy learns them (tell). Everything the strategy ever
// saw is in the store, so a killed run resumes by replaying it, and several processes can work on
// one study: they replay the same deterministic history, claim pending designs atomically, and
// propose the next batch idempotently (the same seqs with the same points).
//
// Cost per batch is O(batch), never O(study): the history is replayed once, in one streaming pass,
// when a run starts; afterwards a batch is inserted, claimed and recorded in chunks whose
// evaluation overlaps the database work of the previous chunk, told from the results in memory,
// and progress comes from the store's running counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/batch_evaluator.hpp"
#include "engine/evaluator.hpp"
#include "engine/space_spec.hpp"
#include "search/hypervolume.hpp"
#include "search/strategy.hpp"
#include "store/database.hpp"

namespace accelscope::engine {

// A claim whose worker shows no heartbeat for this long is released, whatever its process id
// says (a worker records one with every chunk, about every 0.2 s while it evaluates).
inline constexpr double kDefaultStaleClaimSeconds = 120;

struct SearchOptions {
  std::string strategy = "nsga2";
  std::uint64_t budget = 0;  // 0: the grid size for grid, 500 otherwise
  std::uint64_t seed = 1;
  std::size_t batch_size = 0;  // points per ask; 0: the strategy's default
  std::uint64_t shard_index = 0, shard_count = 1;
  bool low_discrepancy = false;
  std::string study_name;  // default: "<space>-<strategy>-s<seed>"
};

struct Progress {
  std::int64_t done = 0;    // evaluated (feasible or not)
  std::int64_t failed = 0;  // could not be evaluated
  std::int64_t budget = 0;
  std::size_t front_size = 0;
  std::optional<double> hypervolume;
  bool hypervolume_estimated = false;     // a Monte Carlo estimate (four or more objectives)
  double hypervolume_standard_error = 0;  // of the estimate
  double elapsed_s = 0;
  double designs_per_s = 0;  // evaluated by this process
  // This process's designs and the seconds of database work it spent on them (insert, claim,
  // record and commit): designs / store_seconds is what one process can store, the ceiling of
  // a run whose evaluation is spread over MPI ranks.
  std::int64_t evaluated_here = 0;
  double store_seconds = 0;
};

struct RunResult {
  store::StudyId study = 0;
  std::string study_name;
  bool finished = false;  // reached its budget or exhausted the space (false: stopped)
  Progress progress;
};

class StudyRunner {
 public:
  // threads: evaluation threads (0: all cores). The number of threads never changes results.
  StudyRunner(store::Database& database, std::size_t threads);

  // Creates the study, or continues the one of the same name: its spec, technology data and
  // model version must be unchanged, and so must the options (strategy, seed, budget when given,
  // batch when given, shard, low discrepancy); io::InputError says what differs.
  RunResult run(const SpaceSpec& spec, const SearchOptions& options);
  // Continues a stored study with the options it was created with (io::InputError if its spec,
  // technology data or model version changed since).
  RunResult resume(store::StudyId study);
  // Raises a study's budget so that resume() continues it (io::InputError if budget is not
  // larger than the current one). The change is recorded with the number of designs proposed so
  // far, so that replays apply it at the same point and stay exact.
  void extend_budget(store::StudyId study, std::uint64_t budget);

  std::function<void(const Progress&)> on_progress;   // called after every recorded chunk
  const std::atomic<bool>* stop_requested = nullptr;  // checked between chunks
  double stale_claim_seconds = kDefaultStaleClaimSeconds;
  // Evaluates the claimed chunks (MPI ranks, say); nullptr: this process's threads.
  BatchEvaluator* batch_evaluator = nullptr;

 private:
  RunResult drive(const store::StudyInfo& study, const DesignEvaluator& evaluator);

  store::Database& database_;
  std::size_t threads_;
};

// The options with every default filled in as a study run fills them: batch size per strategy,
// budget (the grid, or 500), study name "<space>-<strategy>-s<seed>[-shard<i>of<n>]".
SearchOptions with_defaults(SearchOptions options, const SpaceSpec& spec);
// The strategy a study runs (options with defaults filled in): the same seed, budget, batch
// size, shard and area-limit predicate, so a caller driving ask/tell itself (the Python module)
// proposes what the study would. The evaluator must outlive the strategy.
std::unique_ptr<search::Strategy> make_study_strategy(const SpaceSpec& spec,
                                                      const SearchOptions& options,
                                                      const DesignEvaluator& evaluator);

// The SearchOptions a study was created with (from its stored options).
SearchOptions stored_search_options(const store::StudyInfo& study);
// The spec of a stored study, re-read from the file it came from (or from the stored copy when the
// file is gone); io::InputError if it no longer matches the stored hash.
SpaceSpec stored_space_spec(const store::StudyInfo& study);
// The spec a study stores as `stored_spec` with hash `hash`: re-read from `file` when it exists,
// else parsed from the stored copy; io::InputError if it no longer matches the hash.
SpaceSpec space_spec_matching(const std::string& file, const nlohmann::json& stored_spec,
                              const std::string& hash, const std::string& study_name);

// What a study's results depend on besides its spec: the model version (engine/version.hpp) and
// a hash of the technology tables.
nlohmann::json study_identity(const io::TechLibrary& library);

// Reference point for the hypervolume (natural direction): the spec's, else the worst objective
// values over a fixed sample of the space plus 10% of their range.
std::optional<std::vector<double>> reference_point_for(const SpaceSpec& spec,
                                                       const DesignEvaluator& evaluator,
                                                       std::size_t threads);

// Hypervolume of natural-direction objective vectors against a natural-direction reference.
double hypervolume_natural(const std::vector<std::vector<double>>& front,
                           const std::vector<double>& reference,
                           const std::vector<ObjectiveSpec>& objectives);

// Hypervolume for progress and `studies` (search::hypervolume_auto): exact up to three
// objectives and for moderate fronts of four to six (search::exact_hypervolume_limit), otherwise a
// deterministic Monte Carlo estimate with its standard error, where the exact value can take
// seconds per call.
search::HypervolumeValue front_hypervolume(const std::vector<std::vector<double>>& front,
                                           const std::vector<double>& reference,
                                           const std::vector<ObjectiveSpec>& objectives);

}  // namespace accelscope::engine
