// The report's two kinds of chart, as SVG: a scatter of designs in two objectives (front
// highlighted, infeasible faded, knee and best designs marked) and horizontal (stacked) bars.
// They know nothing of studies: the report fills plain descriptions.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace accelscope::reports {

// Colours every chart gives the same things: the front, the knee, the best designs, axes.
inline constexpr const char* kFrontColor = "#1f5fa8";
inline constexpr const char* kKneeColor = "#f08c00";
inline constexpr const char* kBestColor = "#2b8a3e";
inline constexpr const char* kAxisColor = "#555";

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
  double font_px = 10;   // text size; bars and rows scale with it
};

std::string render_scatter(const ScatterChart& chart);
// The scatter's height with its marker key (the numbered markers' labels, a line or more under
// the axis label): chart.height_px plus the key.
double scatter_height(const ScatterChart& chart);

// A rectangle in chart pixels.
struct PixelBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool overlaps(const PixelBox& o) const {
    return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
  }
  bool inside(const PixelBox& o) const {
    return x0 >= o.x0 && x1 <= o.x1 && y0 >= o.y0 && y1 <= o.y1;
  }
};

// Where a scatter puts things. Markers are numbered (1, 2, ...) by small badges placed where they
// cover neither the frame's edge, another badge nor any marker (and, where there is room, no
// front point); the numbers' meanings are listed in the key under the chart.
struct ScatterLayout {
  PixelBox plot;                  // the frame
  std::vector<PixelBox> markers;  // per plotted marker
  std::vector<PixelBox> badges;   // per plotted marker, its number
  std::vector<std::string> key_lines;
  std::size_t outside = 0;  // designs beyond the axes (not drawn)
};
ScatterLayout scatter_layout(const ScatterChart& chart);

// The range of a scatter's axis (data units): the front's values, stretched over the other
// designs' values but at most the front's own span beyond each end (in log10 units on a log
// axis), so outliers cannot push the front into a corner. Without front values, the others' range.
std::pair<double, double> scatter_axis_range(const std::vector<double>& front,
                                             const std::vector<double>& others, bool log_scale);
// A log axis when the values the linear range would show are positive and span more than 10x.
bool scatter_axis_log(const std::vector<double>& front, const std::vector<double>& others);
std::string render_bar_chart(const BarChart& chart);
double bar_chart_height(const BarChart& chart);

// True when values are all positive and span more than 10x, where a log axis reads better.
bool prefers_log_scale(const std::vector<double>& values);

// Axis ticks: "nice" round values (1, 2, 5 x 10^k) covering [lo, hi]; on a log axis, decades,
// with 2 and 5 (then 2 to 9) between them when decades alone give fewer than 4 ticks, and plain
// round values when even those do (a range under about 2x).
std::vector<double> axis_ticks(double lo, double hi, bool log_scale, std::size_t target_count = 6);

// A palette of distinguishable colours for series (cycles).
const std::string& series_color(std::size_t index);

// The colour of a cost component, the same in the report's charts and the viewer's: energy
// "mac", "sram", "dram", "io" (the DRAM interface), "vector", "leakage"; time "compute" and
// "stall". Anything else gets a neutral grey.
const std::string& component_color(std::string_view component);

}  // namespace accelscope::reports
