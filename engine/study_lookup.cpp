#include "engine/study_lookup.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>

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

void print_front_table(std::ostream& out, store::Database& db, store::StudyId study_id) {
  const store::StudyInfo study = db.study(study_id);
  const std::vector<store::Trial> front = db.front(study_id);
  auto text = [](const nlohmann::json& v) {
    return v.is_number_float() ? fmt::format("{:.4g}", v.get<double>())
           : v.is_string()     ? v.get<std::string>()
                               : v.dump();
  };
  // Columns: id, every parameter, every objective; each as wide as its widest cell.
  std::vector<std::string> header{"id"};
  std::vector<std::vector<std::string>> rows;
  if (!front.empty())
    for (auto it = front.front().params.begin(); it != front.front().params.end(); ++it)
      header.push_back(it.key());
  const std::size_t param_columns = header.size() - 1;
  for (const store::Objective& o : study.objectives) header.push_back(o.name);
  for (const store::Trial& t : front) {
    std::vector<std::string> row{std::to_string(t.id)};
    for (std::size_t p = 1; p <= param_columns; ++p) row.push_back(text(t.params.at(header[p])));
    for (double value : t.objectives) row.push_back(fmt::format("{:.6g}", value));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths;
  for (const std::string& h : header) widths.push_back(h.size());
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c)
      fmt::print(out, "{}{:>{}}", c ? "  " : "", row[c], widths[c]);
    fmt::print(out, "\n");
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace accelscope::engine
