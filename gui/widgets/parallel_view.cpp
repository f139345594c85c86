#include "gui/widgets/parallel_view.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "gui/widgets/palette.hpp"

namespace accelscope::gui {

namespace {

constexpr int kNamesHeight = 130;  // pixels above the axes for their names
constexpr double kNameWidth = 185;

QString qs(const std::string& text) {
  return QString::fromStdString(text);
}

// Squared distance from p to the segment ab.
double segmentDistance2(const QPointF& p, const QPointF& a, const QPointF& b) {
  const QPointF ab = b - a;
  const double length2 = QPointF::dotProduct(ab, ab);
  const double t =
      length2 > 0 ? std::clamp(QPointF::dotProduct(p - a, ab) / length2, 0.0, 1.0) : 0.0;
  const QPointF d = p - (a + t * ab);
  return QPointF::dotProduct(d, d);
}

}  // namespace

ParallelCoordinatesView::ParallelCoordinatesView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(360, 280);
  setAutoFillBackground(true);
  setMouseTracking(true);
  QPalette colours = palette();
  colours.setColor(QPalette::Window, Qt::white);
  setPalette(colours);
}

void ParallelCoordinatesView::setModel(ParallelModel model, const QString& caption) {
  model_ = std::move(model);
  caption_ = caption;
  update();
}

void ParallelCoordinatesView::setHighlights(std::optional<std::size_t> selected,
                                            const std::vector<std::size_t>& compared) {
  selected_ = selected;
  compared_ = compared;
  update();
}

QRectF ParallelCoordinatesView::plotArea() const {
  // Room for the slanted axis names above, values beside, the caption below.
  return QRectF(40, kNamesHeight, std::max(10, width() - 130),
                std::max(10, height() - kNamesHeight - 48));
}

double ParallelCoordinatesView::axisX(std::size_t axis) const {
  const QRectF area = plotArea();
  if (model_.axes.size() <= 1) return area.center().x();
  return area.left() +
         area.width() * static_cast<double>(axis) / static_cast<double>(model_.axes.size() - 1);
}

std::optional<QPointF> ParallelCoordinatesView::pointOf(std::size_t line, std::size_t axis) const {
  if (line >= model_.heights.size() || axis >= model_.axes.size()) return std::nullopt;
  const double t = model_.heights[line][axis];
  if (std::isnan(t)) return std::nullopt;
  const QRectF area = plotArea();
  return QPointF(axisX(axis), area.bottom() - t * area.height());
}

QColor ParallelCoordinatesView::lineColour(std::size_t line) const {
  // By the first axis (the first objective): the scale's bright end at its best value.
  const double t = model_.axes.empty() ? 0.5 : model_.heights[line][0];
  const bool maximise =
      !model_.axes.empty() && model_.axes[0].direction == store::Direction::maximize;
  return palette::scale(std::isnan(t) ? 0.5 : (maximise ? t : 1 - t));
}

