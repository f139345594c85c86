// Paints the SVG that reports/svg.hpp writes (its subset of SVG Tiny: rect, line, polyline,
// polygon, circle, text; fill, stroke, opacity, dashes, text anchor, weight and rotation) with a
// QPainter, as vector graphics with real text. QtSvg would do the drawing too, but it turns every
// glyph into an outline: PDFs several megabytes large whose chart text cannot be searched.
#pragma once

#include <string_view>

class QPainter;
class QRectF;

namespace accelscope::reports {

// Draws svg scaled into target. Returns false (drawing nothing more) on XML it cannot read;
// elements and attributes outside the subset are ignored.
bool paint_svg(QPainter& painter, std::string_view svg, const QRectF& target);

}  // namespace accelscope::reports
