#include "gui/widgets/main_window.hpp"

#include <QElapsedTimer>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <tuple>

#include "gui/core/breakdown.hpp"
#include "gui/widgets/compare_pane.hpp"
#include "gui/widgets/constraint_panel.hpp"
#include "gui/widgets/detail_pane.hpp"
#include "gui/widgets/importance_pane.hpp"
#include "gui/widgets/parallel_view.hpp"
#include "gui/widgets/search_dialog.hpp"
#include "gui/widgets/search_runner.hpp"
#include "gui/widgets/session.hpp"
#include "gui/widgets/tenants_pane.hpp"
#include "reports/charts.hpp"
#include "reports/tenants.hpp"

namespace accelscope::gui {

namespace {

constexpr int kMaxRecent = 8;
constexpr int kDefaultLiveMs = 1000;

QString qs(const std::string& text) {
  return QString::fromStdString(text);
}

QString studyStatusText(const store::StudyInfo& study) {
  return QString::fromLatin1(store::to_string(study.status).data(),
                             static_cast<qsizetype>(store::to_string(study.status).size()));
}

void selectData(QComboBox* combo, const QString& current) {
  const int index = combo->findData(current);
  if (index >= 0) combo->setCurrentIndex(index);
}

// Log axes help when a positive field spans more than a factor of 10 (the report's rule).
bool wantsLog(const Field* field) {
  return field && field->numeric && field->count > 0 &&
         reports::prefers_log_scale({field->min, field->max});
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("accelscope viewer"));
  session_ = new StudySession(this);
  runner_ = new SearchRunner(this);
  exporter_ = new ReportExporter(this);
  buildLayout();
  buildMenus();
  resize(1280, 800);

  connect(session_, &StudySession::errorOccurred, this, &MainWindow::reportError);
  connect(session_, &StudySession::refreshFailed, this, [this](const QString& message) {
    showStatus(message);
    appendLog(message);
  });
  connect(session_, &StudySession::studiesChanged, this, [this] {
    fillStudyTable();
    rebuildOverlayMenu();
  });
  connect(session_, &StudySession::studyLoaded, this, &MainWindow::onStudyLoaded);
  connect(session_, &StudySession::studyUpdated, this, &MainWindow::onStudyUpdated);
  connect(session_, &StudySession::studyCompleted, this, [this] {
    updateStudyProgress();
    if (session_->completeLoadSeconds() > session_->lastLoadSeconds())
      showStatus(tr("All %1 designs read in %2 s")
                     .arg(study() ? study()->designs().size() : 0)
                     .arg(session_->completeLoadSeconds(), 0, 'f', 1));
  });

