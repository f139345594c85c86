#include "gui/widgets/constraint_panel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

namespace accelscope::gui {

namespace {

constexpr int kSliderSteps = 1000;

int decimalsFor(double low, double high) {
  const double magnitude = std::max(std::fabs(low), std::fabs(high));
  if (!(magnitude > 0)) return 2;
  const int digits = static_cast<int>(std::floor(std::log10(magnitude)));
  return std::clamp(3 - digits, 0, 8);
}

}  // namespace

// --- ConstraintRow -------------------------------------------------------------------------------

ConstraintRow::ConstraintRow(const StudyData& study, const FieldId& field, QWidget* parent)
    : QWidget(parent), study_(&study) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(2, 4, 2, 4);
  grid->setHorizontalSpacing(4);
  grid->setVerticalSpacing(2);
  field_ = new QComboBox(this);
  field_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  field_->setMinimumContentsLength(12);
  auto* remove = new QToolButton(this);
  remove->setText(QStringLiteral("✕"));
  remove->setToolTip(tr("Remove this constraint"));
  use_min_ = new QCheckBox(QStringLiteral("≥"), this);
  use_max_ = new QCheckBox(QStringLiteral("≤"), this);
  min_ = new QDoubleSpinBox(this);
  max_ = new QDoubleSpinBox(this);
  for (QDoubleSpinBox* spin : {min_, max_}) {
    spin->setKeyboardTracking(false);
    spin->setMinimumWidth(70);
  }
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, kSliderSteps);
  slider_->setToolTip(tr("Drag to lower the maximum"));
  grid->addWidget(field_, 0, 0, 1, 4);
  grid->addWidget(remove, 0, 4);
  grid->addWidget(use_min_, 1, 0);
  grid->addWidget(min_, 1, 1);
  grid->addWidget(use_max_, 1, 2);
  grid->addWidget(max_, 1, 3, 1, 2);
  grid->addWidget(slider_, 2, 0, 1, 5);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(3, 1);

  fillFields(study, field);
  applyRange();
  {
    const QSignalBlocker a(min_), b(max_), c(slider_);
    min_->setValue(low_);
    max_->setValue(high_);
    slider_->setValue(kSliderSteps);
  }

  connect(remove, &QToolButton::clicked, this, &ConstraintRow::removeRequested);
  connect(field_, &QComboBox::currentIndexChanged, this, [this] {
    applyRange();
    const QSignalBlocker a(min_), b(max_), c(slider_), d(use_min_), e(use_max_);
    min_->setValue(low_);
    max_->setValue(high_);
    use_min_->setChecked(false);
    use_max_->setChecked(false);
    slider_->setValue(kSliderSteps);
    emit changed();
  });
  connect(use_min_, &QCheckBox::toggled, this, &ConstraintRow::changed);
  connect(use_max_, &QCheckBox::toggled, this, &ConstraintRow::changed);
  connect(min_, &QDoubleSpinBox::valueChanged, this, [this] {
    if (!use_min_->isChecked()) {
      use_min_->setChecked(true);  // emits changed
      return;
    }
    emit changed();
  });
  connect(max_, &QDoubleSpinBox::valueChanged, this, [this] {
    syncSliderFromMax();
    if (!use_max_->isChecked()) {
      use_max_->setChecked(true);
      return;
    }
    emit changed();
  });
  connect(slider_, &QSlider::valueChanged, this, [this](int position) {
    const QSignalBlocker blocker(max_);
    max_->setValue(sliderToValue(position));
    if (!use_max_->isChecked()) {
      use_max_->setChecked(true);
      return;
    }
    emit changed();
  });
}

void ConstraintRow::fillFields(const StudyData& study, const FieldId& selected) {
  const QSignalBlocker blocker(field_);
  field_->clear();
  for (const FieldId& id : study.ordered_fields(true)) {
    field_->addItem(QString::fromStdString(id.label()), QString::fromStdString(id.key()));
  }
  const int index = field_->findData(QString::fromStdString(selected.key()));
  if (index >= 0) {
    field_->setCurrentIndex(index);
  } else {
    // A field this study lacks (e.g. after switching studies): keep it visible, it filters all.
    field_->addItem(QString::fromStdString(selected.label()),
                    QString::fromStdString(selected.key()));
    field_->setCurrentIndex(field_->count() - 1);
  }
}

FieldId ConstraintRow::currentField() const {
  return FieldId::from_key(field_->currentData().toString().toStdString()).value_or(FieldId{});
}

void ConstraintRow::setStudy(const StudyData& study) {
  study_ = &study;
  const Constraint kept = constraint();
  fillFields(study, kept.field);
  applyRange();
  setBounds(kept.min, kept.max);
}

void ConstraintRow::applyRange() {
  const Field* field = study_ ? study_->field(currentField()) : nullptr;
  low_ = field && field->count > 0 ? field->min : 0;
  high_ = field && field->count > 0 ? field->max : 1;
  if (!(high_ > low_)) high_ = low_ + 1;
  log_slider_ = low_ > 0 && high_ / low_ > 100;
  const int decimals = decimalsFor(low_, high_);
  const double span = high_ - low_;
  for (QDoubleSpinBox* spin : {min_, max_}) {
    const QSignalBlocker blocker(spin);
    spin->setDecimals(decimals);
    spin->setRange(low_ - span, high_ + span);
    spin->setSingleStep(std::pow(10.0, -decimals + 1));
  }
  field_->setToolTip(field ? tr("range in this study: %1 – %2")
                                 .arg(QString::fromStdString(format_number(field->min)),
                                      QString::fromStdString(format_number(field->max)))
                           : QString());
}

