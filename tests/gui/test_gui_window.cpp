// The viewer's window driven as a user would: open a study, read the chart, filter, click a
// design, compare, overlay, survive bad files, follow a running search, start and cancel one,
// export a report.
#include <sqlite3.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLogValueAxis>
#include <QPushButton>
#include <QScopeGuard>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QTreeWidget>
#include <QValueAxis>
#include <QXYSeries>
#include <fstream>
#include <random>
#include <set>

#include "fixture.hpp"
#include "gui/core/plot_model.hpp"
#include "gui/widgets/compare_pane.hpp"
#include "gui/widgets/constraint_panel.hpp"
#include "gui/widgets/detail_pane.hpp"
#include "gui/widgets/importance_pane.hpp"
#include "gui/widgets/main_window.hpp"
#include "gui/widgets/parallel_view.hpp"
#include "gui/widgets/search_dialog.hpp"
#include "gui/widgets/search_runner.hpp"
#include "gui/widgets/session.hpp"
#include "gui/widgets/tenants_pane.hpp"
#include "reports/report_data.hpp"
#include "reports/tenants.hpp"
#include "store/pareto.hpp"

using namespace accelscope;
using namespace accelscope::gui;

namespace {

// Front of the feasible designs of a study on two minimised metrics, by brute force.
QList<QPointF> expectedFront(const StudyData& study, const std::string& x, const std::string& y,
                             const std::vector<Constraint>& constraints = {}) {
  std::vector<std::vector<double>> values;
  for (const Design& d : study.designs()) {
    if (!d.feasible || !passes_all(d, constraints)) continue;
    values.push_back({*d.value(metric(x)), *d.value(metric(y))});
  }
  QList<QPointF> out;
  for (std::size_t i : store::non_dominated(values))
    out.append(QPointF(values[i][0], values[i][1]));
  std::sort(out.begin(), out.end(), [](const QPointF& a, const QPointF& b) {
    return a.x() != b.x() ? a.x() < b.x() : a.y() < b.y();
  });
  return out;
}

std::optional<std::size_t> designWithBreakdown(store::Database& db, const StudyData& study,
                                               bool wanted) {
  for (std::size_t i = 0; i < study.designs().size(); ++i) {
    if (db.breakdown(study.designs()[i].id).has_value() == wanted) return i;
  }
  return std::nullopt;
}

}  // namespace

class GuiWindowTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // recent files go to a test location
    if (qEnvironmentVariableIsEmpty("ACCELSCOPE_CLI")) qputenv("ACCELSCOPE_CLI", FAKE_ACCELSCOPE);
    QCoreApplication::setOrganizationName("accelscope-tests");
    QVERIFY(dir_.isValid());
    example_ = dir_.filePath("example.sqlite");
    fixture::write_example_database(example_.toStdString(), 0.5);
  }

  void init() {
    window_ = std::make_unique<MainWindow>();
    window_->setLiveInterval(0);
    window_->resize(1280, 800);
    window_->show();
  }
  void cleanup() { window_.reset(); }

  void loadingFillsChartAndFront() {
    QSignalSpy errors(window_.get(), &MainWindow::errorReported);
    QVERIFY(window_->openDatabase(example_));
    QCOMPARE(errors.count(), 0);
    QCOMPARE(window_->studyTable()->rowCount(), 3);
    const StudyData* study = window_->study();
    QVERIFY(study);
    QCOMPARE(QString::fromStdString(study->info().name), QString("edge-inference-22nm"));
    // Defaults: the first two objectives, the third as colour.
    QCOMPARE(window_->request().x, metric("latency_ms"));
    QCOMPARE(window_->request().y, metric("energy_mj"));
    QCOMPARE(*window_->request().colour, metric("area_mm2"));
    ScatterChartView* chart = window_->chartView();
    QCOMPARE(chart->designPointCount(), static_cast<int>(study->designs().size()));
    QCOMPARE(chart->frontLine(), expectedFront(*study, "latency_ms", "energy_mj"));
    std::size_t stored = 0;
    for (const Design& d : study->designs()) stored += d.on_front;
    QCOMPARE(static_cast<std::size_t>(chart->storedFrontPoints().size()), stored);
    QVERIFY(window_->summaryText().contains(
        QString("%1 of %1 designs shown").arg(study->designs().size())));
    QVERIFY2(window_->studyProgressText().contains(QString("%1/300").arg(study->designs().size())),
             qPrintable(window_->studyProgressText()));

    // Other axes: the front is recomputed for them.
    QVERIFY(window_->setAxes("area_mm2", "latency_ms"));
    QCOMPARE(chart->frontLine(), expectedFront(*study, "area_mm2", "latency_ms"));
    window_->setShowInfeasible(false);
    std::size_t feasible = 0;
    for (const Design& d : study->designs()) feasible += d.feasible;
    QCOMPARE(chart->designPointCount(), static_cast<int>(feasible));
    QCOMPARE(chart->frontLine(), expectedFront(*study, "area_mm2", "latency_ms"));
    window_->setLogAxes(true, false);
    QVERIFY(chart->xLogarithmic());
    QVERIFY(!chart->yLogarithmic());
    QVERIFY(window_->setColourField("array.dataflow"));
    QVERIFY(chart->legendNames().join(";").contains("array.dataflow: is"));
    QVERIFY(!window_->setAxes("no_such_metric", "latency_ms"));
    QVERIFY(window_->lastError().contains("no_such_metric"));
  }

  void largeStudyOpensAsAPreviewThenWhole() {
    // The example's first study has 150 designs: above a threshold of 100 it opens as a preview.
    window_->session()->setPreview(100, 30);
    QSignalSpy completed(window_->session(), &StudySession::studyCompleted);
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(window_->session()->loading());
    const StudyData* preview = window_->study();
    QVERIFY(preview && !preview->complete());
    const auto all = static_cast<std::size_t>(preview->info().counts.done);
    QVERIFY2(preview->designs().size() < all, qPrintable(QString::number(all)));
    QCOMPARE(window_->chartView()->designPointCount(), static_cast<int>(preview->designs().size()));
    QVERIFY2(window_->studyProgressText().contains("sample"),
             qPrintable(window_->studyProgressText()));
    // What the user picked in the preview survives the switch to the whole study (by id).
    std::size_t picked = 0;
    while (!preview->designs()[picked].on_front) ++picked;
    const store::TrialId picked_id = preview->designs()[picked].id;
    const store::TrialId compared_id = preview->designs().back().id;
    window_->selectDesign(picked);
    window_->comparePane()->add(preview->designs().size() - 1);

    QVERIFY(completed.wait(20000));
    QVERIFY(!window_->session()->loading());
    const StudyData* whole = window_->study();
    QVERIFY(whole && whole->complete());
    QCOMPARE(whole->designs().size(), all);
    QCOMPARE(window_->chartView()->designPointCount(), static_cast<int>(all));
    QVERIFY(!window_->studyProgressText().contains("sample"));
    const auto selected = window_->selectedDesign();
    QVERIFY(selected.has_value());
    QCOMPARE(whole->designs()[*selected].id, picked_id);
    QCOMPARE(window_->comparePane()->designs().size(), std::size_t{1});
    QCOMPARE(whole->designs()[window_->comparePane()->designs().front()].id, compared_id);
  }

  void aNewSelectionStopsTheBackgroundRead() {
    window_->session()->setPreview(100, 30);
    QSignalSpy completed(window_->session(), &StudySession::studyCompleted);
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(window_->session()->loading());
    // The 7 nm study (second) has 150 designs too; then a small threshold-free reload.
    const store::StudyId second = window_->session()->studies()[1].id;
    window_->session()->setPreview(0, 1);
    QVERIFY(window_->session()->selectStudy(second));
    QVERIFY(!window_->session()->loading());
    QCOMPARE(window_->study()->info().id, second);
    QVERIFY(window_->study()->complete());
    // The first study's read, if it still finishes, must not replace the second.
    QTest::qWait(300);
    QCOMPARE(window_->study()->info().id, second);
    QCOMPARE(static_cast<std::int64_t>(window_->study()->designs().size()),
             window_->study()->info().counts.done);
  }

  void filtersChangeTheFront() {
    QVERIFY(window_->openDatabase(example_));
    const StudyData* study = window_->study();
    const QList<QPointF> unfiltered = window_->chartView()->frontLine();
    const int all_points = window_->chartView()->designPointCount();
    double max_area = 0;
    for (const Design& d : study->designs()) {
      if (d.feasible) max_area = std::max(max_area, *d.value(metric("area_mm2")));
    }
    ConstraintPanel* panel = window_->constraintPanel();
    const double cap = max_area * 0.3;
    panel->addConstraint(metric("area_mm2"), std::nullopt, cap);
    const std::vector<Constraint> constraints = {{metric("area_mm2"), std::nullopt, cap}};
    QCOMPARE(window_->chartView()->frontLine(),
             expectedFront(*study, "latency_ms", "energy_mj", constraints));
    QVERIFY(window_->chartView()->frontLine() != unfiltered);
    QVERIFY(window_->chartView()->designPointCount() < all_points);
    QVERIFY(window_->summaryText().contains("hidden by constraints"));

    // Dragging the slider to the far left leaves (almost) nothing; to the right, everything.
    panel->setSliderPosition(0, 0);
    QVERIFY(window_->chartView()->designPointCount() <= 2);
    panel->setSliderPosition(0, 1000);
    QCOMPARE(window_->chartView()->designPointCount(), all_points);
    QCOMPARE(window_->chartView()->frontLine(), unfiltered);

    // A second bound on another metric combines with the first.
    panel->setBounds(0, std::nullopt, cap);
    const int row = panel->addConstraint(metric("power_w"));
    QCOMPARE(row, 1);
    double median_power = 0;
    {
      std::vector<double> powers;
      for (const Design& d : study->designs()) powers.push_back(*d.value(metric("power_w")));
      std::nth_element(powers.begin(), powers.begin() + powers.size() / 2, powers.end());
      median_power = powers[powers.size() / 2];
    }
    panel->setBounds(1, median_power, std::nullopt);
    const std::vector<Constraint> both = {{metric("area_mm2"), std::nullopt, cap},
                                          {metric("power_w"), median_power, std::nullopt}};
    QCOMPARE(window_->chartView()->frontLine(),
             expectedFront(*study, "latency_ms", "energy_mj", both));
    panel->removeConstraint(1);
    panel->removeConstraint(0);
    QCOMPARE(window_->chartView()->frontLine(), unfiltered);
  }

  void clickingADesignFillsTheDetailPane() {
    QVERIFY(window_->openDatabase(example_));
    const StudyData* study = window_->study();
    store::Database db(example_.toStdString(), {.mode = store::OpenMode::read_only});
    const auto with = designWithBreakdown(db, *study, true);
    QVERIFY(with);
    // Click it in the chart: the series reports its point, the window maps it to the design.
    const auto located = window_->chartView()->locate(*with);
    QVERIFY(located);
    emit located->first->clicked(located->second);
    QCOMPARE(window_->selectedDesign(), with);
    const Design& design = study->designs()[*with];
    DesignDetailPane* details = window_->detailPane();
    QVERIFY(details->title().contains(QString("Design #%1").arg(design.id)));
    QCOMPARE(details->valueOf("latency_ms"),
             QString::fromStdString(format_number(*design.value(metric("latency_ms")))));
    QCOMPARE(details->valueOf("array.dataflow"),
             QString::fromStdString(*design.text(param("array.dataflow"))));
    QVERIFY(details->tree()->topLevelItemCount() >= 3);
    BreakdownPane* breakdown = window_->breakdownPane();
    QVERIFY(breakdown->message().contains("Stored breakdown"));
    QCOMPARE(breakdown->workloads().size(), 2);
    const QStringList titles = breakdown->chartTitles();
    QCOMPARE(titles.size(), 5);
    QVERIFY(titles[0].startsWith("Latency by layer"));
    QVERIFY(titles[1].startsWith("Energy by layer"));
    QVERIFY(titles[2].startsWith("Conv/GEMM vs non-conv"));
    QVERIFY(titles[3].startsWith("Energy by component"));
    QVERIFY(titles[4].startsWith("Area by component"));
    breakdown->setWorkload(1);
    QCOMPARE(breakdown->chartCount(), 5);

    // A design without a stored breakdown says so and still shows the component splits.
    const auto without = designWithBreakdown(db, *study, false);
    QVERIFY(without);
    window_->selectDesign(*without);
    QVERIFY(breakdown->message().contains("No breakdown stored"));
    QCOMPARE(breakdown->chartTitles(),
             (QStringList{"Energy by component (weight-averaged)", "Area by component"}));
  }

  // Issue 12: a serving design's tenants in the report's own table (reports::tenants_table) from
  // the details stored with it; a design without them says why.
  void servingDesignShowsItsTenants() {
    const QString path = dir_.filePath("serving.sqlite");
    std::vector<store::TrialId> ids;
    {
      store::Database db(path.toStdString());
      fixture::StudyOptions options;
      options.name = "serving";
      const store::StudyId study =
          db.create_or_resume_study(fixture::study_config(options)).study.id;
      const std::vector<store::ProposedPoint> points{fixture::propose(options, 0),
                                                     fixture::propose(options, 1)};
      db.add_pending(study, 0, 0, points);
      std::vector<store::Completion> completions;
      for (const store::Trial& trial : db.claim_pending(study, store::default_worker_id(), 2)) {
        store::TrialResult result = fixture::evaluate(options, trial.params);
        // As engine::add_serving_results records them (the second design keeps none).
        result.workloads = trial.seq > 0 ? nlohmann::json(nullptr)
                                         : nlohmann::json{{"bert_base",
                                                           {{"mode", "serving"},
                                                            {"batch", 4},
                                                            {"partition", 0.75},
                                                            {"partition_cols", 96},
                                                            {"replicas", 1},
                                                            {"p50_ms", 2.5},
                                                            {"p99_ms", 8.75},
                                                            {"slo_ms", 10},
                                                            {"percentile", 99},
                                                            {"slo_attainment", 1.0},
                                                            {"throughput_per_s", 100},
                                                            {"meets_slo", true}}},
                                                          {"mobilenet_v2",
                                                           {{"mode", "serving"},
                                                            {"batch", 1},
                                                            {"partition", 0.25},
                                                            {"partition_cols", 16},
                                                            {"replicas", 2},
                                                            {"p50_ms", nullptr},
                                                            {"p99_ms", nullptr},
                                                            {"slo_ms", 24},
                                                            {"percentile", 99},
                                                            {"slo_attainment", 0.0},
                                                            {"throughput_per_s", 312.5},
                                                            {"meets_slo", false}}}};
        ids.push_back(trial.id);
        completions.push_back({trial.id, std::move(result)});
      }
      db.complete_many(completions);
    }
    QVERIFY(window_->openDatabase(path));
    const StudyData* study = window_->study();
    QVERIFY(study);
    const auto index_of = [&](store::TrialId id) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < study->designs().size(); ++i)
        if (study->designs()[i].id == id) return i;
      return std::nullopt;
    };
    window_->showTab("tenants");
    window_->selectDesign(index_of(ids[0]));
    TenantsPane* pane = window_->tenantsPane();
    QVERIFY(pane->message().contains(QString("design #%1").arg(ids[0])));
    QTableWidget* table = pane->table();
    QCOMPARE(table->rowCount(), 2);
    QStringList headers;
    for (int c = 0; c < table->columnCount(); ++c)
      headers << table->horizontalHeaderItem(c)->text();
    QCOMPARE(headers, (QStringList{"Tenant", "Partition", "Batch", "p50", "p99", "SLO",
                                   "Attainment", "Throughput (req/s)", "SLO met"}));
    // The cells are the report's, word for word.
    store::Database db(path.toStdString(), {.mode = store::OpenMode::read_only});
    const reports::Table expected = reports::tenants_table(reports::design_of(*db.trial(ids[0])));
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < table->columnCount(); ++c)
        QCOMPARE(table->item(r, c)->text(),
                 QString::fromStdString(
                     expected.rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]));
    QCOMPARE(table->item(0, 0)->text(), QString("bert_base"));
    QVERIFY(table->item(0, 1)->text().contains("96 cols"));
    QCOMPARE(table->item(0, 2)->text(), QString("4"));
    QVERIFY(table->item(1, 1)->text().contains("2 x 16 cols"));
    QCOMPARE(table->item(1, 4)->text(), QString("unbounded"));
    QCOMPARE(table->item(1, 8)->text(), QString("no"));
    // A design that keeps no details says so; no table.
    window_->selectDesign(index_of(ids[1]));
    QVERIFY(pane->message().contains("keeps no per-workload details"));
    QCOMPARE(pane->table()->rowCount(), 0);
    // A design of an ordinary study has no tenants.
    QVERIFY(window_->openDatabase(example_));
    window_->selectDesign(std::size_t{0});
    QVERIFY(pane->message().contains("no tenants") ||
            pane->message().contains("keeps no per-workload details"));
  }

  // Issue 15 point 8: "Select knee" selects the design the report calls the knee and compares the
  // report's shortlist, whatever the axes show.
  void selectKneeSelectsTheReportsKneeAndShortlist() {
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(window_->setAxes("area_mm2", "power_w"));  // axes that are not the objectives
    const StudyData* study = window_->study();
    store::Database db(example_.toStdString(), {.mode = store::OpenMode::read_only});
    const reports::ReportData report = reports::collect(db, study->info().id, {});
    QVERIFY(report.knee);
    QVERIFY(report.shortlist.size() >= 2);
    QVERIFY(window_->selectBest());
    const Design& selected = study->designs()[*window_->selectedDesign()];
    QCOMPARE(selected.id, report.front_design(*report.knee).trial_id);
    QVERIFY(selected.on_front);
    std::vector<store::TrialId> compared, shortlisted;
    for (std::size_t d : window_->comparePane()->designs())
      compared.push_back(study->designs()[d].id);
    for (const reports::ShortlistEntry& entry : report.shortlist)
      shortlisted.push_back(report.front_design(entry.front_index).trial_id);
    QCOMPARE(compared, shortlisted);
  }

  void comparingDesigns() {
    QVERIFY(window_->openDatabase(example_));
    const StudyData* study = window_->study();
    ComparePane* compare = window_->comparePane();
    const auto& front = window_->plot().front;
    QVERIFY(front.size() >= 2);
    compare->toggle(front[0].design);
    compare->add(front[1].design);
    compare->add(front[1].design);  // once only
    QCOMPARE(compare->table()->columnCount(), 2);
    const QStringList latency = compare->rowValues("latency_ms");
    QCOMPARE(latency.size(), 2);
    QCOMPARE(latency[0],
             QString::fromStdString(*study->designs()[front[0].design].text(metric("latency_ms"))));
    QCOMPARE(compare->rowValues("study front").size(), 2);
    QVERIFY(!compare->rowValues("array.rows (param)").isEmpty());
    // Issue 15 point 8: parameters first; a "best" in bold only where better has a direction.
    QVERIFY(compare->table()->verticalHeaderItem(2)->text().endsWith("(param)"));
    auto bold = [&](const QString& label) {
      for (int r = 0; r < compare->table()->rowCount(); ++r) {
        if (compare->table()->verticalHeaderItem(r)->text() != label) continue;
        int count = 0;
        for (int c = 0; c < compare->table()->columnCount(); ++c)
          count += compare->table()->item(r, c)->font().bold();
        return count;
      }
      return -1;
    };
    QCOMPARE(bold("latency_ms"), 1);     // an objective
    QCOMPARE(bold("die_cost_usd"), 1);   // a known metric: lower is better
    QCOMPARE(bold("tops_per_w"), 1);     // higher is better
    QCOMPARE(bold("area.sram_mm2"), 0);  // a component split: no better way
    QCOMPARE(bold("dram_mib"), 0);
    QCOMPARE(bold("array.rows (param)"), 0);
    // Both design columns fit the pane: long row labels give way.
    window_->showTab("compare");
    QTest::qWait(50);
    const QTableWidget* table = compare->table();
    QVERIFY2(table->columnViewportPosition(1) + table->columnWidth(1) <= table->viewport()->width(),
             qPrintable(QString("column 2 ends at %1 of %2")
                            .arg(table->columnViewportPosition(1) + table->columnWidth(1))
                            .arg(table->viewport()->width())));
    compare->toggle(front[0].design);
    QCOMPARE(compare->table()->columnCount(), 1);
    compare->clear();
    QCOMPARE(compare->table()->columnCount(), 0);
  }

  // Issue 15: a design is named by its trial id (what `accelscope show --design ID`, `front` and
  // the report print) in the tooltip, the detail pane and the comparison, never by its seq. The
  // second study of the file has ids far from its seqs, so a seq would not pass.
  void designsAreNamedByTheirTrialId() {
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(window_->selectStudyByName("edge-inference-7nm"));
    const StudyData* study = window_->study();
    store::Database db(example_.toStdString(), {.mode = store::OpenMode::read_only});
    const std::size_t index = window_->plot().front.front().design;
    const Design& design = study->designs()[index];
    const std::optional<store::Trial> stored = db.trial(design.id, false);
    QVERIFY(stored);
    QVERIFY(stored->seq + 1 != design.id);  // the two numberings differ in this study
    QCOMPARE(stored->metrics["latency_ms"].get<double>(), *design.value(metric("latency_ms")));
    const QString name = QString("#%1").arg(design.id);

    const auto located = window_->chartView()->locate(index);
    QVERIFY(located);
    emit located->first->hovered(located->second, true);
    QVERIFY2(QToolTip::text().startsWith("design " + name), qPrintable(QToolTip::text()));
    emit located->first->hovered(located->second, false);

    window_->selectDesign(index);
    QVERIFY2(window_->detailPane()->title().contains("Design " + name),
             qPrintable(window_->detailPane()->title()));
    QCOMPARE(window_->detailPane()->valueOf("id"), QString::number(design.id));
    QVERIFY(window_->breakdownPane()->message().contains("design " + name));

    window_->comparePane()->add(index);
    QCOMPARE(window_->comparePane()->table()->horizontalHeaderItem(0)->text(), name);
    QCOMPARE(study->index_of(design.id), std::optional<std::size_t>(index));
  }

  // Issue 15: parallel coordinates of the study front, a click on a line selects its design;
  // the importance tab ranks the space's parameters for each objective.
  void parallelCoordinatesAndImportance() {
    QVERIFY(window_->openDatabase(example_));
    const StudyData* study = window_->study();
    window_->showTab("parallel");
    ParallelCoordinatesView* view = window_->parallelView();
    QTRY_VERIFY(view->isVisible());
    QCOMPARE(view->model().designs.size(), study->front_count());
    const std::size_t line = 1;
    const auto a = view->pointOf(line, 0), b = view->pointOf(line, 1);
    QVERIFY(a && b);
    const QPointF middle = (*a + *b) / 2;
    QCOMPARE(view->designAt(middle), std::optional(view->model().designs[line]));
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, middle.toPoint());
    // (another line may pass within a pixel of the same spot)
    QVERIFY(window_->selectedDesign());
    QVERIFY(study->designs()[*window_->selectedDesign()].on_front);

    window_->showTab("importance");
    ImportancePane* importance = window_->importancePane();
    QTRY_VERIFY(importance->isVisible());
    const StudyImportance& computed = importance->importance();
    QCOMPARE(importance->table()->rowCount(), static_cast<int>(computed.parameters.size()) + 1);
    QCOMPARE(importance->table()->columnCount(), static_cast<int>(computed.objectives.size()));
    QVERIFY(importance->caption().contains(
        QString("over %1 evaluated designs").arg(study->designs().size())));
    // The first row is the parameter that explains most of some objective.
    double largest = 0;
    std::size_t top = 0;
    for (const auto& row : computed.table.entries)
      for (std::size_t j = 0; j < row.size(); ++j)
        if (row[j].first_order > largest) largest = row[j].first_order, top = j;
    QCOMPARE(importance->table()->verticalHeaderItem(0)->text(),
             QString::fromStdString(computed.parameters[top].name));
  }

  // Issue 15 point 6: a log axis only while the shown values span more than 10x (never a log
  // axis with one label under a constraint), enough labels, and ranges that hold every front
  // design.
  void axesFollowTheData() {
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(window_->setAxes("area_mm2", "latency_ms"));
    window_->setLogAxes(true, true);
    ScatterChartView* chart = window_->chartView();
    auto horizontal = [&] { return chart->chart()->axes(Qt::Horizontal).front(); };
    double low = 1e300, high = 0;
    for (const ColourGroup& group : window_->plot().groups)
      for (const PlotPoint& p : group.points) low = std::min(low, p.x), high = std::max(high, p.x);
    QVERIFY(high / low > 10);  // the fixture's areas: a log axis
    QVERIFY(chart->xLogarithmic());
    if (auto* log_axis = qobject_cast<QLogValueAxis*>(horizontal())) {
      // Labels at powers of the base: at least three in the range.
      const double labels =
          std::log(log_axis->max() / log_axis->min()) / std::log(log_axis->base());
      QVERIFY2(labels >= 3, qPrintable(QString::number(labels)));
    }
    // A constraint leaves a span under 10x: the axis turns linear and says so.
    window_->constraintPanel()->addConstraint(metric("area_mm2"), low * 2, low * 6);
    QVERIFY(!chart->xLogarithmic());
    QVERIFY(horizontal()->titleText().contains("linear"));
    auto* linear = qobject_cast<QValueAxis*>(horizontal());
    QVERIFY(linear && linear->tickCount() >= 3);
    QVERIFY(linear->min() > 0);  // not stretched to zero
    // Every design of the 2-D front lies within the axes.
    for (const PlotPoint& p : window_->plot().front)
      QVERIFY(p.x >= linear->min() && p.x <= linear->max());
  }

  void overlayingAnotherStudy() {
    QVERIFY(window_->openDatabase(example_));
    const auto& studies = window_->session()->studies();
    QVERIFY(window_->addOverlay(example_, studies[1].id));
    QCOMPARE(window_->chartView()->overlayCount(), 1);
    QVERIFY2(window_->chartView()->legendNames().join(";").contains("front of edge-inference-7nm"),
             qPrintable(window_->chartView()->legendNames().join(";")));
    // A study of another file (e.g. another technology node kept elsewhere).
    QTemporaryDir dir;
    const QString other = dir.filePath("other.sqlite");
    fixture::write_example_database(other.toStdString(), 0.05);
    QVERIFY(window_->addOverlay(other, 1));
    QCOMPARE(window_->chartView()->overlayCount(), 2);
    QVERIFY(window_->chartView()->legendNames().join(";").contains("[other.sqlite]"));
    // An overlay that cannot be read is reported, and the chart keeps what it had.
    QSignalSpy errors(window_.get(), &MainWindow::errorReported);
    QVERIFY(!window_->addOverlay(dir.filePath("missing.sqlite"), 1));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(window_->chartView()->overlayCount(), 2);
    window_->clearOverlays();
    QCOMPARE(window_->chartView()->overlayCount(), 0);
    // Switching studies keeps working.
    QVERIFY(window_->selectStudy(studies[2].id));
    QCOMPARE(QString::fromStdString(window_->study()->info().name), QString("edge-training-22nm"));
    QVERIFY(window_->studyProgressText().contains("paused"));
  }

  void badFilesGiveMessages_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("random bytes") << "random"
                                  << "not an SQLite database";
    QTest::newRow("foreign sqlite") << "foreign"
                                    << "not an accelscope study database";
    QTest::newRow("missing") << "missing"
                             << "Cannot open the study database";
    QTest::newRow("empty") << "empty"
                           << "Cannot open the study database";
    QTest::newRow("directory") << "directory"
                               << "Cannot open the study database";
  }

  void badFilesGiveMessages() {
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QString path = dir.filePath("bad.sqlite");
    if (kind == "random") {
      std::mt19937 random(5);
      std::ofstream out(path.toStdString(), std::ios::binary);
      for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(random()));
    } else if (kind == "foreign") {
      sqlite3* raw = nullptr;
      QCOMPARE(sqlite3_open(path.toUtf8().constData(), &raw), SQLITE_OK);
      QCOMPARE(sqlite3_exec(raw, "CREATE TABLE songs(title TEXT); INSERT INTO songs VALUES('x')",
                            nullptr, nullptr, nullptr),
               SQLITE_OK);
      sqlite3_close(raw);
    } else if (kind == "empty") {
      std::ofstream(path.toStdString());
    } else if (kind == "directory") {
      path = dir.path();
    }
    QSignalSpy errors(window_.get(), &MainWindow::errorReported);
    QVERIFY(!window_->openDatabase(path));
    QCOMPARE(errors.count(), 1);
    const QString message = errors.front().front().toString();
    QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
    QCOMPARE(window_->errorBanner(), message);
    QVERIFY(!window_->study());
    QCOMPARE(window_->chartView()->designPointCount(), 0);
    // The window still works afterwards.
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(window_->study());
  }

  void lockedDatabaseGivesMessage() {
    QTemporaryDir dir;
    const QString path = dir.filePath("locked.sqlite");
    fixture::write_example_database(path.toStdString(), 0.05);
    // Another process holding an exclusive lock (locking_mode=EXCLUSIVE keeps it after a write).
    sqlite3* holder = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &holder), SQLITE_OK);
    QCOMPARE(sqlite3_exec(holder,
                          "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
                          "UPDATE study SET updated_at = updated_at; COMMIT;",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    window_->setBusyTimeout(200);
    QSignalSpy errors(window_.get(), &MainWindow::errorReported);
    QVERIFY(!window_->openDatabase(path));
    QCOMPARE(errors.count(), 1);
    const QString message = errors.front().front().toString();
    QVERIFY2(message.contains("locked", Qt::CaseInsensitive), qPrintable(message));
    sqlite3_close(holder);
    QVERIFY(window_->openDatabase(path));
  }

  void liveRefreshFollowsAWriter() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("live.sqlite").toStdString();
    fixture::StudyOptions options;
    options.name = "running";
    options.budget = 100;
    options.evaluate = 30;
    store::Database writer(path);
    const store::StudyId id = fixture::write_study(writer, options);
    writer.set_status(id, store::StudyStatus::running);
    window_->setLiveInterval(100);
    QVERIFY(window_->openDatabase(QString::fromStdString(path)));
    QCOMPARE(window_->chartView()->designPointCount(), 30);
    QVERIFY(window_->studyProgressText().contains("30/100"));
    const StudyData* study = window_->study();
    window_->selectDesign(0);
    const store::TrialId selected = study->designs()[0].id;

    fixture::add_trials(writer, id, options, 30, 40);
    QTRY_COMPARE_WITH_TIMEOUT(window_->chartView()->designPointCount(), 70, 5000);
    QVERIFY(window_->studyProgressText().contains("70/100"));
    QCOMPARE(window_->chartView()->frontLine(),
             expectedFront(*window_->study(), "latency_ms", "energy_mj"));
    // The selection survives the refresh.
    QCOMPARE(window_->study()->designs()[*window_->selectedDesign()].id, selected);
    // The study table follows too.
    QTRY_VERIFY_WITH_TIMEOUT(window_->studyTable()->item(0, 2)->text() == "70/100", 5000);
  }

  void searchFromTheViewer() {
    QTemporaryDir dir;
    const QString space = dir.filePath("space.json");
    std::ofstream(space.toStdString()) << R"({"parameters": []})";
    SearchRequest request;
    request.space = space.toStdString();
    request.database = dir.filePath("search.sqlite").toStdString();
    request.strategy = "random";
    request.budget = 25;
    request.study = "from-viewer";
    window_->setLiveInterval(100);
    QSignalSpy finished(window_->searchRunner(), &SearchRunner::finished);
    QSignalSpy progress(window_->searchRunner(), &SearchRunner::progressChanged);
    window_->startSearch(request);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.front()[0].toBool(), true);
    QVERIFY(progress.count() >= 2);
    QCOMPARE(progress.back()[0].toLongLong(), 25);
    // The viewer opened what the search wrote.
    QVERIFY(window_->study());
    QCOMPARE(QString::fromStdString(window_->study()->info().name), QString("from-viewer"));
    QTRY_COMPARE_WITH_TIMEOUT(window_->chartView()->designPointCount(), 25, 5000);
    const QString log = window_->logText();
    QVERIFY(log.contains("Search finished"));
    // Issue 15 point 8: the log reads as sentences, one per line: progress from the CLI's JSON
    // lines ("from-viewer: 20/25 designs (80%), ..."), the summary, and one line for the front
    // table it printed, not the JSON or the table itself.
    QVERIFY2(log.contains("from-viewer: 20/25 designs (80%)"), qPrintable(log));
    QVERIFY2(log.contains("25 designs, "), qPrintable(log));
    QVERIFY2(log.contains("is in the chart"), qPrintable(log));
    QVERIFY2(!log.contains("{\"") && !log.contains("latency_ms      energy_mj"), qPrintable(log));
    for (const QString& line : log.split('\n')) QVERIFY2(line.size() < 160, qPrintable(line));
  }

  void cancellingASearchLeavesAResumableStudy() {
    QTemporaryDir dir;
    const QString space = dir.filePath("space.json");
    std::ofstream(space.toStdString()) << R"({"parameters": []})";
    qputenv("FAKE_ACCELSCOPE_DELAY_MS", "100");
    SearchRequest request;
    request.space = space.toStdString();
    request.database = dir.filePath("cancel.sqlite").toStdString();
    request.budget = 1000;
    request.study = "cancelled";
    SearchRunner* runner = window_->searchRunner();
    QSignalSpy finished(runner, &SearchRunner::finished);
    window_->startSearch(request);
    QTRY_VERIFY_WITH_TIMEOUT(runner->done() >= 3, 20000);
    window_->cancelSearch();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 15000);
    qunsetenv("FAKE_ACCELSCOPE_DELAY_MS");
    QCOMPARE(finished.front()[0].toBool(), false);
    QCOMPARE(finished.front()[1].toBool(), true);  // cancelled, not failed
    QVERIFY(finished.front()[2].toString().contains("resume"));
    store::Database db(request.database, {.mode = store::OpenMode::read_only});
    const auto study = db.find_study("cancelled");
    QVERIFY(study);
    QCOMPARE(study->status, store::StudyStatus::paused);
    QVERIFY(study->counts.done >= 3 && study->counts.done < 1000);
    QVERIFY(window_->lastError().isEmpty());
  }

  void failingSearchIsReported() {
    SearchRequest request;
    request.space = "/no/such/space.json";
    request.database = dir_.filePath("never.sqlite").toStdString();
    request.study = "never";
    QSignalSpy errors(window_.get(), &MainWindow::errorReported);
    window_->startSearch(request);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 15000);
    QVERIFY2(errors.front().front().toString().contains("no such design-space file"),
             qPrintable(errors.front().front().toString()));

    // A failure after progress lines reports the error line, not the last progress line.
    QTemporaryDir dir;
    const QString space = dir.filePath("space.json");
    std::ofstream(space.toStdString()) << R"({"parameters": []})";
    request.space = space.toStdString();
    request.database = dir.filePath("failing.sqlite").toStdString();
    request.budget = 100;
    qputenv("FAKE_ACCELSCOPE_FAIL_AT", "25");
    auto unset = qScopeGuard([] { qunsetenv("FAKE_ACCELSCOPE_FAIL_AT"); });
    window_->startSearch(request);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 2, 15000);
    const QString message = errors.back().front().toString();
    QVERIFY2(message.contains("disk I/O error") && !message.contains("{"), qPrintable(message));
    QVERIFY(window_->logText().contains("20/100 designs"));
  }

  void exportingAReport() {
    QVERIFY(window_->openDatabase(example_));
    QTemporaryDir dir;
    const QString out = dir.filePath("report.html");
    QSignalSpy done(window_.get(), &MainWindow::reportFinished);
    window_->exportReport(out);
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 15000);
    QVERIFY2(done.front()[0].toBool(), qPrintable(done.front()[1].toString()));
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("edge-inference-22nm"));
  }

  void mouseClickOnAPointSelectsIt_data() {
    QTest::addColumn<int>("threshold");
    QTest::addColumn<int>("density");
    QTest::newRow("marker items") << 1000000 << 1000000;
    QTest::newRow("light markers") << 0 << 1000000;
    QTest::newRow("density layer") << 1000000 << 0;
  }

  void mouseClickOnAPointSelectsIt() {
    QFETCH(int, threshold);
    QFETCH(int, density);
    ScatterChartView::setLightMarkerThreshold(threshold);
    ScatterChartView::setDensityThreshold(static_cast<std::size_t>(density));
    const auto restore = qScopeGuard([] {
      ScatterChartView::setLightMarkerThreshold(1500);
      ScatterChartView::setDensityThreshold(20000);
    });
    QVERIFY(window_->openDatabase(example_));
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    // Dense plots: every design in one density image, the fronts still exact markers.
    QCOMPARE(window_->chartView()->densityMode(), density == 0);
    QCOMPARE(window_->chartView()->designPointCount(), static_cast<int>(window_->plot().shown));
    QCOMPARE(window_->chartView()->frontLine().size(),
             static_cast<qsizetype>(window_->plot().front.size()));
    // A front point: drawn on top, so the click lands on it.
    const std::size_t design = window_->plot().front[window_->plot().front.size() / 2].design;
    const auto located = window_->chartView()->locate(design);
    QVERIFY(located);
    ScatterChartView* view = window_->chartView();
    const QPointF scene =
        view->chart()->mapToScene(view->chart()->mapToPosition(located->second, located->first));
    const QPoint pos = view->mapFromScene(scene);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, pos);
    QTRY_COMPARE(window_->selectedDesign(), std::optional<std::size_t>(design));
    // Ctrl+click adds to the comparison instead.
    const std::size_t other = window_->plot().front.front().design;
    const auto other_located = window_->chartView()->locate(other);
    const QPoint other_pos = view->mapFromScene(view->chart()->mapToScene(
        view->chart()->mapToPosition(other_located->second, other_located->first)));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, other_pos);
    QTRY_COMPARE(window_->comparePane()->designs(), std::vector<std::size_t>{other});
    QCOMPARE(window_->selectedDesign(), std::optional<std::size_t>(design));
  }

  void hoverShowsATooltip() {
    QVERIFY(window_->openDatabase(example_));
    const std::size_t design = window_->plot().front.front().design;
    const auto located = window_->chartView()->locate(design);
    QVERIFY(located);
    emit located->first->hovered(located->second, true);
    const QString text = QToolTip::text();
    const Design& d = window_->study()->designs()[design];
    QVERIFY2(text.contains(QString("design #%1").arg(d.id)), qPrintable(text));
    QVERIFY(text.contains("array.dataflow = "));
    QVERIFY(text.contains("latency_ms = "));
    emit located->first->hovered(located->second, false);
  }

  void keyboardShortcuts() {
    QSet<QString> shortcuts;
    for (QAction* action : window_->findChildren<QAction*>()) {
      shortcuts.insert(action->shortcut().toString());
    }
    for (const char* key : {"Ctrl+O", "F5", "Ctrl+E", "Ctrl+N", "Ctrl+K"}) {
      QVERIFY2(shortcuts.contains(QString(key)), key);
    }
  }

  void searchDialogBuildsTheRequest() {
    QTemporaryDir dir;
    const QString space = dir.filePath("edge.json");
    std::ofstream(space.toStdString()) << R"({"name": "edge", "parameters": []})";
    SearchDialog dialog({space.toStdString()}, dir.filePath("s.sqlite"), "/usr/bin/accelscope");
    SearchRequest request = dialog.request();
    QCOMPARE(QString::fromStdString(request.space.string()), space);
    QCOMPARE(QString::fromStdString(request.database.string()), dir.filePath("s.sqlite"));
    QCOMPARE(request.strategy, std::string("nsga2"));
    QCOMPARE(request.study, std::string("edge-nsga2-s1"));  // the CLI's own default name
    auto* strategy = dialog.findChildren<QComboBox*>().at(1);
    strategy->setCurrentText("random");
    QCOMPARE(dialog.request().study, std::string("edge-random-s1"));
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    // Without a CLI the dialog cannot start anything.
    SearchDialog without({space.toStdString()}, dir.filePath("s.sqlite"), QString());
    QVERIFY(!without.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
  }

  void recentFilesAreRemembered() {
    QVERIFY(window_->openDatabase(example_));
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    QVERIFY(!recent.isEmpty());
    QCOMPARE(recent.front(), QFileInfo(example_).absoluteFilePath());
  }

 private:
  QTemporaryDir dir_;
  QString example_;
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(GuiWindowTest)
#include "test_gui_window.moc"
