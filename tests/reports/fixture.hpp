// Synthetic studies for the report tests, written through the store API exactly as
// docs/study-format.md describes: designs evaluated by the real model, metrics aggregated over
// two workloads, constraints checked, breakdowns stored for the front.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "store/types.hpp"

namespace accelscope::reports::testing {

struct FixtureOptions {
  std::string name = "edge-fixture";
  int designs = 40;
  int objectives = 3;            // 1: latency; 2: and energy; 3: and area
  double max_area_mm2 = 4.0;     // the constraint; tiny makes every design infeasible
  bool store_breakdowns = true;  // for front designs, as the search does
  int failed = 1;                // trials that fail to evaluate
  int left_pending = 0;          // trials never evaluated (a running study)
};

// How many times `what` occurs in text (overlapping occurrences counted).
inline std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++count;
  return count;
}

// Creates (or adds to) the database and returns the new study's id.
store::StudyId make_fixture_study(const std::filesystem::path& database,
                                  const FixtureOptions& options = {});

}  // namespace accelscope::reports::testing
