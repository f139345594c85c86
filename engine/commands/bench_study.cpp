// accelscope bench-study [SPACE...] [--budget N] [--threads T] [--dir DIR] [--keep] [--json]
//
// End-to-end study speed: a grid search of each space into a fresh study (evaluate + store +
// front, as `search --strategy grid` runs it), against the model alone on the same designs in the
// same run (DesignEvaluator::evaluate_all, results dropped). Reports both rates, their ratio, the
// rate over the first and the last 10% of the designs (a study loop whose per-batch cost grows
// with the study slows down at the end) and the file size per design.
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <tbb/info.h>
#include <nlohmann/json.hpp>

#include "engine/commands/commands.hpp"
#include "engine/evaluator.hpp"
#include "engine/space_spec.hpp"
#include "engine/study_runner.hpp"
#include "model/io/technology_io.hpp"
#include "search/strategy.hpp"

namespace accelscope::engine {

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::vector<std::string> spaces;
  std::uint64_t budget = 0;  // 0: the whole grid
  std::size_t threads = 0;
  std::string dir;
  bool keep = false;
  bool json = false;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds (user + system) of this process so far: on a shared machine wall-clock rates
// follow whatever else runs; CPU time per design does not.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The points a grid study of the space evaluates, in its order (the area limit skips some).
std::vector<search::Point> grid_points(const SpaceSpec& spec, const DesignEvaluator& evaluator,
                                       std::uint64_t budget) {
  search::StrategyOptions options;
  options.budget = budget;
  options.objective_count = spec.objectives.size();
  options.cheap_feasible = [&](const search::Point& p) { return evaluator.passes_area_limit(p); };
  auto grid = search::make_strategy("grid", spec.space(), options);
  std::vector<search::Point> points;
  while (true) {
    std::vector<search::Point> batch = grid->ask(65536);
    if (batch.empty()) break;
    points.insert(points.end(), std::make_move_iterator(batch.begin()),
                  std::make_move_iterator(batch.end()));
  }
  return points;
}

// Rate over the designs between fractions `from` and `to` of `total`, from progress samples
// (elapsed seconds, designs done), interpolating between samples.
double rate_between(const std::vector<std::pair<double, std::int64_t>>& samples, std::int64_t total,
                    double from, double to) {
  auto time_at = [&](double designs) {
    std::pair<double, std::int64_t> previous{0.0, 0};
    for (const auto& sample : samples) {
      if (static_cast<double>(sample.second) >= designs) {
        const double span = static_cast<double>(sample.second - previous.second);
        const double fraction = span > 0 ? (designs - previous.second) / span : 1.0;
        return previous.first + fraction * (sample.first - previous.first);
      }
      previous = sample;
    }
    return previous.first;
  };
  const double a = from * static_cast<double>(total), b = to * static_cast<double>(total);
  const double seconds = time_at(b) - time_at(a);
  return seconds > 0 ? (b - a) / seconds : 0;
}

nlohmann::json bench_space(const std::string& path, const Args& args, std::size_t threads,
                           const std::filesystem::path& dir) {
  const SpaceSpec spec = read_space_spec(path);
  const io::TechLibrary library = io::load_default_tech_library();
  const DesignEvaluator evaluator(spec, library);
  const std::vector<search::Point> points = grid_points(spec, evaluator, args.budget);
  const auto designs = static_cast<std::int64_t>(points.size());

  // The model alone on the same designs, in chunks as large as the study's. Designs differ in
  // cost along the grid (large arrays take longer), so the first and last 10% are timed too.
  auto start = Clock::now();
  double cpu_start = process_cpu_seconds();
  std::size_t failed = 0;
  constexpr std::size_t kChunk = 4096;
  std::vector<std::pair<double, std::int64_t>> model_samples;
  for (std::size_t first = 0; first < points.size(); first += kChunk) {
    const std::vector<search::Point> chunk(
        points.begin() + static_cast<std::ptrdiff_t>(first),
        points.begin() + static_cast<std::ptrdiff_t>(std::min(points.size(), first + kChunk)));
    for (const DesignResult& r : evaluator.evaluate_all(chunk, threads)) failed += r.failed;
    model_samples.emplace_back(seconds_since(start),
                               static_cast<std::int64_t>(first + chunk.size()));
  }
  const double model_seconds = seconds_since(start);
  const double model_cpu = process_cpu_seconds() - cpu_start;

  // End to end: a fresh study.
  const std::filesystem::path file = dir / (spec.name + "-bench.sqlite");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  std::vector<std::pair<double, std::int64_t>> samples;
  double study_seconds = 0, study_cpu = 0;
  std::int64_t breakdown_bytes = 0;
  {
    store::Database db(file);
    StudyRunner runner(db, threads);
    runner.on_progress = [&](const Progress& p) { samples.emplace_back(p.elapsed_s, p.done); };
    SearchOptions options;
    options.strategy = "grid";
    options.budget = args.budget;
    options.study_name = spec.name + "-bench";
    start = Clock::now();
    cpu_start = process_cpu_seconds();
    const RunResult result = runner.run(spec, options);
    study_seconds = seconds_since(start);
    study_cpu = process_cpu_seconds() - cpu_start;
    if (result.progress.done != designs)
      throw std::runtime_error(fmt::format("{}: the study evaluated {} designs, the grid has {}",
                                           path, result.progress.done, designs));
    breakdown_bytes = db.breakdown_bytes(result.study);
  }
  std::int64_t file_bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ignored;
    const auto size = std::filesystem::file_size(file.string() + suffix, ignored);
    if (!ignored) file_bytes += static_cast<std::int64_t>(size);
  }
  if (!args.keep)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);

  const double model_rate = static_cast<double>(designs) / model_seconds;
  const double study_rate = static_cast<double>(designs) / study_seconds;
  const double first_tenth = rate_between(samples, designs, 0.0, 0.1);
  const double last_tenth = rate_between(samples, designs, 0.9, 1.0);
  const double model_first_tenth = rate_between(model_samples, designs, 0.0, 0.1);
  const double model_last_tenth = rate_between(model_samples, designs, 0.9, 1.0);
  return {{"space", path},
          {"designs", designs},
          {"failed_designs", failed},
          {"threads", threads},
          {"model_alone_s", model_seconds},
          {"model_alone_per_s", model_rate},
          {"end_to_end_s", study_seconds},
          {"end_to_end_per_s", study_rate},
          {"end_to_end_over_model", study_rate / model_rate},
          {"model_alone_cpu_s", model_cpu},
          {"end_to_end_cpu_s", study_cpu},
          {"end_to_end_over_model_cpu", study_cpu > 0 ? model_cpu / study_cpu : 0},
          {"first_10pct_per_s", first_tenth},
          {"last_10pct_per_s", last_tenth},
          {"last_over_first_10pct", first_tenth > 0 ? last_tenth / first_tenth : 0},
          {"model_first_10pct_per_s", model_first_tenth},
          {"model_last_10pct_per_s", model_last_tenth},
          {"end_to_end_over_model_first_10pct",
           model_first_tenth > 0 ? first_tenth / model_first_tenth : 0},
          {"end_to_end_over_model_last_10pct",
           model_last_tenth > 0 ? last_tenth / model_last_tenth : 0},
          {"file_bytes", file_bytes},
          {"breakdown_bytes", breakdown_bytes},
          {"bytes_per_design", static_cast<double>(file_bytes) / static_cast<double>(designs)},
          {"bytes_per_design_without_breakdowns",
           static_cast<double>(file_bytes - breakdown_bytes) / static_cast<double>(designs)},
          {"study_file", args.keep ? file.string() : ""}};
}

