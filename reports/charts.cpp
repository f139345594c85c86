#include "reports/charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "model/io/labels.hpp"
#include "reports/format.hpp"
#include "reports/svg.hpp"

namespace accelscope::reports {

namespace {

constexpr const char* kFrontColor = "#1f5fa8";
constexpr const char* kFeasibleColor = "#8c8c8c";
constexpr const char* kInfeasibleColor = "#d9534f";
constexpr const char* kKneeColor = "#f08c00";
constexpr const char* kBestColor = "#2b8a3e";
constexpr const char* kGridColor = "#e3e3e3";
constexpr const char* kAxisColor = "#555";

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

// Places marker labels where they overlap neither each other nor the frame, trying a few spots
// around each marker (text boxes estimated from the font size).
class LabelPlacer {
 public:
  LabelPlacer(double left, double top, double right, double bottom)
      : left_(left), top_(top), right_(right), bottom_(bottom) {}

  struct Spot {
    double x, y;
    TextAnchor anchor;
  };

  Spot place(double x, double y, std::size_t chars) {
    const double width = 6.2 * static_cast<double>(chars);
    const Spot candidates[] = {
        {x + 10, y - 8, TextAnchor::start},  {x + 10, y + 14, TextAnchor::start},
        {x - 10, y - 8, TextAnchor::end},    {x - 10, y + 14, TextAnchor::end},
        {x + 10, y - 20, TextAnchor::start}, {x + 10, y + 26, TextAnchor::start},
        {x - 10, y - 20, TextAnchor::end},   {x - 10, y + 26, TextAnchor::end}};
    for (const Spot& spot : candidates) {
      const Box box = box_of(spot, width);
      if (box.x0 < left_ || box.x1 > right_ || box.y0 < top_ || box.y1 > bottom_) continue;
      if (std::any_of(placed_.begin(), placed_.end(),
                      [&](const Box& other) { return box.overlaps(other); }))
        continue;
      placed_.push_back(box);
      return spot;
    }
    const Spot fallback = x > right_ - width - 10 ? candidates[2] : candidates[0];
    placed_.push_back(box_of(fallback, width));
    return fallback;
  }

 private:
  struct Box {
    double x0, y0, x1, y1;
    bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  };
  static Box box_of(const Spot& spot, double width) {
    const double x0 = spot.anchor == TextAnchor::end ? spot.x - width : spot.x;
    return {x0, spot.y - 9, x0 + width, spot.y + 2};
  }

