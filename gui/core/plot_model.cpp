#include "gui/core/plot_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace accelscope::gui {

namespace {

double minimised(double value, store::Direction direction) {
  return direction == store::Direction::maximize ? -value : value;
}

std::string range_label(double low, double high) {
  return format_number(low, 3) + " – " + format_number(high, 3);
}

}  // namespace

bool Constraint::passes(const Design& design) const {
  if (!active()) return true;
  const std::optional<double> value = design.value(field);
  if (!value) return false;
  if (min && *value < *min) return false;
  if (max && *value > *max) return false;
  return true;
}

bool passes_all(const Design& design, std::span<const Constraint> constraints) {
  return std::all_of(constraints.begin(), constraints.end(),
                     [&](const Constraint& c) { return c.passes(design); });
}

std::optional<PlotPoint> PlotModel::point_of(std::size_t design) const {
  for (const ColourGroup& group : groups) {
    for (const PlotPoint& point : group.points) {
      if (point.design == design) return point;
    }
  }
  for (const PlotPoint& point : infeasible) {
    if (point.design == design) return point;
  }
  return std::nullopt;
}

bool PlotModel::on_front(std::size_t design) const {
  return std::any_of(front.begin(), front.end(),
                     [&](const PlotPoint& p) { return p.design == design; });
}

std::vector<std::size_t> pareto_front_2d(std::span<const PlotPoint> points,
                                         store::Direction x_direction,
                                         store::Direction y_direction) {
  std::vector<std::size_t> order;
  order.reserve(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!std::isnan(points[i].x) && !std::isnan(points[i].y)) order.push_back(i);
  }
  auto mx = [&](std::size_t i) { return minimised(points[i].x, x_direction); };
  auto my = [&](std::size_t i) { return minimised(points[i].y, y_direction); };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return mx(a) != mx(b) ? mx(a) < mx(b) : my(a) < my(b);
  });
  // Sweep by increasing x: a point is on the front iff its y beats every point before it, or it
  // duplicates the last front point exactly.
  std::vector<std::size_t> front;
  double best_y = std::numeric_limits<double>::infinity();
  for (std::size_t i : order) {
    const bool duplicate = !front.empty() && mx(front.back()) == mx(i) && my(front.back()) == my(i);
    if (my(i) < best_y || duplicate) {
      front.push_back(i);
      best_y = std::min(best_y, my(i));
    }
  }
  std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    return points[a].x != points[b].x ? points[a].x < points[b].x : points[a].y < points[b].y;
  });
  return front;
}

std::vector<double> quantile_bin_edges(std::vector<double> values, int bins) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  bins = std::max(bins, 1);
  std::vector<double> edges;
  for (int i = 0; i <= bins; ++i) {
    const auto index = static_cast<std::size_t>(
        std::lround(static_cast<double>(i) * static_cast<double>(values.size() - 1) / bins));
    if (edges.empty() || values[index] > edges.back()) edges.push_back(values[index]);
  }
  if (edges.size() == 1) edges.push_back(edges.front());  // all equal: one bin
  return edges;
}

std::vector<double> colour_bin_edges(double min, double max, int bins, bool log_scale) {
  bins = std::max(bins, 1);
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  const bool use_log = log_scale && min > 0 && max > 0;
  const double low = use_log ? std::log10(min) : min;
  const double high = use_log ? std::log10(max) : max;
  for (int i = 0; i <= bins; ++i) {
    const double t = low + (high - low) * i / bins;
    edges[static_cast<std::size_t>(i)] = use_log ? std::pow(10.0, t) : t;
  }
  edges.front() = min;
  edges.back() = max;
  return edges;
}

namespace {

// A field's column, looked up once per plot rather than once per design (a million of them).
struct ColumnView {
  const NumberColumn* numbers = nullptr;
  const TextColumn* texts = nullptr;
  const std::vector<std::string>* text_values = nullptr;

  ColumnView() = default;
  ColumnView(const DesignColumns& columns, const FieldId& field) {
    const auto found = columns.column_of.find(field);
    if (found == columns.column_of.end()) return;
    numbers = &columns.numbers[found->second];
    texts = columns.texts_of(found->second);
    text_values = &columns.text_values;
  }
  std::optional<double> value(const Design& design) const {
    if (!numbers || std::isnan((*numbers)[design.row])) return std::nullopt;
    return (*numbers)[design.row];
  }
  std::optional<std::string> text(const Design& design) const {
    if (texts && (*texts)[design.row] >= 0)
      return (*text_values)[static_cast<std::size_t>((*texts)[design.row])];
    const std::optional<double> number = value(design);
    return number ? std::optional<std::string>(format_number(*number)) : std::nullopt;
  }
};

struct ColumnConstraint {
  ColumnView column;
  std::optional<double> min, max;
  bool passes(const Design& design) const {
    const std::optional<double> v = column.value(design);
    return v && !(min && *v < *min) && !(max && *v > *max);
  }
};

}  // namespace

