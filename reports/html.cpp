#include "reports/html.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "model/io/labels.hpp"
#include "reports/charts.hpp"
#include "reports/format.hpp"
#include "reports/parallel_chart.hpp"
#include "reports/tables.hpp"
#include "reports/tenants.hpp"

namespace accelscope::reports {

using nlohmann::json;

namespace {

constexpr double kChartWidthPx = 520;

const std::string& kComputeColor = component_color("compute");
const std::string& kStallColor = component_color("stall");

// Width a table needs so that no word (no cell of a no-wrap column) is broken: per column the
// longest of them at about 7 px a character (9 pt table text), without the cells' padding.
std::vector<double> column_widths_px(const Table& table) {
  auto longest_word = [](const std::string& text) {
    std::size_t longest = 0, current = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == ' ') {
        longest = std::max(longest, current);
        current = 0;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++current;  // one per code point
      }
    }
    return longest;
  };
  std::vector<double> widths;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    std::size_t chars = longest_word(table.columns[c].header);
    for (const auto& row : table.rows)
      if (c < row.size())
        chars = std::max(
            chars, table.columns[c].no_wrap ? io::display_width(row[c]) : longest_word(row[c]));
    widths.push_back(7.0 * static_cast<double>(chars) + 2);
  }
  return widths;
}

double table_min_width_px(const Table& table) {
  double width = 0;
  for (const double column : column_widths_px(table)) width += column + 14;  // padding, borders
  return width;
}

// Builds one page's HTML; charts go inline or into the shared image list.
class PageWriter {
 public:
  PageWriter(ChartEmbedding embedding, std::vector<ChartImage>& images)
      : embedding_(embedding), images_(images) {}

  void raw(const std::string& html) { html_ += html; }
  void heading(int level, const std::string& text) {
    html_ += fmt::format("<h{0}>{1}</h{0}>\n", level, escape_xml(text));
  }
  void paragraph(const std::string& text, const std::string& css_class = {}) {
    html_ += (css_class.empty() ? "<p>" : "<p class=\"" + css_class + "\">") + escape_xml(text) +
             "</p>\n";
  }
  void list(const std::vector<std::string>& items) {
    html_ += "<ul>\n";
    for (const std::string& item : items) html_ += "<li>" + escape_xml(item) + "</li>\n";
    html_ += "</ul>\n";
  }
  void table(const Table& table) { html_ += table_html(table); }

  static std::string table_html(const Table& table) {
    std::string html = "<table class=\"data\" cellspacing=\"0\">\n<tr>";
    for (const Column& column : table.columns) html += "<th>" + escape_xml(column.header) + "</th>";
    html += "</tr>\n";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const std::string row_class = r < table.row_classes.size() ? table.row_classes[r] : "";
      const std::string class_attribute =
          row_class.empty() ? std::string() : fmt::format(R"( class="{}")", row_class);
      html += "<tr>";
      for (std::size_t c = 0; c < table.rows[r].size() && c < table.columns.size(); ++c) {
        // Qt's rich text breaks after "/" even between no-break spaces: nowrap keeps a cell whole.
        html += fmt::format("<td{}{}{}>{}</td>", class_attribute,
                            table.columns[c].align == Align::right ? R"( align="right")" : "",
                            table.columns[c].no_wrap ? R"( style="white-space: nowrap")" : "",
                            escape_xml(table.rows[r][c]));
      }
      html += "</tr>\n";
    }
    return html + "</table>\n";
  }

  // Markup for one chart (not yet placed).
  std::string chart(const std::string& svg, double width_px, double height_px) {
    if (embedding_ == ChartEmbedding::inline_svg) return svg;
    const std::string name = fmt::format("chart:{}", images_.size());
    images_.push_back({name, svg, width_px, height_px});
    return fmt::format(R"(<img src="{}" width="{}" height="{}"/>)", name, std::lround(width_px),
                       std::lround(height_px));
  }
  std::string scatter(const ScatterChart& c) {
    return chart(render_scatter(c), c.width_px, scatter_height(c));
  }
  std::string bars(const BarChart& c) {
    return chart(render_bar_chart(c), c.width_px, bar_chart_height(c));
  }

  // Cells side by side (a layout table: both browsers and Qt place it the same way).
  void row_of(const std::vector<std::string>& cells) {
    html_ += "<table class=\"grid\" cellspacing=\"0\"><tr>";
    for (const std::string& cell : cells) html_ += "<td>" + cell + "</td>";
    html_ += "</tr></table>\n";
  }

  std::string take() { return std::move(html_); }

 private:
  ChartEmbedding embedding_;
  std::vector<ChartImage>& images_;
  std::string html_;
};

// The design id `show --design ID`, `front` and the viewer use (the store's trial id).
std::string design_name(const Design& design) {
  return fmt::format("#{}", design.trial_id);
}

std::string with_unit(double value, const std::string& metric) {
  const std::string unit = metric_info(metric).unit;
  return format_number(value) + (unit.empty() ? "" : " " + unit);
}

