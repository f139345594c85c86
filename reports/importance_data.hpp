// Parameter importance of a study for the report: the study's designs as parameter vectors and
// objective values, streamed from the store, sampled and analysed by search::parameter_importance
// (method and caveats in search/importance.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
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

// The done designs (feasible or not: the question is what the knobs do) with a point of one
// coordinate per parameter. A study of more than max_designs is read every importance_stride-th
// design by seq (the store reads such a sample without scanning the rest); the analysis samples
// what it is given down to max_designs (seeded, uniform).
ImportanceData collect_importance(
    store::Database& db, store::StudyId study, std::vector<std::string> parameters,
    std::vector<bool> categorical, std::vector<std::string> objectives, std::int64_t done_designs,
    std::size_t max_designs = search::ImportanceOptions{}.max_designs);

// 1 up to max_designs designs, else the smallest prime >= max(17, done / max_designs): a prime
// stride is coprime to the level counts (up to 16) of a grid's dimensions, enumerated in mixed
// radix by seq, so every level of every dimension stays in the sample (a stride of 10 over a
// last dimension of 10 levels would keep one level).
std::int64_t importance_stride(std::int64_t done_designs, std::size_t max_designs);

}  // namespace accelscope::reports
