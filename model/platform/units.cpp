#include "model/platform/units.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace accelscope::model::platform {

double DataPath::peak_ops_per_s(Precision precision) const {
  for (const PrecisionRate& rate : rates)
    if (rate.precision == precision) return rate.peak_ops_per_s;
  return 0;
}

double DataPath::efficiency(double work_ops) const {
  if (half_efficiency_ops <= 0) return max_efficiency;
  return max_efficiency * work_ops / (work_ops + half_efficiency_ops);
}

bool ComputeUnit::runs_kind(OpKind op_kind) const {
  if (op_kind == OpKind::reshape) return true;  // free everywhere
  if (kind == UnitKind::systolic) return (op_kinds & op_kind_bit(op_kind)) != 0;
  for (const DataPath& path : paths)
    if (path.op_kinds & op_kind_bit(op_kind)) return true;
  return false;
}

bool ComputeUnit::runs_gemm_at(Precision precision) const {
  if (kind == UnitKind::systolic) {
    if (!(op_kinds & op_kind_bit(OpKind::conv2d))) return false;
    return std::any_of(arrays.begin(), arrays.end(),
                       [&](const SystolicArray& a) { return a.precision == precision; });
  }
  return std::any_of(paths.begin(), paths.end(), [&](const DataPath& path) {
    return (path.op_kinds & op_kind_bit(OpKind::conv2d)) && path.peak_ops_per_s(precision) > 0;
  });
}

std::vector<Precision> ComputeUnit::precisions() const {
  std::vector<Precision> out;
  const auto add = [&](Precision p) {
    if (std::find(out.begin(), out.end(), p) == out.end() && runs_gemm_at(p)) out.push_back(p);
  };
  for (const SystolicArray& a : arrays) add(a.precision);
  for (const DataPath& path : paths)
    for (const PrecisionRate& rate : path.rates) add(rate.precision);
  return out;
}

double ComputeUnit::peak_macs_per_s() const {
  double best = 0;
  for (const SystolicArray& a : arrays)
    best = std::max(best, static_cast<double>(a.accelerator.array.rows) * a.accelerator.array.cols *
                              a.accelerator.clock_mhz * 1e6);
  for (const DataPath& path : paths)
    for (const PrecisionRate& rate : path.rates) best = std::max(best, rate.peak_ops_per_s / 2);
  return best;
}

double HeteroPlatform::unit_bytes_per_s(std::size_t unit) const {
  const double channel = dram.usable_bytes_per_s();
  const double port = units[unit].dram_port_bytes_per_s;
  return port > 0 ? std::min(port, channel) : channel;
}

const UnitLink* HeteroPlatform::link(std::size_t a, std::size_t b) const {
  for (const UnitLink& l : links)
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return &l;
  return nullptr;
}

std::size_t HeteroPlatform::unit_index(const std::string& unit_name) const {
  for (std::size_t u = 0; u < units.size(); ++u)
    if (units[u].name == unit_name) return u;
  return units.size();
}

namespace {

bool finite_positive(double x) {
  return std::isfinite(x) && x > 0;
}
bool finite_non_negative(double x) {
  return std::isfinite(x) && x >= 0;
}

[[noreturn]] void fail(const std::string& unit, const std::string& what) {
  throw std::invalid_argument("unit '" + unit + "': " + what);
}

}  // namespace

