#include "engine/study_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "engine/version.hpp"
#include "model/io/json_reader.hpp"
#include "search/hypervolume.hpp"
#include "search/strategy.hpp"

namespace accelscope::engine {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kDefaultBudget = 500;
// A grid search without a budget enumerates the whole space: refused beyond this many designs.
constexpr std::uint64_t kMaxDefaultGridBudget = 1'000'000'000;
// Evaluation time a chunk of designs aims at: long enough that the database work of one chunk
// hides behind the evaluation of the next, short enough for prompt progress and Ctrl-C.
constexpr double kChunkSeconds = 0.2;
constexpr std::size_t kMaxChunk = 4096;
// Progress figures that read the front (size, hypervolume) are refreshed at most this often.
constexpr double kFrontRefreshSeconds = 0.5;
// Monte Carlo samples of the hypervolume estimate beyond search::exact_hypervolume_limit.
constexpr std::size_t kEstimateSamples = 20000;

std::size_t default_batch_size(const std::string& strategy) {
  // Small batches keep the model current (--batch raises them for many workers).
  if (strategy == "bayes" || strategy == "turbo") return 4;
  if (strategy == "nsga2" || strategy == "nsga3") return 256;  // asks return a generation at most
  return 4096;  // grid, random: results do not steer them; large batches amortise each ask
}

nlohmann::json point_to_json(const search::Point& point) {
  nlohmann::json array = nlohmann::json::array();
  for (double coordinate : point) array.push_back(coordinate);
  return array;
}

search::Point point_from_json(const nlohmann::json& json) {
  search::Point point;
  for (const auto& value : json) point.push_back(value.get<double>());
  return point;
}

// Moves the result's JSON into what the store records (the result keeps its evaluation).
store::TrialResult to_store(DesignResult& result) {
  store::TrialResult stored;
  stored.metrics = std::move(result.metrics);
  stored.metrics["violation"] = result.evaluation.violation;
  stored.feasible = result.evaluation.violation == 0;
  stored.violations = std::move(result.violations);
  stored.workloads = std::move(result.workloads);
  stored.eval_seconds = result.eval_seconds;
  return stored;
}

search::StrategyOptions study_strategy_options(const SpaceSpec& spec, const SearchOptions& options,
                                               const DesignEvaluator& evaluator) {
  search::StrategyOptions s;
  s.seed = options.seed;
  s.budget = options.budget;
  s.objective_count = spec.objectives.size();
  s.batch_size = options.batch_size;
  s.shard_index = options.shard_index;
  s.shard_count = options.shard_count;
  s.low_discrepancy = options.low_discrepancy;
  s.cheap_feasible = [&evaluator](const search::Point& point) {
    return evaluator.passes_area_limit(point);
  };
  return s;
}

}  // namespace

SearchOptions with_defaults(SearchOptions options, const SpaceSpec& spec) {
  if (options.batch_size == 0) options.batch_size = default_batch_size(options.strategy);
  if (options.budget == 0) {
    const auto grid = spec.space().grid_size();
    if (options.strategy == "grid" && (!grid || *grid > kMaxDefaultGridBudget))
      throw io::InputError(fmt::format(
          "{}: a grid search of the whole space ({:.4g} designs) would not finish; give --budget N "
          "to stream the first N designs of the grid, or use random, nsga2, nsga3 or turbo",
          spec.file, spec.space().grid_size_approx()));
    options.budget =
        options.strategy == "grid" && grid
            ? (*grid + options.shard_count - 1 - options.shard_index) / options.shard_count
            : kDefaultBudget;
  }
  if (options.study_name.empty())
    options.study_name = spec.name + "-" + options.strategy + "-s" + std::to_string(options.seed) +
                         (options.shard_count > 1 ? "-shard" + std::to_string(options.shard_index) +
                                                        "of" + std::to_string(options.shard_count)
                                                  : "");
  return options;
}

namespace {

// The budget a study's strategy starts with and the raises recorded since (resume --budget):
// (designs asked when it was raised, new budget), applied before the first ask at or past that
// count, so that a replay changes the budget exactly where the original run did.
struct BudgetSchedule {
  std::uint64_t initial = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> raises;
  std::size_t applied = 0;

