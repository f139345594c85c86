// The design-space scatter chart: one series per colour group, faded infeasible designs, the 2-D
// front as a line with highlighted markers, the study's stored front as rings, overlaid fronts of
// other studies, and the selected and compared designs. Hover and click map back to designs.
#pragma once

#include <QChartView>
#include <QHash>
#include <QImage>
#include <QList>
#include <QPointF>
#include <QScatterSeries>
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
  // The legend as rich text (coloured symbols and names) for a wrapping label under the chart.
  QString legendHtml() const;
  // The series a design is drawn in and its point: what a click on it would report.
  std::optional<std::pair<QXYSeries*, QPointF>> locate(std::size_t design) const;
  bool xLogarithmic() const;
  // Series with at least this many points are drawn with light markers (painted, not one
  // graphics item per point). Tests lower it to cover both paths.
  static void setLightMarkerThreshold(int points);
  // Plots of at least this many designs draw them as a density layer (one image, binned by
  // pixel) instead of markers; the 2-D front, the study front, overlays and the selection stay
  // exact markers. Tests lower it to cover both paths.
  static void setDensityThreshold(std::size_t points);
  bool densityMode() const { return density_mode_; }
  // Drawn designs beyond the axes' ranges (a long tail of the feasible designs, or infeasible
  // outliers; see axisRange in the .cpp): zoom out or filter to see them.
  std::size_t pointsOutsideAxes() const { return outside_axes_; }
  bool yLogarithmic() const;

 signals:
  void designClicked(std::size_t design, bool toggle_compare);
  void designHovered(std::size_t design, bool entered);
  void legendChanged();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void drawBackground(QPainter* painter, const QRectF& rect) override;

 private:
  void addDesignSeries(QXYSeries* series, const std::vector<PlotPoint>& points);
  std::optional<std::size_t> designAt(QXYSeries* series, const QPointF& point) const;
  struct LegendEntry {
    QString symbol;  // rich text
    QString name;
  };
  // Adds the series on the current axes; with a symbol, it gets a legend entry.
  void attach(QAbstractSeries* series, const QString& legend_symbol = {},
              std::vector<LegendEntry>* legend = nullptr);
  static QString symbol(const QString& glyph, const QColor& colour);
  static QImage markerImage(const QScatterSeries* series);
  // Scene position of a data point on the current axes (nullopt off a log axis's domain).
  std::optional<QPointF> scenePosition(double x, double y) const;
  std::optional<std::size_t> nearestDesign(const QPointF& scene_point) const;
  static int light_marker_threshold_;
  static std::size_t density_threshold_;

  struct DensityPoint {
    double x = 0, y = 0;
    QRgb colour = 0;
  };
  bool density_mode_ = false;
  std::vector<DensityPoint> density_points_;
  QImage density_image_;
  QString density_key_;  // plot area and axis ranges the image was drawn for
  QPoint press_position_;

  QHash<QXYSeries*, std::vector<std::size_t>> designs_of_;
  std::vector<LegendEntry> legend_;            // of the plot
  std::vector<LegendEntry> highlight_legend_;  // of the selection and comparison
  QXYSeries* front_line_ = nullptr;
  QXYSeries* stored_front_ = nullptr;
  QXYSeries* selection_ = nullptr;
  QXYSeries* compare_ = nullptr;
  QAbstractAxis* x_axis_ = nullptr;
  QAbstractAxis* y_axis_ = nullptr;
  std::vector<PlotPoint> all_points_;  // every drawn design, for highlights
  int design_points_ = 0;
  std::size_t outside_axes_ = 0;
  int overlays_ = 0;
};

}  // namespace accelscope::gui
