// How a study run evaluates a chunk of claimed designs. The study runner owns the study logic
// (replay, claims, chunks, recording); a BatchEvaluator only turns points into results, on this
// process's threads (the default) or spread over MPI ranks (engine/mpi_evaluator.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/evaluator.hpp"
#include "search/space.hpp"

namespace accelscope::engine {

// What a remote evaluator needs to load a study's space itself and to check that its results
// would be the study's: the spec file, the stored spec and its hash (stored_space_spec), and the
// identity (model version, technology data) of the process that runs the study.
struct StudySpace {
  std::string name;
  std::string spec_file;
  nlohmann::json stored_spec;
  std::string spec_hash;
  nlohmann::json identity;
};

class BatchEvaluator {
 public:
  virtual ~BatchEvaluator() = default;
  // Before the study is created or changed: remote evaluators load its space. Throws
  // io::InputError (naming the one that cannot), so that nothing is written to the study.
  virtual void start(const StudySpace& space) = 0;
  // Results in the order of the points, as local.evaluate_all(points, threads) gives them.
  virtual std::vector<DesignResult> evaluate_all(const DesignEvaluator& local,
                                                 const std::vector<search::Point>& points,
                                                 std::size_t threads) = 0;
};

}  // namespace accelscope::engine
