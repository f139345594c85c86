// Reports of synthetic studies in every format: what each holds, and that HTML is self-contained,
// CSV and JSON parse back, and the PDF has the pages and text it should.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "reports/export.hpp"
#include "reports/format.hpp"
#include "reports/html.hpp"
#include "reports/pdf.hpp"
#include "reports/report_data.hpp"
#include "run_command.hpp"
#include "tests/store/support.hpp"

namespace accelscope::reports {

namespace {

using nlohmann::json;
using testing::count_of;
using testing::FixtureOptions;
using testing::make_fixture_study;

ReportData report_of(const std::filesystem::path& file, store::StudyId study,
                     std::size_t extra_shortlist = 0) {
  store::Database db(file, {.mode = store::OpenMode::read_only});
  CollectOptions options;
  options.extra_shortlist = extra_shortlist;
  options.generator = "accelscope test";
  return collect(db, study, options);
}

// "Pages: 7" as pdfinfo prints it.
std::size_t pdf_pages(const std::filesystem::path& pdf) {
  const auto info = testing::run_command("pdfinfo " + pdf.string());
  std::smatch match;
  const std::regex pages(R"(\nPages:\s+(\d+)\n)");
  if (info.exit_code != 0 || !std::regex_search(info.output, match, pages)) return 0;
  return std::stoul(match[1].str());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      records.back().push_back(field);
      field.clear();
      records.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (records.back().empty() && field.empty()) records.pop_back();
  return records;
}

// The figures a buyer looks for, as the report prints them.
std::vector<std::string> key_figures(const Design& design) {
  return {"#" + std::to_string(design.trial_id), format_number(design.metric("area_mm2")),
          format_number(design.metric("latency_ms")), format_number(design.metric("energy_mj"))};
}

}  // namespace

TEST_CASE("collect reads the front and an even sample of the rest, and counts all", "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const store::StudyId study = make_fixture_study(file);
  const ReportData all = report_of(file, study);
  store::Database db(file, {.mode = store::OpenMode::read_only});
  CollectOptions options;
  options.max_other_designs = 5;
  const ReportData sampled = collect(db, study, options);
  // Counts, violations and the front are over every design; the plot sample is every k-th.
  CHECK(sampled.evaluated_count == 40);
  CHECK(sampled.feasible_count == all.feasible_count);
  CHECK(sampled.infeasible_count == all.infeasible_count);
  REQUIRE(sampled.violations.size() == all.violations.size());
  for (std::size_t i = 0; i < all.violations.size(); ++i)
    CHECK(sampled.violations[i].designs == all.violations[i].designs);
  CHECK(sampled.front.size() == all.front.size());
  const auto others = static_cast<std::int64_t>(40 - all.front.size());
  CHECK(sampled.other_stride == (others + 4) / 5);
  std::size_t off_front = 0;
  for (const Design& d : sampled.designs) {
    if (d.on_front) continue;
    ++off_front;
    CHECK(d.seq % sampled.other_stride == 0);
  }
  CHECK(off_front <= 6);
  CHECK(off_front >= 1);
  CHECK(all.other_stride == 1);
  CHECK(all.designs.size() == 40);
  // A front export reads the front alone.
  options.front_only = true;
  const ReportData front = collect(db, study, options);
  CHECK(front.designs.size() == all.front.size());
  CHECK(front.evaluated_count == 40);
}

TEST_CASE("collect reads the study, the front, the knee, the shortlist and breakdowns",
          "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const store::StudyId study = make_fixture_study(file);
  const ReportData data = report_of(file, study);

  CHECK(data.study.name == "edge-fixture");
  CHECK(data.designs.size() == 40);
  CHECK(data.feasible_count + data.infeasible_count == 40);
  REQUIRE(data.infeasible_count > 0);
  REQUIRE(data.front.size() >= 3);
  CHECK(data.objectives.size() == 3);
  REQUIRE(data.workloads.size() == 2);
  CHECK(data.workloads[0].name == "resnet50");
  CHECK(data.workloads[0].weight == 3);
  CHECK(data.workloads[1].batch == 4);
  CHECK(data.parameters.size() == 7);
  CHECK(data.parameters[3].values == "powers of two from 32 to 256");
  CHECK(data.constraints == std::vector<std::string>{"area_mm2 <= 4"});
  CHECK_FALSE(data.fixed_hardware.empty());
  REQUIRE_FALSE(data.violations.empty());
  CHECK(data.violations[0].constraint.rfind("area_mm2 <= ", 0) == 0);

  // The front is sorted by the first objective, every design feasible and on the store's front.
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    CHECK(data.front_design(i).feasible);
    CHECK(data.front_design(i).on_front);
    if (i > 0) CHECK(data.front_design(i - 1).objectives[0] <= data.front_design(i).objectives[0]);
  }
  REQUIRE(data.knee.has_value());
  CHECK(data.best[0] == std::optional<std::size_t>(0));
  // Shortlist: the knee first, then the best per objective, without repeats.
  REQUIRE_FALSE(data.shortlist.empty());
  CHECK(data.shortlist[0].front_index == *data.knee);
  CHECK(data.shortlist[0].reasons[0] == "knee");
  std::set<std::size_t> expected{*data.knee};
  for (const auto& best : data.best) expected.insert(*best);
  CHECK(data.shortlist.size() == expected.size());

