// Parameter importance: which knobs move each objective (a table, parameters by decreasing
// importance, one column per objective, the share of the objective's variance each explains
// alone with the direction of its effect). Computed when shown, not on every refresh.
#pragma once

#include <QLabel>
#include <QTableWidget>
#include <QWidget>

#include "gui/core/importance.hpp"

namespace accelscope::gui {

class ImportancePane : public QWidget {
  Q_OBJECT

 public:
  explicit ImportancePane(QWidget* parent = nullptr);
  // The study changed: recomputed the next time the pane is shown (now if visible).
  void setStudy(const StudyData* study);
  QTableWidget* table() const { return table_; }
  QString caption() const { return caption_->text(); }
  const StudyImportance& importance() const { return importance_; }

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void recompute();

  const StudyData* study_ = nullptr;
  bool stale_ = true;
  StudyImportance importance_;
  QLabel* caption_;
  QTableWidget* table_;
};

}  // namespace accelscope::gui
