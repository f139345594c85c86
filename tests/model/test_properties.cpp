// Properties the model must hold on any design and workload: more bandwidth never slows a
// network down, bigger buffers never add DRAM traffic, costs are positive and finite, MACs equal
// the analytic count, and the fast totals path equals the per-op path.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "model/evaluate.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/technology_io.hpp"
#include "model/io/workload_json.hpp"
#include "tests/test_support.hpp"

using namespace accelscope;

namespace {

const io::TechLibrary& library() {
  static const io::TechLibrary lib = io::load_default_tech_library();
  return lib;
}

model::Accelerator edge() {
  return io::read_hardware_file(accelscope::testing::data_dir() + "/hardware/edge_16x16_int8.json");
}

// A small network with every kind of op: strided, padded, grouped and dilated convolutions, an
// FC, attention-style matmuls, and vector ops that need two passes when memory is small.
model::Network mixed_network() {
  const nlohmann::json j = nlohmann::json::parse(R"({
    "name": "mixed", "batch": 2, "training": true,
    "ops": [
      {"name": "c1", "type": "conv2d", "in": [3, 64, 64], "out_channels": 32, "kernel": [7, 7], "stride": [2, 2], "pad": [3, 3]},
      {"name": "bn1", "type": "batch_norm", "shape": [32, 32, 32]},
      {"name": "r1", "type": "activation", "fn": "relu", "shape": [32, 32, 32]},
      {"name": "p1", "type": "pool", "in": [32, 32, 32], "kernel": [3, 3], "stride": [2, 2], "pad": [1, 1]},
      {"name": "dw", "type": "conv2d", "in": [32, 16, 16], "out_channels": 32, "kernel": [3, 3], "pad": [1, 1], "groups": 32},
      {"name": "pw", "type": "conv2d", "in": [32, 16, 16], "out_channels": 96, "kernel": [1, 1]},
      {"name": "dil", "type": "conv2d", "in": [96, 16, 16], "out_channels": 64, "kernel": [3, 3], "pad": [2, 2], "dilation": [2, 2]},
      {"name": "tconv", "type": "conv2d", "in": [64, 16, 16], "out_channels": 32, "kernel": [3, 3], "pad": [1, 2], "input_dilation": [2, 2], "phase": "backward_data"},
      {"name": "add", "type": "eltwise", "fn": "add", "shape": [32, 32, 32]},
      {"name": "gap", "type": "pool", "in": [32, 32, 32], "global": true},
      {"name": "fc", "type": "matmul", "m": 1, "k": 32, "n": 1000},
      {"name": "qk", "type": "matmul", "m": 128, "k": 64, "n": 128, "batch_count": 12, "weights_shared": false},
      {"name": "sm", "type": "softmax", "shape": [12, 128, 128]},
      {"name": "ln", "type": "layer_norm", "shape": [128, 768]},
      {"name": "gelu", "type": "activation", "fn": "gelu", "shape": [128, 3072]},
      {"name": "cat", "type": "data_move", "shape": [64, 16, 16]},
      {"name": "flat", "type": "reshape", "shape": [2048]},
      {"name": "sgd", "type": "optimizer", "optimizer": "adam", "params": 100000, "phase": "update"}
    ]})");
  return io::parse_workload(j, "mixed.json");
}

std::vector<model::Network> networks() {
  return {mixed_network(), io::read_scalesim_topology(accelscope::testing::reference_dir() +
                                                      "/scalesim/resnet50_topology.csv")};
}

