// The designs a study's report picks: its knee and shortlist, computed by the report's own code
// (reports::collect on the front) so that the viewer's "Select knee" selects exactly the design
// the report calls the knee, and compares the same shortlist.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace accelscope::gui {

struct ReportPick {
  store::TrialId id = 0;
  std::vector<std::string> reasons;  // "knee", "lowest latency", "spread along the front"
};

struct ReportPicks {
  std::optional<store::TrialId> knee;  // none: the study has no feasible design
  std::vector<ReportPick> shortlist;   // the report's order: the knee, best per objective, ...
};

// Reads the study's front (not its other designs). Throws store::StoreError (and the report's
// errors) like the report does.
ReportPicks report_picks(store::Database& db, store::StudyId study);

}  // namespace accelscope::gui