// "area 1.23 mm², latency 4.5 ms, ..." for a sentence about a design.
std::string key_figures(const ReportData& data, const Design& design) {
  std::vector<std::string> parts;
  auto add = [&](const std::string& metric) {
    const double value = design.metric(metric);
    if (std::isnan(value)) return;
    std::string part = lower_label(metric) + " " + with_unit(value, metric);
    if (metric == "energy_mj") part += " per " + data.energy_per();
    parts.push_back(part);
  };
  for (const std::string metric :
       {"area_mm2", "die_cost_usd", "power_w", "latency_ms", "energy_mj", "tops_per_w"}) {
    // Several workloads: each one's own latency and energy, not their mean.
    if (data.workloads.size() > 1 && (metric == "latency_ms" || metric == "energy_mj")) {
      for (const WorkloadRequest& wl : data.workloads) add(wl.name + "." + metric);
      continue;
    }
    add(metric);
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// ---- pages ----------------------------------------------------------------------------------

std::string status_sentence(const ReportData& data) {
  const store::StudyInfo& s = data.study;
  const std::int64_t open = s.counts.pending + s.counts.running;
  if (open > 0)
    return fmt::format(
        "The study is still running ({} of {} designs evaluated, {} pending): this "
        "report is a snapshot.",
        s.counts.finished(), s.budget, open);
  if (s.status != store::StudyStatus::done)
    return fmt::format(
        "The study's status is '{}': it may have stopped before its budget; "
        "`accelscope resume` continues it.",
        store::to_string(s.status));
  return {};
}

// "+57 % latency, -52 % area" of design against reference, over the objectives.
std::string trade_text(const ReportData& data, const Design& design, const Design& reference) {
  std::string out;
  for (std::size_t j = 0; j < data.objectives.size(); ++j) {
    const std::string& metric = data.objectives[j].metric;
    const double a = design.metric(metric), b = reference.metric(metric);
    if (!std::isfinite(a) || !std::isfinite(b) || b == 0) continue;
    const double change = (a - b) / std::fabs(b);
    if (std::fabs(change) < 0.005) continue;
    out += fmt::format("{}{}{:.0f} % {}", out.empty() ? "" : ", ", change > 0 ? "+" : "-",
                       std::fabs(change) * 100, lower_label(metric));
  }
  return out.empty() ? "the same objectives" : out;
}

// One page for the meeting: what to buy, the alternatives and what each trades, what limits the
// choice, and the assumptions that would change it.
HtmlPage executive_page(const ReportData& data, PageWriter& w) {
  w.heading(1, "Executive summary: " + data.study.name);
  if (!data.knee) {
    w.paragraph(
        "No feasible design: there is nothing to recommend. The constraints that ruled "
        "out the most designs are listed under Assumptions.",
        "warning");
    return {"executive", "Executive summary", w.take()};
  }
  const Design& knee = data.front_design(*data.knee);
  w.heading(2, "Recommendation");
  w.paragraph(fmt::format("Design {}: {}.", design_name(knee), key_figures(data, knee)), "callout");
  for (const ShortlistEntry& entry : data.shortlist)
    if (entry.front_index == *data.knee)
      for (const WorkloadBreakdown& wl : entry.breakdown.workloads)
        if (!wl.bottleneck.empty())
          w.paragraph(fmt::format("Bottleneck on {}: {}.", wl.name, wl.bottleneck));
  w.paragraph(fmt::format("It is the knee of the Pareto front of {} feasible designs ({} "
                          "evaluated): {}",
                          data.feasible_count, data.evaluated_count, kKneeDefinition),
              "note");

  std::vector<std::string> alternatives;
  for (const ShortlistEntry& entry : data.shortlist) {
    if (entry.front_index == *data.knee || alternatives.size() == 3) continue;
    const Design& d = data.front_design(entry.front_index);
    std::string reasons;
    for (const std::string& r : entry.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
    alternatives.push_back(fmt::format("Design {} ({}): {} against {}.", design_name(d), reasons,
                                       trade_text(data, d, knee), design_name(knee)));
  }
  w.heading(2, "Alternatives");
  if (alternatives.empty())
    w.paragraph("None: the front has a single design.", "note");
  else
    w.list(alternatives);

  w.heading(2, "Binding constraints");
  std::vector<std::string> binding;
  for (const ViolationCount& v : data.violations) {
    if (binding.size() == 3) break;
    binding.push_back(fmt::format("{}: ruled out {} of {} evaluated designs",
                                  constraint_label(v.constraint), v.designs, data.evaluated_count));
  }
  if (binding.empty())
    w.paragraph("No design was ruled out by a constraint.", "note");
  else
    w.list(binding);

  w.heading(2, "Assumptions that would change the decision most");
  std::vector<std::string> assumptions = {
      "Power figures are averages over a run (the highest over the workloads, DRAM devices "
      "included); the peak with every unit busy is several times higher (design pages).",
      "Energy and area come from technology tables at the design's node: figures at 16 and 7 nm "
      "are extrapolated estimates (Assumptions).",
      "The knee weighs every objective equally after normalising each over the front; another "
      "weighting picks another design (see the alternatives)."};
  if (!std::isnan(knee.metric("die_cost_usd")))
    assumptions.emplace_back(
        "Die cost uses public-order wafer prices and defect densities and an assumed package and "
        "test cost; a foundry quote replaces them.");
  if (data.workloads.size() > 1)
    assumptions.emplace_back(
        "Objectives over several workloads are weighted means with the weights of the request; "
        "each workload's own figures are in the front table.");
  w.list(assumptions);
  return {"executive", "Executive summary", w.take()};
}

HtmlPage summary_page(const ReportData& data, PageWriter& w) {
  const store::StudyInfo& s = data.study;
  w.heading(1, "Pareto report: " + s.name);
  std::string meta = fmt::format("Study '{}' (id {}) in {}. Status: {}.", s.name, s.id,
                                 data.database_path, store::to_string(s.status));
  if (!data.generator.empty()) meta += " Report by " + data.generator;
  if (!data.generated_at.empty()) meta += ", " + data.generated_at;
  if (!data.generator.empty() || !data.generated_at.empty()) meta += ".";
  w.paragraph(meta, "meta");

  Table headline;
  headline.columns = {{"Designs evaluated"},   {"Failed"},     {"Feasible"}, {"Infeasible"},
                      {"On the Pareto front"}, {"Shortlisted"}};
  headline.rows.push_back({fmt::format("{} of {}", s.counts.done, s.budget),
                           std::to_string(s.counts.failed), std::to_string(data.feasible_count),
                           std::to_string(data.infeasible_count), std::to_string(data.front.size()),
                           std::to_string(data.shortlist.size())});
  w.table(headline);
  if (const std::string status = status_sentence(data); !status.empty())
    w.paragraph(status, "note");

  if (data.front.empty()) {
    w.paragraph(data.evaluated_count == 0
                    ? "No design has been evaluated yet: there is no Pareto front to report."
                    : fmt::format("No feasible design: none of the {} evaluated designs meets "
                                  "the constraints, so there is no Pareto front. The most "
                                  "frequent violations are listed under Assumptions.",
                                  data.evaluated_count),
                "warning");
  } else if (data.knee) {
    const Design& knee = data.front_design(*data.knee);
    w.paragraph(fmt::format("Recommended starting point (knee): design {}: {}.", design_name(knee),
                            key_figures(data, knee)),
                "callout");
    for (const ShortlistEntry& entry : data.shortlist)
      if (entry.front_index == *data.knee)
        for (const WorkloadBreakdown& wl : entry.breakdown.workloads)
          if (!wl.bottleneck.empty())
            w.paragraph(fmt::format("Bottleneck of design {} on {}: {}.", design_name(knee),
                                    wl.name, wl.bottleneck));
  }

  w.heading(2, "What was asked");
  w.heading(3, "Workloads");
  if (data.workloads.empty())
    w.paragraph("The study records no workloads.", "note");
  else
    w.table(workloads_table(data));
  w.heading(3, "Design space");
  if (data.parameters.empty())
    w.paragraph("The spec lists no search parameters.", "note");
  else if (data.fixed_hardware.empty())
    w.table(parameters_table(data));
  else  // side by side: what varies, and what every design has
    w.row_of({PageWriter::table_html(parameters_table(data)),
              PageWriter::table_html(fixed_hardware_table(data))});
  w.heading(3, "Constraints");
  if (data.constraints.empty())
    w.paragraph("None: every evaluated design that fits on chip is feasible.", "note");
  else {
    std::vector<std::string> constraints;
    for (const std::string& c : data.constraints) constraints.push_back(constraint_label(c));
    w.list(constraints);
  }
  w.heading(3, "Objectives and search");
  w.table(objectives_table(data));
  w.paragraph(
      fmt::format("Search strategy {}, seed {}, budget {} designs.", s.strategy, s.seed, s.budget));
  return {"summary", "Summary", w.take()};
}

std::vector<HtmlPage> front_pages(const ReportData& data, PageWriter& w, ChartEmbedding embedding) {
  std::vector<HtmlPage> pages;
  const std::vector<std::size_t> listed = listed_front(data, embedding);
  const std::size_t chunks =
      std::max<std::size_t>(1, (listed.size() + kFrontRowsPerPage - 1) / kFrontRowsPerPage);
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    const std::size_t first = chunk * kFrontRowsPerPage;
    const std::size_t last = std::min(first + kFrontRowsPerPage, listed.size());
    if (chunk == 0) {
      w.heading(2, fmt::format("Pareto front: {} designs", data.front.size()));
      if (data.front.empty()) {
        w.paragraph("No feasible design, so no front.", "warning");
      } else {
        std::string text =
            "A design is on the front when no other feasible design is at least as good in "
            "every objective and better in one. Sorted by " +
            lower_label(data.objectives.empty() ? "" : data.objectives[0].metric) +
            ". Highlighted: the knee (orange) and the best design per objective (green).";
        if (data.duplicate_front_designs > 0)
          text += fmt::format(" {} repeated evaluations of the same design are shown once.",
                              data.duplicate_front_designs);
        w.paragraph(text);
        if (listed.size() < data.front.size())
          w.paragraph(fmt::format("This PDF lists {} of the {} front designs: the shortlist, then "
                                  "the best remaining design for each objective in turn. The "
                                  "HTML and CSV reports (accelscope report --format html or csv) "
                                  "and accelscope front list every one.",
                                  listed.size(), data.front.size()),
                      "callout");
        w.paragraph(kKneeDefinition, "note");
      }
    } else {
      w.heading(2, listed.size() < data.front.size()
                       ? fmt::format("Pareto front (continued): listed designs {} to {} of {}",
                                     first + 1, last, listed.size())
                       : fmt::format("Pareto front (continued): designs {} to {} of {}", first + 1,
                                     last, data.front.size()));
    }
    double min_width = 0;
    if (!data.front.empty()) {
      const Table table = front_table(
          data, std::vector<std::size_t>(listed.begin() + first, listed.begin() + last));
      w.table(table);
      min_width = table_min_width_px(table);
    }
    pages.push_back({chunk == 0 ? "front" : fmt::format("front-{}", chunk + 1), "Pareto front",
                     w.take(), min_width});
  }
  return pages;
}

std::string axis_label(const ReportData& data, const ObjectiveInfo& objective) {
  return data.heading(objective.metric) + (objective.direction == store::Direction::maximize
                                               ? ", higher is better"
                                               : ", lower is better");
}

ScatterChart scatter_of(const ReportData& data, std::size_t jx, std::size_t jy,
                        const std::vector<ObjectiveInfo>& axes) {
  ScatterChart chart;
  chart.title = metric_info(axes[jy].metric).label + " vs " + lower_label(axes[jx].metric);
  chart.width_px = kChartWidthPx;
  chart.connect_front = data.objectives.size() == 2;
  chart.x.label = axis_label(data, axes[jx]);
  chart.y.label = axis_label(data, axes[jy]);
  // Values by axis metric: objectives when the axis is one, else the metric itself.
  auto value = [&](const Design& d, std::size_t j) {
    for (std::size_t k = 0; k < data.objectives.size(); ++k)
      if (data.objectives[k].metric == axes[j].metric && k < d.objectives.size())
        return d.objectives[k];
    return d.metric(axes[j].metric);
  };
  std::vector<double> front_xs, front_ys, other_xs, other_ys;
  for (const Design& d : data.designs) {
    const bool front = d.on_front && d.feasible;
    const PointKind kind = front        ? PointKind::front
                           : d.feasible ? PointKind::feasible
                                        : PointKind::infeasible;
    const double x = value(d, jx);
    const double y = value(d, jy);
    chart.points.push_back(
        {x, y, kind,
         fmt::format("design {}: {}, {}", design_name(d), with_unit(x, axes[jx].metric),
                     with_unit(y, axes[jy].metric))});
    (front ? front_xs : other_xs).push_back(x);
    (front ? front_ys : other_ys).push_back(y);
  }
  chart.x.log_scale = scatter_axis_log(front_xs, other_xs);
  chart.y.log_scale = scatter_axis_log(front_ys, other_ys);
  for (std::size_t i = 0; i < data.front.size(); ++i) {
    const std::vector<std::string> roles = data.roles(i);
    if (roles.empty()) continue;
    const Design& d = data.front_design(i);
    const bool knee = data.knee && *data.knee == i;
    std::string label;
    for (const std::string& role : roles) label += (label.empty() ? "" : ", ") + role;
    label += " (" + design_name(d) + ")";
    chart.markers.push_back(
        {value(d, jx), value(d, jy), label, knee ? MarkerShape::diamond : MarkerShape::square});
  }
  // The knee is marker 1.
  std::stable_partition(chart.markers.begin(), chart.markers.end(),
                        [](const ScatterMarker& m) { return m.shape == MarkerShape::diamond; });
  return chart;
}

std::vector<HtmlPage> tradeoff_pages(const ReportData& data, PageWriter& w) {
  // Each pair of objectives; a single objective is plotted against area.
  std::vector<ObjectiveInfo> axes = data.objectives;
  if (axes.size() == 1)
    axes.push_back(
        {axes[0].metric == "area_mm2" ? "latency_ms" : "area_mm2", store::Direction::minimize});
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t a = 0; a < axes.size(); ++a)
    for (std::size_t b = a + 1; b < axes.size(); ++b) pairs.emplace_back(a, b);

  std::vector<HtmlPage> pages;
  const std::size_t chunks =
      std::max<std::size_t>(1, (pairs.size() + kChartsPerPage - 1) / kChartsPerPage);
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    w.heading(2, chunk == 0 ? "Trade-offs between objectives"
                            : "Trade-offs between objectives (continued)");
    std::vector<std::string> charts;
    for (std::size_t p = chunk * kChartsPerPage;
         p < pairs.size() && p < (chunk + 1) * kChartsPerPage; ++p)
      charts.push_back(w.scatter(scatter_of(data, pairs[p].first, pairs[p].second, axes)));
    if (chunk == 0) {
      std::string text = fmt::format(
          "Every evaluated design ({} feasible, {} infeasible), projected on each pair of "
          "objectives. Front designs in blue, other feasible designs in grey, infeasible designs "
          "faded red. A front design can look dominated in a two-objective view: it is better in "
          "another objective.",
          data.feasible_count, data.infeasible_count);
      if (data.other_stride > 1)
        text += fmt::format(" For legibility only every {}th non-front design is drawn.",
                            data.other_stride);
      w.paragraph(text);
    }
    if (pairs.empty()) w.paragraph("The study has no objective to plot.", "note");
    for (std::size_t c = 0; c < charts.size(); c += 2)
      w.row_of(c + 1 < charts.size() ? std::vector<std::string>{charts[c], charts[c + 1]}
                                     : std::vector<std::string>{charts[c]});
    pages.push_back({chunk == 0 ? "tradeoffs" : fmt::format("tradeoffs-{}", chunk + 1),
                     "Trade-offs", w.take()});
  }
  return pages;
}