// Deterministic varied designs around the edge design.
std::vector<model::Accelerator> designs(std::size_t count) {
  std::mt19937_64 rng(42);
  const int sides[] = {4, 8, 16, 32, 64, 128};
  const double kib[] = {2, 8, 32, 128, 512, 2048};
  std::vector<model::Accelerator> result;
  for (std::size_t i = 0; i < count; ++i) {
    model::Accelerator a = edge();
    a.array.rows = sides[rng() % 6];
    a.array.cols = sides[rng() % 6];
    a.array.dataflow = static_cast<model::Dataflow>(rng() % 3);
    a.array.fold_overlap = rng() % 2;
    for (auto& buffer : a.sram) {
      buffer.capacity_bytes = kib[rng() % 6] * 1024;
      buffer.double_buffered = rng() % 3 != 0;
    }
    a.dram.shared = rng() % 2;
    a.dram.shared_gbps = 2.0 * static_cast<double>(1 + rng() % 64);
    for (auto& gbps : a.dram.interface_gbps) gbps = 1.0 * static_cast<double>(1 + rng() % 32);
    a.vector.lanes = sides[rng() % 6];
    a.tech_node_nm = std::vector<int>{45, 28, 22, 16, 7}[rng() % 5];
    result.push_back(a);
  }
  return result;
}

model::NetworkReport evaluate(const model::Accelerator& a, const model::Network& n) {
  return model::evaluate(a, n, io::technology_at(library(), a.tech_node_nm));
}

}  // namespace

// The tiler takes the fastest tiling it finds, but prefers fewer DRAM bytes among tilings within
// 1 % of that latency (model/array_model.cpp): a faster design may pick a tiling up to that much
// slower than its fastest one.
constexpr double kTilerLatencyTolerance = 0.01;

TEST_CASE("more DRAM bandwidth never increases latency", "[properties]") {
  for (const model::Network& network : networks()) {
    for (model::Accelerator a : designs(40)) {
      double previous = evaluate(a, network).total.all.total_cycles;
      for (int step = 0; step < 4; ++step) {
        a.dram.shared_gbps *= 2;
        for (auto& gbps : a.dram.interface_gbps) gbps *= 2;
        const double cycles = evaluate(a, network).total.all.total_cycles;
        INFO(network.name << " rows " << a.array.rows << " cols " << a.array.cols);
        CHECK(cycles <= previous * (1 + kTilerLatencyTolerance));
        previous = cycles;
      }
    }
  }
}

TEST_CASE("a larger buffer is never slower", "[properties]") {
  for (const model::Network& network : networks()) {
    for (model::Accelerator a : designs(30)) {
      for (std::size_t b = 0; b < model::kNumBuffers; ++b) {
        model::Accelerator bigger = a;
        bigger.sram[b].capacity_bytes *= 4;
        const model::NetworkReport small = evaluate(a, network);
        // A design whose smallest tile overflows a buffer is infeasible; its traffic (costed
        // with tiles that do not fit) is not comparable.
        if (small.total.ops_not_fitting > 0) continue;
        const model::Costs small_costs = small.total.all;
        const model::Costs big_costs = evaluate(bigger, network).total.all;
        INFO(network.name << " buffer " << b << " rows " << a.array.rows << " cols "
                          << a.array.cols);
        // (DRAM bytes may grow: the tiler picks a faster tiling that moves more.)
        CHECK(big_costs.total_cycles <= small_costs.total_cycles * (1 + kTilerLatencyTolerance));
      }
    }
  }
}

TEST_CASE("double buffering never slows an op down", "[properties]") {
  for (const model::Network& network : networks()) {
    for (model::Accelerator a : designs(20)) {
      for (auto& buffer : a.sram) buffer.double_buffered = false;
      // Same usable tile size: a double-buffered buffer of twice the capacity.
      model::Accelerator doubled = a;
      for (auto& buffer : doubled.sram) {
        buffer.double_buffered = true;
        buffer.capacity_bytes *= 2;
      }
      CHECK(evaluate(doubled, network).total.all.total_cycles <=
            evaluate(a, network).total.all.total_cycles * (1 + 1e-12));
    }
  }
}