  connect(runner_, &SearchRunner::outputReceived, this,
          [this](const QString& text) { appendLog(text.trimmed()); });
  connect(runner_, &SearchRunner::started, this, [this] {
    search_progress_->show();
    cancel_search_->show();
    cancel_search_->setEnabled(true);
    cancel_action_->setEnabled(true);
    showStatus(tr("Search started: %1").arg(qs(runner_->request().study)));
  });
  connect(runner_, &SearchRunner::progressChanged, this, [this](qint64 done, qint64 budget) {
    search_progress_->setRange(0, static_cast<int>(std::max<qint64>(budget, 1)));
    search_progress_->setValue(static_cast<int>(std::min(done, budget)));
    search_progress_->setFormat(
        tr("search %1: %2/%3").arg(qs(runner_->request().study)).arg(done).arg(budget));
    // Show the study the search writes as soon as it exists.
    if (open_when_search_writes_ && done > 0) {
      const QString db = qs(runner_->request().database.string());
      if (session_->path() != db) openDatabase(db);
      if (session_->isOpen() && selectStudyByName(qs(runner_->request().study))) {
        open_when_search_writes_ = false;
      }
    }
  });
  connect(runner_, &SearchRunner::finished, this,
          [this](bool success, bool cancelled, const QString& message) {
            search_progress_->hide();
            cancel_search_->hide();
            cancel_action_->setEnabled(false);
            appendLog(message);
            refresh();
            if (open_when_search_writes_ && (success || cancelled)) {
              const QString db = qs(runner_->request().database.string());
              if (session_->path() != db) openDatabase(db);
              selectStudyByName(qs(runner_->request().study));
            }
            open_when_search_writes_ = false;
            if (success || cancelled) {
              showStatus(message);
            } else {
              reportError(message);
            }
          });
  connect(exporter_, &ReportExporter::finished, this, [this](bool success, const QString& message) {
    appendLog(message);
    if (success) {
      showStatus(message);
    } else {
      reportError(message);
    }
    emit reportFinished(success, message);
  });
  setLiveInterval(kDefaultLiveMs);
  session_->setBusyTimeout(std::chrono::milliseconds(1500));
}

MainWindow::~MainWindow() = default;

// --- layout --------------------------------------------------------------------------------------

void MainWindow::buildLayout() {
  auto* central = new QWidget(this);
  auto* outer = new QVBoxLayout(central);
  outer->setContentsMargins(4, 4, 4, 4);
  outer->setSpacing(4);
  banner_ = new QLabel(central);
  banner_->setWordWrap(true);
  banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  banner_->setStyleSheet(
      "QLabel { background: #fde8e8; color: #8a1010; border: 1px solid #e0a0a0; padding: 6px; }");
  banner_->setToolTip(tr("Click to dismiss"));
  banner_->hide();
  banner_->installEventFilter(this);
  outer->addWidget(banner_);

  splitter_ = new QSplitter(Qt::Horizontal, central);
  outer->addWidget(splitter_, 1);

  // Left: studies and constraints.
  auto* left = new QSplitter(Qt::Vertical, splitter_);
  auto* studies_box = new QWidget(left);
  auto* studies_layout = new QVBoxLayout(studies_box);
  studies_layout->setContentsMargins(0, 0, 0, 0);
  studies_layout->addWidget(new QLabel(tr("<b>Studies</b>"), studies_box));
  studies_ = new QTableWidget(0, 3, studies_box);
  studies_->setHorizontalHeaderLabels({tr("Study"), tr("Run"), tr("Done")});
  studies_->setSelectionBehavior(QAbstractItemView::SelectRows);
  studies_->setSelectionMode(QAbstractItemView::SingleSelection);
  studies_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  studies_->verticalHeader()->hide();
  // Names matter most: they get their width, the run column what is left.
  studies_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  studies_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  studies_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
  studies_->verticalHeader()->setDefaultSectionSize(22);
  studies_layout->addWidget(studies_);
  connect(studies_, &QTableWidget::itemSelectionChanged, this, [this] {
    const auto rows = studies_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    const auto id = studies_->item(rows.front().row(), 0)->data(Qt::UserRole).toLongLong();
    if (!study() || study()->info().id != id) selectStudy(id);
  });
  auto* scroll = new QScrollArea(left);
  scroll->setWidgetResizable(true);
  constraints_ = new ConstraintPanel(scroll);
  scroll->setWidget(constraints_);
  left->addWidget(studies_box);
  left->addWidget(scroll);
  left->setSizes({260, 440});
  connect(constraints_, &ConstraintPanel::changed, this, [this] {
    if (!updating_controls_) replot();
  });

  // Centre: the scatter (controls, chart, summary), parallel coordinates, importance.
  centre_tabs_ = new QTabWidget(splitter_);
  auto* centre = new QWidget(centre_tabs_);
  auto* centre_layout = new QVBoxLayout(centre);
  centre_layout->setContentsMargins(0, 0, 0, 0);
  auto* controls = new QGridLayout;
  controls->setHorizontalSpacing(6);
  auto makeFieldCombo = [&] {
    auto* combo = new QComboBox(centre);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(14);
    return combo;
  };
  auto makeDirection = [&] {
    auto* combo = new QComboBox(centre);
    combo->addItem(tr("min"), 0);
    combo->addItem(tr("max"), 1);
    combo->setToolTip(tr("Which way is better on this axis (for the 2-D front)"));
    return combo;
  };
  x_field_ = makeFieldCombo();
  y_field_ = makeFieldCombo();
  x_direction_ = makeDirection();
  y_direction_ = makeDirection();
  x_log_ = new QCheckBox(tr("log"), centre);
  y_log_ = new QCheckBox(tr("log"), centre);
  colour_ = makeFieldCombo();
  show_infeasible_ = new QCheckBox(tr("infeasible"), centre);
  show_infeasible_->setChecked(true);
  show_infeasible_->setToolTip(tr("Show infeasible designs (faded)"));
  show_stored_front_ = new QCheckBox(tr("study front"), centre);
  show_stored_front_->setChecked(true);
  show_stored_front_->setToolTip(
      tr("Ring the designs on the study's stored front (all objectives)"));
  overlay_button_ = new QToolButton(centre);
  overlay_button_->setText(tr("Overlay fronts"));
  overlay_button_->setPopupMode(QToolButton::InstantPopup);
  overlay_menu_ = new QMenu(overlay_button_);
  overlay_button_->setMenu(overlay_menu_);
  auto* best = new QPushButton(tr("Select knee"), centre);
  best->setToolTip(
      tr("Select the report's knee (the front design nearest the ideal point over all "
         "objectives) and compare the report's shortlist"));
  connect(best, &QPushButton::clicked, this, [this] { selectBest(); });

  controls->addWidget(new QLabel(tr("X"), centre), 0, 0);
  controls->addWidget(x_field_, 0, 1);
  controls->addWidget(x_direction_, 0, 2);
  controls->addWidget(x_log_, 0, 3);
  controls->addWidget(new QLabel(tr("Y"), centre), 0, 4);
  controls->addWidget(y_field_, 0, 5);
  controls->addWidget(y_direction_, 0, 6);
  controls->addWidget(y_log_, 0, 7);
  controls->addWidget(new QLabel(tr("Colour"), centre), 1, 0);
  controls->addWidget(colour_, 1, 1);
  auto* toggles = new QHBoxLayout;
  toggles->addWidget(show_infeasible_);
  toggles->addWidget(show_stored_front_);
  toggles->addWidget(overlay_button_);
  toggles->addWidget(best);
  toggles->addStretch(1);
  controls->addLayout(toggles, 1, 2, 1, 6);
  controls->setColumnStretch(1, 1);
  controls->setColumnStretch(5, 1);
  centre_layout->addLayout(controls);
  chart_ = new ScatterChartView(centre);
  centre_layout->addWidget(chart_, 1);
  legend_ = new QLabel(centre);
  legend_->setWordWrap(true);
  legend_->setTextFormat(Qt::RichText);
  centre_layout->addWidget(legend_);
  connect(chart_, &ScatterChartView::legendChanged, this,
          [this] { legend_->setText(chart_->legendHtml()); });
  summary_ = new QLabel(centre);
  summary_->setWordWrap(true);
  centre_layout->addWidget(summary_);
  parallel_ = new ParallelCoordinatesView(centre_tabs_);
  centre_tabs_->addTab(centre, tr("Scatter"));
  centre_tabs_->addTab(parallel_, tr("Parallel coordinates"));
  importance_ = new ImportancePane(centre_tabs_);
  centre_tabs_->addTab(importance_, tr("Importance"));
  connect(parallel_, &ParallelCoordinatesView::designClicked, this,
          [this](std::size_t design, bool toggle) {
            if (toggle) {
              compare_->toggle(design);
            } else {
              selectDesign(design);
            }
          });

  for (QComboBox* combo : {x_field_, y_field_, colour_}) {
    connect(combo, &QComboBox::currentIndexChanged, this, [this, combo] {
      if (updating_controls_) return;
      // A new axis field brings its natural direction and scale.
      if (combo != colour_ && study()) {
        const bool is_x = combo == x_field_;
        const auto id = FieldId::from_key(combo->currentData().toString().toStdString());
        if (id) {
          updating_controls_ = true;
          (is_x ? x_direction_ : y_direction_)
              ->setCurrentIndex(study()->default_direction(*id) == store::Direction::maximize);
          (is_x ? x_log_ : y_log_)->setChecked(wantsLog(study()->field(*id)));
          updating_controls_ = false;
        }
      }
      replot();
    });
  }
  for (QComboBox* combo : {x_direction_, y_direction_}) {
    connect(combo, &QComboBox::currentIndexChanged, this, [this] {
      if (!updating_controls_) replot();
    });
  }
  for (QCheckBox* box : {x_log_, y_log_, show_infeasible_, show_stored_front_}) {
    connect(box, &QCheckBox::toggled, this, [this] {
      if (!updating_controls_) replot();
    });
  }
  connect(chart_, &ScatterChartView::designClicked, this, [this](std::size_t design, bool toggle) {
    if (toggle) {
      compare_->toggle(design);
    } else {
      selectDesign(design);
    }
  });
  connect(chart_, &ScatterChartView::designHovered, this, [this](std::size_t design, bool entered) {
    if (!entered || !study()) {
      QToolTip::hideText();
      return;
    }
    QToolTip::showText(QCursor::pos(), qs(study()->tooltip(design, {request_.x, request_.y})),
                       chart_);
  });
  connect(parallel_, &ParallelCoordinatesView::designHovered, this,
          [this](std::size_t design, bool entered) {
            if (!entered || !study()) {
              QToolTip::hideText();
              return;
            }
            QToolTip::showText(QCursor::pos(), qs(study()->tooltip(design)), parallel_);
          });

  // Right: details, breakdown, compare, log.
  tabs_ = new QTabWidget(splitter_);
  details_ = new DesignDetailPane(tabs_);
  breakdown_ = new BreakdownPane(tabs_);
  tenants_ = new TenantsPane(tabs_);
  compare_ = new ComparePane(tabs_);
  log_ = new QPlainTextEdit(tabs_);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  tabs_->addTab(details_, tr("Design"));
  tabs_->addTab(breakdown_, tr("Breakdown"));
  tabs_->addTab(tenants_, tr("Tenants"));
  tabs_->addTab(compare_, tr("Compare"));
  tabs_->addTab(log_, tr("Log"));
  connect(details_, &DesignDetailPane::compareRequested, this, [this] {
    if (auto design = selectedDesign()) compare_->add(*design);
  });
  connect(compare_, &ComparePane::changed, this, [this] {
    updateHighlights();
    if (!compare_->designs().empty() && tabs_->currentWidget() != compare_ &&
        compare_->designs().size() == 2) {
      tabs_->setCurrentWidget(compare_);
    }
  });

  splitter_->addWidget(left);
  splitter_->addWidget(centre_tabs_);
  splitter_->addWidget(tabs_);
  splitter_->setStretchFactor(0, 0);
  splitter_->setStretchFactor(1, 1);
  splitter_->setStretchFactor(2, 0);
  splitter_->setSizes({330, 560, 390});
  setCentralWidget(central);

  // Status bar: messages, the study's progress, live state, a running search.
  study_progress_ = new QProgressBar(this);
  study_progress_->setMaximumWidth(200);
  study_progress_->setTextVisible(true);
  study_progress_->hide();
  live_label_ = new QLabel(this);
  search_progress_ = new QProgressBar(this);
  search_progress_->setMaximumWidth(260);
  search_progress_->hide();
  cancel_search_ = new QPushButton(tr("Cancel search"), this);
  cancel_search_->hide();
  connect(cancel_search_, &QPushButton::clicked, this, &MainWindow::cancelSearch);
  statusBar()->addPermanentWidget(search_progress_);
  statusBar()->addPermanentWidget(cancel_search_);
  statusBar()->addPermanentWidget(study_progress_);
  statusBar()->addPermanentWidget(live_label_);
  setMinimumSize(900, 600);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
  open->setShortcut(QKeySequence::Open);
  recent_menu_ = file->addMenu(tr("Open &recent"));
  rebuildRecentMenu();
  file->addSeparator();
  export_action_ = file->addAction(tr("&Export report…"), this, &MainWindow::exportDialog);
  export_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  export_action_->setEnabled(false);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* refresh_action = view->addAction(tr("&Refresh"), this, &MainWindow::refresh);
  refresh_action->setShortcut(QKeySequence(Qt::Key_F5));
  live_action_ = view->addAction(tr("&Live refresh"));
  live_action_->setCheckable(true);
  live_action_->setChecked(true);
  connect(live_action_, &QAction::toggled, this,
          [this](bool on) { setLiveInterval(on ? kDefaultLiveMs : 0); });
  view->addSeparator();
  QAction* reset_zoom =
      view->addAction(tr("Reset &zoom"), this, [this] { chart_->chart()->zoomReset(); });
  reset_zoom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  QAction* knee = view->addAction(tr("Select &knee design"), this, [this] { selectBest(); });
  knee->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  view->addAction(tr("Clear &overlays"), this, &MainWindow::clearOverlays);

  QMenu* search = menuBar()->addMenu(tr("&Search"));
  QAction* start = search->addAction(tr("&New search…"), this, &MainWindow::newSearchDialog);
  start->setShortcut(QKeySequence::New);
  cancel_action_ = search->addAction(tr("&Cancel search"), this, &MainWindow::cancelSearch);
  cancel_action_->setEnabled(false);
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  if (watched == banner_ && event->type() == QEvent::MouseButtonRelease) banner_->hide();
  return QMainWindow::eventFilter(watched, event);
}

// --- errors and status ---------------------------------------------------------------------------

void MainWindow::reportError(const QString& message) {
  last_error_ = message;
  banner_->setText(message);
  banner_->show();
  statusBar()->showMessage(message, 15000);
  appendLog(QStringLiteral("error: ") + message);
  emit errorReported(message);
  if (error_dialogs_) QMessageBox::warning(this, tr("accelscope viewer"), message);
}

void MainWindow::showStatus(const QString& message) {
  statusBar()->showMessage(message, 10000);
}

void MainWindow::appendLog(const QString& text) {
  if (text.isEmpty()) return;
  log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + text);
}