  static BudgetSchedule of(const store::StudyInfo& study) {
    BudgetSchedule schedule;
    schedule.initial = static_cast<std::uint64_t>(study.budget);
    const nlohmann::json history = study.options.value("budget_history", nlohmann::json());
    if (history.is_array() && !history.empty()) {
      schedule.initial = history.front().at(1).get<std::uint64_t>();
      for (std::size_t i = 1; i < history.size(); ++i)
        schedule.raises.emplace_back(history[i].at(0).get<std::uint64_t>(),
                                     history[i].at(1).get<std::uint64_t>());
    }
    return schedule;
  }

  void apply(search::Strategy& strategy) {
    while (applied < raises.size() && strategy.asked_count() >= raises[applied].first)
      strategy.set_budget(raises[applied++].second);
  }
};

std::string fnv1a_hex(std::string_view bytes, std::uint64_t hash = 14695981039346656037ULL) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One run of a study by this process: replay, then batches until the budget, exhaustion or stop.
class StudyLoop {
 public:
  StudyLoop(store::Database& database, const store::StudyInfo& study,
            const DesignEvaluator& evaluator, std::size_t threads, const StudyRunner& runner)
      : database_(database),
        study_(study),
        evaluator_(evaluator),
        spec_(evaluator.spec()),
        options_(with_defaults(stored_search_options(study), spec_)),
        space_(spec_.space()),
        budgets_(BudgetSchedule::of(study)),
        threads_(threads),
        runner_(runner),
        worker_(store::default_worker_id()),
        start_(Clock::now()) {
    search::StrategyOptions strategy = study_strategy_options(spec_, options_, evaluator_);
    strategy.budget = budgets_.initial;
    strategy_ = search::make_strategy(options_.strategy, space_, strategy);
    if (study.reference_point.is_array()) {
      reference_.emplace();
      for (const auto& v : study.reference_point) {
        if (!v.is_number() || !std::isfinite(v.get<double>())) {
          reference_.reset();
          break;
        }
        reference_->push_back(v.get<double>());
      }
    }
    result_.study = study.id;
    result_.study_name = study.name;
  }

  RunResult run() {
    if (study_.status == store::StudyStatus::done && study_.counts.pending == 0 &&
        study_.counts.running == 0) {
      // Finished (a raised budget sets it back to paused): nothing to replay or propose.
      finish(true);
      return result_;
    }
    replay();
    bool exhausted = false;
    while (!stop_requested()) {
      if (!batch_open_) {
        budgets_.apply(*strategy_);
        std::vector<search::Point> points = strategy_->ask(options_.batch_size);
        if (points.empty()) {
          exhausted = true;
          break;
        }
        open_batch(std::move(points), 0);
      }
      if (!work_on_batch()) break;  // stopped
      tell_batch();
    }
    finish(exhausted);
    return result_;
  }

  // Gives back what this process holds and marks the study failed (after an error).
  void abandon() noexcept {
    try {
      database_.release_worker(study_.id, worker_);
      database_.set_status(study_.id, store::StudyStatus::failed);
    } catch (const std::exception&) {
      // The original error matters more; a later resume releases the claims of a dead process.
    }
  }

 private:
  struct Chunk {
    std::vector<store::ClaimedPoint> trials;
    std::future<std::vector<DesignResult>> results;
    Clock::time_point started;
  };

  bool stop_requested() const {
    return runner_.stop_requested != nullptr && runner_.stop_requested->load();
  }

  // --- replay ----------------------------------------------------------------------------------

  // The objective and violation indices of ScanKeys::metrics, refreshed when new names appear.
  struct MetricIndex {
    std::size_t known = 0;
    std::vector<std::optional<std::size_t>> objectives;
    std::optional<std::size_t> violation;
  };

