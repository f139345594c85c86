// The design-space scatter chart: one series per colour group, faded infeasible designs, the 2-D
// front as a line with highlighted markers, the study's stored front as rings, overlaid fronts of
// other studies, and the selected and compared designs. Hover and click map back to designs.
#pragma once

#include <QChartView>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QSet>
#include <QString>
#include <QXYSeries>
#include <optional>
#include <vector>

#include "gui/core/plot_model.hpp"

namespace accelscope::gui {

struct OverlayFront {
  QString label;
  std::vector<QPointF> points;  // sorted by x
};

struct ChartLabels {
  QString x_title;
  QString y_title;
  QString colour_title;  // empty: no colour field
};

class ScatterChartView : public QChartView {
  Q_OBJECT

 public:
  explicit ScatterChartView(QWidget* parent = nullptr);

  void setPlot(const PlotModel& model, const PlotRequest& request, const ChartLabels& labels,
               const std::vector<OverlayFront>& overlays, bool show_stored_front);
  // Rings around the selected design and the designs picked for comparison.
  void setHighlights(std::optional<std::size_t> selected, const std::vector<std::size_t>& compared);

  // For tests and the status line.
  int designPointCount() const;  // points of colour groups and infeasible designs
  QList<QPointF> frontLine() const;
  QList<QPointF> storedFrontPoints() const;
  int overlayCount() const;
  QStringList legendNames() const;
  // The series a design is drawn in and its point: what a click on it would report.
  std::optional<std::pair<QXYSeries*, QPointF>> locate(std::size_t design) const;
  bool xLogarithmic() const;
  bool yLogarithmic() const;

 signals:
  void designClicked(std::size_t design, bool toggle_compare);
  void designHovered(std::size_t design, bool entered);

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  void addDesignSeries(QXYSeries* series, const std::vector<PlotPoint>& points);
  std::optional<std::size_t> designAt(QXYSeries* series, const QPointF& point) const;
  void attach(QAbstractSeries* series, bool in_legend = true);

  QHash<QXYSeries*, std::vector<std::size_t>> designs_of_;
  QSet<QAbstractSeries*> hidden_from_legend_;
  QXYSeries* front_line_ = nullptr;
  QXYSeries* stored_front_ = nullptr;
  QXYSeries* selection_ = nullptr;
  QXYSeries* compare_ = nullptr;
  QAbstractAxis* x_axis_ = nullptr;
  QAbstractAxis* y_axis_ = nullptr;
  std::vector<PlotPoint> all_points_;  // every drawn design, for highlights
  int design_points_ = 0;
  int overlays_ = 0;
};

}  // namespace accelscope::gui
