#include "engine/study_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <thread>

#include <tbb/info.h>

#include "engine/version.hpp"
#include "model/io/json_reader.hpp"
#include "search/hypervolume.hpp"
#include "search/strategy.hpp"

namespace accelscope::engine {

namespace {

constexpr std::uint64_t kDefaultBudget = 500;

std::size_t default_batch_size(const std::string& strategy) {
  if (strategy == "bayes") return 4;    // small batches keep the model current
  if (strategy == "nsga2") return 256;  // asks return one generation at most
  return 64;
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

// What a strategy is told about a stored trial.
search::Evaluation evaluation_of(const store::Trial& trial, const SpaceSpec& spec) {
  search::Evaluation evaluation;
  evaluation.point = point_from_json(trial.point);
  if (trial.status == store::TrialStatus::failed || !trial.metrics.is_object()) {
    evaluation.objectives.assign(spec.objectives.size(), std::nan(""));
    evaluation.violation = std::numeric_limits<double>::infinity();
    return evaluation;
  }
  for (const ObjectiveSpec& objective : spec.objectives) {
    const double value = trial.metrics.at(objective.metric).get<double>();
    evaluation.objectives.push_back(objective.maximize ? -value : value);
  }
  evaluation.violation = trial.metrics.value("violation", 0.0);
  return evaluation;
}

store::TrialResult to_store(const DesignResult& result) {
  store::TrialResult stored;
  stored.metrics = result.metrics;
  stored.metrics["violation"] = result.evaluation.violation;
  stored.feasible = result.evaluation.violation == 0;
  stored.violations = result.violations;
  stored.workloads = result.workloads;
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
  const std::string file = study.options.value("spec_file", std::string{});
  SpaceSpec spec = std::filesystem::is_regular_file(file)
                       ? read_space_spec(file)
                       : parse_space_spec(study.spec.at("spec"), file.empty() ? study.name : file);
  const std::string hash = store::spec_hash(spec.stored_spec());
  if (hash != study.spec_hash)
    throw io::InputError(file + ": the space spec (or a file it names) changed since study '" +
                         study.name + "' was created (hash " + study.spec_hash + ", now " + hash +
                         "); start a new study instead of resuming this one");
  return spec;
}

StudyRunner::StudyRunner(store::Database& database, std::size_t threads)
    : database_(database),
      threads_(threads == 0 ? static_cast<std::size_t>(tbb::info::default_concurrency())
                            : threads) {}

RunResult StudyRunner::run(const SpaceSpec& spec, const SearchOptions& requested) {
  const SearchOptions options = with_defaults(requested, spec);
  const DesignEvaluator evaluator(spec, io::load_default_tech_library());
  // Validate the strategy and its options before touching the database.
  (void)make_study_strategy(spec, options, evaluator);
  store::StudyConfig config;
  config.name = options.study_name;
  config.spec = spec.stored_spec();
  config.strategy = options.strategy;
  config.seed = static_cast<std::int64_t>(options.seed);
  config.budget = static_cast<std::int64_t>(options.budget);
  config.engine_version = kVersion;
  for (const ObjectiveSpec& o : spec.objectives)
    config.objectives.push_back(
        {o.metric, o.maximize ? store::Direction::maximize : store::Direction::minimize});
  config.options = {
      {"batch_size", options.batch_size},
      {"shard_index", options.shard_index},
      {"shard_count", options.shard_count},
      {"low_discrepancy", options.low_discrepancy},
      {"spec_file", std::filesystem::absolute(spec.file).lexically_normal().string()}};
  if (const auto existing = database_.find_study(config.name)) {
    database_.check_spec(existing->id, config.spec);
    return drive(*existing, evaluator);
  }
  if (const auto reference = reference_point_for(spec, evaluator, threads_))
    config.reference_point = *reference;
  const store::Database::Opened opened = database_.create_or_resume_study(config);
  return drive(opened.study, evaluator);
}

RunResult StudyRunner::resume(store::StudyId id) {
  const store::StudyInfo study = database_.study(id);
  const DesignEvaluator evaluator(stored_space_spec(study), io::load_default_tech_library());
  return drive(study, evaluator);
}

RunResult StudyRunner::drive(const store::StudyInfo& study, const DesignEvaluator& evaluator) {
  const SpaceSpec& spec = evaluator.spec();
  const SearchOptions options = with_defaults(stored_search_options(study), spec);
  const search::Space space = spec.space();
  auto strategy = make_study_strategy(spec, options, evaluator);
  const std::string worker = store::default_worker_id();
  database_.release_dead_workers(study.id);
  if (study.status != store::StudyStatus::running)
    database_.set_status(study.id, store::StudyStatus::running);

  std::optional<std::vector<double>> reference;
  if (study.reference_point.is_array()) {
    reference.emplace();
    for (const auto& v : study.reference_point) reference->push_back(v.get<double>());
  }

  const auto start = std::chrono::steady_clock::now();
  std::int64_t evaluated_here = 0;
  RunResult result;
  result.study = study.id;
  result.study_name = study.name;

  auto report_progress = [&] {
    const store::TrialCounts counts = database_.counts(study.id);
    Progress& p = result.progress;
    p.done = counts.done + counts.failed;
    p.failed = counts.failed;
    p.budget = study.budget;
    const std::vector<store::Trial> front = database_.front(study.id);
    p.front_size = front.size();
    if (reference && !front.empty()) {
      std::vector<std::vector<double>> values;
      for (const store::Trial& t : front) values.push_back(t.objectives);
      p.hypervolume = hypervolume_natural(values, *reference, spec.objectives);
    }
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    p.designs_per_s = p.elapsed_s > 0 ? static_cast<double>(evaluated_here) / p.elapsed_s : 0;
    if (on_progress) on_progress(p);
  };

  // Stores breakdowns of the designs of `batch` that are on the front and lack one.
  auto keep_front_breakdowns = [&](std::optional<std::int64_t> batch) {
    store::TrialFilter filter;
    filter.front_only = true;
    filter.batch = batch;
    filter.with_breakdown = true;
    for (const store::Trial& t : database_.trials(study.id, filter))
      if (!t.breakdown)
        database_.set_breakdown(t.id, evaluator.breakdown(point_from_json(t.point)));
  };

  const std::size_t chunk = std::max<std::size_t>(16, 8 * threads_);
  std::int64_t asked_batches = 0, told_batches = 0;
  std::int64_t batch_first_seq = 0;
  bool exhausted = false;
  while (!(stop_requested && stop_requested->load())) {
    if (asked_batches == told_batches) {
      // The next batch: replayed from the store if it is there, proposed otherwise.
      if (strategy->asked_count() >= options.budget) {
        exhausted = true;
        break;
      }
      const std::vector<search::Point> points = strategy->ask(options.batch_size);
      if (points.empty()) {
        exhausted = true;
        break;
      }
      std::vector<store::ProposedPoint> proposed;
      for (const search::Point& point : points)
        proposed.push_back({point_to_json(point), params_at(spec, point)});
      batch_first_seq = database_.next_seq(study.id);
      {
        store::TrialFilter filter;
        filter.batch = asked_batches;
        filter.limit = 1;
        const std::vector<store::Trial> stored = database_.trials(study.id, filter);
        if (!stored.empty()) batch_first_seq = stored.front().seq;
      }
      database_.add_pending(study.id, asked_batches, batch_first_seq,
                            proposed);  // seq_conflict if the replay diverged
      ++asked_batches;
      continue;
    }
    // Work on the asked batch until every design of it is recorded.
    const std::vector<store::Trial> claimed = database_.claim_pending(study.id, worker, chunk);
    if (!claimed.empty()) {
      std::vector<search::Point> points;
      for (const store::Trial& t : claimed) points.push_back(point_from_json(t.point));
      const std::vector<DesignResult> results = evaluator.evaluate_all(points, threads_);
      std::vector<store::Completion> completions;
      {
        store::Transaction transaction = database_.transaction();
        for (std::size_t i = 0; i < claimed.size(); ++i) {
          if (results[i].failed)
            database_.fail(claimed[i].id, results[i].error);
          else
            completions.push_back({claimed[i].id, to_store(results[i])});
        }
        database_.complete_many(completions);
        transaction.commit();
      }
      evaluated_here += static_cast<std::int64_t>(claimed.size());
      keep_front_breakdowns(told_batches);
      report_progress();
      continue;
    }
    store::TrialFilter batch_filter;
    batch_filter.batch = told_batches;
    const std::vector<store::Trial> batch = database_.trials(study.id, batch_filter);
    const bool complete = std::all_of(batch.begin(), batch.end(), [](const store::Trial& t) {
      return t.status == store::TrialStatus::done || t.status == store::TrialStatus::failed;
    });
    if (!complete) {
      // Another worker is evaluating part of this batch: wait for it (or for its death).
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      database_.release_dead_workers(study.id);
      continue;
    }
    std::vector<search::Evaluation> evaluations;
    for (const store::Trial& t : batch) evaluations.push_back(evaluation_of(t, spec));
    strategy->tell(evaluations);
    ++told_batches;
  }
  result.finished = exhausted;
  if (exhausted) {
    keep_front_breakdowns(std::nullopt);
    database_.set_status(study.id, store::StudyStatus::done);
  } else {
    database_.release_worker(study.id, worker);
    database_.set_status(study.id, store::StudyStatus::paused);
  }
  report_progress();
  return result;
}

}  // namespace accelscope::engine
