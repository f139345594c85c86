// Size of a workload in the units people quote: ops, MACs, parameters, activations. Used by
// `accelscope workloads` and `accelscope import-onnx`.
#pragma once

#include <cstdint>

#include "model/workload.hpp"

namespace accelscope::engine {

struct WorkloadStats {
  std::int64_t ops = 0;                  // every op, free reshapes included
  std::int64_t macs = 0;                 // multiply-accumulates of the array ops
  std::int64_t parameters = 0;           // parameter_elements over all ops
  std::int64_t activation_elements = 0;  // elements every op writes (reshapes are views)
};

WorkloadStats workload_stats(const model::Network& network);

}  // namespace accelscope::engine
