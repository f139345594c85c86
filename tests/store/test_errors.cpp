// Schema migrations and every way opening or writing a file can fail.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "store/database.hpp"
#include "store/schema.hpp"
#include "support.hpp"

using namespace accelscope::store;
using accelscope::store::testing::sample_config;
using accelscope::store::testing::sample_points;
using accelscope::store::testing::sample_result;
using accelscope::store::testing::TempDir;

namespace {

struct Failure {
  ErrorKind kind;
  std::string message;
};

std::optional<Failure> failure_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return Failure{error.kind(), error.what()};
  }
  return std::nullopt;
}

// Root ignores file permissions, so permission tests run the action in a child process as user
// nobody when the tests run as root. The failure comes back through a pipe.
std::optional<Failure> failure_without_privileges(const std::function<void()>& action) {
  if (geteuid() != 0) return failure_of(action);
  int channel[2];
  REQUIRE(pipe(channel) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(channel[0]);
    std::string report = "none";
    if (setgid(65534) != 0 || setuid(65534) != 0) {
      report = "setuid failed";
    } else if (auto failure = failure_of(action)) {
      report = std::to_string(static_cast<int>(failure->kind)) + " " + failure->message;
    }
    const ssize_t written = write(channel[1], report.data(), report.size());
    _exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  close(channel[1]);
  std::string report;
  char buffer[512];
  ssize_t got = 0;
  while ((got = read(channel[0], buffer, sizeof buffer)) > 0) report.append(buffer, got);
  close(channel[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(report != "setuid failed");
  if (report == "none") return std::nullopt;
  const auto space = report.find(' ');
  return Failure{static_cast<ErrorKind>(std::stoi(report.substr(0, space))),
                 report.substr(space + 1)};
}

// False when running as root without the right to switch users (some containers): root
// ignores permissions, so the permission tests cannot run there.
bool can_test_permissions() {
  if (geteuid() != 0) return true;
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(setgid(65534) == 0 && setuid(65534) == 0 ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Raw SQLite access, to build files the store would not write itself.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  void exec(const std::string& sql) {
    char* error = nullptr;
    const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    INFO(sql << " -> " << (error ? error : ""));
    sqlite3_free(error);
    REQUIRE(code == SQLITE_OK);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

void write_bytes(const std::filesystem::path& file, std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::ofstream out(file, std::ios::binary);
  for (std::size_t i = 0; i < count; ++i) out.put(static_cast<char>(random() & 0xff));
}

}  // namespace

TEST_CASE("migrations: an empty file becomes the current schema", "[store][migration]") {
  TempDir dir;
  const auto file = dir.file("v0.sqlite");
  { std::ofstream touch(file); }  // zero bytes: an empty SQLite database (version 0)
  {
    Database db(file);
    CHECK(db.schema_version() == kSchemaVersion);
    db.create_study(sample_config());
  }
  RawDb raw(file);
  CHECK(raw.text("SELECT value FROM accelscope_meta WHERE key = 'schema_version'") ==
        std::to_string(kSchemaVersion));
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
  CHECK_FALSE(raw.text("SELECT value FROM accelscope_meta WHERE key = 'created_by'").empty());
}

TEST_CASE("migrations: a version 1 file with data migrates and keeps it", "[store][migration]") {
  REQUIRE(migrations().size() == static_cast<std::size_t>(kSchemaVersion));
  REQUIRE(migrations()[0].to_version == 1);
  TempDir dir;
  const auto file = dir.file("v1.sqlite");
  {
    // The file as the first release wrote it: step 1 only, with a study and two trials.
    RawDb raw(file);
    raw.exec(std::string(migrations()[0].sql));
    raw.exec("INSERT INTO accelscope_meta VALUES ('schema_version', '1')");
    raw.exec("INSERT INTO study VALUES (1, 'old', '{}', '" + spec_hash(nlohmann::json::object()) +
             "', 'random', 1, 10, '0.0.1', 'paused', 1.0, 2.0, "
             "'[{\"name\":\"latency_ms\",\"direction\":\"minimize\"}]', 'null', '{}')");
    raw.exec(
        "INSERT INTO trial (id, study_id, seq, batch, point, params, status, created_at, metrics,"
        " feasible, violations, workloads, on_front) VALUES "
        "(1, 1, 0, 0, '[1]', '{}', 'done', 1.5, '{\"latency_ms\":3}', 1, '[]', 'null', 1),"
        "(2, 1, 1, 0, '[2]', '{}', 'pending', 1.5, NULL, NULL, NULL, NULL, 0)");
    raw.exec("INSERT INTO trial_objective VALUES (1, 0, 'latency_ms', 3)");
  }
  // Read-only opening refuses to migrate and leaves the file alone.
  const auto read_only = failure_of([&] { Database(file, {.mode = OpenMode::read_only}); });
  REQUIRE(read_only);
  CHECK(read_only->kind == ErrorKind::needs_migration);
  CHECK_THAT(read_only->message, Catch::Contains("v1.sqlite: schema version 1 is older"));
  CHECK(RawDb(file).text("SELECT value FROM accelscope_meta WHERE key = 'schema_version'") == "1");

  Database db(file, {.mode = OpenMode::read_write});
  CHECK(db.schema_version() == kSchemaVersion);
  const StudyInfo study = db.study(1);
  CHECK(study.name == "old");
  CHECK(study.status == StudyStatus::paused);
  const Trial old_trial = *db.trial(1);
  CHECK(old_trial.objectives == std::vector<double>{3.0});
  CHECK_FALSE(old_trial.finished_at.has_value());  // added by version 2, unknown for old rows
  CHECK(db.front(1).size() == 1);

  // The migrated file works like a new one.
  TrialResult result;
  result.metrics = {{"latency_ms", 2.0}};
  result.eval_seconds = 0.5;
  CHECK(db.complete(2, result));
  CHECK(db.trial(2)->finished_at.has_value());
  CHECK(db.trial(2)->eval_seconds == 0.5);
  const auto front = db.front(1);
  REQUIRE(front.size() == 1);
  CHECK(front[0].id == 2);
}

TEST_CASE("a file from a newer accelscope is refused", "[store][migration]") {
  TempDir dir;
  const auto file = dir.file("future.sqlite");
  { Database db(file); }
  RawDb(file).exec("UPDATE accelscope_meta SET value = '99' WHERE key = 'schema_version'");
  for (const OpenMode mode : {OpenMode::create, OpenMode::read_only}) {
    const auto failure = failure_of([&] { Database(file, {.mode = mode}); });
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::too_new);
    CHECK_THAT(failure->message, Catch::Contains("future.sqlite: schema version 99 is newer"));
  }
}

TEST_CASE("bad files give one-line errors naming the file", "[store][errors]") {
  TempDir dir;

  SECTION("random bytes") {
    const auto file = dir.file("random.bin");
    write_bytes(file, 8192, 5);
    for (const OpenMode mode : {OpenMode::create, OpenMode::read_only}) {
      const auto failure = failure_of([&] { Database(file, {.mode = mode}); });
      REQUIRE(failure);
      CHECK(failure->kind == ErrorKind::not_sqlite);
      CHECK_THAT(failure->message, Catch::StartsWith(file.string() + ": not an SQLite database"));
    }
  }

  SECTION("another program's SQLite database") {
    const auto file = dir.file("foreign.db");
    RawDb(file).exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
    const auto failure = failure_of([&] { Database db(file); });
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::not_accelscope);
    CHECK(failure->message ==
          file.string() + ": not an accelscope study database (no accelscope_meta table)");
    RawDb raw(file);  // untouched: not switched to WAL, no tables added
    CHECK(raw.text("PRAGMA journal_mode") == "delete");
    CHECK(raw.text("SELECT count(*) FROM sqlite_master") == "1");
  }

  SECTION("a missing file") {
    const auto file = dir.file("missing.sqlite");
    for (const OpenMode mode : {OpenMode::read_only, OpenMode::read_write}) {
      const auto failure = failure_of([&] { Database(file, {.mode = mode}); });
      REQUIRE(failure);
      CHECK(failure->kind == ErrorKind::not_found);
      CHECK(failure->message == file.string() + ": no such file");
    }
    CHECK_FALSE(std::filesystem::exists(file));  // read-only opening created nothing

    const auto no_dir = dir.file("no/such/dir/s.sqlite");
    const auto failure = failure_of([&] { Database db(no_dir); });
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::cannot_open);
    CHECK_THAT(failure->message, Catch::Contains("does not exist"));
  }

  SECTION("an empty file opened read-only") {
    const auto file = dir.file("empty.sqlite");
    { std::ofstream touch(file); }
    const auto failure = failure_of([&] { Database(file, {.mode = OpenMode::read_only}); });
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::not_accelscope);
    CHECK(std::filesystem::file_size(file) == 0);
  }

  SECTION("a corrupted database") {
    const auto file = dir.file("corrupt.sqlite");
    {
      Database db(file);
      const StudyId study = db.create_study(sample_config());
      db.add_pending(study, 0, 0, sample_points(200));
      db.check_integrity();
    }  // the last connection checkpoints the WAL into the file
    {
      // Keep the header page, overwrite every page after it.
      const auto size = std::filesystem::file_size(file);
      REQUIRE(size > 8192);
      std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
      stream.seekp(4096);
      std::mt19937 random(9);
      for (std::uintmax_t i = 4096; i < size; ++i) stream.put(static_cast<char>(random() & 0xff));
    }
    const auto failure = failure_of([&] {
      Database db(file);
      db.trials(1);
    });
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::corrupt);
    CHECK_THAT(failure->message, Catch::StartsWith(file.string() + ": database file is corrupt"));
  }

  SECTION("a directory") {
    const auto failure = failure_of([&] { Database db(dir.path()); });
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::cannot_open);
    CHECK_THAT(failure->message, Catch::Contains("is a directory"));
  }
}

