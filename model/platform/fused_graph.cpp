#include "model/platform/fused_graph.hpp"

#include <algorithm>
#include <cmath>
#include <list>
#include <map>
#include <stdexcept>
#include <tuple>

#include "model/evaluate.hpp"
#include "model/network_plan.hpp"

namespace accelscope::model::platform {
namespace {

double op_seconds(const Accelerator& accelerator, const Op& op, const Technology& tech) {
  return evaluate_op(accelerator, op, tech).costs.total_cycles / (accelerator.clock_mhz * 1e6);
}

// Convolutions merge when everything but their weights is the same.
using ConvKey = std::tuple<int, std::int64_t, std::int64_t, std::int64_t, std::int64_t,
                           std::int64_t, std::int64_t, std::int64_t, int, int, int, int, int, int,
                           int, int, int, int, int, int>;
ConvKey conv_key(const Op& op) {
  const Conv2d& c = op.conv;
  return {static_cast<int>(op.phase),
          c.batch,
          c.in_channels,
          c.in_h,
          c.in_w,
          c.out_channels,
          c.kernel_h * 65536 + c.kernel_w,
          c.groups,
          c.stride_h,
          c.stride_w,
          c.pad_top,
          c.pad_bottom,
          c.pad_left,
          c.pad_right,
          c.dilation_h,
          c.dilation_w,
          c.input_dilation_h,
          c.input_dilation_w,
          0,
          0};
}

// k same-shape convolutions as one: `grouped`, a grouped convolution (k times the groups, the
// MACs of the k ops); otherwise one convolution with block-diagonal weights (the zeros are
// multiplied too: k times the MACs, but one pass fills an array the small ops left idle).
Op merged_conv(const std::vector<const Op*>& ops, bool grouped) {
  Op merged = *ops.front();
  const auto k = static_cast<std::int64_t>(ops.size());
  merged.name = "merged";
  merged.conv.in_channels *= k;
  merged.conv.out_channels *= k;
  if (grouped) merged.conv.groups *= k;
  merged.parameter_elements = 0;
  for (const Op* op : ops) merged.parameter_elements += op->parameter_elements;
  merged.inputs.clear();
  merged.outputs.clear();
  finalize(merged);
  return merged;
}

// Bytes per element of a planned tensor, at the precision it is written in.
double tensor_bytes_per_element(const PlannedTensor& t, const Accelerator& accelerator) {
  if (t.written_by_array) return bytes_of(accelerator.array.output_precision);
  if (t.written_for_array || (t.producer_group < 0 && t.read_by_array))
    return bytes_of(accelerator.array.precision);
  return bytes_of(accelerator.vector.precision);
}

}  // namespace

GraphRuntimeCosts assumed_graph_runtime_costs() {
  GraphRuntimeCosts costs;
  costs.launch_overhead_s = 50e-6;
  costs.context_bytes = 1024.0 * 1024.0;
  costs.load_bandwidth_bytes_per_s = 8e9;
  return costs;
}

FusedGraph fuse_networks(const std::vector<Network>& networks, const Accelerator& accelerator,
                         const Technology& tech, bool merge) {
  if (networks.empty()) throw std::invalid_argument("fused graph: no networks");
  FusedGraph fused;
  fused.network.batch = networks.front().batch;
  std::vector<std::vector<Op>> members;
  std::map<std::string, int> seen;
  for (const Network& network : networks) {
    const std::string name = network.name.empty() ? "network" : network.name;
    if (network.training)
      throw std::invalid_argument("fused graph: network '" + name +
                                  "' is a training network (only inference graphs fuse)");
    if (network.batch != fused.network.batch)
      throw std::invalid_argument("fused graph: network '" + name + "' has batch " +
                                  std::to_string(network.batch) + ", the first has " +
                                  std::to_string(fused.network.batch) + " (all must agree)");
    const int count = ++seen[name];
    const std::string member = count == 1 ? name : name + "#" + std::to_string(count);
    fused.member_names.push_back(member);
    std::vector<Op> ops = with_edges(network);  // every edge named: no implicit chaining left
    for (Op& op : ops) {
      op.name = member + "/" + op.name;
      for (std::string& t : op.inputs) t = member + "/" + t;
      for (std::string& t : op.outputs) t = member + "/" + t;
    }
    members.push_back(std::move(ops));
  }
  fused.network.name = "fused(";
  for (std::size_t i = 0; i < fused.member_names.size(); ++i)
    fused.network.name += (i ? "," : "") + fused.member_names[i];
  fused.network.name += ")";

  // Lockstep schedule: each member runs its vector ops up to its next array op; array heads of
  // the same shape merge when that is faster; otherwise the least advanced member goes on.
  std::vector<std::size_t> cursor(members.size(), 0);
  auto emit = [&](std::size_t m) { fused.network.ops.push_back(members[m][cursor[m]++]); };
  while (true) {
    for (std::size_t m = 0; m < members.size(); ++m)
      while (cursor[m] < members[m].size() && !members[m][cursor[m]].on_array()) emit(m);
    std::vector<std::size_t> heads;
    for (std::size_t m = 0; m < members.size(); ++m)
      if (cursor[m] < members[m].size()) heads.push_back(m);
    if (heads.empty()) break;

    bool merged = false;
    if (merge) {
      std::map<ConvKey, std::vector<std::size_t>> by_shape;
      for (std::size_t m : heads)
        if (members[m][cursor[m]].kind == OpKind::conv2d)
          by_shape[conv_key(members[m][cursor[m]])].push_back(m);
      for (const auto& [key, group] : by_shape) {
        if (group.size() < 2) continue;
        std::vector<const Op*> ops;
        double separate_s = 0;
        for (std::size_t m : group) {
          ops.push_back(&members[m][cursor[m]]);
          separate_s += op_seconds(accelerator, *ops.back(), tech);
        }
        const double merged_s = std::min(op_seconds(accelerator, merged_conv(ops, true), tech),
                                         op_seconds(accelerator, merged_conv(ops, false), tech));
        if (!(merged_s < separate_s)) continue;
        MergedOps record;
        record.separate_s = separate_s;
        record.merged_s = merged_s;
        for (std::size_t m : group) {
          record.ops.push_back(fused.network.ops.size());
          emit(m);
        }
        fused.merge_gain_s += separate_s - merged_s;
        fused.merges.push_back(std::move(record));
        merged = true;
        break;
      }
    }
    if (merged) continue;
    const auto progress = [&](std::size_t m) {
      return static_cast<double>(cursor[m]) / static_cast<double>(members[m].size());
    };
    emit(*std::min_element(heads.begin(), heads.end(), [&](std::size_t a, std::size_t b) {
      return progress(a) < progress(b);
    }));
  }
  return fused;
}

MemoryPlan plan_memory(const Network& network, const Accelerator& accelerator) {
  MemoryPlan plan;
  for (const Op& op : network.ops)
    plan.weight_bytes +=
        static_cast<double>(op.parameter_elements) * bytes_of(accelerator.array.precision);
  const NetworkPlan groups = plan_network(network, accelerator.fusion);
  const std::size_t g = groups.groups.size();
  if (g == 0) return plan;
  // Live bytes change at group boundaries: +bytes where a tensor starts, - after it ends.
  std::vector<double> delta(g + 1, 0);
  for (const PlannedTensor& t : groups.tensors) {
    const double bytes = static_cast<double>(t.elements) * tensor_bytes_per_element(t, accelerator);
    const std::size_t first = t.producer_group < 0 ? 0 : static_cast<std::size_t>(t.producer_group);
    const std::size_t last =
        t.last_reader_group < 0 ? g - 1 : static_cast<std::size_t>(t.last_reader_group);
    delta[first] += bytes;
    delta[std::max(first, last) + 1] -= bytes;
  }
  double live = 0;
  for (std::size_t i = 0; i < g; ++i) {
    live += delta[i];
    plan.activation_peak_bytes = std::max(plan.activation_peak_bytes, live);
  }
  return plan;
}

LoadStats lru_loads(const std::vector<double>& unit_bytes, const std::vector<std::size_t>& requests,
                    double capacity_bytes, double load_bandwidth_bytes_per_s) {
  if (!(std::isfinite(capacity_bytes) && capacity_bytes >= 0))
    throw std::invalid_argument("loads: memory capacity must be a finite number >= 0");
  if (!(std::isfinite(load_bandwidth_bytes_per_s) && load_bandwidth_bytes_per_s > 0))
    throw std::invalid_argument("loads: load bandwidth must be a finite number > 0");
  LoadStats stats;
  std::list<std::size_t> resident;  // most recently used first
  double used = 0;
  for (std::size_t unit : requests) {
    if (unit >= unit_bytes.size())
      throw std::invalid_argument("loads: request for graph " + std::to_string(unit) + ", only " +
                                  std::to_string(unit_bytes.size()) + " graphs");
    const auto it = std::find(resident.begin(), resident.end(), unit);
    if (it != resident.end()) {
      ++stats.hits;
      resident.splice(resident.begin(), resident, it);
      continue;
    }
    ++stats.loads;
    stats.loaded_bytes += unit_bytes[unit];
    if (capacity_bytes > 0 && unit_bytes[unit] > capacity_bytes) continue;  // streamed, not kept
    while (capacity_bytes > 0 && used + unit_bytes[unit] > capacity_bytes) {
      used -= unit_bytes[resident.back()];
      resident.pop_back();
    }
    resident.push_front(unit);
    used += unit_bytes[unit];
  }
  stats.load_s = stats.loaded_bytes / load_bandwidth_bytes_per_s;
  return stats;
}

FuseComparison compare_fused_separate(const std::vector<Network>& networks,
                                      const Accelerator& accelerator, const Technology& tech,
                                      const FuseOptions& options) {
  const GraphRuntimeCosts& runtime = options.runtime;
  if (!(std::isfinite(runtime.launch_overhead_s) && runtime.launch_overhead_s >= 0) ||
      !(std::isfinite(runtime.context_bytes) && runtime.context_bytes >= 0))
    throw std::invalid_argument(
        "fused graph: launch_overhead_s and context_bytes must be finite numbers >= 0");
  const FusedGraph fused = fuse_networks(networks, accelerator, tech, options.merge);
  FuseComparison out;
  EvalOptions totals_only;
  totals_only.per_op = false;

  std::vector<double> separate_units;
  for (const Network& network : networks) {
    const double latency_s = evaluate(accelerator, network, tech, totals_only).total.latency_s;
    out.separate_compute_s += latency_s;
    out.separate_s += runtime.launch_overhead_s + latency_s;
    const MemoryPlan plan = plan_memory(network, accelerator);
    out.separate_activation_bytes += plan.activation_peak_bytes;
    out.weight_bytes += plan.weight_bytes;
    separate_units.push_back(plan.total_bytes() + runtime.context_bytes);
    out.separate_peak_bytes += separate_units.back();
  }

  out.fused_compute_s = evaluate(accelerator, fused.network, tech, totals_only).total.latency_s;
  out.merge_gain_s = fused.merge_gain_s;
  out.merged_groups = fused.merges.size();
  for (const MergedOps& m : fused.merges) out.merged_ops += m.ops.size();
  out.fused_s = runtime.launch_overhead_s + out.fused_compute_s - out.merge_gain_s;
  const MemoryPlan plan = plan_memory(fused.network, accelerator);
  out.fused_activation_bytes = plan.activation_peak_bytes;
  out.fused_peak_bytes = plan.total_bytes() + runtime.context_bytes;
  out.context_bytes_saved = runtime.context_bytes * static_cast<double>(networks.size() - 1);

  if (!options.requests.empty()) {
    out.separate_loads = lru_loads(separate_units, options.requests, options.memory_capacity_bytes,
                                   runtime.load_bandwidth_bytes_per_s);
    // Every request needs the one fused graph.
    const std::vector<std::size_t> fused_requests(options.requests.size(), 0);
    for (std::size_t r : options.requests)
      if (r >= networks.size())
        throw std::invalid_argument("fused graph: request for network " + std::to_string(r) +
                                    ", only " + std::to_string(networks.size()) + " networks");
    out.fused_loads = lru_loads({out.fused_peak_bytes}, fused_requests,
                                options.memory_capacity_bytes, runtime.load_bandwidth_bytes_per_s);
  }
  return out;
}

}  // namespace accelscope::model::platform
