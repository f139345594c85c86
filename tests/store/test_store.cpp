// Round trips of studies and trials, replay-safe add_pending, claims and transactions.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "store/database.hpp"
#include "store/schema.hpp"
#include "support.hpp"

using namespace accelscope::store;
using accelscope::store::testing::sample_config;
using accelscope::store::testing::sample_points;
using accelscope::store::testing::sample_result;
using accelscope::store::testing::TempDir;

namespace {

ErrorKind kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error.kind();
  }
  FAIL("expected a StoreError");
  return ErrorKind::sql;
}

}  // namespace

TEST_CASE("a study round-trips with all its fields", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  CHECK(db.schema_version() == kSchemaVersion);
  const StudyConfig config = sample_config();
  const StudyId id = db.create_study(config);

  const StudyInfo info = db.study(id);
  CHECK(info.id == id);
  CHECK(info.name == config.name);
  CHECK(info.spec == config.spec);
  CHECK(info.spec_hash == spec_hash(config.spec));
  CHECK(info.strategy == "random");
  CHECK(info.seed == 42);
  CHECK(info.budget == 100);
  CHECK(info.engine_version == "0.1.0-test");
  CHECK(info.status == StudyStatus::running);
  CHECK(info.objectives == config.objectives);
  CHECK(info.reference_point == config.reference_point);
  CHECK(info.options == config.options);
  CHECK(info.created_at > 1.6e9);
  CHECK(info.updated_at >= info.created_at);
  CHECK(info.counts == TrialCounts{});

  CHECK(db.find_study(config.name)->id == id);
  CHECK_FALSE(db.find_study("nope").has_value());

  db.set_status(id, StudyStatus::paused);
  db.set_budget(id, 250);
  CHECK(db.study(id).status == StudyStatus::paused);
  CHECK(db.study(id).budget == 250);

  const StudyId other = db.create_study(sample_config("study-b"));
  db.add_pending(other, 0, 0, sample_points(4));
  const auto all = db.studies();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == id);
  CHECK(all[1].counts.pending == 4);

  CHECK(kind_of([&] { db.create_study(config); }) == ErrorKind::invalid_argument);
  CHECK(kind_of([&] { db.study(9999); }) == ErrorKind::no_such_study);
  CHECK(kind_of([&] { db.set_status(9999, StudyStatus::done); }) == ErrorKind::no_such_study);

  StudyConfig no_objectives = sample_config("empty");
  no_objectives.objectives.clear();
  CHECK(kind_of([&] { db.create_study(no_objectives); }) == ErrorKind::invalid_argument);

  // Deleting takes the trials along; other studies are untouched.
  const auto trial_ids = db.add_pending(id, 0, 0, sample_points(3));
  db.delete_study(id);
  CHECK_FALSE(db.trial(trial_ids[0].id).has_value());
  CHECK(db.studies().size() == 1);
  CHECK(db.counts(other).pending == 4);
  CHECK(kind_of([&] { db.delete_study(id); }) == ErrorKind::no_such_study);
}

TEST_CASE("resuming checks the spec hash", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  StudyConfig config = sample_config();
  const auto first = db.create_or_resume_study(config);
  CHECK(first.created);
  const auto again = db.create_or_resume_study(config);
  CHECK_FALSE(again.created);
  CHECK(again.study.id == first.study.id);
  db.check_spec(first.study.id, config.spec);

  config.spec["budget"] = 101;
  try {
    db.create_or_resume_study(config);
    FAIL("a changed spec resumed silently");
  } catch (const StoreError& error) {
    CHECK(error.kind() == ErrorKind::spec_mismatch);
    const std::string message = error.what();
    CHECK_THAT(message, Catch::Contains("s.sqlite: study 'study-a'"));
    CHECK_THAT(message, Catch::Contains("different spec"));
    CHECK_THAT(message, Catch::Contains(spec_hash(config.spec)));
  }
  CHECK(kind_of([&] { db.check_spec(first.study.id, config.spec); }) == ErrorKind::spec_mismatch);

  // Key order does not matter: the hash is over canonical JSON.
  CHECK(spec_hash(nlohmann::json::parse(R"({"a":1,"b":[1,2]})")) ==
        spec_hash(nlohmann::json::parse(R"({"b":[1,2],"a":1})")));
  CHECK(db.studies().size() == 1);
}

