#include "model/network_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "model/array_model.hpp"
#include "model/vector_model.hpp"

namespace accelscope::model {

namespace {

constexpr auto kIn = static_cast<std::size_t>(Buffer::inputs);
constexpr auto kOut = static_cast<std::size_t>(Buffer::outputs);
constexpr auto kVec = static_cast<std::size_t>(Buffer::vector);

// Bytes per element of a tensor as it is stored: GEMM results at the array's output precision,
// vector results at the vector precision (or the operand precision when a GEMM reads them next).
double element_bytes(const DesignContext& ctx, const PlannedTensor& tensor) {
  if (tensor.producer_group < 0)
    return tensor.read_by_array ? ctx.operand_bytes : ctx.word_bytes[kVec];
  if (tensor.written_by_array) return ctx.output_bytes;
  return tensor.written_for_array ? ctx.operand_bytes : ctx.word_bytes[kVec];
}

double tensor_bytes(const DesignContext& ctx, const PlannedTensor& tensor) {
  return static_cast<double>(tensor.elements) * element_bytes(ctx, tensor);
}

// The first buffer holding activations (where resident results are written and read).
int activation_buffer(const Accelerator& a) {
  for (std::size_t b = 0; b < kNumBuffers; ++b)
    if (a.sram[b].holds_activations) return static_cast<int>(b);
  return static_cast<int>(kIn);
}

// Bytes a group needs in the buffers holding activations when its input streams from DRAM: the
// tile it would use on its own (the whole input, double-buffered where the buffer is, up to the
// buffer), so keeping tensors on chip never shrinks the tiles of an op that streams; plus, where
// those buffers hold partial sums or the vector unit's staging tiles, those tiles always.
struct Reserve {
  double streaming = 0;  // only while the group's first input is not on chip
  double always = 0;
};

Reserve working_reserve(const DesignContext& ctx, const NetworkPlan& plan,
                        const PlannedGroup& group, bool is_view) {
  const Accelerator& a = *ctx.accelerator;
  auto nominal = [&](std::size_t b, double bytes) {
    return std::min(a.sram[b].capacity_bytes, bytes * (a.sram[b].double_buffered ? 2.0 : 1.0));
  };
  Reserve reserve;
  if (is_view) return reserve;
  const double input =
      group.head_inputs.empty()
          ? 0
          : tensor_bytes(ctx, plan.tensors[static_cast<std::size_t>(group.head_inputs[0])]);
  if (group.head_on_array) {
    if (a.sram[kIn].holds_activations) reserve.streaming += nominal(kIn, input);
    if (a.sram[kOut].holds_activations)
      reserve.always += nominal(kOut, group.psum_elements * ctx.psum_bytes);
  } else if (a.sram[kVec].holds_activations) {
    reserve.streaming += nominal(kVec, input);
  }
  return reserve;
}

}  // namespace

Residency decide_residency(const DesignContext& ctx, const Network& network,
                           const NetworkPlan& plan) {
  const Accelerator& a = *ctx.accelerator;
  Residency r;
  r.on_chip.assign(plan.tensors.size(), 0);
  r.resident_bytes.assign(plan.groups.size(), 0);
  if (a.inter_layer == InterLayer::through_dram) return r;
  for (std::size_t b = 0; b < kNumBuffers; ++b)
    if (a.sram[b].holds_activations) r.pool_bytes += a.sram[b].capacity_bytes;
  r.weights_on_chip = !plan.training && plan.array_weight_elements > 0 &&
                      plan.array_weight_elements * ctx.operand_bytes <=
                          a.sram[static_cast<std::size_t>(Buffer::weights)].capacity_bytes;
  if (r.pool_bytes <= 0) return r;

  // load[g]: bytes of tensors kept on chip during group g.
  std::vector<double> load(plan.groups.size(), 0);
  std::vector<Reserve> reserve(plan.groups.size());
  std::vector<int> first_input(plan.groups.size(), -1);
  for (std::size_t g = 0; g < plan.groups.size(); ++g) {
    reserve[g] = working_reserve(ctx, plan, plan.groups[g],
                                 network.ops[plan.groups[g].head].kind == OpKind::reshape);
    if (!plan.groups[g].head_inputs.empty()) first_input[g] = plan.groups[g].head_inputs[0];
  }
  // Room at group g for a tensor `t`: a group whose input is not (yet) on chip streams it and
  // keeps its tile; tensors decided later are assumed to stream until they are kept.
  auto room = [&](std::size_t g, std::size_t t) {
    const int input = first_input[g];
    const bool streams = input < 0 || (static_cast<std::size_t>(input) != t &&
                                       !r.on_chip[static_cast<std::size_t>(input)]);
    return r.pool_bytes - load[g] - reserve[g].always - (streams ? reserve[g].streaming : 0);
  };
  // Tensors in production order (network inputs stay in DRAM, network outputs go there).
  for (int id : plan.production_order) {
    const auto t = static_cast<std::size_t>(id);
    const PlannedTensor& tensor = plan.tensors[t];
    const double bytes = tensor_bytes(ctx, tensor);
    const auto first = static_cast<std::size_t>(tensor.producer_group);
    const auto last = static_cast<std::size_t>(tensor.last_reader_group);
    bool fits = bytes <= r.pool_bytes;
    for (std::size_t g = first; g <= last && fits; ++g) fits = bytes <= room(g, t);
    if (!fits) continue;
    r.on_chip[t] = 1;
    for (std::size_t g = first; g <= last; ++g) load[g] += bytes;
  }
  r.resident_bytes = std::move(load);
  return r;
}

namespace {

// Costs of one group: its head and each fused op (in the order of the plan).
struct GroupCosts {
  Costs head;
  Costs* fused = nullptr;  // one per fused op (storage owned by the caller)
  double utilization = 0;
  bool fits = true;
  Tiling tiling;
};

// Where a group's operands are, as a cache key (groups of one signature cost the same under the
// same key).
struct PlacementKey {
  std::uint64_t bits = 0;
  double tile_bytes = 0;
  bool operator==(const PlacementKey& o) const {
    return bits == o.bits && tile_bytes == o.tile_bytes;
  }
};

struct GroupInputs {
  PlacementKey key;
  bool head_input_on_chip = false;         // first input of the head
  bool head_other_on_chip = false;         // second operand of an array head
  bool output_on_chip = false;             // every output of the group
  bool weights_on_chip = false;            // parameters kept on chip across inferences
  double head_input_elements_on_chip = 0;  // vector head: of its inputs
  PerBuffer tile_capacity_bytes{};
  // Per fused op: second operands in DRAM (bytes, elements) and on chip (elements).
  std::vector<double> fused_dram_bytes, fused_dram_elements, fused_chip_elements;
};

// Fills `in` (reused across groups, so its lists keep their memory) for one group.
void group_inputs(const DesignContext& ctx, const NetworkPlan& plan, const PlannedGroup& group,
                  const Residency& res, std::size_t position, GroupInputs& in) {
  const Accelerator& a = *ctx.accelerator;
  in.key = {};
  in.head_input_on_chip = in.head_other_on_chip = false;
  in.head_input_elements_on_chip = 0;
  std::uint64_t bit = 1;
  auto flag = [&](bool value) {
    if (value) in.key.bits |= bit;
    bit <<= 1;
  };
  for (std::size_t j = 0; j < group.head_inputs.size(); ++j) {
    const auto t = static_cast<std::size_t>(group.head_inputs[j]);
    const bool on = res.on_chip[t] != 0;
    flag(on);
    if (j == 0) in.head_input_on_chip = on;
    if (j == 1) in.head_other_on_chip = on;
    if (on) in.head_input_elements_on_chip += static_cast<double>(plan.tensors[t].elements);
  }
  in.output_on_chip = !group.outputs.empty();
  for (int t : group.outputs) in.output_on_chip &= res.on_chip[static_cast<std::size_t>(t)] != 0;
  flag(in.output_on_chip);
  in.weights_on_chip = res.weights_on_chip;
  flag(in.weights_on_chip);
  const std::size_t fused = group.fused.size();
  in.fused_dram_bytes.assign(fused, 0);
  in.fused_dram_elements.assign(fused, 0);
  in.fused_chip_elements.assign(fused, 0);
  for (std::size_t f = 0; f < fused; ++f)
    for (int t : group.fused_inputs[f]) {
      const PlannedTensor& tensor = plan.tensors[static_cast<std::size_t>(t)];
      const bool on = res.on_chip[static_cast<std::size_t>(t)] != 0;
      flag(on);
      const auto elements = static_cast<double>(tensor.elements);
      if (on) {
        in.fused_chip_elements[f] += elements;
      } else {
        in.fused_dram_elements[f] += elements;
        in.fused_dram_bytes[f] += elements * element_bytes(ctx, tensor);
      }
    }
  // Tiles of an array op's input streamed from DRAM take what the resident tensors leave of the
  // buffers holding activations (a vector op stages through the vector memory).
  in.tile_capacity_bytes = ctx.tile_capacity_bytes;
  if (res.pool_bytes > 0) {
    const double resident = res.resident_bytes[position];
    const bool streams = group.head_on_array && !in.head_input_on_chip;
    for (std::size_t b = 0; b < kNumBuffers; ++b) {
      if (!a.sram[b].holds_activations) continue;
      const double capacity = a.sram[b].capacity_bytes;
      const double free = std::max(0.0, capacity - resident * capacity / res.pool_bytes);
      in.tile_capacity_bytes[b] = free * (a.sram[b].double_buffered ? 0.5 : 1.0);
      if (streams) in.key.tile_bytes += in.tile_capacity_bytes[b];
    }
  }
}

double vector_op_energy_pj(const DesignContext& ctx, const Op& op) {
  return static_cast<double>(op.work_elements) *
         ctx.accelerator->vector.cycles_per_element[static_cast<std::size_t>(op.fn)] *
         ctx.vector_op_pj;
}

// Costs of the fused ops' own second operands and lane work, with `cycles` of latency each.
Costs fused_op_costs(const DesignContext& ctx, const Op& op, const GroupInputs& in, std::size_t f,
                     double cycles, int pool_buffer) {
  Costs c;
  c.compute_cycles = cycles;
  c.total_cycles = cycles;
  c.dram_read_bytes[kVec] = in.fused_dram_bytes[f];
  c.sram_writes[kVec] = in.fused_dram_elements[f];  // staged in the vector memory
  c.sram_reads[kVec] = in.fused_dram_elements[f];
  c.sram_reads[static_cast<std::size_t>(pool_buffer)] += in.fused_chip_elements[f];
  c.energy.vector_pj = vector_op_energy_pj(ctx, op);
  add_memory_energy(ctx, c);
  return c;
}

// Array ops costed in one evaluation, by the plan's GEMM id and operand placement. Heads of groups
// of different signatures (ops fused differently, training's backward ops) often share their GEMM
// and its operands' placement, and an array op's costs depend on nothing else within a design.
class ArrayOpCache {
 public:
  explicit ArrayOpCache(const NetworkPlan& plan)
      : first_entry_(static_cast<std::size_t>(plan.gemms), -1) {
    entries_.reserve(plan.groups.size());  // at most one per group: references stay valid
  }

