#include "gui/widgets/scatter_chart.hpp"

#include <QApplication>
#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPainter>
#include <QScatterSeries>
#include <QValueAxis>
#include <QWheelEvent>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "gui/widgets/palette.hpp"
#include "reports/charts.hpp"

namespace accelscope::gui {

int ScatterChartView::light_marker_threshold_ = 1500;
std::size_t ScatterChartView::density_threshold_ = 20000;

namespace {

QScatterSeries* scatter(const QString& name, const QColor& fill, const QPen& pen, double size,
                        QScatterSeries::MarkerShape shape = QScatterSeries::MarkerShapeCircle) {
  auto* series = new QScatterSeries;
  series->setName(name);
  series->setMarkerShape(shape);
  series->setMarkerSize(size);
  series->setBrush(fill.alpha() == 0 ? QBrush(Qt::NoBrush) : QBrush(fill));
  series->setPen(pen);
  return series;
}

QList<QPointF> toPoints(const std::vector<PlotPoint>& points) {
  QList<QPointF> out;
  out.reserve(static_cast<qsizetype>(points.size()));
  for (const PlotPoint& p : points) out.append(QPointF(p.x, p.y));
  return out;
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool valid() const { return low <= high; }
};

// A log axis only where the shown values span enough to need one (the report's rule,
// reports::prefers_log_scale: all positive, more than 10x): a narrow range, e.g. under a
// constraint, would get one label or none at powers of the base.
bool logScaleFits(const Range& range) {
  return range.valid() && reports::prefers_log_scale({range.low, range.high});
}

QAbstractAxis* makeAxis(const Range& range, bool log_scale, const QString& title) {
  if (log_scale && logScaleFits(range)) {
    auto* axis = new QLogValueAxis;
    axis->setLabelFormat("%g");
    axis->setMinorTickCount(-1);
    // Labels sit at powers of the base only: under three decades base 10 leaves two or three
    // labels, so the axis is labelled every doubling (4 to 10 labels) until the range is wide
    // enough for one per decade.
    axis->setBase(range.high / range.low < 1000 ? 2 : 10);
    const double low = range.low / 1.15, high = range.high * 1.15;
    axis->setRange(low, high);
    axis->setTitleText(title);
    return axis;
  }
  auto* axis = new QValueAxis;
  axis->setLabelFormat("%.4g");
  if (range.valid()) {
    const double span = range.high - range.low;
    const double pad = span > 0 ? span * 0.05 : std::max(std::fabs(range.low) * 0.1, 1.0);
    // Non-negative quantities (most metrics) should not get a negative axis.
    double low = range.low >= 0 ? std::max(0.0, range.low - pad) : range.low - pad;
    double high = range.high + pad;
    // Ticks at the report's round values (reports::axis_ticks), the range widened to the next
    // tick on each side but not to zero: a front far from zero keeps the height of the chart.
    const std::vector<double> ticks = reports::axis_ticks(low, high, false, 5);
    if (ticks.size() >= 2) {
      const double step = ticks[1] - ticks[0];
      low = std::floor(low / step + 1e-9) * step;
      high = std::ceil(high / step - 1e-9) * step;
      axis->setTickCount(static_cast<int>(std::lround((high - low) / step)) + 1);
    }
    axis->setRange(low, high);
  }
  axis->setTitleText(log_scale ? title + QObject::tr("  [linear: values span under 10x]") : title);
  return axis;
}

// The axis range: what matters is the feasible designs and the fronts, not infeasible outliers
// (a datacenter study's slowest infeasible designs would otherwise squeeze the front into a
// corner). Long tails of the feasible designs are cut too: the range covers the fronts entirely
// and the feasible designs up to their 98th percentile, or everything when that is not much more.
Range axisRange(std::vector<double> feasible, const std::vector<double>& fronts,
                const std::vector<double>& infeasible, bool log_scale) {
  Range range;
  for (double v : fronts) range.add(v);
  if (feasible.empty()) {
    for (double v : infeasible) range.add(v);
    return range;
  }
  Range all = range;
  for (double v : feasible) all.add(v);
  constexpr double kKeptShare = 0.98;
  const std::size_t n = feasible.size();
  const auto at = [&](double share) {
    const auto k = static_cast<std::size_t>(share * static_cast<double>(n - 1));
    std::nth_element(feasible.begin(), feasible.begin() + static_cast<std::ptrdiff_t>(k),
                     feasible.end());
    return feasible[k];
  };
  Range kept = range;
  if (n >= 50) {
    kept.add(at(1 - kKeptShare));
    kept.add(at(kKeptShare));
  } else {
    kept = all;
  }
  // Cut only a tail that would take most of the axis (a factor of 2 in span, on the axis's
  // scale): otherwise show every feasible design.
  auto span = [&](const Range& r) {
    return log_scale && r.low > 0 ? std::log(r.high / r.low) : r.high - r.low;
  };
  return span(all) > 2 * span(kept) ? kept : all;
}

std::pair<double, double> axisBounds(const QAbstractAxis* axis) {
  if (const auto* log_axis = qobject_cast<const QLogValueAxis*>(axis))
    return {log_axis->min(), log_axis->max()};
  if (const auto* value_axis = qobject_cast<const QValueAxis*>(axis))
    return {value_axis->min(), value_axis->max()};
  return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
}

}  // namespace

ScatterChartView::ScatterChartView(QWidget* parent) : QChartView(new QChart, parent) {
  setRenderHint(QPainter::Antialiasing);
  // A wrapping HTML legend below the chart (legendHtml) reads better than QChart's, which
  // elides entries when there are many colour groups.
  chart()->legend()->hide();
  chart()->setMargins(QMargins(4, 4, 4, 4));
  chart()->setAnimationOptions(QChart::NoAnimation);
  setMinimumSize(360, 280);
}

void ScatterChartView::attach(QAbstractSeries* series, const QString& legend_symbol,
                              std::vector<LegendEntry>* legend) {
  chart()->addSeries(series);
  series->attachAxis(x_axis_);
  series->attachAxis(y_axis_);
  if (!legend_symbol.isEmpty() && legend) legend->push_back({legend_symbol, series->name()});
}

QString ScatterChartView::symbol(const QString& glyph, const QColor& colour) {
  return QStringLiteral("<span style=\"color:%1; font-size:large\">%2</span>")
      .arg(colour.name(QColor::HexRgb), glyph);
}

// A marker drawn once and stamped at every point: Qt Charts then paints the series directly
// instead of keeping one graphics item per point, which is what makes tens of thousands of
// designs usable (load, live refresh, filters).
QImage ScatterChartView::markerImage(const QScatterSeries* series) {
  const double size = series->markerSize();
  const qreal ratio = 2.0;  // sharp on high-DPI screens
  QImage image(QSize(int(std::ceil(size * ratio)), int(std::ceil(size * ratio))),
               QImage::Format_ARGB32_Premultiplied);
  image.setDevicePixelRatio(ratio);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(series->pen());
  painter.setBrush(series->brush());
  const double inset = std::max(series->pen().widthF(), 1.0) / 2;
  painter.drawEllipse(QRectF(inset, inset, size - 2 * inset, size - 2 * inset));
  return image;
}

void ScatterChartView::setLightMarkerThreshold(int points) {
  light_marker_threshold_ = points;
}

void ScatterChartView::setDensityThreshold(std::size_t points) {
  density_threshold_ = points;
}

void ScatterChartView::addDesignSeries(QXYSeries* series, const std::vector<PlotPoint>& points) {
  series->replace(toPoints(points));
  auto* scatter_series = qobject_cast<QScatterSeries*>(series);
  if (scatter_series && static_cast<int>(points.size()) >= light_marker_threshold_ &&
      scatter_series->markerShape() == QScatterSeries::MarkerShapeCircle) {
    series->setLightMarker(markerImage(scatter_series));
  }
  std::vector<std::size_t> designs;
  designs.reserve(points.size());
  for (const PlotPoint& p : points) designs.push_back(p.design);
  designs_of_.insert(series, std::move(designs));
  if (density_mode_) {
    // Clicks go to the nearest design of the whole plot (mouseReleaseEvent); hover still works.
    connect(series, &QXYSeries::hovered, this, [this, series](const QPointF& point, bool state) {
      if (auto design = designAt(series, point)) emit designHovered(*design, state);
    });
    return;
  }
  connect(series, &QXYSeries::clicked, this, [this, series](const QPointF& point) {
    if (auto design = designAt(series, point)) {
      const bool toggle = QApplication::keyboardModifiers() & Qt::ControlModifier;
      emit designClicked(*design, toggle);
    }
  });
  connect(series, &QXYSeries::hovered, this, [this, series](const QPointF& point, bool state) {
    if (auto design = designAt(series, point)) emit designHovered(*design, state);
  });
}

std::optional<std::size_t> ScatterChartView::designAt(QXYSeries* series,
                                                      const QPointF& point) const {
  const auto it = designs_of_.find(series);
  if (it == designs_of_.end() || it->empty()) return std::nullopt;
  const std::vector<std::size_t>& designs = *it;
  // The series reports its own data point; fall back to the nearest on screen.
  const QList<QPointF> points = series->points();
  std::optional<std::size_t> nearest;
  double best = std::numeric_limits<double>::infinity();
  const QPointF target = chart()->mapToPosition(point, series);
  for (qsizetype i = 0; i < points.size() && i < static_cast<qsizetype>(designs.size()); ++i) {
    if (points[i] == point) return designs[static_cast<std::size_t>(i)];
    const QPointF delta = chart()->mapToPosition(points[i], series) - target;
    const double distance = QPointF::dotProduct(delta, delta);
    if (distance < best) best = distance, nearest = designs[static_cast<std::size_t>(i)];
  }
  return best <= 100.0 ? nearest : std::nullopt;  // within 10 pixels
}

void ScatterChartView::setPlot(const PlotModel& model, const PlotRequest& request,
                               const ChartLabels& labels, const std::vector<OverlayFront>& overlays,
                               bool show_stored_front) {
  QChart* c = chart();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  designs_of_.clear();
  legend_.clear();
  highlight_legend_.clear();
  front_line_ = stored_front_ = selection_ = compare_ = nullptr;
  all_points_.clear();
  design_points_ = 0;
  overlays_ = 0;
  density_mode_ = model.shown >= density_threshold_;
  density_points_.clear();
  density_key_.clear();
  // Without backgrounds of their own the chart items let drawBackground's density layer show.
  chart()->setBackgroundVisible(!density_mode_);
  chart()->setPlotAreaBackgroundVisible(false);

  std::vector<double> feasible_x, feasible_y, front_x, front_y, infeasible_x, infeasible_y;
  for (const ColourGroup& group : model.groups) {
    for (const PlotPoint& p : group.points) feasible_x.push_back(p.x), feasible_y.push_back(p.y);
  }
  for (const PlotPoint& p : model.front) front_x.push_back(p.x), front_y.push_back(p.y);
  for (const PlotPoint& p : model.stored_front) front_x.push_back(p.x), front_y.push_back(p.y);
  for (const OverlayFront& overlay : overlays) {
    for (const QPointF& p : overlay.points) front_x.push_back(p.x()), front_y.push_back(p.y());
  }
  for (const PlotPoint& p : model.infeasible)
    infeasible_x.push_back(p.x), infeasible_y.push_back(p.y);
  x_axis_ = makeAxis(axisRange(std::move(feasible_x), front_x, infeasible_x, request.x_log),
                     request.x_log, labels.x_title);
  y_axis_ = makeAxis(axisRange(std::move(feasible_y), front_y, infeasible_y, request.y_log),
                     request.y_log, labels.y_title);
  c->addAxis(x_axis_, Qt::AlignBottom);
  c->addAxis(y_axis_, Qt::AlignLeft);
  outside_axes_ = 0;
  {
    const auto [x_low, x_high] = axisBounds(x_axis_);
    const auto [y_low, y_high] = axisBounds(y_axis_);
    auto count = [&](const std::vector<PlotPoint>& points) {
      for (const PlotPoint& p : points)
        outside_axes_ += p.x < x_low || p.x > x_high || p.y < y_low || p.y > y_high;
    };
    for (const ColourGroup& group : model.groups) count(group.points);
    count(model.infeasible);
  }

  if (!model.infeasible.empty()) {
    const QString name = QStringLiteral("infeasible (%1)").arg(model.infeasible.size());
    if (density_mode_) {
      for (const PlotPoint& p : model.infeasible)
        density_points_.push_back({p.x, p.y, qRgb(175, 175, 175)});
      legend_.push_back({symbol(QStringLiteral("▒"), QColor(170, 170, 170)), name});
    } else {
      auto* series =
          scatter(name, palette::infeasible(), QPen(QColor(120, 120, 120, 110), 0.8), 6.0);
      addDesignSeries(series, model.infeasible);
      attach(series, symbol(QStringLiteral("●"), QColor(170, 170, 170)), &legend_);
    }
  }
  const bool colour_by_category = !labels.colour_title.isEmpty() && !model.colour_numeric;
  // Dense plots: smaller, more transparent markers so that colour groups drawn later do not
  // bury the earlier ones.
  const std::size_t drawn = model.shown;
  const double marker_size = drawn < 1000 ? 8.0 : drawn < 5000 ? 6.5 : 5.0;
  const int alpha = drawn < 1000 ? 200 : drawn < 5000 ? 170 : 130;
  for (std::size_t g = 0; g < model.groups.size(); ++g) {
    const ColourGroup& group = model.groups[g];
    QColor colour = labels.colour_title.isEmpty() ? palette::single()
                    : group.position < 0          ? QColor(170, 170, 170)
                    : colour_by_category          ? palette::category(g)
                                                  : palette::scale(group.position);
    colour.setAlpha(alpha);
    QString name = QString::fromStdString(group.label);
    if (!labels.colour_title.isEmpty() && g == 0) name = labels.colour_title + ": " + name;
    if (density_mode_) {
      colour.setAlpha(255);
      for (const PlotPoint& p : group.points) density_points_.push_back({p.x, p.y, colour.rgb()});
      legend_.push_back({symbol(QStringLiteral("▒"), colour),
                         QStringLiteral("%1 (%2, density)").arg(name).arg(group.points.size())});
      continue;
    }
    auto* series = scatter(name, colour, QPen(colour.darker(130), 0.6), marker_size);
    addDesignSeries(series, group.points);
    colour.setAlpha(255);
    attach(series, symbol(QStringLiteral("●"), colour), &legend_);
  }
  for (const ColourGroup& group : model.groups)
    all_points_.insert(all_points_.end(), group.points.begin(), group.points.end());
  all_points_.insert(all_points_.end(), model.infeasible.begin(), model.infeasible.end());
  design_points_ = static_cast<int>(all_points_.size());

  if (show_stored_front && !model.stored_front.empty()) {
    auto* series =
        scatter(QStringLiteral("study front, all objectives (%1)").arg(model.stored_front.size()),
                QColor(0, 0, 0, 0), QPen(QColor(40, 40, 40, 150), 1.0), 11.0);
    addDesignSeries(series, model.stored_front);
    stored_front_ = series;
    attach(series, symbol(QStringLiteral("○"), QColor(40, 40, 40)), &legend_);
  }

  for (std::size_t o = 0; o < overlays.size(); ++o) {
    const OverlayFront& overlay = overlays[o];
    const QColor colour = palette::category(o + 3);
    auto* line = new QLineSeries;
    line->setName(QStringLiteral("front of %1 (%2)").arg(overlay.label).arg(overlay.points.size()));
    QPen pen(colour, 2.0, Qt::DashLine);
    line->setPen(pen);
    for (const QPointF& p : overlay.points) line->append(p);
    attach(line, symbol(QStringLiteral("╌▲╌"), colour), &legend_);
    auto* markers = scatter(QString(), colour, QPen(colour.darker(140), 0.8), 9.0,
                            QScatterSeries::MarkerShapeTriangle);
    markers->replace(QList<QPointF>(overlay.points.begin(), overlay.points.end()));
    attach(markers);
    ++overlays_;
  }

  if (!model.front.empty()) {
    auto* line = new QLineSeries;
    line->setName(QStringLiteral("2-D front (%1)").arg(model.front.size()));
    line->setPen(QPen(palette::front(), 2.2));
    line->replace(toPoints(model.front));
    front_line_ = line;
    attach(line, symbol(QStringLiteral("━●━"), palette::front()), &legend_);
    auto* markers =
        scatter(QString(), palette::front(), QPen(palette::front().darker(150), 1.0), 10.0);
    addDesignSeries(markers, model.front);
    attach(markers);
  }
  emit legendChanged();
}

void ScatterChartView::setHighlights(std::optional<std::size_t> selected,
                                     const std::vector<std::size_t>& compared) {
  highlight_legend_.clear();
  for (QXYSeries** series : {&selection_, &compare_}) {
    if (*series) {
      designs_of_.remove(*series);
      chart()->removeSeries(*series);
      delete *series;
      *series = nullptr;
    }
  }
  if (!x_axis_ || !y_axis_) return;
  auto pointsOf = [&](auto&& wanted) {
    std::vector<PlotPoint> out;
    for (const PlotPoint& p : all_points_) {
      if (wanted(p.design)) out.push_back(p);
    }
    return out;
  };
  const std::vector<PlotPoint> compare_points = pointsOf([&](std::size_t d) {
    return std::find(compared.begin(), compared.end(), d) != compared.end();
  });
  if (!compare_points.empty()) {
    auto* series = scatter(QStringLiteral("compared (%1)").arg(compare_points.size()),
                           QColor(0, 0, 0, 0), QPen(palette::compared(), 2.4), 16.0);
    addDesignSeries(series, compare_points);
    compare_ = series;
    attach(series, symbol(QStringLiteral("◯"), palette::compared()), &highlight_legend_);
  }
  const std::vector<PlotPoint> selected_points =
      pointsOf([&](std::size_t d) { return selected && d == *selected; });
  if (!selected_points.empty()) {
    auto* series = scatter(QStringLiteral("selected"), QColor(0, 0, 0, 0),
                           QPen(palette::selection(), 3.0), 20.0);
    addDesignSeries(series, {selected_points.front()});
    selection_ = series;
    attach(series, symbol(QStringLiteral("◯"), palette::selection()), &highlight_legend_);
  }
  emit legendChanged();
}

int ScatterChartView::designPointCount() const {
  return design_points_;
}

QList<QPointF> ScatterChartView::frontLine() const {
  return front_line_ ? front_line_->points() : QList<QPointF>{};
}

QList<QPointF> ScatterChartView::storedFrontPoints() const {
  return stored_front_ ? stored_front_->points() : QList<QPointF>{};
}

int ScatterChartView::overlayCount() const {
  return overlays_;
}

QStringList ScatterChartView::legendNames() const {
  QStringList names;
  for (const auto* entries : {&legend_, &highlight_legend_}) {
    for (const LegendEntry& entry : *entries) names << entry.name;
  }
  return names;
}

QString ScatterChartView::legendHtml() const {
  QStringList items;
  for (const auto* entries : {&legend_, &highlight_legend_}) {
    for (const LegendEntry& entry : *entries) {
      items << QStringLiteral("<span style=\"white-space:nowrap\">%1&nbsp;%2</span>")
                   .arg(entry.symbol, entry.name.toHtmlEscaped()
                                          .replace(QStringLiteral(" "), QStringLiteral("&nbsp;"))
                                          .replace(QStringLiteral("-"), QStringLiteral("&#8209;")));
    }
  }
  return items.join(QStringLiteral(" &nbsp;&nbsp; "));
}

std::optional<std::pair<QXYSeries*, QPointF>> ScatterChartView::locate(std::size_t design) const {
  for (auto it = designs_of_.begin(); it != designs_of_.end(); ++it) {
    if (it.key() == selection_ || it.key() == compare_ || it.key() == stored_front_) continue;
    const auto found = std::find(it->begin(), it->end(), design);
    if (found != it->end()) {
      return std::make_pair(it.key(), it.key()->at(static_cast<qsizetype>(found - it->begin())));
    }
  }
  return std::nullopt;
}

bool ScatterChartView::xLogarithmic() const {
  return qobject_cast<QLogValueAxis*>(x_axis_);
}
bool ScatterChartView::yLogarithmic() const {
  return qobject_cast<QLogValueAxis*>(y_axis_);
}

void ScatterChartView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  chart()->zoom(std::pow(1.25, steps));
  event->accept();
}

