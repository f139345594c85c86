#include "engine/study_lookup.hpp"

#include <algorithm>

#include "engine/evaluator.hpp"
#include "engine/study_runner.hpp"

namespace accelscope::engine {

store::StudyInfo find_study(store::Database& db, const std::string& id_or_name) {
  const std::vector<store::StudyInfo> studies = db.studies();
  if (studies.empty()) throw std::runtime_error(db.path().string() + ": holds no study");
  if (id_or_name.empty()) {
    return *std::max_element(studies.begin(), studies.end(), [](const auto& a, const auto& b) {
      return a.updated_at < b.updated_at;
    });
  }
  for (const store::StudyInfo& s : studies)
    if (s.name == id_or_name || std::to_string(s.id) == id_or_name) return s;
  std::string known;
  for (const store::StudyInfo& s : studies)
    known += (known.empty() ? "" : ", ") + std::to_string(s.id) + " (" + s.name + ")";
  throw std::runtime_error(db.path().string() + ": no study '" + id_or_name + "', known: " + known);
}

nlohmann::json study_json(const store::StudyInfo& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"strategy", s.strategy},
          {"seed", s.seed},
          {"budget", s.budget},
          {"done", s.counts.done},
          {"failed", s.counts.failed},
          {"pending", s.counts.pending},
          {"running", s.counts.running},
          {"status", store::to_string(s.status)},
          {"spec_hash", s.spec_hash},
          {"engine_version", s.engine_version}};
}

nlohmann::json study_summary_json(store::Database& db, const store::StudyInfo& s) {
  nlohmann::json out = study_json(s);
  const nlohmann::json& spec = s.spec.is_object() ? s.spec.value("spec", nlohmann::json{}) : s.spec;
  out["space"] = spec.is_object() ? spec.value("name", std::string{}) : std::string{};
  out["feasible"] = s.counts.feasible;
  std::vector<std::vector<double>> front;
  for (auto& [id, values] : db.front_objectives(s.id)) front.push_back(std::move(values));
  out["front_size"] = front.size();
  out["reference_point"] = s.reference_point;
  out["hypervolume"] = nullptr;
  out["hypervolume_estimated"] = false;
  if (s.reference_point.is_array() && s.reference_point.size() == s.objectives.size() &&
      !s.objectives.empty()) {
    std::vector<ObjectiveSpec> objectives;
    for (const store::Objective& o : s.objectives)
      objectives.push_back({o.name, o.direction == store::Direction::maximize});
    const search::HypervolumeValue volume =
        front_hypervolume(front, s.reference_point.get<std::vector<double>>(), objectives);
    out["hypervolume"] = volume.value;
    out["hypervolume_estimated"] = !volume.exact;
    if (!volume.exact) out["hypervolume_standard_error"] = volume.standard_error;
  }
  return out;
}

nlohmann::json design_breakdown(store::Database& db, const store::Trial& trial) {
  if (trial.breakdown) return *trial.breakdown;
  if (const std::optional<nlohmann::json> stored = db.breakdown(trial.id)) return *stored;
  if (trial.status != store::TrialStatus::done) return nullptr;
  const DesignEvaluator evaluator(stored_space_spec(db.study(trial.study)),
                                  io::load_default_tech_library());
  search::Point point;
  for (const auto& v : trial.point) point.push_back(v.get<double>());
  return evaluator.breakdown(point);
}

nlohmann::json design_json(store::Database& db, store::TrialId design) {
  const std::optional<store::Trial> trial = db.trial(design, true);
  if (!trial)
    throw std::runtime_error(db.path().string() + ": no design with id " + std::to_string(design));
  return {{"id", trial->id},
          {"study", trial->study},
          {"seq", trial->seq},
          {"status", store::to_string(trial->status)},
          {"on_front", trial->on_front},
          {"feasible", trial->feasible.value_or(false)},
          {"violations", trial->violations},
          {"params", trial->params},
          {"metrics", trial->metrics},
          {"workloads", trial->workloads},
          {"error", trial->error},
          {"breakdown", design_breakdown(db, *trial)}};
}

}  // namespace accelscope::engine