void validate(const HeteroPlatform& platform) {
  if (platform.units.empty()) throw std::invalid_argument("a platform needs at least one unit");
  if (!finite_positive(platform.dram.bandwidth_bytes_per_s) ||
      !finite_positive(platform.dram.efficiency) || platform.dram.efficiency > 1 ||
      !finite_non_negative(platform.dram.capacity_bytes) ||
      !finite_non_negative(platform.dram.handoff_latency_s) ||
      !finite_positive(platform.dram.sequential_efficiency) ||
      platform.dram.sequential_efficiency > 1 ||
      !finite_positive(platform.dram.interleaved_efficiency) ||
      platform.dram.interleaved_efficiency > platform.dram.sequential_efficiency)
    throw std::invalid_argument(
        "dram: bandwidth > 0, efficiency in (0, 1], capacity and handoff latency >= 0, "
        "interleaved efficiency in (0, sequential efficiency], sequential in (0, 1]");
  std::set<std::string> names;
  for (const ComputeUnit& unit : platform.units) {
    if (unit.name.empty() || !names.insert(unit.name).second)
      fail(unit.name, "name: non-empty and unique in the platform");
    if (!finite_non_negative(unit.launch_s)) fail(unit.name, "launch: a time >= 0");
    if (!finite_non_negative(unit.dram_port_bytes_per_s)) fail(unit.name, "dram port: >= 0");
    if (!finite_non_negative(unit.area_mm2) || !finite_non_negative(unit.power_w))
      fail(unit.name, "area and power: >= 0");
    if (unit.io_unit != static_cast<std::size_t>(-1) &&
        (unit.io_unit >= platform.units.size() || &platform.units[unit.io_unit] == &unit))
      fail(unit.name, "io_unit: another unit of the platform");
    if (unit.kind == UnitKind::systolic) {
      if (unit.arrays.empty()) fail(unit.name, "a systolic unit needs its accelerator");
      continue;
    }
    if (unit.paths.empty()) fail(unit.name, "paths: at least one data path");
    if (!finite_non_negative(unit.local_memory_bytes)) fail(unit.name, "local memory: >= 0");
    for (const DataPath& path : unit.paths) {
      if (path.rates.empty()) fail(unit.name, "path '" + path.name + "': no precision");
      for (const PrecisionRate& rate : path.rates)
        if (!finite_positive(rate.peak_ops_per_s))
          fail(unit.name, "path '" + path.name + "': peak ops/s > 0");
      if (!finite_positive(path.max_efficiency) || path.max_efficiency > 1 ||
          !finite_non_negative(path.half_efficiency_ops))
        fail(unit.name,
             "path '" + path.name + "': max efficiency in (0, 1], half-efficiency work >= 0");
    }
  }
  for (const UnitLink& l : platform.links) {
    if (l.a >= platform.units.size() || l.b >= platform.units.size() || l.a == l.b)
      throw std::invalid_argument("link: between two distinct units of the platform");
    if (!finite_positive(l.bytes_per_s) || !finite_non_negative(l.latency_s))
      throw std::invalid_argument("link: bandwidth > 0, latency >= 0");
  }
}

double work_ops(const Op& op) {
  if (op.on_array()) return 2.0 * static_cast<double>(macs(op));
  if (op.kind == OpKind::reshape || op.kind == OpKind::data_move) return 0;
  return static_cast<double>(op.work_elements > 0 ? op.work_elements : op.output_elements);
}

namespace {

// The members of a group that cost anything (folded batch-norms are free).
template <typename F>
void for_each_member(const PlannedGroup& group, F&& f) {
  f(group.head);
  for (std::size_t k = 0; k < group.fused.size(); ++k)
    if (group.fused_as[k] != FusedAs::folded) f(group.fused[k]);
}

std::vector<std::pair<int, int>> group_inputs(const NetworkPlan& plan, const PlannedGroup& group) {
  std::vector<std::pair<int, int>> inputs;
  const auto add = [&](int tensor) {
    if (tensor < 0) return;
    for (const auto& [t, producer] : inputs)
      if (t == tensor) return;
    inputs.emplace_back(tensor, plan.tensors[static_cast<std::size_t>(tensor)].producer_group);
  };
  for (int t : group.head_inputs) add(t);
  for (const std::vector<int>& list : group.fused_inputs)
    for (int t : list) add(t);
  return inputs;
}

TaskCost systolic_cost(const ComputeUnit& unit, const Accelerator& accelerator,
                       const std::vector<OpReport>& reports, const PlannedGroup& group,
                       Precision precision) {
  TaskCost c;
  c.runnable = true;
  c.precision = precision;
  double cycles = 0, stall = 0;
  for_each_member(group, [&](std::size_t op) {
    const OpReport& r = reports[op];
    cycles += r.costs.total_cycles;
    stall += r.costs.stall_cycles;
    c.dram_bytes += r.costs.dram_read_total() + r.costs.dram_write_total();
    c.energy_pj += r.costs.energy.total_pj();
    c.macs += r.costs.macs;
    c.runnable = c.runnable && r.fits;
  });
  const double clock_hz = accelerator.clock_mhz * 1e6;
  c.time_s = unit.launch_s + cycles / clock_hz;
  c.stall_s = stall / clock_hz;
  return c;
}

}  // namespace

