// accelscope studies --db F [--json]: the studies in a database with their progress.
// accelscope migrate --db F: brings a study file from an older accelscope to the current schema.
#include <iostream>

#include <fmt/format.h>

#include "engine/commands/commands.hpp"
#include "engine/study_lookup.hpp"
#include "store/database.hpp"

namespace accelscope::engine {

void register_studies_command(CLI::App& app) {
  auto db_path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("studies", "List the studies in a database with their progress");
  cmd->add_option("--db", *db_path, "Study database")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([db_path, json] {
    store::Database db(*db_path, {.mode = store::OpenMode::read_only});
    const auto studies = db.studies();
    if (*json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& s : studies) list.push_back(study_json(s));
      std::cout << list.dump(1) << "\n";
      return;
    }
    fmt::print("{:>4} {:<36} {:<8} {:>6} {:>14} {:<8}\n", "id", "name", "strategy", "seed",
               "done/budget", "status");
    for (const auto& s : studies)
      fmt::print("{:>4} {:<36} {:<8} {:>6} {:>14} {:<8}\n", s.id, s.name, s.strategy, s.seed,
                 fmt::format("{}/{}", s.counts.finished(), s.budget), store::to_string(s.status));
  });
}

void register_migrate_command(CLI::App& app) {
  auto db_path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "migrate", "Bring a study database made by an older accelscope to the current schema");
  cmd->add_option("--db", *db_path, "Study database")->required();
  cmd->callback([db_path] {
    // Opening read-write applies the missing schema steps (one transaction).
    store::Database db(*db_path, {.mode = store::OpenMode::read_write});
    fmt::print("{}: schema version {}, {} studies\n", *db_path, db.schema_version(),
               db.studies().size());
  });
}

}  // namespace accelscope::engine
