#include "gui/core/report_picks.hpp"

#include "reports/report_data.hpp"

namespace accelscope::gui {

ReportPicks report_picks(store::Database& db, store::StudyId study) {
  reports::CollectOptions options;
  options.front_only = true;  // the knee and shortlist are chosen on the front alone
  const reports::ReportData data = reports::collect(db, study, options);
  ReportPicks picks;
  if (data.knee) picks.knee = data.front_design(*data.knee).trial_id;
  for (const reports::ShortlistEntry& entry : data.shortlist)
    picks.shortlist.push_back({data.front_design(entry.front_index).trial_id, entry.reasons});
  return picks;
}

}  // namespace accelscope::gui
