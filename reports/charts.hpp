// The report's two kinds of chart, as SVG: a scatter of designs in two objectives (front
// highlighted, infeasible faded, knee and best designs marked) and horizontal (stacked) bars.
// They know nothing of studies: the report fills plain descriptions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace accelscope::reports {

struct ChartAxis {
  std::string label;
  bool log_scale = false;
};

enum class PointKind { infeasible, feasible, front };

struct ScatterPoint {
  double x = 0;
  double y = 0;
  PointKind kind = PointKind::feasible;
  std::string tooltip;  // e.g. "design 12"
};

enum class MarkerShape { diamond, square };

// A highlighted design drawn over the points with a short label ("knee", "best latency").
struct ScatterMarker {
  double x = 0;
  double y = 0;
  std::string label;
  MarkerShape shape = MarkerShape::diamond;
};

struct ScatterChart {
  std::string title;
  ChartAxis x;
  ChartAxis y;
  std::vector<ScatterPoint> points;
  std::vector<ScatterMarker> markers;
  bool connect_front = false;  // join front points in x order (useful with two objectives)
  double width_px = 500;
  double height_px = 330;
};

struct BarSeries {
  std::string name;
  std::string color;  // "#rrggbb"
};

struct Bar {
  std::string label;
  std::vector<double> segments;  // one value per series, stacked left to right
};

struct BarChart {
  std::string title;
  std::string unit;               // printed after each bar's total
  std::vector<BarSeries> series;  // a legend is drawn when there are two or more
  std::vector<Bar> bars;
  double width_px = 500;
  std::string footnote;  // a line under the bars, e.g. what the bars leave out
};

std::string render_scatter(const ScatterChart& chart);
std::string render_bar_chart(const BarChart& chart);
double bar_chart_height(const BarChart& chart);

// True when values are all positive and span more than 10x, where a log axis reads better.
bool prefers_log_scale(const std::vector<double>& values);

// Axis ticks: "nice" round values (1, 2, 5 x 10^k) covering [lo, hi]; on a log axis, decades
// (with 2 and 5 when the range is under two decades).
std::vector<double> axis_ticks(double lo, double hi, bool log_scale, std::size_t target_count = 6);

// A palette of distinguishable colours for series (cycles).
const std::string& series_color(std::size_t index);

// The colour of a cost component, the same in the report's charts and the viewer's: energy
// "mac", "sram", "dram", "io" (the DRAM interface), "vector", "leakage"; time "compute" and
// "stall". Anything else gets a neutral grey.
const std::string& component_color(std::string_view component);

}  // namespace accelscope::reports