  const ArrayOpResult& evaluate(const DesignContext& ctx, int gemm_id, const GemmView& gemm,
                                const EvalOptions& options, const ArrayPlacement& placement) {
    int& head_of_list = first_entry_[static_cast<std::size_t>(gemm_id)];
    for (int e = head_of_list; e >= 0; e = entries_[static_cast<std::size_t>(e)].next)
      if (entries_[static_cast<std::size_t>(e)].placement == placement)
        return entries_[static_cast<std::size_t>(e)].result;
    entries_.push_back({placement, evaluate_array_op(ctx, gemm, options, placement), head_of_list});
    head_of_list = static_cast<int>(entries_.size()) - 1;
    return entries_.back().result;
  }

 private:
  struct Entry {
    ArrayPlacement placement;
    ArrayOpResult result;
    int next = -1;  // next entry of the same GEMM
  };
  std::vector<Entry> entries_;
  std::vector<int> first_entry_;  // per GEMM id
};

// `lanes`: scratch for the fused ops' lane cycles (kept by the caller so its memory is reused).
GroupCosts cost_group(const DesignContext& ctx, const Network& network, const PlannedGroup& group,
                      const GroupInputs& in, const EvalOptions& options, Costs* fused_costs,
                      std::vector<double>& lanes, ArrayOpCache& array_ops) {
  const Accelerator& a = *ctx.accelerator;
  const int pool = activation_buffer(a);
  const Op& head = network.ops[group.head];
  const std::size_t fused = group.fused.size();
  GroupCosts out;
  out.fused = fused_costs;
  lanes.assign(fused, 0);
  double lane_sum = 0;
  for (std::size_t f = 0; f < fused; ++f) {
    if (group.fused_as[f] == FusedAs::folded) continue;
    lanes[f] = lane_cycles(ctx, network.ops[group.fused[f]]);
    lane_sum += lanes[f];
  }

  if (head.on_array()) {
    ArrayPlacement placement;
    placement.input_on_chip = in.head_input_on_chip;
    // The other operand: an activation (attention, backward-weight) or the parameters.
    placement.weight_on_chip =
        group.head_inputs.size() > 1 ? in.head_other_on_chip : in.weights_on_chip;
    placement.output_on_chip = in.output_on_chip;
    placement.activation_buffer = pool;
    placement.tile_capacity_bytes = in.tile_capacity_bytes;
    const ArrayOpResult& r =
        array_ops.evaluate(ctx, group.gemm, gemm_view(head), options, placement);
    out.head = r.costs;
    out.utilization = r.utilization;
    out.fits = r.fits;
    out.tiling = r.tiling;
    // Fused ops stream the array's results through the lanes at the same time; they add latency
    // only where the lanes (or their second operands' transfers) are slower than the array.
    double dram_bytes = 0;
    for (double bytes : in.fused_dram_bytes) dram_bytes += bytes;
    const double fused_compute = lane_sum > 0 ? lane_sum + a.vector.pipeline_depth : 0;
    PerBuffer dram{};
    dram[kVec] = dram_bytes;
    const double fused_total =
        fused_compute > 0 || dram_bytes > 0
            ? overlap_cycles(ctx, fused_compute, dram, std::max<double>(1, r.tiling.tiles))
            : 0;
    const double extra = std::max(0.0, fused_total - r.costs.total_cycles);
    for (std::size_t f = 0; f < fused; ++f) {
      const double share =
          lane_sum > 0 ? lanes[f] / lane_sum : (group.fused_as[f] == FusedAs::folded ? 0 : 1);
      out.fused[f] =
          group.fused_as[f] == FusedAs::folded
              ? Costs{}
              : fused_op_costs(ctx, network.ops[group.fused[f]], in, f, extra * share, pool);
    }
    return out;
  }

  // A vector head: fused ops run in the same pass over the data, one after another per element.
  VectorPlacement placement;
  placement.input_elements_on_chip = in.head_input_elements_on_chip;
  placement.output_on_chip = in.output_on_chip;
  placement.activation_buffer = pool;
  placement.fused_lane_cycles = lane_sum;
  for (std::size_t f = 0; f < fused; ++f) {
    placement.fused_dram_input_elements += in.fused_dram_elements[f];
    placement.fused_chip_input_elements += in.fused_chip_elements[f];
  }
  const Costs whole = evaluate_vector_op(ctx, head, placement);
  out.head = whole;
  if (fused == 0) return out;
  const double head_lanes = lane_cycles(ctx, head);
  const double all_lanes = head_lanes + lane_sum;
  for (std::size_t f = 0; f < fused; ++f) {
    const double share = all_lanes > 0 ? lanes[f] / all_lanes : 0;
    Costs c = fused_op_costs(ctx, network.ops[group.fused[f]], in, f, 0, pool);
    c.compute_cycles = whole.compute_cycles * share;
    c.total_cycles = whole.total_cycles * share;
    c.stall_cycles = c.total_cycles - c.compute_cycles;
    c.energy.leakage_pj = whole.energy.leakage_pj * share;
    out.fused[f] = c;
    out.head += c * -1.0;
  }
  return out;
}

void accumulate(NetworkTotals& totals, const Costs& costs, Phase phase, bool on_array) {
  totals.all += costs;
  totals.by_phase[static_cast<std::size_t>(phase)] += costs;
  (on_array ? totals.conv : totals.nonconv) += costs;
}

struct CacheEntry {
  PlacementKey key;
  GroupCosts costs;
  const PlannedGroup* group = nullptr;  // the first group costed so (phases and units)
  double count = 0;                     // groups costed so
  int next = -1;                        // next entry of the same signature
};

}  // namespace

NetworkTotals run_network(const DesignContext& ctx, const Network& network, const NetworkPlan& plan,
                          const EvalOptions& options, std::vector<OpReport>* reports) {
  const Residency res = decide_residency(ctx, network, plan);
  NetworkTotals totals;
  // Costs already computed in this design, by signature and placement (flat, allocated once).
  std::vector<CacheEntry> cache;
  cache.reserve(plan.groups.size());
  std::vector<int> first_entry(static_cast<std::size_t>(plan.signatures), -1);
  std::size_t fused_total = 0;
  for (const PlannedGroup& group : plan.groups) fused_total += group.fused.size();
  // Grown as groups are costed, within this capacity (the entries point into it).
  std::vector<Costs> fused_storage;
  fused_storage.reserve(fused_total);
  if (reports) {
    reports->assign(network.ops.size(), OpReport{});
    for (std::size_t i = 0; i < network.ops.size(); ++i) {
      OpReport& r = (*reports)[i];
      r.name = network.ops[i].name;
      r.op = network.ops[i].kind;
      r.phase = network.ops[i].phase;
    }
  }
  GroupInputs in;
  std::vector<double> lanes;
  ArrayOpCache array_ops(plan);
  for (std::size_t position = 0; position < plan.groups.size(); ++position) {
    const PlannedGroup& group = plan.groups[position];
    group_inputs(ctx, plan, group, res, position, in);
    int& head_of_list = first_entry[static_cast<std::size_t>(group.signature)];
    int found = head_of_list;
    while (found >= 0 && !(cache[static_cast<std::size_t>(found)].key == in.key))
      found = cache[static_cast<std::size_t>(found)].next;
    if (found < 0) {
      const std::size_t fused_used = fused_storage.size();
      fused_storage.resize(fused_used + group.fused.size());
      Costs* fused_costs = fused_storage.data() + fused_used;
      cache.push_back({in.key,
                       cost_group(ctx, network, group, in, options, fused_costs, lanes, array_ops),
                       &group, 0, head_of_list});
      found = static_cast<int>(cache.size()) - 1;
      head_of_list = found;
    }
    CacheEntry* hit = &cache[static_cast<std::size_t>(found)];
    hit->count += 1;
    totals.fused_ops += static_cast<double>(group.fused.size());
    if (!reports) continue;

    // Where the group's result lived; members before the last never stored theirs.
    const GroupCosts& costs = hit->costs;
    const Op& head = network.ops[group.head];
    Residence result = in.output_on_chip ? Residence::sram : Residence::dram;
    if (group.outputs.empty() && !group.head_inputs.empty())  // a view of its input
      result = res.on_chip[static_cast<std::size_t>(group.head_inputs[0])] ? Residence::sram
                                                                           : Residence::dram;
    OpReport& h = (*reports)[group.head];
    h.unit =
        head.on_array() ? Unit::array : (head.kind == OpKind::reshape ? Unit::none : Unit::vector);
    h.costs = costs.head;
    h.utilization = costs.utilization;
    h.fits = costs.fits;
    h.tiling = costs.tiling;
    h.output = group.fused.empty() ? result : Residence::fused;
    for (std::size_t f = 0; f < group.fused.size(); ++f) {
      OpReport& r = (*reports)[group.fused[f]];
      r.unit = group.fused_as[f] == FusedAs::folded ? Unit::none : Unit::vector;
      r.costs = costs.fused[f];
      r.fused_into = static_cast<int>(group.head);
      r.folded = group.fused_as[f] == FusedAs::folded;
      r.output = f + 1 == group.fused.size() ? result : Residence::fused;
    }
  }
  // Totals: each distinct cost times the groups that had it.
  for (const CacheEntry& entry : cache) {
    const PlannedGroup& group = *entry.group;
    const Op& head = network.ops[group.head];
    // Costs of one group are taken as they are (times one is the same).
    auto add = [&](const Costs& costs, Phase phase, bool on_array) {
      if (entry.count == 1)
        accumulate(totals, costs, phase, on_array);
      else
        accumulate(totals, costs * entry.count, phase, on_array);
    };
    add(entry.costs.head, head.phase, head.on_array());
    if (!entry.costs.fits) totals.ops_not_fitting += entry.count;
    for (std::size_t f = 0; f < group.fused.size(); ++f)
      add(entry.costs.fused[f], network.ops[group.fused[f]].phase, false);
  }
  for (int t : plan.production_order)
    (res.on_chip[static_cast<std::size_t>(t)] ? totals.tensors_on_chip : totals.tensors_spilled) +=
        1;
  for (double bytes : res.resident_bytes)
    totals.peak_resident_bytes = std::max(totals.peak_resident_bytes, bytes);
  totals.weights_on_chip = res.weights_on_chip;
  return totals;
}

}  // namespace accelscope::model