// ---- parameters: parallel coordinates of the front and parameter importance ----------------

constexpr double kWideChartWidthPx = 1060;

ParallelChart parallel_chart_of(const ReportData& data) {
  ParallelChart chart;
  chart.title =
      fmt::format("The {} front designs across parameters and objectives", data.front.size());
  chart.width_px = kWideChartWidthPx;
  chart.height_px = 340;
  for (std::size_t i = 0; i < data.front.size(); ++i)
    chart.lines.push_back(data.knee && *data.knee == i ? LineEmphasis::knee
                          : data.roles(i).empty()      ? LineEmphasis::plain
                                                       : LineEmphasis::best);
  for (const ParameterRequest& p : data.parameters) {
    ParallelAxis axis;
    axis.label = parameter_label(p.name);
    std::vector<json> values;
    bool text = false;
    for (std::size_t i = 0; i < data.front.size(); ++i) {
      values.push_back(data.front_param(i, p.name));
      text = text || values.back().is_string();
    }
    if (text) {
      for (const json& v : values)
        if (v.is_string() && std::find(axis.levels.begin(), axis.levels.end(),
                                       v.get<std::string>()) == axis.levels.end())
          axis.levels.push_back(v.get<std::string>());
      std::sort(axis.levels.begin(), axis.levels.end());
    }
    for (const json& v : values) {
      if (text) {
        const auto it =
            v.is_string() ? std::find(axis.levels.begin(), axis.levels.end(), v.get<std::string>())
                          : axis.levels.end();
        axis.values.push_back(
            it == axis.levels.end() ? NAN : static_cast<double>(it - axis.levels.begin()));
      } else {
        axis.values.push_back(v.is_number() ? v.get<double>() : NAN);
      }
    }
    axis.log_scale = !text && prefers_log_scale(axis.values);
    chart.axes.push_back(std::move(axis));
  }
  for (std::size_t o = 0; o < data.objectives.size(); ++o) {
    ParallelAxis axis;
    axis.label = metric_heading(data.objectives[o].metric);  // the front table says if a mean
    axis.objective = true;
    for (std::size_t i = 0; i < data.front.size(); ++i) {
      const std::vector<double>& objectives = data.front_design(i).objectives;
      axis.values.push_back(o < objectives.size() ? objectives[o] : NAN);
    }
    axis.log_scale = prefers_log_scale(axis.values);
    chart.axes.push_back(std::move(axis));
  }
  return chart;
}

