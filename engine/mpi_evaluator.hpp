// The distributed engine on MPI (Open MPI): `mpirun -np N accelscope search ...`. Rank 0 runs the
// command as usual (the strategy, and the only connection to the SQLite study); every other rank
// loads the study's space itself and evaluates the slices of each chunk that rank 0 sends it (TBB
// inside each rank), returning the results; rank 0 evaluates a slice too. Since the runner records
// a chunk before it asks for more, new work is issued only after results are committed.
//
// Builds without MPI (ACCELSCOPE_MPI off) keep these declarations: Session reports that the build
// has no MPI when a launcher started several ranks, and no BatchEvaluator is ever made.
#pragma once

#include <cstddef>
#include <memory>

#include "engine/batch_evaluator.hpp"

namespace accelscope::engine::mpi {

// Whether this accelscope was built with MPI.
bool built_with_mpi();

// The MPI world of this process: started when a launcher (mpirun, srun) started the process,
// inactive otherwise (a plain run, no MPI calls at all).
class Session {
 public:
  // Starts MPI when launched by mpirun or srun. io::InputError (one line) when this build has no
  // MPI and several ranks were started (on rank 0; the other ranks stay quiet and serve() fails).
  Session(int& argc, char**& argv);
  // Rank 0 tells the other ranks to stop; then MPI is finalised.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool active() const { return active_; }
  int rank() const { return rank_; }
  int size() const { return size_; }

  // Ranks other than 0: loads the spaces rank 0 names and evaluates what it sends until it says
  // stop. Returns the process's exit code.
  int serve();

 private:
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
};

// The session this process runs in (nullptr before one is made).
Session* session();

// True when a launcher started this process as one of several ranks (environment only).
bool launched_with_several_ranks();

// A BatchEvaluator that spreads chunks over every rank, for rank 0 of a session with several
// ranks; nullptr otherwise (evaluate locally). `threads`: per rank (0: all of its cores).
std::unique_ptr<BatchEvaluator> make_batch_evaluator(std::size_t threads);

}  // namespace accelscope::engine::mpi
