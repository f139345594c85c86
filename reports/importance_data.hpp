// Parameter importance of a study for the report: the study's designs as parameter vectors and
// objective values, streamed from the store, sampled and analysed by search::parameter_importance
// (method and caveats in search/importance.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "search/importance.hpp"
#include "store/database.hpp"

namespace accelscope::reports {

struct ImportanceData {
  std::vector<std::string> parameters;  // the searched parameters, in the order of a design's point
  std::vector<bool> categorical;        // per parameter: unordered levels
  std::vector<std::string> objectives;  // metrics, study order
  search::ImportanceTable table;        // entries[objective][parameter]; empty when not computed
  bool available() const { return !table.entries.empty() && table.designs_used > 2; }
};

// Every done design (feasible or not: the question is what the knobs do) with a point of one
// coordinate per parameter; at most max_designs of them, a seeded uniform sample, are analysed.
ImportanceData collect_importance(
    store::Database& db, store::StudyId study, std::vector<std::string> parameters,
    std::vector<bool> categorical, std::vector<std::string> objectives,
    std::size_t max_designs = search::ImportanceOptions{}.max_designs);

}  // namespace accelscope::reports