  for (const ShortlistEntry& entry : data.shortlist) {
    const Design& design = data.front_design(entry.front_index);
    REQUIRE(entry.breakdown.available);
    double area = 0;
    for (const AreaPart& part : entry.breakdown.area) area += part.mm2;
    CHECK(area == Approx(design.metric("area_mm2")).epsilon(1e-9));
    REQUIRE(entry.breakdown.workloads.size() == 2);
    for (const WorkloadBreakdown& wl : entry.breakdown.workloads) {
      CHECK(wl.total.latency_ms() == Approx(design.metric(wl.name + ".latency_ms")).epsilon(1e-6));
      CHECK(wl.total.energy_mj() == Approx(design.metric(wl.name + ".energy_mj")).epsilon(1e-6));
      CHECK(wl.conv.latency_ms() + wl.nonconv.latency_ms() ==
            Approx(wl.total.latency_ms()).epsilon(1e-6));
      CHECK(wl.layer_count > 10);
      REQUIRE(wl.top_by_latency.size() == 11);  // ten layers and "other"
      CHECK(wl.top_by_latency[0].latency_ms() >= wl.top_by_latency[9].latency_ms());
      CHECK(wl.top_by_latency[10].merged_layers == wl.layer_count - 10);
    }
  }
  CHECK(data.assumptions.nodes_nm ==
        std::vector<int>{data.base_hardware["tech_node_nm"].get<int>()});
  CHECK(data.assumptions.tech_error.empty());
  CHECK(data.assumptions.sources.size() >= 5);
  CHECK(data.reproduce.spec_hash_verified);
  CHECK(data.reproduce.command ==
        "accelscope search spaces/edge_fixture.json --strategy random --budget 41 --seed 7 --db " +
            file.string() + " --study edge-fixture");

  // --shortlist adds spread designs.
  const ReportData more = report_of(file, study, 2);
  CHECK(more.shortlist.size() == std::min(data.shortlist.size() + 2, data.front.size()));
  CHECK(more.shortlist.back().reasons.back() == "spread along the front");
}

