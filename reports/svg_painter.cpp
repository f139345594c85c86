#include "reports/svg_painter.hpp"

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QPolygonF>
#include <QRectF>
#include <QXmlStreamReader>

namespace accelscope::reports {

namespace {

double number(const QXmlStreamAttributes& attributes, const char* name, double fallback = 0) {
  bool ok = false;
  const double value = attributes.value(QLatin1String(name)).toDouble(&ok);
  return ok ? value : fallback;
}

QPolygonF points_of(const QXmlStreamAttributes& attributes) {
  QPolygonF polygon;
  const QStringList pairs =
      attributes.value(QLatin1String("points")).toString().split(' ', Qt::SkipEmptyParts);
  for (const QString& pair : pairs) {
    const QStringList xy = pair.split(',');
    if (xy.size() == 2) polygon << QPointF(xy[0].toDouble(), xy[1].toDouble());
  }
  return polygon;
}

// Pen and brush from fill, stroke, stroke-width, stroke-dasharray and opacity.
void apply_style(QPainter& painter, const QXmlStreamAttributes& attributes) {
  const QString fill = attributes.value(QLatin1String("fill")).toString();
  painter.setBrush(fill.isEmpty() || fill == QLatin1String("none") ? QBrush(Qt::NoBrush)
                                                                   : QBrush(QColor(fill)));
  const QString stroke = attributes.value(QLatin1String("stroke")).toString();
  if (stroke.isEmpty() || stroke == QLatin1String("none")) {
    painter.setPen(Qt::NoPen);
  } else {
    QPen pen(QColor(stroke), number(attributes, "stroke-width", 1));
    pen.setCapStyle(Qt::FlatCap);
    pen.setJoinStyle(Qt::MiterJoin);
    const QStringList dashes = attributes.value(QLatin1String("stroke-dasharray"))
                                   .toString()
                                   .split(' ', Qt::SkipEmptyParts);
    if (!dashes.isEmpty() && pen.widthF() > 0) {
      QList<qreal> pattern;  // Qt counts dashes in pen widths
      for (const QString& dash : dashes) pattern << dash.toDouble() / pen.widthF();
      pen.setDashPattern(pattern);
    }
    painter.setPen(pen);
  }
  painter.setOpacity(number(attributes, "opacity", 1));
}

void draw_text(QPainter& painter, const QXmlStreamAttributes& attributes, const QString& text) {
  QFont font(QStringLiteral("DejaVu Sans"));
  font.setPixelSize(std::max(1, qRound(number(attributes, "font-size", 11))));
  font.setBold(attributes.value(QLatin1String("font-weight")) == QLatin1String("bold"));
  font.setStyleStrategy(QFont::PreferNoShaping);  // no ligatures: chart text stays searchable
  painter.setFont(font);
  const QString fill = attributes.value(QLatin1String("fill")).toString();
  painter.setPen(QColor(fill.isEmpty() ? QStringLiteral("#000000") : fill));
  painter.setOpacity(number(attributes, "opacity", 1));
  const QPointF anchor(number(attributes, "x"), number(attributes, "y"));
  painter.save();
  painter.translate(anchor);
  // transform="rotate(angle x y)" about the anchor, as the writer emits it.
  const QString transform = attributes.value(QLatin1String("transform")).toString();
  if (transform.startsWith(QLatin1String("rotate("))) {
    const QStringList parts = transform.mid(7).chopped(1).split(' ', Qt::SkipEmptyParts);
    if (!parts.isEmpty()) painter.rotate(parts[0].toDouble());
  }
  const double width = QFontMetricsF(font, painter.device()).horizontalAdvance(text);
  const QStringView anchor_name = attributes.value(QLatin1String("text-anchor"));
  const double x = anchor_name == QLatin1String("middle") ? -width / 2
                   : anchor_name == QLatin1String("end")  ? -width
                                                          : 0;
  painter.drawText(QPointF(x, 0), text);
  painter.restore();
}

}  // namespace

bool paint_svg(QPainter& painter, std::string_view svg, const QRectF& target) {
  QXmlStreamReader xml(QByteArray(svg.data(), static_cast<qsizetype>(svg.size())));
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  bool ok = true;
  while (!xml.atEnd()) {
    if (xml.readNext() != QXmlStreamReader::StartElement) continue;
    const QStringView name = xml.name();
    const QXmlStreamAttributes attributes = xml.attributes();
    if (name == QLatin1String("svg")) {
      const QStringList box =
          attributes.value(QLatin1String("viewBox")).toString().split(' ', Qt::SkipEmptyParts);
      const double width = box.size() == 4 ? box[2].toDouble() : number(attributes, "width", 1);
      const double height = box.size() == 4 ? box[3].toDouble() : number(attributes, "height", 1);
      painter.translate(target.topLeft());
      if (width > 0 && height > 0) painter.scale(target.width() / width, target.height() / height);
    } else if (name == QLatin1String("rect")) {
      apply_style(painter, attributes);
      painter.drawRect(QRectF(number(attributes, "x"), number(attributes, "y"),
                              number(attributes, "width"), number(attributes, "height")));
    } else if (name == QLatin1String("line")) {
      apply_style(painter, attributes);
      painter.drawLine(QPointF(number(attributes, "x1"), number(attributes, "y1")),
                       QPointF(number(attributes, "x2"), number(attributes, "y2")));
    } else if (name == QLatin1String("polyline")) {
      apply_style(painter, attributes);
      painter.drawPolyline(points_of(attributes));
    } else if (name == QLatin1String("polygon")) {
      apply_style(painter, attributes);
      painter.drawPolygon(points_of(attributes));
    } else if (name == QLatin1String("circle")) {
      apply_style(painter, attributes);
      const double r = number(attributes, "r");
      painter.drawEllipse(QPointF(number(attributes, "cx"), number(attributes, "cy")), r, r);
    } else if (name == QLatin1String("text")) {
      draw_text(painter, attributes, xml.readElementText());
    }
  }
  if (xml.hasError()) ok = false;
  painter.restore();
  return ok;
}

}  // namespace accelscope::reports
