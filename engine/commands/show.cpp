// accelscope show --db F --design ID [--json]: everything about one design.
#include <iostream>

#include <fmt/format.h>

#include "engine/commands/commands.hpp"
#include "engine/commands/study_lookup.hpp"
#include "engine/evaluator.hpp"
#include "engine/study_runner.hpp"
#include "store/database.hpp"

namespace accelscope::engine {

namespace {

void print_object(const std::string& title, const nlohmann::json& object) {
  fmt::print("{}\n", title);
  for (auto it = object.begin(); it != object.end(); ++it)
    fmt::print("  {:<28} {}\n", it.key(),
               it->is_number_float() ? fmt::format("{:.6g}", it->get<double>()) : it->dump());
}

}  // namespace

void register_show_command(CLI::App& app) {
  struct Args {
    std::string db;
    std::int64_t design = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "show", "Show one design: parameters, metrics and its per-layer breakdown");
  cmd->add_option("--db", args->db, "Study database")->required();
  cmd->add_option("--design", args->design, "Design (trial) id, as listed by front")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] {
    store::Database db(args->db, {.mode = store::OpenMode::read_only});
    const std::optional<store::Trial> trial = db.trial(args->design, true);
    if (!trial)
      throw std::runtime_error(args->db + ": no design with id " + std::to_string(args->design));
    nlohmann::json breakdown = trial->breakdown ? *trial->breakdown : nlohmann::json();
    if (breakdown.is_null() && trial->status == store::TrialStatus::done) {
      // Not kept (off the front): recompute it from the study's spec, which is deterministic.
      const store::StudyInfo study = db.study(trial->study);
      const DesignEvaluator evaluator(stored_space_spec(study), io::load_default_tech_library());
      search::Point point;
      for (const auto& v : trial->point) point.push_back(v.get<double>());
      breakdown = evaluator.breakdown(point);
    }
    if (args->json) {
      std::cout << nlohmann::json{{"id", trial->id},
                                  {"study", trial->study},
                                  {"seq", trial->seq},
                                  {"status", store::to_string(trial->status)},
                                  {"on_front", trial->on_front},
                                  {"feasible", trial->feasible.value_or(false)},
                                  {"violations", trial->violations},
                                  {"params", trial->params},
                                  {"metrics", trial->metrics},
                                  {"workloads", trial->workloads},
                                  {"breakdown", breakdown}}
                       .dump(1)
                << "\n";
      return;
    }
    fmt::print("design {} of study {} (seq {}): {}{}\n", trial->id, trial->study, trial->seq,
               store::to_string(trial->status), trial->on_front ? ", on the front" : "");
    if (!trial->error.empty()) fmt::print("error: {}\n", trial->error);
    if (trial->violations.is_array() && !trial->violations.empty())
      fmt::print("violates: {}\n", trial->violations.dump());
    print_object("parameters", trial->params);
    if (trial->metrics.is_object()) print_object("metrics", trial->metrics);
    if (!breakdown.is_object() || !breakdown.contains("workloads")) return;
    for (auto w = breakdown["workloads"].begin(); w != breakdown["workloads"].end(); ++w) {
      fmt::print("\nworkload {}: per layer\n", w.key());
      fmt::print("  {:<28} {:<10} {:<16} {:<6} {:>12} {:>12} {:>12} {:>12}\n", "layer", "op",
                 "phase", "unit", "compute", "stall", "total", "energy uJ");
      for (const auto& layer : (*w)["layers"])
        fmt::print("  {:<28} {:<10} {:<16} {:<6} {:>12.0f} {:>12.0f} {:>12.0f} {:>12.3f}\n",
                   layer["name"].get<std::string>().substr(0, 28), layer["op"].get<std::string>(),
                   layer["phase"].get<std::string>(), layer["unit"].get<std::string>(),
                   layer["compute_cycles"].get<double>(), layer["stall_cycles"].get<double>(),
                   layer["total_cycles"].get<double>(), layer["energy_pj"].get<double>() * 1e-6);
    }
  });
}

}  // namespace accelscope::engine
