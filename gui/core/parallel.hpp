// The parallel-coordinates view of designs (usually the study's front): one vertical axis per
// objective and varying parameter, one polyline per design. This computes where each design
// crosses each axis, without widgets.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gui/core/study_data.hpp"

namespace accelscope::gui {

struct ParallelAxis {
  FieldId field;
  std::optional<store::Direction> direction;  // shown on the label ("min"/"max") when known
  bool log_scale = false;                     // positive values spanning more than 10x
  double low = 0;                             // the value at the bottom
  double high = 0;                            // the value at the top
  std::vector<std::string> categories;        // a text parameter: evenly spaced, in this order
};

struct ParallelModel {
  std::vector<ParallelAxis> axes;
  std::vector<std::size_t> designs;          // indices into StudyData::designs(), one per line
  std::vector<std::vector<double>> heights;  // [line][axis] in [0, 1] (0 bottom); NaN: no value
};

// The axes worth showing: the study's objectives, then the space's parameters that vary.
std::vector<FieldId> parallel_fields(const StudyData& study);

// Where each design crosses each axis: numbers scaled over the given designs' range (log where
// it spans more than 10x), categories evenly spaced.
ParallelModel build_parallel(const StudyData& study, std::span<const std::size_t> designs,
                             const std::vector<FieldId>& fields);

// The value at height t in [0, 1] on an axis (for labels).
double parallel_value(const ParallelAxis& axis, double t);

}  // namespace accelscope::gui
