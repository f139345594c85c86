// accelscope search SPACE.json [--db F] ...  and  accelscope resume --db F [--study ID|NAME]
#include <csignal>
#include <iostream>

#include <fmt/format.h>

#include "engine/commands/commands.hpp"
#include "engine/mpi_evaluator.hpp"
#include "engine/progress.hpp"
#include "engine/space_spec.hpp"
#include "engine/study_lookup.hpp"
#include "engine/study_runner.hpp"
#include "reports/export.hpp"
#include "reports/report_data.hpp"
#include "model/io/json_reader.hpp"
#include "search/strategy.hpp"

namespace accelscope::engine {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
  std::signal(SIGTERM, SIG_DFL);
}

struct RunArgs {
  std::string space;
  std::string db = "accelscope.sqlite";
  std::string study;
  SearchOptions options;
  std::string shard;
  std::size_t threads = 0;
  bool log_json = false;
  bool quiet = false;
  std::uint64_t extend_to = 0;  // resume --budget
  double stale_after_s = kDefaultStaleClaimSeconds;
  bool require_mpi = false;
};

// Under mpirun or srun with several ranks, chunks are spread over the ranks; --mpi makes a run
// that is not distributed an error (a job script on a build without MPI, or run without mpirun).
std::unique_ptr<BatchEvaluator> distributed_evaluator(const RunArgs& args) {
  if (args.require_mpi && !mpi::built_with_mpi())
    throw io::InputError(
        "--mpi: this accelscope was built without MPI (ACCELSCOPE_MPI off: install "
        "libopenmpi-dev and rebuild)");
  std::unique_ptr<BatchEvaluator> evaluator = mpi::make_batch_evaluator(args.threads);
  if (args.require_mpi && !evaluator)
    throw io::InputError(
        "--mpi: not started as rank 0 of several MPI ranks; run it as mpirun -np N accelscope "
        "... (or srun)");
  return evaluator;
}

void add_mpi_flag(CLI::App& command, RunArgs& args) {
  command.add_flag("--mpi", args.require_mpi,
                   "Fail unless distributed over MPI ranks (runs under mpirun or srun are "
                   "distributed without it)");
}

RunResult run_with_progress(StudyRunner& runner, const RunArgs& args, const std::string& name,
                            const std::function<RunResult()>& run) {
  ProgressReporter reporter(ProgressReporter::choose(args.log_json, args.quiet), name);
  runner.on_progress = [&](const Progress& p) { reporter.update(p); };
  interrupted.store(false);
  runner.stop_requested = &interrupted;
  runner.stale_claim_seconds = args.stale_after_s;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const RunResult result = run();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  reporter.finish(result);
  return result;
}

void parse_shard(const std::string& text, SearchOptions& options) {
  unsigned long long index = 0, count = 0;
  char slash = 0;
  std::istringstream in(text);
  if (!(in >> index >> slash >> count) || slash != '/' || count == 0 || index >= count || !in.eof())
    throw CLI::ValidationError("--shard", "'" + text + "': expected i/n with 0 <= i < n");
  options.shard_index = index;
  options.shard_count = count;
}

void add_stale_option(CLI::App& command, RunArgs& args) {
  command
      .add_option("--stale-after", args.stale_after_s,
                  "Seconds without a heartbeat after which another worker's claims are released "
                  "(whatever its process id says)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void print_summary(const RunResult& result, store::Database& db) {
  std::cout << fmt::format("study {} (id {}): {} designs, {} on the front{}\n", result.study_name,
                           result.study, result.progress.done, result.progress.front_size,
                           result.finished ? "" : " (stopped; resume with accelscope resume)");
  reports::CollectOptions options;
  options.front_only = true;
  std::cout << reports::render_front_text(reports::collect(db, result.study, options));
}

}  // namespace

