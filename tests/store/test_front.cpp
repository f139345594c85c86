// The incrementally maintained front against a brute-force computation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "store/database.hpp"
#include "store/pareto.hpp"
#include "support.hpp"

using namespace accelscope::store;
using accelscope::store::testing::sample_config;
using accelscope::store::testing::sample_points;
using accelscope::store::testing::sample_result;
using accelscope::store::testing::TempDir;

TEST_CASE("dominance and the in-memory front", "[store][pareto]") {
  CHECK(dominates(std::vector{1.0, 2.0}, std::vector{1.0, 3.0}));
  CHECK_FALSE(dominates(std::vector{1.0, 2.0}, std::vector{1.0, 2.0}));  // equal: neither
  CHECK_FALSE(dominates(std::vector{1.0, 3.0}, std::vector{2.0, 2.0}));  // trade-off

  ParetoFront front;
  CHECK(front.insert(1, {2, 2}).on_front);
  CHECK(front.insert(2, {2, 2}).on_front);  // a duplicate joins
  CHECK_FALSE(front.insert(3, {3, 3}).on_front);
  const auto result = front.insert(4, {1, 2});
  CHECK(result.on_front);
  CHECK(std::set<TrialId>(result.evicted.begin(), result.evicted.end()) == std::set<TrialId>{1, 2});
  CHECK(front.members().size() == 1);
  CHECK(non_dominated({{2, 2}, {2, 2}, {3, 1}, {3, 3}}) == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("the stored front matches brute force as results arrive", "[store][pareto]") {
  TempDir dir;
  Database db(dir.file("front.sqlite"));
  Database other_writer(dir.file("front.sqlite"));
  const StudyId study = db.create_study(sample_config());  // min, min, max
  constexpr int kTrials = 400;
  const auto added = db.add_pending(study, 0, 0, sample_points(kTrials));

  // Coarse integer values so ties and exact duplicates are frequent.
  std::mt19937 random(1234);
  std::uniform_int_distribution<int> value(0, 6);
  std::uniform_int_distribution<int> percent(0, 99);
  struct Outcome {
    TrialId id;
    std::vector<double> objectives;  // natural direction
    bool feasible;
    bool failed;
  };
  std::vector<Outcome> outcomes;
  for (const PendingTrial& trial : added) {
    // Latency and energy trade off (plus noise), so the front has many members.
    const int latency = value(random);
    const double energy = 6 - latency + value(random) / 3;
    outcomes.push_back({trial.id,
                        {double(latency), energy, double(value(random))},
                        percent(random) >= 20,
                        percent(random) < 5});
  }
  std::shuffle(outcomes.begin(), outcomes.end(), random);  // results arrive out of seq order

  std::vector<const Outcome*> recorded;
  auto check_front = [&] {
    std::vector<std::vector<double>> feasible_points;
    std::vector<TrialId> feasible_ids;
    for (const Outcome* outcome : recorded) {
      if (outcome->failed || !outcome->feasible) continue;
      const auto& v = outcome->objectives;
      feasible_points.push_back({v[0], v[1], -v[2]});  // throughput is maximised
      feasible_ids.push_back(outcome->id);
    }
    std::set<TrialId> expected;
    for (std::size_t index : non_dominated(feasible_points)) expected.insert(feasible_ids[index]);
    std::set<TrialId> stored;
    for (const Trial& trial : db.front(study)) {
      CHECK(trial.feasible == true);
      stored.insert(trial.id);
    }
    REQUIRE(stored == expected);
  };

  std::size_t next = 0;
  while (next < outcomes.size()) {
    // Alternate single completions with batches, as workers would.
    const std::size_t batch_size = (next / 7) % 2 == 0 ? 1 : 13;
    std::vector<Completion> batch;
    for (std::size_t i = 0; i < batch_size && next < outcomes.size(); ++i, ++next) {
      const Outcome& outcome = outcomes[next];
      recorded.push_back(&outcome);
      if (outcome.failed) {
        db.fail(outcome.id, "boom");
        continue;
      }
      const auto& v = outcome.objectives;
      batch.push_back({outcome.id, sample_result(v[0], v[1], v[2], outcome.feasible)});
    }
    // A second writer on the file now and then: the first must notice its front changes.
    Database& writer = (next / 13) % 3 == 2 ? other_writer : db;
    if (batch.size() == 1) {
      writer.complete(batch[0].trial, batch[0].result);
    } else {
      writer.complete_many(batch);
    }
    check_front();
  }

  // A full recomputation agrees with the incremental result.
  const auto incremental = db.front(study);
  db.recompute_front(study);
  const auto recomputed = db.front(study);
  REQUIRE(incremental.size() == recomputed.size());
  for (std::size_t i = 0; i < incremental.size(); ++i) CHECK(incremental[i].id == recomputed[i].id);
  CHECK(incremental.size() > 3);

  TrialFilter front_only;
  front_only.front_only = true;
  CHECK(db.trials(study, front_only).size() == incremental.size());
}