TEST_CASE("trials round-trip: point, claim, metrics, breakdown, failure", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  const StudyId study = db.create_study(sample_config());
  CHECK(db.next_seq(study) == 0);
  const auto added = db.add_pending(study, 0, 0, sample_points(3));
  REQUIRE(added.size() == 3);
  CHECK(added[2].seq == 2);
  CHECK(added[2].inserted);
  CHECK(db.next_seq(study) == 3);
  db.add_pending(study, 1, 3, sample_points(2, 3));

  auto claimed = db.claim_pending(study, "host:1", 2);
  REQUIRE(claimed.size() == 2);
  CHECK(claimed[0].seq == 0);
  CHECK(claimed[1].seq == 1);
  CHECK(claimed[0].status == TrialStatus::running);
  CHECK(claimed[0].worker == "host:1");
  CHECK(claimed[0].claimed_at.has_value());
  CHECK(claimed[0].point == sample_points(1)[0].point);
  CHECK(claimed[0].params == sample_points(1)[0].params);

  TrialResult result = sample_result(2.5, 1.25, 400.0);
  result.breakdown = nlohmann::json{{"layers", {{{"name", "conv1"}, {"cycles", 1000}}}}};
  result.eval_seconds = 0.01;
  CHECK(db.complete(claimed[0].id, result));
  CHECK(db.fail(claimed[1].id, "model threw: buffer too small"));

  const Trial done = *db.trial(claimed[0].id);
  CHECK(done.status == TrialStatus::done);
  CHECK(done.metrics == result.metrics);
  CHECK(done.objectives == std::vector<double>{2.5, 1.25, 400.0});
  CHECK(done.feasible == true);
  CHECK(done.violations == nlohmann::json::array());
  CHECK(done.workloads == result.workloads);
  CHECK(done.on_front);
  CHECK(done.finished_at.has_value());
  CHECK(done.eval_seconds == 0.01);
  REQUIRE(done.breakdown.has_value());
  CHECK(*done.breakdown == *result.breakdown);
  CHECK_FALSE(db.trial(claimed[0].id, false)->breakdown.has_value());

  const Trial failed = *db.trial_by_seq(study, 1);
  CHECK(failed.status == TrialStatus::failed);
  CHECK(failed.error == "model threw: buffer too small");
  CHECK(failed.objectives.empty());
  CHECK_FALSE(failed.on_front);

  // A breakdown can be attached (or replaced) at any time.
  db.set_breakdown(claimed[1].id, {{"layers", nlohmann::json::array()}});
  CHECK(db.breakdown(claimed[1].id) == nlohmann::json{{"layers", nlohmann::json::array()}});
  CHECK_FALSE(db.breakdown(added[2].id).has_value());
  CHECK(kind_of([&] { db.set_breakdown(9999, {}); }) == ErrorKind::no_such_trial);

  // Finished trials are not recorded twice.
  CHECK_FALSE(db.complete(claimed[0].id, sample_result(1, 1, 1)));
  CHECK_FALSE(db.fail(claimed[0].id, "late"));
  CHECK(db.trial(claimed[0].id)->metrics == result.metrics);
  CHECK(kind_of([&] { db.complete(9999, result); }) == ErrorKind::no_such_trial);

  // A feasible result must carry every objective; a rejected one changes nothing.
  TrialResult incomplete = sample_result(1, 1, 1);
  incomplete.metrics.erase("energy_mj");
  CHECK(kind_of([&] { db.complete(added[2].id, incomplete); }) == ErrorKind::invalid_argument);
  CHECK(db.trial(added[2].id)->status == TrialStatus::pending);
  incomplete.feasible = false;  // infeasible designs may lack metrics
  CHECK(db.complete(added[2].id, incomplete));
  const Trial infeasible = *db.trial(added[2].id);
  CHECK(infeasible.feasible == false);
  CHECK(std::isnan(infeasible.objectives[1]));
  CHECK_FALSE(infeasible.on_front);

  const TrialCounts counts = db.counts(study);
  CHECK(counts.pending == 2);
  CHECK(counts.running == 0);
  CHECK(counts.done == 2);
  CHECK(counts.failed == 1);
  CHECK(db.study(study).counts == counts);

  // Filters.
  TrialFilter filter;
  CHECK(db.trials(study).size() == 5);
  filter.status = TrialStatus::pending;
  CHECK(db.trials(study, filter).size() == 2);
  filter = {};
  filter.feasible_only = true;
  CHECK(db.trials(study, filter).size() == 1);
  filter = {};
  filter.batch = 1;
  CHECK(db.trials(study, filter).front().seq == 3);
  filter = {};
  filter.seq_from = 1;
  filter.seq_to = 3;
  CHECK(db.trials(study, filter).size() == 3);
  filter = {};
  filter.every = 2;  // an even sample: seqs 0, 2, 4
  const auto sample = db.trials(study, filter);
  REQUIRE(sample.size() == 3);
  CHECK(sample[1].seq == 2);
  CHECK(sample[2].seq == 4);
  filter.status = TrialStatus::pending;
  CHECK(db.trials(study, filter).size() == 1);  // of those, only 4 is pending
  filter = {};
  filter.limit = 2;
  filter.offset = 1;
  const auto page = db.trials(study, filter);
  REQUIRE(page.size() == 2);
  CHECK(page[0].seq == 1);
  filter = {};
  filter.with_breakdown = true;
  CHECK(db.trials(study, filter)[0].breakdown.has_value());
  CHECK_FALSE(db.trials(study)[0].breakdown.has_value());
  filter = {};
  filter.finished_since = done.finished_at;
  CHECK(db.trials(study, filter).size() >= 1);
  CHECK_FALSE(db.trial_by_seq(study, 99).has_value());
  CHECK(db.front(study).size() == 1);
}

