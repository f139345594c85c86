// The per-tenant view of a serving study's designs (reports/tenants): from the tenant details a
// study keeps with its front's designs, one row per tenant, unbounded latencies said as such.
#include <catch2/catch.hpp>

#include "reports/tenants.hpp"

using namespace accelscope::reports;

namespace {

Design serving_design() {
  Design d;
  d.workloads = {{"bert",
                  {{"mode", "serving"},
                   {"file", "bert.json"},
                   {"batch", 4},
                   {"partition", 0.5},
                   {"partition_cols", 64},
                   {"replicas", 1},
                   {"rate_per_s", 100},
                   {"p50_ms", 3.5},
                   {"p99_ms", 8.25},
                   {"slo_ms", 10},
                   {"percentile", 99},
                   {"slo_attainment", 1.0},
                   {"throughput_per_s", 100},
                   {"meets_slo", true}}},
                 {"mobilenet",
                  {{"mode", "serving"},
                   {"file", "m.json"},
                   {"batch", 32},
                   {"partition", 0.5},
                   {"partition_cols", 32},
                   {"replicas", 2},
                   {"rate_per_s", 5000},
                   {"p50_ms", nullptr},
                   {"p99_ms", nullptr},
                   {"slo_ms", 2},
                   {"percentile", 95},
                   {"slo_attainment", 0.0},
                   {"throughput_per_s", 2500},
                   {"meets_slo", false}}}};
  return d;
}

}  // namespace

TEST_CASE("report tenants: one row per tenant with partition, batch, p50/p99 vs SLO", "[reports]") {
  const Design d = serving_design();
  REQUIRE(has_tenants(d));
  const Table t = tenants_table(d);
  REQUIRE(t.columns.size() == 9);
  CHECK(t.columns[0].header == "Tenant");
  CHECK(t.columns[4].header == "p99");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"bert", "50 % (64 cols)", "4", "3.50 ms", "8.25 ms",
                                              "10.0 ms", "100.0 %", "100", "yes"});
  // Two replicas of 32 columns; a tenant that does not keep up has no bounded latency.
  CHECK(t.rows[1][1] == "50 % (2 x 32 cols)");
  CHECK(t.rows[1][3] == "unbounded");
  CHECK(t.rows[1][4] == "unbounded");
  CHECK(t.rows[1][5] == "2.00 ms at p95");
  CHECK(t.rows[1][8] == "no");
  const nlohmann::json j = tenants_json(d);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["name"] == "bert");
  CHECK(j[0]["p99_ms"] == 8.25);
  CHECK(j[1]["p99_ms"].is_null());
  CHECK(j[1]["replicas"] == 2);
}

TEST_CASE("report tenants: designs of ordinary studies have none", "[reports]") {
  Design d;
  d.workloads = {{"resnet50", {{"file", "resnet50.json"}, {"batch", 1}, {"latency_ms", 3}}}};
  CHECK_FALSE(has_tenants(d));
  CHECK(tenants_table(d).rows.empty());
  CHECK(tenants_json(d).empty());
  Design none;
  CHECK_FALSE(has_tenants(none));
}

TEST_CASE("report tenants: on a platform, the units each tenant ran on", "[reports]") {
  Design d = serving_design();
  d.workloads["bert"]["units"] = {"gpu", "dla0"};
  d.workloads["bert"]["unit_share"] = {{"gpu", 0.6}, {"dla0", 0.4}};
  d.workloads["bert"]["placement"] = "layer";
  const Table t = tenants_table(d);
  CHECK(t.columns[1].header == "Units (share of its busy time)");
  CHECK(t.rows[0][1] == "gpu 60 %, dla0 40 %");
  CHECK(t.rows[1][1] == "50 % (2 x 32 cols)");  // a tenant without units keeps its partition
  const nlohmann::json j = tenants_json(d);
  CHECK(j[0]["units"] == nlohmann::json{"gpu", "dla0"});
  CHECK(j[0]["placement"] == "layer");
  CHECK_FALSE(j[1].contains("units"));
}
