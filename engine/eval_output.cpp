#include "engine/eval_output.hpp"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "model/io/labels.hpp"
#include "model/training.hpp"

namespace accelscope::engine {

using model::Buffer;
using model::kNumBuffers;

namespace {

nlohmann::json per_buffer(const model::PerBuffer& values) {
  nlohmann::json j;
  for (std::size_t b = 0; b < kNumBuffers; ++b)
    j[std::string(model::to_string(static_cast<Buffer>(b)))] = values[b];
  return j;
}

// Byte counts are whole bytes (the model counts in doubles; traffic averaged over tiles can
// carry a fraction).
nlohmann::json bytes_json(double bytes) {
  return std::isfinite(bytes) && std::fabs(bytes) < 9.0e18
             ? nlohmann::json(static_cast<std::int64_t>(std::llround(bytes)))
             : nlohmann::json(bytes);
}

nlohmann::json per_buffer_bytes(const model::PerBuffer& values) {
  nlohmann::json j;
  for (std::size_t b = 0; b < kNumBuffers; ++b)
    j[std::string(model::to_string(static_cast<Buffer>(b)))] = bytes_json(values[b]);
  return j;
}

nlohmann::json energy_to_json(const model::Energy& e) {
  return {{"mac_pj", e.mac_pj},       {"sram_pj", e.sram_pj},
          {"dram_pj", e.dram_pj},     {"io_pj", e.io_pj},
          {"vector_pj", e.vector_pj}, {"leakage_pj", e.leakage_pj},
          {"total_pj", e.total_pj()}, {"chip_pj", e.total_pj() - e.dram_pj}};
}

std::string_view unit_name(model::Unit unit) {
  switch (unit) {
    case model::Unit::array:
      return "array";
    case model::Unit::vector:
      return "vector";
    case model::Unit::none:
      return "none";
  }
  return "?";
}

}  // namespace

nlohmann::json costs_to_json(const model::Costs& c) {
  return {{"macs", c.macs},
          {"compute_cycles", c.compute_cycles},
          {"stall_cycles", c.stall_cycles},
          {"total_cycles", c.total_cycles},
          {"sram_reads", per_buffer(c.sram_reads)},
          {"sram_writes", per_buffer(c.sram_writes)},
          {"dram_read_bytes", bytes_json(c.dram_read_total())},
          {"dram_write_bytes", bytes_json(c.dram_write_total())},
          {"dram_read_bytes_by_interface", per_buffer_bytes(c.dram_read_bytes)},
          {"dram_write_bytes_by_interface", per_buffer_bytes(c.dram_write_bytes)},
          {"energy_pj", c.energy.total_pj()},
          {"energy", energy_to_json(c.energy)}};
}

nlohmann::json design_to_json(const model::Accelerator& a, const model::DesignReport& d,
                              const model::NetworkTotals& total) {
  nlohmann::json area = {
      {"pe_array_mm2", d.area.pe_array_mm2},       {"sram_mm2", per_buffer(d.area.sram_mm2)},
      {"vector_unit_mm2", d.area.vector_unit_mm2}, {"io_mm2", d.area.io_mm2},
      {"control_mm2", d.area.control_mm2},         {"interconnect_mm2", d.area.interconnect_mm2},
      {"overhead_mm2", d.area.overhead_mm2}};
  // The memory configuration, so a result says which design it is without the hardware file.
  nlohmann::json sram = nlohmann::json::object();
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    const model::BufferSpec& buffer = a.sram[b];
    sram[std::string(model::to_string(static_cast<Buffer>(b)))] = {
        {"kib", buffer.capacity_bytes / 1024},
        {"capacity_bytes", bytes_json(buffer.capacity_bytes)},
        {"double_buffered", buffer.double_buffered},
        {"holds_activations", buffer.holds_activations}};
  }
  nlohmann::json bandwidth = a.dram.shared_gbps;
  if (!a.dram.shared) {
    bandwidth = nlohmann::json::object();
    for (std::size_t b = 0; b < kNumBuffers; ++b)
      bandwidth[std::string(model::to_string(static_cast<Buffer>(b)))] = a.dram.interface_gbps[b];
  }
  const nlohmann::json dram = {{"type", a.dram.type},
                               {"bandwidth_gbps", bandwidth},
                               {"capacity_gib", a.dram.capacity_gib},
                               {"phy_on_die", a.dram.phy_on_die}};
  return {{"name", a.name},
          {"pe_rows", a.array.rows},
          {"pe_cols", a.array.cols},
          {"dataflow", model::to_string(a.array.dataflow)},
          {"precision", model::to_string(a.array.precision)},
          {"clock_mhz", a.clock_mhz},
          {"tech_node_nm", a.tech_node_nm},
          {"sram", sram},
          {"dram", dram},
          {"vector_lanes", a.vector.lanes},
          {"area_mm2", d.area.total_mm2()},
          {"area", area},
          {"power_w", total.average_power_w},
          {"chip_power_w", total.chip_power_w},
          {"peak_power_w", d.peak_power_w},
          {"leakage_mw", d.leakage_mw},
          {"clock_mw", d.clock_mw},
          {"links_mw", d.links_mw},
          {"peak_tops", d.peak_tops}};
}

