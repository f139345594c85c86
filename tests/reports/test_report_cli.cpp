// `accelscope report` end to end: each format written, and clear errors with exit codes 1
// (runtime: missing database, unknown study, unwritable output) and 2 (usage).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "run_command.hpp"
#include "tests/store/support.hpp"

#ifdef ACCELSCOPE_TEST_CLI

namespace accelscope::reports {

namespace {

using testing::CommandResult;

// Runs `accelscope report <arguments>`, standard error folded into the output.
CommandResult report(const std::string& arguments) {
  return testing::run_command(std::string(ACCELSCOPE_TEST_CLI) + " report " + arguments + " 2>&1");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("accelscope report writes each format", "[reports][cli]") {
  store::testing::TempDir dir;
  const auto db = dir.file("study.sqlite");
  testing::FixtureOptions options;
  options.designs = 16;
  testing::make_fixture_study(db, options);
  options.name = "second";
  const store::StudyId second = testing::make_fixture_study(db, options);

  const CommandResult html =
      report("--db " + db.string() + " --study edge-fixture -o " + dir.file("r.html").string());
  CHECK(html.exit_code == 0);
  CHECK(html.output.find("wrote " + dir.file("r.html").string() +
                         " (html): study 'edge-fixture'") != std::string::npos);
  CHECK(read_file(dir.file("r.html")).find("Pareto report: edge-fixture") != std::string::npos);

  // By id, format given explicitly for a file without an extension.
  const CommandResult pdf = report("--db " + db.string() + " --study " + std::to_string(second) +
                                   " --format pdf --shortlist 1 -o " + dir.file("report").string());
  CHECK(pdf.exit_code == 0);
  const auto info = testing::run_command("pdfinfo " + dir.file("report").string());
  CHECK(std::regex_search(info.output, std::regex(R"(Title:\s+Pareto report: second)")));

  const CommandResult json = report("--db " + db.string() + " --study second --format json -o -");
  CHECK(json.exit_code == 0);
  CHECK(nlohmann::json::parse(json.output)["study"]["name"] == "second");

  // No --study with two studies: the latest, and a note saying so.
  const CommandResult csv = report("--db " + db.string() + " -o " + dir.file("f.csv").string());
  CHECK(csv.exit_code == 0);
  CHECK(csv.output.find("the most recently updated; choose with --study") != std::string::npos);
  CHECK(read_file(dir.file("f.csv")).rfind("design_seq,trial_id,role,", 0) == 0);
}

TEST_CASE("accelscope report errors are clear and have the right exit code", "[reports][cli]") {
  store::testing::TempDir dir;
  const auto db = dir.file("study.sqlite");
  testing::FixtureOptions options;
  options.designs = 6;
  options.max_area_mm2 = 0.001;  // nothing feasible: still a report, saying so
  testing::make_fixture_study(db, options);
  const std::string out = " -o " + dir.file("r.html").string();

  const CommandResult infeasible = report("--db " + db.string() + out);
  CHECK(infeasible.exit_code == 0);
  CHECK(infeasible.output.find("no feasible design") != std::string::npos);
  CHECK(read_file(dir.file("r.html")).find("No feasible design") != std::string::npos);

  const CommandResult missing = report("--db " + dir.file("nope.sqlite").string() + out);
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("nope.sqlite") != std::string::npos);
  CHECK(missing.output.find("no such file") != std::string::npos);

  const CommandResult unknown = report("--db " + db.string() + " --study nope" + out);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output.find("no study 'nope'") != std::string::npos);

  const CommandResult unwritable =
      report("--db " + db.string() + " -o " + dir.file("no/such/dir/r.html").string());
  CHECK(unwritable.exit_code == 1);
  CHECK(unwritable.output.find("cannot write the report") != std::string::npos);

  const CommandResult not_a_store =
      report("--db " + dir.file("r.html").string() + " -o " + dir.file("x.csv").string());
  CHECK(not_a_store.exit_code == 1);

  CHECK(report("--db " + db.string() + " --format docx" + out).exit_code == 2);
  const CommandResult no_format =
      report("--db " + db.string() + " -o " + dir.file("r.txt").string());
  CHECK(no_format.exit_code == 2);
  CHECK(no_format.output.find("--format") != std::string::npos);
  CHECK(report(out).exit_code == 2);                    // no --db
  CHECK(report("--db " + db.string()).exit_code == 2);  // no -o
  CHECK(report("--db " + db.string() + " --shortlist -1" + out).exit_code == 2);
}

}  // namespace accelscope::reports

#endif