TEST_CASE("add_pending is idempotent for a deterministic replay", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  const StudyId study = db.create_study(sample_config());
  const auto first = db.add_pending(study, 0, 0, sample_points(4));
  db.complete(first[1].id, sample_result(1, 2, 3));

  // Replaying the same batch inserts nothing and reports the existing trials.
  const auto replay = db.add_pending(study, 0, 0, sample_points(4));
  REQUIRE(replay.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(replay[i].id == first[i].id);
    CHECK_FALSE(replay[i].inserted);
  }
  CHECK(replay[1].status == TrialStatus::done);
  CHECK(db.counts(study).total() == 4);

  // Overlapping: seq 2 and 3 exist, 4 and 5 are new.
  const auto overlap = db.add_pending(study, 1, 2, sample_points(4, 2));
  CHECK_FALSE(overlap[0].inserted);
  CHECK(overlap[2].inserted);
  CHECK(overlap[3].seq == 5);
  CHECK(db.counts(study).total() == 6);

  // A different point at an existing seq fails the whole call.
  try {
    auto diverged = sample_points(3, 5);
    diverged[0].point = {5, 2, 2.5000001};  // seq 5 holds [5, 2, 2.5]
    db.add_pending(study, 2, 5, diverged);
    FAIL("a diverging replay was accepted");
  } catch (const StoreError& error) {
    CHECK(error.kind() == ErrorKind::seq_conflict);
    CHECK_THAT(std::string(error.what()), Catch::Contains("seq 5 already holds point"));
  }
  CHECK(db.counts(study).total() == 6);

  // Gaps would break replay; negative seq too.
  CHECK(kind_of([&] { db.add_pending(study, 2, 7, sample_points(1)); }) ==
        ErrorKind::invalid_argument);
  CHECK(kind_of([&] { db.add_pending(study, 2, -1, sample_points(1)); }) ==
        ErrorKind::invalid_argument);
  std::vector<ProposedPoint> not_array = {{nlohmann::json{{"a", 1}}, nlohmann::json::object()}};
  CHECK(kind_of([&] { db.add_pending(study, 2, 6, not_array); }) == ErrorKind::invalid_argument);
  CHECK(kind_of([&] { db.add_pending(9999, 0, 0, sample_points(1)); }) == ErrorKind::no_such_study);
}

