// Live filters: each row bounds one metric or parameter (min and/or max, with a slider over the
// study's range for the max). Every edit emits changed() so the chart and its front update.
#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "gui/core/plot_model.hpp"

class QVBoxLayout;
class QComboBox;
class QCheckBox;
class QDoubleSpinBox;
class QSlider;
class QPushButton;

namespace accelscope::gui {

class ConstraintRow;

class ConstraintPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ConstraintPanel(QWidget* parent = nullptr);

  // The fields to offer and their ranges; rows whose field still exists keep their bounds.
  void setStudy(const StudyData* study);
  std::vector<Constraint> constraints() const;
  // Adds a row; returns its index. Bounds left empty are off.
  int addConstraint(const FieldId& field, std::optional<double> min = std::nullopt,
                    std::optional<double> max = std::nullopt);
  void setBounds(int row, std::optional<double> min, std::optional<double> max);
  // Moves a row's max slider to `position` in [0, 1000] (as a user dragging it would).
  void setSliderPosition(int row, int position);
  void removeConstraint(int row);
  void clear();
  int rowCount() const { return static_cast<int>(rows_.size()); }

 signals:
  void changed();

 private:
  const StudyData* study_ = nullptr;
  std::vector<ConstraintRow*> rows_;
  QVBoxLayout* rows_layout_;
  QPushButton* add_;
};

// One constraint row (internal to the panel; a class so that it can own its widgets' state).
class ConstraintRow : public QWidget {
  Q_OBJECT

 public:
  ConstraintRow(const StudyData& study, const FieldId& field, QWidget* parent);
  Constraint constraint() const;
  void setStudy(const StudyData& study);
  void setBounds(std::optional<double> min, std::optional<double> max);
  void setSliderPosition(int position);

 signals:
  void changed();
  void removeRequested();

 private:
  void fillFields(const StudyData& study, const FieldId& selected);
  void applyRange();  // spin ranges and decimals from the field's range
  void syncSliderFromMax();
  double sliderToValue(int position) const;
  int valueToSlider(double value) const;
  FieldId currentField() const;

  QComboBox* field_;
  QCheckBox* use_min_;
  QDoubleSpinBox* min_;
  QCheckBox* use_max_;
  QDoubleSpinBox* max_;
  QSlider* slider_;
  double low_ = 0;
  double high_ = 1;
  bool log_slider_ = false;
  const StudyData* study_ = nullptr;
};

}  // namespace accelscope::gui
