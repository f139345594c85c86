// Bad input never crashes, hangs or blows up memory: every file of the corpus in tests/data/bad/
// (index.tsv says which command each is fed to; {dir}: the file's directory, for --tech) makes the
// command line exit 1 within seconds, with one line on stderr naming the file. Also files that
// cannot live in the repository (a symlink to /dev/zero, a FIFO, a directory, a file over the size
// limit) and the count limits of the options.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_support.hpp"

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;  // -1: killed by a signal (or by the time limit)
  int signal = 0;
  bool timed_out = false;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool sanitized_build() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

// Runs the CLI with a time limit and (outside sanitizer builds, whose shadow memory needs a large
// address space) a 2 GiB address-space limit; stdout is discarded.
Outcome run_cli(const std::vector<std::string>& arguments, int seconds = 30) {
  const std::string err_path = accelscope::testing::temp_path("bad_err");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open("/dev/null", O_WRONLY);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!sanitized_build()) {
      const rlimit memory{rlim_t{2} << 30, rlim_t{2} << 30};
      ::setrlimit(RLIMIT_AS, &memory);
    }
    std::vector<char*> argv{const_cast<char*>(ACCELSCOPE_BINARY)};
    for (const std::string& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(ACCELSCOPE_BINARY, argv.data());
    ::_exit(127);
  }
  Outcome outcome;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      outcome.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  outcome.err = slurp(err_path);
  fs::remove(err_path);
  return outcome;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::size_t line_count(const std::string& text) {
  std::size_t count = 0;
  for (char c : text) count += c == '\n';
  return count;
}

// The contract for a bad file: exit 1, in time, one line naming the file.
void check_refused(const std::string& file, const std::vector<std::string>& arguments) {
  const Outcome outcome = run_cli(arguments);
  INFO("file " << file << "\nstderr: " << outcome.err.substr(0, 2000));
  CHECK_FALSE(outcome.timed_out);
  CHECK(outcome.signal == 0);
  CHECK(outcome.exit_code == 1);
  CHECK(line_count(outcome.err) == 1);
  CHECK(outcome.err.find(file) != std::string::npos);
}

std::string fresh_db() {
  return accelscope::testing::temp_path("bad_db") + ".sqlite";
}

void remove_db(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
}

}  // namespace

TEST_CASE("bad inputs: every file of the corpus gets exit 1 and a one-line error naming it",
          "[cli][bad]") {
  const std::string source = accelscope::testing::source_dir();
  std::ifstream index(source + "/tests/data/bad/index.tsv");
  REQUIRE(index);
  std::size_t files = 0;
  for (std::string line; std::getline(index, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string file = "tests/data/bad/" + line.substr(0, tab);
    REQUIRE(fs::exists(source + "/" + file));
    const std::string db = fresh_db();
    std::vector<std::string> arguments;
    for (std::string word : split_words(line.substr(tab + 1))) {
      if (word == "{dir}") word = fs::path(file).parent_path().string();
      if (word == "{file}") word = file;
      if (word == "{db}") word = db;
      arguments.push_back(word);
    }
    // Paths are relative to the repository: run there.
    const fs::path previous = fs::current_path();
    fs::current_path(source);
    check_refused(file, arguments);
    fs::current_path(previous);
    remove_db(db);
    ++files;
  }
  CHECK(files >= 100);
}

TEST_CASE("bad inputs: files that are not regular files, or too large", "[cli][bad]") {
  const std::string source = accelscope::testing::source_dir();
  const std::string net = source + "/tests/data/bad/fixtures/net.json";
  const std::string dir = accelscope::testing::temp_path("bad_files");
  fs::create_directories(dir);

  // A symlink to /dev/zero reads forever; a FIFO blocks; a directory is not a file.
  const std::string zero = dir + "/zero.json";
  fs::create_symlink("/dev/zero", zero);
  check_refused(zero, {"eval", "--hw", zero, "--workload", net});
  check_refused(zero,
                {"eval", "--hw", source + "/tests/data/bad/fixtures/hw.json", "--workload", zero});
  check_refused(zero, {"search", zero, "--db", dir + "/s.sqlite", "--quiet"});
  const std::string fifo = dir + "/fifo.csv";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  check_refused(fifo,
                {"eval", "--hw", source + "/tests/data/bad/fixtures/hw.json", "--workload", fifo});
  const std::string directory = dir + "/directory.json";
  fs::create_directories(directory);
  check_refused(directory, {"eval", "--hw", directory, "--workload", net});

  // Larger than the limit (64 MiB): sparse, so it costs no disk.
  for (const char* name : {"/huge.json", "/huge.csv", "/huge.cfg"}) {
    const std::string huge = dir + name;
    { std::ofstream(huge) << "{"; }
    fs::resize_file(huge, std::uintmax_t{65} << 20);
    const bool hardware = std::string(name).ends_with(".cfg");
    if (hardware)
      check_refused(huge, {"eval", "--hw", huge, "--workload", net});
    else
      check_refused(
          huge, {"eval", "--hw", source + "/tests/data/bad/fixtures/hw.json", "--workload", huge});
  }
  fs::remove_all(dir);
}

TEST_CASE("bad inputs: counts on the command line are checked against the limits", "[cli][bad]") {
  const std::string source = accelscope::testing::source_dir();
  const std::string hw = source + "/tests/data/bad/fixtures/hw.json";
  const std::string net = source + "/tests/data/bad/fixtures/net.json";
  const std::string space = source + "/tests/data/spaces/tiny.json";
  const std::string db = fresh_db();
  struct Case {
    std::vector<std::string> arguments;
    std::string option;
  };
  const std::vector<Case> cases = {
      {{"eval", "--hw", hw, "--workload", net, "--batch", "4611686018427387904"}, "--batch"},
      {{"eval", "--hw", hw, "--workload", net, "--batch", "1048577"}, "--batch"},
      {{"search", space, "--db", db, "--threads", "100000", "--quiet"}, "--threads"},
      {{"search", space, "--db", db, "--budget", "9223372036854775808", "--quiet"}, "--budget"},
      {{"search", space, "--db", db, "--budget", "-1", "--quiet"}, "--budget"},
      {{"search", space, "--db", db, "--batch", "1000000000", "--quiet"}, "--batch"},
      {{"resume", "--db", db, "--threads", "5000"}, "--threads"},
  };
  for (const Case& c : cases) {
    const Outcome outcome = run_cli(c.arguments);
    INFO(c.option << ": " << outcome.err);
    CHECK(outcome.exit_code == 2);  // a usage error
    CHECK(line_count(outcome.err) == 1);
    CHECK(outcome.err.find(c.option) != std::string::npos);
  }
  remove_db(db);
}
