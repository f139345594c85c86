// Which parameters move each objective in a study: search::parameter_importance (the report's
// computation) on the designs the viewer holds, every evaluated design of the study (a uniform
// sample of 100,000 beyond that).
#pragma once

#include <vector>

#include "gui/core/study_data.hpp"
#include "search/importance.hpp"

namespace accelscope::gui {

struct StudyImportance {
  std::vector<FieldId> parameters;  // the space's that vary; text ones (dataflow) as categories
  std::vector<FieldId> objectives;  // the study's
  search::ImportanceTable table;    // [objective][parameter]
};

StudyImportance study_importance(const StudyData& study);

}  // namespace accelscope::gui
