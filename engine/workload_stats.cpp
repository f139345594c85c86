#include "engine/workload_stats.hpp"

namespace accelscope::engine {

WorkloadStats workload_stats(const model::Network& network) {
  WorkloadStats stats;
  stats.ops = static_cast<std::int64_t>(network.ops.size());
  for (const model::Op& op : network.ops) {
    stats.macs += model::macs(op);
    stats.parameters += op.parameter_elements;
    if (op.on_array())
      stats.activation_elements += model::gemm_view(op).output_elements;
    else if (op.kind != model::OpKind::reshape)
      stats.activation_elements += op.output_elements;
  }
  return stats;
}

}  // namespace accelscope::engine
