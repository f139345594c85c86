// Studies that always resume and never mix: non-finite designs, identity (model version and
// technology data), conflicting options and budget extension, stale claims of live processes,
// errors that must not leave a study 'running', files made by older versions, many objectives.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "engine/study_runner.hpp"
#include "engine/version.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "store/database.hpp"
#include "tests/engine/study_support.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using Catch::Matchers::Contains;

namespace {

using accelscope::testing::space_path;
using accelscope::testing::TempDb;

engine::SearchOptions options_of(const std::string& strategy, std::uint64_t budget,
                                 std::uint64_t seed) {
  engine::SearchOptions options;
  options.strategy = strategy;
  options.budget = budget;
  options.seed = seed;
  return options;
}

engine::RunResult run(const std::string& db_path, const std::string& space,
                      const engine::SearchOptions& options, std::int64_t stop_after = -1) {
  store::Database db(db_path);
  engine::StudyRunner runner(db, 2);
  std::atomic<bool> stop{false};
  runner.stop_requested = &stop;
  runner.on_progress = [&](const engine::Progress& p) {
    if (stop_after >= 0 && p.done >= stop_after) stop.store(true);
  };
  return runner.run(engine::read_space_spec(space_path(space)), options);
}

// Every trial of a study as (seq, status, params, metrics, on_front), in seq order.
std::vector<nlohmann::json> history(const std::string& db_path, store::StudyId study) {
  store::Database db(db_path, {.mode = store::OpenMode::read_only});
  std::vector<nlohmann::json> rows;
  for (const store::Trial& t : db.trials(study))
    rows.push_back({{"seq", t.seq},
                    {"status", store::to_string(t.status)},
                    {"params", t.params},
                    {"metrics", t.metrics},
                    {"on_front", t.on_front}});
  return rows;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return error.what();
  }
  return {};
}

}  // namespace

TEST_CASE("study: a design the model cannot cost is failed with its reason", "[study]") {
  // The input limits now refuse a spec with a clock of 1e-300 MHz (which overflowed the model's
  // figures): the level is put in after reading, as in a study stored before the limits.
  TempDb file;
  nlohmann::json json = nlohmann::json::parse(std::ifstream(space_path("badclock")));
  json["parameters"][1]["values"] = {800, 400};
  engine::SpaceSpec spec = engine::parse_space_spec(json, space_path("badclock"));
  engine::ParameterSpec& clock = spec.parameters.at(1);
  REQUIRE(clock.name == "clock_mhz");
  for (std::size_t i = 0; i < clock.level_values.size(); ++i)
    if (clock.level_values[i] == 400) {
      clock.level_values[i] = 1e-300;
      clock.dimension.values[i] = 1e-300;
    }
  engine::RunResult result;
  {
    store::Database db(file.path);
    engine::StudyRunner runner(db, 2);
    result = runner.run(spec, options_of("grid", 0, 1));
  }
  CHECK(result.finished);
  store::Database db(file.path, {.mode = store::OpenMode::read_write});
  const auto trials = db.trials(result.study);
  REQUIRE(trials.size() == 4);
  int failed = 0;
  for (const store::Trial& t : trials) {
    const bool tiny_clock = t.params.at("clock_mhz").get<double>() < 1;
    CHECK((t.status == store::TrialStatus::failed) == tiny_clock);
    if (!tiny_clock) continue;
    ++failed;
    CHECK_THAT(t.error, Contains("clock_mhz") && Contains("1e-300"));
    CHECK_FALSE(t.on_front);
  }
  CHECK(failed == 2);
  CHECK(db.counts(result.study).failed == 2);
  // Resuming reads the spec file again, whose clock level is now refused by the limits: a clear
  // error naming it, and the study is left as it was.
  engine::StudyRunner runner(db, 1);
  CHECK_THAT(error_of([&] { runner.resume(result.study); }),
             Contains("badclock.json") && Contains("clock_mhz") && Contains("(limits)"));
  CHECK(db.counts(result.study).failed == 2);
  db.check_integrity();
}