QString MainWindow::errorBanner() const {
  return banner_->isVisible() || !banner_->isHidden() ? banner_->text() : QString();
}
QString MainWindow::summaryText() const {
  return summary_->text();
}
QString MainWindow::logText() const {
  return log_->toPlainText();
}
QString MainWindow::studyProgressText() const {
  return study_progress_->isHidden() ? QString() : study_progress_->text();
}

// --- opening -------------------------------------------------------------------------------------

void MainWindow::openDialog() {
  QSettings settings;
  const QString start = settings.value("lastDirectory").toString();
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open study database"), start,
                                   tr("Study databases (*.sqlite *.sqlite3 *.db);;All files (*)"));
  if (path.isEmpty()) return;
  settings.setValue("lastDirectory", QFileInfo(path).absolutePath());
  openDatabase(path);
}

bool MainWindow::openDatabase(const QString& path) {
  banner_->hide();
  overlays_.clear();
  if (!session_->open(path)) {
    setWindowTitle(tr("accelscope viewer"));
    fillStudyTable();
    onStudyLoaded();
    return false;
  }
  rememberRecent(QFileInfo(path).absoluteFilePath());
  setWindowTitle(tr("%1 — accelscope viewer").arg(QFileInfo(path).fileName()));
  showStatus(tr("Opened %1 (%n stud(y/ies))", nullptr, static_cast<int>(session_->studies().size()))
                 .arg(path));
  appendLog(tr("opened %1").arg(path));
  if (session_->studies().empty()) {
    onStudyLoaded();
    showStatus(tr("%1 holds no studies yet").arg(path));
    return true;
  }
  return selectStudy(session_->studies().front().id);
}

