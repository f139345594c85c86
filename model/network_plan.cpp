#include "model/network_plan.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <string>

namespace accelscope::model {

namespace {

// Everything an array op's GEMM cost depends on (identical keys cost the same under the same
// placement, whatever the op's kind and phase).
std::vector<std::int64_t> gemm_key(const GemmView& g) {
  return {g.groups, g.m, g.n, g.k, g.input_elements, g.weight_elements, g.output_elements,
          g.out_rows_per_image, g.out_cols, g.images, g.in_rows, g.in_cols, g.window_rows,
          g.row_stride, g.taps, g.kernel_rows, g.kernel_row_dilation, g.weights_shared ? 1 : 0,
          // A design coding activations in DRAM moves them by their density.
          std::bit_cast<std::int64_t>(g.input_density),
          std::bit_cast<std::int64_t>(g.output_density)};
}

// Everything an op's cost depends on (identical keys cost the same).
std::vector<std::int64_t> cost_key(const Op& op) {
  std::vector<std::int64_t> key{static_cast<std::int64_t>(op.kind),
                                static_cast<std::int64_t>(op.phase)};
  if (op.on_array()) {
    const std::vector<std::int64_t> gemm = gemm_key(gemm_view(op));
    key.insert(key.end(), gemm.begin(), gemm.end());
  } else {
    key.insert(key.end(), {static_cast<std::int64_t>(op.fn), op.input_elements, op.output_elements,
                           op.work_elements, op.reduction_elements, op.output_to_array ? 1 : 0});
  }
  return key;
}

// Positions in op.inputs that are activations: the first input always (a network input if
// nothing writes it), the others when some op writes them (names nobody writes are parameters a
// converter listed).
std::vector<std::size_t> activation_input_positions(const Op& op,
                                                    const std::map<std::string, int>& written) {
  std::vector<std::size_t> positions;
  for (std::size_t j = 0; j < op.inputs.size(); ++j)
    if (j == 0 || j < data_input_count(op) || written.count(op.inputs[j])) positions.push_back(j);
  return positions;
}

}  // namespace

bool is_fusable_elementwise(const Op& op, bool training) {
  if (op.outputs.size() > 1) return false;
  switch (op.kind) {
    case OpKind::activation:
    case OpKind::eltwise:
      return true;
    case OpKind::batch_norm:
      // Inference batch-norm is a per-channel scale and shift; in training it needs the batch's
      // statistics first (a reduction over the whole tensor).
      return !training && op.reduction_elements == 0;
    default:
      return false;
  }
}

NetworkPlan plan_network(const Network& network, bool fuse) {
  const std::vector<Op> ops = with_edges(network);
  NetworkPlan plan;
  plan.training = network.training || std::any_of(ops.begin(), ops.end(), [](const Op& op) {
                    return op.phase != Phase::forward;
                  });

  // ---- tensors: a reshape's output is its input under another name ----
  std::map<std::string, int> producer_op;  // tensor name -> op writing it
  for (std::size_t i = 0; i < ops.size(); ++i)
    for (const std::string& name : ops[i].outputs) producer_op[name] = static_cast<int>(i);
  std::map<std::string, int> tensor_of;
  std::vector<std::vector<std::size_t>> readers;  // per tensor: ops reading it
  std::vector<int> producer;                      // per tensor: op writing it (-1: input)
  auto tensor_id = [&](const std::string& name, std::int64_t elements, int writer) {
    auto [it, inserted] = tensor_of.try_emplace(name, static_cast<int>(plan.tensors.size()));
    if (inserted) {
      PlannedTensor t;
      t.elements = elements;
      plan.tensors.push_back(t);
      readers.emplace_back();
      producer.push_back(writer);
    }
    return it->second;
  };
  std::vector<std::vector<int>> op_inputs(ops.size());  // activation tensors per op (in order)
  std::vector<std::vector<int>> op_outputs(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    for (std::size_t j : activation_input_positions(op, producer_op)) {
      const int id =
          tensor_id(op.inputs[j], input_elements_of(op, std::min(j, std::size_t{1})), -1);
      if (op.kind == OpKind::reshape) {
        // A view: later readers of the output read this tensor.
        for (const std::string& name : op.outputs) tensor_of[name] = id;
        break;
      }
      op_inputs[i].push_back(id);
      readers[static_cast<std::size_t>(id)].push_back(i);
    }
    if (op.kind == OpKind::reshape) continue;
    const auto count = static_cast<std::int64_t>(std::max<std::size_t>(1, op.outputs.size()));
    for (const std::string& name : op.outputs)
      op_outputs[i].push_back(tensor_id(name, output_elements_of(op) / count, static_cast<int>(i)));
  }
  for (const Op& op : ops)
    if (op.on_array() && op.kind != OpKind::reshape && gemm_view(op).weights_shared &&
        op.phase != Phase::backward_weight)
      plan.array_weight_elements += static_cast<double>(gemm_view(op).weight_elements);

  // ---- fusion: ops join the group that wrote their input ----
  std::vector<int> group_of(ops.size(), -1);
  std::vector<PlannedGroup> groups;
  std::vector<std::size_t> last_member;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    int joined = -1;
    std::size_t chain_input = 0;
    if (fuse && is_fusable_elementwise(op, plan.training) && op_outputs[i].size() == 1) {
      for (std::size_t j = 0; j < op_inputs[i].size() && joined < 0; ++j) {
        const int t = op_inputs[i][j];
        const int writer = producer[static_cast<std::size_t>(t)];
        if (writer < 0 || readers[static_cast<std::size_t>(t)].size() != 1) continue;
        const int g = group_of[static_cast<std::size_t>(writer)];
        const PlannedGroup& group = groups[static_cast<std::size_t>(g)];
        if (group.outputs.size() != 1 || group.outputs[0] != t) continue;
        if (ops[group.head].kind == OpKind::reshape) continue;
        joined = g;
        chain_input = j;
      }
    }
    if (joined < 0) {
      PlannedGroup group;
      group.head = i;
      group.head_inputs = op_inputs[i];
      group.outputs = op_outputs[i];
      group_of[i] = static_cast<int>(groups.size());
      groups.push_back(std::move(group));
      last_member.push_back(i);
      continue;
    }
    PlannedGroup& group = groups[static_cast<std::size_t>(joined)];
    const bool only_folded_so_far = std::all_of(group.fused_as.begin(), group.fused_as.end(),
                                                [](FusedAs f) { return f == FusedAs::folded; });
    const bool folds = op.kind == OpKind::batch_norm && ops[group.head].on_array() &&
                       only_folded_so_far && op_inputs[i].size() == 1;
    group.fused.push_back(i);
    group.fused_as.push_back(folds ? FusedAs::folded : FusedAs::output_path);
    std::vector<int> others;
    for (std::size_t j = 0; j < op_inputs[i].size(); ++j)
      if (j != chain_input) others.push_back(op_inputs[i][j]);
    group.fused_inputs.push_back(std::move(others));
    group.outputs = op_outputs[i];
    group_of[i] = joined;
    last_member[static_cast<std::size_t>(joined)] = i;
  }