TEST_CASE("the HTML report is one self-contained file with the front and SVG charts", "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  const auto output = dir.file("report.html");
  write_output(output, render_text(data, Format::html));
  const std::string html = read_file(output);

  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  // Nothing loaded from elsewhere: no external src/href, scripts, stylesheets or fonts.
  const std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase);
  CHECK_FALSE(std::regex_search(html, external));
  // One inline script (the front table's sorting), nothing loaded.
  CHECK(count_of(html, "<script") == 1);
  CHECK(html.find("<script>") != std::string::npos);
  CHECK(html.find("querySelectorAll('section[id^=\"front\"] table.data')") != std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);

  for (std::size_t i = 0; i < data.front.size(); ++i)
    for (const std::string& figure : key_figures(data.front_design(i)))
      CHECK(html.find(">" + figure + "<") != std::string::npos);
  // Three objective pairs, the parallel coordinates; per shortlisted design an area chart and
  // four per workload.
  CHECK(count_of(html, "<svg ") == 3 + 1 + data.shortlist.size() * (1 + 2 * 4));
  CHECK(count_of(html, "</svg>") == count_of(html, "<svg "));
  CHECK(count_of(html, "<section class=\"page\"") == page_count(data));
  CHECK(html.find(escape_xml(kKneeDefinition)) != std::string::npos);
  for (const char* text : {"What was asked", "resnet50_b4", "Input SRAM (KiB)", "Area (mm²) ≤ 4",
                           "Trade-offs", "Latency by layer", "Energy by layer", "memory stall",
                           "Area by component", "Assumptions", "Horowitz", "CACTI", "inter_layer",
                           "How to reproduce", "accelscope search", "Why designs were infeasible"})
    CHECK(html.find(text) != std::string::npos);
}

TEST_CASE("the CSV report has a header and one row per front design, and parses back",
          "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  const std::string csv = render_text(data, Format::csv);
  CHECK(csv.find("\r\n") != std::string::npos);

  const auto records = parse_csv(csv);
  REQUIRE(records.size() == data.front.size() + 1);
  const std::vector<std::string>& header = records[0];
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  // Every parameter and metric of every front design is a column.
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const Design& design = data.front_design(i);
    for (const auto& [name, value] : design.params.items()) column(name);
    for (const auto& [name, value] : design.metrics.items()) column(name);
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    const Design& design = data.front_design(r - 1);
    REQUIRE(records[r].size() == header.size());
    CHECK(records[r][column("id")] == std::to_string(design.trial_id));
    CHECK(records[r][column("seq")] == std::to_string(design.seq));
    CHECK(std::stod(records[r][column("latency_ms")]) == design.metric("latency_ms"));
    CHECK(std::stod(records[r][column("tops_per_w")]) == design.metric("tops_per_w"));
    CHECK(records[r][column("array.dataflow")] == design.params["array.dataflow"]);
    // A value with a comma and quotes survives the round trip.
    CHECK(records[r][column("label")] == "edge, variant \"A\"");
  }
  CHECK(records[1 + *data.knee][column("role")].find("knee") != std::string::npos);
}

TEST_CASE("the JSON report parses and holds the front and the study", "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  const json report = json::parse(render_text(data, Format::json));

  CHECK(report["study"]["name"] == "edge-fixture");
  CHECK(report["study"]["spec_hash"] == data.study.spec_hash);
  CHECK(report["study"]["counts"]["done"] == 40);
  CHECK(report["study"]["spec"].contains("spec"));
  REQUIRE(report["front"].size() == data.front.size());
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const json& entry = report["front"][i];
    const Design& design = data.front_design(i);
    CHECK(entry["id"] == design.trial_id);
    CHECK(entry["seq"] == design.seq);
    CHECK(entry["params"] == design.params);
    CHECK(entry["metrics"] == design.metrics);
    CHECK(entry["objectives"]["latency_ms"] == design.objectives[0]);
  }
  CHECK(report["knee"]["id"] == data.front_design(*data.knee).trial_id);
  CHECK(report["best"]["latency_ms"] == data.front_design(0).trial_id);
  CHECK(report["shortlist"].size() == data.shortlist.size());
  CHECK(report["request"]["workloads"].size() == 2);
  CHECK(report["reproduce"]["seed"] == 7);
  CHECK(report["assumptions"]["technology_nodes_nm"] ==
        json::array({data.base_hardware["tech_node_nm"]}));
}