nlohmann::json totals_to_json(const model::NetworkTotals& total) {
  nlohmann::json j = costs_to_json(total.all);
  j["latency_s"] = total.latency_s;
  j["nonconv_cycle_share"] = total.nonconv_cycle_share();
  j["utilization"] = total.utilization;
  j["average_power_w"] = total.average_power_w;
  j["system_power_w"] = total.average_power_w;
  j["chip_power_w"] = total.chip_power_w;
  j["chip_energy_pj"] = total.chip_energy_pj();
  j["dram_energy_pj"] = total.all.energy.dram_pj;
  j["network"] = {{"fused_ops", total.fused_ops},
                  {"tensors_on_chip", total.tensors_on_chip},
                  {"tensors_spilled", total.tensors_spilled},
                  {"peak_resident_bytes", bytes_json(total.peak_resident_bytes)},
                  {"weights_on_chip", total.weights_on_chip}};
  j["ops_not_fitting"] = total.ops_not_fitting;
  j["conv"] = costs_to_json(total.conv);
  j["nonconv"] = costs_to_json(total.nonconv);
  for (std::size_t p = 0; p < model::kNumPhases; ++p)
    if (total.by_phase[p].total_cycles > 0 || p == 0)
      j["by_phase"][std::string(model::to_string(static_cast<model::Phase>(p)))] =
          costs_to_json(total.by_phase[p]);
  return j;
}

nlohmann::json op_to_json(const model::OpReport& op) {
  nlohmann::json j = costs_to_json(op.costs);
  j["name"] = op.name;
  j["op"] = model::to_string(op.op);
  j["phase"] = model::to_string(op.phase);
  j["unit"] = unit_name(op.unit);
  j["output"] = model::to_string(op.output);
  j["fused"] = op.fused_into >= 0;
  if (op.folded) j["folded"] = true;
  if (op.unit == model::Unit::array) {
    j["utilization"] = op.utilization;
    j["fits"] = op.fits;
    j["tiling"] = {{"m", op.tiling.m},
                   {"n", op.tiling.n},
                   {"k", op.tiling.k},
                   {"loop_order", std::string(op.tiling.loop_order, 3)},
                   {"tiles", op.tiling.tiles}};
  }
  return j;
}