// "↗" when larger parameter values go with larger objective values, "↘" the reverse, nothing
// when the rank correlation is weak or undefined (levels without order).
std::string direction_arrow(double rank_correlation) {
  if (!(std::fabs(rank_correlation) >= 0.3)) return "";
  return rank_correlation > 0 ? " ↗" : " ↘";
}

// A share as a cell shade: white at 0, the front's blue at 100 %.
std::string share_shade(double share) {
  const double t = std::isnan(share) ? 0 : std::clamp(share, 0.0, 1.0);
  auto channel = [t](int full, int none) {
    return static_cast<int>(std::lround(none + (full - none) * t * 0.6));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", channel(0x1f, 0xff), channel(0x5f, 0xff),
                     channel(0xa8, 0xff));
}

std::string importance_table_html(const ReportData& data) {
  const ImportanceData& imp = data.importance;
  std::string html = "<table class=\"data\" cellspacing=\"0\">\n<tr><th>Parameter</th>";
  for (const std::string& metric : imp.objectives)
    html += "<th>" + escape_xml(metric_info(metric).label) + "</th>";
  html += "</tr>\n";
  // Parameters by their largest share in any objective.
  std::vector<std::size_t> order(imp.parameters.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto largest = [&](std::size_t j) {
    double best = -1;
    for (const auto& row : imp.table.entries)
      if (!std::isnan(row[j].first_order)) best = std::max(best, row[j].first_order);
    return best;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return largest(a) > largest(b); });
  for (const std::size_t j : order) {
    html += "<tr><td>" + escape_xml(parameter_label(imp.parameters[j])) + "</td>";
    for (const auto& row : imp.table.entries) {
      const search::ParameterImportance& e = row[j];
      html += fmt::format("<td align=\"right\" bgcolor=\"{}\">{}{}</td>",
                          share_shade(e.first_order), escape_xml(format_percent(e.first_order)),
                          direction_arrow(e.rank_correlation));
    }
    html += "</tr>\n";
  }
  html += "<tr><td>Interactions and noise (not explained by one parameter alone)</td>";
  for (const double sum : imp.table.first_order_sum)
    html += "<td align=\"right\">" +
            escape_xml(std::isnan(sum) ? "–"
                       : sum > 1.02    ? "overlap"
                                       : format_percent(std::max(0.0, 1 - sum))) +
            "</td>";
  return html + "</tr>\n</table>\n";
}