void run_bench_study(const Args& args) {
  std::vector<std::string> spaces = args.spaces;
  if (spaces.empty())
    spaces = {io::data_directory() + "/edge.json", io::data_directory() + "/edge_wide.json"};
  const std::size_t threads =
      args.threads == 0 ? static_cast<std::size_t>(tbb::info::default_concurrency()) : args.threads;
  const std::filesystem::path dir =
      args.dir.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(args.dir);
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& space : spaces) {
    const nlohmann::json r = bench_space(space, args, threads, dir);
    results.push_back(r);
    if (args.json) continue;
    fmt::print(
        "{}: {} designs on {} threads\n"
        "  model alone  {:>9.0f} designs/s ({:.1f} s)\n"
        "  end to end   {:>9.0f} designs/s ({:.1f} s): {:.0f}% of the model alone\n"
        "  CPU time     model alone {:.1f} s, end to end {:.1f} s: the model alone is {:.0f}% of "
        "it\n"
        "  first 10%    {:>9.0f} designs/s, last 10% {:.0f} designs/s ({:.0f}% of the first)\n"
        "  model alone  first 10% {:.0f} designs/s, last 10% {:.0f} designs/s: end to end is "
        "{:.0f}% and {:.0f}% of it\n"
        "  file         {:.0f} bytes/design ({:.0f} without the front's breakdowns)\n",
        space, r["designs"].get<std::int64_t>(), threads, r["model_alone_per_s"].get<double>(),
        r["model_alone_s"].get<double>(), r["end_to_end_per_s"].get<double>(),
        r["end_to_end_s"].get<double>(), 100 * r["end_to_end_over_model"].get<double>(),
        r["model_alone_cpu_s"].get<double>(), r["end_to_end_cpu_s"].get<double>(),
        100 * r["end_to_end_over_model_cpu"].get<double>(), r["first_10pct_per_s"].get<double>(),
        r["last_10pct_per_s"].get<double>(), 100 * r["last_over_first_10pct"].get<double>(),
        r["model_first_10pct_per_s"].get<double>(), r["model_last_10pct_per_s"].get<double>(),
        100 * r["end_to_end_over_model_first_10pct"].get<double>(),
        100 * r["end_to_end_over_model_last_10pct"].get<double>(),
        r["bytes_per_design"].get<double>(),
        r["bytes_per_design_without_breakdowns"].get<double>());
    std::fflush(stdout);
  }
  if (args.json) std::cout << results.dump(1) << "\n";
}

}  // namespace

void register_bench_study_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench-study",
      "Measure end-to-end study speed (evaluate + store + front) against the model alone");
  cmd->add_option("spaces", args->spaces,
                  "Spaces to grid-search (default: the shipped edge and edge_wide)");
  cmd->add_option("--budget", args->budget, "Designs per space (default: the whole grid)");
  cmd->add_option("--threads", args->threads, "Evaluation threads (default: all cores)");
  cmd->add_option("--dir", args->dir, "Where the study files go (default: the temp directory)");
  cmd->add_flag("--keep", args->keep, "Keep the study files");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] { run_bench_study(*args); });
}

}  // namespace accelscope::engine