void ParallelCoordinatesView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QRectF area = plotArea();
  if (model_.axes.empty() || model_.designs.empty()) {
    painter.setPen(QColor(90, 90, 90));
    painter.drawText(rect(), Qt::AlignCenter,
                     caption_.isEmpty() ? tr("No front designs to show") : caption_);
    return;
  }
  auto polyline = [&](std::size_t line) {
    QPainterPath path;
    bool drawing = false;
    for (std::size_t a = 0; a < model_.axes.size(); ++a) {
      const std::optional<QPointF> p = pointOf(line, a);
      if (!p) {
        drawing = false;
        continue;
      }
      drawing ? path.lineTo(*p) : path.moveTo(*p);
      drawing = true;
    }
    return path;
  };
  // Lines: fainter the more there are, so that dense bundles read as density.
  const std::size_t lines = model_.designs.size();
  const int alpha = lines < 50 ? 200 : lines < 300 ? 120 : lines < 1500 ? 60 : 30;
  for (std::size_t line = 0; line < lines; ++line) {
    QColor colour = lineColour(line);
    colour.setAlpha(alpha);
    painter.setPen(QPen(colour, 1.2));
    painter.drawPath(polyline(line));
  }
  auto emphasise = [&](std::size_t design, const QColor& colour, double width) {
    const auto it = std::find(model_.designs.begin(), model_.designs.end(), design);
    if (it == model_.designs.end()) return;
    painter.setPen(QPen(colour, width));
    painter.drawPath(polyline(static_cast<std::size_t>(it - model_.designs.begin())));
  };
  for (std::size_t design : compared_) emphasise(design, palette::compared(), 2.6);
  if (selected_) emphasise(*selected_, palette::selection(), 3.2);

  // Axes with their names, ends and categories.
  const QFontMetricsF metrics(font());
  for (std::size_t a = 0; a < model_.axes.size(); ++a) {
    const ParallelAxis& axis = model_.axes[a];
    const double x = axisX(a);
    painter.setPen(QPen(QColor(60, 60, 60), 1.2));
    painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    QString name = qs(axis.field.name);
    if (axis.direction)
      name += axis.direction == store::Direction::minimize ? tr(" (min)") : tr(" (max)");
    else if (axis.log_scale)
      name += tr(" (log)");
    const double slot = model_.axes.size() > 1 ? area.width() / (model_.axes.size() - 1) : 200;
    // Names slant up to the right: many axes side by side keep every name whole.
    painter.save();
    painter.translate(x + 2, area.top() - 8);
    painter.rotate(-40);
    painter.setPen(QColor(20, 20, 20));
    painter.drawText(QPointF(0, 0), metrics.elidedText(name, Qt::ElideMiddle, kNameWidth));
    painter.restore();
    painter.setPen(QColor(90, 90, 90));
    auto label = [&](double y, const QString& text) {
      const QRectF box(x + 4, y - metrics.height() / 2, slot / 2 - 6, metrics.height());
      painter.drawText(box, Qt::AlignLeft | Qt::AlignVCenter,
                       metrics.elidedText(text, Qt::ElideRight, box.width()));
    };
    if (slot < 40) continue;  // too narrow for values: the axis's tooltip gives them
    if (!axis.categories.empty()) {
      const double steps = std::max<double>(1, static_cast<double>(axis.categories.size()) - 1);
      for (std::size_t c = 0; c < axis.categories.size(); ++c) {
        const double t = axis.categories.size() == 1 ? 0.5 : static_cast<double>(c) / steps;
        label(area.bottom() - t * area.height(), qs(axis.categories[c]));
      }
    } else {
      label(area.top(), qs(format_number(axis.high, 3)));
      label(area.bottom(), qs(format_number(axis.low, 3)));
    }
  }
  painter.setPen(QColor(70, 70, 70));
  painter.drawText(QRectF(8, area.bottom() + 14, width() - 16, 30),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, caption_);
}

std::optional<std::size_t> ParallelCoordinatesView::designAt(const QPointF& position) const {
  std::optional<std::size_t> nearest;
  double best = 36.0;  // within 6 pixels
  for (std::size_t line = 0; line < model_.designs.size(); ++line) {
    std::optional<QPointF> previous;
    for (std::size_t a = 0; a < model_.axes.size(); ++a) {
      const std::optional<QPointF> p = pointOf(line, a);
      if (p && previous) {
        const double distance = segmentDistance2(position, *previous, *p);
        if (distance < best) best = distance, nearest = model_.designs[line];
      }
      previous = p;
    }
  }
  return nearest;
}

void ParallelCoordinatesView::mouseMoveEvent(QMouseEvent* event) {
  QWidget::mouseMoveEvent(event);
  const QPointF position = event->position();
  // Near an axis: its range; near a line: its design (the window shows the design's tooltip).
  for (std::size_t a = 0; a < model_.axes.size(); ++a) {
    if (std::fabs(position.x() - axisX(a)) > 4) continue;
    const ParallelAxis& axis = model_.axes[a];
    QString text = qs(axis.field.name);
    if (!axis.categories.empty()) {
      QStringList names;
      for (const std::string& category : axis.categories) names << qs(category);
      text += tr(": %1 (bottom to top)").arg(names.join(QStringLiteral(", ")));
    } else {
      text += tr(": %1 (bottom) to %2 (top)%3")
                  .arg(qs(format_number(axis.low)), qs(format_number(axis.high)),
                       axis.log_scale ? tr(", log scale") : QString());
    }
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
    return;
  }
  const std::optional<std::size_t> design = designAt(position);
  if (design != hovered_) {
    if (hovered_) emit designHovered(*hovered_, false);
    hovered_ = design;
    if (hovered_) emit designHovered(*hovered_, true);
  }
}

void ParallelCoordinatesView::mouseReleaseEvent(QMouseEvent* event) {
  QWidget::mouseReleaseEvent(event);
  if (event->button() != Qt::LeftButton) return;
  if (auto design = designAt(event->position()))
    emit designClicked(*design, event->modifiers() & Qt::ControlModifier);
}

}  // namespace accelscope::gui
