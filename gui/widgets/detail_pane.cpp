#include "gui/widgets/detail_pane.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalPercentBarSeries>
#include <QLegend>
#include <QPieSeries>
#include <QPieSlice>
#include <QScrollArea>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include "gui/widgets/palette.hpp"

namespace accelscope::gui {

namespace {

QString qs(const std::string& text) {
  return QString::fromStdString(text);
}

QTreeWidgetItem* section(QTreeWidget* tree, const QString& name) {
  auto* item = new QTreeWidgetItem(tree, {name});
  QFont font = item->font(0);
  font.setBold(true);
  item->setFont(0, font);
  item->setFirstColumnSpanned(true);
  item->setExpanded(true);
  return item;
}

void row(QTreeWidgetItem* parent, const QString& name, const QString& value,
         const QString& tooltip = {}) {
  auto* item = new QTreeWidgetItem(parent, {name, value});
  item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
  if (!tooltip.isEmpty()) item->setToolTip(0, tooltip);
}

QString shortName(const std::string& name, int max_chars = 14) {
  QString text = qs(name);
  return text.size() > max_chars ? text.left(max_chars - 1) + QChar(0x2026) : text;
}

QChartView* chartView(const QString& title, int height = 250) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(height);
  return view;
}

// "73 layers" or "219 layers, 4 per bar": the chart titles say what the bars stand for.
QString layerCount(const std::vector<LayerRow>& bars, std::size_t layers) {
  if (bars.size() < layers) {
    return QObject::tr("%1 layers, %2 per bar").arg(layers).arg(bars.front().merged);
  }
  return QObject::tr("%1 layers").arg(layers);
}

QBarCategoryAxis* layerAxis(const std::vector<LayerRow>& layers) {
  auto* axis = new QBarCategoryAxis;
  QStringList names;
  // Categories must be unique (QBarCategoryAxis merges equal ones), and layer names shortened
  // or grouped repeat: number them.
  for (std::size_t i = 0; i < layers.size(); ++i) {
    names << (layers.size() > 12
                  ? QString::number(i + 1)
                  : QStringLiteral("%1 %2").arg(i + 1).arg(shortName(layers[i].name)));
  }
  axis->append(names);
  // Names only fit a few bars; beyond that each bar's tooltip names its layers.
  if (layers.size() > 12) {
    axis->setLabelsVisible(false);
  } else {
    axis->setLabelsAngle(layers.size() > 5 ? -60 : 0);
  }
  return axis;
}

QValueAxis* valueAxis() {
  auto* axis = new QValueAxis;
  axis->setLabelFormat("%.4g");
  axis->setTickCount(5);
  return axis;
}

QString layerTooltip(const LayerRow& layer) {
  QString text = qs(layer.name);
  if (layer.merged > 1) text += QObject::tr("\n(%1 layers)").arg(layer.merged);
  if (!layer.op.empty()) {
    text += QStringLiteral(" (%1").arg(qs(layer.op)) +
            (layer.phase.empty() ? QString() : ", " + qs(layer.phase)) + ")";
  }
  text += QObject::tr("\ncompute %1 ms, stall %2 ms\nenergy %3 µJ")
              .arg(qs(format_number(layer.compute_ms)), qs(format_number(layer.stall_ms)),
                   qs(format_number(layer.energy_uj)));
  if (!layer.unit.empty()) text += QObject::tr("\nunit: ") + qs(layer.unit);
  return text;
}

// A stacked bar per layer: layer names on X (tooltips on hover), values on Y.
void show_layer_series(QChartView* view, QStackedBarSeries* series,
                       const std::vector<LayerRow>& layers) {
  series->setBarWidth(0.85);
  QObject::connect(
      series, &QStackedBarSeries::hovered, view, [layers](bool status, int i, QBarSet*) {
        if (status && i >= 0 && i < static_cast<int>(layers.size())) {
          QToolTip::showText(QCursor::pos(), layerTooltip(layers[static_cast<std::size_t>(i)]));
        }
      });
  view->chart()->addSeries(series);
  QBarCategoryAxis* x = layerAxis(layers);
  QValueAxis* y = valueAxis();
  view->chart()->addAxis(x, Qt::AlignBottom);
  view->chart()->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  y->applyNiceNumbers();
}

// Slices of energy components take the component's colour (as in the report), others (area
// parts) the category palette.
QChartView* pieChart(const QString& title, const NamedValues& values, const QString& unit,
                     bool components) {
  QChartView* view = chartView(title, 230);
  auto* series = new QPieSeries;
  double total = 0;
  for (const auto& [name, value] : values) total += std::max(value, 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& [name, value] = values[i];
    if (value <= 0) continue;
    const double share = total > 0 ? 100.0 * value / total : 0;
    QPieSlice* slice = series->append(
        QStringLiteral("%1: %2 %3 (%4%)")
            .arg(qs(name), qs(format_number(value, 3)), unit, QString::number(share, 'f', 1)),
        value);
    slice->setColor(components ? palette::component(name) : palette::category(i));
  }
  series->setPieSize(0.85);
  view->chart()->addSeries(series);
  view->chart()->legend()->setAlignment(Qt::AlignRight);
  return view;
}

}  // namespace