namespace {

// Training: the memory one iteration keeps in DRAM, and whether the design's DRAM holds it.
void add_training_footprint(nlohmann::json& total, const model::Accelerator& a,
                            const model::Network& network) {
  const model::TrainingFootprint f = model::footprint(network, model::footprint_precisions(a));
  total["training_footprint_bytes"] = {{"weights", bytes_json(f.weights_bytes)},
                                       {"activations", bytes_json(f.activations_bytes)},
                                       {"gradients", bytes_json(f.gradients_bytes)},
                                       {"optimizer_state", bytes_json(f.optimizer_state_bytes)},
                                       {"total", bytes_json(f.total_bytes())}};
  total["dram_capacity_bytes"] = bytes_json(a.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0);
  total["fits_dram"] = model::fits_in_dram(f, a.dram);
}

}  // namespace

nlohmann::json report_to_json(const model::Accelerator& a, const model::Network& network,
                              const model::NetworkReport& report, bool with_layers) {
  nlohmann::json total = totals_to_json(report.total);
  if (model::has_training_phases(network)) add_training_footprint(total, a, network);
  nlohmann::json result = {
      {"design", design_to_json(a, report.design, report.total)},
      {"workload", {{"name", network.name}, {"batch", network.batch}, {"ops", network.ops.size()}}},
      {"total", std::move(total)}};
  if (with_layers) {
    nlohmann::json& layers = result["layers"] = nlohmann::json::array();
    for (const model::OpReport& op : report.ops) {
      layers.push_back(op_to_json(op));
      if (op.fused_into >= 0)
        layers.back()["fused_into"] = report.ops[static_cast<std::size_t>(op.fused_into)].name;
    }
  }
  return result;
}

namespace {

// Training: where the cycles and energy of the iteration go, and whether its state fits DRAM.
void print_training(std::ostream& out, const model::Accelerator& a, const model::Network& network,
                    const model::NetworkTotals& t) {
  for (std::size_t p = 0; p < model::kNumPhases; ++p) {
    const model::Costs& c = t.by_phase[p];
    if (c.total_cycles <= 0) continue;
    fmt::print(out, "  {:<16}{:5.1f}% of cycles, {:5.1f}% of energy\n",
               model::to_string(static_cast<model::Phase>(p)),
               100 * c.total_cycles / t.all.total_cycles,
               100 * c.energy.total_pj() / t.all.energy.total_pj());
  }
  const model::TrainingFootprint f = model::footprint(network, model::footprint_precisions(a));
  constexpr double kMiB = 1024.0 * 1024.0;
  fmt::print(out,
             "  training mem   {:.2f} MiB (weights {:.2f}, activations {:.2f}, gradients {:.2f}, "
             "optimizer state {:.2f})",
             f.total_bytes() / kMiB, f.weights_bytes / kMiB, f.activations_bytes / kMiB,
             f.gradients_bytes / kMiB, f.optimizer_state_bytes / kMiB);
  if (a.dram.capacity_gib <= 0)
    fmt::print(out, ", DRAM capacity not modelled\n");
  else
    fmt::print(out, ", {} the {:.3g} GiB DRAM\n",
               model::fits_in_dram(f, a.dram) ? "fits" : "DOES NOT FIT", a.dram.capacity_gib);
}

}  // namespace

