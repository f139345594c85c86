// The report's building blocks: number formatting and escaping, the SVG writer, the charts, and
// choosing designs on a front (knee, best per objective, spread).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "fixture.hpp"
#include "model/io/labels.hpp"
#include "reports/charts.hpp"
#include "reports/format.hpp"
#include "reports/front_analysis.hpp"
#include "reports/report_data.hpp"
#include "reports/svg.hpp"

namespace accelscope::reports {

using testing::count_of;

TEST_CASE("numbers are formatted for people with about three significant digits", "[reports]") {
  CHECK(format_number(0) == "0");
  CHECK(format_number(1234.4) == "1234");
  CHECK(format_number(12.34) == "12.3");
  CHECK(format_number(1.234) == "1.23");
  CHECK(format_number(0.01234) == "0.0123");
  CHECK(format_number(-0.5) == "-0.500");
  CHECK(format_number(2.5e-5) == "2.50e-05");
  CHECK(format_number(NAN) == "–");
  CHECK(format_percent(0.423) == "42 %");
  CHECK(format_exact(0.1) == "0.1");
  CHECK(std::stod(format_exact(1.0 / 3)) == 1.0 / 3);
}

TEST_CASE("escaping for XML and CSV", "[reports]") {
  CHECK(escape_xml("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("") == "");
}

TEST_CASE("the SVG writer emits one well-formed svg element with escaped text", "[reports]") {
  SvgWriter svg(200, 100);
  svg.rect(1, 2, 30.456, 4, SvgStyle::filled("#ff0000", 0.5));
  svg.line(0, 0, 10, 10, SvgStyle::outlined("#000", 2, "4 3"));
  svg.circle(5, 5, 2, SvgStyle::filled("#00f"), "design <7>");
  svg.polyline({{0, 0}, {1, 1}}, SvgStyle::outlined("#000"));
  svg.text(10, 20, "A & B", SvgTextStyle(10).anchored(TextAnchor::middle).rotated(-90));
  const std::string text = svg.str();
  CHECK(text.rfind("<svg ", 0) == 0);
  CHECK(text.find("</svg>") == text.size() - 7);
  CHECK(text.find(R"(width="200" height="100" viewBox="0 0 200 100")") != std::string::npos);
  CHECK(text.find(R"(<rect x="1" y="2" width="30.46" height="4" fill="#ff0000" opacity="0.5"/>)") !=
        std::string::npos);
  CHECK(text.find(R"(stroke-dasharray="4 3")") != std::string::npos);
  CHECK(text.find("<title>design &lt;7&gt;</title>") != std::string::npos);
  CHECK(text.find(">A &amp; B</text>") != std::string::npos);
  CHECK(text.find(R"svg(transform="rotate(-90 10 20)")svg") != std::string::npos);
  CHECK(svg_number(-0.001) == "0");
  CHECK(svg_number(NAN) == "0");
}

TEST_CASE("axis ticks are round numbers inside the range", "[reports]") {
  CHECK(axis_ticks(0, 10, false, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(axis_ticks(0.13, 0.52, false, 5) == std::vector<double>{0.2, 0.3, 0.4, 0.5});
  CHECK(axis_ticks(0.5, 2000, true) == std::vector<double>{1, 10, 100, 1000});
  CHECK(axis_ticks(1.5, 30, true) == std::vector<double>{2, 5, 10, 20});
  CHECK(axis_ticks(5, 5, false).empty());
  CHECK(prefers_log_scale({1, 10, 100}));
  CHECK_FALSE(prefers_log_scale({1, 2, 8}));
  CHECK_FALSE(prefers_log_scale({0, 10, 100}));
}

TEST_CASE("a scatter chart draws every plottable point, the front and the markers", "[reports]") {
  ScatterChart chart;
  chart.title = "Energy vs latency";
  chart.x.label = "Latency (ms)";
  chart.y.label = "Energy (mJ)";
  chart.points = {{1, 5, PointKind::front, "d1"},
                  {2, 3, PointKind::front, "d2"},
                  {3, 4, PointKind::feasible, "d3"},
                  {4, 6, PointKind::infeasible, "d4"},
                  {NAN, 1, PointKind::infeasible, "missing"}};
  chart.markers = {{2, 3, "knee", MarkerShape::diamond},
                   {1, 5, "lowest latency", MarkerShape::square}};
  chart.connect_front = true;
  const std::string svg = render_scatter(chart);
  // 3 plotted points + 3 legend dots: (4, 6) lies farther from the front than the front's own
  // span, beyond the axes, and the key says so.
  CHECK(count_of(svg, "<circle") == 6);
  CHECK(svg.find("(1 design beyond these axes") != std::string::npos);
  CHECK(svg.find("missing") == std::string::npos);
  // Numbered markers, explained in the key under the chart.
  CHECK(svg.find(">1 knee    2 lowest latency</text>") != std::string::npos);
  CHECK(count_of(svg, "<polyline") == 1);
  CHECK(svg.find(R"(opacity="0.3")") != std::string::npos);  // infeasible faded
  CHECK(svg.find("Latency (ms)") != std::string::npos);

  ScatterChart empty;
  CHECK(render_scatter(empty).find("no design to plot") != std::string::npos);
}

TEST_CASE("a bar chart stacks segments and prints totals", "[reports]") {
  BarChart chart;
  chart.title = "Latency by layer";
  chart.unit = "ms";
  chart.series = {{"compute", "#111111"}, {"stall", "#222222"}};
  chart.bars = {{"conv1", {2, 1}},
                {"a very long layer name that will not fit in the label column", {1, 0}}};
  const std::string svg = render_bar_chart(chart);
  CHECK(svg.find(">3.00 ms</text>") != std::string::npos);
  CHECK(svg.find(">1.00 ms</text>") != std::string::npos);
  CHECK(svg.find(">a very") != std::string::npos);  // cut in the middle: start and end kept
  CHECK(svg.find("…") != std::string::npos);
  CHECK(svg.find("the label column</text>") != std::string::npos);
  CHECK(count_of(svg, R"(fill="#222222")") == 3);  // legend + two bars (one of zero width)
  CHECK(bar_chart_height(chart) == Approx(44 + 2 * 18 + 8));
}

TEST_CASE("the knee is the front design nearest the ideal point in normalised objectives",
          "[reports]") {
  using store::Direction;
  const std::vector<Direction> minimise = {Direction::minimize, Direction::minimize};
  const ObjectiveVectors front = {{1, 100}, {2, 40}, {4, 30}, {10, 1}};
  // Normalised: (0,1), (0.11,0.39), (0.33,0.29), (1,0); squared distances to (0,0): 1, 0.168,
  // 0.197, 1.
  CHECK(knee_point(front, minimise) == std::optional<std::size_t>(1));
  const auto best = best_per_objective(front, minimise);
  CHECK(best[0] == std::optional<std::size_t>(0));
  CHECK(best[1] == std::optional<std::size_t>(3));
  CHECK_FALSE(knee_point({}, minimise).has_value());

  // A maximised objective: throughput up is good.
  const std::vector<Direction> mixed = {Direction::minimize, Direction::maximize};
  const ObjectiveVectors throughput = {{1, 10}, {2, 90}, {10, 100}};
  CHECK(knee_point(throughput, mixed) == std::optional<std::size_t>(1));
  CHECK(best_per_objective(throughput, mixed)[1] == std::optional<std::size_t>(2));
  const ObjectiveVectors normalised = normalise_objectives(throughput, mixed);
  CHECK(normalised[2][1] == Approx(0));
  CHECK(normalised[0][1] == Approx(1));

  // One design, or a flat objective: no division by zero.
  CHECK(knee_point({{3, 3}}, minimise) == std::optional<std::size_t>(0));
  CHECK(normalise_objectives({{1, 5}, {2, 5}}, minimise)[1][1] == 0);
}

TEST_CASE("spread picks go to the designs farthest from those already chosen", "[reports]") {
  using store::Direction;
  const std::vector<Direction> minimise = {Direction::minimize, Direction::minimize};
  const ObjectiveVectors front = {{0, 10}, {1, 9}, {5, 5}, {9, 1}, {10, 0}};
  CHECK(spread_picks(front, minimise, {2}, 2) == std::vector<std::size_t>{0, 4});
  CHECK(spread_picks(front, minimise, {0, 1, 2, 3}, 5) == std::vector<std::size_t>{4});
}

TEST_CASE("CSV cells a spreadsheet would run as formulas are written as text", "[reports]") {
  // OWASP "CSV injection": a study or design name like =HYPERLINK(...) ran when the report was
  // opened in a spreadsheet.
  CHECK(csv_field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
  CHECK(csv_field("+1+2") == "'+1+2");
  CHECK(csv_field("-2+3") == "'-2+3");
  CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_field("\tcmd") == "'\tcmd");
  CHECK(csv_field("\rcmd") == "\"'\rcmd\"");
  // Numbers stay numbers.
  CHECK(csv_field("-3.5") == "-3.5");
  CHECK(csv_field("-1e-05") == "-1e-05");
  CHECK(csv_field("12") == "12");
}

}  // namespace accelscope::reports

namespace accelscope::reports {

TEST_CASE("the bottleneck names the largest part of a run and the others", "[reports]") {
  WorkloadBreakdown wl;
  wl.conv.compute_ms = 6.1;
  wl.conv.stall_ms = 1.6;
  wl.nonconv.compute_ms = 38;
  wl.nonconv.stall_ms = 3;
  wl.total.compute_ms = 44.1;
  wl.total.stall_ms = 4.6;
  LayerCost slowest;
  slowest.name = "softmax_3";
  slowest.compute_ms = 5;
  wl.top_by_latency = {slowest};
  CHECK(bottleneck_text(wl, 0.04) ==
        "vector unit (non-GEMM ops): 41.0 of 48.7 ms (84 %); PE array compute 6.10 ms, memory "
        "stalls of array ops 1.60 ms; slowest layer softmax_3 (5.00 ms); PE utilisation 4 %");
  wl.conv.stall_ms = 60;  // now the array waits on DRAM most of the time
  wl.total.stall_ms = 63;
  CHECK(bottleneck_text(wl, NAN).rfind("memory stalls of array ops: 60.0 of 107 ms (56 %)", 0) ==
        0);
  CHECK(bottleneck_text(WorkloadBreakdown{}, 0.5).empty());
}

}  // namespace accelscope::reports

TEST_CASE("layer labels are cut in the middle only as far as they stay distinct", "[reports]") {
  const std::vector<std::string> names = {"/layer1/layer1.0/downsample/downsample.0/Conv",
                                          "/layer1/layer1.0/downsample/downsample.1/BatchNorm",
                                          "/layer1/layer1.0/relu", "fc"};
  // At 24 code points a plain cut made the first two read "/layer1/layer1.0/downsam".
  const std::vector<std::string> labels = accelscope::io::distinct_short_labels(names, 24);
  REQUIRE(labels.size() == 4);
  CHECK(labels[0] == "/layer1…ownsample.0/Conv");
  CHECK(labels[1] != labels[0]);
  CHECK(accelscope::io::display_width(labels[0]) == 24);
  CHECK(labels[2] == "/layer1/layer1.0/relu");  // short names stay whole
  CHECK(labels[3] == "fc");
  // Names that differ only inside the cut part widen every label until they differ.
  const std::vector<std::string> twins = {"aaaaaaaaaa-x-bbbbbbbbbbbbbbbbbbbb",
                                          "aaaaaaaaaa-y-bbbbbbbbbbbbbbbbbbbb"};
  const std::vector<std::string> wide = accelscope::io::distinct_short_labels(twins, 12);
  CHECK(wide[0] != wide[1]);
  // Repeats of one name may share a label; the column pads every cell to one width.
  const std::vector<std::string> column =
      accelscope::io::label_column("layer", {"fc", "fc", "conv1"}, 24);
  CHECK(column == std::vector<std::string>{"layer", "fc   ", "fc   ", "conv1"});
}
