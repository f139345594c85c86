// The report's data model: everything a Pareto report shows, gathered once from a study store
// (read-only) and then rendered by every exporter (HTML, PDF, CSV, JSON). Nothing here calls
// the model: the store holds the metrics of every design and the breakdowns of front designs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/importance_data.hpp"
#include "store/database.hpp"
#include "store/types.hpp"

namespace accelscope::io {
struct TechLibrary;
}

namespace accelscope::reports {

// A report that cannot be made (unknown study, ambiguous choice): one line for the user.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How a metric is shown: "Latency" in "ms". Unknown metrics show their own name.
struct MetricInfo {
  std::string label;
  std::string unit;  // empty when dimensionless
};
MetricInfo metric_info(std::string_view metric);
// "Latency (ms)", or just the label when it has no unit.
std::string metric_heading(std::string_view metric);
// The label for use inside a sentence: "latency", but "TOPS/W" stays as it is.
std::string lower_label(std::string_view metric);
// A design-space parameter or hardware field for people: "sram.inputs.kib" -> "Input SRAM (KiB)",
// "pe_count" -> "PE count"; a name the table does not know (a spec's own knob) stays as it is.
std::string parameter_label(std::string_view name);
// A constraint for people: "area_mm2 <= 10" -> "Area (mm²) ≤ 10"; text it cannot read stays.
std::string constraint_label(std::string_view constraint);

// One evaluated design (a done trial of the study).
struct Design {
  store::TrialId trial_id = 0;
  std::int64_t seq = 0;
  bool feasible = false;
  bool on_front = false;
  nlohmann::json params;     // design-space parameters and derived hardware fields by name
  nlohmann::json metrics;    // name -> number (docs/study-format.md)
  nlohmann::json workloads;  // per-workload results
  std::vector<std::string> violations;
  std::vector<double> objectives;  // study order, natural direction; NaN where missing

  // NaN when the metric is missing or not a number.
  double metric(std::string_view name) const;
  // A parameter by name; for hardware fields missing from params, the design's stored hardware
  // JSON (breakdown) at that dot path when given. Null when absent.
  const nlohmann::json& param(std::string_view name,
                              const nlohmann::json* hardware = nullptr) const;
};

// A stored trial as the report sees it (its metrics, parameters and per-workload details; the
// viewer's per-tenant view reads the selected design the same way).
Design design_of(const store::Trial& trial);

struct ObjectiveInfo {
  std::string metric;
  store::Direction direction = store::Direction::minimize;
};

struct WorkloadRequest {
  std::string name;
  std::string file;
  std::string mode = "inference";  // or "training"
  std::int64_t batch = 1;
  double weight = 1;
};

struct ParameterRequest {
  std::string name;
  std::string values;        // readable: "16, 32, 64" or "0.5 to 64 (log scale)"
  bool categorical = false;  // unordered levels (text values, or "categorical": true)
};

// A layer's (op's) cost in one workload, or "other (N layers)" for the rest.
struct LayerCost {
  std::string name;
  std::string op;
  std::string unit;               // "array", "vector", "none", or empty for "other"
  std::size_t merged_layers = 0;  // > 0: the sum of this many layers ("other")
  double compute_ms = 0;
  double stall_ms = 0;
  // dram_mj is the DRAM devices', io_mj the die's DRAM interface (PHY, controller).
  double mac_mj = 0, sram_mj = 0, dram_mj = 0, io_mj = 0, vector_mj = 0, leakage_mj = 0;
  double energy_mj() const { return mac_mj + sram_mj + dram_mj + io_mj + vector_mj + leakage_mj; }
  double latency_ms() const { return compute_ms + stall_ms; }
};

struct WorkloadBreakdown {
  std::string name;
  std::string mode;
  std::int64_t batch = 1;
  LayerCost total;                        // the whole run
  LayerCost conv;                         // array (GEMM-type) ops
  LayerCost nonconv;                      // everything else
  std::vector<LayerCost> top_by_latency;  // largest first, then "other" (merged_layers > 0)
  std::vector<LayerCost> top_by_energy;   // largest first, then "other" (merged_layers > 0)
  std::size_t layer_count = 0;
  // What limits this run: "vector unit (non-GEMM ops): 41 of 48.7 ms (84%); ...".
  std::string bottleneck;
};

struct AreaPart {
  std::string name;
  double mm2 = 0;
};

// Where a shortlisted design's time, energy and area go (from its stored breakdown).
struct DesignBreakdown {
  bool available = false;
  std::string missing_reason;  // when not available
  nlohmann::json hardware;     // the design's full hardware JSON
  std::vector<AreaPart> area;
  std::vector<WorkloadBreakdown> workloads;
};

struct ShortlistEntry {
  std::size_t front_index = 0;       // into ReportData::front
  std::vector<std::string> reasons;  // "knee", "best latency_ms", "spread"
  DesignBreakdown breakdown;
};

struct ViolationCount {
  std::string constraint;
  std::int64_t designs = 0;
};

struct TechSource {
  std::string topic;
  std::string source;
};

struct Assumptions {
  std::vector<int> nodes_nm;              // technology nodes of the front designs
  std::vector<std::string> dram_types;    // DRAM types of the front designs
  std::string tech_directory;             // where the figures were read
  std::string tech_error;                 // when they could not be read
  std::vector<TechSource> sources;        // energy and area figures and where they come from
  std::vector<std::string> node_scaling;  // per used node: factors relative to 45 nm
  std::vector<std::string> model;         // modelling assumptions, one sentence each
};

struct Reproduction {
  std::string engine_version;  // of the search that made the study
  std::string spec_hash;
  bool spec_hash_verified = false;  // the stored spec hashes to spec_hash
  std::string spec_file;            // as recorded by the search, else a placeholder
  std::string command;
  std::int64_t seed = 0;
};

struct CollectOptions {
  std::size_t extra_shortlist = 0;  // front designs added to the default shortlist
  std::size_t top_layers = 10;      // layers shown per workload in breakdowns
  // Technology tables for the assumptions; null: io::load_default_tech_library().
  const io::TechLibrary* tech = nullptr;
  std::string generator;     // e.g. "accelscope 0.1.0"; shown in the report
  std::string generated_at;  // e.g. "2025-06-01 10:00 UTC"; empty: not shown (reproducible)
  // Non-front designs read for plots: an even sample (every k-th by seq) of at most about this
  // many, so a report of a million designs reads thousands.
  std::size_t max_other_designs = 4000;
  // Only what a front export needs (front, study, spec): no sample, no violation counts, no
  // parameter importance.
  bool front_only = false;
  // Parameter importance: a sample of at most this many done designs (0: not computed).
  std::size_t importance_designs = 100000;
};

struct ReportData {
  store::StudyInfo study;
  std::string database_path;
  std::string generator;
  std::string generated_at;

