#include "model/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "model/array_model.hpp"
#include "model/design_context.hpp"
#include "model/limits.hpp"
#include "model/network_run.hpp"
#include "model/vector_model.hpp"

namespace accelscope::model {

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& value,
                      const std::string& allowed) {
  throw std::invalid_argument("field '" + field + "' = " + value + ", allowed: " + allowed);
}

std::string number(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

void require_positive(const std::string& field, double value) {
  if (!(value > 0) || !std::isfinite(value)) bad(field, number(value), "a number > 0");
}

constexpr std::size_t index(Buffer b) {
  return static_cast<std::size_t>(b);
}

}  // namespace

void validate(const Accelerator& a) {
  limits::check(a);  // first: its message gives the range
  require_positive("clock_mhz", a.clock_mhz);
  require_positive("array.rows", a.array.rows);
  require_positive("array.cols", a.array.cols);
  if (a.array.accumulator_bits < 8 || a.array.accumulator_bits > 64)
    bad("array.accumulator_bits", std::to_string(a.array.accumulator_bits), "8 to 64");
  for (std::size_t b = 0; b < kNumBuffers; ++b)
    require_positive("sram." + std::string(to_string(static_cast<Buffer>(b))) + ".kib",
                     a.sram[b].capacity_bytes / 1024.0);
  if (a.dram.shared) {
    require_positive("dram.bandwidth_gbps", a.dram.shared_gbps);
  } else {
    for (std::size_t b = 0; b < kNumBuffers; ++b)
      require_positive("dram.bandwidth_gbps." + std::string(to_string(static_cast<Buffer>(b))),
                       a.dram.interface_gbps[b]);
  }
  if (a.dram.capacity_gib < 0)
    bad("dram.capacity_gib", number(a.dram.capacity_gib), "a number >= 0");
  require_positive("vector.lanes", a.vector.lanes);
  if (a.vector.pipeline_depth < 0)
    bad("vector.pipeline_depth", std::to_string(a.vector.pipeline_depth), "an integer >= 0");
  // One bank cannot be split between inputs and outputs: refused here as in the JSON reader, so a
  // caller building the description in code gets the same answer as a file.
  if (a.input_output_banks == 1)
    bad("sram.input_output_banks", "1", "0 (fixed capacities) or 2 to 4096 banks");
  for (std::size_t f = 0; f < kNumVectorFns; ++f)
    if (!(a.vector.cycles_per_element[f] >= 0))
      bad("vector.cycles_per_element." + std::string(to_string(static_cast<VectorFn>(f))),
          number(a.vector.cycles_per_element[f]), "a number >= 0");
}

namespace {

// Width of the array-side port of each buffer: a row of inputs, a row of weights, a row of partial
// sums, the vector lanes (unless the hardware gives it).
double port_bits(const Accelerator& a, Buffer b) {
  const BufferSpec& spec = a.sram[index(b)];
  if (spec.port_bits > 0) return spec.port_bits;
  switch (b) {
    case Buffer::inputs:
      return a.array.rows * bits_of(a.array.precision);
    case Buffer::weights:
      return a.array.cols * bits_of(a.array.precision);
    case Buffer::outputs:
      return a.array.cols * a.array.accumulator_bits;
    case Buffer::vector:
      return a.vector.lanes * bits_of(a.vector.precision);
  }
  return 128;
}

}  // namespace

