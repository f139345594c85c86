// The selected design: every parameter and metric in a tree, and charts of its stored breakdown
// (latency and energy by layer, conv vs non-conv, energy and area by component).
#pragma once

#include <QLabel>
#include <QPushButton>
#include <QString>
#include <QStringList>
#include <QTreeWidget>
#include <QWidget>
#include <optional>

#include "gui/core/breakdown.hpp"
#include "gui/core/study_data.hpp"

class QComboBox;
class QVBoxLayout;
class QChartView;

namespace accelscope::gui {

class DesignDetailPane : public QWidget {
  Q_OBJECT

 public:
  explicit DesignDetailPane(QWidget* parent = nullptr);

  void showDesign(const StudyData& study, std::size_t design);
  void clear(
      const QString& message = QStringLiteral("Click a design in the chart to see it here."));

  QString title() const { return title_->text(); }
  QTreeWidget* tree() const { return tree_; }
  // The value shown for a parameter or metric name; empty if absent.
  QString valueOf(const QString& name) const;
  std::optional<store::TrialId> trial() const { return trial_; }

 signals:
  void compareRequested();

 private:
  QLabel* title_;
  QTreeWidget* tree_;
  QPushButton* compare_button_;
  std::optional<store::TrialId> trial_;
};

class BreakdownPane : public QWidget {
  Q_OBJECT

 public:
  explicit BreakdownPane(QWidget* parent = nullptr);

  // note: shown above the charts (e.g. why only component splits are available).
  void showBreakdown(const BreakdownView& view, const QString& note);
  void clear(const QString& message);

  QString message() const { return message_->text(); }
  QStringList chartTitles() const;
  int chartCount() const { return static_cast<int>(charts_.size()); }
  QStringList workloads() const;
  void setWorkload(int index);

 private:
  void rebuildCharts();
  void addChart(QChartView* view);

  QLabel* message_;
  QLabel* layers_info_;
  QComboBox* workload_;
  QWidget* charts_host_;
  QVBoxLayout* charts_layout_;
  std::vector<QChartView*> charts_;
  BreakdownView view_;
};

}  // namespace accelscope::gui