  search::Evaluation evaluation_of(const store::TrialRow& row, const store::ScanKeys& keys,
                                   MetricIndex& index) const {
    if (index.known != keys.metrics.size()) {
      auto find = [&](const std::string& name) -> std::optional<std::size_t> {
        const auto it = std::find(keys.metrics.begin(), keys.metrics.end(), name);
        if (it == keys.metrics.end()) return std::nullopt;
        return static_cast<std::size_t>(it - keys.metrics.begin());
      };
      index.objectives.clear();
      for (const ObjectiveSpec& o : spec_.objectives) index.objectives.push_back(find(o.metric));
      index.violation = find("violation");
      index.known = keys.metrics.size();
    }
    search::Evaluation evaluation;
    evaluation.point.assign(row.point.begin(), row.point.end());
    if (row.status == store::TrialStatus::failed) {
      evaluation.objectives.assign(spec_.objectives.size(), std::nan(""));
      evaluation.violation = std::numeric_limits<double>::infinity();
      return evaluation;
    }
    auto metric = [&](const std::optional<std::size_t>& i, double missing) {
      return i && *i < row.metrics.size() && !std::isnan(row.metrics[*i]) ? row.metrics[*i]
                                                                          : missing;
    };
    for (std::size_t i = 0; i < spec_.objectives.size(); ++i) {
      const double value = metric(index.objectives[i], std::nan(""));
      evaluation.objectives.push_back(spec_.objectives[i].maximize ? -value : value);
    }
    evaluation.violation = metric(index.violation, 0.0);
    return evaluation;
  }