DesignContext make_design_context(const Accelerator& a, const Technology& tech) {
  DesignContext ctx;
  ctx.accelerator = &a;
  ctx.clock_hz = a.clock_mhz * 1e6;
  ctx.word_bytes[index(Buffer::inputs)] = bytes_of(a.array.precision);
  ctx.word_bytes[index(Buffer::weights)] = bytes_of(a.array.precision);
  ctx.word_bytes[index(Buffer::outputs)] = a.array.accumulator_bits / 8.0;
  ctx.word_bytes[index(Buffer::vector)] = bytes_of(a.vector.precision);
  ctx.operand_bytes = bytes_of(a.array.precision);
  ctx.output_bytes = bytes_of(a.array.output_precision);
  ctx.psum_bytes = a.array.accumulator_bits / 8.0;

  DesignReport& design = ctx.design;
  double sram_leakage_mw = 0;
  double total_gbps = 0;
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    const BufferSpec& spec = a.sram[b];
    ctx.tile_capacity_bytes[b] = spec.capacity_bytes * (spec.double_buffered ? 0.5 : 1.0);
    const SramMacro sram =
        sram_macro(tech, spec.capacity_bytes, port_bits(a, static_cast<Buffer>(b)), a.process);
    const double word_bits = ctx.word_bytes[b] * 8;
    ctx.read_pj_per_word[b] = sram.read_pj_per_bit * word_bits;
    ctx.write_pj_per_word[b] = sram.write_pj_per_bit * word_bits;
    design.area.sram_mm2[b] = sram.area_mm2;
    sram_leakage_mw += sram.leakage_mw;
    const double gbps = a.dram.shared ? a.dram.shared_gbps : a.dram.interface_gbps[b];
    ctx.dram_bytes_per_cycle[b] = gbps * 1e9 / ctx.clock_hz;
    if (!a.dram.shared) total_gbps += gbps;
  }
  if (a.dram.shared) total_gbps = a.dram.shared_gbps;
  ctx.shared_dram_bytes_per_cycle = a.dram.shared_gbps * 1e9 / ctx.clock_hz;
  ctx.all_double_buffered = std::all_of(a.sram.begin(), a.sram.end(),
                                        [](const BufferSpec& b) { return b.double_buffered; });
  const DramInterface& dram = dram_interface(tech, a.dram.type);
  // An interface that sits on another die of the system (a SoC's shared memory controller) still
  // spends its energy per byte: it moves to the system side, beside the DRAM devices.
  ctx.dram_pj_per_byte =
      8 * (dram.device_pj_per_bit + (a.dram.phy_on_die ? 0.0 : dram.phy_pj_per_bit));
  ctx.io_pj_per_byte = a.dram.phy_on_die ? 8 * dram.phy_pj_per_bit : 0;
  const PeCost pe =
      pe_cost(tech, a.array.precision, a.array.accumulator_bits,
              pe_register_bits(a.array.dataflow, a.array.precision, a.array.accumulator_bits));
  ctx.mac_pj = pe.mac_pj;
  const bool row_stationary = a.array.dataflow == Dataflow::row_stationary;
  if (row_stationary) {
    // Each MAC reads its weight and input from the PE's scratchpads and reads and writes its
    // partial sum there: four operand-wide accesses.
    ctx.mac_pj += 4 * bits_of(a.array.precision) * tech.register_file_pj_per_bit;
    ctx.network_pj_per_operand = bits_of(a.array.precision) * tech.array_network_pj_per_bit;
    ctx.network_pj_per_psum = a.array.accumulator_bits * tech.array_network_pj_per_bit;
  }
  ctx.vector_op_pj = tech.vector_op_pj[static_cast<std::size_t>(a.vector.precision)];

  const double pes = static_cast<double>(a.array.rows) * a.array.cols;
  const double scratchpad_bits = (a.array.filter_scratchpad_bytes + a.array.ifmap_scratchpad_bytes +
                                  a.array.psum_scratchpad_bytes) *
                                 8 * (row_stationary ? 1 : 0);
  design.area.pe_array_mm2 =
      pes * (pe.area_um2 + scratchpad_bits * tech.register_file_um2_per_bit) * 1e-6;
  design.area.vector_unit_mm2 =
      a.vector.lanes * tech.vector_lane_area_um2[static_cast<std::size_t>(a.vector.precision)] *
      1e-6;
  const double core_mm2 = design.area.core_mm2();
  const double phy_gbps = a.dram.phy_on_die ? total_gbps : 0;
  design.area.io_mm2 = phy_gbps * dram.phy_mm2_per_gbps;
  design.area.control_mm2 = tech.control_fraction * core_mm2;
  design.area.interconnect_mm2 = tech.interconnect_fraction * core_mm2;
  design.area.overhead_mm2 = design.area.control_mm2 + design.area.interconnect_mm2;
  const double logic_mm2 =
      design.area.pe_array_mm2 + design.area.vector_unit_mm2 + design.area.overhead_mm2;
  design.leakage_mw =
      sram_leakage_mw +
      tech.logic_leakage_mw_per_mm2[static_cast<std::size_t>(a.process)] * logic_mm2 +
      dram.phy_static_mw_per_gbps * phy_gbps;
  // Every pipeline register of the array is clocked on every cycle, busy or not.
  design.clock_mw = pes * pe.clock_pj_per_cycle * ctx.clock_hz * 1e-9;
  // Each link sends and receives gbps GB/s each way whether data moves or not (idle symbols keep
  // it trained): count x GB/s x 8 bits x pJ per bit is mW.
  if (a.links.count > 0) {
    if (!(tech.chip_link_pj_per_bit > 0))
      throw std::invalid_argument(
          "field 'links' = " + std::to_string(a.links.count) +
          " links, allowed: only with a technology that gives chip_links.pj_per_bit");
    design.links_mw = a.links.count * a.links.gbps * 8 * tech.chip_link_pj_per_bit;
  }
  ctx.leakage_pj_per_cycle = design.standing_mw() * 1e-3 / ctx.clock_hz * 1e12;

  // Peak: every PE does a MAC each cycle, the array's SRAM ports stream one word per edge PE
  // (rows of inputs, cols of weights, cols of outputs), every lane works and reads and writes a
  // word of the vector buffer, the DRAM interface runs flat out (its share on the die).
  const double f = ctx.clock_hz;
  const double array_sram_pj_per_cycle =
      a.array.rows * ctx.read_pj_per_word[index(Buffer::inputs)] +
      a.array.cols * ctx.read_pj_per_word[index(Buffer::weights)] +
      a.array.cols * ctx.write_pj_per_word[index(Buffer::outputs)] +
      a.vector.lanes * (ctx.read_pj_per_word[index(Buffer::vector)] +
                        ctx.write_pj_per_word[index(Buffer::vector)]);
  // Row stationary: each PE takes a filter and an input word and passes a partial sum on (its
  // three networks at full rate).
  const double network_pj_per_pe = 2 * ctx.network_pj_per_operand + ctx.network_pj_per_psum;
  const double dynamic_pj_per_s = (pes * (ctx.mac_pj + network_pj_per_pe) +
                                   array_sram_pj_per_cycle + a.vector.lanes * ctx.vector_op_pj) *
                                      f +
                                  total_gbps * 1e9 * ctx.io_pj_per_byte;
  design.peak_power_w = dynamic_pj_per_s * 1e-12 + design.standing_mw() * 1e-3;
  design.peak_tops = 2 * pes * f * 1e-12;
  return ctx;
}