// --- DesignDetailPane ----------------------------------------------------------------------------

DesignDetailPane::DesignDetailPane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* header = new QHBoxLayout;
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  compare_button_ = new QPushButton(tr("Add to compare"), this);
  compare_button_->setToolTip(tr("Add this design to the comparison table (or Ctrl+click it)"));
  connect(compare_button_, &QPushButton::clicked, this, &DesignDetailPane::compareRequested);
  header->addWidget(title_, 1);
  header->addWidget(compare_button_);
  layout->addLayout(header);
  tree_ = new QTreeWidget(this);
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({tr("Name"), tr("Value")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  tree_->header()->setStretchLastSection(false);
  tree_->setAlternatingRowColors(true);
  tree_->setUniformRowHeights(true);
  layout->addWidget(tree_, 1);
  clear();
}

void DesignDetailPane::clear(const QString& message) {
  trial_.reset();
  title_->setText(message);
  tree_->clear();
  compare_button_->setEnabled(false);
}

void DesignDetailPane::showDesign(const StudyData& study, std::size_t index) {
  tree_->clear();
  if (index >= study.designs().size()) {
    clear();
    return;
  }
  const Design& design = study.designs()[index];
  trial_ = design.id;
  compare_button_->setEnabled(true);
  QStringList flags;
  flags << (design.feasible ? tr("feasible") : tr("infeasible"));
  if (design.on_front) flags << tr("on the study front");
  title_->setText(QStringLiteral("<b>Design #%1</b> &nbsp; %2")
                      .arg(design.id)
                      .arg(flags.join(QStringLiteral(", "))));

  QTreeWidgetItem* trial = section(tree_, tr("Trial"));
  row(trial, tr("id"), QString::number(design.id));
  row(trial, tr("batch"), QString::number(design.batch));
  if (design.eval_seconds)
    row(trial, tr("evaluation time (s)"), qs(format_number(*design.eval_seconds)));

  if (const std::vector<std::string> violated = design.violations(); !violated.empty()) {
    QTreeWidgetItem* violations = section(tree_, tr("Violated constraints"));
    for (const std::string& violation : violated) {
      auto* item = new QTreeWidgetItem(violations, {qs(violation)});
      item->setFirstColumnSpanned(true);
      item->setForeground(0, QColor(0xb0, 0x20, 0x20));
    }
  }

  QTreeWidgetItem* params = section(tree_, tr("Parameters"));
  for (const auto& [name, value] : design.params()) {
    row(params, qs(name), qs(*design.text(param(name))));
  }

  QTreeWidgetItem* metrics = section(tree_, tr("Metrics"));
  for (const FieldId& id : study.ordered_fields(false)) {
    if (id.kind != FieldKind::metric) continue;
    const std::optional<std::string> value = design.text(id);
    if (!value) continue;
    QString name = qs(id.name);
    if (auto direction = study.objective_direction(id)) {
      name += *direction == store::Direction::minimize ? QStringLiteral("  (objective, min)")
                                                       : QStringLiteral("  (objective, max)");
    }
    row(metrics, name, qs(*value));
  }
}

QString DesignDetailPane::valueOf(const QString& name) const {
  for (int s = 0; s < tree_->topLevelItemCount(); ++s) {
    QTreeWidgetItem* group = tree_->topLevelItem(s);
    for (int i = 0; i < group->childCount(); ++i) {
      QString label = group->child(i)->text(0);
      label = label.section(QStringLiteral("  ("), 0, 0);
      if (label == name) return group->child(i)->text(1);
    }
  }
  return {};
}

// --- BreakdownPane -------------------------------------------------------------------------------

BreakdownPane::BreakdownPane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* header = new QHBoxLayout;
  header->addWidget(new QLabel(tr("Workload:"), this));
  workload_ = new QComboBox(this);
  workload_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  header->addWidget(workload_, 1);
  layout->addLayout(header);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  layout->addWidget(message_);
  layers_info_ = new QLabel(this);
  layers_info_->setWordWrap(true);
  layout->addWidget(layers_info_);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  charts_host_ = new QWidget(scroll);
  charts_layout_ = new QVBoxLayout(charts_host_);
  charts_layout_->setContentsMargins(0, 0, 0, 0);
  charts_layout_->addStretch(1);
  scroll->setWidget(charts_host_);
  layout->addWidget(scroll, 1);
  connect(workload_, &QComboBox::currentIndexChanged, this, [this] { rebuildCharts(); });
  clear(tr("Select a design to see its breakdown."));
}

