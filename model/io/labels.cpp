#include "model/io/labels.hpp"

#include <algorithm>
#include <map>

namespace accelscope::io {

namespace {

// Byte offsets of the code points of text.
std::vector<std::size_t> code_point_starts(const std::string& text) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  return starts;
}

std::string cut_middle(const std::string& name, std::size_t max_chars) {
  const std::vector<std::size_t> starts = code_point_starts(name);
  if (starts.size() <= max_chars || max_chars < 3) return name;
  const std::size_t kept = max_chars - 1;  // one for "…"
  const std::size_t head = kept / 3;
  const std::size_t tail = kept - head;
  return name.substr(0, starts[head]) + "…" + name.substr(starts[starts.size() - tail]);
}

}  // namespace

std::size_t display_width(const std::string& text) {
  return code_point_starts(text).size();
}

std::vector<std::string> distinct_short_labels(const std::vector<std::string>& names,
                                               std::size_t max_chars) {
  std::size_t longest = 0;
  for (const std::string& name : names) longest = std::max(longest, display_width(name));
  for (std::size_t width = max_chars;; width += std::max<std::size_t>(1, width / 4)) {
    if (width >= longest) return names;
    std::vector<std::string> labels;
    std::map<std::string, const std::string*> owner;  // label -> the name it stands for
    bool collide = false;
    for (const std::string& name : names) {
      labels.push_back(cut_middle(name, width));
      const auto [it, inserted] = owner.emplace(labels.back(), &name);
      if (!inserted && *it->second != name) {
        collide = true;
        break;
      }
    }
    if (!collide) return labels;
  }
}

std::vector<std::string> label_column(const std::string& header,
                                      const std::vector<std::string>& names,
                                      std::size_t max_chars) {
  std::vector<std::string> column = {header};
  for (std::string& label : distinct_short_labels(names, max_chars))
    column.push_back(std::move(label));
  std::size_t width = 0;
  for (const std::string& cell : column) width = std::max(width, display_width(cell));
  for (std::string& cell : column) cell += std::string(width - display_width(cell), ' ');
  return column;
}

}  // namespace accelscope::io
