// Die cost: dies per wafer, negative-binomial yield, cost per good die, and the figures read
// from the technology description (overridable with --tech).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "model/die_cost.hpp"
#include "model/io/technology_io.hpp"
#include "tests/test_support.hpp"

using accelscope::model::die_cost;
using accelscope::model::DieCostFigures;

TEST_CASE("dies per wafer, yield and cost per good die follow the stated formulas", "[model]") {
  DieCostFigures f;
  f.wafer_diameter_mm = 300;
  f.edge_exclusion_mm = 0;
  f.scribe_mm = 0;
  f.wafer_usd = 5000;
  f.defects_per_cm2 = 0.1;
  f.clustering_alpha = 3;
  f.package_test_usd = 2;
  f.package_test_usd_per_mm2 = 0.01;
  // Hennessy and Patterson's example: a 1.5 cm x 1.5 cm die on a 300 mm wafer, about 270 dies
  // (pi 15^2 / 2.25 - pi 30 / sqrt(4.5) = 314.2 - 44.4 = 269.7, floored).
  auto cost = die_cost(225, f);
  CHECK(cost.dies_per_wafer == 269);
  CHECK(cost.yield == Approx(std::pow(1 + 2.25 * 0.1 / 3, -3)));  // 0.8058
  CHECK(cost.silicon_usd == Approx(5000 / (269 * cost.yield)));
  CHECK(cost.package_test_usd == Approx(2 + 2.25));
  CHECK(cost.total_usd() == Approx(cost.silicon_usd + cost.package_test_usd));
  // Edge exclusion and scribe lose dies; a larger die yields worse and costs more than in
  // proportion to its area.
  f.edge_exclusion_mm = 3;
  f.scribe_mm = 0.1;
  CHECK(die_cost(225, f).dies_per_wafer < 269);
  const auto small = die_cost(25, f), large = die_cost(400, f);
  CHECK(large.yield < small.yield);
  CHECK(large.silicon_usd / small.silicon_usd > 16);
  // A large clustering parameter tends to Poisson yield exp(-A D0).
  f.clustering_alpha = 1e6;
  CHECK(die_cost(400, f).yield == Approx(std::exp(-4 * 0.1)).epsilon(1e-5));
  // A die larger than the wafer has no dies: an infinite cost, never a silent figure.
  CHECK(std::isinf(die_cost(1e6, f).silicon_usd));
}

TEST_CASE("die cost figures come from the technology description, per node, overridable",
          "[model]") {
  namespace io = accelscope::io;
  const io::TechLibrary shipped = io::load_default_tech_library();
  const auto at7 = io::technology_at(shipped, 7).die_cost;
  const auto at28 = io::technology_at(shipped, 28).die_cost;
  REQUIRE((at7 && at28));
  CHECK(at7->wafer_usd == 9346);  // CSET 2020, 7 nm
  CHECK(at28->wafer_usd == 2891);
  CHECK(at7->defects_per_cm2 > 0);
  bool sourced = false;
  for (const std::string& s : io::technology_at(shipped, 28).sources)
    sourced = sourced || s.rfind("wafer_usd: foundry sale price per 300 mm wafer", 0) == 0;
  CHECK(sourced);

  // A copy with another wafer price at 28 nm, and one without die cost figures.
  const std::filesystem::path dir = accelscope::testing::temp_path("tech");
  std::filesystem::create_directories(dir);
  for (const auto& entry : std::filesystem::directory_iterator(shipped.directory))
    std::filesystem::copy(entry.path(), dir / entry.path().filename(),
                          std::filesystem::copy_options::recursive);
  nlohmann::json description = shipped.description;
  description["die_cost"]["wafer_usd"]["nodes"]["28"] = 4000;
  std::ofstream(dir / "technology.json") << description.dump(1);
  CHECK(io::technology_at(io::load_tech_library(dir.string()), 28).die_cost->wafer_usd == 4000);
  description.erase("die_cost");
  std::ofstream(dir / "technology.json") << description.dump(1);
  CHECK(!io::technology_at(io::load_tech_library(dir.string()), 28).die_cost);
  std::filesystem::remove_all(dir);
}
