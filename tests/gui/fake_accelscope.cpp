// A stand-in for the `accelscope` CLI in the viewer's tests, following its contract:
//   search SPACE.json --db FILE [--strategy S] [--budget N] [--seed S] [--threads T] [--study NAME]
//          [--log-json]
//   report --db FILE --study ID --format html|pdf -o OUT
// The search evaluates fixture designs one at a time (FAKE_ACCELSCOPE_DELAY_MS apart, default 20)
// and stops cleanly on SIGINT, leaving a paused, resumable study (exit status 130);
// FAKE_ACCELSCOPE_FAIL_AT=N makes it fail with an error line before design N.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "fixture.hpp"

namespace {

std::atomic<bool> interrupted{false};

void on_signal(int) {
  interrupted = true;
}

std::map<std::string, std::string> options(int argc, char** argv, int first,
                                           std::string* positional) {
  std::map<std::string, std::string> out;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--log-json") {  // a flag: present, without a value
      out[arg];
    } else if (arg.starts_with("-") && i + 1 < argc) {
      out[arg] = argv[++i];
    } else if (positional) {
      *positional = arg;
    }
  }
  return out;
}

int search(int argc, char** argv) {
  std::string space;
  auto args = options(argc, argv, 2, &space);
  if (space.empty() || !std::filesystem::exists(space)) {
    std::fprintf(stderr, "error: %s: no such design-space file\n", space.c_str());
    return 2;
  }
  if (!args.contains("--db")) {
    std::fprintf(stderr, "error: --db is required\n");
    return 2;
  }
  accelscope::gui::fixture::StudyOptions study;
  study.name = args.contains("--study") ? args["--study"] : "fake-study";
  study.strategy = args.contains("--strategy") ? args["--strategy"] : "nsga2";
  study.budget = args.contains("--budget") ? std::stoll(args["--budget"]) : 50;
  study.seed = args.contains("--seed") ? std::stoull(args["--seed"]) : 1;
  study.breakdown_every = 4;
  const bool log_json = args.contains("--log-json");
  const int delay_ms = std::getenv("FAKE_ACCELSCOPE_DELAY_MS")
                           ? std::atoi(std::getenv("FAKE_ACCELSCOPE_DELAY_MS"))
                           : 20;

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  accelscope::store::Database db(args["--db"]);
  const auto opened = db.create_or_resume_study(accelscope::gui::fixture::study_config(study));
  const auto id = opened.study.id;
  db.set_status(id, accelscope::store::StudyStatus::running);
  std::printf("%s study %s: budget %lld\n", opened.created ? "created" : "resuming",
              study.name.c_str(), static_cast<long long>(study.budget));
  std::fflush(stdout);
  const long long fail_at = std::getenv("FAKE_ACCELSCOPE_FAIL_AT")
                                ? std::atoll(std::getenv("FAKE_ACCELSCOPE_FAIL_AT"))
                                : -1;
  for (std::int64_t seq = db.next_seq(id); seq < study.budget; ++seq) {
    if (interrupted) break;
    if (seq == fail_at) {  // a failure after some progress, reported as the real CLI does
      std::fprintf(stderr, "error: %s: disk I/O error\n", args["--db"].c_str());
      return 1;
    }
    accelscope::gui::fixture::add_trials(db, id, study, seq, 1);
    if ((seq + 1) % 10 == 0 && log_json) {  // the real CLI's progress lines (on stderr)
      std::fprintf(stderr,
                   "{\"budget\":%lld,\"designs_per_s\":%.3f,\"done\":%lld,\"elapsed_s\":%.3f,"
                   "\"event\":\"progress\",\"failed\":0,\"front_size\":%d,"
                   "\"hypervolume\":%.6f,\"study\":\"%s\"}\n",
                   static_cast<long long>(study.budget), 1000.0 / (delay_ms + 1),
                   static_cast<long long>(seq + 1), (seq + 1) * (delay_ms + 1) / 1000.0,
                   static_cast<int>(seq / 10 + 1), 0.123456 * static_cast<double>(seq),
                   study.name.c_str());
    } else if ((seq + 1) % 10 == 0) {
      std::fprintf(stderr, "[info] study %s: %lld/%lld designs\n", study.name.c_str(),
                   static_cast<long long>(seq + 1), static_cast<long long>(study.budget));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
  if (interrupted) {
    db.set_status(id, accelscope::store::StudyStatus::paused);
    std::printf("interrupted: study %s paused; run again to resume\n", study.name.c_str());
    return 130;
  }
  db.set_status(id, accelscope::store::StudyStatus::done);
  // As the real CLI: a summary line, then the front as a table, on stdout.
  const auto front = db.front_objectives(id);
  std::printf("study %s (id %lld): %lld designs, %zu on the front\n", study.name.c_str(),
              static_cast<long long>(id), static_cast<long long>(study.budget), front.size());
  std::printf("id      latency_ms      energy_mj       area_mm2\n");
  for (const auto& [trial, objectives] : front) {
    std::printf("%-7lld", static_cast<long long>(trial));
    for (double value : objectives) std::printf(" %-15.6g", value);
    std::printf("\n");
  }
  return 0;
}

int report(int argc, char** argv) {
  auto args = options(argc, argv, 2, nullptr);
  if (!args.contains("--db") || !args.contains("--study") || !args.contains("-o")) {
    std::fprintf(stderr, "error: report needs --db, --study and -o\n");
    return 2;
  }
  accelscope::store::Database db(args["--db"], {.mode = accelscope::store::OpenMode::read_only});
  const auto info = db.study(std::stoll(args["--study"]));
  std::ofstream out(args["-o"]);
  out << "<html><body><h1>" << info.name << "</h1><p>format " << args["--format"] << ", "
      << info.counts.done << " designs</p></body></html>\n";
  return out ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "search") return search(argc, argv);
    if (command == "report") return report(argc, argv);
    std::fprintf(stderr, "error: unknown command '%s'\n", command.c_str());
    return 2;
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "error: %s\n", failure.what());
    return 1;
  }
}