TEST_CASE("costs are positive and finite, cycles consistent", "[properties]") {
  for (const model::Network& network : networks()) {
    for (const model::Accelerator& a : designs(40)) {
      const model::NetworkReport r = evaluate(a, network);
      CHECK(r.design.area.total_mm2() > 0);
      CHECK(std::isfinite(r.design.area.total_mm2()));
      CHECK(r.design.peak_power_w > 0);
      CHECK(std::isfinite(r.total.all.energy.total_pj()));
      CHECK(r.total.all.energy.total_pj() > 0);
      CHECK(r.total.latency_s > 0);
      CHECK(r.total.average_power_w > 0);
      // Peak power is the die's (every unit busy); DRAM devices draw beside it.
      CHECK(r.total.chip_power_w <= r.design.peak_power_w * (1 + 1e-9));
      CHECK(r.total.average_power_w >= r.total.chip_power_w);
      for (const model::OpReport& op : r.ops) {
        INFO(op.name);
        const model::Costs& c = op.costs;
        CHECK(c.compute_cycles >= 0);
        CHECK(c.stall_cycles >= -1e-9 * c.total_cycles);
        CHECK(c.total_cycles >= c.compute_cycles * (1 - 1e-12));
        CHECK(std::isfinite(c.energy.total_pj()));
        CHECK(c.energy.total_pj() >= 0);
        for (std::size_t b = 0; b < model::kNumBuffers; ++b) {
          CHECK(c.sram_reads[b] >= 0);
          CHECK(c.sram_writes[b] >= 0);
          CHECK(c.dram_read_bytes[b] >= 0);
          CHECK(c.dram_write_bytes[b] >= 0);
        }
        if (op.unit == model::Unit::array) {
          CHECK(op.utilization > 0);
          CHECK(op.utilization <= 1 + 1e-12);
          CHECK(c.compute_cycles * a.array.rows * a.array.cols >= c.macs);
        }
      }
    }
  }
}

TEST_CASE("standing power: leakage, the DRAM interface and the array registers' clock, every cycle",
          "[properties][power]") {
  for (const model::Accelerator& a : designs(10)) {
    const model::Technology tech = io::technology_at(library(), a.tech_node_nm);
    const model::NetworkReport r = model::evaluate(a, mixed_network(), tech);
    const double register_bits =
        model::pe_register_bits(a.array.dataflow, a.array.precision, a.array.accumulator_bits);
    // Every PE's registers clock on every cycle, busy or idle (no clock gating).
    CHECK(r.design.clock_mw ==
          Approx(static_cast<double>(a.array.rows * a.array.cols) * register_bits *
                 tech.register_clock_pj_per_bit * a.clock_mhz * 1e6 * 1e-9));
    CHECK(r.total.all.energy.leakage_pj ==
          Approx(r.design.standing_mw() * 1e-3 * r.total.latency_s * 1e12).epsilon(1e-9));
    // Each op draws it for its cycles, whether its unit is the array or the vector lanes.
    const double standing_pj_per_cycle = r.design.standing_mw() * 1e-3 / (a.clock_mhz * 1e6) * 1e12;
    for (const model::OpReport& op : r.ops)
      CHECK(op.costs.energy.leakage_pj ==
            Approx(op.costs.total_cycles * standing_pj_per_cycle).epsilon(1e-9));
  }
}

TEST_CASE("an off-die DRAM interface moves its energy per byte to the system side",
          "[properties][power]") {
  // A SoC block whose memory controller and PHY sit elsewhere: the bytes still cross them.
  model::Accelerator on_die = edge();
  model::Accelerator off_die = on_die;
  off_die.dram.phy_on_die = false;
  const model::Technology tech = io::technology_at(library(), on_die.tech_node_nm);
  const model::NetworkReport on = model::evaluate(on_die, mixed_network(), tech);
  const model::NetworkReport off = model::evaluate(off_die, mixed_network(), tech);
  REQUIRE(on.total.all.energy.io_pj > 0);
  CHECK(off.total.all.energy.io_pj == 0);
  // Same traffic, so the system side gains what the die's interface lost; the die keeps no
  // interface area and no interface standing power.
  CHECK(off.total.all.dram_read_total() + off.total.all.dram_write_total() ==
        Approx(on.total.all.dram_read_total() + on.total.all.dram_write_total()));
  CHECK(off.total.all.energy.dram_pj ==
        Approx(on.total.all.energy.dram_pj + on.total.all.energy.io_pj).epsilon(1e-9));
  CHECK(off.design.area.io_mm2 == 0);
  CHECK(off.design.standing_mw() < on.design.standing_mw());
}

