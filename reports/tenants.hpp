// The per-tenant view of a design of a serving study (a space over a scenario, README "Design
// spaces"): for each tenant its partition, batch, p50 and p99 against its SLO, SLO attainment and
// throughput, read from the tenant details the study keeps with its front's designs.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/report_data.hpp"
#include "reports/tables.hpp"

namespace accelscope::reports {

// true when the design's recorded results include serving tenants.
bool has_tenants(const Design& design);
// One row per tenant: tenant, partition, batch, p50, p99, SLO, attainment, throughput, verdict.
// A tenant of a heterogeneous platform (details with "units") shows its units and their shares
// of its busy time instead of a partition.
Table tenants_table(const Design& design);
// The same as JSON objects (numbers exact; p50_ms, p99_ms null when unbounded; on a platform also
// units, unit_share and placement).
nlohmann::json tenants_json(const Design& design);

}  // namespace accelscope::reports