TEST_CASE("stale and per-worker claims go back to pending", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  const StudyId study = db.create_study(sample_config());
  db.add_pending(study, 0, 0, sample_points(6));
  const auto old_claims = db.claim_pending(study, "killed:1", 2);
  const auto fresh_claims = db.claim_pending(study, "alive:2", 2);
  CHECK(db.counts(study).running == 4);
  {
    // Age the first claims and their worker's heartbeat by two hours rather than sleeping: no
    // timing in the test.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(dir.file("s.sqlite").c_str(), &raw) == SQLITE_OK);
    const std::string sql =
        "UPDATE trial SET claimed_at = claimed_at - 7200 WHERE worker = 'killed:1';"
        "UPDATE study_worker SET heartbeat_at = heartbeat_at - 7200 WHERE worker = 'killed:1'";
    CHECK(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }

  CHECK(db.release_stale(study, 3 * 3600.0) == 0);
  CHECK(db.release_stale(study, 3600.0) == 2);  // only the claims older than an hour
  CHECK(db.counts(study).running == 2);
  const Trial released = *db.trial(old_claims[0].id);
  CHECK(released.status == TrialStatus::pending);
  CHECK(released.worker.empty());
  CHECK_FALSE(released.claimed_at.has_value());

  CHECK(db.release_worker(study, "nobody") == 0);
  CHECK(db.release_worker(study, "alive:2") == 2);
  CHECK(db.counts(study).pending == 6);

  // Released trials are claimed again, lowest seq first.
  const auto again = db.claim_pending(study, "w", 10);
  REQUIRE(again.size() == 6);
  CHECK(again.front().seq == 0);
  CHECK(again.back().seq == 5);
  CHECK(db.claim_pending(study, "w", 10).empty());
  CHECK(db.claim_pending(study, "w", 0).empty());
  CHECK(fresh_claims.size() == 2);
}

TEST_CASE("a claim is stale when its worker's heartbeat is, whatever its pid", "[store]") {
  TempDir dir;
  const auto file = dir.file("s.sqlite");
  Database db(file);
  const StudyId study = db.create_study(sample_config());
  db.add_pending(study, 0, 0, sample_points(4));
  // This very process: alive, so release_dead_workers() leaves its claims alone (as it would
  // for a PID reused after a container restart).
  const std::string alive = default_worker_id() + ":old";
  const auto claimed = db.claim_pending(study, alive, 2);
  REQUIRE(claimed.size() == 2);
  CHECK(db.release_dead_workers(study) == 0);
  auto age = [&](double seconds) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
    const std::string sql =
        "UPDATE trial SET claimed_at = claimed_at - " + std::to_string(seconds) +
        "; UPDATE study_worker SET heartbeat_at = " + "heartbeat_at - " + std::to_string(seconds);
    CHECK(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  };
  age(600);
  // A heartbeat (the worker recorded a result) keeps its old claims alive.
  db.heartbeat(study, alive);
  CHECK(db.release_stale(study, 300) == 0);
  const auto holders = db.claims(study);
  REQUIRE(holders.size() == 1);
  CHECK(holders[0].worker == alive);
  CHECK(holders[0].running == 2);
  CHECK(holders[0].idle_seconds < 300);
  // Silent for ten minutes: released although the process exists.
  age(600);
  CHECK(db.claims(study)[0].idle_seconds >= 600);
  CHECK(db.release_stale(study, 300) == 2);
  CHECK(db.counts(study).pending == 4);
  CHECK(db.claims(study).empty());
  db.check_integrity();
}

TEST_CASE("transactions group writes and roll back on error", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  const StudyId study = db.create_study(sample_config());
  const auto added = db.add_pending(study, 0, 0, sample_points(4));

  SECTION("an exception unwinds the whole group") {
    try {
      auto transaction = db.transaction();
      db.complete(added[0].id, sample_result(1, 1, 1));
      db.add_pending(study, 1, 4, sample_points(2, 4));
      throw std::runtime_error("engine crashed mid-batch");
    } catch (const std::runtime_error&) {
    }
    CHECK(db.counts(study).total() == 4);
    CHECK(db.trial(added[0].id)->status == TrialStatus::pending);
    CHECK(db.front(study).empty());
  }

  SECTION("a failed call inside a group undoes only itself") {
    auto transaction = db.transaction();
    CHECK(db.complete(added[0].id, sample_result(1, 1, 1)));
    TrialResult bad = sample_result(0.5, 0.5, 5);
    bad.metrics["latency_ms"] = "fast";
    CHECK(kind_of([&] { db.complete(added[1].id, bad); }) == ErrorKind::invalid_argument);
    // The front cache was dropped with the rolled-back call: this one must still see trial 0.
    CHECK(db.complete(added[2].id, sample_result(2, 2, 0.5)));
    transaction.commit();
    const auto front = db.front(study);
    REQUIRE(front.size() == 1);
    CHECK(front[0].id == added[0].id);
    CHECK(db.trial(added[1].id)->status == TrialStatus::pending);
  }

  SECTION("complete_many records a batch in one commit") {
    std::vector<Completion> batch;
    for (std::size_t i = 0; i < added.size(); ++i) {
      batch.push_back({added[i].id, sample_result(1.0 + i, 4.0 - i, 1)});
    }
    CHECK(db.complete_many(batch) == 4);
    CHECK(db.complete_many(batch) == 0);  // all already done
    CHECK(db.front(study).size() == 4);
  }
}

TEST_CASE("a read-only Database reads but never writes", "[store]") {
  TempDir dir;
  const auto file = dir.file("s.sqlite");
  StudyId study = 0;
  {
    Database writer(file);
    study = writer.create_study(sample_config());
    const auto added = writer.add_pending(study, 0, 0, sample_points(2));
    writer.complete(added[0].id, sample_result(1, 2, 3));
  }
  Database reader(file, {.mode = OpenMode::read_only});
  CHECK(reader.read_only());
  CHECK(reader.studies().size() == 1);
  CHECK(reader.front(study).size() == 1);
  CHECK(reader.trials(study).size() == 2);
  reader.check_integrity();
  try {
    reader.add_pending(study, 1, 2, sample_points(1));
    FAIL("wrote through a read-only Database");
  } catch (const StoreError& error) {
    CHECK(error.kind() == ErrorKind::read_only);
    CHECK_THAT(std::string(error.what()), Catch::Contains("opened read-only"));
  }
  CHECK(kind_of([&] { reader.transaction(); }) == ErrorKind::read_only);

  // A writer beside the reader (the GUI watching a running search).
  Database writer(file);
  writer.add_pending(study, 1, 2, sample_points(1, 2));
  CHECK(reader.counts(study).total() == 3);
}

TEST_CASE("objective values are queryable in SQL", "[store]") {
  TempDir dir;
  const auto file = dir.file("s.sqlite");
  StudyId study = 0;
  {
    Database db(file);
    study = db.create_study(sample_config());
    const auto added = db.add_pending(study, 0, 0, sample_points(2));
    db.complete(added[0].id, sample_result(1.5, 2, 3));
  }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw,
                             "SELECT t.seq, o.value FROM trial t JOIN trial_objective o ON "
                             "o.trial_id = t.id WHERE t.study_id = ?1 AND o.name = 'latency_ms'",
                             -1, &statement, nullptr) == SQLITE_OK);
  sqlite3_bind_int64(statement, 1, study);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(statement, 0) == 0);
  CHECK(sqlite3_column_double(statement, 1) == 1.5);
  CHECK(sqlite3_step(statement) == SQLITE_DONE);
  sqlite3_finalize(statement);
  sqlite3_close(raw);
}