// "Latency: mostly PE count (62 %, larger values lower it), then ...; 12 % depends on
// combinations of parameters."
std::vector<std::string> importance_statements(const ReportData& data) {
  const ImportanceData& imp = data.importance;
  std::vector<std::string> out;
  for (std::size_t o = 0; o < imp.objectives.size(); ++o) {
    const auto& row = imp.table.entries[o];
    std::string text = metric_info(imp.objectives[o]).label + ": ";
    if (std::isnan(imp.table.first_order_sum[o])) {
      out.push_back(text + "the same in every design analysed.");
      continue;
    }
    std::vector<std::string> parts;
    for (const std::size_t j : imp.table.ranking(o)) {
      const search::ParameterImportance& e = row[j];
      if (parts.size() == 3 || std::isnan(e.first_order) || e.first_order < 0.05) break;
      std::string part = parameter_label(imp.parameters[j]) + " (" + format_percent(e.first_order);
      if (std::fabs(e.rank_correlation) >= 0.3)
        part += e.rank_correlation < 0 ? ", larger values lower it" : ", larger values raise it";
      parts.push_back(part + ")");
    }
    if (parts.empty()) {
      text += "no single parameter explains 5 % or more";
    } else {
      text += "mostly " + parts[0];
      for (std::size_t k = 1; k < parts.size(); ++k)
        text += (k + 1 == parts.size() ? " and " : ", ") + parts[k];
    }
    const double sum = imp.table.first_order_sum[o];
    if (sum > 1.02) {
      // Correlated parameters (a guided search) share variance: the shares overlap.
      text += "; the shares overlap (they add up to " + format_percent(sum) +
              ") because the search chose parameters together.";
    } else {
      text += fmt::format("; {} depends on combinations of parameters.",
                          format_percent(std::max(0.0, 1 - sum)));
    }
    out.push_back(text);
  }
  return out;
}

HtmlPage parameters_page(const ReportData& data, PageWriter& w) {
  w.heading(2, "Parameters: what the front's designs share, and what moves each objective");
  if (data.front.empty()) {
    w.paragraph("No feasible design, so no front to draw.", "note");
  } else {
    w.paragraph(
        "Each line is a front design, crossing every parameter's axis at its value and then its "
        "objectives (tinted). Lines that bunch on an axis show a choice the front agrees on; lines "
        "spread over an axis show a parameter that only trades one objective against another.");
    w.row_of(
        {w.chart(render_parallel_coordinates(parallel_chart_of(data)), kWideChartWidthPx, 340)});
  }
  const ImportanceData& imp = data.importance;
  w.heading(3, "Parameter importance");
  if (!imp.available()) {
    w.paragraph("Not computed: the study has too few designs or no searched parameter.", "note");
    return {"parameters", "Parameters", w.take()};
  }
  std::string method = fmt::format(
      "Share of each objective's variation among {} evaluated designs{} that goes with one "
      "parameter alone (a variance-based first-order index: one-way analysis of variance over "
      "the parameter's levels, bias-corrected; positive objectives in logs, so that a factor of "
      "two counts the same everywhere). ↗: larger parameter values go with higher values of the "
      "objective, ↘: with lower (rank correlation of 0.3 or more).",
      imp.table.designs_used,
      imp.table.designs_used < imp.table.designs_seen
          ? fmt::format(" (a random sample of the {})", imp.table.designs_seen)
          : std::string());
  if (data.study.strategy != "grid" && data.study.strategy != "random")
    method += fmt::format(
        " The designs come from a guided search ({}), which makes parameters correlated: the "
        "shares describe the designs it evaluated, not the whole space.",
        data.study.strategy);
  w.paragraph(method, "note");
  w.raw(importance_table_html(data));
  w.list(importance_statements(data));
  return {"parameters", "Parameters", w.take()};
}

BarChart bar_chart(std::string title, std::string unit, std::vector<BarSeries> series,
                   double width_px) {
  BarChart chart;
  chart.title = std::move(title);
  chart.unit = std::move(unit);
  chart.series = std::move(series);
  chart.width_px = width_px;
  return chart;
}

const std::vector<BarSeries>& energy_series() {
  static const std::vector<BarSeries> kSeries = {
      {"MAC", component_color("mac")},       {"SRAM", component_color("sram")},
      {"DRAM", component_color("dram")},     {"DRAM interface", component_color("io")},
      {"vector", component_color("vector")}, {"leakage", component_color("leakage")}};
  return kSeries;
}