void MainWindow::rememberRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value("recentFiles").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue("recentFiles", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = QSettings().value("recentFiles").toStringList();
  for (int i = 0; i < recent.size(); ++i) {
    const QString path = recent[i];
    QAction* action = recent_menu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(path));
    connect(action, &QAction::triggered, this, [this, path] { openDatabase(path); });
  }
  if (recent.isEmpty()) recent_menu_->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::fillStudyTable() {
  const QSignalBlocker blocker(studies_);
  const std::vector<store::StudyInfo>& list = session_->studies();
  studies_->setRowCount(static_cast<int>(list.size()));
  for (int row = 0; row < static_cast<int>(list.size()); ++row) {
    const store::StudyInfo& info = list[static_cast<std::size_t>(row)];
    auto* name = new QTableWidgetItem(qs(info.name));
    name->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(info.id));
    QStringList objectives;
    for (const store::Objective& objective : info.objectives) {
      objectives << QStringLiteral("%1 (%2)").arg(qs(objective.name),
                                                  objective.direction == store::Direction::minimize
                                                      ? QStringLiteral("min")
                                                      : QStringLiteral("max"));
    }
    name->setToolTip(
        tr("id %1, seed %2, engine %3\nobjectives: %4\n%5 failed, %6 pending, %7 running")
            .arg(info.id)
            .arg(info.seed)
            .arg(qs(info.engine_version), objectives.join(", "))
            .arg(info.counts.failed)
            .arg(info.counts.pending)
            .arg(info.counts.running));
    studies_->setItem(row, 0, name);
    studies_->setItem(row, 1,
                      new QTableWidgetItem(
                          QStringLiteral("%1 · %2").arg(qs(info.strategy), studyStatusText(info))));
    auto* progress =
        new QTableWidgetItem(QStringLiteral("%1/%2").arg(info.counts.done).arg(info.budget));
    progress->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(info.counts.done));
    studies_->setItem(row, 2, progress);
    auto* bar = qobject_cast<QProgressBar*>(studies_->cellWidget(row, 2));
    if (!bar) {
      bar = new QProgressBar;
      studies_->setCellWidget(row, 2, bar);
    }
    bar->setRange(0, static_cast<int>(std::max<std::int64_t>(info.budget, 1)));
    bar->setValue(
        static_cast<int>(std::min(info.counts.done, std::max<std::int64_t>(info.budget, 1))));
    bar->setFormat(QStringLiteral("%1/%2").arg(info.counts.done).arg(info.budget));
    bar->setToolTip(name->toolTip());
    if (study() && study()->info().id == info.id) studies_->selectRow(row);
  }
  updateStudyProgress();
}

bool MainWindow::selectStudy(store::StudyId id) {
  return session_->selectStudy(id);
}

bool MainWindow::selectStudyByName(const QString& name) {
  for (const store::StudyInfo& info : session_->studies()) {
    if (qs(info.name) == name) return selectStudy(info.id);
  }
  // Maybe it was created since the last poll.
  session_->refresh();
  for (const store::StudyInfo& info : session_->studies()) {
    if (qs(info.name) == name) return selectStudy(info.id);
  }
  return false;
}

const StudyData* MainWindow::study() const {
  return session_->study();
}