TEST_CASE("chip-to-chip links: count x GB/s each way x 8 x pJ/bit, standing, only with a figure",
          "[properties][power]") {
  model::Accelerator a = edge();
  const model::Technology tech = io::technology_at(library(), a.tech_node_nm);
  REQUIRE(tech.chip_link_pj_per_bit > 0);
  const model::NetworkReport alone = model::evaluate(a, mixed_network(), tech);
  CHECK(alone.design.links_mw == 0);
  a.links.count = 6;
  a.links.gbps = 50;
  const model::NetworkReport linked = model::evaluate(a, mixed_network(), tech);
  // 6 links x 50 GB/s x 8 bits x pJ/bit = mW (1e9 B/s x 1e-12 J = 1e-3 W).
  const double links_mw = 6 * 50 * 8 * tech.chip_link_pj_per_bit;
  CHECK(linked.design.links_mw == Approx(links_mw));
  // Drawn on every cycle like leakage: in the standing power, the peak and the run's energy.
  CHECK(linked.design.standing_mw() - alone.design.standing_mw() == Approx(links_mw));
  CHECK(linked.design.peak_power_w - alone.design.peak_power_w == Approx(links_mw * 1e-3));
  CHECK(linked.total.latency_s == alone.total.latency_s);
  CHECK(linked.total.all.energy.leakage_pj - alone.total.all.energy.leakage_pj ==
        Approx(links_mw * 1e-3 * alone.total.latency_s * 1e12).epsilon(1e-9));
  CHECK(linked.design.area.total_mm2() == alone.design.area.total_mm2());  // no sourced area
  // A technology without a link figure cannot cost a design with links: one-line error.
  model::Technology no_links = tech;
  no_links.chip_link_pj_per_bit = 0;
  CHECK_THROWS_WITH(model::evaluate(a, mixed_network(), no_links),
                    Catch::Contains("links") && Catch::Contains("chip_links.pj_per_bit"));
  a.links.count = 0;
  CHECK(model::evaluate(a, mixed_network(), no_links).design.links_mw == 0);
}

TEST_CASE("row stationary: words over the array network cost energy, by Eyeriss' counts",
          "[properties][power]") {
  const model::Accelerator eyeriss =
      io::read_hardware_file(accelscope::testing::data_dir() + "/hardware/chips/eyeriss_v1.json");
  const model::Technology tech = io::technology_at(library(), eyeriss.tech_node_nm);
  model::Technology no_network = tech;
  no_network.array_network_pj_per_bit = 0;
  // 3x3 convolution, 4 -> 8 channels on 16x16: 73728 MACs. A PE keeps p = min(24 psums, 8
  // filters) = 8 filters and q = min(24 / 2 / 3, 4 channels) = 4 channels: weights come once per
  // output row (16 columns), inputs once per 3 taps x 8 filters, and a partial sum leaves once per
  // 3 taps x 4 channels.
  const model::Network conv = io::parse_workload(nlohmann::json::parse(R"({
    "name": "conv", "batch": 1, "ops": [
      {"name": "c", "type": "conv2d", "in": [4, 16, 16], "out_channels": 8, "kernel": [3, 3], "pad": [1, 1]}]})"),
                                                 "conv.json");
  const double with = model::evaluate(eyeriss, conv, tech).total.all.energy.mac_pj;
  const double without = model::evaluate(eyeriss, conv, no_network).total.all.energy.mac_pj;
  const double macs = 73728;
  const double operand_words = macs / 16 + macs / (3 * 8);
  const double psums = macs / (3 * 4);
  CHECK(with - without ==
        Approx((operand_words * 16 + psums * 16) * tech.array_network_pj_per_bit));
  // The systolic dataflows forward through their pipeline registers: no network term.
  model::Accelerator systolic = edge();
  const model::Technology edge_tech = io::technology_at(library(), systolic.tech_node_nm);
  model::Technology edge_no_network = edge_tech;
  edge_no_network.array_network_pj_per_bit = 0;
  CHECK(model::evaluate(systolic, conv, edge_tech).total.all.energy.mac_pj ==
        model::evaluate(systolic, conv, edge_no_network).total.all.energy.mac_pj);
  // The peak covers the network at full rate.
  const model::NetworkReport r = model::evaluate(eyeriss, conv, tech);
  CHECK(r.total.chip_power_w <= r.design.peak_power_w);
}

