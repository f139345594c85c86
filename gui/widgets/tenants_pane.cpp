#include "gui/widgets/tenants_pane.hpp"

#include <QHeaderView>
#include <QVBoxLayout>

namespace accelscope::gui {

namespace {

QString qs(const std::string& text) {
  return QString::fromStdString(text);
}

}  // namespace

TenantsPane::TenantsPane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  table_ = new QTableWidget(0, 0, this);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  layout->addWidget(message_);
  layout->addWidget(table_, 1);
  clear(tr("Select a design of a serving study to see its tenants."));
}

void TenantsPane::showTenants(const reports::Table& table, const QString& note) {
  message_->setText(note);
  table_->clear();
  table_->setColumnCount(static_cast<int>(table.columns.size()));
  table_->setRowCount(static_cast<int>(table.rows.size()));
  QStringList headers;
  for (const reports::Column& column : table.columns) headers << qs(column.header);
  table_->setHorizontalHeaderLabels(headers);
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.rows[r].size() && c < table.columns.size(); ++c) {
      auto* item = new QTableWidgetItem(qs(table.rows[r][c]));
      item->setTextAlignment(table.columns[c].align == reports::Align::left
                                 ? Qt::AlignLeft | Qt::AlignVCenter
                                 : Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(static_cast<int>(r), static_cast<int>(c), item);
    }
  table_->setVisible(true);
}

void TenantsPane::clear(const QString& message) {
  message_->setText(message);
  table_->clear();
  table_->setRowCount(0);
  table_->setColumnCount(0);
  table_->setVisible(false);
}

}  // namespace accelscope::gui
