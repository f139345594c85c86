// What the scatter chart shows, computed from a study without any widget: which designs pass the
// constraints, where each lands on the chosen axes, which colour group it belongs to, and the
// 2-D Pareto front for the chosen axes and directions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gui/core/study_data.hpp"
#include "store/types.hpp"

namespace accelscope::gui {

// A live filter: designs whose field lies outside [min, max] (or lack the field) are hidden.
struct Constraint {
  FieldId field;
  std::optional<double> min;
  std::optional<double> max;
  bool passes(const Design& design) const;
  bool active() const { return min.has_value() || max.has_value(); }
};

bool passes_all(const Design& design, std::span<const Constraint> constraints);

struct PlotRequest {
  FieldId x;
  FieldId y;
  store::Direction x_direction = store::Direction::minimize;
  store::Direction y_direction = store::Direction::minimize;
  bool x_log = false;
  bool y_log = false;
  std::optional<FieldId> colour;  // none: one group
  bool show_infeasible = true;
  std::vector<Constraint> constraints;
  int colour_bins = 6;  // for numeric colour fields with many values
};

struct PlotPoint {
  double x = 0;
  double y = 0;
  std::size_t design = 0;  // index into StudyData::designs()
};

struct ColourGroup {
  std::string label;
  double position = 0;  // 0..1 along the colour scale
  std::vector<PlotPoint> points;
};

struct PlotModel {
  std::vector<ColourGroup> groups;      // feasible designs that pass the constraints
  std::vector<PlotPoint> infeasible;    // infeasible ones that pass (empty if hidden)
  std::vector<PlotPoint> front;         // the 2-D front of the feasible shown points, by x
  std::vector<PlotPoint> stored_front;  // shown designs on the study's stored front
  std::size_t total = 0;                // designs in the study
  std::size_t shown = 0;                // points drawn (feasible + infeasible)
  std::size_t filtered_out = 0;         // hidden by constraints
  std::size_t hidden_infeasible = 0;    // hidden because infeasible designs are off
  std::size_t missing_value = 0;        // lacking x or y
  std::size_t not_positive_on_log = 0;  // x or y <= 0 on a log axis
  bool colour_numeric = false;          // colour groups are ranges of a number
  double colour_min = 0;
  double colour_max = 0;

  // A design's point if it is drawn.
  std::optional<PlotPoint> point_of(std::size_t design) const;
  bool on_front(std::size_t design) const;
};

PlotModel build_plot(const StudyData& study, const PlotRequest& request);

// Indices of the points that no other point dominates in two objectives, sorted by x ascending
// (ties by y). Points equal in both coordinates dominate neither each other and are all kept;
// NaN coordinates are skipped. O(n log n).
std::vector<std::size_t> pareto_front_2d(std::span<const PlotPoint> points,
                                         store::Direction x_direction,
                                         store::Direction y_direction);

// Bin edges at quantiles of the values: `bins` bins holding about equal numbers of values (fewer
// when values repeat). Empty for no values; ascending, first = min, last = max.
std::vector<double> quantile_bin_edges(std::vector<double> values, int bins);

// Equal-width bin edges for colouring: `bins` bins spanning [min, max], on a log scale if asked
// and min > 0. Returns bins + 1 edges.
std::vector<double> colour_bin_edges(double min, double max, int bins, bool log_scale);

}  // namespace accelscope::gui
