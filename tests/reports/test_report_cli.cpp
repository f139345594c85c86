// `accelscope report` end to end: each format written, and clear errors with exit codes 1
// (runtime: missing database, unknown study, unwritable output) and 2 (usage).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "reports/export.hpp"
#include "reports/format.hpp"
#include "reports/report_data.hpp"
#include "reports/tables.hpp"
#include "run_command.hpp"
#include "tests/store/support.hpp"
#include "tests/test_support.hpp"

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

std::size_t count_of_text(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++count;
  return count;
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
  CHECK(read_file(dir.file("f.csv")).rfind("id,seq,role,", 0) == 0);
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

// A real study (the CLI's search) of a space whose DRAM bandwidth is split among the interfaces
// by a derived rule (the base hardware has one 12.8 GB/s channel) over two different workloads.
TEST_CASE("the front table shows each design's own DRAM bandwidth and per-workload figures",
          "[reports][cli]") {
  store::testing::TempDir dir;
  const auto db = dir.file("split.sqlite");
  const CommandResult search = testing::run_command(
      std::string(ACCELSCOPE_TEST_CLI) + " search " + accelscope::testing::source_dir() +
      "/tests/data/spaces/split_two_workloads.json --strategy grid --quiet --db " + db.string() +
      " 2>&1");
  REQUIRE(search.exit_code == 0);
  store::Database database(db, {.mode = store::OpenMode::read_only});
  const ReportData data = collect(database, database.studies().at(0).id);
  REQUIRE(data.front.size() >= 2);
  const Table table = front_table(data);
  auto column = [&](const std::string& header) {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c].header == header) return c;
    FAIL("no column '" << header << "'");
    return std::size_t{0};
  };
  const std::size_t dram = column("DRAM GB/s in / wt / out / vec");
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    std::string expected;
    for (const char* buffer : {"inputs", "weights", "outputs", "vector"})
      // No-break spaces: the column never wraps.
      expected += (expected.empty() ? "" : "\u00a0/\u00a0") +
                  value_text(design.params.at(std::string("dram.bandwidth_gbps.") + buffer));
    CHECK(table.rows[i][dram] == expected);
    CHECK(table.rows[i][dram].find("12.8") == std::string::npos);  // not the base hardware's
    // Each workload's own latency, throughput and energy, as stored.
    for (const char* w : {"resnet", "mobilenet"}) {
      const std::string name(w);
      CHECK(table.rows[i][column(name + " latency (ms)")] ==
            format_number(design.metric(name + ".latency_ms")));
      CHECK(table.rows[i][column(name + " throughput (samples/s)")] ==
            format_number(design.metric(name + ".throughput_per_s")));
      CHECK(table.rows[i][column(name + " energy per inference (mJ)")] ==
            format_number(design.metric(name + ".energy_mj")));
    }
    // The objective is a weighted mean of the two: it says so.
    CHECK(table.rows[i][column("Weighted mean latency (ms)")] ==
          format_number(design.metric("latency_ms")));
  }
  for (const Column& c : table.columns) {
    CHECK(c.header != "Latency (ms)");  // a mean of different workloads as if it were one figure
    CHECK(c.header != "Throughput (samples/s)");
  }
  // Power says which power it is, next to the figure and on the assumptions page.
  column("Avg. power, die + DRAM devices (highest workload) (W)");
  const std::string html = render_text(data, Format::html);
  CHECK(html.find("Peak die power (every unit busy)") != std::string::npos);
  CHECK(html.find("the highest such average over the workloads") != std::string::npos);
  CHECK(html.find("averages over the workloads weighted") == std::string::npos);
  // The executive summary comes first: the knee, the alternatives with what each trades against
  // it, and the knee's bottleneck.
  REQUIRE(data.knee);
  const std::string knee = "#" + std::to_string(data.front_design(*data.knee).trial_id);
  const std::size_t executive = html.find("Executive summary: ");
  const std::size_t summary = html.find("Pareto report: ", executive);  // the next page
  REQUIRE(executive < summary);
  const std::string page = html.substr(executive, summary - executive);
  CHECK(page.find("Design " + knee + ": ") != std::string::npos);
  CHECK(page.find("Bottleneck on resnet: ") != std::string::npos);
  CHECK(count_of_text(page, "against " + knee) ==
        std::min<std::size_t>(3, data.shortlist.size() - 1));
  CHECK(page.find("Binding constraints") != std::string::npos);
  // Each shortlisted design's bottleneck per workload is named on its page.
  REQUIRE(!data.shortlist.empty());
  for (const ShortlistEntry& entry : data.shortlist) {
    REQUIRE(entry.breakdown.workloads.size() == 2);
    for (const WorkloadBreakdown& wl : entry.breakdown.workloads) {
      CHECK(wl.bottleneck ==
            bottleneck_text(wl,
                            data.front_design(entry.front_index).metric(wl.name + ".utilization")));
      CHECK(wl.bottleneck.find("PE utilisation") != std::string::npos);
      CHECK(html.find("Bottleneck: " + wl.bottleneck.substr(0, wl.bottleneck.find(';'))) !=
            std::string::npos);
    }
  }
}

}  // namespace accelscope::reports

#endif
