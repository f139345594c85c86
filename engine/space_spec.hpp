// Design-space specs (spaces/*.json; format in README "Design spaces"): which hardware fields
// vary and how, derived fields, the workloads a design is judged on, constraints and objectives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scenario.hpp"
#include "search/space.hpp"

namespace accelscope::engine {

// One searched parameter: a hardware field (a dot path into the hardware JSON, e.g.
// "sram.inputs.kib"), a virtual parameter read by a derived rule (e.g. "pe_count"), or a
// serving option of the space's scenario ("serving.policy", "serving.max_partitions",
// "serving.partition_step", "serving.switch_cost_us"), or a field of the space's platform
// ("platform.<path>", e.g. "platform.dram.bandwidth_gbps", "platform.units.<unit>.count",
// "platform.units.<unit>.hardware.array.rows") or its placement ("platform.placement").
struct ParameterSpec {
  std::string name;
  bool hardware_field = false;
  bool serving_option = false;
  bool platform_field = false;
  search::Dimension dimension;
  // The JSON value of each level of a discrete dimension (numbers or strings).
  std::vector<nlohmann::json> level_values;
};

// A value in a derived rule: a parameter's name or a fixed number.
struct Operand {
  std::string parameter;  // empty: use `value`
  double value = 0;
};

// Hardware fields computed from parameters.
struct DerivedRule {
  enum class Kind { pe_array, dram_split };
  Kind kind = Kind::pe_array;
  // pe_array: rows x cols = pe_count, rows / cols as close to aspect as divisors allow
  Operand pe_count, aspect;
  // dram_split: interface bandwidth = total * fraction / (sum of fractions)
  Operand total_gbps;
  std::vector<std::pair<std::string, Operand>> fractions;  // interface -> fraction
};

struct WorkloadSpec {
  std::string name;
  std::string file;  // resolved path
  std::int64_t batch = 1;
  bool training = false;
  std::string optimizer = "sgd";
  double weight = 1;
};

struct Bound {
  std::string metric;
  std::optional<double> min, max;
};

struct ObjectiveSpec {
  std::string metric;
  bool maximize = false;
};

// The serving scenario a space's designs are judged on (model/platform): its tenants, and the
// file's JSON, fingerprinted into the stored spec.
struct ServingSpec {
  Scenario scenario;
  nlohmann::json raw;
};

// The heterogeneous platform a space's designs are (spaces/platforms; README "Heterogeneous
// platforms"): its file's JSON, which the platform parameters modify per design.
struct PlatformSpaceSpec {
  std::string file;
  nlohmann::json raw;
};

struct SpaceSpec {
  std::string file;
  std::string name;
  std::string description;
  nlohmann::json base_hardware;  // the hardware every design starts from
  std::vector<ParameterSpec> parameters;
  std::vector<DerivedRule> derived;
  std::vector<WorkloadSpec> workloads;  // may be empty when `serving` is set
  std::optional<ServingSpec> serving;
  std::optional<PlatformSpaceSpec> platform;  // then no hardware and no workloads
  std::vector<Bound> constraints;
  std::vector<ObjectiveSpec> objectives;
  std::optional<std::vector<double>> reference_point;  // natural direction, objective order
  nlohmann::json raw;                                  // the spec as written

  search::Space space() const;
  // The spec as stored with a study: the file as written plus the content it refers to (base
  // hardware and a fingerprint of each workload file), so a changed input changes its hash.
  nlohmann::json stored_spec() const;
};

// Metric names a design has (for objectives and constraints), given the workload names and the
// scenario's tenants (serving metrics, README "Design spaces").
// With `platform`, the metrics of a platform design (area_mm2, power_w, units, throughput_per_s,
// and per tenant "<tenant>.units" and ".instances_per_s") replace the hardware's.
std::vector<std::string> metric_names(const std::vector<WorkloadSpec>& workloads,
                                      const Scenario* scenario = nullptr, bool platform = false);
// The per-tenant serving metrics, "<tenant>.<metric>"; p50_ms and p99_ms are absent from a
// design's metrics when the tenant does not keep up (its latency is unbounded).
inline constexpr std::string_view kTenantMetrics[] = {
    "batch", "partition", "p50_ms", "p99_ms", "slo_attainment", "throughput_per_s"};

// Reads and validates a spec; io::InputError naming the file and the field on any problem
// (unknown hardware field, empty range, contradictory bounds, unknown workload or metric).
SpaceSpec read_space_spec(const std::string& path);
SpaceSpec parse_space_spec(const nlohmann::json& json, const std::string& file);

// The hardware JSON of the design at `point` (parameters applied, derived rules run).
nlohmann::json hardware_json_at(const SpaceSpec& spec, const search::Point& point);
// The sharing policy and platform options at `point`: the scenario's own, with the serving
// parameters applied (policy elastic unless a parameter says otherwise). Precondition: serving.
model::platform::Policy serving_policy_at(const SpaceSpec& spec, const search::Point& point);
model::platform::PlatformOptions serving_options_at(const SpaceSpec& spec,
                                                    const search::Point& point);
// The platform JSON of the design at `point` (platform parameters applied) and its placement
// policy (whole, layer, split, best; default layer). Precondition: platform.
nlohmann::json platform_json_at(const SpaceSpec& spec, const search::Point& point);
std::string placement_at(const SpaceSpec& spec, const search::Point& point);
// The point's parameters by name, human-readable (level values, derived fields included).
nlohmann::json params_at(const SpaceSpec& spec, const search::Point& point);

}  // namespace accelscope::engine
