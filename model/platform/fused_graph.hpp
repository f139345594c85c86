// Fused multi-model graphs (FusedInf, arXiv 2410.21120): several networks run as one graph, a
// disjoint union of their ops, instead of one graph each. What fusing changes, each costed by the
// model rather than assumed:
// - Horizontal merging: convolutions of the same shape in different networks, met at the same
//   point of a lockstep schedule, run as one convolution (grouped, or dense with block-diagonal
//   weights, whichever is faster) when the model says the array finishes it sooner than the
//   separate ones.
// - One memory plan: tensor lifetimes of the union (model/network_plan) give one activation arena,
//   its peak instead of one arena per graph.
// - One launch and one runtime context instead of one per graph (GraphRuntimeCosts).
// - Loading under a memory capacity: one unit instead of per-model units swapped LRU.
// Pure: plain data in and out, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/hardware.hpp"
#include "model/technology.hpp"
#include "model/workload.hpp"

namespace accelscope::model::platform {

// What a serving runtime pays per graph, outside the accelerator's compute. Not modelled from
// hardware: callers pass their own measured figures; assumed_graph_runtime_costs() gives the
// labelled defaults.
struct GraphRuntimeCosts {
  double launch_overhead_s = 0;  // per invocation of a graph (driver call, descriptors, sync)
  double context_bytes = 0;      // per loaded graph (compiled program, runtime state, I/O buffers)
  double load_bandwidth_bytes_per_s = 0;  // host to device when a graph is (re)loaded
};

// ASSUMPTION (not measured, not from a datasheet): 50 us launch overhead per graph invocation
// (the order of an accelerator runtime's per-inference dispatch and host synchronisation), 1 MiB
// of runtime context per loaded graph, 8 GB/s loading bandwidth (a PCIe 3.0 x8 link).
GraphRuntimeCosts assumed_graph_runtime_costs();

// A group of convolutions from different networks run as one grouped convolution.
struct MergedOps {
  std::vector<std::size_t> ops;  // indices in FusedGraph::network.ops (consecutive)
  double separate_s = 0;         // the ops one after another (evaluate_op)
  double merged_s = 0;           // the merged convolution (evaluate_op)
};

struct FusedGraph {
  // The disjoint union in its schedule: op and tensor names prefixed "<network>/" (a repeated
  // network name gets "#2", "#3"...). Merged ops stay separate ops here (so the network-level
  // model keeps their own tensors) and are listed in `merges`.
  Network network;
  std::vector<std::string> member_names;
  std::vector<MergedOps> merges;
  double merge_gain_s = 0;  // sum over merges of separate_s - merged_s (> 0 each)
};

// Builds the fused graph. Every network must be an inference network of the same batch
// (std::invalid_argument naming the network otherwise). merge: look for horizontal merges.
FusedGraph fuse_networks(const std::vector<Network>& networks, const Accelerator& accelerator,
                         const Technology& tech, bool merge = true);

// The liveness-based plan of one graph: every stored tensor (after fusion on the design's
// setting) lives from its producer to its last reader (network inputs from the start, outputs to
// the end); weights are all resident. Bytes at the precision each tensor is written in.
struct MemoryPlan {
  double activation_peak_bytes = 0;
  double weight_bytes = 0;
  double total_bytes() const { return activation_peak_bytes + weight_bytes; }
};
MemoryPlan plan_memory(const Network& network, const Accelerator& accelerator);

// Loads of graphs kept under a memory capacity, least recently used evicted first.
struct LoadStats {
  std::int64_t loads = 0, hits = 0;
  double load_s = 0;
  double loaded_bytes = 0;
};
// unit_bytes: footprint of each graph; requests: the graph each request needs, in order. A graph
// larger than the capacity is loaded for every request that needs it (streamed).
// capacity_bytes 0: unlimited (each graph loads once).
LoadStats lru_loads(const std::vector<double>& unit_bytes, const std::vector<std::size_t>& requests,
                    double capacity_bytes, double load_bandwidth_bytes_per_s);

struct FuseOptions {
  GraphRuntimeCosts runtime = assumed_graph_runtime_costs();
  bool merge = true;
  // Optional request stream for loads and swaps: network indices, one per request.
  std::vector<std::size_t> requests;
  double memory_capacity_bytes = 0;  // 0: unlimited
};

// Running every network once, fused versus separately.
struct FuseComparison {
  // Time: separate = sum of (launch + latency); fused = launch + latency of the union graph -
  // merge gains.
  double separate_s = 0, fused_s = 0;
  double separate_compute_s = 0;  // sum of the networks' latencies alone
  double fused_compute_s = 0;     // the union graph's latency (before merge gains)
  double merge_gain_s = 0;
  std::size_t merged_groups = 0, merged_ops = 0;
  // Memory: separate = sum of (weights + own activation peak + context); fused = weights +
  // activation peak of the one plan + one context.
  double separate_peak_bytes = 0, fused_peak_bytes = 0;
  double weight_bytes = 0;
  double separate_activation_bytes = 0, fused_activation_bytes = 0;
  double context_bytes_saved = 0;
  // Loads for the request stream (FuseOptions::requests): per-network graphs swapped LRU versus
  // the one fused graph.
  LoadStats separate_loads, fused_loads;
  double time_saving_fraction() const { return 1 - fused_s / separate_s; }
  double memory_saving_fraction() const { return 1 - fused_peak_bytes / separate_peak_bytes; }
};

FuseComparison compare_fused_separate(const std::vector<Network>& networks,
                                      const Accelerator& accelerator, const Technology& tech,
                                      const FuseOptions& options = {});

}  // namespace accelscope::model::platform
