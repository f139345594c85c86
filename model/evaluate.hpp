// The model: pure functions from (accelerator, network, technology) to costs.
#pragma once

#include <vector>

#include "model/hardware.hpp"
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

// A network prepared once for many evaluations: identical ops are merged (with their count),
// so a design costs each distinct shape once. Keeps a pointer to the network.
struct PreparedNetwork {
  struct Entry {
    std::size_t first_op = 0;  // index of a representative op
    double count = 0;          // how many ops share its cost
  };
  const Network* network = nullptr;
  std::vector<Entry> distinct;
};
PreparedNetwork prepare(const Network& network);

// Validates an accelerator; throws std::invalid_argument naming the field and allowed values.
void validate(const Accelerator& accelerator);

DesignReport evaluate_design(const Accelerator& accelerator, const Technology& tech);

OpReport evaluate_op(const Accelerator& accelerator, const Op& op, const Technology& tech,
                     const EvalOptions& options = {});

NetworkReport evaluate(const Accelerator& accelerator, const Network& network,
                       const Technology& tech, const EvalOptions& options = {});

// Totals only, using a prepared network (no per-op reports).
NetworkTotals evaluate_totals(const Accelerator& accelerator, const PreparedNetwork& network,
                              const Technology& tech, const EvalOptions& options = {});

}  // namespace accelscope::model
