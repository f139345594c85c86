// Reading studies, shared by the commands and the Python module: finding a study by id or name,
// one design with its breakdown.
#pragma once

#include <ostream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace accelscope::engine {

// Thrown when a run stops before its budget (Ctrl-C): exit code 130, study resumable.
struct Interrupted : std::runtime_error {
  Interrupted()
      : std::runtime_error("interrupted; the study is resumable with accelscope resume") {}
};

// By id or name; empty: the only study, else the most recently updated one.
store::StudyInfo find_study(store::Database& db, const std::string& id_or_name);

// A study as `studies --json` lists it: id, name, strategy, seed, budget, done, failed, pending,
// running, status, spec_hash, engine_version.
nlohmann::json study_json(const store::StudyInfo& study);
// What `studies` lists: study_json plus the space's name, the feasible count, the front's size
// and its hypervolume against the study's reference point (natural directions; null without
// one; `hypervolume_estimated` when the Monte Carlo estimate was used, as in progress, with its
// `hypervolume_standard_error`).
nlohmann::json study_summary_json(store::Database& db, const store::StudyInfo& study);

// A design's per-layer breakdown (docs/study-format.md): the stored one, else (not kept: off the
// front) recomputed from the study's spec, which is deterministic; null unless the design is done.
nlohmann::json design_breakdown(store::Database& db, const store::Trial& trial);

// What `show --json` prints for a design: id, study, seq, status, on_front, feasible,
// violations, params, metrics, workloads, breakdown. Throws if the database has no such design.
nlohmann::json design_json(store::Database& db, store::TrialId design);

}  // namespace accelscope::engine