void MainWindow::onStudyLoaded() {
  const StudyData* current = study();
  selected_trial_.reset();
  export_action_->setEnabled(current != nullptr);
  {
    const QSignalBlocker blocker(studies_);
    studies_->clearSelection();
    for (int row = 0; current && row < studies_->rowCount(); ++row) {
      if (studies_->item(row, 0)->data(Qt::UserRole).toLongLong() == current->info().id)
        studies_->selectRow(row);
    }
  }
  updating_controls_ = true;
  constraints_->setStudy(current);
  updating_controls_ = false;
  compare_->setStudy(current, false);
  importance_->setStudy(current);
  fillFieldCombos(false);
  details_->clear();
  breakdown_->clear(tr("Select a design to see its breakdown."));
  rebuildOverlayMenu();
  updateStudyProgress();
  replot();
}

void MainWindow::onStudyUpdated(int added) {
  const StudyData* current = study();
  if (!current) return;
  updating_controls_ = true;
  constraints_->setStudy(current);
  updating_controls_ = false;
  compare_->setStudy(current, true);
  if (added > 0) {
    fillFieldCombos(true);
    importance_->setStudy(current);
  }
  updateStudyProgress();
  replot();
  showSelectedDetails(false);
}

void MainWindow::updateStudyProgress() {
  const StudyData* current = study();
  if (!current) {
    study_progress_->hide();
    return;
  }
  const store::StudyInfo& info = current->info();
  const auto budget = std::max<std::int64_t>(info.budget, 1);
  study_progress_->setRange(0, static_cast<int>(budget));
  study_progress_->setValue(static_cast<int>(std::min(info.counts.done, budget)));
  study_progress_->setFormat(
      QStringLiteral("%1 · %2/%3%4")
          .arg(studyStatusText(info))
          .arg(info.counts.done)
          .arg(info.budget)
          .arg(info.counts.failed > 0 ? tr(" (+%1 failed)").arg(info.counts.failed) : QString()));
  study_progress_->setToolTip(tr("Study %1: designs evaluated / budget").arg(qs(info.name)));
  if (session_->loading()) {
    // A preview: say so, so that nobody reads the sample as the study.
    study_progress_->setFormat(tr("Reading all %1 designs… showing the front and a sample of %2")
                                   .arg(info.counts.done)
                                   .arg(current->designs().size()));
    study_progress_->setToolTip(
        tr("Large study: its front and an even sample are shown while "
           "every design is read in the background"));
  }
  study_progress_->show();
}

// --- chart controls ------------------------------------------------------------------------------

void MainWindow::fillFieldCombos(bool keep_selection) {
  const StudyData* current = study();
  updating_controls_ = true;
  const QString old_x = x_field_->currentData().toString();
  const QString old_y = y_field_->currentData().toString();
  const QString old_colour = colour_->currentData().toString();
  for (QComboBox* combo : {x_field_, y_field_, colour_}) combo->clear();
  colour_->addItem(tr("(none)"), QString());
  if (current) {
    for (const FieldId& id : current->ordered_fields(true)) {
      x_field_->addItem(qs(id.label()), qs(id.key()));
      y_field_->addItem(qs(id.label()), qs(id.key()));
    }
    for (const FieldId& id : current->ordered_fields(false)) {
      const Field* field = current->field(id);
      if (field && field->varies()) colour_->addItem(qs(id.label()), qs(id.key()));
    }
  }
  if (keep_selection) {
    selectData(x_field_, old_x);
    selectData(y_field_, old_y);
    selectData(colour_, old_colour);
  } else if (current) {
    // The first two objectives on the axes, a third (or the PE count) as colour.
    const auto& objectives = current->info().objectives;
    const std::vector<FieldId> numeric = current->ordered_fields(true);
    auto pick = [&](std::size_t i) -> std::optional<FieldId> {
      if (i < objectives.size() && current->field(gui::metric(objectives[i].name)))
        return gui::metric(objectives[i].name);
      if (i < numeric.size()) return numeric[i];
      return std::nullopt;
    };
    if (auto x = pick(0)) selectData(x_field_, qs(x->key()));
    if (auto y = pick(1)) selectData(y_field_, qs(y->key()));
    if (objectives.size() > 2 && current->field(gui::metric(objectives[2].name))) {
      selectData(colour_, qs(gui::metric(objectives[2].name).key()));
    } else if (current->field(gui::param("pe_count"))) {
      selectData(colour_, qs(gui::param("pe_count").key()));
    } else {
      colour_->setCurrentIndex(0);
    }
    for (auto [combo, direction, log] :
         {std::tuple{x_field_, x_direction_, x_log_}, std::tuple{y_field_, y_direction_, y_log_}}) {
      if (auto id = FieldId::from_key(combo->currentData().toString().toStdString())) {
        direction->setCurrentIndex(current->default_direction(*id) == store::Direction::maximize);
        log->setChecked(wantsLog(current->field(*id)));
      }
    }
  }
  updating_controls_ = false;
}

void MainWindow::readControls() {
  request_.x =
      FieldId::from_key(x_field_->currentData().toString().toStdString()).value_or(FieldId{});
  request_.y =
      FieldId::from_key(y_field_->currentData().toString().toStdString()).value_or(FieldId{});
  request_.x_direction =
      x_direction_->currentIndex() == 1 ? store::Direction::maximize : store::Direction::minimize;
  request_.y_direction =
      y_direction_->currentIndex() == 1 ? store::Direction::maximize : store::Direction::minimize;
  request_.x_log = x_log_->isChecked();
  request_.y_log = y_log_->isChecked();
  request_.colour = FieldId::from_key(colour_->currentData().toString().toStdString());
  request_.show_infeasible = show_infeasible_->isChecked();
  request_.constraints = constraints_->constraints();
}

QString MainWindow::axisTitle(const FieldId& field, store::Direction direction) const {
  return QStringLiteral("%1  (%2 is better)")
      .arg(qs(field.label()), direction == store::Direction::minimize ? tr("lower") : tr("higher"));
}

