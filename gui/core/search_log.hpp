// What the Log tab shows of a search started from the viewer: the CLI's progress as JSON lines
// (--log-json, on stderr) turned into short sentences, other lines kept as they are, and the
// front table the CLI prints on stdout at the end summed up in one line (the chart shows it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accelscope::gui {

// One line of the search's stderr as the log shows it; nullopt for a blank line.
// {"event":"progress","study":"edge","done":1200,"budget":5000,"designs_per_s":350,...}
//   -> "edge: 1200/5000 designs (24%), 350 designs/s, ETA 11 s, front 23, hypervolume 0.512"
std::optional<std::string> format_search_log_line(std::string_view line);

// Splits a stream into lines as its chunks arrive (a chunk may end mid-line).
class LineSplitter {
 public:
  // The lines completed by this chunk, without their line ends.
  std::vector<std::string> add(std::string_view chunk);
  // What is left after the last line end (at the end of the stream).
  std::string rest();

 private:
  std::string pending_;
};

}  // namespace accelscope::gui