void BreakdownPane::clear(const QString& message) {
  view_ = {};
  {
    const QSignalBlocker blocker(workload_);
    workload_->clear();
  }
  workload_->setEnabled(false);
  message_->setText(message);
  rebuildCharts();
}

void BreakdownPane::showBreakdown(const BreakdownView& view, const QString& note) {
  view_ = view;
  {
    const QSignalBlocker blocker(workload_);
    workload_->clear();
    for (const WorkloadBreakdown& workload : view_.workloads) {
      workload_->addItem(QStringLiteral("%1  (%2 ms, %3 mJ)")
                             .arg(qs(workload.name), qs(format_number(workload.latency_ms, 3)),
                                  qs(format_number(workload.energy_mj, 3))));
    }
  }
  workload_->setEnabled(workload_->count() > 1);
  message_->setText(note);
  rebuildCharts();
}

QStringList BreakdownPane::workloads() const {
  QStringList names;
  for (const WorkloadBreakdown& workload : view_.workloads) names << qs(workload.name);
  return names;
}

void BreakdownPane::setWorkload(int index) {
  workload_->setCurrentIndex(index);
}

QStringList BreakdownPane::chartTitles() const {
  QStringList titles;
  for (QChartView* view : charts_) titles << view->chart()->title();
  return titles;
}

void BreakdownPane::addChart(QChartView* view) {
  charts_layout_->insertWidget(charts_layout_->count() - 1, view);
  charts_.push_back(view);
}

