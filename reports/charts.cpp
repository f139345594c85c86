#include "reports/charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "model/io/labels.hpp"
#include "reports/format.hpp"
#include "reports/svg.hpp"

namespace accelscope::reports {

namespace {

constexpr const char* kFeasibleColor = "#8c8c8c";
constexpr const char* kInfeasibleColor = "#d9534f";
constexpr const char* kGridColor = "#e3e3e3";

double nice_step(double raw_step) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  const double fraction = raw_step / magnitude;
  // The nearest of 1, 2, 5, 10 (on a log scale).
  const double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
  return nice * magnitude;
}

// Ticks are round numbers: print them as they are ("0.8", "50", "2e+03").
std::string tick_label(double tick) {
  return fmt::format("{:.6g}", tick);
}

// Maps data values to pixels along one axis.
struct AxisScale {
  double lo = 0;
  double hi = 1;
  bool log_scale = false;
  double pixel_lo = 0;
  double pixel_hi = 1;

  double transform(double value) const { return log_scale ? std::log10(value) : value; }
  double operator()(double value) const {
    const double span = transform(hi) - transform(lo);
    return pixel_lo + (transform(value) - transform(lo)) / span * (pixel_hi - pixel_lo);
  }
  bool plottable(double value) const { return std::isfinite(value) && (!log_scale || value > 0); }
};

AxisScale scale_between(std::pair<double, double> range, bool log_scale, double pixel_lo,
                        double pixel_hi) {
  AxisScale scale;
  scale.log_scale = log_scale;
  scale.pixel_lo = pixel_lo;
  scale.pixel_hi = pixel_hi;
  scale.lo = range.first;
  scale.hi = range.second;
  return scale;
}

// Transformed [lo, hi] of the plottable values; nullopt when there are none.
std::optional<std::pair<double, double>> span_of(const std::vector<double>& values,
                                                 bool log_scale) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const double v : values) {
    if (!std::isfinite(v) || (log_scale && v <= 0)) continue;
    const double t = log_scale ? std::log10(v) : v;
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  if (!std::isfinite(lo)) return std::nullopt;
  return std::pair{lo, hi};
}

void draw_marker(SvgWriter& svg, double x, double y, MarkerShape shape) {
  if (shape == MarkerShape::diamond) {
    const double r = 7;
    svg.polygon({{x, y - r}, {x + r, y}, {x, y + r}, {x - r, y}},
                SvgStyle::filled(kKneeColor).outline("#ffffff", 1.2));
  } else {
    const double r = 6;
    svg.rect(x - r, y - r, 2 * r, 2 * r, SvgStyle::outlined(kBestColor, 2.2));
  }
}

SvgStyle point_style(PointKind kind) {
  switch (kind) {
    case PointKind::infeasible:
      return SvgStyle::filled(kInfeasibleColor, 0.3);
    case PointKind::feasible:
      return SvgStyle::filled(kFeasibleColor, 0.55);
    case PointKind::front:
      return SvgStyle::filled(kFrontColor).outline("#ffffff", 0.8);
  }
  return {};
}

void draw_legend(SvgWriter& svg, const ScatterChart& chart, double y) {
  struct Item {
    std::string text;
    int kind;  // 0..2 points, 3 knee, 4 best
  };
  std::vector<Item> items;
  auto has_kind = [&](PointKind kind) {
    return std::any_of(chart.points.begin(), chart.points.end(),
                       [kind](const ScatterPoint& p) { return p.kind == kind; });
  };
  if (has_kind(PointKind::front)) items.push_back({"Pareto front", 2});
  if (has_kind(PointKind::feasible)) items.push_back({"other feasible", 1});
  if (has_kind(PointKind::infeasible)) items.push_back({"infeasible", 0});
  for (const MarkerShape shape : {MarkerShape::diamond, MarkerShape::square}) {
    if (std::any_of(chart.markers.begin(), chart.markers.end(),
                    [shape](const ScatterMarker& m) { return m.shape == shape; }))
      items.push_back({shape == MarkerShape::diamond ? "knee" : "best per objective",
                       shape == MarkerShape::diamond ? 3 : 4});
  }
  double x = 70;
  for (const Item& item : items) {
    if (item.kind <= 2) {
      svg.circle(x, y - 4, item.kind == 2 ? 4 : 3, point_style(static_cast<PointKind>(item.kind)));
    } else {
      draw_marker(svg, x, y - 4, item.kind == 3 ? MarkerShape::diamond : MarkerShape::square);
    }
    svg.text(x + 10, y, item.text, SvgTextStyle(10));
    x += 20 + 6.0 * static_cast<double>(item.text.size());
  }
}

}  // namespace

