#include <catch2/catch.hpp>
#include <random>
#include <stdexcept>

#include "search/hypervolume.hpp"

using namespace accelscope::search;
using Points = std::vector<std::vector<double>>;

namespace {

// Inclusion-exclusion over every non-empty subset: the volume of the union of the boxes
// [p, reference] is the alternating sum of the volumes of their intersections (the box from the
// componentwise maximum of the subset). Exponential, so only for a handful of points.
double inclusion_exclusion(const Points& points, const std::vector<double>& reference) {
  const std::size_t n = points.size();
  double total = 0.0;
  for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::vector<double> corner(reference.size(), -1e300);
    int members = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!(mask & (1u << i))) continue;
      ++members;
      for (std::size_t m = 0; m < reference.size(); ++m)
        corner[m] = std::max(corner[m], points[i][m]);
    }
    double volume = 1.0;
    for (std::size_t m = 0; m < reference.size(); ++m)
      volume *= std::max(reference[m] - corner[m], 0.0);
    total += (members % 2 == 1 ? 1.0 : -1.0) * volume;
  }
  return total;
}

Points random_points(std::mt19937_64& engine, std::size_t count, std::size_t dimension) {
  // Integer grid coordinates create ties and shared faces, the cases sweeps get wrong.
  Points points(count, std::vector<double>(dimension));
  for (auto& point : points) {
    for (auto& value : point) value = static_cast<double>(engine() % 6);
  }
  return points;
}

}  // namespace

TEST_CASE("hypervolume: 2-D hand-computed", "[search][hypervolume]") {
  const std::vector<double> reference = {4, 4};
  const Points staircase = {{1, 3}, {2, 2}, {3, 1}};
  CHECK(hypervolume_2d(staircase, reference) == Approx(6.0));
  // Dominated, duplicated, outside or on the reference boundary: no change.
  Points noisy = staircase;
  noisy.insert(noisy.end(), {{3, 3}, {2, 2}, {5, 0}, {1, 4}, {4, 0.5}});
  CHECK(hypervolume_2d(noisy, reference) == Approx(6.0));
  CHECK(hypervolume(noisy, reference) == Approx(6.0));
  CHECK(hypervolume({}, reference) == 0.0);
  CHECK(hypervolume({{5, 5}}, reference) == 0.0);
  CHECK(hypervolume({{0, 0}}, reference) == Approx(16.0));
}

TEST_CASE("hypervolume: 3-D hand-computed", "[search][hypervolume]") {
  const std::vector<double> reference = {2, 2, 2};
  CHECK(hypervolume_3d({{1, 1, 1}}, reference) == Approx(1.0));
  // Three unit-offset boxes cover the cube except [0,1]^3: 8 - 1.
  const Points corners = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}};
  CHECK(hypervolume_3d(corners, reference) == Approx(7.0));
  CHECK(hypervolume(corners, reference) == Approx(7.0));
  CHECK(hypervolume({{0, 0, 0}, {1, 1, 1}}, reference) == Approx(8.0));
  CHECK(hypervolume({{0, 0, 3}}, reference) == 0.0);
}

TEST_CASE("hypervolume: 4-D and 5-D hand-computed", "[search][hypervolume]") {
  CHECK(hypervolume({{0, 0, 0, 0}}, {1, 2, 3, 4}) == Approx(24.0));
  // The box of the origin (3^4 = 81) contains the box of (1,1,1,1).
  CHECK(hypervolume({{0, 0, 0, 0}, {1, 1, 1, 1}}, {3, 3, 3, 3}) == Approx(81.0));
  // (0,1,1,1) and (1,0,1,1) with reference 2: 2*1*1*1 + 1*2*1*1 - 1 = 3.
  CHECK(hypervolume({{0, 1, 1, 1}, {1, 0, 1, 1}}, {2, 2, 2, 2}) == Approx(3.0));
  // Four points with one coordinate at 0 and the others at 1, reference 2: every box has volume 2
  // and every intersection is [1,2]^4, so by inclusion-exclusion 4*2 - 6*1 + 4*1 - 1*1 = 5.
  CHECK(hypervolume({{0, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0}}, {2, 2, 2, 2}) ==
        Approx(5.0));
  CHECK(hypervolume({{0, 0, 0, 0, 0}}, {1, 1, 2, 1, 3}) == Approx(6.0));
}

TEST_CASE("hypervolume: agrees with inclusion-exclusion on random sets", "[search][hypervolume]") {
  std::mt19937_64 engine(7);
  for (std::size_t dimension = 2; dimension <= 5; ++dimension) {
    const std::vector<double> reference(dimension, 5.5);
    for (int trial = 0; trial < 40; ++trial) {
      const Points points = random_points(engine, 1 + engine() % 9, dimension);
      const double expected = inclusion_exclusion(points, reference);
      INFO("dimension " << dimension << " trial " << trial);
      CHECK(hypervolume(points, reference) == Approx(expected).epsilon(1e-12));
      CHECK(hypervolume_slicing(points, reference) == Approx(expected).epsilon(1e-12));
    }
  }
}

TEST_CASE("hypervolume: fast sweeps agree with slicing on larger sets", "[search][hypervolume]") {
  std::mt19937_64 engine(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (std::size_t dimension = 2; dimension <= 3; ++dimension) {
    for (int trial = 0; trial < 5; ++trial) {
      Points points(200, std::vector<double>(dimension));
      for (auto& point : points) {
        for (auto& value : point) value = unit(engine);
      }
      const std::vector<double> reference(dimension, 1.0);
      const double expected = hypervolume_slicing(points, reference);
      CHECK(hypervolume(points, reference) == Approx(expected).epsilon(1e-10));
    }
  }
}

TEST_CASE("hypervolume: reference point helper and bad input", "[search][hypervolume]") {
  const auto reference = reference_point({{1, 10}, {3, 20}, {2, 30}});
  CHECK(reference[0] == Approx(3.2));
  CHECK(reference[1] == Approx(32.0));
  // Zero range: 10% of the magnitude (or of 1).
  const auto flat = reference_point({{5, 0}, {5, 0}});
  CHECK(flat[0] == Approx(5.5));
  CHECK(flat[1] == Approx(0.1));
  CHECK_THROWS_AS(reference_point({}), std::invalid_argument);
  CHECK_THROWS_AS(hypervolume({{1, 2, 3}}, {4, 4}), std::invalid_argument);
  CHECK_THROWS_AS(hypervolume({{1}}, {}), std::invalid_argument);
}
