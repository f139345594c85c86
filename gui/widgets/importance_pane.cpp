#include "gui/widgets/importance_pane.hpp"

#include <QHeaderView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "gui/widgets/palette.hpp"

namespace accelscope::gui {

ImportancePane::ImportancePane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  caption_ = new QLabel(this);
  caption_->setWordWrap(true);
  layout->addWidget(caption_);
  table_ = new QTableWidget(this);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  layout->addWidget(table_, 1);
}

void ImportancePane::setStudy(const StudyData* study) {
  study_ = study;
  stale_ = true;
  if (isVisible()) recompute();
}

void ImportancePane::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stale_) recompute();
}

void ImportancePane::recompute() {
  stale_ = false;
  table_->clear();
  table_->setRowCount(0);
  table_->setColumnCount(0);
  importance_ = study_ ? study_importance(*study_) : StudyImportance{};
  const StudyImportance& imp = importance_;
  if (imp.parameters.empty() || imp.objectives.empty() || imp.table.entries.empty()) {
    caption_->setText(study_ ? tr("This study has no varying parameter or no objective to relate.")
                             : tr("Open a study to see which parameters move its objectives."));
    return;
  }
  // Parameters by their largest index over the objectives.
  std::vector<std::size_t> order(imp.parameters.size());
  std::vector<double> largest(imp.parameters.size(), -1);
  for (std::size_t j = 0; j < order.size(); ++j) {
    order[j] = j;
    for (const auto& row : imp.table.entries)
      if (!std::isnan(row[j].first_order)) largest[j] = std::max(largest[j], row[j].first_order);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return largest[a] > largest[b]; });

  table_->setColumnCount(static_cast<int>(imp.objectives.size()));
  table_->setRowCount(static_cast<int>(order.size()) + 1);
  QStringList headers;
  for (std::size_t o = 0; o < imp.objectives.size(); ++o) {
    QString header = QString::fromStdString(imp.objectives[o].name);
    if (imp.table.objective_log[o]) header += tr("\n(in logs)");
    headers << header;
  }
  table_->setHorizontalHeaderLabels(headers);
  const QColor bar = palette::single();
  for (std::size_t r = 0; r < order.size(); ++r) {
    const std::size_t j = order[r];
    table_->setVerticalHeaderItem(
        static_cast<int>(r), new QTableWidgetItem(QString::fromStdString(imp.parameters[j].name)));
    for (std::size_t o = 0; o < imp.objectives.size(); ++o) {
      const search::ParameterImportance& entry = imp.table.entries[o][j];
      QString text = QStringLiteral("–");
      auto* item = new QTableWidgetItem;
      if (!std::isnan(entry.first_order)) {
        text = QStringLiteral("%1%").arg(100 * entry.first_order, 0, 'f', 1);
        // The direction: higher parameter values go with higher (↑) or lower (↓) objective.
        if (!std::isnan(entry.rank_correlation) && std::fabs(entry.rank_correlation) >= 0.1)
          text += entry.rank_correlation > 0 ? QStringLiteral("  ↑") : QStringLiteral("  ↓");
        QColor shade = bar;
        shade.setAlphaF(static_cast<float>(0.08 + 0.6 * entry.first_order));
        item->setBackground(shade);
        item->setToolTip(tr("%1 alone explains %2% of the variance of %3%4; rank correlation %5")
                             .arg(QString::fromStdString(imp.parameters[j].name))
                             .arg(100 * entry.first_order, 0, 'f', 1)
                             .arg(QString::fromStdString(imp.objectives[o].name))
                             .arg(imp.table.objective_log[o] ? tr(" (in logs)") : QString())
                             .arg(std::isnan(entry.rank_correlation)
                                      ? tr("none (categories)")
                                      : QString::number(entry.rank_correlation, 'f', 2)));
      }
      item->setText(text);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(static_cast<int>(r), static_cast<int>(o), item);
    }
  }
  const int rest = static_cast<int>(order.size());
  table_->setVerticalHeaderItem(rest, new QTableWidgetItem(tr("interactions and noise")));
  for (std::size_t o = 0; o < imp.objectives.size(); ++o) {
    const double sum = imp.table.first_order_sum[o];
    auto* item = new QTableWidgetItem(
        std::isnan(sum) ? QStringLiteral("–")
                        : QStringLiteral("%1%").arg(100 * std::max(0.0, 1 - sum), 0, 'f', 1));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    QFont font = item->font();
    font.setItalic(true);
    item->setFont(font);
    table_->setItem(rest, static_cast<int>(o), item);
  }
  caption_->setText(
      tr("Which parameters move each objective: the share of the objective's variance over %1 "
         "evaluated designs%2 that each parameter explains alone (first-order variance index, as "
         "in the report); ↑/↓: larger values of the parameter go with larger/smaller values of "
         "the objective. What the shares leave is interaction between parameters and noise. "
         "From a guided search (NSGA-II, Bayesian) the designs are not an even sample of the "
         "space, so the shares describe the designs evaluated.")
          .arg(imp.table.designs_seen)
          .arg(imp.table.designs_used < imp.table.designs_seen
                   ? tr(" (an even sample of %1)").arg(imp.table.designs_used)
                   : QString()));
}

}  // namespace accelscope::gui
