#include "model/platform/dram_share.hpp"

#include <algorithm>

namespace accelscope::model::platform {

double stretched_latency_s(double latency_s, double stall_s, double dram_bytes, double share_ratio,
                           double channel_bytes_per_s) {
  if (share_ratio >= 1) return latency_s;
  return std::max(latency_s + stall_s * (1 / share_ratio - 1),
                  dram_bytes / (share_ratio * channel_bytes_per_s));
}

double proportional_share_step(double share_ratio, double demand_bytes_per_s, double busy_fraction,
                               double total_demand_bytes_per_s, double channel_bytes_per_s) {
  const double busy_rate = demand_bytes_per_s / std::max(busy_fraction, 1e-12);
  const double others = total_demand_bytes_per_s - demand_bytes_per_s;
  const double target =
      busy_rate + others <= channel_bytes_per_s ? 1.0 : busy_rate / (busy_rate + others);
  return 0.5 * (share_ratio + target);  // damped: the share moves busy_rate
}

}  // namespace accelscope::model::platform
