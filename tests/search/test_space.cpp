#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <stdexcept>

#include "search/space.hpp"

using namespace accelscope::search;
using Catch::Matchers::Contains;

TEST_CASE("space: grid size, enumeration order and index round trip", "[search][space]") {
  Space space({Dimension::numeric_levels("a", {1, 2, 3}),
               Dimension::categorical_levels("b", {"x", "y"}),
               Dimension::ordinal_levels("c", {"lo", "mid", "hi", "max"})});
  REQUIRE(space.grid_size() == 24u);
  CHECK(space.grid_size_approx() == 24.0);
  // Last dimension fastest.
  CHECK(space.grid_point(0) == Point{0, 0, 0});
  CHECK(space.grid_point(1) == Point{0, 0, 1});
  CHECK(space.grid_point(4) == Point{0, 1, 0});
  CHECK(space.grid_point(23) == Point{2, 1, 3});
  std::set<std::string> keys;
  for (std::uint64_t i = 0; i < 24; ++i) {
    const Point point = space.grid_point(i);
    CHECK(space.contains(point));
    CHECK(space.grid_index(point) == i);
    keys.insert(space.key(point));
  }
  CHECK(keys.size() == 24);
  CHECK_THROWS_AS(space.grid_point(24), std::out_of_range);
}

TEST_CASE("space: grid size overflow is detected", "[search][space]") {
  std::vector<double> levels(65536);
  for (std::size_t i = 0; i < levels.size(); ++i) levels[i] = static_cast<double>(i);
  Space space;
  for (const char* name : {"d0", "d1", "d2"}) space.add(Dimension::numeric_levels(name, levels));
  REQUIRE(space.grid_size() == (std::uint64_t{1} << 48));
  space.add(Dimension::numeric_levels("d3", levels));  // 2^64: one more than uint64 holds
  CHECK_FALSE(space.grid_size().has_value());
  CHECK(space.grid_size_approx() == std::ldexp(1.0, 64));
  space.add(Dimension::continuous_range("x", 0.0, 1.0));
  CHECK(std::isinf(space.grid_size_approx()));
}

TEST_CASE("space: normalisation is log-aware", "[search][space]") {
  Space space({Dimension::numeric_levels("sram_kib", {16, 32, 64, 128, 256}),  // 16x: log
               Dimension::numeric_levels("bits", {4, 8, 16, 24, 32}),          // 8x: linear
               Dimension::categorical_levels("dataflow", {"os", "ws", "is"}),
               Dimension::continuous_range("freq_ghz", 0.1, 10.0, true),
               Dimension::continuous_range("ratio", -1.0, 1.0)});
  CHECK(space.dimension(0).normalises_in_log());
  CHECK_FALSE(space.dimension(1).normalises_in_log());
  const auto unit = space.normalise({2, 1, 2, 1.0, 0.5});
  CHECK(unit[0] == Approx(0.5));                 // 64 is midway between 16 and 256 in log
  CHECK(unit[1] == Approx((8.0 - 4.0) / 28.0));  // by value
  CHECK(unit[2] == Approx(1.0));                 // by index
  CHECK(unit[3] == Approx(0.5));                 // 1 GHz midway between 0.1 and 10 in log
  CHECK(unit[4] == Approx(0.75));
  // Non-positive values never use logs.
  Space signed_levels({Dimension::numeric_levels("offset", {-4, 0, 100})});
  CHECK_FALSE(signed_levels.dimension(0).normalises_in_log());
  CHECK(signed_levels.normalise({1})[0] == Approx(4.0 / 104.0));
}

TEST_CASE("space: from_unit covers every level and respects ranges", "[search][space]") {
  Space space({Dimension::numeric_levels("a", {1, 2, 3, 4}),
               Dimension::continuous_range("x", 2.0, 8.0, true)});
  CHECK(space.from_unit({0.0, 0.0}) == Point{0, 2.0});
  CHECK(space.from_unit({0.999999, 0.5})[0] == 3);
  CHECK(space.from_unit({0.26, 0.5})[0] == 1);
  CHECK(space.from_unit({0.0, 0.5})[1] == Approx(4.0));  // log-uniform midpoint
  CHECK(space.from_unit({0.0, 1.0})[1] == Approx(8.0));
}

TEST_CASE("space: keys are stable text and points are checked", "[search][space]") {
  Space space(
      {Dimension::numeric_levels("a", {1, 2, 3, 4}), Dimension::continuous_range("x", 0.0, 10.0)});
  CHECK(space.key({3, 1.5}) == "3,1.5");
  CHECK(space.key({0, 0.1}) == "0,0.1");
  CHECK(space.describe({3, 1.5}) == "a=4, x=1.5");
  CHECK(space.contains({3, 10.0}));
  CHECK_FALSE(space.contains({4, 1.0}));    // level out of range
  CHECK_FALSE(space.contains({1.5, 1.0}));  // not a level index
  CHECK_FALSE(space.contains({1, 11.0}));   // value out of range
  CHECK_FALSE(space.contains({1}));         // wrong size
  CHECK_THROWS_WITH(space.check({4, 1.0}), Contains("'a'") && Contains("level index"));
  CHECK(space.snap({7.6, -3.0}) == Point{3, 0.0});
  CHECK(space.snap({1.4, 3.0}) == Point{1, 3.0});
}

TEST_CASE("space: bad dimensions throw clear messages", "[search][space]") {
  CHECK_THROWS_WITH(Space({Dimension::numeric_levels("pe_rows", {})}),
                    Contains("'pe_rows'") && Contains("zero levels"));
  CHECK_THROWS_WITH(Space({Dimension::categorical_levels("df", {"os", "os"})}),
                    Contains("'df'") && Contains("repeated"));
  CHECK_THROWS_WITH(Space({Dimension::continuous_range("f", 2.0, 1.0)}),
                    Contains("'f'") && Contains("lo < hi"));
  CHECK_THROWS_WITH(Space({Dimension::continuous_range("f", 0.0, 1.0, true)}),
                    Contains("'f'") && Contains("lo > 0"));
  CHECK_THROWS_WITH(
      Space({Dimension::numeric_levels("a", {1}), Dimension::numeric_levels("a", {2})}),
      Contains("'a'") && Contains("twice"));
  Dimension mismatched = Dimension::numeric_levels("m", {1, 2});
  mismatched.labels = {"one"};
  CHECK_THROWS_WITH(Space({mismatched}), Contains("'m'") && Contains("labels"));
  CHECK_THROWS_AS(Space({Dimension::numeric_levels("", {1})}), std::invalid_argument);
}
