// The selected design's serving tenants (a study over a scenario): per tenant its partition,
// batch, p50 and p99 against its SLO, attainment and throughput, the report's table
// (reports::tenants_table) from the details the study keeps with its front's designs.
#pragma once

#include <QLabel>
#include <QString>
#include <QTableWidget>
#include <QWidget>

#include "reports/tables.hpp"

namespace accelscope::gui {

class TenantsPane : public QWidget {
  Q_OBJECT

 public:
  explicit TenantsPane(QWidget* parent = nullptr);

  // note: shown above the table (which design, where its figures come from).
  void showTenants(const reports::Table& table, const QString& note);
  void clear(const QString& message);

  QString message() const { return message_->text(); }
  QTableWidget* table() const { return table_; }

 private:
  QLabel* message_;
  QTableWidget* table_;
};

}  // namespace accelscope::gui
