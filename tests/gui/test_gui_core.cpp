// The viewer's data logic without widgets: study loading and live refresh, field catalogue, 2-D
// front, constraints, colour groups, breakdown parsing and the CLI contract.
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "fixture.hpp"
#include "gui/core/breakdown.hpp"
#include "gui/core/cli.hpp"
#include "gui/core/importance.hpp"
#include "gui/core/parallel.hpp"
#include "gui/core/plot_model.hpp"
#include "gui/core/search_log.hpp"
#include "gui/core/study_data.hpp"
#include "store/pareto.hpp"

using namespace accelscope;
using namespace accelscope::gui;

namespace {

// The 2-D front by brute force (the store's reference implementation), as design indices.
std::set<std::size_t> bruteFront(const std::vector<PlotPoint>& points, store::Direction dx,
                                 store::Direction dy) {
  std::vector<std::vector<double>> values;
  for (const PlotPoint& p : points) {
    values.push_back({dx == store::Direction::maximize ? -p.x : p.x,
                      dy == store::Direction::maximize ? -p.y : p.y});
  }
  std::set<std::size_t> out;
  for (std::size_t i : store::non_dominated(values)) out.insert(points[i].design);
  return out;
}

std::set<std::size_t> designsOf(const std::vector<PlotPoint>& points) {
  std::set<std::size_t> out;
  for (const PlotPoint& p : points) out.insert(p.design);
  return out;
}

void makeExecutable(const QString& path) {
  std::ofstream(path.toStdString()) << "#!/bin/sh\nexit 0\n";
  QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

}  // namespace

class GuiCoreTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    path_ = dir_.filePath("example.sqlite").toStdString();
    fixture::write_example_database(path_, 0.5);
  }

  void paretoFront2dMatchesBruteForce() {
    std::mt19937 random(11);
    std::uniform_int_distribution<int> coarse(0, 12);  // coarse values: many ties and duplicates
    for (int round = 0; round < 200; ++round) {
      std::vector<PlotPoint> points;
      const int n = 1 + round % 40;
      for (int i = 0; i < n; ++i) {
        points.push_back({double(coarse(random)), double(coarse(random)), std::size_t(i)});
      }
      for (auto dx : {store::Direction::minimize, store::Direction::maximize}) {
        for (auto dy : {store::Direction::minimize, store::Direction::maximize}) {
          const std::vector<std::size_t> front = pareto_front_2d(points, dx, dy);
          std::set<std::size_t> got;
          for (std::size_t i : front) got.insert(points[i].design);
          QCOMPARE(got, bruteFront(points, dx, dy));
          QCOMPARE(got.size(), front.size());
          for (std::size_t i = 1; i < front.size(); ++i)
            QVERIFY(points[front[i - 1]].x <= points[front[i]].x);
        }
      }
    }
    const std::vector<PlotPoint> with_nan = {{std::nan(""), 1, 0}, {1, 1, 1}};
    QCOMPARE(
        pareto_front_2d(with_nan, store::Direction::minimize, store::Direction::minimize).size(),
        std::size_t(1));
  }

  void loadsStudyAndCatalogue() {
    store::Database db(path_, {.mode = store::OpenMode::read_only});
    const auto studies = db.studies();
    QCOMPARE(studies.size(), std::size_t(3));
    const StudyData data = StudyData::load(db, studies[0].id);
    const auto counts = db.counts(studies[0].id);
    QCOMPARE(static_cast<std::int64_t>(data.designs().size()), counts.done);
    QCOMPARE(static_cast<std::int64_t>(data.failed_count()), counts.failed);
    QVERIFY(data.failed_count() > 0);
    QCOMPARE(data.front_count(), db.front(studies[0].id).size());

    // Objectives first, then other metrics; parameters flattened with categories.
    const std::vector<FieldId> fields = data.ordered_fields(true);
    QCOMPARE(fields[0], metric("latency_ms"));
    QCOMPARE(fields[1], metric("energy_mj"));
    QCOMPARE(fields[2], metric("area_mm2"));
    const Field* dataflow = data.field(param("array.dataflow"));
    QVERIFY(dataflow && !dataflow->numeric);
    QCOMPARE(dataflow->categories, (std::vector<std::string>{"is", "os", "ws"}));
    const Field* rows = data.field(param("array.rows"));
    QVERIFY(rows && rows->few_values());
    QCOMPARE(rows->distinct.front(), 8.0);
    QVERIFY(std::find(fields.begin(), fields.end(), param("array.dataflow")) == fields.end());

    QCOMPARE(*data.resolve("latency_ms"), metric("latency_ms"));
    QCOMPARE(*data.resolve("array.rows"), param("array.rows"));
    QCOMPARE(*data.resolve("param:pe_count"), param("pe_count"));
    QVERIFY(!data.resolve("no_such_field"));
    QCOMPARE(data.default_direction(metric("throughput_per_s")), store::Direction::maximize);
    QCOMPARE(data.default_direction(metric("tops_per_w")), store::Direction::maximize);
    QCOMPARE(data.default_direction(metric("power_w")), store::Direction::minimize);

    // Every design is found by its id; violation lists read back as stored (shared texts);
    // only parameters with text values have a text column.
    std::map<store::TrialId, std::vector<std::string>> stored_violations;
    for (const store::Trial& t : db.trials(studies[0].id))
      if (t.status == store::TrialStatus::done && t.violations.is_array())
        stored_violations[t.id] = t.violations.get<std::vector<std::string>>();
    std::size_t infeasible = 0;
    for (std::size_t i = 0; i < data.designs().size(); ++i) {
      const Design& d = data.designs()[i];
      QCOMPARE(*data.index_of(d.id), i);
      QCOMPARE(d.violations(), stored_violations[d.id]);
      infeasible += !d.feasible;
    }
    QVERIFY(infeasible > 1);
    QVERIFY(data.columns().violation_texts.size() < infeasible);
    QVERIFY(!data.index_of(-1));
    const DesignColumns& columns = data.columns();
    QVERIFY(columns.texts_of(columns.column_of.at(param("array.dataflow"))));
    QVERIFY(!columns.texts_of(columns.column_of.at(param("array.rows"))));

    const std::string tip = data.tooltip(0, {metric("power_w")});
    QVERIFY(tip.find("array.rows = ") != std::string::npos);
    QVERIFY(tip.find("latency_ms = ") != std::string::npos);
    QVERIFY(tip.find("power_w = ") != std::string::npos);
  }

  void plotCountsFrontAndConstraints() {
    store::Database db(path_, {.mode = store::OpenMode::read_only});
    const StudyData data = StudyData::load(db, db.studies()[0].id);
    PlotRequest request;
    request.x = metric("latency_ms");
    request.y = metric("energy_mj");
    PlotModel model = build_plot(data, request);
    QCOMPARE(model.shown, data.designs().size());
    std::vector<PlotPoint> feasible;
    for (const ColourGroup& g : model.groups)
      feasible.insert(feasible.end(), g.points.begin(), g.points.end());
    QCOMPARE(feasible.size() + model.infeasible.size(), model.shown);
    QVERIFY(!model.infeasible.empty());
    QCOMPARE(designsOf(model.front),
             bruteFront(feasible, request.x_direction, request.y_direction));
    std::size_t stored = 0;
    for (const Design& d : data.designs()) stored += d.on_front && d.feasible;
    QCOMPARE(model.stored_front.size(), stored);

    // Hiding infeasible designs keeps the front (it only ever uses feasible ones).
    request.show_infeasible = false;
    const PlotModel without = build_plot(data, request);
    QCOMPARE(without.hidden_infeasible, model.infeasible.size());
    QCOMPARE(designsOf(without.front), designsOf(model.front));

    // An area cap below the front's largest area changes the front; every shown design obeys it.
    double largest = 0;
    for (const PlotPoint& p : model.front)
      largest = std::max(largest, *data.designs()[p.design].value(metric("area_mm2")));
    request.constraints = {{metric("area_mm2"), std::nullopt, largest * 0.5}};
    const PlotModel capped = build_plot(data, request);
    QVERIFY(capped.filtered_out > 0);
    QVERIFY(designsOf(capped.front) != designsOf(model.front));
    for (const ColourGroup& g : capped.groups) {
      for (const PlotPoint& p : g.points)
        QVERIFY(*data.designs()[p.design].value(metric("area_mm2")) <= largest * 0.5);
    }
    // Maximising energy turns the front around.
    request.constraints.clear();
    request.y_direction = store::Direction::maximize;
    const PlotModel flipped = build_plot(data, request);
    QVERIFY(designsOf(flipped.front) != designsOf(without.front));

    // Log axes drop non-positive values and say so.
    request.x = param("aspect");
    request.x_log = true;
    QCOMPARE(build_plot(data, request).not_positive_on_log, std::size_t(0));
  }

  void colourGroups() {
    store::Database db(path_, {.mode = store::OpenMode::read_only});
    const StudyData data = StudyData::load(db, db.studies()[0].id);
    PlotRequest request;
    request.x = metric("latency_ms");
    request.y = metric("energy_mj");
    request.colour = param("array.dataflow");
    PlotModel model = build_plot(data, request);
    QCOMPARE(model.groups.size(), std::size_t(3));
    QCOMPARE(model.groups[0].label, std::string("is"));
    QVERIFY(!model.colour_numeric);
    request.colour = param("array.rows");
    model = build_plot(data, request);
    QCOMPARE(model.groups.size(), std::size_t(5));
    QCOMPARE(model.groups[0].label, std::string("8"));
    request.colour = metric("power_w");
    request.colour_bins = 5;
    model = build_plot(data, request);
    QVERIFY(model.colour_numeric && model.groups.size() <= 5 && !model.groups.empty());
    std::size_t total = 0;
    for (const ColourGroup& g : model.groups) total += g.points.size();
    QCOMPARE(total + model.infeasible.size(), model.shown);

    // Skewed values still spread over the bins.
    std::vector<double> skewed;
    for (int i = 1; i <= 100; ++i) skewed.push_back(i < 95 ? i : 1e6 * i);
    const std::vector<double> quantiles = quantile_bin_edges(skewed, 4);
    QCOMPARE(quantiles.size(), std::size_t(5));
    QCOMPARE(quantiles.front(), 1.0);
    QCOMPARE(quantiles[2], 51.0);
    QCOMPARE(quantiles.back(), 1e8);
    QCOMPARE(quantile_bin_edges({3, 3, 3}, 4), (std::vector<double>{3, 3}));
    QVERIFY(quantile_bin_edges({}, 4).empty());

    const std::vector<double> edges = colour_bin_edges(1, 1000, 3, true);
    QCOMPARE(edges.size(), std::size_t(4));
    QVERIFY(std::fabs(edges[1] - 10) < 1e-9 && std::fabs(edges[2] - 100) < 1e-6);
  }

  // Issue 15: the front in parallel coordinates, one axis per objective and space parameter.
  void parallelCoordinatesOfTheFront() {
    store::Database db(path_, {.mode = store::OpenMode::read_only});
    const StudyData data = StudyData::load(db, db.studies()[0].id);
    std::vector<std::size_t> front;
    for (std::size_t d = 0; d < data.designs().size(); ++d)
      if (data.designs()[d].on_front) front.push_back(d);
    QVERIFY(front.size() >= 3);
    const std::vector<FieldId> fields = parallel_fields(data);
    QCOMPARE(fields.front(), metric(data.info().objectives.front().name));
    QVERIFY(std::find(fields.begin(), fields.end(), param("array.dataflow")) != fields.end());
    const ParallelModel model = build_parallel(data, front, fields);
    QCOMPARE(model.axes.size(), fields.size());
    QCOMPARE(model.heights.size(), front.size());
    for (std::size_t a = 0; a < fields.size(); ++a) {
      const ParallelAxis& axis = model.axes[a];
      for (std::size_t line = 0; line < front.size(); ++line) {
        const double t = model.heights[line][a];
        QVERIFY(t >= 0 && t <= 1);
        const Design& design = data.designs()[front[line]];
        if (!axis.categories.empty()) {
          // A category sits at its rank among the categories.
          const auto rank =
              std::find(axis.categories.begin(), axis.categories.end(), *design.text(fields[a])) -
              axis.categories.begin();
          QVERIFY(std::fabs(t * (axis.categories.size() - 1) - rank) < 1e-9);
        } else {
          // The height gives the value back.
          const double value = *design.value(fields[a]);
          QVERIFY2(std::fabs(parallel_value(axis, t) - value) <= 1e-9 * std::fabs(value) + 1e-12,
                   fields[a].name.c_str());
        }
      }
    }
    QCOMPARE(model.axes[0].direction, std::optional(data.info().objectives.front().direction));
  }

  // Issue 15: parameter importance from the viewer's columns equals search::parameter_importance
  // on the same designs read independently from the store (parameter values by name).
  void importanceOfTheParameters() {
    store::Database db(path_, {.mode = store::OpenMode::read_only});
    const StudyData data = StudyData::load(db, db.studies()[0].id);
    const StudyImportance importance = study_importance(data);
    QVERIFY(!importance.parameters.empty());
    QCOMPARE(importance.objectives.size(), data.info().objectives.size());
    std::vector<std::vector<double>> parameters(importance.parameters.size()),
        objectives(importance.objectives.size());
    std::vector<bool> categorical;
    for (const FieldId& id : importance.parameters) categorical.push_back(!data.field(id)->numeric);
    store::TrialFilter done;
    done.status = store::TrialStatus::done;
    db.for_each_trial(data.info().id, done, [&](store::Trial&& trial) {
      for (std::size_t j = 0; j < parameters.size(); ++j) {
        const nlohmann::json& value = trial.params[importance.parameters[j].name];
        if (value.is_string()) {  // a category: its index among the study's text values
          const auto& texts = data.columns().text_values;
          parameters[j].push_back(static_cast<double>(
              std::find(texts.begin(), texts.end(), value.get<std::string>()) - texts.begin()));
        } else {
          parameters[j].push_back(value.get<double>());
        }
      }
      for (std::size_t o = 0; o < objectives.size(); ++o)
        objectives[o].push_back(trial.metrics[importance.objectives[o].name].get<double>());
    });
    QCOMPARE(importance.table.designs_seen, data.designs().size());
    const search::ImportanceTable expected =
        search::parameter_importance(parameters, categorical, objectives);
    for (std::size_t o = 0; o < objectives.size(); ++o)
      for (std::size_t j = 0; j < parameters.size(); ++j) {
        QCOMPARE(importance.table.entries[o][j].first_order, expected.entries[o][j].first_order);
        const double rank = importance.table.entries[o][j].rank_correlation;
        QVERIFY(std::isnan(rank) ? std::isnan(expected.entries[o][j].rank_correlation)
                                 : rank == expected.entries[o][j].rank_correlation);
      }
  }

  void searchLogLinesAreSentences() {
    const auto progress = format_search_log_line(
        R"({"budget":952560,"designs_per_s":360.27,"done":15092,"elapsed_s":41.9,)"
        R"("event":"progress","failed":0,"front_size":148,"hypervolume":11066.898,"study":"edge"})");
    QVERIFY(progress);
    QCOMPARE(QString::fromStdString(*progress),
             QString("edge: 15092/952560 designs (2%), 360 designs/s, ETA 43 min, front 148, "
                     "hypervolume 1.107e+04"));
    const auto done = format_search_log_line(
        R"({"event":"done","study":"edge","study_id":3,"done":400,"front_size":23,)"
        R"("elapsed_s":12.5,"hypervolume":0.5,"hypervolume_estimated":true})");
    QCOMPARE(QString::fromStdString(done.value()),
             QString("edge: finished, 400 designs in 12 s, front 23, hypervolume ~0.5"));
    QCOMPARE(QString::fromStdString(format_search_log_line("  [info] a message \n").value()),
             QString("[info] a message"));
    QVERIFY(!format_search_log_line("   "));
    QCOMPARE(QString::fromStdString(format_search_log_line(R"({"event":"x","a":1.5})").value()),
             QString("x: a=1.5"));

    LineSplitter lines;
    QVERIFY(lines.add("ab").empty());
    QCOMPARE(lines.add("c\r\nde\nf"), (std::vector<std::string>{"abc", "de"}));
    QCOMPARE(lines.rest(), std::string("f"));
  }

  void previewHoldsTheFrontAndAnEvenSample() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("preview.sqlite").toStdString();
    fixture::StudyOptions options;
    options.name = "large";
    options.budget = 1500;  // above the 1,024 rows between checks of a load's stop token
    options.evaluate = 1500;
    options.breakdown_every = 0;
    store::Database db(path);
    const store::StudyId id = fixture::write_study(db, options);
    const StudyData full = StudyData::load(db, id);
    const StudyData preview = StudyData::load_preview(db, id, 75);
    QVERIFY(full.complete());
    QVERIFY(!preview.complete());
    QCOMPARE(preview.info().counts.done, full.info().counts.done);
    // Every front design, and every 20th other (1500 / 75) by seq: far fewer than all.
    std::size_t front = 0;
    for (const Design& design : full.designs()) {
      if (!design.on_front) continue;
      ++front;
      QVERIFY2(preview.index_of(design.id).has_value(), "a front design is missing");
    }
    QVERIFY(front > 0);
    QVERIFY2(preview.designs().size() <= front + 76 && preview.designs().size() >= 60,
             qPrintable(QString::number(preview.designs().size())));
    // The same values as the full read, design by design.
    for (const Design& shown : preview.designs()) {
      const auto index = full.index_of(shown.id);
      QVERIFY(index.has_value());
      const Design& same = full.designs()[*index];
      QCOMPARE(shown.on_front, same.on_front);
      QCOMPARE(shown.feasible, same.feasible);
      QVERIFY(shown.metrics() == same.metrics());
    }
    // The catalogue covers the same fields (the sample meets every metric and parameter).
    QCOMPARE(preview.fields().size(), full.fields().size());

    // A load whose stop was requested gives up with LoadCancelled instead of reading on.
    std::stop_source stop;
    stop.request_stop();
    bool cancelled = false;
    try {
      (void)StudyData::load(db, id, stop.get_token());
    } catch (const LoadCancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
  }

  void refreshPicksUpNewResults() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("live.sqlite").toStdString();
    fixture::StudyOptions options;
    options.name = "live";
    options.budget = 80;
    options.evaluate = 40;
    store::Database writer(path);
    const store::StudyId id = fixture::write_study(writer, options);
    store::Database reader(path, {.mode = store::OpenMode::read_only});
    StudyData data = StudyData::load(reader, id);
    QCOMPARE(data.designs().size(), std::size_t(40));
    QVERIFY(!data.refresh(reader).changed);

    fixture::add_trials(writer, id, options, 40, 25);
    const RefreshResult result = data.refresh(reader);
    QVERIFY(result.changed);
    QCOMPARE(result.added, std::size_t(25));
    QVERIFY(!result.reloaded);
    QCOMPARE(data.designs().size(), std::size_t(65));
    QCOMPARE(data.info().counts.done, std::int64_t(65));
    std::set<store::TrialId> front_ids;
    for (const auto& t : reader.front(id)) front_ids.insert(t.id);
    for (const Design& d : data.designs()) QCOMPARE(d.on_front, front_ids.contains(d.id));
    for (std::size_t i = 0; i < data.designs().size(); ++i)
      QCOMPARE(*data.index_of(data.designs()[i].id), i);

    // A status change alone is noticed too.
    writer.set_status(id, store::StudyStatus::done);
    const RefreshResult status = data.refresh(reader);
    QVERIFY(status.changed);
    QCOMPARE(status.added, std::size_t(0));
    QCOMPARE(data.info().status, store::StudyStatus::done);
  }

  void breakdownParsing() {
    store::Database db(path_, {.mode = store::OpenMode::read_only});
    const store::StudyId id = db.studies()[0].id;
    const auto front = db.front(id);
    QVERIFY(!front.empty());
    const auto stored = db.breakdown(front[0].id);
    QVERIFY(stored);
    std::string error;
    const auto view = parse_breakdown(*stored, &error);
    QVERIFY2(view, error.c_str());
    QCOMPARE(view->workloads.size(), std::size_t(2));
    const WorkloadBreakdown& resnet =
        view->workloads[1].name == "resnet50" ? view->workloads[1] : view->workloads[0];
    QCOMPARE(resnet.name, std::string("resnet50"));
    QCOMPARE(resnet.layers.size(), std::size_t(73));
    QCOMPARE(resnet.conv.layers, std::size_t(54));
    QCOMPARE(resnet.nonconv.layers, std::size_t(19));
    // The layers add up to the workload's latency and energy.
    const double latency = resnet.conv.compute_ms + resnet.conv.stall_ms +
                           resnet.nonconv.compute_ms + resnet.nonconv.stall_ms;
    QVERIFY(std::fabs(latency - resnet.latency_ms) < 1e-6 * resnet.latency_ms);
    QVERIFY(std::fabs((resnet.conv.energy_uj + resnet.nonconv.energy_uj) * 1e-3 -
                      resnet.energy_mj) < 1e-6 * resnet.energy_mj);
    // The report's components in its order (io: the DRAM interface, none in this fixture).
    QCOMPARE(resnet.energy_by_component_mj.size(), std::size_t(6));
    QCOMPARE(resnet.energy_by_component_mj[3].first, std::string("io"));
    // Area: PE array, four SRAM buffers, vector unit, overhead.
    QCOMPARE(view->area_by_component_mm2.size(), std::size_t(7));
    QCOMPARE(view->area_by_component_mm2[0].first, std::string("overhead"));

    const std::vector<LayerRow> grouped = group_layers(resnet.layers, 25);
    QCOMPARE(grouped.size(), std::size_t(25));  // 73 layers, 3 per bar
    QCOMPARE(grouped[0].merged, std::size_t(3));
    QCOMPARE(grouped.back().merged, std::size_t(1));
    QCOMPARE(grouped[0].name, resnet.layers[0].name + " … " + resnet.layers[2].name);
    double sum = 0;
    for (const LayerRow& r : grouped) sum += r.latency_ms();
    QVERIFY(std::fabs(sum - latency) < 1e-6 * latency);
    QCOMPARE(group_layers(resnet.layers, 100).size(), resnet.layers.size());

    QVERIFY(!parse_breakdown(nlohmann::json::array(), &error));
    QVERIFY(!error.empty());
    const auto partial = parse_breakdown(
        nlohmann::json{{"workloads", {{"w", {{"layers", {{{"name", "x"}}}}}}}}}, &error);
    QVERIFY(partial && partial->workloads.size() == 1 && partial->workloads[0].layers.size() == 1);

    const StudyData data = StudyData::load(db, id);
    const BreakdownView metrics_only = breakdown_from_metrics(data.designs()[0]);
    QVERIFY(metrics_only.from_metrics);
    QCOMPARE(metrics_only.energy_by_component_mj.size(), std::size_t(5));
    QCOMPARE(metrics_only.area_by_component_mm2.size(), std::size_t(4));
  }

  void cliContract() {
    SearchRequest request;
    request.space = "spaces/edge.json";
    request.database = "/tmp/s.sqlite";
    request.strategy = "random";
    request.budget = 64;
    request.seed = 3;
    request.study = "edge-random";
    QCOMPARE(search_arguments(request),
             (std::vector<std::string>{"search", "spaces/edge.json", "--db", "/tmp/s.sqlite",
                                       "--strategy", "random", "--budget", "64", "--seed", "3",
                                       "--study", "edge-random"}));
    request.threads = 2;
    QCOMPARE(search_arguments(request)[10], std::string("--threads"));
    QCOMPARE(default_study_name("spaces/edge_int8.json", "nsga2", 1),
             std::string("edge_int8-nsga2-s1"));
    QTemporaryDir dir;
    std::ofstream(dir.filePath("named.json").toStdString())
        << R"({"name": "edge", "parameters": []})";
    QCOMPARE(default_study_name(dir.filePath("named.json").toStdString(), "random", 7),
             std::string("edge-random-s7"));
    QCOMPARE(report_format_for("out/report.PDF"), ReportFormat::pdf);
    QCOMPARE(report_format_for("out/report.html"), ReportFormat::html);
    QCOMPARE(report_arguments("a.sqlite", 2, ReportFormat::pdf, "r.pdf"),
             (std::vector<std::string>{"report", "--db", "a.sqlite", "--study", "2", "--format",
                                       "pdf", "-o", "r.pdf"}));
  }

  void locatesCli() {
    QTemporaryDir dir;
    QDir root(dir.path());
    root.mkpath("app");
    root.mkpath("engine");
    root.mkpath("bin1");
    root.mkpath("bin2");
    const std::string app = dir.filePath("app").toStdString();
    const std::string path_variable =
        (dir.filePath("bin1") + ":" + dir.filePath("bin2")).toStdString();
    QVERIFY(!locate_cli(app, path_variable));
    makeExecutable(dir.filePath("bin2/accelscope"));
    QCOMPARE(locate_cli(app, path_variable)->string(),
             dir.filePath("bin2/accelscope").toStdString());
    makeExecutable(dir.filePath("engine/accelscope"));  // the build tree beats PATH
    QCOMPARE(locate_cli(app, path_variable)->string(),
             dir.filePath("engine/accelscope").toStdString());
    makeExecutable(dir.filePath("app/accelscope"));  // next to the viewer beats both
    QCOMPARE(locate_cli(app, path_variable)->string(),
             dir.filePath("app/accelscope").toStdString());
    makeExecutable(dir.filePath("override"));
    QCOMPARE(locate_cli(app, path_variable, dir.filePath("override").toStdString())->string(),
             dir.filePath("override").toStdString());
    // Not executable: skipped.
    std::ofstream(dir.filePath("bin1/accelscope").toStdString()) << "x";
    QFile::remove(dir.filePath("app/accelscope"));
    QFile::remove(dir.filePath("engine/accelscope"));
    QCOMPARE(locate_cli(app, path_variable)->string(),
             dir.filePath("bin2/accelscope").toStdString());
  }

  void findsSpaceFiles() {
    QTemporaryDir dir;
    QDir(dir.path()).mkpath("examples");
    std::ofstream(dir.filePath("a.json").toStdString()) << R"({"parameters": []})";
    std::ofstream(dir.filePath("tech.json").toStdString()) << R"({"nodes": []})";
    std::ofstream(dir.filePath("broken.json").toStdString()) << "{";
    std::ofstream(dir.filePath("examples/b.json").toStdString())
        << R"({"parameters": [], "objectives": []})";
    const auto found = find_space_files({dir.path().toStdString(), "/no/such/dir"});
    QCOMPARE(found.size(), std::size_t(2));
    QCOMPARE(found[0].filename().string(), std::string("a.json"));
    QCOMPARE(found[1].filename().string(), std::string("b.json"));
  }

  void formatsNumbers() {
    QCOMPARE(format_number(1024), std::string("1024"));
    QCOMPARE(format_number(3.14159), std::string("3.142"));
    QCOMPARE(format_number(0.000123), std::string("1.230e-04"));
    QCOMPARE(format_number(std::nan("")), std::string("n/a"));
  }

 private:
  QTemporaryDir dir_;
  std::filesystem::path path_;
};

QTEST_GUILESS_MAIN(GuiCoreTest)
#include "test_gui_core.moc"