void register_search_commands(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* search =
      app.add_subcommand("search", "Search a design space and store every design in SQLite");
  search->add_option("space", args->space, "Design-space spec (JSON, see README)")->required();
  search->add_option("--db", args->db, "Study database (SQLite; created if missing)")
      ->capture_default_str();
  search->add_option("--strategy", args->options.strategy, "Search strategy")
      ->capture_default_str()
      ->check(CLI::IsMember(search::strategy_names()));
  search
      ->add_option("--budget", args->options.budget,
                   "Designs to evaluate (default: the whole grid for grid, 500 otherwise)")
      ->check(budget_range());
  search
      ->add_option("--seed", args->options.seed, "Random seed (results are deterministic per seed)")
      ->capture_default_str();
  search->add_option("--threads", args->threads, "Evaluation threads (default: all cores)")
      ->check(threads_range());
  search->add_option("--batch", args->options.batch_size, "Designs per ask (default per strategy)")
      ->check(ask_batch_range());
  search->add_option("--shard", args->shard,
                     "Grid shard i/n (e.g. 0/4): every n-th grid point from i");
  search->add_flag("--low-discrepancy", args->options.low_discrepancy,
                   "random: Halton sequence instead of uniform draws");
  search->add_option(
      "--study", args->options.study_name,
      "Study name (default: <space>-<strategy>-s<seed>); an existing study of this name continues");
  search->add_flag("--log-json", args->log_json, "Progress as JSON lines on stderr");
  search->add_flag("--quiet", args->quiet, "No progress output");
  add_stale_option(*search, *args);
  add_mpi_flag(*search, *args);
  search->callback([args, search] {
    if (!args->shard.empty()) parse_shard(args->shard, args->options);
    const SpaceSpec spec = read_space_spec(args->space);
    store::Database db(args->db);
    if (search->count("--study") > 0) {
      // An existing study named explicitly: the options not given are its own, so that only
      // options given on the command line can conflict with it (an error, not ignored).
      if (const auto existing = db.find_study(args->options.study_name)) {
        const SearchOptions stored = stored_search_options(*existing);
        SearchOptions& o = args->options;
        if (search->count("--strategy") == 0) o.strategy = stored.strategy;
        if (search->count("--seed") == 0) o.seed = stored.seed;
        if (search->count("--shard") == 0) {
          o.shard_index = stored.shard_index;
          o.shard_count = stored.shard_count;
        }
        if (search->count("--low-discrepancy") == 0) o.low_discrepancy = stored.low_discrepancy;
      }
    }
    const std::unique_ptr<BatchEvaluator> distributed = distributed_evaluator(*args);
    StudyRunner runner(db, args->threads);
    runner.batch_evaluator = distributed.get();
    const RunResult result = run_with_progress(
        runner, *args, args->options.study_name.empty() ? spec.name : args->options.study_name,
        [&] { return runner.run(spec, args->options); });
    print_summary(result, db);
    if (!result.finished) throw Interrupted();
  });

  auto resume_args = std::make_shared<RunArgs>();
  CLI::App* resume =
      app.add_subcommand("resume", "Continue a stopped or killed study to its budget");
  resume->add_option("--db", resume_args->db, "Study database")->required();
  resume->add_option("--study", resume_args->study,
                     "Study id or name (default: the only or latest study)");
  resume->add_option("--threads", resume_args->threads, "Evaluation threads (default: all cores)")
      ->check(threads_range());
  resume
      ->add_option("--budget", resume_args->extend_to,
                   "Raise the study's budget to this many designs and continue to it")
      ->check(budget_range());
  resume->add_flag("--log-json", resume_args->log_json, "Progress as JSON lines on stderr");
  resume->add_flag("--quiet", resume_args->quiet, "No progress output");
  add_stale_option(*resume, *resume_args);
  add_mpi_flag(*resume, *resume_args);
  resume->callback([resume_args] {
    store::Database db(resume_args->db, {.mode = store::OpenMode::read_write});
    const store::StudyInfo study = find_study(db, resume_args->study);
    const std::unique_ptr<BatchEvaluator> distributed = distributed_evaluator(*resume_args);
    StudyRunner runner(db, resume_args->threads);
    runner.batch_evaluator = distributed.get();
    if (resume_args->extend_to > 0) runner.extend_budget(study.id, resume_args->extend_to);
    const RunResult result = run_with_progress(runner, *resume_args, study.name,
                                               [&] { return runner.resume(study.id); });
    print_summary(result, db);
    if (!result.finished) throw Interrupted();
  });
}

}  // namespace accelscope::engine