std::vector<double> energy_segments(const LayerCost& c) {
  return {c.mac_mj, c.sram_mj, c.dram_mj, c.io_mj, c.vector_mj, c.leakage_mj};
}

// The largest layers as bars, the rest in one footnote.
BarChart layer_chart(const std::string& what, const std::string& metric,
                     std::vector<BarSeries> series, const std::vector<LayerCost>& layers,
                     double total, double (LayerCost::*value)() const,
                     const std::function<std::vector<double>(const LayerCost&)>& segments) {
  BarChart chart = bar_chart("", metric_info(metric).unit, std::move(series), kChartWidthPx);
  for (const LayerCost& layer : layers) {
    if (layer.merged_layers > 0) {
      chart.footnote = fmt::format("+ {} other layers: {} ({} of the total)", layer.merged_layers,
                                   with_unit((layer.*value)(), metric),
                                   format_percent((layer.*value)() / total));
      continue;
    }
    chart.bars.push_back({layer.name, segments(layer)});
  }
  chart.title = fmt::format("{} by layer (top {})", what, chart.bars.size());
  return chart;
}

BarChart layer_latency_chart(const WorkloadBreakdown& wl) {
  return layer_chart("Latency", "latency_ms",
                     {{"compute", kComputeColor}, {"memory stall", kStallColor}}, wl.top_by_latency,
                     wl.total.latency_ms(), &LayerCost::latency_ms, [](const LayerCost& c) {
                       return std::vector<double>{c.compute_ms, c.stall_ms};
                     });
}

BarChart layer_energy_chart(const WorkloadBreakdown& wl) {
  return layer_chart("Energy", "energy_mj", energy_series(), wl.top_by_energy, wl.total.energy_mj(),
                     &LayerCost::energy_mj, energy_segments);
}

BarChart split_time_chart(const WorkloadBreakdown& wl) {
  BarChart chart =
      bar_chart("Time: conv vs non-conv, compute vs memory stall", "ms",
                {{"compute", kComputeColor}, {"memory stall", kStallColor}}, kChartWidthPx);
  for (const LayerCost* c : {&wl.conv, &wl.nonconv, &wl.total})
    chart.bars.push_back({c->name, {c->compute_ms, c->stall_ms}});
  return chart;
}

BarChart split_energy_chart(const WorkloadBreakdown& wl) {
  BarChart chart =
      bar_chart("Energy: conv vs non-conv, by component", "mJ", energy_series(), kChartWidthPx);
  for (const LayerCost* c : {&wl.conv, &wl.nonconv, &wl.total})
    chart.bars.push_back({c->name, energy_segments(*c)});
  return chart;
}

// Design pages: charts at full width with larger text, so a page laid out at the PDF's width keeps
// its text at about 8 pt or more.
constexpr double kDesignChartWidthPx = 540;
constexpr double kDesignFontPx = 12;

BarChart readable(BarChart chart) {
  chart.width_px = kDesignChartWidthPx;
  chart.font_px = kDesignFontPx;
  return chart;
}

