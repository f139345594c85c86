// The viewer's window: studies of the open database (left), the design scatter with its controls
// (centre), the selected design, its breakdown, the comparison table and the log (right), live
// refresh, searches and report export. Its public methods are what the menus do, so tests and the
// --screenshot mode drive it the same way a user does.
#pragma once

#include <QMainWindow>
#include <QString>
#include <optional>
#include <vector>

#include "gui/core/cli.hpp"
#include "gui/core/plot_model.hpp"
#include "gui/widgets/scatter_chart.hpp"

class QComboBox;
class QCheckBox;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableWidget;
class QTabWidget;
class QToolButton;
class QAction;

namespace accelscope::gui {

class StudySession;
class ConstraintPanel;
class DesignDetailPane;
class BreakdownPane;
class TenantsPane;
class ComparePane;
class ParallelCoordinatesView;
class ImportancePane;
class SearchRunner;
class ReportExporter;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // --- what the menus and controls do ---------------------------------------------------------
  bool openDatabase(const QString& path);
  bool selectStudy(store::StudyId id);
  bool selectStudyByName(const QString& name);
  // Axis fields by name or key; false if the study has no such numeric field.
  bool setAxes(const QString& x, const QString& y);
  bool setColourField(const QString& field);  // empty: no colouring
  void setDirections(store::Direction x, store::Direction y);
  void setLogAxes(bool x, bool y);
  void setShowInfeasible(bool show);
  void setShowStoredFront(bool show);
  void selectDesign(std::optional<std::size_t> design);
  // Selects the report's knee and puts the report's shortlist in the comparison.
  bool selectBest();
  bool addOverlay(const QString& path, store::StudyId study);
  void clearOverlays();
  void startSearch(const SearchRequest& request);
  void cancelSearch();
  void exportReport(const QString& output);
  // Right: "design", "breakdown", "compare", "log"; centre: "scatter", "parallel", "importance".
  void showTab(const QString& name);
  void setLiveInterval(int milliseconds);
  void setBusyTimeout(int milliseconds);
  // Interactive use shows errors in a message box too; tests and --screenshot do not.
  void setErrorDialogsEnabled(bool enabled) { error_dialogs_ = enabled; }

  // --- state, for tests and scripts
  // ---------------------------------------------------------------
  StudySession* session() const { return session_; }
  const StudyData* study() const;
  const PlotModel& plot() const { return plot_; }
  // Seconds the last replot spent building the plot and handing it to the chart.
  double lastPlotSeconds() const { return last_plot_seconds_; }
  const PlotRequest& request() const { return request_; }
  std::optional<std::size_t> selectedDesign() const;
  ScatterChartView* chartView() const { return chart_; }
  ConstraintPanel* constraintPanel() const { return constraints_; }
  DesignDetailPane* detailPane() const { return details_; }
  BreakdownPane* breakdownPane() const { return breakdown_; }
  TenantsPane* tenantsPane() const { return tenants_; }
  ComparePane* comparePane() const { return compare_; }
  ParallelCoordinatesView* parallelView() const { return parallel_; }
  ImportancePane* importancePane() const { return importance_; }
  SearchRunner* searchRunner() const { return runner_; }
  QTableWidget* studyTable() const { return studies_; }
  QString lastError() const { return last_error_; }
  QString errorBanner() const;
  QString summaryText() const;
  QString studyProgressText() const;
  QString logText() const;

 signals:
  void errorReported(const QString& message);
  void plotUpdated();
  void reportFinished(bool success, const QString& message);

 public slots:
  void refresh();
  void openDialog();
  void newSearchDialog();
  void exportDialog();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void buildMenus();
  void buildLayout();
  void reportError(const QString& message);
  void showStatus(const QString& message);
  void appendLog(const QString& text);
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  void rebuildOverlayMenu();
  void fillStudyTable();
  void onStudyLoaded();
  void onStudyUpdated(int added);
  void fillFieldCombos(bool keep_selection);
  void readControls();  // combos and toggles -> request_
  void replot();
  void updateHighlights();
  void updateParallel();  // the study front under the constraints
  void updateStudyProgress();
  void showSelectedDetails(bool reload_breakdown);
  void showTenants(store::TrialId id);
  std::vector<OverlayFront> overlayFronts() const;
  QString axisTitle(const FieldId& field, store::Direction direction) const;

  StudySession* session_;
  SearchRunner* runner_;
  ReportExporter* exporter_;
  PlotRequest request_;
  PlotModel plot_;
  double last_plot_seconds_ = 0;
  std::optional<store::TrialId> selected_trial_;
  bool error_dialogs_ = false;
  bool updating_controls_ = false;
  QString last_error_;
  bool open_when_search_writes_ = false;

  struct Overlay {
    QString label;
    QString path;
    store::StudyId id = 0;
    StudyData data;
  };
  std::vector<Overlay> overlays_;

  // widgets
  QLabel* banner_ = nullptr;
  QTableWidget* studies_ = nullptr;
  ConstraintPanel* constraints_ = nullptr;
  QComboBox* x_field_ = nullptr;
  QComboBox* y_field_ = nullptr;
  QComboBox* x_direction_ = nullptr;
  QComboBox* y_direction_ = nullptr;
  QCheckBox* x_log_ = nullptr;
  QCheckBox* y_log_ = nullptr;
  QComboBox* colour_ = nullptr;
  QCheckBox* show_infeasible_ = nullptr;
  QCheckBox* show_stored_front_ = nullptr;
  QToolButton* overlay_button_ = nullptr;
  QMenu* overlay_menu_ = nullptr;
  ScatterChartView* chart_ = nullptr;
  QLabel* summary_ = nullptr;
  QLabel* legend_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QTabWidget* centre_tabs_ = nullptr;
  ParallelCoordinatesView* parallel_ = nullptr;
  ImportancePane* importance_ = nullptr;
  DesignDetailPane* details_ = nullptr;
  BreakdownPane* breakdown_ = nullptr;
  TenantsPane* tenants_ = nullptr;
  ComparePane* compare_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QProgressBar* study_progress_ = nullptr;
  QLabel* live_label_ = nullptr;
  QProgressBar* search_progress_ = nullptr;
  QPushButton* cancel_search_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QAction* live_action_ = nullptr;
  QAction* export_action_ = nullptr;
  QAction* cancel_action_ = nullptr;
  QSplitter* splitter_ = nullptr;
};

}  // namespace accelscope::gui