TEST_CASE("the compact form round-trips every JSON value exactly", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  const StudyId study = db.create_study(sample_config());
  ProposedPoint proposed;
  proposed.point = {
      1,    -3,   2.5,    0.1, 1e300, -0.0, 4096.0, std::int64_t{1} << 60, 18446744073709551615ULL,
      "ws", true, nullptr};
  proposed.params = {{"rows", 32},         {"kib", 128.0},   {"dataflow", "os"},
                     {"ratio", 1.0 / 3.0}, {"flag", false},  {"nested", {{"a", {1, 2}}}},
                     {"negative", -17},    {"tiny", 5e-324}, {"empty", ""},
                     {"unicode", "µm²"}};
  const auto added = db.add_pending(study, 0, 0, std::vector<ProposedPoint>{proposed});
  TrialResult result = sample_result(2.5, 1.25, 400.0);
  result.metrics["count"] = 7;
  result.metrics["big"] = 1.7976931348623157e308;
  result.metrics["whole"] = 2048.0;
  REQUIRE(db.complete(added[0].id, result));
  const Trial stored = *db.trial(added[0].id);
  CHECK(stored.point == proposed.point);
  CHECK(stored.params == proposed.params);
  CHECK(stored.metrics == result.metrics);
  // JSON types are kept too: integers stay integers, floats stay floats.
  CHECK(stored.params["rows"].is_number_integer());
  CHECK(stored.params["kib"].is_number_float());
  CHECK(stored.metrics["count"].is_number_integer());
  CHECK(stored.metrics["whole"].is_number_float());
  CHECK(std::signbit(stored.point[5].get<double>()));
  // The numbers-only reader sees the same values.
  ScanKeys keys;
  int rows = 0;
  db.scan(study, {}, keys, [&](const TrialRow& row) {
    ++rows;
    REQUIRE(row.point.size() == proposed.point.size());
    CHECK(row.point[2] == 2.5);
    CHECK(std::isnan(row.point[9]));  // a text coordinate is not a number
    const auto at = [&](const std::vector<std::string>& names, const std::string& name) {
      return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    };
    CHECK(row.metrics[at(keys.metrics, "latency_ms")] == 2.5);
    CHECK(row.params[at(keys.params, "rows")] == 32);
    const std::size_t dataflow = at(keys.params, "dataflow");
    REQUIRE(row.param_texts[dataflow] >= 0);
    CHECK(keys.texts[static_cast<std::size_t>(row.param_texts[dataflow])] == "os");
  });
  CHECK(rows == 1);
}

TEST_CASE("non-finite metrics are refused before they are stored", "[store]") {
  TempDir dir;
  Database db(dir.file("s.sqlite"));
  const StudyId study = db.create_study(sample_config());
  const auto added = db.add_pending(study, 0, 0, sample_points(2));
  for (const double bad :
       {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    TrialResult result = sample_result(1, 2, 3, /*feasible=*/false);
    result.metrics["power_w"] = bad;  // not an objective, and the design is infeasible
    try {
      db.complete(added[0].id, result);
      FAIL("a non-finite metric was stored");
    } catch (const StoreError& error) {
      CHECK(error.kind() == ErrorKind::invalid_argument);
      CHECK_THAT(std::string(error.what()), Catch::Contains("power_w"));
    }
  }
  CHECK(db.trial(added[0].id)->status == TrialStatus::pending);
  CHECK(db.fail(added[0].id, "metric 'power_w' is inf"));
  CHECK(db.counts(study).failed == 1);
  db.check_integrity();
}
