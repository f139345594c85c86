#include "gui/core/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace accelscope::gui {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// The report's rule for a log scale (reports::prefers_log_scale): positive, more than 10x.
bool wants_log(double low, double high) {
  return low > 0 && high / low > 10;
}

}  // namespace

std::vector<FieldId> parallel_fields(const StudyData& study) {
  std::vector<FieldId> fields;
  for (const store::Objective& objective : study.info().objectives) {
    if (study.field(metric(objective.name))) fields.push_back(metric(objective.name));
  }
  for (const FieldId& id : study.space_params()) fields.push_back(id);
  return fields;
}

ParallelModel build_parallel(const StudyData& study, std::span<const std::size_t> designs,
                             const std::vector<FieldId>& fields) {
  ParallelModel model;
  model.designs.assign(designs.begin(), designs.end());
  model.heights.assign(designs.size(), std::vector<double>(fields.size(), kMissing));
  const std::vector<Design>& all = study.designs();
  for (std::size_t a = 0; a < fields.size(); ++a) {
    ParallelAxis axis;
    axis.field = fields[a];
    axis.direction = study.known_direction(fields[a]);
    const Field* field = study.field(fields[a]);
    if (field && !field->numeric) {
      axis.categories = field->categories;
      const double steps = std::max<double>(1, static_cast<double>(axis.categories.size()) - 1);
      for (std::size_t line = 0; line < designs.size(); ++line) {
        const std::optional<std::string> text = all[designs[line]].text(fields[a]);
        if (!text) continue;
        const auto found = std::find(axis.categories.begin(), axis.categories.end(), *text);
        if (found == axis.categories.end()) continue;
        model.heights[line][a] = axis.categories.size() == 1
                                     ? 0.5
                                     : static_cast<double>(found - axis.categories.begin()) / steps;
      }
      model.axes.push_back(std::move(axis));
      continue;
    }
    std::vector<double> values(designs.size(), kMissing);
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (std::size_t line = 0; line < designs.size(); ++line) {
      if (const std::optional<double> value = all[designs[line]].value(fields[a])) {
        values[line] = *value;
        low = std::min(low, *value);
        high = std::max(high, *value);
      }
    }
    if (low > high) low = high = 0;
    axis.low = low;
    axis.high = high;
    axis.log_scale = wants_log(low, high);
    for (std::size_t line = 0; line < designs.size(); ++line) {
      const double v = values[line];
      if (std::isnan(v)) continue;
      double t = 0.5;
      if (axis.log_scale) {
        t = std::log(v / low) / std::log(high / low);
      } else if (high > low) {
        t = (v - low) / (high - low);
      }
      model.heights[line][a] = t;
    }
    model.axes.push_back(std::move(axis));
  }
  return model;
}

double parallel_value(const ParallelAxis& axis, double t) {
  if (axis.log_scale) return axis.low * std::pow(axis.high / axis.low, t);
  return axis.low + t * (axis.high - axis.low);
}

}  // namespace accelscope::gui
