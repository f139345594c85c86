// Heterogeneous platforms (issue 13): different compute units on one chip sharing one DRAM, and
// what one piece of a network costs on each. Pure functions on plain data.
//
// Units are of two kinds:
// - systolic: an accelerator of the existing model (any hardware description), one per precision
//   it runs (the native array first; another precision is the same array at a relative MAC
//   rate, modelled as a proportionally slower clock). A group's cost is the per-op model's cost of
//   its ops when the whole network runs on that array (its tiling, residency and DRAM traffic),
//   plus the unit's launch overhead.
// - data paths: an engine described by what it can do (a GPU's SIMT and tensor paths, a CPU's
//   vector units, an NPU): per data path the peak ops/s per precision, the op kinds it runs and
//   an efficiency curve vs work size, efficiency(w) = max_efficiency * w / (w + half_efficiency);
//   per unit a launch overhead per invocation and a local memory. Several data paths of a unit
//   time-share it: a group runs on the path that finishes it first.
//
// The pieces are the fused groups of network_plan (an op with the element-wise ops on its output
// path), which every runtime launches as one kernel. On a data-path unit a group takes
//   launch + max(ops / (peak(precision) x efficiency(ops)), bytes / bandwidth)
// where ops counts 2 per MAC (GEMMs) or one per element-operation (vector ops), bytes are the
// compulsory DRAM traffic: the group's weights, and its input and output tensors except those
// that fit in half the local memory (kept on chip between groups; a network's input and output
// always go through DRAM), and bandwidth is the unit's DRAM port (at most the usable channel).
// An op kind or precision no path runs makes the group not runnable on the unit.
//
// Precision. A tenant's precision applies to its GEMMs (convolutions, matmuls); the other ops run
// at the tenant's precision where a path supports it, else at the first precision the path lists
// that is at least as wide (as quantised runtimes do for softmax or layer-norm), never narrower.
//
// Handing a tensor to another unit costs a link's latency + bytes / its bandwidth, or without a
// link, through the shared DRAM: the platform's handoff latency (synchronisation) + writing it
// out if the producer would have kept it in local memory + reading it if the consumer would have
// (larger tensors already go through DRAM in the units' own costs); a precision change adds a
// conversion pass on the receiving unit (launch + reading and writing the tensor at its port).
//
// A unit may name an `io_unit` that converts the network inputs and outputs of its groups (a
// TensorRT DLA engine whose I/O is not in a DLA-native format gets GPU reformat kernels around
// every inference: NVIDIA's DLA FAQ): a pass on that unit before the network and after it,
// launch + (4 bytes, the FP32 tensor the application holds, + the group's precision) per element
// at that unit's port. It lengthens the run and takes the io unit's time (placement.hpp).
// A systolic unit's local memory is its SRAM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/evaluate.hpp"
#include "model/hardware.hpp"
#include "model/technology.hpp"

namespace accelscope::model::platform {

using OpKindSet = std::uint32_t;  // bit (1 << OpKind)
constexpr OpKindSet op_kind_bit(OpKind kind) {
  return OpKindSet{1} << static_cast<unsigned>(kind);
}
inline constexpr OpKindSet kAllOpKinds = (OpKindSet{1} << kNumOpKinds) - 1;

struct PrecisionRate {
  Precision precision = Precision::fp32;
  double peak_ops_per_s = 0;
};

struct DataPath {
  std::string name;
  std::vector<PrecisionRate> rates;  // the first is its preferred precision
  OpKindSet op_kinds = kAllOpKinds;
  double max_efficiency = 1;       // the curve's asymptote, (0, 1]
  double half_efficiency_ops = 0;  // work per invocation at half of max_efficiency; 0: flat
  double peak_ops_per_s(Precision precision) const;  // 0 when the path does not run it
  double efficiency(double work_ops) const;
};

enum class UnitKind : std::uint8_t { systolic, data_paths };

struct SystolicArray {
  Precision precision = Precision::int8;
  Accelerator accelerator;
};

struct ComputeUnit {
  std::string name;
  UnitKind kind = UnitKind::data_paths;
  std::vector<DataPath> paths;        // data_paths
  std::vector<SystolicArray> arrays;  // systolic: the native precision first
  Technology tech;                    // systolic: its node's tables
  OpKindSet op_kinds = kAllOpKinds;   // systolic: the op kinds it runs
  double local_memory_bytes = 0;      // data_paths; systolic: its SRAM
  double launch_s = 0;                // per invocation (kernel, job)
  double dram_port_bytes_per_s = 0;   // the most it draws alone; 0: the usable channel
  // The unit that converts the network inputs and outputs of this unit's groups (TensorRT's
  // reformat kernels on the GPU around a DLA engine); SIZE_MAX: none.
  std::size_t io_unit = static_cast<std::size_t>(-1);
  double area_mm2 = 0;
  double power_w = 0;  // data_paths: while busy (its energy = power x busy time)
  // Systolic units with equal signatures (the loader's: hardware, precisions, op kinds, launch)
  // cost the same; empty: never shared.
  std::string signature;