TEST_CASE("DRAM compression: coded activations cost the run-length code's pairs", "[properties]") {
  // A layer small enough for one tile: every operand moves once, so the bytes are the operands'.
  model::Accelerator a = edge();
  a.inter_layer = model::InterLayer::through_dram;
  const auto conv = [](const char* densities) {
    return io::parse_workload(
        nlohmann::json::parse(std::string(R"({"name": "c", "batch": 1, "density_source": "test",
          "ops": [{"name": "c", "type": "conv2d", "in": [8, 8, 8], "out_channels": 8,
                   "kernel": [3, 3], "pad": [1, 1])") +
                              densities + "}]}"),
        "c.json");
  };
  const model::Technology tech = io::technology_at(library(), a.tech_node_nm);
  const model::Network dense = conv("");
  const model::Network sparse = conv(R"(, "input_density": 0.25, "output_density": 0.5)");
  constexpr auto kIn = static_cast<std::size_t>(model::Buffer::inputs);
  constexpr auto kW = static_cast<std::size_t>(model::Buffer::weights);
  constexpr auto kOut = static_cast<std::size_t>(model::Buffer::outputs);
  const model::Costs raw = model::evaluate(a, dense, tech).total.all;
  REQUIRE(raw.dram_read_bytes[kIn] == Approx(8 * 8 * 8));  // int8, no refetch
  // Without a code, densities change nothing.
  const model::Costs uncoded = model::evaluate(a, sparse, tech).total.all;
  CHECK(uncoded.dram_read_bytes[kIn] == raw.dram_read_bytes[kIn]);
  CHECK(uncoded.dram_write_bytes[kOut] == raw.dram_write_bytes[kOut]);
  // Eyeriss' code: 5-bit runs (a pair covers at most 32 elements), 16-bit levels, 3 pairs in 64 b.
  a.dram.activation_rlc = {5, 16, 64, 3};
  auto bytes_per_element = [](double density) {
    return density / (1 - std::pow(1 - density, 32)) * 64 / 3 / 8;
  };
  const model::Costs coded = model::evaluate(a, sparse, tech).total.all;
  CHECK(coded.dram_read_bytes[kIn] == Approx(8 * 8 * 8 * bytes_per_element(0.25)));
  CHECK(coded.dram_write_bytes[kOut] == Approx(8 * 8 * 8 * bytes_per_element(0.5)));
  CHECK(coded.dram_read_bytes[kW] == raw.dram_read_bytes[kW]);  // weights are not coded
  // A tensor of unknown density moves as it is, and a dense one costs a third more (21 bits in
  // 64 / 3 per 16-bit value).
  CHECK(model::evaluate(a, dense, tech).total.all.dram_read_bytes[kIn] == raw.dram_read_bytes[kIn]);
  CHECK(bytes_per_element(1) == Approx(64.0 / 3 / 8));
  // A zero-heavy tensor still costs one pair per 32 elements at least.
  CHECK(bytes_per_element(1e-9) == Approx(64.0 / 3 / 8 / 32).epsilon(1e-6));

  // Two layers of the same shape and different densities each cost their own code: identical
  // layers are costed once, so the density is part of what makes them identical.
  const model::Network twins = io::parse_workload(nlohmann::json::parse(R"({
      "name": "twins", "batch": 1, "density_source": "test", "ops": [
        {"name": "a", "type": "conv2d", "in": [8, 8, 8], "out_channels": 8, "kernel": [3, 3],
         "pad": [1, 1], "input_density": 0.25, "output_density": 0.5},
        {"name": "b", "type": "conv2d", "in": [8, 8, 8], "out_channels": 8, "kernel": [3, 3],
         "pad": [1, 1], "input_density": 0.75, "output_density": 0.1}]})"),
                                                  "twins.json");
  const model::NetworkReport both = model::evaluate(a, twins, tech);
  REQUIRE(both.ops.size() == 2);
  CHECK(both.ops[0].costs.dram_read_bytes[kIn] == Approx(8 * 8 * 8 * bytes_per_element(0.25)));
  CHECK(both.ops[1].costs.dram_read_bytes[kIn] == Approx(8 * 8 * 8 * bytes_per_element(0.75)));
  CHECK(both.total.all.dram_write_bytes[kOut] ==
        Approx(8 * 8 * 8 * (bytes_per_element(0.5) + bytes_per_element(0.1))));
}

TEST_CASE("shared input/output banks: the per-op split is never slower than the fixed one",
          "[properties]") {
  const model::Accelerator fixed =
      io::read_hardware_file(accelscope::testing::data_dir() + "/hardware/chips/eyeriss_v1.json");
  REQUIRE(fixed.input_output_banks == 25);
  model::Accelerator split = fixed;
  model::Accelerator no_pool = fixed;
  no_pool.input_output_banks = 0;
  // 64 KiB + 36 KiB are 16 + 9 of the 25 banks: the fixed split is one of the candidates.
  const model::Technology tech = io::technology_at(library(), fixed.tech_node_nm);
  for (const model::Network& network : networks()) {
    const model::NetworkReport pooled = model::evaluate(split, network, tech);
    const model::NetworkReport fixed_split = model::evaluate(no_pool, network, tech);
    REQUIRE(pooled.ops.size() == fixed_split.ops.size());
    for (std::size_t i = 0; i < pooled.ops.size(); ++i) {
      INFO(network.name << " " << pooled.ops[i].name);
      CHECK(pooled.ops[i].costs.total_cycles <= fixed_split.ops[i].costs.total_cycles * 1.01);
    }
  }
  // On Eyeriss' AlexNet the per-layer split keeps inputs the fixed one re-fetches.
  const model::Network alexnet = io::read_workload_json_file(
      accelscope::testing::data_dir() + "/workloads/validation/alexnet_conv.json", 4);
  auto dram_bytes = [&](const model::Accelerator& a) {
    const model::Costs c = model::evaluate(a, alexnet, tech).total.all;
    return c.dram_read_total() + c.dram_write_total();
  };
  CHECK(dram_bytes(split) < 0.9 * dram_bytes(no_pool));
}

TEST_CASE("MAC count equals the analytic count of the workload", "[properties]") {
  const model::Network network = mixed_network();
  // By hand (batch 2): c1 2*16*16... each line is N * out pixels * K * C/groups * R * S.
  const double expected = 2.0 * 32 * 32 * 32 * 3 * 49    // c1: 64x64 -> 32x32, stride 2
                          + 2.0 * 16 * 16 * 32 * 1 * 9   // dw: depthwise 3x3
                          + 2.0 * 16 * 16 * 96 * 32      // pw: 1x1
                          + 2.0 * 16 * 16 * 64 * 96 * 9  // dil: 3x3 dilation 2, pad 2
                          + 2.0 * 16 * 16 * 32 * 64 * 9  // tconv: every input pixel meets 9 taps
                          + 2.0 * 32 * 1000              // fc
                          + 2.0 * 12 * 128 * 64 * 128;   // qk
  CHECK(static_cast<double>(model::macs(network)) == expected);
  const model::NetworkReport r = evaluate(edge(), network);
  CHECK(r.total.all.macs == expected);
  // And against SCALE-Sim's own MAC column for ResNet-50.
  const auto reference = accelscope::testing::read_csv(accelscope::testing::reference_dir() +
                                                       "/scalesim/r50_32x32_os_calc.csv");
  double scalesim_macs = 0;
  for (const auto& row : reference) scalesim_macs += accelscope::testing::number(row, "macs");
  const model::NetworkReport resnet = evaluate(edge(), networks()[1]);
  CHECK(resnet.total.all.macs == scalesim_macs);
}

TEST_CASE("totals-only path equals the per-op path", "[properties]") {
  for (const model::Network& network : networks()) {
    const model::PreparedNetwork prepared = model::prepare(network);
    CHECK(prepared.fused.groups.size() <= network.ops.size());
    CHECK(static_cast<std::size_t>(prepared.fused.signatures) <= prepared.fused.groups.size());
    for (const model::Accelerator& a : designs(20)) {
      const model::Technology tech = io::technology_at(library(), a.tech_node_nm);
      const model::NetworkReport full = model::evaluate(a, network, tech);
      model::EvalOptions totals_only;
      totals_only.per_op = false;
      const model::NetworkTotals fast = model::evaluate_totals(a, prepared, tech, totals_only);
      CHECK(fast.all.total_cycles == Approx(full.total.all.total_cycles).epsilon(1e-12));
      CHECK(fast.all.energy.total_pj() == Approx(full.total.all.energy.total_pj()).epsilon(1e-12));
      CHECK(fast.nonconv.total_cycles == Approx(full.total.nonconv.total_cycles).epsilon(1e-12));
      CHECK(fast.all.dram_read_total() == Approx(full.total.all.dram_read_total()).epsilon(1e-12));
    }
  }
}

TEST_CASE("tiling: a layer that fits on chip reads each operand from DRAM once", "[properties]") {
  model::Accelerator a = edge();
  a.inter_layer = model::InterLayer::through_dram;  // every op on its own
  for (auto& buffer : a.sram) buffer.capacity_bytes = 64.0 * 1024 * 1024;
  const model::Network network = mixed_network();
  const model::NetworkReport r = evaluate(a, network);
  const model::Op& pw = network.ops[5];
  const model::GemmView g = model::gemm_view(pw);
  const model::Costs& c = r.ops[5].costs;
  CHECK(c.dram_read_bytes[0] == g.input_elements);  // int8: one byte per element
  CHECK(c.dram_read_bytes[1] == g.weight_elements);
  CHECK(c.dram_write_bytes[2] == g.output_elements);
  // (It may still cut the layer into a few tiles so that the first load overlaps compute.)
  CHECK(r.ops[5].output == model::Residence::dram);

  // Kept on chip between ops, its input and output never touch DRAM; only its weights do (a
  // training graph: they change every iteration).
  a.inter_layer = model::InterLayer::resident;
  const model::NetworkReport resident = evaluate(a, network);
  const model::Costs& on_chip = resident.ops[5].costs;
  CHECK(on_chip.dram_read_bytes[0] == 0);
  CHECK(on_chip.dram_read_bytes[1] == g.weight_elements);
  CHECK(on_chip.dram_write_total() == 0);
  CHECK(resident.ops[5].output == model::Residence::sram);
  CHECK(resident.total.all.dram_read_total() < r.total.all.dram_read_total());
}

TEST_CASE("tiling: buffers too small for any tile make the design infeasible", "[properties]") {
  model::Accelerator a = edge();
  a.sram[0].capacity_bytes = 256;  // not even one input row of ResNet-50's first layer
  const model::NetworkReport r = evaluate(a, networks()[1]);
  CHECK(r.total.ops_not_fitting >= 1);
  CHECK_FALSE(r.ops[0].fits);
  CHECK(evaluate(edge(), networks()[1]).total.ops_not_fitting == 0);
}

TEST_CASE("tiling: small buffers force refetches or partial-sum spills", "[properties]") {
  model::Accelerator a = edge();
  for (auto& buffer : a.sram) buffer.capacity_bytes = 4.0 * 1024;
  const model::Network network = networks()[1];  // ResNet-50
  const model::NetworkReport r = evaluate(a, network);
  double compulsory = 0, actual = 0;
  for (std::size_t i = 0; i < network.ops.size(); ++i) {
    const model::GemmView g = model::gemm_view(network.ops[i]);
    compulsory += static_cast<double>(g.input_elements + g.weight_elements + g.output_elements);
    actual += r.ops[i].costs.dram_read_total() + r.ops[i].costs.dram_write_total();
  }
  CHECK(actual > 1.5 * compulsory);
}
