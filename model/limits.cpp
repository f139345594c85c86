#include "model/limits.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "model/hardware.hpp"
#include "model/workload.hpp"

namespace accelscope::model::limits {

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

void in_range(const std::string& field, double value, double lo, double hi,
              const std::string& unit = "") {
  if (!(value >= lo && value <= hi))  // also false for NaN
    throw std::invalid_argument("field '" + field + "' = " + number(value) +
                                ", allowed: a number from " + number(lo) + " to " + number(hi) +
                                unit + " (limits)");
}

[[noreturn]] void too_large(const Op& op, const std::string& what, const std::string& limit) {
  throw std::invalid_argument("op '" + op.name + "' (" + std::string(to_string(op.kind)) +
                              "): " + what + " exceeds the limit of " + limit);
}

void extent(const Op& op, const char* field, std::int64_t value) {
  if (value > kMaxDimension)
    too_large(op, "field '" + std::string(field) + "' = " + std::to_string(value),
              std::to_string(kMaxDimension));
}

void product(const Op& op, const char* what, std::initializer_list<std::int64_t> factors) {
  if (!checked_product(factors)) too_large(op, what, "2^53 (" + std::to_string(kMaxElements) + ")");
}

}  // namespace

void check(const Accelerator& a) {
  in_range("clock_mhz", a.clock_mhz, kMinClockMhz, kMaxClockMhz, " MHz");
  in_range("array.rows", a.array.rows, 1, kMaxArraySide);
  in_range("array.cols", a.array.cols, 1, kMaxArraySide);
  if (a.array.dataflow == Dataflow::row_stationary) {
    in_range("array.scratchpad_bytes.filter", a.array.filter_scratchpad_bytes, 1,
             kMaxScratchpadBytes);
    in_range("array.scratchpad_bytes.ifmap", a.array.ifmap_scratchpad_bytes, 1,
             kMaxScratchpadBytes);
    in_range("array.scratchpad_bytes.psum", a.array.psum_scratchpad_bytes, 1, kMaxScratchpadBytes);
  }
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    const std::string name(to_string(static_cast<Buffer>(b)));
    in_range("sram." + name + ".kib", a.sram[b].capacity_bytes / 1024, kMinSramKib, kMaxSramKib,
             " KiB");
    in_range("sram." + name + ".port_bits", a.sram[b].port_bits, 0, kMaxPortBits);
    if (a.dram.shared) continue;
    in_range("dram.bandwidth_gbps." + name, a.dram.interface_gbps[b], kMinBandwidthGbps,
             kMaxBandwidthGbps, " GB/s");
  }
  if (a.dram.shared)
    in_range("dram.bandwidth_gbps", a.dram.shared_gbps, kMinBandwidthGbps, kMaxBandwidthGbps,
             " GB/s");
  in_range("dram.capacity_gib", a.dram.capacity_gib, 0, kMaxCapacityGib, " GiB");
  in_range("sram.input_output_banks", a.input_output_banks, 0, 4096);
  if (a.dram.activation_rlc.on()) {
    const RunLengthCode& rlc = a.dram.activation_rlc;
    in_range("dram.activation_compression.run_bits", rlc.run_bits, 1, 16);
    in_range("dram.activation_compression.level_bits", rlc.level_bits, 1, 64);
    in_range("dram.activation_compression.pairs_per_word", rlc.pairs_per_word, 1, 64);
    in_range("dram.activation_compression.word_bits", rlc.word_bits,
             rlc.pairs_per_word * (rlc.run_bits + rlc.level_bits), 1024);
  }
  in_range("vector.lanes", a.vector.lanes, 1, kMaxLanes);
  in_range("vector.pipeline_depth", a.vector.pipeline_depth, 0, kMaxPipelineDepth);
  in_range("vector.tile_overhead_cycles", a.vector.tile_overhead_cycles, 0, kMaxTileOverheadCycles);
  for (std::size_t f = 0; f < kNumVectorFns; ++f)
    in_range("vector.cycles_per_element." + std::string(to_string(static_cast<VectorFn>(f))),
             a.vector.cycles_per_element[f], 0, kMaxCyclesPerElement);
  in_range("links.count", a.links.count, 0, kMaxChipLinks);
  if (a.links.count > 0)
    in_range("links.gbps", a.links.gbps, kMinBandwidthGbps, kMaxBandwidthGbps, " GB/s");
}