void print_report_table(std::ostream& out, const model::Accelerator& a,
                        const model::Network& network, const model::NetworkReport& report) {
  // Layer names cut in the middle only as far as they stay distinct (io/labels.hpp).
  std::vector<std::string> names;
  for (const model::OpReport& op : report.ops) names.push_back(op.name);
  const std::vector<std::string> labels = io::label_column("layer", names, kLayerLabelChars);
  fmt::print(out, "{} {:<10} {:<15} {:<6} {:>12} {:>6} {:>12} {:>12} {:>12} {:>10} {:>10}\n",
             labels[0], "op", "phase", "unit", "MACs", "util%", "compute", "stall", "total",
             "DRAM KiB", "energy uJ");
  for (std::size_t i = 0; i < report.ops.size(); ++i) {
    const model::OpReport& op = report.ops[i];
    const model::Costs& c = op.costs;
    fmt::print(out,
               "{} {:<10} {:<15} {:<6} {:>12.0f} {:>6.1f} {:>12.0f} {:>12.0f} {:>12.0f} "
               "{:>10.1f} {:>10.3f}\n",
               labels[i + 1], model::to_string(op.op), model::to_string(op.phase),
               unit_name(op.unit), c.macs, op.utilization * 100, c.compute_cycles, c.stall_cycles,
               c.total_cycles, (c.dram_read_total() + c.dram_write_total()) / 1024,
               c.energy.total_pj() * 1e-6);
  }
  const model::NetworkTotals& t = report.total;
  const model::DesignReport& d = report.design;
  fmt::print(out, "\n{} on {} (batch {}, {} ops)\n", network.name,
             a.name.empty() ? "design" : a.name, network.batch, network.ops.size());
  fmt::print(out, "  latency        {:.4f} ms ({:.0f} cycles: {:.0f} compute, {:.0f} stall)\n",
             t.latency_s * 1e3, t.all.total_cycles, t.all.compute_cycles, t.all.stall_cycles);
  fmt::print(out, "  MACs           {:.4g} (array utilisation {:.1f}%)\n", t.all.macs,
             t.utilization * 100);
  const model::Energy& e = t.all.energy;
  const double total_pj = e.total_pj();
  fmt::print(
      out,
      "  energy         {:.4f} mJ: die {:.4f} mJ (MAC {:.1f}%, SRAM {:.1f}%, vector {:.1f}%, "
      "DRAM interface {:.1f}%, standing: leakage and clock {:.1f}%) + DRAM devices {:.4f} mJ "
      "({:.1f}%)\n",
      total_pj * 1e-9, t.chip_energy_pj() * 1e-9, 100 * e.mac_pj / total_pj,
      100 * e.sram_pj / total_pj, 100 * e.vector_pj / total_pj, 100 * e.io_pj / total_pj,
      100 * e.leakage_pj / total_pj, e.dram_pj * 1e-9, 100 * e.dram_pj / total_pj);
  fmt::print(out, "  DRAM traffic   {:.2f} MiB read, {:.2f} MiB written\n",
             t.all.dram_read_total() / 1048576, t.all.dram_write_total() / 1048576);
  fmt::print(
      out,
      "  network        {:.0f} ops fused, {:.0f} tensors kept on chip, {:.0f} spilled to DRAM "
      "(at most {:.2f} MiB on chip at once){}\n",
      t.fused_ops, t.tensors_on_chip, t.tensors_spilled, t.peak_resident_bytes / 1048576,
      t.weights_on_chip ? ", all weights kept on chip across inferences" : "");
  fmt::print(out, "  non-conv share {:.1f}% of cycles\n", t.nonconv_cycle_share() * 100);
  fmt::print(out,
             "  area           {:.3f} mm2 (PE array {:.3f}, SRAM {:.3f}, vector {:.3f}, DRAM "
             "interface {:.3f}, control {:.3f}, interconnect {:.3f})\n",
             d.area.total_mm2(), d.area.pe_array_mm2,
             d.area.sram_mm2[0] + d.area.sram_mm2[1] + d.area.sram_mm2[2] + d.area.sram_mm2[3],
             d.area.vector_unit_mm2, d.area.io_mm2, d.area.control_mm2, d.area.interconnect_mm2);
  fmt::print(out,
             "  power          die {:.3f} W average, {:.3f} W peak; system (die + DRAM devices) "
             "{:.3f} W average ({:.2f} TOPS peak)\n",
             t.chip_power_w, d.peak_power_w, t.average_power_w, d.peak_tops);
  if (model::has_training_phases(network)) print_training(out, a, network, t);
  if (t.ops_not_fitting > 0)
    fmt::print(out,
               "  WARNING        {} ops do not fit the on-chip buffers even at the smallest tile\n",
               t.ops_not_fitting);
}

}  // namespace accelscope::engine
