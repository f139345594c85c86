// A parallel-coordinates chart: one vertical axis per parameter or objective, one line per design
// crossing every axis at its value, so the knobs shared by good designs line up. Like the other
// charts it knows nothing of studies: the report fills plain descriptions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace accelscope::reports {

struct ParallelAxis {
  std::string label;
  // One value per line; NaN where the design has none (the line skips the axis). On a level
  // axis, the index into `levels`.
  std::vector<double> values;
  std::vector<std::string> levels;  // non-empty: a categorical axis with these levels, in order
  bool log_scale = false;
  bool objective = false;  // drawn with a tinted band, after the parameters
};

enum class LineEmphasis { plain, best, knee };

struct ParallelChart {
  std::string title;
  std::vector<ParallelAxis> axes;
  std::vector<LineEmphasis> lines;  // one per design; the values are in the axes
  double width_px = 1000;
  double height_px = 330;
};

// Throws std::invalid_argument when an axis has not one value per line.
std::string render_parallel_coordinates(const ParallelChart& chart);

// The label split into at most max_lines lines of at most max_chars each (at spaces; a longer
// word, or what does not fit in the last line, is cut in the middle), so axis headings stay
// inside their column.
std::vector<std::string> wrap_label(const std::string& label, std::size_t max_chars,
                                    std::size_t max_lines = 3);

}  // namespace accelscope::reports