TEST_CASE("permissions: read-only directory and read-only file", "[store][errors]") {
  if (!can_test_permissions()) {
    WARN("running as root without setuid: permission checks skipped");
    return;
  }
  TempDir dir;
  const auto locked_dir = dir.file("readonly-dir");
  std::filesystem::create_directory(locked_dir);
  const auto existing = locked_dir / "existing.sqlite";
  {
    Database db(existing);
    db.create_study(sample_config());
  }
  using std::filesystem::perms;
  std::filesystem::permissions(existing,
                               perms::owner_read | perms::group_read | perms::others_read);
  std::filesystem::permissions(locked_dir, perms::owner_read | perms::owner_exec |
                                               perms::group_read | perms::group_exec |
                                               perms::others_read | perms::others_exec);
  std::filesystem::permissions(dir.path(), perms::others_exec | perms::others_read,
                               std::filesystem::perm_options::add);

  const auto create = failure_without_privileges([&] { Database db(locked_dir / "new.sqlite"); });
  REQUIRE(create);
  CHECK(create->kind == ErrorKind::cannot_open);
  CHECK_THAT(create->message, Catch::StartsWith((locked_dir / "new.sqlite").string() + ": "));
  CHECK_THAT(create->message, Catch::Contains("not writable"));

  const auto write = failure_without_privileges([&] { Database db(existing); });
  REQUIRE(write);
  CHECK(write->kind == ErrorKind::read_only);
  CHECK(write->message ==
        existing.string() + ": the file is read-only; fix its permissions or open it read-only");

  // Reading it read-only works.
  const auto read = failure_without_privileges([&] {
    Database db(existing, {.mode = OpenMode::read_only});
    if (db.studies().size() != 1) throw StoreError(ErrorKind::sql, "wrong study count");
  });
  CHECK_FALSE(read.has_value());
  if (read) WARN(read->message);

  std::filesystem::permissions(locked_dir, perms::owner_all, std::filesystem::perm_options::add);
}

