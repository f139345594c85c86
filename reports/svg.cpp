#include "reports/svg.hpp"

#include <cmath>

#include <fmt/format.h>

#include "reports/format.hpp"

namespace accelscope::reports {

namespace {

std::string style_attributes(const SvgStyle& style) {
  std::string out = fmt::format(R"( fill="{}")", style.fill);
  if (style.stroke != "none") {
    out += fmt::format(R"( stroke="{}" stroke-width="{}")", style.stroke,
                       svg_number(style.stroke_width));
    if (!style.dash.empty()) out += fmt::format(R"( stroke-dasharray="{}")", style.dash);
  }
  if (style.opacity < 1) out += fmt::format(R"( opacity="{}")", svg_number(style.opacity));
  return out;
}

std::string points_attribute(const std::vector<std::pair<double, double>>& points) {
  std::string out;
  for (const auto& [x, y] : points) {
    if (!out.empty()) out += ' ';
    out += svg_number(x) + "," + svg_number(y);
  }
  return out;
}

}  // namespace

std::string svg_number(double value) {
  if (!std::isfinite(value)) return "0";
  std::string text = fmt::format("{:.2f}", value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

SvgStyle SvgStyle::filled(std::string color, double opacity) {
  SvgStyle style;
  style.fill = std::move(color);
  style.opacity = opacity;
  return style;
}

SvgStyle SvgStyle::outlined(std::string color, double width, std::string dash) {
  SvgStyle style;
  style.stroke = std::move(color);
  style.stroke_width = width;
  style.dash = std::move(dash);
  return style;
}

SvgWriter::SvgWriter(double width_px, double height_px)
    : width_px_(width_px), height_px_(height_px) {}

void SvgWriter::rect(double x, double y, double width, double height, const SvgStyle& style) {
  body_ += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}"{}/>)", svg_number(x),
                       svg_number(y), svg_number(std::max(0.0, width)),
                       svg_number(std::max(0.0, height)), style_attributes(style));
  body_ += '\n';
}

void SvgWriter::line(double x1, double y1, double x2, double y2, const SvgStyle& style) {
  body_ += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"{}/>)", svg_number(x1),
                       svg_number(y1), svg_number(x2), svg_number(y2), style_attributes(style));
  body_ += '\n';
}

void SvgWriter::polyline(const std::vector<std::pair<double, double>>& points,
                         const SvgStyle& style) {
  body_ += fmt::format(R"(<polyline points="{}"{}/>)", points_attribute(points),
                       style_attributes(style));
  body_ += '\n';
}

void SvgWriter::polygon(const std::vector<std::pair<double, double>>& points,
                        const SvgStyle& style) {
  body_ +=
      fmt::format(R"(<polygon points="{}"{}/>)", points_attribute(points), style_attributes(style));
  body_ += '\n';
}

void SvgWriter::circle(double cx, double cy, double radius, const SvgStyle& style,
                       std::string_view tooltip) {
  const std::string head = fmt::format(R"(<circle cx="{}" cy="{}" r="{}"{})", svg_number(cx),
                                       svg_number(cy), svg_number(radius), style_attributes(style));
  if (tooltip.empty()) {
    body_ += head + "/>\n";
  } else {
    body_ += head + "><title>" + escape_xml(tooltip) + "</title></circle>\n";
  }
}

void SvgWriter::text(double x, double y, std::string_view content, const SvgTextStyle& style) {
  static constexpr const char* kAnchors[] = {"start", "middle", "end"};
  std::string attributes =
      fmt::format(R"( x="{}" y="{}" font-family="sans-serif" font-size="{}" fill="{}")",
                  svg_number(x), svg_number(y), svg_number(style.size_px), style.fill);
  if (style.anchor != TextAnchor::start)
    attributes += fmt::format(R"( text-anchor="{}")", kAnchors[static_cast<int>(style.anchor)]);
  if (style.bold) attributes += R"( font-weight="bold")";
  if (style.rotate_deg != 0)
    attributes += fmt::format(R"svg( transform="rotate({} {} {})")svg",
                              svg_number(style.rotate_deg), svg_number(x), svg_number(y));
  body_ += "<text" + attributes + ">" + escape_xml(content) + "</text>\n";
}

std::string SvgWriter::str() const {
  return fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" )"
                     R"(width="{0}" height="{1}" viewBox="0 0 {0} {1}">)",
                     svg_number(width_px_), svg_number(height_px_)) +
         "\n" + body_ + "</svg>\n";
}

}  // namespace accelscope::reports
