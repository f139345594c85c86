// Ask/tell search strategies (in the style of Optuna): the strategy proposes points, the engine
// evaluates them (in parallel, outside this library) and tells the results back.
//
// Protocol
//   1. points = strategy.ask(n): up to n points, never a point asked or told before. Fewer than n
//      is normal (end of a generation, budget, batch hint); an empty result means the strategy is
//      exhausted (budget spent or space used up) and the study is over.
//   2. strategy.tell(results): one Evaluation per asked point, in any order (results of asked
//      points are matched by point and processed in the order they were asked). Tell every asked
//      point before the next ask(); a failed evaluation is told with violation = +inf. Points still
//      untold at the next ask() are dropped (never proposed again, never learnt from).
//      Telling a point that was never asked is allowed (warm start from another study): it counts
//      as seen and informs the model, processed after the asked ones in the order given. A point
//      told twice is ignored the second time.
//   ask() and tell() are not thread-safe; call them from one thread.
//
// Determinism and replay (resume) contract
//   A strategy's behaviour is a pure function of (space, options, the sequence of calls): the
//   `max_points` of every ask() and the evaluations of every tell(). Nothing depends on time,
//   std::random_device, thread scheduling or hash-container iteration order, and random numbers
//   come from std::mt19937_64 with hand-written distributions (identical on every standard
//   library). So to resume a study the engine re-creates the strategy with the same space and
//   options (same seed, budget, shard, knobs, and a cheap_feasible predicate that gives the same
//   answers), then replays the stored history batch by batch: ask(the same max_points as
//   originally), tell(the stored results of that batch). Afterwards the strategy proposes exactly
//   what the uninterrupted one would have. `replay()` below does this and checks that every
//   replayed ask returns the stored points (a mismatch means the space, options or code changed).
//   Results of asks that were still running when the study stopped are simply not told: they are
//   dropped like any untold point, and the replayed strategy continues from there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "search/evaluation.hpp"
#include "search/space.hpp"

namespace accelscope::search {

class Strategy {
 public:
  Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;
  virtual ~Strategy();