TEST_CASE("a locked database fails clearly after the busy timeout", "[store][errors]") {
  TempDir dir;
  const auto file = dir.file("locked.sqlite");
  Database holder(file);
  const StudyId study = holder.create_study(sample_config());
  holder.add_pending(study, 0, 0, sample_points(2));

  Database other(file, {.busy_timeout = std::chrono::milliseconds(100)});
  {
    auto transaction = holder.transaction();  // holds the write lock
    holder.add_pending(study, 1, 2, sample_points(1, 2));

    const auto start = std::chrono::steady_clock::now();
    const auto failure = failure_of([&] { other.claim_pending(study, "w", 1); });
    const auto waited = std::chrono::steady_clock::now() - start;
    REQUIRE(failure);
    CHECK(failure->kind == ErrorKind::locked);
    CHECK(failure->message == file.string() +
                                  ": database is locked by another connection; gave up after the "
                                  "100 ms busy timeout (while starting a write transaction)");
    CHECK(waited >= std::chrono::milliseconds(90));
    CHECK(waited < std::chrono::seconds(5));

    // Readers are not blocked (WAL) and see the last commit.
    CHECK(other.counts(study).pending == 2);
    transaction.commit();
  }
  CHECK(other.claim_pending(study, "w", 5).size() == 3);
}

