// Names shown in a fixed-width column or beside a chart's bars: shortened only as far as they
// stay distinct (layer names of ONNX graphs share long prefixes and differ at the end, so a plain
// cut makes "/layer1/layer1.0/downsample/0/Conv" and ".../downsample/1/BatchNorm" read the same).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace accelscope::io {

// Code points of UTF-8 text (what a terminal column or a chart label counts).
std::size_t display_width(const std::string& text);

// One label per name: a name longer than max_chars code points keeps its start and its end around
// "…" (the end, which tells layers apart, gets two thirds); where two different names would read
// the same, every label widens (up to the longest name, i.e. not cut) until none do.
std::vector<std::string> distinct_short_labels(const std::vector<std::string>& names,
                                               std::size_t max_chars);

// A text table's first column: the header, then distinct_short_labels(names, max_chars), all
// padded with spaces to one display width.
std::vector<std::string> label_column(const std::string& header,
                                      const std::vector<std::string>& names, std::size_t max_chars);

}  // namespace accelscope::io