  // Tells the strategy every stored batch in one streaming pass over the study; the first batch
  // that is not complete becomes the open batch.
  void replay() {
    struct Stored {
      std::int64_t seq = 0;
      search::Point point;
      std::optional<search::Evaluation> evaluation;  // set once finished
    };
    std::vector<Stored> batch;
    std::int64_t batch_number = -1;
    bool stopped = false;
    store::ScanKeys keys;
    MetricIndex index;
    auto close = [&] {
      if (batch.empty()) return;
      if (batch_number != told_batches_) {
        throw io::InputError(fmt::format(
            "{}: study '{}' holds batch {} where batch {} was expected; the file was changed "
            "by hand or by another program",
            database_.path().string(), study_.name, batch_number, told_batches_));
      }
      budgets_.apply(*strategy_);
      std::vector<search::Point> points = strategy_->ask(options_.batch_size);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i >= points.size() || batch[i].point != points[i] ||
            batch[i].seq != next_first_seq_ + static_cast<std::int64_t>(i)) {
          throw io::InputError(fmt::format(
              "{}: study '{}' does not replay: batch {} stores {} at seq {}, the strategy now "
              "proposes {}; the strategy, the space or the code changed since the study was "
              "made. Start a new study (another --study name or --db)",
              database_.path().string(), study_.name, batch_number,
              point_to_json(batch[i].point).dump(), batch[i].seq,
              i < points.size() ? point_to_json(points[i]).dump() : "nothing more"));
        }
      }
      open_batch(std::move(points), batch.size());
      for (std::size_t i = 0; i < batch.size(); ++i) known_[i] = std::move(batch[i].evaluation);
      if (std::all_of(known_.begin(), known_.end(), [](const auto& e) { return e.has_value(); })) {
        tell_batch();
      } else {
        stopped = true;
      }
      batch.clear();
    };
    database_.scan(study_.id, store::TrialFilter{}, keys, [&](const store::TrialRow& row) {
      if (stopped) return;
      if (row.batch != batch_number) {
        close();
        if (stopped) return;
        batch_number = row.batch;
      }
      Stored stored{row.seq, search::Point(row.point.begin(), row.point.end()), std::nullopt};
      if (row.status == store::TrialStatus::done || row.status == store::TrialStatus::failed)
        stored.evaluation = evaluation_of(row, keys, index);
      batch.push_back(std::move(stored));
    });
    if (!stopped) close();
  }

  // --- batches ---------------------------------------------------------------------------------

  void open_batch(std::vector<search::Point> points, std::size_t already_stored) {
    batch_points_ = std::move(points);
    batch_first_seq_ = next_first_seq_;
    inserted_ = already_stored;
    known_.assign(batch_points_.size(), std::nullopt);
    batch_open_ = true;
  }

  void tell_batch() {
    if (std::any_of(known_.begin(), known_.end(), [](const auto& e) { return !e.has_value(); })) {
      // Other workers evaluated part of the batch: read their results.
      store::TrialFilter range;
      range.seq_from = batch_first_seq_;
      range.seq_to = batch_first_seq_ + static_cast<std::int64_t>(batch_points_.size()) - 1;
      store::ScanKeys keys;
      MetricIndex index;
      database_.scan(study_.id, range, keys, [&](const store::TrialRow& row) {
        auto& slot = known_[static_cast<std::size_t>(row.seq - batch_first_seq_)];
        if (!slot) slot = evaluation_of(row, keys, index);
      });
    }
    std::vector<search::Evaluation> evaluations;
    evaluations.reserve(known_.size());
    for (auto& evaluation : known_) evaluations.push_back(std::move(*evaluation));
    strategy_->tell(evaluations);
    ++told_batches_;
    next_first_seq_ += static_cast<std::int64_t>(batch_points_.size());
    batch_open_ = false;
  }

  // Inserts the next piece of the open batch (pieces overlap the evaluation of earlier ones).
  void insert_piece() {
    const std::size_t piece = std::min(chunk_size_, batch_points_.size() - inserted_);
    std::vector<store::ProposedPoint> proposed;
    proposed.reserve(piece);
    for (std::size_t i = inserted_; i < inserted_ + piece; ++i)
      proposed.push_back({point_to_json(batch_points_[i]), params_at(spec_, batch_points_[i])});
    // seq_conflict if another worker stored something else there (a diverged replay).
    database_.add_pending(study_.id, told_batches_,
                          batch_first_seq_ + static_cast<std::int64_t>(inserted_), proposed);
    inserted_ += piece;
  }

  // Evaluates the open batch with pipelined chunks until every design of it is recorded (true),
  // or a stop is requested (false).
  bool work_on_batch() {
    std::optional<Chunk> in_flight;
    while (true) {
      const bool stopping = stop_requested();
      const Clock::time_point store_start = Clock::now();
      if (!stopping && inserted_ < batch_points_.size()) insert_piece();
      std::vector<store::ClaimedPoint> claimed;
      if (!stopping) claimed = database_.claim_points(study_.id, worker_, chunk_size_);
      store_seconds_ += seconds_since(store_start);
      if (in_flight) {
        record(*in_flight);
        in_flight.reset();
      }
      if (!claimed.empty()) {
        in_flight.emplace();
        in_flight->trials = std::move(claimed);
        in_flight->started = Clock::now();
        std::vector<search::Point> points;
        points.reserve(in_flight->trials.size());
        for (const store::ClaimedPoint& t : in_flight->trials) points.push_back(t.point);
        in_flight->results = std::async(std::launch::async, [this, points = std::move(points)] {
          return runner_.batch_evaluator != nullptr
                     ? runner_.batch_evaluator->evaluate_all(evaluator_, points, threads_)
                     : evaluator_.evaluate_all(points, threads_);
        });
        continue;
      }
      if (stopping) return false;
      if (inserted_ < batch_points_.size()) continue;
      const std::int64_t last =
          batch_first_seq_ + static_cast<std::int64_t>(batch_points_.size()) - 1;
      if (database_.open_trials(study_.id, batch_first_seq_, last) == 0) return true;
      wait_for_other_workers();
    }
  }

  void record(Chunk& chunk) {
    std::vector<DesignResult> results = chunk.results.get();
    const double seconds = seconds_since(chunk.started);
    std::vector<store::Completion> completions;
    const Clock::time_point store_start = Clock::now();
    {
      store::Transaction transaction = database_.transaction();
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].failed)
          database_.fail(chunk.trials[i].id, results[i].error);
        else
          completions.push_back({chunk.trials[i].id, to_store(results[i])});
      }
      database_.complete_many(completions);
      database_.heartbeat(study_.id, worker_);
      transaction.commit();
    }
    store_seconds_ += seconds_since(store_start);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const std::int64_t offset = chunk.trials[i].seq - batch_first_seq_;
      if (offset >= 0 && offset < static_cast<std::int64_t>(known_.size()))
        known_[static_cast<std::size_t>(offset)] = results[i].evaluation;
    }
    evaluated_here_ += static_cast<std::int64_t>(results.size());
    // Aim the next chunk at kChunkSeconds of evaluation, and at a quarter of the batch at most,
    // so that a batch has chunks to overlap.
    if (seconds > 0) {
      const double rate = static_cast<double>(results.size()) / seconds;
      const std::size_t quarter = std::max<std::size_t>(16, (batch_points_.size() + 3) / 4);
      const auto target = static_cast<std::size_t>(rate * kChunkSeconds);
      chunk_size_ = std::clamp<std::size_t>(target, chunk_size_ / 2, chunk_size_ * 4);
      chunk_size_ = std::max<std::size_t>(1, std::min({chunk_size_, kMaxChunk, quarter}));
    }
    report_progress(false);
  }

  void wait_for_other_workers() {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (seconds_since(last_release_) < 2) return;
    last_release_ = Clock::now();
    database_.release_dead_workers(study_.id);
    if (const std::size_t released =
            database_.release_stale(study_.id, runner_.stale_claim_seconds)) {
      spdlog::warn(
          "study {}: released {} designs claimed by workers without a heartbeat for {:g} s",
          study_.name, released, runner_.stale_claim_seconds);
    }
    if (seconds_since(last_wait_notice_) < 10) return;
    last_wait_notice_ = Clock::now();
    for (const store::Database::WorkerClaims& claim : database_.claims(study_.id))
      spdlog::info(
          "study {}: waiting for {} designs claimed by {} (last heartbeat {:.0f} s ago; released "
          "after {:g} s without one)",
          study_.name, claim.running, claim.worker, claim.idle_seconds,
          runner_.stale_claim_seconds);
  }

  // --- progress and the end ---------------------------------------------------------------------

  void report_progress(bool final) {
    const store::TrialCounts counts = database_.counts(study_.id);
    Progress& p = result_.progress;
    p.done = counts.finished();
    p.failed = counts.failed;
    p.budget = study_budget();
    if (final || seconds_since(last_front_refresh_) >= kFrontRefreshSeconds) {
      last_front_refresh_ = Clock::now();
      const auto front = database_.front_objectives(study_.id);
      p.front_size = front.size();
      if (reference_ && !front.empty()) {
        std::vector<std::vector<double>> values;
        values.reserve(front.size());
        for (const auto& member : front) values.push_back(member.second);
        const search::HypervolumeValue volume =
            front_hypervolume(values, *reference_, spec_.objectives);
        p.hypervolume = volume.value;
        p.hypervolume_estimated = !volume.exact;
        p.hypervolume_standard_error = volume.standard_error;
      }
    }
    p.elapsed_s = seconds_since(start_);
    p.designs_per_s = p.elapsed_s > 0 ? static_cast<double>(evaluated_here_) / p.elapsed_s : 0;
    p.evaluated_here = evaluated_here_;
    p.store_seconds = store_seconds_;
    if (runner_.on_progress) runner_.on_progress(p);
  }

  std::int64_t study_budget() const {
    return budgets_.raises.empty() ? static_cast<std::int64_t>(budgets_.initial)
                                   : static_cast<std::int64_t>(budgets_.raises.back().second);
  }

  // Breakdowns of the front's designs, computed in parallel once per run instead of for every
  // design that passes through the front; those of designs that left it are dropped.
  void store_front_breakdowns() {
    store::TrialFilter missing;
    missing.front_only = true;
    missing.without_stored_breakdown = true;
    const std::vector<store::Trial> front = database_.trials(study_.id, missing);
    std::vector<std::string> breakdowns(front.size());
    tbb::task_arena arena(threads_ == 0 ? tbb::this_task_arena::max_concurrency()
                                        : static_cast<int>(threads_));
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, front.size(), [&](std::size_t i) {
        breakdowns[i] = evaluator_.breakdown(point_from_json(front[i].point)).dump();
      });
    });
    store::Transaction transaction = database_.transaction();
    for (std::size_t i = 0; i < front.size(); ++i)
      database_.set_breakdown_text(front[i].id, breakdowns[i]);
    transaction.commit();
    database_.prune_breakdowns(study_.id);
  }

  void finish(bool exhausted) {
    result_.finished = exhausted;
    store_front_breakdowns();
    if (!exhausted) database_.release_worker(study_.id, worker_);
    database_.set_status(study_.id,
                         exhausted ? store::StudyStatus::done : store::StudyStatus::paused);
    report_progress(true);
  }

  store::Database& database_;
  const store::StudyInfo& study_;
  const DesignEvaluator& evaluator_;
  const SpaceSpec& spec_;
  const SearchOptions options_;
  const search::Space space_;
  BudgetSchedule budgets_;
  std::size_t threads_;
  const StudyRunner& runner_;
  const std::string worker_;
  std::unique_ptr<search::Strategy> strategy_;
  std::optional<std::vector<double>> reference_;

  // The open batch: asked, possibly partly stored and evaluated, not yet told.
  bool batch_open_ = false;
  std::vector<search::Point> batch_points_;
  std::int64_t batch_first_seq_ = 0;
  std::size_t inserted_ = 0;
  std::vector<std::optional<search::Evaluation>> known_;  // by seq - batch_first_seq_
  std::int64_t told_batches_ = 0;
  std::int64_t next_first_seq_ = 0;

  std::size_t chunk_size_ = 16;
  std::int64_t evaluated_here_ = 0;
  double store_seconds_ = 0;
  Clock::time_point start_;
  Clock::time_point last_front_refresh_{};
  Clock::time_point last_release_ = Clock::now();
  Clock::time_point last_wait_notice_ = Clock::now();
  RunResult result_;
};

