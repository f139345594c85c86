// Compatibility with SCALE-Sim v2 (spaces/reference/scalesim): compute cycles of every
// ResNet-50 layer within 0.5 %, SRAM reads within 1 %, for the os, ws and is dataflows.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/evaluate.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/technology_io.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;
using accelscope::testing::number;

namespace {

struct ScaleSimRun {
  model::Network network;
  model::NetworkReport report;
  std::vector<accelscope::testing::CsvRow> reference;
  model::Accelerator accelerator;
};

ScaleSimRun run(const std::string& dataflow) {
  const std::string dir = accelscope::testing::reference_dir() + "/scalesim/";
  ScaleSimRun r;
  r.accelerator = io::read_scalesim_config(dir + "r50_32x32_" + dataflow + "_calc.cfg");
  r.network = io::read_scalesim_topology(dir + "resnet50_topology.csv");
  r.reference = accelscope::testing::read_csv(dir + "r50_32x32_" + dataflow + "_calc.csv");
  const model::Technology tech =
      io::technology_at(io::load_default_tech_library(), r.accelerator.tech_node_nm);
  model::EvalOptions options;
  options.tile_for_capacity = false;  // SCALE-Sim streams a whole layer through its SRAMs
  r.report = model::evaluate(r.accelerator, r.network, tech, options);
  return r;
}

double relative_error(double ours, double theirs) {
  return std::abs(ours - theirs) / theirs;
}

}  // namespace

TEST_CASE("SCALE-Sim topology: GEMM shapes and MACs match SCALE-Sim's own view", "[scalesim]") {
  const ScaleSimRun r = run("os");
  REQUIRE(r.network.ops.size() == r.reference.size());
  REQUIRE(r.network.ops.size() == 54);
  for (std::size_t i = 0; i < r.network.ops.size(); ++i) {
    INFO("layer " << r.network.ops[i].name);
    const model::GemmView g = model::gemm_view(r.network.ops[i]);
    CHECK(g.m == static_cast<std::int64_t>(number(r.reference[i], "M_ofmap_px")));
    CHECK(g.n == static_cast<std::int64_t>(number(r.reference[i], "N_filters")));
    CHECK(g.k == static_cast<std::int64_t>(number(r.reference[i], "K_window")));
    CHECK(model::macs(r.network.ops[i]) ==
          static_cast<std::int64_t>(number(r.reference[i], "macs")));
  }
}

TEST_CASE("SCALE-Sim compute cycles and SRAM reads, every layer, os/ws/is", "[scalesim]") {
  for (const std::string dataflow : {"os", "ws", "is"}) {
    const ScaleSimRun r = run(dataflow);
    REQUIRE(r.report.ops.size() == r.reference.size());
    double worst_cycles = 0, worst_reads = 0;
    for (std::size_t i = 0; i < r.report.ops.size(); ++i) {
      const model::Costs& c = r.report.ops[i].costs;
      const auto& ref = r.reference[i];
      INFO(dataflow << " layer " << r.report.ops[i].name);
      const double cycles =
          relative_error(c.compute_cycles, number(ref, "compute_cycles_excl_stall"));
      const double ifmap = relative_error(c.sram_reads[0], number(ref, "sram_ifmap_reads"));
      const double filter = relative_error(c.sram_reads[1], number(ref, "sram_filter_reads"));
      CHECK(cycles <= 0.005);
      CHECK(ifmap <= 0.01);
      CHECK(filter <= 0.01);
      worst_cycles = std::max(worst_cycles, cycles);
      worst_reads = std::max({worst_reads, ifmap, filter});
    }
    // The only difference left is SCALE-Sim's final "- 1" cycle per layer.
    CHECK(worst_cycles < 1e-4);
    CHECK(worst_reads == 0);
  }
}