std::vector<OverlayFront> MainWindow::overlayFronts() const {
  std::vector<OverlayFront> fronts;
  for (const Overlay& overlay : overlays_) {
    PlotRequest request = request_;
    request.colour.reset();
    request.show_infeasible = false;
    const PlotModel model = build_plot(overlay.data, request);
    OverlayFront front;
    front.label = overlay.label;
    for (const PlotPoint& p : model.front) front.points.emplace_back(p.x, p.y);
    fronts.push_back(std::move(front));
  }
  return fronts;
}

void MainWindow::replot() {
  const StudyData* current = study();
  readControls();
  if (!current || x_field_->count() == 0) {
    plot_ = {};
    chart_->setPlot(plot_, request_, {}, {}, false);
    updateParallel();
    summary_->setText(current              ? tr("This study has no evaluated designs yet.")
                      : session_->isOpen() ? tr("Select a study.")
                                           : tr("Open a study database (Ctrl+O)."));
    emit plotUpdated();
    return;
  }
  QElapsedTimer timer;
  timer.start();
  plot_ = build_plot(*current, request_);
  ChartLabels labels;
  labels.x_title = axisTitle(request_.x, request_.x_direction);
  labels.y_title = axisTitle(request_.y, request_.y_direction);
  if (request_.colour) labels.colour_title = qs(request_.colour->name);
  chart_->setPlot(plot_, request_, labels, overlayFronts(), show_stored_front_->isChecked());
  chart_->chart()->setTitle(qs(current->info().name));
  updateParallel();
  updateHighlights();
  last_plot_seconds_ = static_cast<double>(timer.nsecsElapsed()) * 1e-9;

  QStringList parts;
  parts << tr("%1 of %2 designs shown").arg(plot_.shown).arg(plot_.total);
  parts << tr("2-D front: %1").arg(plot_.front.size());
  parts << tr("study front: %1 shown of %2")
               .arg(plot_.stored_front.size())
               .arg(current->front_count());
  if (plot_.filtered_out) parts << tr("%1 hidden by constraints").arg(plot_.filtered_out);
  if (plot_.hidden_infeasible) parts << tr("%1 infeasible hidden").arg(plot_.hidden_infeasible);
  if (!plot_.infeasible.empty()) parts << tr("%1 infeasible").arg(plot_.infeasible.size());
  if (plot_.missing_value) parts << tr("%1 lack a value").arg(plot_.missing_value);
  if (const std::size_t outside = chart_->pointsOutsideAxes())
    parts << tr("%1 beyond the axes (a long tail or infeasible outliers)").arg(outside);
  if (plot_.not_positive_on_log)
    parts << tr("%1 not positive (log axis)").arg(plot_.not_positive_on_log);
  if (current->failed_count()) parts << tr("%1 failed evaluations").arg(current->failed_count());
  summary_->setText(parts.join(QStringLiteral(" · ")));
  emit plotUpdated();
}

void MainWindow::updateHighlights() {
  chart_->setHighlights(selectedDesign(), compare_->designs());
  parallel_->setHighlights(selectedDesign(), compare_->designs());
}

void MainWindow::updateParallel() {
  const StudyData* current = study();
  if (!current) {
    parallel_->setModel({}, tr("Open a study to see its front in parallel coordinates."));
    return;
  }
  std::vector<std::size_t> front;
  const std::vector<Design>& designs = current->designs();
  for (std::size_t d = 0; d < designs.size(); ++d) {
    if (designs[d].on_front && designs[d].feasible && passes_all(designs[d], request_.constraints))
      front.push_back(d);
  }
  ParallelModel model = build_parallel(*current, front, parallel_fields(*current));
  const QString first = model.axes.empty() ? QString() : qs(model.axes.front().field.name);
  parallel_->setModel(
      std::move(model),
      tr("%1 designs of the study front (all objectives)%2; colour: %3, bright = best. Click a "
         "line to select its design, Ctrl+click to compare it.")
          .arg(front.size())
          .arg(request_.constraints.empty() ? QString() : tr(" within the constraints"))
          .arg(first));
}

bool MainWindow::setAxes(const QString& x, const QString& y) {
  const StudyData* current = study();
  if (!current) return false;
  const auto x_id = current->resolve(x.toStdString());
  const auto y_id = current->resolve(y.toStdString());
  if (!x_id || !y_id || x_field_->findData(qs(x_id->key())) < 0 ||
      y_field_->findData(qs(y_id->key())) < 0) {
    reportError(tr("No numeric field named %1")
                    .arg(!x_id || x_field_->findData(qs(x_id->key())) < 0 ? x : y));
    return false;
  }
  // Through the combos, so that directions and log scales follow as for a user.
  selectData(x_field_, qs(x_id->key()));
  selectData(y_field_, qs(y_id->key()));
  replot();
  return true;
}

bool MainWindow::setColourField(const QString& field) {
  if (field.isEmpty()) {
    colour_->setCurrentIndex(0);
    return true;
  }
  const StudyData* current = study();
  const auto id = current ? current->resolve(field.toStdString()) : std::nullopt;
  if (!id || colour_->findData(qs(id->key())) < 0) {
    reportError(tr("No field named %1 to colour by").arg(field));
    return false;
  }
  selectData(colour_, qs(id->key()));
  return true;
}

void MainWindow::setDirections(store::Direction x, store::Direction y) {
  updating_controls_ = true;
  x_direction_->setCurrentIndex(x == store::Direction::maximize);
  y_direction_->setCurrentIndex(y == store::Direction::maximize);
  updating_controls_ = false;
  replot();
}

void MainWindow::setLogAxes(bool x, bool y) {
  updating_controls_ = true;
  x_log_->setChecked(x);
  y_log_->setChecked(y);
  updating_controls_ = false;
  replot();
}