void check_identity(store::Database& database, const store::StudyInfo& study,
                    const nlohmann::json& current) {
  if (!study.identity.is_object() || study.identity.empty()) {
    // Made before studies recorded their identity: from now on this one holds.
    spdlog::warn(
        "study {}: made by an accelscope that did not record its model version and technology "
        "data; assuming they are this one's ({})",
        study.name, current.dump());
    database.set_identity(study.id, current);
    return;
  }
  static const std::map<std::string, std::string> kWhat = {{"model_version", "model version"},
                                                           {"tech_hash", "technology data (hash)"}};
  for (auto it = current.begin(); it != current.end(); ++it) {
    const nlohmann::json stored = study.identity.value(it.key(), nlohmann::json());
    if (stored == *it) continue;
    const auto what = kWhat.find(it.key());
    throw io::InputError(fmt::format(
        "{}: study '{}' was made with {} {}, this accelscope has {}: resuming would mix "
        "results of both in one study. Start a new study (search with another --study name or "
        "--db), or continue this one with the accelscope and technology tables that made it",
        database.path().string(), study.name, what == kWhat.end() ? it.key() : what->second,
        stored.dump(), it->dump()));
  }
}

// Refuses options that differ from those an existing study was made with.
void check_same_options(const store::StudyInfo& study, const SearchOptions& requested,
                        const SearchOptions& stored, const std::string& db) {
  std::vector<std::string> differences;
  auto differ = [&](const std::string& what, const auto& given, const auto& kept) {
    if (given != kept) differences.push_back(fmt::format("{} {} (it has {})", what, given, kept));
  };
  differ("--strategy", requested.strategy, stored.strategy);
  differ("--seed", requested.seed, stored.seed);
  if (requested.budget != 0) differ("--budget", requested.budget, stored.budget);
  if (requested.batch_size != 0) differ("--batch", requested.batch_size, stored.batch_size);
  differ("--shard", fmt::format("{}/{}", requested.shard_index, requested.shard_count),
         fmt::format("{}/{}", stored.shard_index, stored.shard_count));
  differ("--low-discrepancy", requested.low_discrepancy, stored.low_discrepancy);
  if (differences.empty()) return;
  std::string list = differences.front();
  for (std::size_t i = 1; i < differences.size(); ++i) list += ", " + differences[i];
  throw io::InputError(fmt::format(
      "{}: study '{}' exists with other options: {}. Continue it as it is with accelscope "
      "resume --db {} --study {}{}, or start a new study with another --study name",
      db, study.name, list, db, study.name,
      requested.budget > stored.budget ? fmt::format(" --budget {} (extends it)", requested.budget)
                                       : ""));
}

}  // namespace