PlotModel build_plot(const StudyData& study, const PlotRequest& request) {
  PlotModel model;
  const std::vector<Design>& designs = study.designs();
  model.total = designs.size();
  const DesignColumns& columns = study.columns();
  std::vector<ColumnConstraint> constraints;
  for (const Constraint& c : request.constraints)
    if (c.active()) constraints.push_back({ColumnView(columns, c.field), c.min, c.max});
  auto passes = [&](const Design& design) {
    return std::all_of(constraints.begin(), constraints.end(),
                       [&](const ColumnConstraint& c) { return c.passes(design); });
  };
  const ColumnView x_column(columns, request.x), y_column(columns, request.y);

  // Colour grouping: categories, a few distinct numbers, or ranges of a number.
  const Field* colour = request.colour ? study.field(*request.colour) : nullptr;
  const ColumnView colour_column = colour ? ColumnView(columns, colour->id) : ColumnView();
  std::vector<double> edges;
  std::map<std::string, std::size_t> group_of_category;
  if (!colour) {
    model.groups.push_back({"designs", 0.5, {}});
  } else if (!colour->numeric) {
    for (std::size_t i = 0; i < colour->categories.size(); ++i) {
      group_of_category[colour->categories[i]] = i;
      const double position =
          colour->categories.size() > 1 ? double(i) / double(colour->categories.size() - 1) : 0.5;
      model.groups.push_back({colour->categories[i], position, {}});
    }
  } else if (colour->few_values()) {
    for (std::size_t i = 0; i < colour->distinct.size(); ++i) {
      const double position =
          colour->distinct.size() > 1 ? double(i) / double(colour->distinct.size() - 1) : 0.5;
      model.groups.push_back({format_number(colour->distinct[i]), position, {}});
    }
    model.colour_numeric = true;
  } else {
    // Bins hold equal shares of the designs drawn in colour (feasible, within the constraints):
    // metrics are often skewed, and equal-width bins would paint nearly everything one colour.
    std::vector<double> values;
    for (const Design& design : designs) {
      if (!design.feasible || !passes(design)) continue;
      if (const std::optional<double> v = colour_column.value(design)) values.push_back(*v);
    }
    edges = quantile_bin_edges(values, request.colour_bins);
    if (edges.size() < 2) edges = colour_bin_edges(colour->min, colour->max, 1, false);
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
      const double position = edges.size() > 2 ? double(i) / double(edges.size() - 2) : 0.5;
      model.groups.push_back({range_label(edges[i], edges[i + 1]), position, {}});
    }
    model.colour_numeric = true;
  }
  if (colour && colour->numeric) {
    model.colour_min = edges.empty() ? colour->min : edges.front();
    model.colour_max = edges.empty() ? colour->max : edges.back();
  }
  auto group_index = [&](const Design& design) -> std::size_t {
    if (!colour) return 0;
    if (!colour->numeric) {
      const std::optional<std::string> text = colour_column.text(design);
      const auto it = text ? group_of_category.find(*text) : group_of_category.end();
      return it == group_of_category.end() ? model.groups.size() : it->second;
    }
    const std::optional<double> value = colour_column.value(design);
    if (!value) return model.groups.size();
    if (colour->few_values()) {
      const auto it = std::lower_bound(colour->distinct.begin(), colour->distinct.end(), *value);
      return static_cast<std::size_t>(it - colour->distinct.begin());
    }
    const auto it = std::upper_bound(edges.begin() + 1, edges.end() - 1, *value);
    return static_cast<std::size_t>(it - (edges.begin() + 1));
  };

  std::vector<PlotPoint> feasible;
  std::optional<std::size_t> no_colour_group;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const Design& design = designs[i];
    if (!passes(design)) {
      ++model.filtered_out;
      continue;
    }
    if (!design.feasible && !request.show_infeasible) {
      ++model.hidden_infeasible;
      continue;
    }
    const std::optional<double> x = x_column.value(design);
    const std::optional<double> y = y_column.value(design);
    if (!x || !y) {
      ++model.missing_value;
      continue;
    }
    if ((request.x_log && *x <= 0) || (request.y_log && *y <= 0)) {
      ++model.not_positive_on_log;
      continue;
    }
    const PlotPoint point{*x, *y, i};
    ++model.shown;
    if (!design.feasible) {
      model.infeasible.push_back(point);
      continue;
    }
    feasible.push_back(point);
    if (design.on_front) model.stored_front.push_back(point);
    std::size_t group = group_index(design);
    if (group >= model.groups.size()) {
      if (!no_colour_group) {
        no_colour_group = model.groups.size();
        model.groups.push_back({"(no value)", -1, {}});
      }
      group = *no_colour_group;
    }
    model.groups[group].points.push_back(point);
  }
  for (std::size_t index : pareto_front_2d(feasible, request.x_direction, request.y_direction)) {
    model.front.push_back(feasible[index]);
  }
  // Empty colour groups only clutter the legend.
  std::erase_if(model.groups, [&](const ColourGroup& g) { return g.points.empty() && colour; });
  return model;
}

}  // namespace accelscope::gui
