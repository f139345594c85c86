// The model: pure functions from (accelerator, network, technology) to costs.
#pragma once

#include <vector>

#include "model/hardware.hpp"
#include "model/network_plan.hpp"
#include "model/report.hpp"
#include "model/technology.hpp"
#include "model/workload.hpp"

namespace accelscope::model {

struct EvalOptions {
  // true: one report per op; false: totals only (the search's fast path).
  bool per_op = true;
  // false: SRAM is a streaming buffer and a layer is one tile (SCALE-Sim's view); true: tiles
  // are sized to the buffers and DRAM traffic includes refetches and partial-sum spills.
  bool tile_for_capacity = true;
};

// A network prepared once for many evaluations: its fusion groups and tensor lifetimes, with and
// without fusion (a design's `fusion` field picks one). Keeps a pointer to the network.
struct PreparedNetwork {
  const Network* network = nullptr;
  NetworkPlan fused;
  NetworkPlan unfused;
  const NetworkPlan& plan_for(const Accelerator& accelerator) const {
    return accelerator.fusion ? fused : unfused;
  }
};
PreparedNetwork prepare(const Network& network);

// Validates an accelerator; throws std::invalid_argument naming the field and allowed values.
void validate(const Accelerator& accelerator);

DesignReport evaluate_design(const Accelerator& accelerator, const Technology& tech);

OpReport evaluate_op(const Accelerator& accelerator, const Op& op, const Technology& tech,
                     const EvalOptions& options = {});

// The whole network: groups of fused ops in order, tensors kept on chip or spilled as the design
// allows, one report per op (in network order) when options.per_op.
NetworkReport evaluate(const Accelerator& accelerator, const Network& network,
                       const Technology& tech, const EvalOptions& options = {});

// The same from a prepared network (plans computed once: a study's breakdowns, the bench).
NetworkReport evaluate(const Accelerator& accelerator, const PreparedNetwork& network,
                       const Technology& tech, const EvalOptions& options = {});

// Totals only from a prepared network (the search's path).
NetworkTotals evaluate_totals(const Accelerator& accelerator, const PreparedNetwork& network,
                              const Technology& tech, const EvalOptions& options = {});

}  // namespace accelscope::model