TEST_CASE("the PDF report has a page per section and the front's figures", "[reports][pdf]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  const auto output = dir.file("report.pdf");
  write_output(output, render_pdf(data));

  // Executive summary, summary, front table (under 20 rows), one chart page (three pairs), the
  // parameters page, the shortlist side by side, one page per shortlisted design and one per
  // workload it ran, assumptions and reproduction.
  REQUIRE(data.front.size() <= kFrontRowsPerPage);
  REQUIRE(data.workloads.size() == 2);
  for (const ShortlistEntry& entry : data.shortlist) REQUIRE(entry.breakdown.workloads.size() == 2);
  const std::size_t expected_pages = 1 + 1 + 1 + 1 + 1 + 1 + data.shortlist.size() * 3 + 1;
  CHECK(page_count(data) == expected_pages);
  CHECK(pdf_pages(output) == expected_pages);
  const auto info = testing::run_command("pdfinfo " + output.string());
  CHECK(std::regex_search(info.output, std::regex(R"(Title:\s+Pareto report: edge-fixture)")));
  CHECK(std::regex_search(info.output, std::regex(R"(Page size:\s+842 x 595 pts \(A4\))")));

  const auto text = testing::run_command("pdftotext -layout " + output.string() + " -");
  REQUIRE(text.exit_code == 0);
  for (std::size_t i = 0; i < data.front.size(); ++i)
    for (const std::string& figure : key_figures(data.front_design(i)))
      CHECK(text.output.find(figure) != std::string::npos);
  // Chart text is text too (titles, axis labels, layer names).
  for (const char* heading :
       {"What was asked", "Pareto front", "Trade-offs", "Latency by layer", "lower is better",
        "Area by component", "How to reproduce", "page 1 of"})
    CHECK(text.output.find(heading) != std::string::npos);
  // Vector charts with embedded fonts stay small.
  CHECK(std::filesystem::file_size(output) < 3'000'000);
}

TEST_CASE("a study without a feasible design still makes every report, saying so",
          "[reports][pdf]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  FixtureOptions options;
  options.designs = 12;
  options.max_area_mm2 = 0.001;
  const ReportData data = report_of(file, make_fixture_study(file, options));
  REQUIRE(data.front.empty());
  CHECK(data.shortlist.empty());
  CHECK_FALSE(data.knee.has_value());

  const std::string html = render_text(data, Format::html);
  CHECK(html.find("No feasible design") != std::string::npos);
  CHECK(html.find("infeasible") != std::string::npos);
  CHECK(count_of(html, "<svg ") == 3);  // the infeasible designs, faded
  CHECK(parse_csv(render_text(data, Format::csv)).size() == 1);
  CHECK(json::parse(render_text(data, Format::json))["front"].empty());

  const auto output = dir.file("empty.pdf");
  write_output(output, render_pdf(data));
  // Executive summary, summary, front, charts, parameters (importance from the infeasible
  // designs' metrics, no front to draw), shortlist (saying there is none), assumptions.
  CHECK(pdf_pages(output) == 7);
}