void ScatterChartView::mouseDoubleClickEvent(QMouseEvent* event) {
  chart()->zoomReset();
  QChartView::mouseDoubleClickEvent(event);
}

void ScatterChartView::mousePressEvent(QMouseEvent* event) {
  press_position_ = event->position().toPoint();
  QChartView::mousePressEvent(event);
}

void ScatterChartView::mouseReleaseEvent(QMouseEvent* event) {
  QChartView::mouseReleaseEvent(event);
  if (!density_mode_ || event->button() != Qt::LeftButton ||
      (event->position().toPoint() - press_position_).manhattanLength() > 4)
    return;
  if (auto design = nearestDesign(mapToScene(event->position().toPoint()))) {
    emit designClicked(*design, event->modifiers() & Qt::ControlModifier);
  }
}

std::optional<QPointF> ScatterChartView::scenePosition(double x, double y) const {
  const QRectF area = chart()->mapToScene(chart()->plotArea()).boundingRect();
  auto fraction = [](const QAbstractAxis* axis, double value) -> std::optional<double> {
    if (const auto* log_axis = qobject_cast<const QLogValueAxis*>(axis)) {
      if (value <= 0 || log_axis->min() <= 0) return std::nullopt;
      const double low = std::log(log_axis->min()), high = std::log(log_axis->max());
      return high > low ? (std::log(value) - low) / (high - low) : 0.5;
    }
    const auto* value_axis = qobject_cast<const QValueAxis*>(axis);
    if (!value_axis) return std::nullopt;
    const double low = value_axis->min(), high = value_axis->max();
    return high > low ? (value - low) / (high - low) : 0.5;
  };
  const std::optional<double> fx = fraction(x_axis_, x), fy = fraction(y_axis_, y);
  if (!fx || !fy) return std::nullopt;
  return QPointF(area.left() + *fx * area.width(), area.bottom() - *fy * area.height());
}

