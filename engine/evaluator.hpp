// Evaluates design points of a space: point -> hardware -> model on every workload -> metrics,
// objectives and constraint violations (docs/study-format.md). Thread-safe: the workloads and
// technology tables are loaded once and only read afterwards; each call is a pure function.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/space_spec.hpp"
#include "model/evaluate.hpp"
#include "model/io/technology_io.hpp"
#include "model/platform/units.hpp"
#include "search/evaluation.hpp"

namespace accelscope::engine {

struct DesignResult {
  search::Evaluation evaluation;  // objectives minimised (maximised ones negated), violation
  nlohmann::json params;
  nlohmann::json metrics = nlohmann::json::object();
  nlohmann::json workloads = nlohmann::json::object();  // and the scenario's tenants by name
  nlohmann::json violations = nlohmann::json::array();  // strings
  bool failed = false;  // the design could not be evaluated (invalid hardware)
  std::string error;
  double eval_seconds = 0;
};

class DesignEvaluator {
 public:
  // Loads every workload (deriving training graphs) and the technology tables.
  DesignEvaluator(const SpaceSpec& spec, const io::TechLibrary& library);
  ~DesignEvaluator();
  DesignEvaluator(const DesignEvaluator&) = delete;
  DesignEvaluator& operator=(const DesignEvaluator&) = delete;

  const SpaceSpec& spec() const { return spec_; }

  DesignResult evaluate(const search::Point& point) const;
  // Evaluates points in parallel on up to `threads` threads (0: all cores); results in order.
  std::vector<DesignResult> evaluate_all(const std::vector<search::Point>& points,
                                         std::size_t threads) const;
  // Per-layer breakdown of a design on every workload (docs/study-format.md).
  nlohmann::json breakdown(const search::Point& point) const;
  // Area of the design only (cheap: no workload is run), for area limits inside strategies.
  double area_mm2(const search::Point& point) const;
  // true unless an area_mm2 constraint rules the point out (cheap).
  bool passes_area_limit(const search::Point& point) const;

  // Objective values of a result in natural direction (for display and reference points).
  std::vector<double> natural_objectives(const DesignResult& result) const;

 private:
  struct Workload;
  struct Serving;
  model::Accelerator accelerator_at(const search::Point& point) const;
  model::platform::HeteroPlatform platform_at(const search::Point& point) const;
  void evaluate_on_platform(const search::Point& point, DesignResult& result) const;
  void evaluate_on_hardware(const search::Point& point, DesignResult& result) const;
  const model::Technology& technology(int node_nm) const;

  SpaceSpec spec_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::unique_ptr<Serving> serving_;  // the scenario's networks, when the space names one
  std::map<int, model::Technology> technologies_;
  std::optional<double> area_limit_mm2_;
  io::TechLibrary library_;  // systolic units of a platform design
};

}  // namespace accelscope::engine