TEST_CASE("study: resuming under another model version or technology data is refused", "[study]") {
  TempDb file;
  const engine::RunResult first = run(file.path, "tiny", options_of("random", 20, 3));
  const nlohmann::json identity = engine::study_identity(io::load_default_tech_library());
  CHECK(identity.at("model_version") == engine::kModelVersion);
  {
    store::Database db(file.path);
    CHECK(db.study(first.study).identity == identity);
    nlohmann::json older = identity;
    older["model_version"] = engine::kModelVersion - 1;
    db.set_identity(first.study, older);
    engine::StudyRunner runner(db, 1);
    const std::string message = error_of([&] { runner.resume(first.study); });
    CHECK_THAT(message, Contains("model version") && Contains("Start a new study"));
    CHECK_THAT(error_of([&] {
                 runner.run(engine::read_space_spec(space_path("tiny")),
                            options_of("random", 20, 3));
               }),
               Contains("model version"));
    nlohmann::json other_tech = identity;
    other_tech["tech_hash"] = "0123456789abcdef";
    db.set_identity(first.study, other_tech);
    CHECK_THAT(error_of([&] { runner.resume(first.study); }),
               Contains("technology data") && Contains("0123456789abcdef"));
    // Studies from before identities were recorded adopt the current one.
    db.set_identity(first.study, nlohmann::json::object());
    CHECK(runner.resume(first.study).finished);
    CHECK(db.study(first.study).identity == identity);
  }
}

TEST_CASE("study: other options on an existing study are an error, resume --budget extends it",
          "[study]") {
  TempDb extended, stopped_then_extended;
  const engine::RunResult first = run(extended.path, "tiny", options_of("nsga2", 40, 5));
  REQUIRE(first.finished);
  for (const auto& [options, what] : {std::pair{options_of("nsga2", 80, 5), "--budget 80"},
                                      std::pair{options_of("nsga2", 40, 6), "--seed 6"}}) {
    engine::SearchOptions named = options;
    named.study_name = first.study_name;
    const std::string message = error_of([&] { run(extended.path, "tiny", named); });
    INFO(message);
    CHECK_THAT(message, Contains(what) && Contains("resume"));
  }
  {
    store::Database db(extended.path);
    engine::StudyRunner runner(db, 2);
    CHECK_THAT(error_of([&] { runner.extend_budget(first.study, 40); }), Contains("larger"));
    runner.extend_budget(first.study, 100);
    const engine::RunResult resumed = runner.resume(first.study);
    CHECK(resumed.finished);
    CHECK(resumed.progress.done == 100);
    // Replaying the extended study again is exact (no seq conflict) and adds nothing.
    CHECK(runner.resume(first.study).progress.done == 100);
  }
  // The same extension of a study that was stopped half way, then resumed twice.
  const engine::RunResult part =
      run(stopped_then_extended.path, "tiny", options_of("nsga2", 40, 5), 20);
  REQUIRE_FALSE(part.finished);
  {
    store::Database db(stopped_then_extended.path);
    engine::StudyRunner runner(db, 1);
    CHECK(runner.resume(part.study).finished);
    runner.extend_budget(part.study, 100);
    std::atomic<bool> stop{false};
    runner.stop_requested = &stop;
    runner.on_progress = [&](const engine::Progress& p) {
      if (p.done >= 60) stop.store(true);
    };
    CHECK_FALSE(runner.resume(part.study).finished);
    runner.on_progress = nullptr;
    stop.store(false);
    CHECK(runner.resume(part.study).finished);
  }
  CHECK(history(stopped_then_extended.path, part.study) == history(extended.path, first.study));
}

TEST_CASE("study: claims of a live process without a heartbeat are released", "[study]") {
  TempDb file;
  const engine::RunResult part = run(file.path, "tiny", options_of("random", 60, 8), 10);
  REQUIRE_FALSE(part.finished);
  {
    // A worker whose process id is alive (this process, as after a PID reused by a container
    // restart) claimed the last designs and went silent: made by hand, as a crash would leave it.
    const std::string ghost = store::default_worker_id() + ":ghost";
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.path.c_str(), &raw) == SQLITE_OK);
    const std::string sql =
        "UPDATE trial SET status = 'running', worker = '" + ghost +
        "', claimed_at = unixepoch(), metrics = NULL, feasible = NULL, on_front = 0, "
        "finished_at = NULL WHERE id IN (SELECT id FROM trial WHERE status = 'done' "
        "ORDER BY seq DESC LIMIT 4);"
        "UPDATE study SET done_count = done_count - 4, running_count = running_count + 4, "
        "feasible_count = (SELECT count(*) FROM trial WHERE status = 'done' AND feasible = 1);";
    REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    store::Database db(file.path);
    db.check_integrity();
    CHECK(db.counts(part.study).running == 4);
    CHECK(db.release_dead_workers(part.study) == 0);  // its process is alive
    engine::StudyRunner runner(db, 1);
    runner.stale_claim_seconds = 0.5;
    const engine::RunResult resumed = runner.resume(part.study);
    CHECK(resumed.finished);
    CHECK(resumed.progress.done == 60);
    CHECK(db.counts(part.study).running == 0);
    db.check_integrity();
  }
}

