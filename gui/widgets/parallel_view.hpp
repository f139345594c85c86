// Parallel coordinates: one vertical axis per objective and varying parameter, one line per
// design (the study's front under the current constraints), coloured by the first axis; the
// selected and compared designs drawn on top. Painted directly (a front of thousands of lines
// stays fast); a click selects the nearest line, Ctrl+click adds it to the comparison.
#pragma once

#include <QColor>
#include <QWidget>
#include <optional>
#include <vector>

#include "gui/core/parallel.hpp"

namespace accelscope::gui {

class ParallelCoordinatesView : public QWidget {
  Q_OBJECT

 public:
  explicit ParallelCoordinatesView(QWidget* parent = nullptr);

  void setModel(ParallelModel model, const QString& caption);
  void setHighlights(std::optional<std::size_t> selected, const std::vector<std::size_t>& compared);
  const ParallelModel& model() const { return model_; }
  QString caption() const { return caption_; }
  // The design whose line passes nearest to a point of the widget (within 6 pixels).
  std::optional<std::size_t> designAt(const QPointF& position) const;
  // Where a design's line crosses an axis, in widget coordinates (for tests).
  std::optional<QPointF> pointOf(std::size_t line, std::size_t axis) const;

 signals:
  void designClicked(std::size_t design, bool toggle_compare);
  void designHovered(std::size_t design, bool entered);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  QRectF plotArea() const;
  double axisX(std::size_t axis) const;
  QColor lineColour(std::size_t line) const;

  ParallelModel model_;
  QString caption_;
  std::optional<std::size_t> selected_;
  std::vector<std::size_t> compared_;
  std::optional<std::size_t> hovered_;
};

}  // namespace accelscope::gui
