// A scenario on a heterogeneous platform (model/platform/placement.hpp): the tenants' placements,
// serving with SLOs, closed-loop instances and what a study records of it. Shared by
// `accelscope serve --platform` and the designs of a space naming a platform (README
// "Heterogeneous platforms").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scenario.hpp"
#include "engine/serving_eval.hpp"
#include "model/platform/placement.hpp"

namespace accelscope::engine {

// The scenario's tenants as placements on the platform: precision, pinned unit, fallback;
// io::InputError naming the scenario's field when a pinned unit is not on the platform.
std::vector<model::platform::TenantPlacement> tenant_placements(
    const LoadedScenario& scenario, const model::platform::HeteroPlatform& hetero);

// The tenants' weights must fit the shared DRAM (when its capacity is given); io::InputError
// naming `platform_file`'s field otherwise.
void check_capacity(const LoadedScenario& scenario, const model::platform::HeteroPlatform& hetero,
                    const std::string& platform_file);

struct PlatformServing {
  model::platform::HeteroServing serving;
  std::unique_ptr<model::platform::LatencyCache> cache;
};

// io::InputError "<scenario>: tenant '<name>': ..." when a tenant cannot be placed.
PlatformServing plan_platform_serving(
    const LoadedScenario& scenario, const model::platform::HeteroPlatform& hetero,
    const std::vector<model::platform::TenantPlacement>& placements,
    model::platform::PlacementMode mode, const model::platform::GaOptions& ga = {});

// The allocation at the scenario's rates and its goodput scale.
ServingEvaluation evaluate_platform(PlatformServing& p,
                                    const model::platform::PlatformOptions& options);

// Every tenant as closed-loop instances (its closed_loop count, else one) running its largest
// batch back to back, placed as its serving placement places that batch.
model::platform::ClosedLoopResult tenant_instances(const LoadedScenario& scenario,
                                                   const model::platform::HeteroPlatform& hetero,
                                                   const PlatformServing& p, double switch_cost_s);

// "gpu+dla0": unit names joined.
std::string units_text(const model::platform::HeteroPlatform& hetero,
                       const std::vector<std::size_t>& units);

// The platform's units: name, kind, area_mm2, power_w (as the platform file or the model gives
// them) and, given, busy_fraction.
nlohmann::json units_json(const model::platform::HeteroPlatform& hetero,
                          const std::vector<double>& busy_fraction = {});

// One design of a space naming a platform: the platform serving the scenario under `placement`
// ("whole", "layer", "split", "ga"; "best": the one of whole, layer and split with the highest
// goodput scale, then
// the highest closed-loop throughput). Metrics: area_mm2 and power_w (the units' summed), units
// (their count), throughput_per_s (closed-loop instances, samples/s), issue 12's serving metrics
// (serving_eval.hpp) and per tenant "<tenant>.units" (how many units its layers ran on) and
// "<tenant>.instances_per_s"; each tenant's details gain "units" (names), "unit_share" (the share
// of its batch's busy time on each unit) and "placement".
struct PlatformDesign {
  std::string placement;  // the one evaluated ("best": the one kept)
  nlohmann::json metrics = nlohmann::json::object();
  nlohmann::json tenants = nlohmann::json::object();
};
PlatformDesign evaluate_platform_design(const LoadedScenario& scenario,
                                        const model::platform::HeteroPlatform& hetero,
                                        const std::string& placement,
                                        const model::platform::PlatformOptions& options);

// Placement names a space may give ("whole", "layer", "split", "ga", "best").
inline constexpr std::string_view kPlacementNames[] = {"whole", "layer", "split", "ga", "best"};
model::platform::PlacementMode placement_mode(const std::string& name);  // layer when unknown

}  // namespace accelscope::engine
