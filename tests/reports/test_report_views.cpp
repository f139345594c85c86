// The report's views of a front (issue 15): readable trade-off charts (numbered markers whose
// badges never overlap, axes framed on the front, enough ticks on log axes), the parallel
// coordinates, the parameter importance, and labels for people instead of metric keys.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "reports/charts.hpp"
#include "reports/export.hpp"
#include "reports/format.hpp"
#include "reports/html.hpp"
#include "reports/importance_data.hpp"
#include "reports/parallel_chart.hpp"
#include "reports/pdf.hpp"
#include "reports/report_data.hpp"
#include "reports/tables.hpp"
#include "run_command.hpp"
#include "store/database.hpp"
#include "tests/store/support.hpp"

namespace accelscope::reports {

using nlohmann::json;
using testing::count_of;
using testing::FixtureOptions;
using testing::make_fixture_study;

namespace {

ReportData report_of(const std::filesystem::path& file, store::StudyId study) {
  store::Database db(file, {.mode = store::OpenMode::read_only});
  return collect(db, study);
}

// The text a reader sees: tags, the script, the style and the spec's JSON dropped.
std::string visible_text(std::string html) {
  for (const char* block : {R"(<details>[\s\S]*?</details>)", R"(<script>[\s\S]*?</script>)",
                            R"(<style>[\s\S]*?</style>)", R"(<title>[\s\S]*?</title>)"})
    html = std::regex_replace(html, std::regex(block), " ");
  return std::regex_replace(html, std::regex("<[^>]*>"), " ");
}

}  // namespace

TEST_CASE("log axes get at least four labelled ticks", "[reports][charts]") {
  for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{{14.9, 68.2},
                                                                     {15, 230},
                                                                     {2.5, 9},
                                                                     {2.7, 24.4},
                                                                     {0.3, 0.9},
                                                                     {1, 1e6},
                                                                     {0.5, 2000},
                                                                     {1.02e-3, 7.9e2}}) {
    CAPTURE(lo, hi);
    const std::vector<double> ticks = axis_ticks(lo, hi, true);
    CHECK(ticks.size() >= 4);
    CHECK(ticks.size() <= 12);
    for (const double t : ticks) {
      CHECK(t >= lo * (1 - 1e-9));
      CHECK(t <= hi * (1 + 1e-9));
    }
  }
  // Decades when they suffice; 1-2-5 between them when they do not.
  CHECK(axis_ticks(0.5, 2000, true) == std::vector<double>{1, 10, 100, 1000});
  CHECK(axis_ticks(15, 230, true) == std::vector<double>{20, 50, 100, 200});
}

TEST_CASE("a scatter's axes frame the front, not the outliers", "[reports][charts]") {
  // A front between 2 and 4 with other designs out to 100: the axis stops at the front's span
  // beyond it, so the front fills at least a third of the axis.
  const auto [lo, hi] = scatter_axis_range({2, 3, 4}, {1.5, 5, 20, 100}, false);
  CHECK(lo <= 1.5);  // the others close to the front are shown
  CHECK(hi >= 6);
  CHECK(hi <= 6.5);
  CHECK((4 - 2) / (hi - lo) >= 1.0 / 3);
  // The log scale is chosen on what the axis shows: 2 to 6 is not worth a log axis, although
  // the others reach 50x.
  CHECK_FALSE(scatter_axis_log({2, 3, 4}, {1.5, 5, 20, 100}));
  CHECK(scatter_axis_log({1, 10, 100}, {}));
  // Without a front, the others' range.
  const auto [olo, ohi] = scatter_axis_range({}, {10, 20}, false);
  CHECK(olo < 10);
  CHECK(ohi > 20);
  CHECK(ohi < 21);

  ScatterChart chart;
  chart.points = {{2, 2, PointKind::front, ""},
                  {4, 1, PointKind::front, ""},
                  {100, 100, PointKind::feasible, "far"}};
  const ScatterLayout layout = scatter_layout(chart);
  CHECK(layout.outside == 1);
  REQUIRE(layout.key_lines.size() == 1);
  CHECK(layout.key_lines[0].find("1 design beyond these axes") != std::string::npos);
  CHECK(render_scatter(chart).find(">far<") == std::string::npos);  // not drawn
}