void check_extents(const Op& op) {
  if (op.kind == OpKind::conv2d) {
    const Conv2d& c = op.conv;
    extent(op, "batch", c.batch);
    extent(op, "in_channels", c.in_channels);
    extent(op, "in_h", c.in_h);
    extent(op, "in_w", c.in_w);
    extent(op, "out_channels", c.out_channels);
    extent(op, "kernel_h", c.kernel_h);
    extent(op, "kernel_w", c.kernel_w);
    extent(op, "groups", c.groups);
    // The padded (and dilated) input and the dilated window: products of fields above.
    const auto padded = [](std::int64_t in, int input_dilation, int before, int after) {
      return (in - 1) * input_dilation + 1 + before + after;
    };
    extent(op, "padded input height", padded(c.in_h, c.input_dilation_h, c.pad_top, c.pad_bottom));
    extent(op, "padded input width", padded(c.in_w, c.input_dilation_w, c.pad_left, c.pad_right));
    extent(op, "dilated kernel height", (c.kernel_h - 1) * c.dilation_h + 1);
    extent(op, "dilated kernel width", (c.kernel_w - 1) * c.dilation_w + 1);
  } else if (op.kind == OpKind::matmul) {
    extent(op, "m", op.matmul.m);
    extent(op, "k", op.matmul.k);
    extent(op, "n", op.matmul.n);
  }
}

void check_products(const Op& op) {
  if (op.kind == OpKind::conv2d) {
    const Conv2d& c = op.conv;
    product(op, "input elements", {c.batch, c.in_channels, c.in_h, c.in_w});
    product(op, "output elements", {c.batch, c.out_channels, c.out_h, c.out_w});
    product(op, "weight elements",
            {c.out_channels, c.in_channels / c.groups, c.kernel_h, c.kernel_w});
    const bool transposed = c.input_dilation_h > 1 || c.input_dilation_w > 1;
    product(op, "MACs",
            {c.batch, transposed ? c.in_h : c.out_h, transposed ? c.in_w : c.out_w,
             c.in_channels / c.groups, c.kernel_h, c.kernel_w, c.out_channels});
  } else if (op.kind == OpKind::matmul) {
    const Matmul& mm = op.matmul;
    product(op, "batch_count x m", {mm.batch_count, mm.m});  // the GEMM's m when weights are shared
    product(op, "input elements", {mm.batch_count, mm.m, mm.k});
    product(op, "weight elements", {mm.weights_shared ? 1 : mm.batch_count, mm.k, mm.n});
    product(op, "output elements", {mm.batch_count, mm.m, mm.n});
    product(op, "MACs", {mm.batch_count, mm.m, mm.k, mm.n});
  } else {
    product(op, "input_elements", {op.input_elements});
    product(op, "output_elements", {op.output_elements});
    product(op, "work_elements", {op.work_elements});
    product(op, "reduction_elements", {op.reduction_elements});
  }
  product(op, "parameter_elements", {op.parameter_elements});
}

void check(const Network& network) {
  if (static_cast<std::int64_t>(network.ops.size()) > kMaxOps)
    throw std::invalid_argument("network '" + network.name +
                                "': " + std::to_string(network.ops.size()) +
                                " ops exceed the limit of " + std::to_string(kMaxOps));
  std::int64_t total = 0;
  for (const Op& op : network.ops)
    if (__builtin_add_overflow(total, macs(op), &total) || total > kMaxNetworkMacs)
      throw std::invalid_argument("network '" + network.name +
                                  "': total MACs exceed the limit of 2^62");
}

}  // namespace accelscope::model::limits