  // ---- execution order: by last member ----
  std::vector<std::size_t> order(groups.size());
  for (std::size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return last_member[a] < last_member[b]; });
  std::vector<int> position(groups.size());
  for (std::size_t p = 0; p < order.size(); ++p) position[order[p]] = static_cast<int>(p);
  plan.groups.reserve(groups.size());
  for (std::size_t g : order) plan.groups.push_back(std::move(groups[g]));

  // ---- tensor lifetimes and precisions, in group positions ----
  for (std::size_t t = 0; t < plan.tensors.size(); ++t) {
    PlannedTensor& tensor = plan.tensors[t];
    if (producer[t] >= 0) {
      const auto writer = static_cast<std::size_t>(producer[t]);
      const int g = group_of[writer];
      tensor.producer_group = position[static_cast<std::size_t>(g)];
      const PlannedGroup& group = plan.groups[static_cast<std::size_t>(tensor.producer_group)];
      tensor.written_by_array = ops[group.head].on_array();
      tensor.written_for_array = ops[writer].output_to_array;
    }
    for (std::size_t reader : readers[t]) {
      const int p = position[static_cast<std::size_t>(group_of[reader])];
      tensor.last_reader_group = std::max(tensor.last_reader_group, p);
    }
    if (!readers[t].empty()) tensor.read_by_array = ops[readers[t].front()].on_array();
  }

  for (PlannedGroup& group : plan.groups) {
    const Op& head = ops[group.head];
    group.head_on_array = head.on_array();
    if (group.head_on_array) {
      const GemmView g = gemm_view(head);
      group.psum_elements = static_cast<double>(g.output_elements) / static_cast<double>(g.groups);
    }
  }
  // (A tensor written and read inside one group is never stored.)
  for (std::size_t t = 0; t < plan.tensors.size(); ++t)
    if (plan.tensors[t].producer_group >= 0 &&
        plan.tensors[t].last_reader_group > plan.tensors[t].producer_group)
      plan.production_order.push_back(static_cast<int>(t));
  std::stable_sort(plan.production_order.begin(), plan.production_order.end(), [&](int x, int y) {
    return plan.tensors[static_cast<std::size_t>(x)].producer_group <
           plan.tensors[static_cast<std::size_t>(y)].producer_group;
  });

  // ---- signatures: groups of identical ops fused the same way, heads running the same GEMM ----
  std::map<std::vector<std::int64_t>, int> signatures, gemms;
  for (PlannedGroup& group : plan.groups) {
    if (group.head_on_array) {
      auto [gemm, inserted] = gemms.try_emplace(gemm_key(gemm_view(ops[group.head])), plan.gemms);
      if (inserted) ++plan.gemms;
      group.gemm = gemm->second;
    }
    std::vector<std::int64_t> key = cost_key(ops[group.head]);
    for (std::size_t f = 0; f < group.fused.size(); ++f) {
      const std::vector<std::int64_t> fused_key = cost_key(ops[group.fused[f]]);
      key.push_back(-1 - static_cast<std::int64_t>(group.fused_as[f]));
      key.insert(key.end(), fused_key.begin(), fused_key.end());
      key.push_back(static_cast<std::int64_t>(group.fused_inputs[f].size()));
    }
    key.push_back(static_cast<std::int64_t>(group.head_inputs.size()));
    auto [it, inserted] = signatures.try_emplace(std::move(key), plan.signatures);
    if (inserted) ++plan.signatures;
    group.signature = it->second;
  }
  return plan;
}

}  // namespace accelscope::model
