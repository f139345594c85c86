// Helpers shared by the commands that read studies: finding a study by id or name, printing a
// front as a table.
#pragma once

#include <ostream>
#include <stdexcept>
#include <string>

#include "store/database.hpp"

namespace accelscope::engine {

// Thrown when a run stops before its budget (Ctrl-C): exit code 130, study resumable.
struct Interrupted : std::runtime_error {
  Interrupted()
      : std::runtime_error("interrupted; the study is resumable with accelscope resume") {}
};

// By id or name; empty: the only study, else the most recently updated one.
store::StudyInfo find_study(store::Database& db, const std::string& id_or_name);

// The study's front: one row per design with its key parameters and the objectives.
void print_front_table(std::ostream& out, store::Database& db, store::StudyId study);

}  // namespace accelscope::engine
