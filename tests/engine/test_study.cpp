// Studies: results independent of thread count, a stopped or killed study resumes to the same
// front as one never interrupted, several workers share a study without duplicate work, and
// infeasible designs never reach the front.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <filesystem>
#include <set>
#include <thread>

#include "engine/study_runner.hpp"
#include "store/database.hpp"
#include "tests/engine/study_support.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;

namespace {

using accelscope::testing::space_path;
using accelscope::testing::TempDb;

// Every done trial as (seq, params, metrics), in seq order.
std::vector<nlohmann::json> history(const std::string& db_path) {
  store::Database db(db_path, {.mode = store::OpenMode::read_only});
  std::vector<nlohmann::json> rows;
  for (const store::Trial& t : db.trials(db.studies().front().id))
    rows.push_back({{"seq", t.seq},
                    {"params", t.params},
                    {"metrics", t.metrics},
                    {"status", store::to_string(t.status)},
                    {"on_front", t.on_front}});
  return rows;
}

std::vector<std::vector<double>> front_of(const std::string& db_path) {
  store::Database db(db_path, {.mode = store::OpenMode::read_only});
  std::vector<std::vector<double>> front;
  for (const store::Trial& t : db.front(db.studies().front().id)) front.push_back(t.objectives);
  return front;
}

engine::RunResult run(const std::string& db_path, const std::string& space,
                      engine::SearchOptions options, std::size_t threads,
                      std::int64_t stop_after = -1) {
  store::Database db(db_path);
  engine::StudyRunner runner(db, threads);
  std::atomic<bool> stop{false};
  runner.stop_requested = &stop;
  runner.on_progress = [&](const engine::Progress& p) {
    if (stop_after >= 0 && p.done >= stop_after) stop.store(true);
  };
  return runner.run(engine::read_space_spec(space_path(space)), options);
}

}  // namespace

TEST_CASE("study: results do not depend on the number of threads", "[study]") {
  for (const std::string strategy : {"nsga2", "bayes", "random"}) {
    TempDb one, two;
    engine::SearchOptions options;
    options.strategy = strategy;
    options.budget = strategy == "bayes" ? 24 : 80;
    options.seed = 7;
    run(one.path, "tiny", options, 1);
    run(two.path, "tiny", options, 2);
    INFO(strategy);
    const auto a = history(one.path), b = history(two.path);
    CHECK(a.size() == options.budget);
    CHECK(a == b);
  }
}

TEST_CASE("study: a stopped study resumes to the same history and front", "[study]") {
  for (const std::string strategy : {"nsga2", "bayes", "grid", "turbo", "nsga3"}) {
    TempDb whole, parts;
    engine::SearchOptions options;
    options.strategy = strategy;
    options.budget = strategy == "bayes" || strategy == "turbo" ? 28 : 150;
    options.seed = 3;
    const engine::RunResult uninterrupted = run(whole.path, "tiny", options, 2);
    CHECK(uninterrupted.finished);
    const engine::RunResult stopped = run(parts.path, "tiny", options, 2, options.budget / 3);
    INFO(strategy);
    CHECK_FALSE(stopped.finished);
    CHECK(stopped.progress.done < static_cast<std::int64_t>(options.budget));
    {
      store::Database db(parts.path);
      CHECK(db.study(stopped.study).status == store::StudyStatus::paused);
      engine::StudyRunner runner(db, 1);
      const engine::RunResult resumed = runner.resume(stopped.study);
      CHECK(resumed.finished);
    }
    CHECK(history(parts.path) == history(whole.path));
    CHECK(front_of(parts.path) == front_of(whole.path));
  }
}