TaskCost data_path_cost(const HeteroPlatform& platform, std::size_t unit_index,
                        const PreparedNetwork& network, std::size_t group_index,
                        Precision precision, double fraction) {
  const ComputeUnit& unit = platform.units[unit_index];
  const NetworkPlan& plan = network.fused;
  const PlannedGroup& group = plan.groups[group_index];
  const Network& net = *network.network;
  const Op& head = net.ops[group.head];
  OpKindSet kinds = 0;
  double work = 0, group_macs = 0;
  for_each_member(group, [&](std::size_t op) {
    kinds |= op_kind_bit(net.ops[op].kind);
    work += work_ops(net.ops[op]);
    group_macs += static_cast<double>(macs(net.ops[op]));
  });
  kinds &= ~op_kind_bit(OpKind::reshape);
  work *= fraction;
  const double bandwidth = platform.unit_bytes_per_s(unit_index);
  const double local_half = unit.local_memory_bytes / 2;

  TaskCost best;
  best.time_s = std::numeric_limits<double>::infinity();
  for (std::size_t p = 0; p < unit.paths.size(); ++p) {
    const DataPath& path = unit.paths[p];
    if ((path.op_kinds & kinds) != kinds) continue;
    Precision at = precision;
    if (path.peak_ops_per_s(at) <= 0) {
      if (head.on_array()) continue;
      // The first precision it lists that loses nothing against the tenant's.
      const auto wide = std::find_if(
          path.rates.begin(), path.rates.end(),
          [&](const PrecisionRate& r) { return bits_of(r.precision) >= bits_of(precision); });
      if (wide == path.rates.end()) continue;
      at = wide->precision;
    }
    const double peak = path.peak_ops_per_s(at);
    const double compute_s = work > 0 ? work / (peak * path.efficiency(work)) : 0;
    const double element_bytes = bytes_of(at);
    double bytes = 0;
    if (head.on_array()) {
      const GemmView gemm = gemm_view(head);
      if (gemm.weights_shared)
        bytes += static_cast<double>(gemm.weight_elements) * element_bytes * fraction;
    }
    for (const auto& [tensor, producer] : group_inputs(plan, group)) {
      const double tensor_bytes =
          static_cast<double>(plan.tensors[static_cast<std::size_t>(tensor)].elements) *
          element_bytes;
      if (producer < 0 || tensor_bytes > local_half) bytes += tensor_bytes;
    }
    for (int tensor : group.outputs) {
      const PlannedTensor& t = plan.tensors[static_cast<std::size_t>(tensor)];
      const double tensor_bytes = static_cast<double>(t.elements) * element_bytes;
      if (t.last_reader_group < 0 || tensor_bytes > local_half) bytes += tensor_bytes * fraction;
    }
    const double memory_s = bytes / bandwidth;
    const double time = unit.launch_s + std::max(compute_s, memory_s);
    if (time < best.time_s) {
      best.runnable = true;
      best.time_s = time;
      best.stall_s = std::max(0.0, memory_s - compute_s);
      best.dram_bytes = bytes;
      best.energy_pj = unit.power_w * time * 1e12;
      best.macs = group_macs * fraction;
      best.precision = at;
      best.path = p;
    }
  }
  if (!best.runnable) return TaskCost{};
  return best;
}

