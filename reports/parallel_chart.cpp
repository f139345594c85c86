#include "reports/parallel_chart.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "model/io/labels.hpp"
#include "reports/charts.hpp"
#include "reports/format.hpp"
#include "reports/svg.hpp"

namespace accelscope::reports {

namespace {

constexpr const char* kObjectiveBand = "#eef3f9";

// Maps one axis' values to pixels (bottom: low values); NaN for values it cannot show.
struct VerticalScale {
  double lo = 0, hi = 1;
  bool log_scale = false;
  double top = 0, bottom = 1;

  double transform(double v) const { return log_scale ? std::log10(v) : v; }
  double operator()(double v) const {
    if (!std::isfinite(v) || (log_scale && v <= 0)) return std::numeric_limits<double>::quiet_NaN();
    const double span = transform(hi) - transform(lo);
    const double t = span > 0 ? (transform(v) - transform(lo)) / span : 0.5;
    return bottom - t * (bottom - top);
  }
};

// The plottable values' [min, max]; +inf, -inf when there are none.
std::pair<double, double> value_range(const ParallelAxis& axis) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const double v : axis.values) {
    if (!std::isfinite(v) || (axis.log_scale && v <= 0)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

VerticalScale scale_of(const ParallelAxis& axis, double top, double bottom) {
  VerticalScale scale;
  scale.top = top;
  scale.bottom = bottom;
  if (!axis.levels.empty()) {
    // Levels evenly spaced; a single level sits in the middle.
    scale.lo = 0;
    scale.hi = static_cast<double>(std::max<std::size_t>(axis.levels.size(), 2) - 1);
    if (axis.levels.size() == 1) scale.lo = -1, scale.hi = 1;
    return scale;
  }
  scale.log_scale = axis.log_scale;
  auto [lo, hi] = value_range(axis);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi <= lo) {
    // One value: put it in the middle of a small range around it.
    const double half = scale.log_scale ? lo * 0.5 : (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    scale.lo = lo - half;
    scale.hi = hi + half;
    if (scale.log_scale) scale.lo = lo / 2, scale.hi = hi * 2;
    return scale;
  }
  scale.lo = lo;
  scale.hi = hi;
  return scale;
}

std::string tick_text(double v) {
  return format_number(v);
}

}  // namespace

std::vector<std::string> wrap_label(const std::string& label, std::size_t max_chars,
                                    std::size_t max_lines) {
  max_lines = std::max<std::size_t>(max_lines, 1);
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start < label.size()) {
    std::size_t end = label.find(' ', start);
    if (end == std::string::npos) end = label.size();
    const std::string word = label.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    const std::string joined = line.empty() ? word : line + " " + word;
    if (io::display_width(joined) <= max_chars || line.empty()) {
      line = joined;
    } else {
      lines.push_back(line);
      line = word;
    }
  }
  if (!line.empty()) lines.push_back(line);
  if (lines.size() > max_lines) {
    std::string rest = lines[max_lines - 1];
    for (std::size_t i = max_lines; i < lines.size(); ++i) rest += " " + lines[i];
    lines.resize(max_lines - 1);
    lines.push_back(rest);
  }
  for (std::string& l : lines) l = io::distinct_short_labels({l}, max_chars).front();
  return lines;
}

std::string render_parallel_coordinates(const ParallelChart& chart) {
  for (const ParallelAxis& axis : chart.axes)
    if (axis.values.size() != chart.lines.size())
      throw std::invalid_argument(
          fmt::format("parallel coordinates: axis \"{}\" has {} values for {} lines", axis.label,
                      axis.values.size(), chart.lines.size()));
  SvgWriter svg(chart.width_px, chart.height_px);
  svg.text(0, 15, chart.title, SvgTextStyle(13).bolded());
  const double left = 14, right = chart.width_px - 46;
  const double top = 72, bottom = chart.height_px - 34;
  const std::size_t n = chart.axes.size();
  if (n == 0) {
    svg.text(left, (top + bottom) / 2, "nothing to plot", SvgTextStyle(12).colored(kAxisColor));
    return svg.str();
  }
  const double step = n > 1 ? (right - left) / static_cast<double>(n - 1) : 0;
  auto axis_x = [&](std::size_t a) {
    return n > 1 ? left + step * static_cast<double>(a) : (left + right) / 2;
  };
  std::vector<VerticalScale> scales;
  for (const ParallelAxis& axis : chart.axes) scales.push_back(scale_of(axis, top, bottom));

  // Objectives on a tinted band, so the eye finds where the parameters end.
  for (std::size_t a = 0; a < n; ++a)
    if (chart.axes[a].objective)
      svg.rect(axis_x(a) - std::min(step, 80.0) / 2, top - 6, std::min(step, 80.0),
               bottom - top + 12, SvgStyle::filled(kObjectiveBand));

  // Lines: plain ones first, then best designs, then the knee on top.
  const std::size_t line_count = chart.lines.size();
  const double plain_opacity = line_count > 200 ? 0.18 : line_count > 40 ? 0.35 : 0.6;
  for (const LineEmphasis emphasis :
       {LineEmphasis::plain, LineEmphasis::best, LineEmphasis::knee}) {
    for (std::size_t l = 0; l < line_count; ++l) {
      if (chart.lines[l] != emphasis) continue;
      std::vector<std::pair<double, double>> points;
      auto flush = [&] {
        if (points.size() > 1) {
          const SvgStyle style =
              emphasis == LineEmphasis::knee   ? SvgStyle::outlined(kKneeColor, 2.6)
              : emphasis == LineEmphasis::best ? SvgStyle::outlined(kBestColor, 1.8)
                                               : [&] {
                                                   SvgStyle s = SvgStyle::outlined(kFrontColor, 1);
                                                   s.opacity = plain_opacity;
                                                   return s;
                                                 }();
          svg.polyline(points, style);
        }
        points.clear();
      };
      for (std::size_t a = 0; a < n; ++a) {
        const double y = scales[a](chart.axes[a].values[l]);
        if (std::isnan(y)) {
          flush();  // a missing value breaks the line
          continue;
        }
        points.emplace_back(axis_x(a), y);
      }
      flush();
    }
  }

  // Axes with their ticks and headings.
  // Bold 9 px text is about 6.2 px a character.
  const auto heading_chars =
      static_cast<std::size_t>(std::max(6.0, (n > 1 ? step - 4 : right - left) / 6.2));
  for (std::size_t a = 0; a < n; ++a) {
    const ParallelAxis& axis = chart.axes[a];
    const double x = axis_x(a);
    svg.line(x, top, x, bottom, SvgStyle::outlined(kAxisColor, 1.2));
    const std::vector<std::string> heading = wrap_label(axis.label, heading_chars);
    for (std::size_t h = 0; h < heading.size(); ++h)
      svg.text(x, top - 12 - 11 * static_cast<double>(heading.size() - 1 - h), heading[h],
               SvgTextStyle(9).anchored(TextAnchor::middle).bolded());
    const SvgTextStyle tick_style = SvgTextStyle(9).colored(kAxisColor);
    std::vector<std::pair<double, std::string>> ticks;
    if (!axis.levels.empty()) {
      for (std::size_t k = 0; k < axis.levels.size(); ++k)
        ticks.emplace_back(scales[a](static_cast<double>(k)), axis.levels[k]);
    } else if (const auto [lo, hi] = value_range(axis); hi <= lo) {
      if (std::isfinite(lo)) ticks.emplace_back(scales[a](lo), tick_text(lo));  // one value
    } else {
      for (const double t : axis_ticks(scales[a].lo, scales[a].hi, scales[a].log_scale, 5))
        ticks.emplace_back(scales[a](t), tick_text(t));
      // The ends of the range, when no tick is near them.
      for (const double end : {scales[a].lo, scales[a].hi}) {
        const double y = scales[a](end);
        if (std::none_of(ticks.begin(), ticks.end(),
                         [&](const auto& t) { return std::fabs(t.first - y) < 12; }))
          ticks.emplace_back(y, tick_text(end));
      }
    }
    for (const auto& [y, text] : ticks) {
      if (std::isnan(y)) continue;
      svg.line(x - 3, y, x, y, SvgStyle::outlined(kAxisColor));
      svg.text(x + 4, y + 3, text, tick_style);
    }
    if (axis.log_scale)
      svg.text(x, bottom + 14, "log",
               SvgTextStyle(9).anchored(TextAnchor::middle).colored(kAxisColor));
  }

  // Legend.
  double lx = 0;
  const double ly = chart.height_px - 6;
  for (const auto& [color, text, width] :
       {std::tuple{kFrontColor, "front design", 1.5},
        std::tuple{kBestColor, "best per objective", 1.8}, std::tuple{kKneeColor, "knee", 2.6}}) {
    svg.line(lx, ly - 4, lx + 18, ly - 4, SvgStyle::outlined(color, width));
    svg.text(lx + 22, ly, text, SvgTextStyle(10));
    lx += 40 + 6.0 * static_cast<double>(std::string_view(text).size());
  }
  return svg.str();
}

}  // namespace accelscope::reports