void MainWindow::setShowInfeasible(bool show) {
  show_infeasible_->setChecked(show);
}
void MainWindow::setShowStoredFront(bool show) {
  show_stored_front_->setChecked(show);
}

// --- selection -----------------------------------------------------------------------------------

std::optional<std::size_t> MainWindow::selectedDesign() const {
  if (!selected_trial_ || !study()) return std::nullopt;
  return study()->index_of(*selected_trial_);
}

void MainWindow::selectDesign(std::optional<std::size_t> design) {
  const StudyData* current = study();
  if (!current || !design || *design >= current->designs().size()) {
    selected_trial_.reset();
  } else {
    selected_trial_ = current->designs()[*design].id;
  }
  showSelectedDetails(true);
  updateHighlights();
  if (selected_trial_ && (tabs_->currentWidget() == compare_ || tabs_->currentWidget() == log_)) {
    tabs_->setCurrentWidget(details_);
  }
}

void MainWindow::showSelectedDetails(bool reload_breakdown) {
  const StudyData* current = study();
  const std::optional<std::size_t> design = selectedDesign();
  if (!current || !design) {
    if (reload_breakdown) {
      details_->clear();
      breakdown_->clear(tr("Select a design to see its breakdown."));
      tenants_->clear(tr("Select a design of a serving study to see its tenants."));
    }
    return;
  }
  details_->showDesign(*current, *design);
  if (!reload_breakdown) return;
  const Design& d = current->designs()[*design];
  showTenants(d.id);
  const std::optional<nlohmann::json> stored = session_->breakdown(d.id);
  if (stored) {
    std::string problem;
    if (auto view = parse_breakdown(*stored, &problem)) {
      breakdown_->showBreakdown(*view, tr("Stored breakdown of design #%1.").arg(d.id));
      return;
    }
    BreakdownView fallback = breakdown_from_metrics(d);
    breakdown_->showBreakdown(fallback,
                              tr("The stored breakdown of design #%1 cannot be read (%2); "
                                 "component splits below come from its metrics.")
                                  .arg(d.id)
                                  .arg(qs(problem)));
    return;
  }
  breakdown_->showBreakdown(
      breakdown_from_metrics(d),
      tr("No breakdown stored for design #%1 (searches keep per-layer breakdowns for front "
         "designs). The component splits below come from its metrics.")
          .arg(d.id));
}

// The report's per-tenant table of a serving design, from the details stored with it.
void MainWindow::showTenants(store::TrialId id) {
  const std::optional<reports::Design> design = session_->reportDesign(id);
  if (!design) {
    tenants_->clear(tr("Design #%1 cannot be read.").arg(id));
  } else if (reports::has_tenants(*design)) {
    tenants_->showTenants(reports::tenants_table(*design),
                          tr("Tenants of design #%1 at the scenario's rates (steady-state "
                             "estimates, as the report shows them).")
                              .arg(id));
  } else if (design->workloads.is_null()) {
    tenants_->clear(tr("Design #%1 keeps no per-workload details (searches keep them for front "
                       "designs).")
                        .arg(id));
  } else {
    tenants_->clear(tr("Design #%1 serves no scenario: no tenants.").arg(id));
  }
}

bool MainWindow::selectBest() {
  const StudyData* current = study();
  if (!current) return false;
  const std::optional<ReportPicks> picks = session_->reportPicks();
  if (!picks || !picks->knee) {
    showStatus(tr("This study has no feasible design: no knee"));
    return false;
  }
  // The report's shortlist side by side, the knee selected.
  compare_->clear();
  QStringList named;
  for (const ReportPick& pick : picks->shortlist) {
    if (const auto index = current->index_of(pick.id)) {
      compare_->add(*index);
      QStringList reasons;
      for (const std::string& reason : pick.reasons) reasons << qs(reason);
      named << QStringLiteral("#%1 (%2)").arg(pick.id).arg(reasons.join(QStringLiteral(", ")));
    }
  }
  const std::optional<std::size_t> knee = current->index_of(*picks->knee);
  if (!knee) return false;  // the study changed since it was read: the next poll catches up
  selectDesign(*knee);
  showStatus(tr("The report's shortlist: %1").arg(named.join(QStringLiteral("; "))));
  appendLog(tr("report's knee and shortlist: %1").arg(named.join(QStringLiteral("; "))));
  return true;
}

void MainWindow::showTab(const QString& name) {
  const QString lower = name.toLower();
  if (lower == "design") tabs_->setCurrentWidget(details_);
  if (lower == "breakdown") tabs_->setCurrentWidget(breakdown_);
  if (lower == "tenants") tabs_->setCurrentWidget(tenants_);
  if (lower == "compare") tabs_->setCurrentWidget(compare_);
  if (lower == "log") tabs_->setCurrentWidget(log_);
  if (lower == "scatter") centre_tabs_->setCurrentWidget(centre_tabs_->widget(0));
  if (lower == "parallel") centre_tabs_->setCurrentWidget(parallel_);
  if (lower == "importance") centre_tabs_->setCurrentWidget(importance_);
}

// --- overlays ------------------------------------------------------------------------------------

