// Several workers (threads, then processes) claiming from one study: each trial exactly once.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <latch>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "store/database.hpp"
#include "support.hpp"

using namespace accelscope::store;
using accelscope::store::testing::sample_config;
using accelscope::store::testing::sample_points;
using accelscope::store::testing::sample_result;
using accelscope::store::testing::TempDir;

namespace {

// One worker's loop: claim a few, record them, until nothing is pending. Returns what it claimed.
std::vector<TrialId> work_until_empty(const std::filesystem::path& file, StudyId study,
                                      const std::string& worker, unsigned seed) {
  Database db(file, {.mode = OpenMode::read_write, .busy_timeout = std::chrono::seconds(30)});
  std::mt19937 random(seed);
  std::uniform_int_distribution<std::size_t> batch_size(1, 5);
  std::vector<TrialId> claimed_ids;
  while (true) {
    const auto claimed = db.claim_pending(study, worker, batch_size(random));
    if (claimed.empty()) break;
    // Evaluation takes time; without it one worker could drain the study before the next starts.
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    std::vector<Completion> results;
    for (const Trial& trial : claimed) {
      claimed_ids.push_back(trial.id);
      const double x = trial.point[0].get<double>();
      results.push_back({trial.id, sample_result(x, 100 - x, 1)});
    }
    // No Catch2 assertions here: they are not thread-safe. Failures are thrown and reported.
    if (db.complete_many(results) != claimed.size()) {
      throw std::runtime_error(worker + ": a claimed trial was already finished");
    }
  }
  return claimed_ids;
}

void check_each_claimed_once(Database& db, StudyId study,
                             const std::vector<std::vector<TrialId>>& per_worker) {
  std::map<TrialId, int> times;
  for (const auto& ids : per_worker) {
    for (TrialId id : ids) ++times[id];
  }
  const auto trials = db.trials(study);
  REQUIRE(times.size() == trials.size());
  for (const Trial& trial : trials) {
    CHECK(times[trial.id] == 1);
    CHECK(trial.status == TrialStatus::done);
  }
  CHECK(db.counts(study).done == static_cast<std::int64_t>(trials.size()));
  // Every point trades latency against energy: all are on the front.
  CHECK(db.front(study).size() == trials.size());
  db.check_integrity();  // the running counters agree with the trials
}

}  // namespace

TEST_CASE("threads with their own Database claim each trial once", "[store][concurrency]") {
  TempDir dir;
  const auto file = dir.file("threads.sqlite");
  Database db(file);
  const StudyId study = db.create_study(sample_config());
  db.add_pending(study, 0, 0, sample_points(300));

  constexpr int kWorkers = 4;
  std::vector<std::vector<TrialId>> per_worker(kWorkers);
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      try {
        per_worker[w] = work_until_empty(file, study, "thread:" + std::to_string(w), 17u + w);
      } catch (const std::exception& error) {
        failures[w] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) CHECK(failure.empty());
  check_each_claimed_once(db, study, per_worker);
}