TEST_CASE("study: several workers on one study never evaluate a design twice", "[study]") {
  TempDb single, shared;
  engine::SearchOptions options;
  options.strategy = "nsga2";
  options.budget = 160;
  options.seed = 11;
  run(single.path, "tiny", options, 1);
  {
    // Create the study, then let three workers (own connections) finish it together.
    run(shared.path, "tiny", options, 1, 1);
    std::vector<std::thread> workers;
    for (int w = 0; w < 3; ++w)
      workers.emplace_back([&] {
        store::Database db(shared.path, {.mode = store::OpenMode::read_write});
        engine::StudyRunner runner(db, 1);
        runner.resume(db.studies().front().id);
      });
    for (auto& worker : workers) worker.join();
  }
  const auto shared_history = history(shared.path);
  CHECK(shared_history.size() == options.budget);
  std::set<std::int64_t> seqs;
  for (const auto& row : shared_history) seqs.insert(row["seq"].get<std::int64_t>());
  CHECK(seqs.size() == shared_history.size());
  CHECK(shared_history == history(single.path));
}

TEST_CASE("study: infeasible designs are never on the front", "[study]") {
  TempDb db_file;
  engine::SearchOptions options;
  options.strategy = "grid";
  run(db_file.path, "tiny", options, 2);
  store::Database db(db_file.path, {.mode = store::OpenMode::read_only});
  const store::StudyId study = db.studies().front().id;
  const auto all = db.trials(study);
  // The grid skips designs over the area limit without evaluating them (area is cheap), so what
  // it evaluates are the designs within 4.5 mm2; of those, the slow ones break the latency limit.
  CHECK(all.size() < 240);
  CHECK(all.size() > 100);
  std::size_t infeasible = 0;
  for (const store::Trial& t : all) {
    CHECK(t.metrics.at("area_mm2").get<double>() <= 4.5);
    const bool slow = t.metrics.at("resnet50.latency_ms").get<double>() > 25;
    CHECK(t.feasible.value() == !slow);
    if (slow) {
      ++infeasible;
      CHECK_FALSE(t.on_front);
      CHECK(t.violations.dump().find("resnet50.latency_ms <= 25") != std::string::npos);
    }
  }
  CHECK(infeasible > 0);
  const auto front = db.front(study);
  CHECK_FALSE(front.empty());
  for (const store::Trial& t : front) {
    CHECK(db.breakdown(t.id).has_value());  // every front design has its breakdown stored
  }
}

TEST_CASE("study: kill -9 in the middle of a search, then resume", "[study][kill]") {
  TempDb killed, whole;
  const std::string binary = ACCELSCOPE_BINARY;
  const std::vector<std::string> search_args = {
      binary,   "search", space_path("slow"), "--strategy", "nsga2",  "--budget", "240",
      "--seed", "5",      "--threads",        "1",          "--quiet"};
  auto spawn = [](std::vector<std::string> args) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, STDOUT_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return pid;
  };
  auto with_db = [&](const std::string& db) {
    std::vector<std::string> args = search_args;
    args.insert(args.end(), {"--db", db});
    return args;
  };
  // The uninterrupted reference.
  int status = 0;
  waitpid(spawn(with_db(whole.path)), &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  // Kill a run after it has recorded some designs but well before its budget.
  const pid_t pid = spawn(with_db(killed.path));
  std::int64_t done_at_kill = 0;
  for (int i = 0; i < 2000 && done_at_kill < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    try {
      store::Database db(killed.path, {.mode = store::OpenMode::read_only});
      const auto studies = db.studies();
      if (!studies.empty()) done_at_kill = studies.front().counts.finished();
    } catch (const store::StoreError&) {
      // not created yet
    }
  }
  REQUIRE(kill(pid, SIGKILL) == 0);
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  {
    store::Database db(killed.path, {.mode = store::OpenMode::read_only});
    const auto study = db.studies().front();
    INFO("designs recorded when killed: " << study.counts.finished());
    REQUIRE(study.counts.finished() < 240);  // killed mid-run, not after it finished
    CHECK(study.status == store::StudyStatus::running);
  }
  status = 0;
  waitpid(spawn({binary, "resume", "--db", killed.path, "--threads", "2", "--quiet"}), &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(history(killed.path) == history(whole.path));
  CHECK(front_of(killed.path) == front_of(whole.path));
}