  std::vector<ObjectiveInfo> objectives;
  std::vector<WorkloadRequest> workloads;
  std::vector<ParameterRequest> parameters;
  std::vector<ParameterRequest> fixed_hardware;  // base hardware fields no parameter varies
  std::vector<std::string> constraints;
  nlohmann::json base_hardware;  // the hardware every design starts from (may be null)

  // The front's designs and an even sample of the other done designs (every other_stride-th
  // by seq; all of them in studies of up to CollectOptions::max_other_designs), by seq.
  std::vector<Design> designs;
  std::int64_t other_stride = 1;
  std::int64_t evaluated_count = 0;  // done designs in the study
  // Indices into designs: the front (duplicates of an evaluated point dropped), best design for
  // objective 1 first.
  std::vector<std::size_t> front;
  std::size_t duplicate_front_designs = 0;       // dropped from front as repeats of the same point
  std::optional<std::size_t> knee;               // index into front
  std::vector<std::optional<std::size_t>> best;  // per objective: index into front
  std::vector<ShortlistEntry> shortlist;

  std::int64_t feasible_count = 0;         // of evaluated_count
  std::int64_t infeasible_count = 0;       // of evaluated_count
  std::vector<ViolationCount> violations;  // over every infeasible design, most frequent first

  ImportanceData importance;  // which parameters move each objective (empty: not computed)

  Assumptions assumptions;
  Reproduction reproduce;

  const Design& front_design(std::size_t front_index) const {
    return designs.at(front.at(front_index));
  }
  // A front design's hardware field or parameter by name: its params, else its stored hardware
  // (shortlisted designs), else the base hardware. Null when absent.
  const nlohmann::json& front_param(std::size_t front_index, std::string_view name) const;
  // The stored breakdown's hardware of a shortlisted front design, else null.
  const nlohmann::json* shortlisted_hardware(std::size_t front_index) const;
  // "knee", "best latency", ... for a front design (empty if none).
  std::vector<std::string> roles(std::size_t front_index) const;
  // "inference", "training step" or "run" (mixed): what energy_mj is per.
  std::string energy_per() const;
  // A metric's heading with its unit in this study: "Energy per inference (mJ)", "bert energy
  // per inference (mJ)", and "Weighted mean latency (ms)" for a figure averaged over several
  // workloads (never presented as if it were one workload's).
  std::string heading(const std::string& metric) const;
};

// The largest of PE array compute, memory stalls of array ops and vector-unit time with its share
// of the run, the others, the slowest layer and the PE utilisation (NaN: not shown).
std::string bottleneck_text(const WorkloadBreakdown& workload, double utilization);

// How the knee is chosen, as stated in reports.
extern const char* const kKneeDefinition;

// Reads the study and its trials (and the shortlisted designs' breakdowns) from db.
ReportData collect(store::Database& db, store::StudyId study, const CollectOptions& options = {});

}  // namespace accelscope::reports