  bool runs_kind(OpKind op_kind) const;
  bool runs_gemm_at(Precision precision) const;  // some convolution path at this precision
  std::vector<Precision> precisions() const;     // every precision it runs GEMMs at
  double peak_macs_per_s() const;                // at its fastest precision
};

struct UnitLink {
  std::size_t a = 0, b = 0;  // either direction
  double bytes_per_s = 0;
  double latency_s = 0;
};

struct SharedDram {
  double bandwidth_bytes_per_s = 0;
  double efficiency = 1;         // usable fraction of the peak, one unit's streams
  double capacity_bytes = 0;     // 0: not checked
  double handoff_latency_s = 0;  // a tensor handed between units through DRAM: synchronisation
  // Controller efficiency with one master's streams (sequential to the controller) and with
  // several masters' streams interleaved (random to it: row-buffer conflicts, read/write
  // turnarounds), as measured for a controller; their ratio scales the usable channel while
  // several units draw on it at once. Both 1: no loss.
  double sequential_efficiency = 1;
  double interleaved_efficiency = 1;
  double usable_bytes_per_s() const { return bandwidth_bytes_per_s * efficiency; }
  // The usable channel while `masters` units (servers) draw on it at once.
  double concurrent_bytes_per_s(std::size_t masters) const {
    return masters > 1 ? usable_bytes_per_s() * interleaved_efficiency / sequential_efficiency
                       : usable_bytes_per_s();
  }
};

struct HeteroPlatform {
  std::string name;
  std::vector<ComputeUnit> units;
  std::vector<UnitLink> links;
  SharedDram dram;
  // A unit's DRAM bandwidth alone: its port, at most the usable channel.
  double unit_bytes_per_s(std::size_t unit) const;
  const UnitLink* link(std::size_t a, std::size_t b) const;  // nullptr: through DRAM
  std::size_t unit_index(const std::string& name) const;     // units.size() when unknown
};

// Checks a platform (names unique, figures positive and finite, links between distinct units,
// every unit runs something); std::invalid_argument "unit '<name>': <field> ..." otherwise.
void validate(const HeteroPlatform& platform);

// One group on one unit with the DRAM to itself.
struct TaskCost {
  bool runnable = false;
  double time_s = 0;   // launch and the overlap of compute and memory
  double stall_s = 0;  // memory time not hidden behind compute
  double dram_bytes = 0;
  double energy_pj = 0;
  double macs = 0;
  Precision precision = Precision::fp32;  // it computes and writes at
  std::size_t path = 0;                   // data path chosen (data_paths units)
};

// Every group of a network (its fused plan) on every unit, at a tenant's GEMM precision.
struct NetworkCosts {
  const PreparedNetwork* network = nullptr;
  Precision precision = Precision::fp32;
  std::vector<std::vector<TaskCost>> cost;  // [group][unit]
  // Data inputs of each group as (tensor, producer group or -1 for the network input).
  std::vector<std::vector<std::pair<int, int>>> inputs;
};
// `needed[u]` false: unit u is not costed (its groups not runnable there); empty: every unit.
// Systolic units with the same non-empty `signature` are evaluated once.
NetworkCosts network_costs(const HeteroPlatform& platform, const PreparedNetwork& network,
                           Precision precision, const std::vector<char>& needed = {});

// A data-path unit's cost for a group scaled to `fraction` of its output channels (an
// intra-layer split): the work, weights and outputs scale, the input is read whole.
TaskCost data_path_cost(const HeteroPlatform& platform, std::size_t unit,
                        const PreparedNetwork& network, std::size_t group, Precision precision,
                        double fraction = 1);

// Time to hand `elements` of a tensor from one unit to another (0 on the same unit), and the
// DRAM bytes it moves.
struct Transfer {
  double time_s = 0;
  double dram_bytes = 0;
};
Transfer transfer(const HeteroPlatform& platform, std::size_t from, std::size_t to, double elements,
                  Precision from_precision, Precision to_precision);

// Ops of a piece of work as a data path counts them: 2 per MAC, one per vector element-operation.
double work_ops(const Op& op);

}  // namespace accelscope::model::platform