const std::string& series_color(std::size_t index) {
  static const std::array<std::string, 8> kPalette = {"#1f5fa8", "#e8590c", "#2b8a3e", "#c2255c",
                                                      "#7048e8", "#868e96", "#0c8599", "#e0a800"};
  return kPalette[index % kPalette.size()];
}

const std::string& component_color(std::string_view component) {
  static const std::array<std::pair<std::string_view, std::string>, 8> kColors = {{
      {"mac", series_color(0)},
      {"dram", series_color(1)},
      {"sram", series_color(2)},
      {"io", series_color(3)},
      {"vector", series_color(4)},
      {"leakage", series_color(5)},
      {"compute", series_color(0)},
      {"stall", series_color(1)},
  }};
  static const std::string kOther = "#adb5bd";
  for (const auto& [name, color] : kColors)
    if (name == component) return color;
  return kOther;
}

bool prefers_log_scale(const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    if (v <= 0) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return std::isfinite(lo) && hi / lo > 10;
}

std::vector<double> axis_ticks(double lo, double hi, bool log_scale, std::size_t target_count) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  const double target = static_cast<double>(std::max<std::size_t>(target_count, 1));
  // Rounded to 12 digits so 3 x 0.1 reads as 0.3.
  auto tidy = [](double v) {
    return std::fabs(v) < 1e-300 ? 0.0 : std::stod(fmt::format("{:.12g}", v));
  };
  if (log_scale) {
    if (lo <= 0) return ticks;
    const int first = static_cast<int>(std::floor(std::log10(lo)));
    const int last = static_cast<int>(std::ceil(std::log10(hi)));
    auto with = [&](const std::vector<double>& mantissas, int stride) {
      std::vector<double> out;
      for (int e = first; e <= last; e += stride)
        for (const double m : mantissas) {
          const double tick = tidy(m * std::pow(10.0, e));
          if (tick >= lo * (1 - 1e-9) && tick <= hi * (1 + 1e-9)) out.push_back(tick);
        }
      return out;
    };
    // Decades (every stride-th when there are many), then 1-2-5, then 1 to 9 between them, the
    // first that gives at least four ticks.
    const int stride = std::max(1, static_cast<int>(std::ceil((last - first) / (target + 2))));
    for (const std::vector<double>& mantissas :
         {std::vector<double>{1}, std::vector<double>{1, 2, 5}, std::vector<double>{1, 2, 3, 5, 7},
          std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
      ticks = with(mantissas, mantissas.size() == 1 ? stride : 1);
      if (ticks.size() >= 4) return ticks;
    }
    // Under about 2x: round values as on a linear axis read best.
    return axis_ticks(lo, hi, false, target_count);
  }
  const double step = nice_step((hi - lo) / target);
  const auto first = static_cast<long long>(std::ceil(lo / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(hi / step + 1e-9));
  for (long long i = first; i <= last; ++i) ticks.push_back(tidy(static_cast<double>(i) * step));
  return ticks;
}

std::pair<double, double> scatter_axis_range(const std::vector<double>& front,
                                             const std::vector<double>& others, bool log_scale) {
  const auto f = span_of(front, log_scale);
  const auto o = span_of(others, log_scale);
  double lo = 0, hi = 1;
  if (f) {
    // The front's span; a front of one value gets a little room around it.
    double span = f->second - f->first;
    if (span < 1e-12) span = log_scale ? 0.3 : std::max(std::fabs(f->first) * 0.2, 1e-12);
    lo = f->first;
    hi = f->second;
    if (o) {
      lo = std::max(std::min(lo, o->first), f->first - span);
      hi = std::min(std::max(hi, o->second), f->second + span);
    }
  } else if (o) {
    lo = o->first;
    hi = o->second;
  }
  if (hi - lo < 1e-12) {
    const double half = log_scale ? 0.5 : (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    lo -= half;
    hi += half;
  }
  const double pad = 0.06 * (hi - lo);
  lo -= pad;
  hi += pad;
  if (log_scale) return {std::pow(10.0, lo), std::pow(10.0, hi)};
  return {lo, hi};
}

bool scatter_axis_log(const std::vector<double>& front, const std::vector<double>& others) {
  const auto [lo, hi] = scatter_axis_range(front, others, false);
  std::vector<double> shown;
  for (const auto* values : {&front, &others})
    for (const double v : *values)
      if (std::isfinite(v) && v >= lo && v <= hi) shown.push_back(v);
  return prefers_log_scale(shown);
}

namespace {

struct ScatterFrame {
  double left = 70, right = 0, top = 46, bottom = 0;
  AxisScale sx, sy;
};

ScatterFrame frame_of(const ScatterChart& chart) {
  ScatterFrame f;
  f.right = chart.width_px - 18;
  f.bottom = chart.height_px - 42;
  // The front (and the highlighted designs) frame the axes; without a front, every design.
  std::vector<double> fx, fy, ox, oy;
  for (const ScatterPoint& p : chart.points) {
    const bool front = p.kind == PointKind::front;
    (front ? fx : ox).push_back(p.x);
    (front ? fy : oy).push_back(p.y);
  }
  for (const ScatterMarker& m : chart.markers) fx.push_back(m.x), fy.push_back(m.y);
  f.sx = scale_between(scatter_axis_range(fx, ox, chart.x.log_scale), chart.x.log_scale, f.left,
                       f.right);
  f.sy = scale_between(scatter_axis_range(fy, oy, chart.y.log_scale), chart.y.log_scale, f.bottom,
                       f.top);
  return f;
}

bool shown(const ScatterFrame& f, double x, double y) {
  if (!f.sx.plottable(x) || !f.sy.plottable(y)) return false;
  const double px = f.sx(x), py = f.sy(y);
  return px >= f.left - 0.5 && px <= f.right + 0.5 && py >= f.top - 0.5 && py <= f.bottom + 0.5;
}

constexpr double kKeyLinePx = 14;
constexpr double kBadgeHeightPx = 13;

PixelBox badge_box(double cx, double cy, std::size_t digits) {
  const double width = 7.0 * static_cast<double>(digits) + 5;
  return {cx - width / 2, cy - kBadgeHeightPx / 2, cx + width / 2, cy + kBadgeHeightPx / 2};
}

// The key's items ("1 knee (#87)", ...), then how many designs lie beyond the axes, in lines
// that fit the chart's width.
std::vector<std::string> key_lines_of(const ScatterChart& chart, std::size_t outside,
                                      const std::vector<std::size_t>& numbered) {
  std::vector<std::string> items;
  for (std::size_t k = 0; k < numbered.size(); ++k)
    items.push_back(fmt::format("{} {}", k + 1, chart.markers[numbered[k]].label));
  if (outside > 0)
    items.push_back(fmt::format("({} design{} beyond these axes, which frame the front)", outside,
                                outside == 1 ? "" : "s"));
  std::vector<std::string> lines;
  const auto max_chars = static_cast<std::size_t>((chart.width_px - 30) / 6.0);
  for (const std::string& item : items) {
    if (!lines.empty() && lines.back().size() + 4 + item.size() <= max_chars) {
      lines.back() += "    " + item;
    } else {
      lines.push_back(item);
    }
  }
  return lines;
}

}  // namespace

ScatterLayout scatter_layout(const ScatterChart& chart) {
  const ScatterFrame f = frame_of(chart);
  ScatterLayout layout;
  layout.plot = {f.left, f.top, f.right, f.bottom};
  for (const ScatterPoint& p : chart.points)
    if (f.sx.plottable(p.x) && f.sy.plottable(p.y) && !shown(f, p.x, p.y)) ++layout.outside;
  std::vector<std::size_t> numbered;  // markers drawn, in order
  for (std::size_t m = 0; m < chart.markers.size(); ++m) {
    const ScatterMarker& marker = chart.markers[m];
    if (!shown(f, marker.x, marker.y)) continue;
    numbered.push_back(m);
    const double x = f.sx(marker.x), y = f.sy(marker.y);
    layout.markers.push_back({x - 8, y - 8, x + 8, y + 8});
  }
  std::vector<PixelBox> front_points;
  for (const ScatterPoint& p : chart.points)
    if (p.kind == PointKind::front && shown(f, p.x, p.y))
      front_points.push_back({f.sx(p.x) - 4, f.sy(p.y) - 4, f.sx(p.x) + 4, f.sy(p.y) + 4});
  // Spots around each marker, nearest first; a first pass also keeps off the front's points.
  for (std::size_t k = 0; k < numbered.size(); ++k) {
    const PixelBox& marker = layout.markers[k];
    const double cx = (marker.x0 + marker.x1) / 2, cy = (marker.y0 + marker.y1) / 2;
    const std::size_t digits = std::to_string(k + 1).size();
    std::vector<PixelBox> candidates;
    for (const double distance : {14.0, 24.0, 36.0, 52.0, 72.0})
      for (const auto& [dx, dy] : std::initializer_list<std::pair<double, double>>{
               {1, -1}, {1, 1}, {-1, -1}, {-1, 1}, {0, -1}, {0, 1}, {1, 0}, {-1, 0}})
        candidates.push_back(badge_box(cx + dx * distance, cy + dy * distance * 0.8, digits));
    auto free = [&](const PixelBox& box, bool avoid_points) {
      if (!box.inside(layout.plot)) return false;
      auto hits = [&](const std::vector<PixelBox>& boxes) {
        return std::any_of(boxes.begin(), boxes.end(),
                           [&](const PixelBox& other) { return box.overlaps(other); });
      };
      return !hits(layout.badges) && !hits(layout.markers) && !(avoid_points && hits(front_points));
    };
    std::optional<PixelBox> chosen;
    for (const bool avoid_points : {true, false}) {
      for (const PixelBox& box : candidates)
        if (free(box, avoid_points)) {
          chosen = box;
          break;
        }
      if (chosen) break;
    }
    layout.badges.push_back(chosen ? *chosen : candidates.front());
  }
  layout.key_lines = key_lines_of(chart, layout.outside, numbered);
  return layout;
}

double scatter_height(const ScatterChart& chart) {
  return chart.height_px + kKeyLinePx * static_cast<double>(scatter_layout(chart).key_lines.size());
}

std::string render_scatter(const ScatterChart& chart) {
  const ScatterFrame f = frame_of(chart);
  const ScatterLayout layout = scatter_layout(chart);
  SvgWriter svg(chart.width_px, scatter_height(chart));
  const double left = f.left, right = f.right, top = f.top, bottom = f.bottom;
  const AxisScale& sx = f.sx;
  const AxisScale& sy = f.sy;
  svg.text(left, 16, chart.title, SvgTextStyle(13).bolded());
  draw_legend(svg, chart, 34);

  const SvgStyle grid = SvgStyle::outlined(kGridColor);
  const SvgTextStyle tick_text = SvgTextStyle(10).anchored(TextAnchor::middle).colored(kAxisColor);
  for (const double tick : axis_ticks(sx.lo, sx.hi, sx.log_scale)) {
    svg.line(sx(tick), top, sx(tick), bottom, grid);
    svg.text(sx(tick), bottom + 14, tick_label(tick), tick_text);
  }
  for (const double tick : axis_ticks(sy.lo, sy.hi, sy.log_scale)) {
    svg.line(left, sy(tick), right, sy(tick), grid);
    svg.text(left - 5, sy(tick) + 3.5, tick_label(tick),
             SvgTextStyle(10).anchored(TextAnchor::end).colored(kAxisColor));
  }
  svg.rect(left, top, right - left, bottom - top, SvgStyle::outlined(kAxisColor));
  svg.text((left + right) / 2, chart.height_px - 8,
           chart.x.label + (chart.x.log_scale ? " (log scale)" : ""),
           SvgTextStyle(11).anchored(TextAnchor::middle));
  const double y_label_x = 14;
  svg.text(y_label_x, (top + bottom) / 2, chart.y.label + (chart.y.log_scale ? " (log scale)" : ""),
           SvgTextStyle(11).anchored(TextAnchor::middle).rotated(-90));

  bool any_plotted = false;
  for (const PointKind kind : {PointKind::infeasible, PointKind::feasible, PointKind::front}) {
    std::vector<std::pair<double, double>> front_line;
    for (const ScatterPoint& p : chart.points) {
      if (p.kind != kind || !shown(f, p.x, p.y)) continue;
      any_plotted = true;
      if (kind == PointKind::front) front_line.emplace_back(sx(p.x), sy(p.y));
      svg.circle(sx(p.x), sy(p.y), kind == PointKind::front ? 4 : 2.6, point_style(kind),
                 p.tooltip);
    }
    if (chart.connect_front && front_line.size() > 1) {
      std::sort(front_line.begin(), front_line.end());
      svg.polyline(front_line, SvgStyle::outlined(kFrontColor, 1, "4 3"));
    }
  }
  if (!any_plotted)
    svg.text((left + right) / 2, (top + bottom) / 2, "no design to plot",
             SvgTextStyle(12).anchored(TextAnchor::middle).colored(kAxisColor));

  // Markers, then their numbers (white badges, so they read over points and grid lines).
  std::size_t k = 0;
  for (const ScatterMarker& m : chart.markers) {
    if (!shown(f, m.x, m.y)) continue;
    draw_marker(svg, sx(m.x), sy(m.y), m.shape);
    const PixelBox& badge = layout.badges[k++];
    const char* color = m.shape == MarkerShape::diamond ? "#a85d00" : kBestColor;
    svg.rect(badge.x0, badge.y0, badge.x1 - badge.x0, badge.y1 - badge.y0,
             SvgStyle::filled("#ffffff", 0.9).outline(color, 1));
    svg.text((badge.x0 + badge.x1) / 2, badge.y1 - 3, std::to_string(k),
             SvgTextStyle(10).anchored(TextAnchor::middle).bolded().colored(color));
  }
  for (std::size_t line = 0; line < layout.key_lines.size(); ++line)
    svg.text(left, chart.height_px + 6 + kKeyLinePx * static_cast<double>(line),
             layout.key_lines[line], SvgTextStyle(10).colored("#333"));
  return svg.str();
}

namespace {

// Rows and text of a bar chart scale with its font (10 px: 18 px rows).
struct BarMetrics {
  double font, row, bar, char_px, legend_top, top;
};

BarMetrics bar_metrics(const BarChart& chart) {
  const double f = std::max(chart.font_px, 6.0);
  BarMetrics m{f, f * 1.8, f * 1.3, f * 0.62, f * 2.5, 0};
  m.top = chart.series.size() >= 2 ? f * 4.4 : f * 2.6;
  return m;
}

}  // namespace

double bar_chart_height(const BarChart& chart) {
  const BarMetrics m = bar_metrics(chart);
  return m.top + m.row * static_cast<double>(std::max<std::size_t>(chart.bars.size(), 1)) +
         m.font * 0.8 + (chart.footnote.empty() ? 0 : m.font * 1.4);
}

std::string render_bar_chart(const BarChart& chart) {
  const BarMetrics m = bar_metrics(chart);
  SvgWriter svg(chart.width_px, bar_chart_height(chart));
  svg.text(0, m.font * 1.5, chart.title, SvgTextStyle(m.font * 1.3).bolded());
  if (chart.series.size() >= 2) {
    double x = 0;
    for (const BarSeries& series : chart.series) {
      svg.rect(x, m.legend_top, m.font, m.font, SvgStyle::filled(series.color));
      svg.text(x + m.font * 1.4, m.legend_top + m.font * 0.9, series.name, SvgTextStyle(m.font));
      x += m.font * 2.4 + m.char_px * static_cast<double>(series.name.size());
    }
  }
  const double value_width = m.char_px * 12;
  const auto max_label_chars = static_cast<std::size_t>(chart.width_px * 0.34 / m.char_px);
  // Long layer names are cut in the middle, and only as far as they stay distinct; the label
  // column takes what the longest label needs, up to half the chart.
  std::vector<std::string> names;
  for (const Bar& bar : chart.bars) names.push_back(bar.label);
  std::vector<std::string> labels = io::distinct_short_labels(names, max_label_chars);
  std::size_t longest = 0;
  for (const std::string& label : labels) longest = std::max(longest, io::display_width(label));
  const double label_width =
      std::min(chart.width_px * 0.5, std::max(chart.width_px * 0.2, m.char_px * longest + 4));
  // What still does not fit (names that differ only in their middle) is cut, distinct or not.
  const auto fit_chars = static_cast<std::size_t>(label_width / m.char_px);
  for (std::string& label : labels)
    if (io::display_width(label) > fit_chars)
      label = io::distinct_short_labels({label}, fit_chars)[0];
  const double bar_left = label_width + 6;
  const double bar_span = chart.width_px - bar_left - value_width;
  double largest = 0;
  for (const Bar& bar : chart.bars) {
    double total = 0;
    for (const double v : bar.segments) total += std::max(0.0, v);
    largest = std::max(largest, total);
  }
  if (chart.bars.empty())
    svg.text(bar_left, m.top + m.font * 1.2, "no data",
             SvgTextStyle(m.font * 1.1).colored(kAxisColor));
  double y = m.top;
  for (std::size_t b = 0; b < chart.bars.size(); ++b) {
    const Bar& bar = chart.bars[b];
    const double baseline = y + m.bar * 0.8;
    svg.text(label_width, baseline, labels[b], SvgTextStyle(m.font).anchored(TextAnchor::end));
    double x = bar_left;
    double total = 0;
    for (std::size_t s = 0; s < bar.segments.size(); ++s) {
      const double value = std::max(0.0, bar.segments[s]);
      const double width = largest > 0 ? value / largest * bar_span : 0;
      const std::string& color = s < chart.series.size() ? chart.series[s].color : series_color(s);
      svg.rect(x, y, width, m.bar, SvgStyle::filled(color));
      x += width;
      total += value;
    }
    svg.text(x + 4, baseline, format_number(total) + (chart.unit.empty() ? "" : " " + chart.unit),
             SvgTextStyle(m.font).colored(kAxisColor));
    y += m.row;
  }
  if (!chart.footnote.empty())
    svg.text(bar_left, y + m.font * 0.8, chart.footnote, SvgTextStyle(m.font).colored(kAxisColor));
  return svg.str();
}

}  // namespace accelscope::reports