std::optional<std::size_t> ScatterChartView::nearestDesign(const QPointF& scene_point) const {
  std::optional<std::size_t> nearest;
  double best = 100.0;  // within 10 pixels
  for (const PlotPoint& p : all_points_) {
    const std::optional<QPointF> position = scenePosition(p.x, p.y);
    if (!position) continue;
    const QPointF delta = *position - scene_point;
    const double distance = QPointF::dotProduct(delta, delta);
    if (distance < best) best = distance, nearest = p.design;
  }
  return nearest;
}

// The density layer: every design binned into the pixel it falls on, each pixel coloured by the
// mean colour of its designs and more opaque the more it holds (logarithmically). Redrawn only
// when the plot area or an axis range changes (zoom, resize), so hovering stays fast.
void ScatterChartView::drawBackground(QPainter* painter, const QRectF& rect) {
  QChartView::drawBackground(painter, rect);
  if (!density_mode_ || !x_axis_ || !y_axis_) return;
  const QRectF area = chart()->mapToScene(chart()->plotArea()).boundingRect();
  painter->fillRect(mapToScene(viewport()->rect()).boundingRect(), Qt::white);
  auto range_of = [](const QAbstractAxis* axis) {
    if (const auto* log_axis = qobject_cast<const QLogValueAxis*>(axis))
      return QStringLiteral("%1:%2").arg(log_axis->min()).arg(log_axis->max());
    if (const auto* value_axis = qobject_cast<const QValueAxis*>(axis))
      return QStringLiteral("%1:%2").arg(value_axis->min()).arg(value_axis->max());
    return QString();
  };
  const QString key = QStringLiteral("%1,%2,%3,%4|%5|%6")
                          .arg(area.x())
                          .arg(area.y())
                          .arg(area.width())
                          .arg(area.height())
                          .arg(range_of(x_axis_), range_of(y_axis_));
  const int width = std::max(1, static_cast<int>(area.width()));
  const int height = std::max(1, static_cast<int>(area.height()));
  if (key != density_key_) {
    density_key_ = key;
    std::vector<std::uint32_t> count(static_cast<std::size_t>(width) * height, 0);
    std::vector<std::array<std::uint64_t, 3>> sum(count.size(), {0, 0, 0});
    for (const DensityPoint& p : density_points_) {
      const std::optional<QPointF> position = scenePosition(p.x, p.y);
      if (!position) continue;
      const int px = static_cast<int>(position->x() - area.left());
      const int py = static_cast<int>(position->y() - area.top());
      if (px < 0 || py < 0 || px >= width || py >= height) continue;
      const std::size_t i = static_cast<std::size_t>(py) * width + px;
      ++count[i];
      sum[i][0] += qRed(p.colour);
      sum[i][1] += qGreen(p.colour);
      sum[i][2] += qBlue(p.colour);
    }
    density_image_ = QImage(width, height, QImage::Format_ARGB32);
    density_image_.fill(Qt::transparent);
    for (int py = 0; py < height; ++py) {
      auto* line = reinterpret_cast<QRgb*>(density_image_.scanLine(py));
      for (int px = 0; px < width; ++px) {
        const std::size_t i = static_cast<std::size_t>(py) * width + px;
        if (count[i] == 0) continue;
        const int alpha = std::min(255, 90 + static_cast<int>(45 * std::log2(count[i])));
        line[px] =
            qRgba(static_cast<int>(sum[i][0] / count[i]), static_cast<int>(sum[i][1] / count[i]),
                  static_cast<int>(sum[i][2] / count[i]), alpha);
      }
    }
  }
  painter->drawImage(area.topLeft(), density_image_);
}

}  // namespace accelscope::gui
