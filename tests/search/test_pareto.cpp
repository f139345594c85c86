#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "search/pareto.hpp"

using namespace accelscope::search;
using V = std::vector<double>;

TEST_CASE("pareto: dominance under minimisation", "[search][pareto]") {
  CHECK(dominates(V{1, 2}, V{2, 2}));
  CHECK_FALSE(dominates(V{2, 2}, V{1, 2}));
  CHECK_FALSE(dominates(V{1, 2}, V{1, 2}));  // equal: neither dominates
  CHECK_FALSE(dominates(V{1, 3}, V{2, 2}));
  CHECK_FALSE(dominates(V{2, 2}, V{1, 3}));
  CHECK(dominates(V{0, 0, 0}, V{0, 0, 1e-12}));
  CHECK_THROWS_AS(dominates(V{1, 2}, V{1, 2, 3}), std::invalid_argument);
}

TEST_CASE("pareto: constraint-domination ordering (Deb 2002)", "[search][pareto]") {
  // A feasible point beats any infeasible one, whatever the objectives.
  CHECK(constraint_dominates(V{5, 5}, 0.0, V{0, 0}, 0.1));
  CHECK_FALSE(constraint_dominates(V{0, 0}, 0.1, V{5, 5}, 0.0));
  // Between infeasible points the smaller violation wins, whatever the objectives.
  CHECK(constraint_dominates(V{9, 9}, 0.1, V{0, 0}, 0.2));
  CHECK_FALSE(constraint_dominates(V{0, 0}, 0.2, V{9, 9}, 0.1));
  CHECK_FALSE(constraint_dominates(V{0, 0}, 0.2, V{9, 9}, 0.2));
  // A failed evaluation (NaN violation) loses to everything.
  CHECK(constraint_dominates(V{9, 9}, 1e9, V{0, 0}, std::nan("")));
  // Between feasible points, Pareto dominance.
  CHECK(constraint_dominates(V{1, 1}, 0.0, V{1, 2}, 0.0));
  CHECK_FALSE(constraint_dominates(V{1, 3}, 0.0, V{2, 2}, 0.0));
}

TEST_CASE("pareto: fast non-dominated sort", "[search][pareto]") {
  const std::vector<V> points = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {4, 4}, {2, 2}, {5, 5}};
  const Fronts fronts = non_dominated_sort(points);
  REQUIRE(fronts.size() == 4);
  CHECK(fronts[0] == std::vector<std::size_t>{0, 1, 2, 5});
  CHECK(fronts[1] == std::vector<std::size_t>{3});
  CHECK(fronts[2] == std::vector<std::size_t>{4});
  CHECK(fronts[3] == std::vector<std::size_t>{6});
  CHECK(non_dominated_indices(points) == std::vector<std::size_t>{0, 1, 2, 5});
  CHECK(non_dominated_sort({}).empty());
}

TEST_CASE("pareto: constrained sort puts infeasible points last, by violation",
          "[search][pareto]") {
  const std::vector<V> points = {{1, 4}, {2, 2}, {0, 0}, {3, 3}, {0, 1}, {5, 5}};
  const V violations = {0, 0, 0.5, 0, 0.1, 0.5};
  const Fronts fronts = constrained_non_dominated_sort(points, violations);
  REQUIRE(fronts.size() == 4);
  CHECK(fronts[0] == std::vector<std::size_t>{0, 1});
  CHECK(fronts[1] == std::vector<std::size_t>{3});
  CHECK(fronts[2] == std::vector<std::size_t>{4});     // violation 0.1
  CHECK(fronts[3] == std::vector<std::size_t>{2, 5});  // violation 0.5, objectives ignored
  CHECK_THROWS_AS(constrained_non_dominated_sort(points, {0, 0}), std::invalid_argument);
}

TEST_CASE("pareto: crowding distance", "[search][pareto]") {
  const std::vector<V> points = {{3, 0}, {0, 3}, {1, 2}, {2, 1}, {9, 9}};
  const auto distance = crowding_distance(points, {0, 1, 2, 3});
  CHECK(std::isinf(distance[0]));
  CHECK(std::isinf(distance[1]));
  CHECK(distance[2] == Approx(4.0 / 3.0));  // (2-0)/3 + (3-1)/3
  CHECK(distance[3] == Approx(4.0 / 3.0));
  const auto pair = crowding_distance(points, {2, 4});
  CHECK((std::isinf(pair[0]) && std::isinf(pair[1])));
}

TEST_CASE("pareto: archive keeps the feasible non-dominated set with ids", "[search][pareto]") {
  ParetoArchive archive(2);
  CHECK(archive.insert(1, {1, 3}).added);
  CHECK(archive.insert(2, {3, 1}).added);
  CHECK(archive.insert(3, {2, 2}).added);
  CHECK_FALSE(archive.insert(4, {2, 3}).added);  // dominated by id 3
  CHECK(archive.size() == 3);

  // Infeasible points never enter, even when they would dominate everything.
  CHECK_FALSE(archive.insert(5, {0, 0}, 0.25).added);
  CHECK_FALSE(archive.insert(6, {0, 0}, std::nan("")).added);
  CHECK(archive.size() == 3);

  const auto result = archive.insert(7, {1.5, 1.5});
  CHECK(result.added);
  CHECK(result.removed_ids == std::vector<std::uint64_t>{3});
  // Equal objective vectors are both kept.
  CHECK(archive.insert(8, {1.5, 1.5}).added);
  std::vector<std::uint64_t> ids;
  for (const auto& entry : archive.entries()) ids.push_back(entry.id);
  CHECK(ids == std::vector<std::uint64_t>{1, 2, 7, 8});

  const auto sweep = archive.insert(9, {0.5, 0.5});
  CHECK(sweep.removed_ids == std::vector<std::uint64_t>{1, 2, 7, 8});
  CHECK(archive.size() == 1);
  CHECK(archive.hypervolume({1.5, 2.5}) == Approx(2.0));

  CHECK_THROWS_AS(archive.insert(10, {1, 2, 3}), std::invalid_argument);
  CHECK_THROWS_AS(archive.insert(11, {std::numeric_limits<double>::infinity(), 0}),
                  std::invalid_argument);
  CHECK_THROWS_AS(ParetoArchive(0), std::invalid_argument);
}

TEST_CASE("pareto: crowding distance tolerates failed (NaN) objectives", "[search][pareto]") {
  const double nan = std::nan("");
  const std::vector<V> points = {{nan, 1}, {1, nan}, {2, 2}, {3, 1}, {nan, nan}};
  const auto distance = crowding_distance(points, {0, 1, 2, 3, 4});
  REQUIRE(distance.size() == 5);
  for (double d : distance) CHECK(!std::isnan(d));
}
