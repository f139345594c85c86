// The network level of the model, per design: where each tensor lives between its producer and its
// last reader, and the cost of every group of fused ops with its operands placed there. Internal
// to the model (evaluate.hpp is the interface).
//
// Residency (inter_layer = resident): the buffers marked holds_activations pool their capacity.
// Tensors are considered in the order they are produced (as a runtime allocates them); one stays
// on chip if, at every group from its producer to its last reader, it fits beside the tensors
// already kept there and that group's working tiles (a group whose input streams from DRAM needs a
// few input rows, double-buffered). Otherwise it spills: written once, read back by each reader.
// Network inputs come from DRAM and network outputs go there. In inference, weights stay on chip
// across inferences when the weight buffer holds all of them (steady state: no weight traffic).
// inter_layer = through_dram: every tensor goes through DRAM (SCALE-Sim, SimDIT).
#pragma once

#include <vector>

#include "model/design_context.hpp"
#include "model/evaluate.hpp"
#include "model/network_plan.hpp"
#include "model/report.hpp"

namespace accelscope::model {

struct Residency {
  std::vector<char> on_chip;           // per tensor of the plan
  std::vector<double> resident_bytes;  // per group: bytes of tensors kept on chip meanwhile
  double pool_bytes = 0;               // capacity of the buffers holding activations
  bool weights_on_chip = false;
};

Residency decide_residency(const DesignContext& context, const Network& network,
                           const NetworkPlan& plan);

// Runs the plan's groups in order; fills `reports` (one per op of the network, in network order)
// when given.
NetworkTotals run_network(const DesignContext& context, const Network& network,
                          const NetworkPlan& plan, const EvalOptions& options,
                          std::vector<OpReport>* reports);

}  // namespace accelscope::model