TEST_CASE("study: an error does not leave the study running", "[study]") {
  TempDb file;
  store::Database db(file.path);
  engine::StudyRunner runner(db, 1);
  runner.on_progress = [](const engine::Progress& p) {
    if (p.done > 0) throw std::runtime_error("disk gone");
  };
  CHECK_THAT(error_of([&] {
               runner.run(engine::read_space_spec(space_path("tiny")), options_of("random", 40, 1));
             }),
             Contains("disk gone"));
  const store::StudyInfo study = db.studies().front();
  CHECK(study.status == store::StudyStatus::failed);
  CHECK(study.counts.running == 0);
  // It resumes to its budget afterwards.
  runner.on_progress = nullptr;
  CHECK(runner.resume(study.id).finished);
  CHECK(db.study(study.id).status == store::StudyStatus::done);
}

TEST_CASE("study: six objectives show an estimated hypervolume with its standard error",
          "[study]") {
  TempDb file;
  const engine::RunResult result = run(file.path, "tiny6", options_of("nsga3", 200, 2));
  CHECK(result.finished);
  REQUIRE(result.progress.hypervolume.has_value());
  // Beyond the exact limit for six objectives (50 designs) the Monte Carlo estimate is shown.
  CHECK(result.progress.front_size > 50);
  CHECK(result.progress.hypervolume_estimated);
  CHECK(*result.progress.hypervolume > 0);
  CHECK(result.progress.hypervolume_standard_error > 0);
  CHECK(result.progress.hypervolume_standard_error < 0.05 * *result.progress.hypervolume);
}

TEST_CASE("study: files made by main before schema 3 migrate and resume", "[study][migration]") {
  TempDb old;
  std::filesystem::copy_file(accelscope::testing::source_dir() + "/tests/data/store/main-v2.sqlite",
                             old.path);
  {
    const std::string message =
        error_of([&] { store::Database reader(old.path, {.mode = store::OpenMode::read_only}); });
    CHECK_THAT(message, Contains("schema version 2") && Contains("migrate"));
  }
  {
    store::Database db(old.path, {.mode = store::OpenMode::read_write});
    db.check_integrity();  // the counters were filled from the trials
    const auto studies = db.studies();
    REQUIRE(studies.size() == 4);
    CHECK(studies[0].name == "migrated-grid-s1");
    CHECK(studies[0].counts.done == 240);
    CHECK(studies[0].status == store::StudyStatus::done);
    // Designs stored with null metrics by main are failed now, with a reason, and off the front.
    const store::StudyInfo& badclock = studies[1];
    CHECK(badclock.counts.failed == 2);
    for (const store::Trial& t : db.trials(badclock.id)) {
      if (t.status != store::TrialStatus::failed) continue;
      CHECK_THAT(t.error, Contains("non-finite"));
      CHECK_FALSE(t.on_front);
    }
    // Old rows read as before: every done design has its objectives and JSON fields.
    for (const store::Trial& t : db.trials(studies[0].id)) {
      CHECK(t.objectives.size() == 2);
      CHECK(t.params.contains("array.dataflow"));
    }
    CHECK(db.front(studies[0].id).size() > 3);
    // The spec files moved with the repository: point the studies at this copy.
    for (const store::StudyInfo& s : studies) {
      nlohmann::json options = s.options;
      options["spec_file"] = space_path(s.name.substr(0, s.name.find('-')));
      db.set_options(s.id, options);
    }
  }
  // The paused and the killed study (claims of a dead or foreign process) resume: what main
  // stored stays as it was, the rest is evaluated, and two copies resumed apart agree (the
  // model may have changed since the file was made, so a fresh run is no reference).
  TempDb copy;
  std::filesystem::copy_file(old.path, copy.path);
  for (const std::size_t index : {std::size_t{2}, std::size_t{3}}) {
    std::vector<nlohmann::json> before, resumed[2];
    store::StudyId id = 0;
    for (int c = 0; c < 2; ++c) {
      const std::string& path = c == 0 ? old.path : copy.path;
      {
        store::Database db(path, {.mode = store::OpenMode::read_write});
        id = db.studies()[index].id;
        if (c == 0) before = history(path, id);
        engine::StudyRunner runner(db, 2);
        runner.stale_claim_seconds = 1;
        const engine::RunResult result = runner.resume(id);
        CHECK(result.finished);
        CHECK(result.progress.done == 200);
        db.check_integrity();
      }
      resumed[c] = history(path, id);
    }
    INFO("study " << id);
    CHECK(resumed[0] == resumed[1]);
    REQUIRE(resumed[0].size() == 200u);
    for (const nlohmann::json& row : before) {
      if (row["status"] != "done") continue;
      const nlohmann::json& after = resumed[0][row["seq"].get<std::size_t>()];
      CHECK(after["params"] == row["params"]);
      CHECK(after["metrics"] == row["metrics"]);
    }
  }
}
