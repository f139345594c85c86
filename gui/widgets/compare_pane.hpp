// Designs side by side: one column per picked design, one row per parameter (first) and metric,
// the best value of each metric with a known direction in bold; every design column stays in view
// (long row labels are elided instead).
#pragma once

#include <QPushButton>
#include <QTableWidget>
#include <QWidget>
#include <vector>

#include "gui/core/study_data.hpp"

namespace accelscope::gui {

class ComparePane : public QWidget {
  Q_OBJECT

 public:
  explicit ComparePane(QWidget* parent = nullptr);

  // The study the indices refer to; a different study clears the selection, the same one
  // (grown, or re-read) keeps the designs by id.
  void setStudy(const StudyData* study, bool same_study);
  void add(std::size_t design);
  void toggle(std::size_t design);
  void clear();
  const std::vector<std::size_t>& designs() const { return designs_; }
  QTableWidget* table() const { return table_; }
  // Row label -> cells, for tests.
  QStringList rowValues(const QString& label) const;

 signals:
  void changed();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rebuild();
  void fitColumns();
  void setDesigns(std::vector<std::size_t> designs);  // indices into study_, ids_ follow

  const StudyData* study_ = nullptr;
  std::vector<std::size_t> designs_;  // into study_->designs()
  std::vector<store::TrialId> ids_;   // the same designs by id
  QTableWidget* table_;
  QPushButton* remove_;
  QPushButton* clear_;
};

}  // namespace accelscope::gui