TEST_CASE("processes sharing the file claim each trial once", "[store][concurrency]") {
  TempDir dir;
  const auto file = dir.file("processes.sqlite");
  StudyId study = 0;
  {
    // Opened and closed before fork(): a connection must never cross a fork.
    Database db(file);
    study = db.create_study(sample_config());
    db.add_pending(study, 0, 0, sample_points(300));
  }

  constexpr int kWorkers = 3;
  int start_gate[2];  // children block reading it until the parent closes it: a common start
  REQUIRE(pipe(start_gate) == 0);
  std::vector<pid_t> children;
  for (int w = 0; w < kWorkers; ++w) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Child: report claimed ids through a file; _exit skips the test framework's teardown.
      close(start_gate[1]);
      char ignored = 0;
      while (read(start_gate[0], &ignored, 1) > 0) {
      }
      int status = 0;
      try {
        const auto ids = work_until_empty(file, study, "process:" + std::to_string(w), 99u + w);
        const auto out = dir.file("claimed-" + std::to_string(w) + ".txt");
        std::FILE* stream = std::fopen(out.c_str(), "w");
        for (TrialId id : ids) std::fprintf(stream, "%lld\n", static_cast<long long>(id));
        std::fclose(stream);
      } catch (...) {
        status = 1;
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  close(start_gate[0]);
  close(start_gate[1]);
  for (pid_t child : children) {
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  std::vector<std::vector<TrialId>> per_worker(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    std::FILE* stream = std::fopen(dir.file("claimed-" + std::to_string(w) + ".txt").c_str(), "r");
    REQUIRE(stream != nullptr);
    long long id = 0;
    while (std::fscanf(stream, "%lld", &id) == 1) per_worker[w].push_back(id);
    std::fclose(stream);
  }
  Database db(file, {.mode = OpenMode::read_only});
  check_each_claimed_once(db, study, per_worker);
}

TEST_CASE("recording results in batches is fast", "[store][performance]") {
  TempDir dir;
  Database db(dir.file("perf.sqlite"));
  const StudyId study = db.create_study(sample_config());
  constexpr int kTrials = 4096;
  constexpr int kBatch = 64;
  std::mt19937 random(7);
  std::uniform_real_distribution<double> value(0.0, 1.0);

  const auto start = std::chrono::steady_clock::now();
  for (int first = 0; first < kTrials; first += kBatch) {
    db.add_pending(study, first / kBatch, first, sample_points(kBatch, first));
    const auto claimed = db.claim_pending(study, "perf", kBatch);
    std::vector<Completion> results;
    for (const Trial& trial : claimed) {
      results.push_back({trial.id, sample_result(value(random), value(random), value(random))});
    }
    db.complete_many(results);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double per_second = kTrials / seconds;
  WARN("proposed, claimed and recorded " << kTrials << " trials at " << per_second
                                         << " per second; front size " << db.front(study).size());
  CHECK(db.counts(study).done == kTrials);
  CHECK(per_second > 300.0);  // very loose: the machine is shared; catches only pathologies
}

TEST_CASE("claims of dead local workers are released at resume", "[store][concurrency]") {
  TempDir dir;
  Database db(dir.file("dead.sqlite"));
  const StudyId study = db.create_study(sample_config());
  db.add_pending(study, 0, 0, sample_points(6));

  const pid_t child = fork();  // a process that is gone by the time we resume
  REQUIRE(child >= 0);
  if (child == 0) _exit(0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);

  const std::string self = default_worker_id();
  const std::string host = self.substr(0, self.find(':'));
  db.claim_pending(study, host + ":" + std::to_string(child) + ":thread-1", 2);
  db.claim_pending(study, self + ":thread-2", 2);       // alive: this process
  db.claim_pending(study, "other-host.example:1", 1);   // not ours to judge
  db.claim_pending(study, "free-form worker name", 1);  // not a host:pid name
  CHECK(db.counts(study).running == 6);

  CHECK(db.release_dead_workers(study) == 2);
  CHECK(db.counts(study).pending == 2);
  CHECK(db.counts(study).running == 4);
  CHECK(db.release_dead_workers(study) == 0);
}

TEST_CASE("kill -9 during a search leaves a consistent file", "[store][crash]") {
  TempDir dir;
  const auto file = dir.file("killed.sqlite");
  StudyId study = 0;
  {
    Database db(file);
    study = db.create_study(sample_config());
  }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A search that never ends: propose, claim, record, in separate transactions.
    try {
      Database db(file, {.mode = OpenMode::read_write});
      std::mt19937 random(3);
      std::uniform_real_distribution<double> value(0.0, 1.0);
      for (std::int64_t batch = 0;; ++batch) {
        db.add_pending(study, batch, batch * 16, sample_points(16, static_cast<int>(batch * 16)));
        const auto claimed = db.claim_pending(study, default_worker_id(), 16);
        std::vector<Completion> results;
        for (const Trial& trial : claimed) {
          results.push_back({trial.id, sample_result(value(random), value(random), 1)});
        }
        db.complete_many(results);
      }
    } catch (...) {
    }
    _exit(1);
  }
  // Let it commit a few hundred trials, then kill it without warning.
  {
    Database watcher(file, {.mode = OpenMode::read_only});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (watcher.counts(study).done < 300 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  REQUIRE(kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));

  Database db(file, {.mode = OpenMode::read_write});
  db.check_integrity();
  const TrialCounts before = db.counts(study);
  CHECK(before.done >= 300);
  CHECK(before.total() % 16 == 0);  // proposals are all-or-nothing
  db.release_dead_workers(study);
  CHECK(db.counts(study).running == 0);
  CHECK(db.counts(study).pending == before.pending + before.running);

  // Every recorded result is whole, and the front is what a full recomputation gives.
  for (const Trial& trial : db.trials(study)) {
    if (trial.status != TrialStatus::done) continue;
    CHECK(trial.objectives.size() == 3);
    CHECK(trial.metrics.contains("area_mm2"));
  }
  const auto incremental = db.front(study);
  db.recompute_front(study);
  const auto recomputed = db.front(study);
  REQUIRE(incremental.size() == recomputed.size());
  for (std::size_t i = 0; i < incremental.size(); ++i) CHECK(incremental[i].id == recomputed[i].id);
}

TEST_CASE("workers started together create the file and the study once", "[store][concurrency]") {
  TempDir dir;
  const auto file = dir.file("fresh.sqlite");
  constexpr int kWorkers = 4;
  std::latch start(kWorkers);
  std::vector<int> created(kWorkers, -1);
  std::vector<StudyId> ids(kWorkers, 0);
  std::vector<std::string> failures(kWorkers);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      try {
        start.arrive_and_wait();
        Database db(file);
        const auto opened = db.create_or_resume_study(sample_config());
        created[w] = opened.created ? 1 : 0;
        ids[w] = opened.study.id;
      } catch (const std::exception& error) {
        failures[w] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) CHECK(failure == "");
  CHECK(std::count(created.begin(), created.end(), 1) == 1);
  CHECK(std::count(ids.begin(), ids.end(), ids[0]) == kWorkers);
  CHECK(Database(file).studies().size() == 1);
}
