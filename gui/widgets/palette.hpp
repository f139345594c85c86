// Colours shared by the charts: a perceptually ordered scale for numbers (viridis), a
// qualitative one for categories and overlays, and the report's colours of cost components.
#pragma once

#include <QColor>
#include <QString>
#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "reports/charts.hpp"

namespace accelscope::gui::palette {

// Viridis at ten stops, interpolated linearly; t in [0, 1].
inline QColor scale(double t) {
  static constexpr std::array<unsigned, 10> stops = {0x440154, 0x482878, 0x3e4989, 0x31688e,
                                                     0x26828e, 0x1f9e89, 0x35b779, 0x6ece58,
                                                     0xb5de2b, 0xfde725};
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  const double position = t * (stops.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const std::size_t high = std::min(low + 1, stops.size() - 1);
  const double f = position - static_cast<double>(low);
  const QColor a(stops[low]), b(stops[high]);
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

// Tableau 10, for categories and overlaid studies.
inline QColor category(std::size_t index) {
  static constexpr std::array<unsigned, 10> colours = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd,
                                                       0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22,
                                                       0x7f7f7f, 0xd62728};
  return QColor(colours[index % colours.size()]);
}

// A cost component ("mac", "sram", "dram", "io", "vector", "leakage", "compute", "stall") in
// the report's colour for it: one table (reports/charts.hpp) for both.
inline QColor component(std::string_view name) {
  return QColor(QString::fromStdString(reports::component_color(name)));
}

inline QColor front() {
  return QColor(0xd6, 0x27, 0x28);
}
inline QColor selection() {
  return QColor(0xe0, 0x1b, 0x84);
}
inline QColor compared() {
  return QColor(0xff, 0x8c, 0x00);
}
inline QColor single() {
  return QColor(0x3a, 0x6e, 0xa5);
}
inline QColor infeasible() {
  return QColor(150, 150, 150, 90);
}

}  // namespace accelscope::gui::palette