std::string role_text(const ShortlistEntry& entry) {
  std::string reasons;
  for (const std::string& r : entry.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
  return reasons;
}

// "+57 % latency, -52 % area against the knee #12", empty for the knee itself.
std::string against_knee(const ReportData& data, const ShortlistEntry& entry) {
  if (!data.knee || entry.front_index == *data.knee) return {};
  const Design& knee = data.front_design(*data.knee);
  return trade_text(data, data.front_design(entry.front_index), knee) + " against the knee " +
         design_name(knee);
}

// One page per shortlisted design (configuration, figures, area), then one per workload (its
// bottleneck, the top layers by latency and energy, conv vs non-conv).
std::vector<HtmlPage> design_pages(const ReportData& data, const ShortlistEntry& entry,
                                   PageWriter& w) {
  std::vector<HtmlPage> pages;
  const Design& design = data.front_design(entry.front_index);
  const std::string title = "Design " + design_name(design) + ": " + role_text(entry);
  w.heading(2, title);
  w.paragraph(key_figures(data, design) + ".");
  if (const std::string trade = against_knee(data, entry); !trade.empty())
    w.paragraph("Trade-off: " + trade + ".", "callout");

  BarChart area = bar_chart("Area by component", "mm²", {{"area", series_color(0)}}, 420);
  area.font_px = kDesignFontPx;
  for (const AreaPart& part : entry.breakdown.area) area.bars.push_back({part.name, {part.mm2}});
  w.row_of({PageWriter::table_html(configuration_table(data, entry)),
            PageWriter::table_html(figures_table(data, entry)), w.bars(area)});

  if (has_tenants(design)) {
    w.heading(3, "Tenants served at the scenario's rates");
    w.table(tenants_table(design));
  }
  if (!entry.breakdown.available)
    w.paragraph("Per-layer figures are not available: " + entry.breakdown.missing_reason + ".",
                "note");
  for (const WorkloadBreakdown& wl : entry.breakdown.workloads)
    w.paragraph(fmt::format("{}: latency {}, energy {}; bottleneck: {} (next pages).", wl.name,
                            with_unit(wl.total.latency_ms(), "latency_ms"),
                            with_unit(wl.total.energy_mj(), "energy_mj"),
                            wl.bottleneck.empty() ? "not known" : wl.bottleneck));
  pages.push_back(
      {fmt::format("design-{}", design.trial_id), "Design " + design_name(design), w.take()});

  for (std::size_t k = 0; k < entry.breakdown.workloads.size(); ++k) {
    const WorkloadBreakdown& wl = entry.breakdown.workloads[k];
    w.heading(2, fmt::format("Design {} on {} ({}, batch {}): latency {}, energy {}, {} layers",
                             design_name(design), wl.name, wl.mode, wl.batch,
                             with_unit(wl.total.latency_ms(), "latency_ms"),
                             with_unit(wl.total.energy_mj(), "energy_mj"), wl.layer_count));
    if (!wl.bottleneck.empty()) w.paragraph("Bottleneck: " + wl.bottleneck + ".", "callout");
    w.row_of({w.bars(readable(layer_latency_chart(wl))), w.bars(readable(layer_energy_chart(wl)))});
    w.row_of({w.bars(readable(split_time_chart(wl))), w.bars(readable(split_energy_chart(wl)))});
    pages.push_back({fmt::format("design-{}-{}", design.trial_id, k + 1),
                     "Design " + design_name(design) + ", " + wl.name, w.take()});
  }
  return pages;
}

// The shortlisted designs side by side, with what each trades against the knee.
HtmlPage shortlist_page(const ReportData& data, PageWriter& w) {
  w.heading(2, "The shortlist side by side");
  if (data.shortlist.empty()) {
    w.paragraph("No feasible design, so no shortlist.", "note");
    return {"shortlist", "Shortlist", w.take()};
  }
  w.paragraph(
      "The knee first, then the best design per objective and any further picks spread along the "
      "front; one page per design follows.");
  Table table = shortlist_table(data);
  std::vector<std::string> trade = {"Against the knee"};
  for (const ShortlistEntry& entry : data.shortlist) {
    const std::string text = against_knee(data, entry);
    trade.push_back(text.empty() ? "(the knee)" : text.substr(0, text.find(" against the knee")));
  }
  table.rows.push_back(std::move(trade));
  // What limits each design on each workload: the first clause of its bottleneck.
  for (std::size_t k = 0; k < data.workloads.size(); ++k) {
    std::vector<std::string> row = {"Bottleneck on " + data.workloads[k].name};
    for (const ShortlistEntry& entry : data.shortlist) {
      std::string text = "–";
      for (const WorkloadBreakdown& wl : entry.breakdown.workloads)
        if (wl.name == data.workloads[k].name && !wl.bottleneck.empty())
          text = wl.bottleneck.substr(0, wl.bottleneck.find(';'));
      row.push_back(text);
    }
    table.rows.push_back(std::move(row));
  }
  table.row_classes.resize(table.rows.size());
  w.table(table);
  return {"shortlist", "Shortlist", w.take()};
}

HtmlPage assumptions_page(const ReportData& data, PageWriter& w, ChartEmbedding embedding) {
  const Assumptions& a = data.assumptions;
  w.heading(2, "Assumptions");
  w.heading(3, "Technology");
  std::string nodes;
  for (const int node : a.nodes_nm)
    nodes += (nodes.empty() ? "" : ", ") + std::to_string(node) + " nm";
  w.paragraph(
      "Technology node(s) of the front designs: " + (nodes.empty() ? "not recorded" : nodes) +
      ". Energy and area figures as read from " +
      (a.tech_directory.empty() ? "the technology tables" : a.tech_directory + "/technology.json") +
      " when this report was made; the search used the tables current at its run.");
  if (!a.tech_error.empty())
    w.paragraph("The technology tables could not be read: " + a.tech_error, "warning");
  if (!a.node_scaling.empty()) w.list(a.node_scaling);
  if (!a.sources.empty()) w.table(sources_table(data));
  w.heading(3, "Model");
  w.list(a.model);
  if (!data.violations.empty()) {
    w.heading(3, "Why designs were infeasible");
    w.table(violations_table(data));
  }

  const Reproduction& r = data.reproduce;
  w.heading(2, "How to reproduce");
  Table table;
  table.columns = {{"Item", Align::left}, {"Value", Align::left}};
  table.rows = {
      {"Engine version of the search",
       r.engine_version.empty() ? "not recorded" : r.engine_version},
      {"Spec hash", r.spec_hash + (r.spec_hash_verified ? " (matches the stored spec)"
                                                        : " (does NOT match the stored spec)")},
      {"Study", data.study.name},
      {"Strategy, seed, budget",
       fmt::format("{}, {}, {}", data.study.strategy, r.seed, data.study.budget)},
      {"Command", r.command}};
  if (!data.generator.empty()) table.rows.push_back({"Report made by", data.generator});
  w.table(table);
  w.paragraph(
      "The same spec (same hash), strategy, seed and budget with the same engine version "
      "propose and evaluate the same designs.",
      "note");
  if (embedding == ChartEmbedding::inline_svg) {
    w.raw("<details><summary>The study's spec (JSON)</summary><pre>" +
          escape_xml(data.study.spec.dump(2)) + "</pre></details>\n");
  } else {
    w.paragraph("The full spec is stored in the study; the HTML and JSON reports include it.",
                "note");
  }
  return {"assumptions", "Assumptions and reproduction", w.take()};
}

}  // namespace

HtmlPages build_pages(const ReportData& data, ChartEmbedding embedding) {
  HtmlPages out;
  PageWriter w(embedding, out.charts);
  out.pages.push_back(executive_page(data, w));
  out.pages.push_back(summary_page(data, w));
  for (HtmlPage& page : front_pages(data, w, embedding)) out.pages.push_back(std::move(page));
  for (HtmlPage& page : tradeoff_pages(data, w)) out.pages.push_back(std::move(page));
  out.pages.push_back(parameters_page(data, w));
  out.pages.push_back(shortlist_page(data, w));
  for (const ShortlistEntry& entry : data.shortlist)
    for (HtmlPage& page : design_pages(data, entry, w)) out.pages.push_back(std::move(page));
  out.pages.push_back(assumptions_page(data, w, embedding));
  return out;
}