void BreakdownPane::rebuildCharts() {
  for (QChartView* view : charts_) delete view;
  charts_.clear();
  layers_info_->hide();

  const int index = workload_->currentIndex();
  const WorkloadBreakdown* workload = index >= 0 && index < static_cast<int>(view_.workloads.size())
                                          ? &view_.workloads[static_cast<std::size_t>(index)]
                                          : nullptr;

  if (workload && !workload->layers.empty()) {
    constexpr std::size_t kMaxBars = 60;
    const std::vector<LayerRow> layers = group_layers(workload->layers, kMaxBars);
    layers_info_->setText(tr("Layer charts: %1 in network order; hover a bar for its layers.")
                              .arg(layerCount(layers, workload->layers.size())));
    layers_info_->show();
    // Latency by layer: compute vs stall.
    {
      QChartView* view = chartView(tr("Latency by layer (ms): compute vs stall"), 250);
      auto* compute = new QBarSet(tr("compute"));
      auto* stall = new QBarSet(tr("stall (memory)"));
      compute->setColor(palette::component("compute"));
      stall->setColor(palette::component("stall"));
      for (const LayerRow& layer : layers) {
        compute->append(layer.compute_ms);
        stall->append(layer.stall_ms);
      }
      auto* series = new QStackedBarSeries;
      series->append({compute, stall});
      show_layer_series(view, series, layers);
      addChart(view);
    }
    // Energy by layer, by component.
    {
      QChartView* view = chartView(tr("Energy by layer (µJ) by component"), 250);
      auto* series = new QStackedBarSeries;
      for (std::size_t c = 0; c < kEnergyComponents.size(); ++c) {
        auto* set = new QBarSet(QString::fromLatin1(
            kEnergyComponents[c].data(), static_cast<qsizetype>(kEnergyComponents[c].size())));
        set->setColor(palette::component(kEnergyComponents[c]));
        for (const LayerRow& layer : layers) {
          // Layers without a component split show their total as "mac"/array energy.
          const bool split =
              std::any_of(layer.energy_by_component_uj.begin(), layer.energy_by_component_uj.end(),
                          [](double v) { return v > 0; });
          set->append(split ? layer.energy_by_component_uj[c] : (c == 0 ? layer.energy_uj : 0));
        }
        series->append(set);
      }
      show_layer_series(view, series, layers);
      addChart(view);
    }
    // Conv vs non-conv: share of latency, stall and energy.
    {
      const OpClassTotals& conv = workload->conv;
      const OpClassTotals& other = workload->nonconv;
      QChartView* view = chartView(tr("Conv/GEMM vs non-conv ops (share)"), 240);
      auto* conv_set = new QBarSet(tr("conv/GEMM, %1 layers: %2 ms (%3 stall), %4 µJ")
                                       .arg(conv.layers)
                                       .arg(qs(format_number(conv.compute_ms + conv.stall_ms, 3)),
                                            qs(format_number(conv.stall_ms, 3)),
                                            qs(format_number(conv.energy_uj, 3))));
      auto* other_set = new QBarSet(
          tr("non-conv, %1 layers: %2 ms (%3 stall), %4 µJ")
              .arg(other.layers)
              .arg(qs(format_number(other.compute_ms + other.stall_ms, 3)),
                   qs(format_number(other.stall_ms, 3)), qs(format_number(other.energy_uj, 3))));
      conv_set->setColor(palette::category(0));
      other_set->setColor(palette::category(2));
      *conv_set << conv.energy_uj << conv.stall_ms << conv.compute_ms + conv.stall_ms;
      *other_set << other.energy_uj << other.stall_ms << other.compute_ms + other.stall_ms;
      auto* series = new QHorizontalPercentBarSeries;
      series->append({conv_set, other_set});
      view->chart()->addSeries(series);
      auto* categories = new QBarCategoryAxis;
      categories->append({tr("energy"), tr("stall"), tr("latency")});
      auto* share = new QValueAxis;
      share->setRange(0, 100);
      share->setLabelFormat("%.0f%%");
      view->chart()->addAxis(categories, Qt::AlignLeft);
      view->chart()->addAxis(share, Qt::AlignBottom);
      series->attachAxis(categories);
      series->attachAxis(share);
      addChart(view);
    }
  }
  const NamedValues& energy = workload && !workload->energy_by_component_mj.empty()
                                  ? workload->energy_by_component_mj
                                  : view_.energy_by_component_mj;
  if (!energy.empty()) {
    addChart(pieChart(workload ? tr("Energy by component (%1)").arg(qs(workload->name))
                               : tr("Energy by component (weight-averaged)"),
                      energy, QStringLiteral("mJ"), true));
  }
  if (!view_.area_by_component_mm2.empty()) {
    addChart(pieChart(tr("Area by component"), view_.area_by_component_mm2, QStringLiteral("mm²"),
                      false));
  }
}

}  // namespace accelscope::gui