TEST_CASE("studies with one or two objectives get the charts that fit", "[reports][pdf]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  FixtureOptions options;
  options.designs = 40;
  options.objectives = 2;
  options.name = "two";
  const ReportData two = report_of(file, make_fixture_study(file, options));
  const std::string html = render_text(two, Format::html);
  REQUIRE(two.front.size() >= 2);
  const std::size_t tradeoffs = html.find("<section class=\"page\" id=\"tradeoffs\"");
  const std::size_t parameters = html.find("<section class=\"page\" id=\"parameters\"");
  REQUIRE(tradeoffs < parameters);
  // The front joined in the one scatter; the parallel coordinates draw one line per front design.
  CHECK(count_of(html.substr(tradeoffs, parameters - tradeoffs), "<polyline") == 1);
  CHECK(html.find("Energy vs latency") != std::string::npos);

  options.objectives = 1;
  options.name = "one";
  const ReportData one = report_of(file, make_fixture_study(file, options));
  REQUIRE(one.front.size() == 1);      // with one objective the front is the best design
  REQUIRE(one.shortlist.size() == 1);  // the knee is also the best
  CHECK(one.shortlist[0].reasons == std::vector<std::string>{"knee", "lowest latency"});
  const std::string one_html = render_text(one, Format::html);
  CHECK(one_html.find("Area vs latency") != std::string::npos);  // plotted against area
  const auto pdf = dir.file("one.pdf");
  write_output(pdf, render_pdf(one));
  // With the parameters and shortlist pages; the one design has a page and one per workload.
  CHECK(pdf_pages(pdf) == 1 + 1 + 1 + 1 + 1 + 1 + (1 + 2) + 1);
}

TEST_CASE("a running study with no result yet, or without breakdowns, still reports", "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  FixtureOptions nothing;
  nothing.name = "not-started";
  nothing.designs = 0;
  nothing.failed = 0;
  nothing.left_pending = 5;
  const ReportData empty = report_of(file, make_fixture_study(file, nothing));
  const std::string html = render_text(empty, Format::html);
  CHECK(html.find("No design has been evaluated yet") != std::string::npos);
  CHECK(html.find("still running") != std::string::npos);

  FixtureOptions bare;
  bare.name = "no-breakdowns";
  bare.designs = 10;
  bare.store_breakdowns = false;
  const ReportData data = report_of(file, make_fixture_study(file, bare));
  REQUIRE_FALSE(data.shortlist.empty());
  CHECK_FALSE(data.shortlist[0].breakdown.available);
  CHECK_FALSE(data.shortlist[0].breakdown.area.empty());  // from the metrics
  CHECK(render_text(data, Format::html).find("Per-layer figures are not available") !=
        std::string::npos);
}

TEST_CASE("formats are chosen by name or extension, and outputs must be writable", "[reports]") {
  CHECK(parse_format("pdf") == Format::pdf);
  CHECK_FALSE(parse_format("docx").has_value());
  CHECK(format_from_path("a/b.HTML") == Format::html);
  CHECK(format_from_path("report.htm") == Format::html);
  CHECK(format_from_path("front.csv") == Format::csv);
  CHECK_FALSE(format_from_path("report").has_value());

  store::testing::TempDir dir;
  CHECK_THROWS_AS(check_writable(dir.file("missing/report.html")), ReportError);
  CHECK_THROWS_AS(check_writable(dir.path()), ReportError);
  CHECK_NOTHROW(check_writable(dir.file("report.html")));
  write_output(dir.file("report.csv"), "a,b\r\n");
  CHECK(read_file(dir.file("report.csv")) == "a,b\r\n");
  // No temporary file is left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 1);
}

}  // namespace accelscope::reports

namespace accelscope::reports {

// Not run by default: `test_reports "[.sample]"` writes a fixture study and its reports to
// $ACCELSCOPE_REPORT_SAMPLE_DIR (default /tmp/accelscope-report-sample) to look at.
TEST_CASE("write sample reports", "[.sample]") {
  const char* env = std::getenv("ACCELSCOPE_REPORT_SAMPLE_DIR");
  const std::filesystem::path dir = env ? env : "/tmp/accelscope-report-sample";
  std::filesystem::create_directories(dir);
  const auto file = dir / "study.sqlite";
  std::filesystem::remove(file);
  FixtureOptions options;
  options.designs = 60;
  const ReportData data = report_of(file, make_fixture_study(file, options), 1);
  write_output(dir / "report.html", render_text(data, Format::html));
  write_output(dir / "report.csv", render_text(data, Format::csv));
  write_output(dir / "report.json", render_text(data, Format::json));
  write_output(dir / "report.pdf", render_pdf(data));
}

}  // namespace accelscope::reports