  virtual std::vector<Point> ask(std::size_t max_points) = 0;
  virtual void tell(const std::vector<Evaluation>& results) = 0;
  virtual std::string name() const = 0;
  // Points returned by ask() so far (counts against the budget).
  virtual std::uint64_t asked_count() const = 0;
  // Changes the budget from now on (a study extended with `resume --budget`); what was asked
  // keeps counting against it. Replaying an extended study calls it at the same asked_count()
  // as the original run did, so the replay stays exact.
  virtual void set_budget(std::uint64_t budget) = 0;
};

struct Nsga2Options {
  // 0: automatic, clamp(budget / 8, 8, 40) rounded up to even (40 without a budget).
  std::size_t population_size = 0;
  double crossover_probability = 0.9;
  double crossover_eta = 15.0;        // SBX distribution index
  double mutation_probability = 0.0;  // per coordinate; 0: 1 / dimension count
  double mutation_eta = 20.0;         // polynomial mutation distribution index
};

struct BayesOptions {
  // Space-filling (scrambled Halton) points before the model is used; 0: clamp(2d + 1, 10, 20).
  std::size_t initial_points = 0;
  // Random unevaluated candidates scored by expected improvement per ask. Discrete spaces with at
  // most twice this many points score every unevaluated point instead.
  std::size_t candidate_count = 1000;
  // Neighbours of the best points added to the candidates, per ask.
  std::size_t local_candidate_count = 400;
  // Training-set cap keeping the GP's O(n^3) fit affordable: beyond it the model keeps the best
  // half (by the current scalarisation) plus an even spread of the rest, in evaluation order.
  std::size_t max_training_points = 300;
  // Hyper-parameter fit: every ask runs a short gradient ascent from the previous optimum; every
  // `full_fit_period` asks a longer one with `fit_restarts` extra random starts.
  std::size_t fit_restarts = 2;
  std::size_t full_fit_period = 8;
  // ParEGO augmented Chebyshev coefficient.
  double parego_rho = 0.05;
};

// Trust-region Bayesian optimisation for large budgets (TuRBO, Eriksson et al. 2019, with several
// regions each scalarising the objectives with its own ParEGO weights, as in MORBO): every model is
// a local GP on at most `local_points` evaluated points nearest the region's centre, so an ask
// costs the same at 100 or 100,000 evaluated points.
struct TurboOptions {
  // Space-filling points before the model is used; 0: clamp(2d + 1, 10, 40).
  std::size_t initial_points = 0;
  std::size_t trust_regions = 4;
  // Training points of each local GP (nearest the centre in normalised coordinates).
  std::size_t local_points = 100;
  // Candidates drawn inside the trust region per ask.
  std::size_t candidate_count = 300;
  // Edge of the trust region in normalised coordinates (the unit cube is 1): initial, floor (the
  // region restarts with new weights below it) and ceiling.
  double length_initial = 0.8;
  double length_min = 0.5 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5;
  double length_max = 1.6;
  // Asks of a region in a row that improve (do not improve) its centre before the edge doubles
  // (halves). failure_tolerance 0: max(4, d) / batch, at least 1.
  std::size_t success_tolerance = 3;
  std::size_t failure_tolerance = 0;
  std::size_t fit_restarts = 1;
  std::size_t full_fit_period = 8;
  double parego_rho = 0.05;
};

// NSGA-III's reference directions (Das and Dennis): every composition of `divisions` into one part
// per objective. 0: the most divisions whose direction count does not exceed the population.
struct Nsga3Options {
  std::size_t reference_divisions = 0;
};

struct StrategyOptions {
  std::uint64_t seed = 0;
  // Total points the strategy may propose (over its whole life, replay included); 0: no limit
  // (grid and random stop when the discrete space is used up; nsga2 and bayes never stop).
  std::uint64_t budget = 0;
  std::size_t objective_count = 1;
  // Preferred number of points per ask (bayes proposes at most this many at once).
  std::size_t batch_size = 1;
  // Cheap test of a point (e.g. an area limit), called on the asking thread. grid and random skip
  // the points it rejects (random gives up, i.e. reports exhaustion, after 10000 rejections in a
  // row on a space too large to enumerate); nsga2 and bayes prefer points it accepts and fall back
  // to rejected ones only when nothing else is left nearby. Must be deterministic.
  std::function<bool(const Point&)> cheap_feasible;
  // grid only: this strategy enumerates grid indices shard_index, shard_index + shard_count, ...
  // (strided, so every shard spans the whole grid); the shards partition the grid exactly.
  std::uint64_t shard_index = 0;
  std::uint64_t shard_count = 1;
  // random only: scrambled Halton sequence instead of independent uniform draws.
  bool low_discrepancy = false;
  Nsga2Options nsga2;  // nsga3 uses its population and variation settings too
  BayesOptions bayes;
  TurboOptions turbo;
  Nsga3Options nsga3;
};

// "grid", "random", "nsga2", "nsga3", "bayes", "turbo".
std::vector<std::string> strategy_names();

// Throws std::invalid_argument on an unknown name (listing the allowed ones), an empty space, zero
// objectives, a bad shard, or a space the strategy cannot handle (grid: continuous dimensions or
// more than 2^64 points).
std::unique_ptr<Strategy> make_strategy(const std::string& name, const Space& space,
                                        const StrategyOptions& options);

// One stored ask/tell round of a study. A warm start (results told without an ask) is a batch with
// requested = 0.
struct HistoryBatch {
  std::size_t requested = 0;        // the max_points of the original ask()
  std::vector<Evaluation> results;  // what was told for that ask (any order, may be partial)
};

// Replays `history` into a freshly made strategy (see the contract above). Throws
// std::runtime_error naming the batch when a replayed ask does not return the stored points.
void replay(Strategy& strategy, const Space& space, const std::vector<HistoryBatch>& history);

}  // namespace accelscope::search