void MainWindow::rebuildOverlayMenu() {
  overlay_menu_->clear();
  const StudyData* current = study();
  for (const store::StudyInfo& info : session_->studies()) {
    if (current && info.id == current->info().id) continue;
    QAction* action = overlay_menu_->addAction(qs(info.name));
    action->setCheckable(true);
    const QString path = session_->path();
    action->setChecked(std::any_of(overlays_.begin(), overlays_.end(), [&](const Overlay& o) {
      return o.path == path && o.id == info.id;
    }));
    const store::StudyId id = info.id;
    connect(action, &QAction::toggled, this, [this, path, id](bool on) {
      if (on) {
        addOverlay(path, id);
      } else {
        std::erase_if(overlays_, [&](const Overlay& o) { return o.path == path && o.id == id; });
        replot();
      }
    });
  }
  if (!overlay_menu_->isEmpty()) overlay_menu_->addSeparator();
  overlay_menu_->addAction(tr("Study from another file…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Overlay a study from"), QString(),
        tr("Study databases (*.sqlite *.sqlite3 *.db);;All files (*)"));
    if (path.isEmpty()) return;
    try {
      store::Database other(path.toStdString(), {.mode = store::OpenMode::read_only});
      QStringList names;
      std::vector<store::StudyId> ids;
      for (const store::StudyInfo& info : other.studies()) {
        names << qs(info.name);
        ids.push_back(info.id);
      }
      if (ids.empty()) {
        reportError(tr("%1 holds no studies").arg(path));
        return;
      }
      bool ok = true;
      const QString chosen =
          ids.size() == 1
              ? names.front()
              : QInputDialog::getItem(this, tr("Overlay"), tr("Study:"), names, 0, false, &ok);
      if (!ok) return;
      addOverlay(path, ids[static_cast<std::size_t>(names.indexOf(chosen))]);
    } catch (const std::exception& failure) {
      reportError(describeFailure(tr("Cannot open the overlay database"), failure));
    }
  });
  overlay_menu_->addAction(tr("Clear overlays"), this, &MainWindow::clearOverlays);
  overlay_button_->setText(overlays_.empty() ? tr("Overlay fronts")
                                             : tr("Overlay fronts (%1)").arg(overlays_.size()));
}

bool MainWindow::addOverlay(const QString& path, store::StudyId id) {
  std::optional<StudyData> loaded = session_->loadStudy(path, id);
  if (!loaded) return false;
  Overlay overlay;
  overlay.path = path;
  overlay.id = id;
  overlay.label = qs(loaded->info().name);
  if (path != session_->path())
    overlay.label += QStringLiteral(" [%1]").arg(QFileInfo(path).fileName());
  overlay.data = std::move(*loaded);
  std::erase_if(overlays_, [&](const Overlay& o) { return o.path == path && o.id == id; });
  overlays_.push_back(std::move(overlay));
  rebuildOverlayMenu();
  replot();
  return true;
}

void MainWindow::clearOverlays() {
  overlays_.clear();
  rebuildOverlayMenu();
  replot();
}

// --- live refresh --------------------------------------------------------------------------------

void MainWindow::refresh() {
  if (!session_->isOpen()) return;
  session_->refresh();
  // Overlays are re-read on an explicit refresh only: they are usually finished studies.
  for (Overlay& overlay : overlays_) {
    if (auto loaded = session_->loadStudy(overlay.path, overlay.id))
      overlay.data = std::move(*loaded);
  }
  replot();
  showStatus(tr("Refreshed"));
}

void MainWindow::setLiveInterval(int milliseconds) {
  session_->setPollInterval(milliseconds);
  live_label_->setText(milliseconds > 0 ? tr("● live") : tr("○ paused"));
  live_label_->setToolTip(
      milliseconds > 0
          ? tr("Re-reading the database every %1 ms (View > Live refresh)").arg(milliseconds)
          : tr("Live refresh is off; F5 refreshes"));
  if (live_action_) {
    const QSignalBlocker blocker(live_action_);
    live_action_->setChecked(milliseconds > 0);
  }
}

void MainWindow::setBusyTimeout(int milliseconds) {
  session_->setBusyTimeout(std::chrono::milliseconds(milliseconds));
}

// --- search and report ---------------------------------------------------------------------------

void MainWindow::newSearchDialog() {
  const std::optional<QString> cli = findCli();
  QString database = session_->path();
  if (database.isEmpty()) database = QDir::current().filePath("study.sqlite");
  SearchDialog dialog(find_space_files(spaceSearchDirectories()), database, cli.value_or(QString()),
                      this);
  if (dialog.exec() != QDialog::Accepted) return;
  startSearch(dialog.request());
}

void MainWindow::startSearch(const SearchRequest& request) {
  const std::optional<QString> cli = findCli();
  if (!cli) {
    reportError(
        tr("Cannot start a search: the accelscope CLI was not found next to the viewer, "
           "in the build tree or on PATH (set ACCELSCOPE_CLI)"));
    return;
  }
  open_when_search_writes_ = true;
  showTab("log");
  runner_->start(*cli, request);
}

void MainWindow::cancelSearch() {
  if (!runner_->isRunning()) return;
  cancel_search_->setEnabled(false);
  showStatus(tr("Cancelling the search…"));
  runner_->cancel();
}

void MainWindow::exportDialog() {
  if (!study()) {
    reportError(tr("Open a study first"));
    return;
  }
  QString selected_filter;
  const QString suggested = QDir::current().filePath(qs(study()->info().name) + ".html");
  QString path = QFileDialog::getSaveFileName(this, tr("Export report"), suggested,
                                              tr("HTML report (*.html);;PDF report (*.pdf)"),
                                              &selected_filter);
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty())
    path += selected_filter.contains("pdf") ? ".pdf" : ".html";
  exportReport(path);
}

void MainWindow::exportReport(const QString& output) {
  if (!study()) {
    reportError(tr("Open a study first"));
    emit reportFinished(false, last_error_);
    return;
  }
  const std::optional<QString> cli = findCli();
  if (!cli) {
    reportError(tr("Cannot export: the accelscope CLI was not found (set ACCELSCOPE_CLI)"));
    emit reportFinished(false, last_error_);
    return;
  }
  showStatus(tr("Writing report %1…").arg(output));
  exporter_->start(*cli, session_->path(), study()->info().id, output);
}

}  // namespace accelscope::gui
