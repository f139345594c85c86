// The shared DRAM channel between servers running at once: one proportional-share fluid model
// for the partitions of one accelerator (platform.hpp) and for the units of a heterogeneous
// platform (units.hpp).
//
// A server moving D bytes/s on average, busy a fraction f of the time, draws r = D / f while busy.
// When r plus the others' average demand exceeds the channel, it gets the proportional share
// channel * r / (r + others); its exposed memory stalls stretch by channel / share and its latency
// is at least its bytes over that share. Shares are iterated (damped) to a fixed point by the
// caller, which re-measures its servers between steps.
#pragma once

namespace accelscope::model::platform {

// A batch's latency under a share of the channel (share_ratio = share / channel, in (0, 1]).
double stretched_latency_s(double latency_s, double stall_s, double dram_bytes, double share_ratio,
                           double channel_bytes_per_s);

// One damped step of the fixed point for one server: its next share ratio, given its average
// demand, busy fraction and the total average demand of all servers.
double proportional_share_step(double share_ratio, double demand_bytes_per_s, double busy_fraction,
                               double total_demand_bytes_per_s, double channel_bytes_per_s);

}  // namespace accelscope::model::platform