std::vector<std::size_t> listed_front(const ReportData& data, ChartEmbedding embedding) {
  std::vector<std::size_t> all(data.front.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  if (embedding == ChartEmbedding::inline_svg || all.size() <= kPdfFrontRows) return all;
  std::vector<bool> chosen(all.size(), false);
  std::size_t count = 0;
  auto choose = [&](std::size_t i) {
    if (count < kPdfFrontRows && !chosen[i]) chosen[i] = true, ++count;
  };
  for (const ShortlistEntry& entry : data.shortlist) choose(entry.front_index);
  // Per objective, the front from best to worst; then one from each in turn.
  std::vector<std::vector<std::size_t>> by_objective;
  for (std::size_t j = 0; j < data.objectives.size(); ++j) {
    const bool maximise = data.objectives[j].direction == store::Direction::maximize;
    auto value = [&](std::size_t i) {
      const std::vector<double>& v = data.front_design(i).objectives;
      const double x = j < v.size() && std::isfinite(v[j]) ? v[j] : NAN;
      return std::isnan(x) ? std::numeric_limits<double>::infinity() : maximise ? -x : x;
    };
    std::vector<std::size_t> order = all;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
    by_objective.push_back(std::move(order));
  }
  for (std::size_t rank = 0; count < kPdfFrontRows && rank < all.size(); ++rank)
    for (const std::vector<std::size_t>& order : by_objective) choose(order[rank]);
  std::vector<std::size_t> listed;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (chosen[i]) listed.push_back(i);
  return listed;
}

std::size_t page_count(const ReportData& data, ChartEmbedding embedding) {
  const std::size_t objectives = std::max<std::size_t>(data.objectives.size(), 2);
  const std::size_t pairs = objectives * (objectives - 1) / 2;
  const std::size_t listed = listed_front(data, embedding).size();
  const std::size_t front_pages =
      std::max<std::size_t>(1, (listed + kFrontRowsPerPage - 1) / kFrontRowsPerPage);
  const std::size_t chart_pages =
      std::max<std::size_t>(1, (pairs + kChartsPerPage - 1) / kChartsPerPage);
  std::size_t design_pages = 0;  // one per shortlisted design and one per workload it ran
  for (const ShortlistEntry& entry : data.shortlist)
    design_pages += 1 + entry.breakdown.workloads.size();
  // Executive summary, summary, front, trade-offs, parameters, shortlist, designs, assumptions.
  return 2 + front_pages + chart_pages + 1 + 1 + design_pages + 1;
}

const std::string& report_css() {
  static const std::string kCss =
      R"(body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10pt; color: #222222; }
h1 { font-size: 18pt; margin-top: 0px; margin-bottom: 4px; }
h2 { font-size: 14pt; margin-top: 12px; margin-bottom: 6px; color: #1f3f66; }
h3 { font-size: 11pt; margin-top: 10px; margin-bottom: 4px; }
p { margin-top: 3px; margin-bottom: 6px; }
p.meta { color: #555555; font-size: 9pt; }
p.note { color: #555555; font-size: 9pt; }
p.warning { background-color: #fdecea; color: #8a1f11; padding: 6px; }
p.callout { background-color: #fff1db; padding: 6px; }
table.data { border-collapse: collapse; margin-top: 4px; margin-bottom: 8px; }
table.data th { background-color: #e9edf2; text-align: left; padding: 3px 6px; border: 1px solid #c3c8cf; font-size: 9pt; }
table.data td { padding: 2px 6px; border: 1px solid #d3d7dc; font-size: 9pt; }
td.knee { background-color: #ffe8c2; }
td.best { background-color: #dff1e4; }
table.grid td { vertical-align: top; padding: 0px 16px 4px 0px; }
ul { margin-top: 2px; margin-bottom: 6px; }
pre { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; background-color: #f5f5f5; padding: 6px; white-space: pre-wrap; }
)";
  return kCss;
}

// The HTML report's one script (inline, nothing loaded): a click on a front table's heading sorts
// every front design by that column (numbers by value, text alphabetically; again: reversed),
// refilling the front pages in order. The PDF has no script and keeps the report's order.
const char* const kSortScript = R"JS(
(function () {
  var tables = Array.prototype.slice.call(
      document.querySelectorAll('section[id^="front"] table.data'));
  var state = {column: -1, ascending: true};
  function key(text) {
    var number = text.match(/-?\d+(\.\d+)?(e[+-]?\d+)?/i);
    return number ? parseFloat(number[0]) : text.toLowerCase();
  }
  function sortBy(column) {
    state.ascending = state.column === column ? !state.ascending : true;
    state.column = column;
    var rows = [], sizes = [];
    tables.forEach(function (table) {
      var body = Array.prototype.slice.call(table.rows, 1);
      sizes.push(body.length);
      rows = rows.concat(body);
    });
    rows.sort(function (a, b) {
      var x = key(a.cells[column].textContent), y = key(b.cells[column].textContent);
      if (typeof x !== typeof y) { x = typeof x === 'number' ? -Infinity : Infinity; y = 0; }
      var order = x < y ? -1 : x > y ? 1 : 0;
      return state.ascending ? order : -order;
    });
    var next = 0;
    tables.forEach(function (table, t) {
      var parent = table.rows[0].parentNode;
      for (var n = 0; n < sizes[t]; ++n) parent.appendChild(rows[next++]);
    });
  }
  tables.forEach(function (table) {
    Array.prototype.forEach.call(table.rows[0].cells, function (cell, column) {
      cell.style.cursor = 'pointer';
      cell.title = 'Sort the front by this column (click again to reverse)';
      cell.addEventListener('click', function () { sortBy(column); });
    });
  });
})();
)JS";

std::string render_html(const ReportData& data) {
  const HtmlPages pages = build_pages(data, ChartEmbedding::inline_svg);
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      escape_xml("Pareto report: " + data.study.name) + "</title>\n<style>\n" + report_css() +
      "body { margin: 0 auto; max-width: 1180px; padding: 16px; }\n"
      "section.page { margin-bottom: 28px; }\n"
      "svg { max-width: 100%; height: auto; }\n"
      "@page { size: A4 landscape; margin: 12mm; }\n"
      "@media print { body { max-width: none; padding: 0; } section.page { break-before: page; "
      "margin: 0; } section.page:first-child { break-before: auto; } table.data, svg { "
      "break-inside: avoid; } }\n"
      "</style>\n</head>\n<body>\n";
  for (const HtmlPage& page : pages.pages)
    html += "<section class=\"page\" id=\"" + page.id + "\">\n" + page.body + "</section>\n";
  return html + "<script>" + kSortScript + "</script>\n</body>\n</html>\n";
}

}  // namespace accelscope::reports