TEST_CASE("a full disk fails clearly and loses nothing committed", "[store][errors]") {
  TempDir dir;
  const auto file = dir.file("full.sqlite");
  Database db(file, {.max_size_bytes = 256 * 1024});  // stands in for a full disk
  const StudyId study = db.create_study(sample_config());
  std::vector<ProposedPoint> big(1);
  big[0].params = {{"padding", std::string(8000, 'x')}};
  std::optional<Failure> failure;
  std::int64_t inserted = 0;
  for (int i = 0; i < 200 && !failure; ++i) {
    big[0].point = {i};
    failure = failure_of([&] { db.add_pending(study, i, i, big); });
    if (!failure) ++inserted;
  }
  REQUIRE(failure);
  CHECK(failure->kind == ErrorKind::full);
  CHECK_THAT(failure->message, Catch::StartsWith(file.string() + ": disk full"));
  CHECK(inserted > 5);
  CHECK(db.counts(study).pending == inserted);  // the failed call left nothing behind
  db.check_integrity();
}

TEST_CASE("resuming (read-write) an empty or non-SQLite file writes nothing into it",
          "[store][errors]") {
  TempDir dir;
  const auto empty = dir.file("empty.sqlite");
  { std::ofstream touch(empty); }
  const auto failure = failure_of([&] { Database(empty, {.mode = OpenMode::read_write}); });
  REQUIRE(failure);
  CHECK(failure->kind == ErrorKind::not_accelscope);
  CHECK_THAT(failure->message,
             Catch::StartsWith(empty.string() + ": ") && Catch::Contains("empty file"));
  CHECK(std::filesystem::file_size(empty) == 0);
  CHECK_FALSE(std::filesystem::exists(empty.string() + "-wal"));

  const auto random = dir.file("random.bin");
  write_bytes(random, 4096, 9);
  std::ifstream before_stream(random, std::ios::binary);
  const std::string before((std::istreambuf_iterator<char>(before_stream)), {});
  const auto not_sqlite = failure_of([&] { Database(random, {.mode = OpenMode::read_write}); });
  REQUIRE(not_sqlite);
  CHECK(not_sqlite->kind == ErrorKind::not_sqlite);
  std::ifstream after_stream(random, std::ios::binary);
  CHECK(std::string((std::istreambuf_iterator<char>(after_stream)), {}) == before);
}

TEST_CASE("a file name that looks like an SQLite URI is a file name", "[store][errors]") {
  TempDir dir;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const std::string name = "file:mem.sqlite?mode=memory";
  {
    Database db(name);
    db.create_study(sample_config());
  }
  CHECK(std::filesystem::exists(dir.path() / name));
  {
    Database again(name, {.mode = OpenMode::read_only});
    CHECK(again.studies().size() == 1);  // saved, not in memory
  }
  std::filesystem::current_path(previous);
}