NetworkCosts network_costs(const HeteroPlatform& platform, const PreparedNetwork& network,
                           Precision precision, const std::vector<char>& needed) {
  const NetworkPlan& plan = network.fused;
  const Network& net = *network.network;
  NetworkCosts out;
  out.network = &network;
  out.precision = precision;
  out.cost.assign(plan.groups.size(), std::vector<TaskCost>(platform.units.size()));
  out.inputs.reserve(plan.groups.size());
  for (const PlannedGroup& group : plan.groups) out.inputs.push_back(group_inputs(plan, group));

  for (std::size_t u = 0; u < platform.units.size(); ++u) {
    const ComputeUnit& unit = platform.units[u];
    if (!needed.empty() && !needed[u]) continue;
    if (unit.kind == UnitKind::data_paths) {
      for (std::size_t g = 0; g < plan.groups.size(); ++g)
        out.cost[g][u] = data_path_cost(platform, u, network, g, precision);
      continue;
    }
    // An identical systolic unit already costed: the same figures.
    std::size_t twin = u;
    for (std::size_t v = 0; v < u && twin == u; ++v)
      if (!unit.signature.empty() && platform.units[v].signature == unit.signature &&
          (needed.empty() || needed[v]))
        twin = v;
    if (twin != u) {
      for (std::vector<TaskCost>& row : out.cost) row[u] = row[twin];
      continue;
    }
    // Systolic: the array at the tenant's precision runs everything; without one, the native
    // array runs the groups that are not GEMMs.
    std::size_t array = unit.arrays.size();
    for (std::size_t a = 0; a < unit.arrays.size(); ++a)
      if (unit.arrays[a].precision == precision) array = a;
    const bool gemms = array < unit.arrays.size();
    if (!gemms) array = 0;
    if (!gemms && bits_of(unit.arrays[0].precision) < bits_of(precision)) continue;
    const SystolicArray& chosen = unit.arrays[array];
    EvalOptions options;
    options.per_op = true;
    const NetworkReport report = evaluate(chosen.accelerator, network, unit.tech, options);
    for (std::size_t g = 0; g < plan.groups.size(); ++g) {
      const PlannedGroup& group = plan.groups[g];
      bool runnable = gemms || !net.ops[group.head].on_array();
      for_each_member(
          group, [&](std::size_t op) { runnable = runnable && unit.runs_kind(net.ops[op].kind); });
      if (runnable)
        out.cost[g][u] =
            systolic_cost(unit, chosen.accelerator, report.ops, group, chosen.precision);
    }
  }
  return out;
}

Transfer transfer(const HeteroPlatform& platform, std::size_t from, std::size_t to, double elements,
                  Precision from_precision, Precision to_precision) {
  Transfer t;
  if (from == to) return t;
  const double bytes = elements * bytes_of(from_precision);
  if (const UnitLink* l = platform.link(from, to)) {
    t.time_s = l->latency_s + bytes / l->bytes_per_s;
  } else {
    // A tensor larger than half a unit's local memory is already written (read) through DRAM in
    // that unit's own costs; one it would have kept on chip costs the pass here.
    const auto kept = [&](std::size_t u) {
      return bytes <= platform.units[u].local_memory_bytes / 2;
    };
    t.dram_bytes = (kept(from) ? bytes : 0) + (kept(to) ? bytes : 0);
    t.time_s = platform.dram.handoff_latency_s + t.dram_bytes / platform.dram.usable_bytes_per_s();
  }
  if (from_precision != to_precision) {
    const double converted = elements * (bytes_of(from_precision) + bytes_of(to_precision));
    t.time_s += platform.units[to].launch_s + converted / platform.unit_bytes_per_s(to);
    t.dram_bytes += converted;
  }
  return t;
}

}  // namespace accelscope::model::platform