void add_memory_energy(const DesignContext& ctx, Costs& costs) {
  double sram = 0, dram_bytes = 0;
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    sram += costs.sram_reads[b] * ctx.read_pj_per_word[b] +
            costs.sram_writes[b] * ctx.write_pj_per_word[b];
    dram_bytes += costs.dram_read_bytes[b] + costs.dram_write_bytes[b];
  }
  costs.energy.sram_pj = sram;
  costs.energy.dram_pj = dram_bytes * ctx.dram_pj_per_byte;
  costs.energy.io_pj = dram_bytes * ctx.io_pj_per_byte;
  costs.energy.leakage_pj = costs.total_cycles * ctx.leakage_pj_per_cycle;
}

DesignReport evaluate_design(const Accelerator& accelerator, const Technology& tech) {
  return make_design_context(accelerator, tech).design;
}

namespace {

void finish(NetworkTotals& totals, const DesignContext& ctx) {
  totals.latency_s = totals.all.total_cycles / ctx.clock_hz;
  totals.average_power_w =
      totals.latency_s > 0 ? totals.all.energy.total_pj() * 1e-12 / totals.latency_s : 0;
  totals.chip_power_w =
      totals.latency_s > 0 ? totals.chip_energy_pj() * 1e-12 / totals.latency_s : 0;
  const Accelerator& a = *ctx.accelerator;
  const double pe_cycles =
      static_cast<double>(a.array.rows) * a.array.cols * totals.all.total_cycles;
  totals.utilization = pe_cycles > 0 ? totals.all.macs / pe_cycles : 0;
}

}  // namespace

OpReport evaluate_op(const Accelerator& accelerator, const Op& op, const Technology& tech,
                     const EvalOptions& options) {
  const DesignContext ctx = make_design_context(accelerator, tech);
  OpReport report;
  report.name = op.name;
  report.op = op.kind;
  report.phase = op.phase;
  if (op.on_array()) {
    const ArrayOpResult r =
        evaluate_array_op(ctx, gemm_view(op), options, streaming_placement(ctx));
    report.unit = Unit::array;
    report.costs = r.costs;
    report.utilization = r.utilization;
    report.fits = r.fits;
    report.tiling = r.tiling;
  } else {
    report.unit = op.kind == OpKind::reshape ? Unit::none : Unit::vector;
    report.costs = evaluate_vector_op(ctx, op);
  }
  return report;
}

namespace {

NetworkReport evaluate_plan(const Accelerator& accelerator, const Network& network,
                            const NetworkPlan& plan, const Technology& tech,
                            const EvalOptions& options) {
  const DesignContext ctx = make_design_context(accelerator, tech);
  NetworkReport report;
  report.design = ctx.design;
  report.total = run_network(ctx, network, plan, options, options.per_op ? &report.ops : nullptr);
  finish(report.total, ctx);
  return report;
}

}  // namespace

NetworkReport evaluate(const Accelerator& accelerator, const Network& network,
                       const Technology& tech, const EvalOptions& options) {
  return evaluate_plan(accelerator, network, plan_network(network, accelerator.fusion), tech,
                       options);
}

NetworkReport evaluate(const Accelerator& accelerator, const PreparedNetwork& prepared,
                       const Technology& tech, const EvalOptions& options) {
  return evaluate_plan(accelerator, *prepared.network, prepared.plan_for(accelerator), tech,
                       options);
}

PreparedNetwork prepare(const Network& network) {
  PreparedNetwork prepared;
  prepared.network = &network;
  prepared.fused = plan_network(network, true);
  prepared.unfused = plan_network(network, false);
  return prepared;
}

NetworkTotals evaluate_totals(const Accelerator& accelerator, const PreparedNetwork& prepared,
                              const Technology& tech, const EvalOptions& options) {
  const DesignContext ctx = make_design_context(accelerator, tech);
  NetworkTotals totals =
      run_network(ctx, *prepared.network, prepared.plan_for(accelerator), options, nullptr);
  finish(totals, ctx);
  return totals;
}

}  // namespace accelscope::model
