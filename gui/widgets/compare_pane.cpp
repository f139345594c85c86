#include "gui/widgets/compare_pane.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QVBoxLayout>
#include <algorithm>

namespace accelscope::gui {

ComparePane::ComparePane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* hint = new QLabel(
      tr("Ctrl+click designs in the chart (or use \"Add to compare\") to "
         "compare them; the best value of each metric that has a better direction is bold."),
      this);
  hint->setWordWrap(true);
  layout->addWidget(hint);
  table_ = new QTableWidget(this);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectColumns);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->setDefaultSectionSize(20);
  table_->verticalHeader()->setTextElideMode(Qt::ElideMiddle);
  layout->addWidget(table_, 1);
  auto* buttons = new QHBoxLayout;
  remove_ = new QPushButton(tr("Remove selected"), this);
  clear_ = new QPushButton(tr("Clear"), this);
  buttons->addStretch(1);
  buttons->addWidget(remove_);
  buttons->addWidget(clear_);
  layout->addLayout(buttons);
  connect(clear_, &QPushButton::clicked, this, &ComparePane::clear);
  connect(remove_, &QPushButton::clicked, this, [this] {
    std::vector<std::size_t> keep;
    for (int column = 0; column < static_cast<int>(designs_.size()); ++column) {
      if (!table_->selectionModel()->isColumnSelected(column))
        keep.push_back(designs_[static_cast<std::size_t>(column)]);
    }
    setDesigns(std::move(keep));
    rebuild();
    emit changed();
  });
  rebuild();
}

void ComparePane::setStudy(const StudyData* study, bool same_study) {
  study_ = study;
  if (!same_study || !study_) ids_.clear();
  // By id: the same study re-read in full (after a preview) numbers its designs differently.
  std::vector<std::size_t> designs;
  for (const store::TrialId id : ids_)
    if (const auto index = study_ ? study_->index_of(id) : std::nullopt) designs.push_back(*index);
  setDesigns(std::move(designs));
  rebuild();
}

void ComparePane::setDesigns(std::vector<std::size_t> designs) {
  designs_ = std::move(designs);
  ids_.clear();
  for (const std::size_t d : designs_) ids_.push_back(study_->designs()[d].id);
}

void ComparePane::add(std::size_t design) {
  if (!study_ || design >= study_->designs().size()) return;
  if (std::find(designs_.begin(), designs_.end(), design) != designs_.end()) return;
  designs_.push_back(design);
  ids_.push_back(study_->designs()[design].id);
  rebuild();
  emit changed();
}

void ComparePane::toggle(std::size_t design) {
  const auto it = std::find(designs_.begin(), designs_.end(), design);
  if (it == designs_.end()) {
    add(design);
    return;
  }
  ids_.erase(ids_.begin() + (it - designs_.begin()));
  designs_.erase(it);
  rebuild();
  emit changed();
}

void ComparePane::clear() {
  const bool had = !designs_.empty();
  designs_.clear();
  ids_.clear();
  rebuild();
  if (had) emit changed();
}

QStringList ComparePane::rowValues(const QString& label) const {
  for (int r = 0; r < table_->rowCount(); ++r) {
    if (table_->verticalHeaderItem(r) && table_->verticalHeaderItem(r)->text() == label) {
      QStringList values;
      for (int c = 0; c < table_->columnCount(); ++c) {
        values << (table_->item(r, c) ? table_->item(r, c)->text() : QString());
      }
      return values;
    }
  }
  return {};
}

void ComparePane::rebuild() {
  table_->clear();
  remove_->setEnabled(!designs_.empty());
  clear_->setEnabled(!designs_.empty());
  if (!study_ || designs_.empty()) {
    table_->setRowCount(0);
    table_->setColumnCount(0);
    return;
  }
  const std::vector<Design>& all = study_->designs();
  // What was chosen (the parameters) first, then what it gives (the metrics).
  std::vector<FieldId> rows;
  for (const Field& field : study_->fields()) {
    if (field.id.kind == FieldKind::param) rows.push_back(field.id);
  }
  for (const FieldId& id : study_->ordered_fields(false)) {
    if (id.kind == FieldKind::metric) rows.push_back(id);
  }
  const int extra_rows = 2;  // feasibility, study front
  table_->setColumnCount(static_cast<int>(designs_.size()));
  table_->setRowCount(static_cast<int>(rows.size()) + extra_rows);
  QStringList headers;
  for (std::size_t d : designs_) headers << QStringLiteral("#%1").arg(all[d].id);
  table_->setHorizontalHeaderLabels(headers);
  table_->setVerticalHeaderItem(0, new QTableWidgetItem(tr("feasible")));
  table_->setVerticalHeaderItem(1, new QTableWidgetItem(tr("study front")));
  for (int c = 0; c < static_cast<int>(designs_.size()); ++c) {
    const Design& design = all[designs_[static_cast<std::size_t>(c)]];
    table_->setItem(0, c, new QTableWidgetItem(design.feasible ? tr("yes") : tr("no")));
    table_->setItem(1, c, new QTableWidgetItem(design.on_front ? tr("yes") : tr("no")));
  }
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    const FieldId& id = rows[static_cast<std::size_t>(r)];
    auto* header = new QTableWidgetItem(QString::fromStdString(id.label()));
    header->setToolTip(header->text());
    table_->setVerticalHeaderItem(r + extra_rows, header);
    // A "best" only where better has a direction (objectives, latency, energy, ...): none for
    // parameters, component splits or footprints.
    std::optional<double> best;
    const std::optional<store::Direction> direction = study_->known_direction(id);
    if (direction && designs_.size() > 1) {
      const bool larger = *direction == store::Direction::maximize;
      for (std::size_t d : designs_) {
        if (auto v = all[d].value(id)) {
          if (!best || (larger ? *v > *best : *v < *best)) best = v;
        }
      }
    }
    for (int c = 0; c < static_cast<int>(designs_.size()); ++c) {
      const Design& design = all[designs_[static_cast<std::size_t>(c)]];
      auto* item = new QTableWidgetItem(QString::fromStdString(design.text(id).value_or("")));
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      if (best && design.value(id) == best) {
        QFont font = item->font();
        font.setBold(true);
        item->setFont(font);
      }
      table_->setItem(r + extra_rows, c, item);
    }
  }
  table_->resizeColumnsToContents();
  fitColumns();
}

void ComparePane::fitColumns() {
  // Long row labels ("mobilenet_v2.throughput_per_s") must not push the designs' columns out of
  // a narrow pane: the labels give up width first (elided in the middle, full text as tooltip).
  QHeaderView* labels = table_->verticalHeader();
  labels->setMaximumWidth(QWIDGETSIZE_MAX);
  int columns = 0;
  for (int c = 0; c < table_->columnCount(); ++c) columns += table_->columnWidth(c);
  const int room = table_->width() - 2 * table_->frameWidth() -
                   table_->verticalScrollBar()->sizeHint().width() - columns - 4;
  constexpr int kMinLabelWidth = 90;
  labels->setMaximumWidth(std::max(kMinLabelWidth, std::min(labels->sizeHint().width(), room)));
}

void ComparePane::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitColumns();
}

}  // namespace accelscope::gui