std::unique_ptr<search::Strategy> make_study_strategy(const SpaceSpec& spec,
                                                      const SearchOptions& options,
                                                      const DesignEvaluator& evaluator) {
  return search::make_strategy(options.strategy, spec.space(),
                               study_strategy_options(spec, options, evaluator));
}

double hypervolume_natural(const std::vector<std::vector<double>>& front,
                           const std::vector<double>& reference,
                           const std::vector<ObjectiveSpec>& objectives) {
  std::vector<std::vector<double>> minimised;
  for (const auto& point : front) {
    std::vector<double> p = point;
    for (std::size_t i = 0; i < objectives.size(); ++i)
      if (objectives[i].maximize) p[i] = -p[i];
    minimised.push_back(std::move(p));
  }
  std::vector<double> ref = reference;
  for (std::size_t i = 0; i < objectives.size(); ++i)
    if (objectives[i].maximize) ref[i] = -ref[i];
  return search::hypervolume(minimised, ref);
}

search::HypervolumeValue front_hypervolume(const std::vector<std::vector<double>>& front,
                                           const std::vector<double>& reference,
                                           const std::vector<ObjectiveSpec>& objectives) {
  std::vector<std::vector<double>> minimised = front;
  std::vector<double> ref = reference;
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    if (!objectives[i].maximize) continue;
    ref[i] = -ref[i];
    for (auto& point : minimised) point[i] = -point[i];
  }
  return search::hypervolume_auto(minimised, ref, kEstimateSamples);
}