TEST_CASE("SCALE-Sim ofmap SRAM writes", "[scalesim]") {
  for (const std::string dataflow : {"ws", "is"}) {
    const ScaleSimRun r = run(dataflow);
    for (std::size_t i = 0; i < r.report.ops.size(); ++i) {
      INFO(dataflow << " layer " << r.report.ops[i].name);
      CHECK(relative_error(r.report.ops[i].costs.sram_writes[2],
                           number(r.reference[i], "sram_ofmap_writes")) <= 0.01);
    }
  }
  // Output stationary: we write each output once (M*N). SCALE-Sim over-counts by
  // folds * (rows + cols) (its drain writes the whole array every fold,
  // spaces/reference/README.md); the test checks that this is the whole difference rather than
  // loosening the tolerance.
  const ScaleSimRun r = run("os");
  const int rows = r.accelerator.array.rows, cols = r.accelerator.array.cols;
  for (std::size_t i = 0; i < r.report.ops.size(); ++i) {
    INFO("os layer " << r.report.ops[i].name);
    const model::GemmView g = model::gemm_view(r.network.ops[i]);
    const double output_elements = static_cast<double>(g.m * g.n);
    const double folds =
        std::ceil(static_cast<double>(g.m) / rows) * std::ceil(static_cast<double>(g.n) / cols);
    CHECK(r.report.ops[i].costs.sram_writes[2] == Approx(output_elements));
    CHECK(output_elements + folds * (rows + cols) ==
          Approx(number(r.reference[i], "sram_ofmap_writes")).epsilon(0.01));
  }
}

TEST_CASE("SCALE-Sim DRAM traffic: same order of magnitude (loose check)", "[scalesim]") {
  // SCALE-Sim's DRAM counts come from its prefetcher following a fixed fold order (half of each
  // SRAM active). Ours come from the tiling search under the same buffer sizes, which may trade
  // refetches of one operand for another (e.g. input-stationary strided layers where we re-read
  // inputs to keep weight tiles resident), so the loose check is per layer (all reads together):
  // within a factor of 10, not closer.
  //
  // Where one operand of ours is more than 10x lower, it must be for one reason only: it exceeds
  // the active half of SCALE-Sim's SRAM, so SCALE-Sim re-streams all of it once per fold of the
  // other array dimension (ifmap once per column fold of N in os and ws; filters once per column
  // fold of M in is), while our tiling keeps a tile resident across folds. The test checks that
  // this is exactly SCALE-Sim's figure rather than accepting the difference.
  for (const std::string dataflow : {"os", "ws", "is"}) {
    const ScaleSimRun r = run(dataflow);
    double ours_total = 0, theirs_total = 0;
    const double cols = r.accelerator.array.cols;
    for (std::size_t i = 0; i < r.report.ops.size(); ++i) {
      const model::Costs& c = r.report.ops[i].costs;
      const auto& ref = r.reference[i];
      const model::GemmView g = model::gemm_view(r.network.ops[i]);
      INFO(dataflow << " layer " << r.report.ops[i].name);
      auto check = [&](double ours, double theirs, double operand_elements, double capacity,
                       double refetch_folds) {
        if (ours / theirs >= 0.1) return;
        CHECK(operand_elements >= capacity / 2);
        CHECK(theirs == refetch_folds * operand_elements);
      };
      const double ifmap = number(ref, "dram_ifmap_reads"),
                   filter = number(ref, "dram_filter_reads");
      check(c.dram_read_bytes[0], ifmap, static_cast<double>(g.input_elements),
            r.accelerator.sram[0].capacity_bytes,
            dataflow != "is" ? std::ceil(static_cast<double>(g.n) / cols) : -1);
      check(c.dram_read_bytes[1], filter, static_cast<double>(g.weight_elements),
            r.accelerator.sram[1].capacity_bytes,
            dataflow == "is" ? std::ceil(static_cast<double>(g.m) / cols) : -1);
      const double ours_reads = c.dram_read_bytes[0] + c.dram_read_bytes[1];
      CHECK(ours_reads / (ifmap + filter) <= 10);
      CHECK(ours_reads / (ifmap + filter) >= 0.1);
      ours_total += ours_reads;
      theirs_total += ifmap + filter;
    }
    CHECK(ours_total / theirs_total >= 0.1);
    CHECK(ours_total / theirs_total <= 10);
  }
}