double ConstraintRow::sliderToValue(int position) const {
  const double t = static_cast<double>(position) / kSliderSteps;
  if (log_slider_) return std::exp(std::log(low_) + t * (std::log(high_) - std::log(low_)));
  return low_ + t * (high_ - low_);
}

int ConstraintRow::valueToSlider(double value) const {
  double t = 0;
  if (log_slider_) {
    t = value > 0 ? (std::log(value) - std::log(low_)) / (std::log(high_) - std::log(low_)) : 0;
  } else {
    t = (value - low_) / (high_ - low_);
  }
  return static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * kSliderSteps));
}

void ConstraintRow::syncSliderFromMax() {
  const QSignalBlocker blocker(slider_);
  slider_->setValue(valueToSlider(max_->value()));
}

void ConstraintRow::setBounds(std::optional<double> min, std::optional<double> max) {
  {
    const QSignalBlocker a(min_), b(max_), c(use_min_), d(use_max_);
    use_min_->setChecked(min.has_value());
    use_max_->setChecked(max.has_value());
    min_->setValue(min.value_or(low_));
    max_->setValue(max.value_or(high_));
    syncSliderFromMax();
  }
  emit changed();
}

void ConstraintRow::setSliderPosition(int position) {
  slider_->setValue(position);
}

Constraint ConstraintRow::constraint() const {
  Constraint c;
  c.field = currentField();
  if (use_min_->isChecked()) c.min = min_->value();
  if (use_max_->isChecked()) {
    // The slider's top means "no upper bound" beyond rounding of the spin box.
    c.max = slider_->value() == kSliderSteps ? std::max(max_->value(), high_) : max_->value();
  }
  return c;
}

// --- ConstraintPanel -----------------------------------------------------------------------------

ConstraintPanel::ConstraintPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* title = new QLabel(tr("<b>Constraints</b> (hide designs outside the bounds; the front "
                              "follows)"),
                           this);
  title->setWordWrap(true);
  layout->addWidget(title);
  rows_layout_ = new QVBoxLayout;
  rows_layout_->setSpacing(2);
  layout->addLayout(rows_layout_);
  add_ = new QPushButton(tr("Add constraint"), this);
  add_->setEnabled(false);
  layout->addWidget(add_);
  layout->addStretch(1);
  connect(add_, &QPushButton::clicked, this, [this] {
    if (!study_) return;
    // Area first (the usual budget), then whatever metric comes first.
    std::optional<FieldId> field = study_->resolve("area_mm2");
    if (!field) {
      const std::vector<FieldId> fields = study_->ordered_fields(true);
      if (fields.empty()) return;
      field = fields.front();
    }
    addConstraint(*field);
  });
}

void ConstraintPanel::setStudy(const StudyData* study) {
  study_ = study;
  add_->setEnabled(study_ != nullptr);
  if (!study_) {
    clear();
    return;
  }
  for (ConstraintRow* row : rows_) {
    const QSignalBlocker blocker(row);
    row->setStudy(*study_);
  }
}

std::vector<Constraint> ConstraintPanel::constraints() const {
  std::vector<Constraint> out;
  for (const ConstraintRow* row : rows_) out.push_back(row->constraint());
  return out;
}

int ConstraintPanel::addConstraint(const FieldId& field, std::optional<double> min,
                                   std::optional<double> max) {
  if (!study_) return -1;
  auto* row = new ConstraintRow(*study_, field, this);
  rows_.push_back(row);
  rows_layout_->addWidget(row);
  connect(row, &ConstraintRow::changed, this, &ConstraintPanel::changed);
  connect(row, &ConstraintRow::removeRequested, this, [this, row] {
    const auto it = std::find(rows_.begin(), rows_.end(), row);
    if (it != rows_.end()) removeConstraint(static_cast<int>(it - rows_.begin()));
  });
  if (min || max) {
    row->setBounds(min, max);  // emits changed
  } else {
    emit changed();
  }
  return static_cast<int>(rows_.size()) - 1;
}

void ConstraintPanel::setBounds(int row, std::optional<double> min, std::optional<double> max) {
  if (row >= 0 && row < rowCount()) rows_[static_cast<std::size_t>(row)]->setBounds(min, max);
}

void ConstraintPanel::setSliderPosition(int row, int position) {
  if (row >= 0 && row < rowCount())
    rows_[static_cast<std::size_t>(row)]->setSliderPosition(position);
}

void ConstraintPanel::removeConstraint(int row) {
  if (row < 0 || row >= rowCount()) return;
  ConstraintRow* widget = rows_[static_cast<std::size_t>(row)];
  rows_.erase(rows_.begin() + row);
  widget->deleteLater();
  widget->hide();
  emit changed();
}

void ConstraintPanel::clear() {
  for (ConstraintRow* row : rows_) row->deleteLater();
  const bool had = !rows_.empty();
  rows_.clear();
  if (had) emit changed();
}

}  // namespace accelscope::gui