std::optional<std::vector<double>> reference_point_for(const SpaceSpec& spec,
                                                       const DesignEvaluator& evaluator,
                                                       std::size_t threads) {
  if (spec.reference_point) return spec.reference_point;
  // A fixed sample (its own seed, independent of the study's) so every study of this spec gets the
  // same reference point and hypervolumes compare across strategies and seeds.
  const search::Space space = spec.space();
  search::StrategyOptions options;
  options.seed = 0x5eed;
  options.budget = 64;
  options.objective_count = spec.objectives.size();
  options.low_discrepancy = true;
  auto sampler = search::make_strategy("random", space, options);
  const std::vector<DesignResult> results = evaluator.evaluate_all(sampler->ask(64), threads);
  std::vector<std::vector<double>> values;
  for (const DesignResult& r : results)
    if (!r.failed && r.evaluation.violation == 0) values.push_back(evaluator.natural_objectives(r));
  if (values.empty())
    for (const DesignResult& r : results)
      if (!r.failed) values.push_back(evaluator.natural_objectives(r));
  if (values.empty()) return std::nullopt;
  std::vector<double> reference;
  for (std::size_t i = 0; i < spec.objectives.size(); ++i) {
    double lo = values[0][i], hi = values[0][i];
    for (const auto& v : values) lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
    const double margin = 0.1 * (hi - lo) + 1e-9 * std::abs(hi);
    reference.push_back(spec.objectives[i].maximize ? lo - margin : hi + margin);
  }
  if (!std::all_of(reference.begin(), reference.end(), [](double v) { return std::isfinite(v); }))
    return std::nullopt;
  return reference;
}

SearchOptions stored_search_options(const store::StudyInfo& study) {
  SearchOptions options;
  const nlohmann::json& o = study.options;
  options.strategy = study.strategy;
  options.seed = static_cast<std::uint64_t>(study.seed);
  options.budget = static_cast<std::uint64_t>(study.budget);
  options.batch_size = o.value("batch_size", std::size_t{0});
  options.shard_index = o.value("shard_index", std::uint64_t{0});
  options.shard_count = o.value("shard_count", std::uint64_t{1});
  options.low_discrepancy = o.value("low_discrepancy", false);
  options.study_name = study.name;
  return options;
}

SpaceSpec stored_space_spec(const store::StudyInfo& study) {
  return space_spec_matching(study.options.value("spec_file", std::string{}), study.spec,
                             study.spec_hash, study.name);
}

SpaceSpec space_spec_matching(const std::string& file, const nlohmann::json& stored_spec,
                              const std::string& hash, const std::string& study_name) {
  SpaceSpec spec = std::filesystem::is_regular_file(file)
                       ? read_space_spec(file)
                       : parse_space_spec(stored_spec.at("spec"), file.empty() ? study_name : file);
  const std::string now = store::spec_hash(spec.stored_spec());
  if (now != hash)
    throw io::InputError(file + ": the space spec (or a file it names) changed since study '" +
                         study_name + "' was created (hash " + hash + ", now " + now +
                         "); start a new study instead of resuming this one");
  return spec;
}

nlohmann::json study_identity(const io::TechLibrary& library) {
  // Every file of the technology directory, in name order: the tables and what they cite.
  std::vector<std::filesystem::path> files;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(library.directory, ignored))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string contents;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    contents += file.filename().string() + '\0';
    contents.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return {{"model_version", kModelVersion}, {"tech_hash", fnv1a_hex(contents)}};
}

