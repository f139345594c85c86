// Reading studies, shared by the commands and the Python module: finding a study by id or name,
// one design with its breakdown, printing a front as a table.
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

// A design's per-layer breakdown (docs/study-format.md): the stored one, else (not kept: off the
// front) recomputed from the study's spec, which is deterministic; null unless the design is done.
nlohmann::json design_breakdown(store::Database& db, const store::Trial& trial);

// What `show --json` prints for a design: id, study, seq, status, on_front, feasible,
// violations, params, metrics, workloads, breakdown. Throws if the database has no such design.
nlohmann::json design_json(store::Database& db, store::TrialId design);

// The study's front: one row per design with its key parameters and the objectives.
void print_front_table(std::ostream& out, store::Database& db, store::StudyId study);

}  // namespace accelscope::engine