  double left_, top_, right_, bottom_;
  std::vector<Box> placed_;
};

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

// The data range of an axis, padded so no point sits on the frame.
AxisScale fit_axis(const std::vector<double>& values, bool log_scale, double pixel_lo,
                   double pixel_hi) {
  AxisScale scale;
  scale.log_scale = log_scale;
  scale.pixel_lo = pixel_lo;
  scale.pixel_hi = pixel_hi;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const double v : values) {
    if (!scale.plottable(v)) continue;
    lo = std::min(lo, scale.transform(v));
    hi = std::max(hi, scale.transform(v));
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) {
    const double half = log_scale ? 0.5 : (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    lo -= half;
    hi += half;
  }
  const double pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  scale.lo = log_scale ? std::pow(10.0, lo) : lo;
  scale.hi = log_scale ? std::pow(10.0, hi) : hi;
  return scale;
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
    // Under two decades, decades alone are too few: add 2 and 5.
    const bool fine = std::log10(hi / lo) < 2;
    const int stride = fine ? 1 : std::max(1, static_cast<int>(std::ceil((last - first) / target)));
    for (int e = first; e <= last; e += stride) {
      for (const double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        const double tick = tidy(m * std::pow(10.0, e));
        if (tick >= lo * (1 - 1e-9) && tick <= hi * (1 + 1e-9)) ticks.push_back(tick);
      }
    }
    return ticks;
  }
  const double step = nice_step((hi - lo) / target);
  const auto first = static_cast<long long>(std::ceil(lo / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(hi / step + 1e-9));
  for (long long i = first; i <= last; ++i) ticks.push_back(tidy(static_cast<double>(i) * step));
  return ticks;
}

std::string render_scatter(const ScatterChart& chart) {
  SvgWriter svg(chart.width_px, chart.height_px);
  const double left = 70;
  const double right = chart.width_px - 18;
  const double top = 46;
  const double bottom = chart.height_px - 42;
  svg.text(left, 16, chart.title, SvgTextStyle(13).bolded());
  draw_legend(svg, chart, 34);

  std::vector<double> xs;
  std::vector<double> ys;
  for (const ScatterPoint& p : chart.points) xs.push_back(p.x), ys.push_back(p.y);
  const AxisScale sx = fit_axis(xs, chart.x.log_scale, left, right);
  const AxisScale sy = fit_axis(ys, chart.y.log_scale, bottom, top);

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
      if (p.kind != kind || !sx.plottable(p.x) || !sy.plottable(p.y)) continue;
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

  LabelPlacer labels(left, top, right, bottom);
  for (const ScatterMarker& m : chart.markers) {
    if (!sx.plottable(m.x) || !sy.plottable(m.y)) continue;
    draw_marker(svg, sx(m.x), sy(m.y), m.shape);
  }
  for (const ScatterMarker& m : chart.markers) {
    if (!sx.plottable(m.x) || !sy.plottable(m.y)) continue;
    const LabelPlacer::Spot spot = labels.place(sx(m.x), sy(m.y), m.label.size());
    svg.text(spot.x, spot.y, m.label,
             SvgTextStyle(10)
                 .anchored(spot.anchor)
                 .bolded()
                 .colored(m.shape == MarkerShape::diamond ? "#a85d00" : kBestColor));
  }
  return svg.str();
}

double bar_chart_height(const BarChart& chart) {
  const double top = chart.series.size() >= 2 ? 44 : 26;
  return top + 18.0 * static_cast<double>(std::max<std::size_t>(chart.bars.size(), 1)) + 8 +
         (chart.footnote.empty() ? 0 : 14);
}

std::string render_bar_chart(const BarChart& chart) {
  SvgWriter svg(chart.width_px, bar_chart_height(chart));
  svg.text(0, 15, chart.title, SvgTextStyle(13).bolded());
  const double top = chart.series.size() >= 2 ? 44 : 26;
  if (chart.series.size() >= 2) {
    double x = 0;
    for (const BarSeries& series : chart.series) {
      svg.rect(x, 25, 10, 10, SvgStyle::filled(series.color));
      svg.text(x + 14, 34, series.name, SvgTextStyle(10));
      x += 24 + 6.0 * static_cast<double>(series.name.size());
    }
  }
  const double label_width = std::min(170.0, chart.width_px * 0.34);
  const double value_width = 74;
  const double bar_left = label_width + 6;
  const double bar_span = chart.width_px - bar_left - value_width;
  double largest = 0;
  for (const Bar& bar : chart.bars) {
    double total = 0;
    for (const double v : bar.segments) total += std::max(0.0, v);
    largest = std::max(largest, total);
  }
  if (chart.bars.empty())
    svg.text(bar_left, top + 12, "no data", SvgTextStyle(11).colored(kAxisColor));
  const auto max_label_chars = static_cast<std::size_t>(label_width / 6.2);
  // Long layer names are cut in the middle, and only as far as they stay distinct.
  std::vector<std::string> names;
  for (const Bar& bar : chart.bars) names.push_back(bar.label);
  const std::vector<std::string> labels = io::distinct_short_labels(names, max_label_chars);
  double y = top;
  for (std::size_t b = 0; b < chart.bars.size(); ++b) {
    const Bar& bar = chart.bars[b];
    svg.text(label_width, y + 10.5, labels[b], SvgTextStyle(10).anchored(TextAnchor::end));
    double x = bar_left;
    double total = 0;
    for (std::size_t s = 0; s < bar.segments.size(); ++s) {
      const double value = std::max(0.0, bar.segments[s]);
      const double width = largest > 0 ? value / largest * bar_span : 0;
      const std::string& color = s < chart.series.size() ? chart.series[s].color : series_color(s);
      svg.rect(x, y, width, 13, SvgStyle::filled(color));
      x += width;
      total += value;
    }
    svg.text(x + 4, y + 10.5, format_number(total) + (chart.unit.empty() ? "" : " " + chart.unit),
             SvgTextStyle(10).colored(kAxisColor));
    y += 18;
  }
  if (!chart.footnote.empty())
    svg.text(bar_left, y + 8, chart.footnote, SvgTextStyle(10).colored(kAxisColor));
  return svg.str();
}

}  // namespace accelscope::reports