StudyRunner::StudyRunner(store::Database& database, std::size_t threads)
    : database_(database),
      threads_(threads == 0 ? static_cast<std::size_t>(tbb::info::default_concurrency())
                            : threads) {}

RunResult StudyRunner::run(const SpaceSpec& spec, const SearchOptions& requested) {
  const SearchOptions options = with_defaults(requested, spec);
  const io::TechLibrary library = io::load_default_tech_library();
  const nlohmann::json identity = study_identity(library);
  const DesignEvaluator evaluator(spec, library);
  // Validate the strategy and its options before touching the database.
  (void)make_study_strategy(spec, options, evaluator);
  store::StudyConfig config;
  config.name = options.study_name;
  config.spec = spec.stored_spec();
  config.strategy = options.strategy;
  config.seed = static_cast<std::int64_t>(options.seed);
  config.budget = static_cast<std::int64_t>(options.budget);
  config.engine_version = kVersion;
  config.identity = identity;
  for (const ObjectiveSpec& o : spec.objectives)
    config.objectives.push_back(
        {o.metric, o.maximize ? store::Direction::maximize : store::Direction::minimize});
  config.options = {
      {"batch_size", options.batch_size},
      {"shard_index", options.shard_index},
      {"shard_count", options.shard_count},
      {"low_discrepancy", options.low_discrepancy},
      {"spec_file", std::filesystem::absolute(spec.file).lexically_normal().string()}};
  // Remote evaluators load the space before the study is written to.
  if (batch_evaluator != nullptr)
    batch_evaluator->start({config.name, config.options.at("spec_file").get<std::string>(),
                            config.spec, store::spec_hash(config.spec), identity});
  if (const auto existing = database_.find_study(config.name)) {
    database_.check_spec(existing->id, config.spec);
    check_same_options(*existing, requested, with_defaults(stored_search_options(*existing), spec),
                       database_.path().string());
    check_identity(database_, *existing, identity);
    return drive(database_.study(existing->id), evaluator);
  }
  if (const auto reference = reference_point_for(spec, evaluator, threads_))
    config.reference_point = *reference;
  const store::Database::Opened opened = database_.create_or_resume_study(config);
  return drive(opened.study, evaluator);
}

RunResult StudyRunner::resume(store::StudyId id) {
  const store::StudyInfo study = database_.study(id);
  const io::TechLibrary library = io::load_default_tech_library();
  const nlohmann::json identity = study_identity(library);
  check_identity(database_, study, identity);
  const DesignEvaluator evaluator(stored_space_spec(study), library);
  if (batch_evaluator != nullptr)
    batch_evaluator->start({study.name, study.options.value("spec_file", std::string{}), study.spec,
                            study.spec_hash, identity});
  return drive(database_.study(id), evaluator);
}

void StudyRunner::extend_budget(store::StudyId id, std::uint64_t budget) {
  const store::StudyInfo study = database_.study(id);
  if (budget <= static_cast<std::uint64_t>(study.budget))
    throw io::InputError(fmt::format(
        "{}: study '{}' has a budget of {} designs; --budget {} would not extend it (give a "
        "larger one)",
        database_.path().string(), study.name, study.budget, budget));
  nlohmann::json options = study.options;
  nlohmann::json history = options.value("budget_history", nlohmann::json::array());
  if (history.empty()) history.push_back({0, study.budget});
  // Everything proposed so far was asked under the old budget.
  history.push_back({database_.next_seq(id), budget});
  options["budget_history"] = history;
  store::Transaction transaction = database_.transaction();
  database_.set_options(id, options);
  database_.set_budget(id, static_cast<std::int64_t>(budget));
  if (study.status == store::StudyStatus::done)
    database_.set_status(id, store::StudyStatus::paused);  // has work again
  transaction.commit();
}

RunResult StudyRunner::drive(const store::StudyInfo& study, const DesignEvaluator& evaluator) {
  StudyLoop loop(database_, study, evaluator, threads_, *this);
  database_.release_dead_workers(study.id);
  database_.set_status(study.id, store::StudyStatus::running);
  try {
    return loop.run();
  } catch (...) {
    loop.abandon();
    throw;
  }
}

}  // namespace accelscope::engine