TEST_CASE("marker numbers never overlap each other, a marker or the frame", "[reports][charts]") {
  // The report's worst case: the knee and three best designs within a few pixels, among a dense
  // front, and markers in the corners of the frame.
  ScatterChart chart;
  for (int i = 0; i < 200; ++i) {
    const double x = 1 + i * 0.05;
    chart.points.push_back({x, 10 / x, PointKind::front, ""});
  }
  chart.markers = {{3, 10 / 3.0, "knee (#1)", MarkerShape::diamond},
                   {3.05, 10 / 3.05, "lowest latency (#2)", MarkerShape::square},
                   {3.1, 10 / 3.1, "lowest energy (#3)", MarkerShape::square},
                   {3.02, 10 / 3.1, "lowest area (#4)", MarkerShape::square},
                   {1, 10, "corner (#5)", MarkerShape::square},
                   {10.95, 10 / 10.95, "other corner (#6)", MarkerShape::square}};
  const ScatterLayout layout = scatter_layout(chart);
  REQUIRE(layout.badges.size() == chart.markers.size());
  for (std::size_t a = 0; a < layout.badges.size(); ++a) {
    CAPTURE(a);
    CHECK(layout.badges[a].inside(layout.plot));
    for (std::size_t b = 0; b < layout.badges.size(); ++b)
      if (a != b) CHECK_FALSE(layout.badges[a].overlaps(layout.badges[b]));
    for (const PixelBox& marker : layout.markers) CHECK_FALSE(layout.badges[a].overlaps(marker));
  }
  // The key names every marker by its number, in lines that fit the chart.
  std::string key;
  for (const std::string& line : layout.key_lines) {
    CHECK(line.size() * 6.0 <= chart.width_px);
    key += line + "\n";
  }
  CHECK(key.find("1 knee (#1)") != std::string::npos);
  CHECK(key.find("6 other corner (#6)") != std::string::npos);
  CHECK(scatter_height(chart) > chart.height_px);
}

TEST_CASE("parallel coordinates draw one line per design across every axis", "[reports][charts]") {
  ParallelChart chart;
  chart.title = "front";
  chart.lines = {LineEmphasis::plain, LineEmphasis::best, LineEmphasis::knee};
  chart.axes = {{"PE count", {64, 256, 4096}, {}, true, false},
                {"Dataflow", {0, 1, 0}, {"os", "ws"}, false, false},
                {"Latency (ms)", {3, 2, NAN}, {}, false, true}};
  const std::string svg = render_parallel_coordinates(chart);
  CHECK(count_of(svg, "<polyline") == 3);
  CHECK(svg.find(">ws</text>") != std::string::npos);  // level axes name their levels
  CHECK(svg.find(">4096</text>") != std::string::npos);
  CHECK(svg.find("#f08c00") != std::string::npos);  // the knee
  chart.axes[0].values.pop_back();
  CHECK_THROWS_AS(render_parallel_coordinates(chart), std::invalid_argument);

  for (const std::string label :
       {"Weighted mean energy per inference (mJ)", "Technology node (nm)", "vector_share"}) {
    const std::vector<std::string> lines = wrap_label(label, 11);
    CHECK(lines.size() <= 3);
    for (const std::string& line : lines) CHECK(line.size() <= 11 + 2);  // "…" is 3 bytes
  }
  CHECK(wrap_label("Area (mm2)", 11) == std::vector<std::string>{"Area (mm2)"});
}

TEST_CASE("the report shows parameter importance and the front in parallel coordinates",
          "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  REQUIRE(data.importance.available());
  CHECK(data.importance.objectives ==
        std::vector<std::string>{"latency_ms", "energy_mj", "area_mm2"});
  CHECK(data.importance.parameters.size() == data.parameters.size());
  CHECK(data.importance.table.designs_seen == static_cast<std::size_t>(data.evaluated_count));

  const std::string html = render_text(data, Format::html);
  const std::size_t start = html.find(R"(<section class="page" id="parameters">)");
  REQUIRE(start != std::string::npos);
  const std::string page = html.substr(start, html.find("</section>", start) - start);
  CHECK(page.find("Parameter importance") != std::string::npos);
  CHECK(count_of(page, "<polyline") >= data.front.size());
  for (const ParameterRequest& p : data.parameters)
    CHECK(page.find(escape_xml(parameter_label(p.name))) != std::string::npos);

  const json report = json::parse(render_text(data, Format::json));
  const json& importance = report.at("parameter_importance");
  CHECK(importance.at("designs_used") == data.importance.table.designs_used);
  const json& latency = importance.at("objectives").at("latency_ms");
  for (const ParameterRequest& p : data.parameters) {
    const json& entry = latency.at("parameters").at(p.name);
    CHECK((entry.at("first_order").is_null() || entry.at("first_order").get<double>() >= 0));
  }
}

TEST_CASE("parameter importance of a large study reads a prime stride of its designs",
          "[reports]") {
  CHECK(importance_stride(100000, 100000) == 1);
  CHECK(importance_stride(923789, 100000) == 17);   // 10 would alias a 10-level dimension
  CHECK(importance_stride(5000000, 100000) == 53);  // >= 50, prime
}

TEST_CASE("the HTML report labels metrics for people, not by their keys", "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  const std::string html = render_text(data, Format::html);
  // Every page but the assumptions, whose model notes name the keys for CSV and JSON users.
  const std::string text = visible_text(html.substr(0, html.find(R"(id="assumptions")")));
  // Keys may appear once, in the objectives table's column naming them for CSV and JSON users.
  for (const char* key : {"latency_ms", "energy_mj", "area_mm2", "power_w", "throughput_per_s",
                          "tops_per_w", "pe_count", "sram.inputs.kib"}) {
    CAPTURE(key);
    CHECK(count_of(text, key) <= 1);
  }
}

