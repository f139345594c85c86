// A minimal SVG writer for report charts. Emits only what SVG Tiny 1.2 has (rect, line,
// polyline, circle, polygon, text, title; presentation attributes, no CSS), so browsers and the
// PDF's painter (reports/svg_painter.hpp) draw the same picture.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace accelscope::reports {

struct SvgStyle {
  std::string fill = "none";
  std::string stroke = "none";
  double stroke_width = 1;
  double opacity = 1;  // of the whole shape
  std::string dash;    // stroke-dasharray, e.g. "4 3"; empty: solid

  static SvgStyle filled(std::string color, double opacity = 1);
  static SvgStyle outlined(std::string color, double width = 1, std::string dash = {});
  SvgStyle& outline(std::string color, double width) {
    stroke = std::move(color);
    stroke_width = width;
    return *this;
  }
};

enum class TextAnchor { start, middle, end };

struct SvgTextStyle {
  double size_px = 11;
  TextAnchor anchor = TextAnchor::start;
  bool bold = false;
  std::string fill = "#222";
  double rotate_deg = 0;  // about the text's anchor point

  SvgTextStyle() = default;
  explicit SvgTextStyle(double size) : size_px(size) {}
  SvgTextStyle& anchored(TextAnchor a) {
    anchor = a;
    return *this;
  }
  SvgTextStyle& bolded() {
    bold = true;
    return *this;
  }
  SvgTextStyle& colored(std::string color) {
    fill = std::move(color);
    return *this;
  }
  SvgTextStyle& rotated(double degrees) {
    rotate_deg = degrees;
    return *this;
  }
};

class SvgWriter {
 public:
  SvgWriter(double width_px, double height_px);

  double width() const { return width_px_; }
  double height() const { return height_px_; }

  void rect(double x, double y, double width, double height, const SvgStyle& style);
  void line(double x1, double y1, double x2, double y2, const SvgStyle& style);
  void polyline(const std::vector<std::pair<double, double>>& points, const SvgStyle& style);
  void polygon(const std::vector<std::pair<double, double>>& points, const SvgStyle& style);
  // tooltip: shown on hover in browsers (an SVG <title>); empty for none.
  void circle(double cx, double cy, double radius, const SvgStyle& style,
              std::string_view tooltip = {});
  // y is the baseline.
  void text(double x, double y, std::string_view content, const SvgTextStyle& style = {});

  // The finished document (an <svg> element with width, height and viewBox, no XML prolog, so
  // it can be inlined in HTML or given to QSvgRenderer as it is).
  std::string str() const;

 private:
  double width_px_;
  double height_px_;
  std::string body_;
};

// Coordinates with two decimals: enough for any screen or print, and compact.
std::string svg_number(double value);

}  // namespace accelscope::reports