TEST_CASE("the shortlist side by side, and columns that do not wrap", "[reports]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  REQUIRE(data.shortlist.size() >= 2);
  const Table table = shortlist_table(data);
  CHECK(table.columns.size() == 1 + data.shortlist.size());
  CHECK(table.columns[1].header.find("knee") != std::string::npos);
  const std::string html = render_text(data, Format::html);
  const std::size_t start = html.find(R"(<section class="page" id="shortlist">)");
  REQUIRE(start != std::string::npos);
  const std::string page = html.substr(start, html.find("</section>", start) - start);
  CHECK(page.find("Against the knee") != std::string::npos);
  CHECK(page.find("(the knee)") != std::string::npos);
  CHECK(page.find("Bottleneck on resnet50") != std::string::npos);
  // "+12 % latency, -30 % area" for each alternative.
  CHECK(std::regex_search(page, std::regex(R"([+-]\d+ % (latency|energy|area))")));

  // SRAM sizes (and DRAM bandwidths) are joined by no-break spaces: the cell stays on one line.
  const Table front = front_table(data);
  for (std::size_t c = 0; c < front.columns.size(); ++c)
    if (front.columns[c].header.rfind("SRAM", 0) == 0 ||
        front.columns[c].header.rfind("DRAM", 0) == 0)
      for (const auto& row : front.rows) CHECK(row[c].find(' ') == std::string::npos);
}

TEST_CASE("the PDF lists a large front in part, the HTML all of it", "[reports]") {
  // A front of 150 designs trading latency for area; the knee and the two best shortlisted.
  ReportData data;
  data.objectives = {{"latency_ms", store::Direction::minimize},
                     {"area_mm2", store::Direction::minimize}};
  for (int i = 0; i < 150; ++i) {
    Design d;
    d.trial_id = 1000 + i;
    d.feasible = d.on_front = true;
    d.objectives = {1.0 + i, 150.0 - i};
    data.designs.push_back(d);
    data.front.push_back(static_cast<std::size_t>(i));
  }
  for (const std::size_t i : {std::size_t{75}, std::size_t{0}, std::size_t{149}}) {
    ShortlistEntry entry;
    entry.front_index = i;
    data.shortlist.push_back(entry);
  }
  CHECK(listed_front(data, ChartEmbedding::inline_svg).size() == 150);
  const std::vector<std::size_t> listed = listed_front(data, ChartEmbedding::image_reference);
  REQUIRE(listed.size() == kPdfFrontRows);
  CHECK(std::is_sorted(listed.begin(), listed.end()));
  for (const std::size_t must : {std::size_t{75}, std::size_t{0}, std::size_t{149},  // shortlist
                                 std::size_t{1}, std::size_t{45},      // best latencies
                                 std::size_t{148}, std::size_t{104}})  // best areas
    CHECK(std::find(listed.begin(), listed.end(), must) != listed.end());
  CHECK(page_count(data, ChartEmbedding::image_reference) + 3 ==
        page_count(data, ChartEmbedding::inline_svg));  // 5 front pages instead of 8
}

TEST_CASE("PDF design pages keep their text at 8 pt or more", "[reports][pdf]") {
  store::testing::TempDir dir;
  const auto file = dir.file("study.sqlite");
  const ReportData data = report_of(file, make_fixture_study(file));
  const auto pdf = dir.file("report.pdf");
  write_output(pdf, render_pdf(data));
  // Word boxes: a DejaVu Sans word's box is about 1.16 times its size, so 8 pt is 9.3 pt tall.
  std::size_t design_pages = 0;
  for (std::size_t page = 1; page <= page_count(data, ChartEmbedding::image_reference); ++page) {
    const auto text = testing::run_command(
        fmt::format("pdftotext -f {0} -l {0} -bbox {1} -", page, pdf.string()));
    REQUIRE(text.exit_code == 0);
    if (text.output.find(">Design</word>") == std::string::npos ||
        text.output.find("Pareto report") == std::string::npos)
      continue;
    std::smatch first_word;
    const std::regex word(
        R"re(<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>)re");
    REQUIRE(std::regex_search(text.output, first_word, word));
    if (first_word[3].str() != "Design") continue;  // design pages open with "Design #ID"
    ++design_pages;
    double page_height = 0;
    std::smatch size;
    if (std::regex_search(text.output, size,
                          std::regex(R"re(<page width="[\d.]+" height="([\d.]+)")re")))
      page_height = std::stod(size[1].str());
    for (auto it = std::sregex_iterator(text.output.begin(), text.output.end(), word);
         it != std::sregex_iterator(); ++it) {
      const double y0 = std::stod((*it)[1].str()), y1 = std::stod((*it)[2].str());
      if (y0 > page_height - 60) continue;  // the footer
      CAPTURE(page, (*it)[3].str());
      CHECK(y1 - y0 >= 9.3);
    }
  }
  CHECK(design_pages == data.shortlist.size() * 3);  // a page per design and per workload
}

}  // namespace accelscope::reports
