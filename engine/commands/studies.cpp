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
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : studies) list.push_back(study_summary_json(db, s));
    if (*json) {
      std::cout << list.dump(1) << "\n";
      return;
    }
    auto print_row = [](const auto&... cells) {
      fmt::print("{:>4}  {:<28} {:<20} {:<8} {:>6} {:>14} {:>9} {:>6} {:>11}  {:<8}  {}\n",
                 cells...);
    };
    print_row("id", "name", "space", "strategy", "seed", "done/budget", "feasible", "front",
              "hypervolume", "status", "reference point");
    for (const auto& s : list) {
      std::string volume = "-", reference = "-";
      if (s["hypervolume"].is_number())
        volume = s["hypervolume_estimated"].get<bool>()
                     ? fmt::format("~{:.4g}±{:.2g}", s["hypervolume"].get<double>(),
                                   s.value("hypervolume_standard_error", 0.0))
                     : fmt::format("{:.4g}", s["hypervolume"].get<double>());
      if (s["reference_point"].is_array()) {
        reference.clear();
        for (const auto& v : s["reference_point"])
          reference += (reference.empty() ? "[" : ", ") + fmt::format("{:.4g}", v.get<double>());
        reference += "]";
      }
      print_row(
          s["id"].get<std::int64_t>(), s["name"].get<std::string>(), s["space"].get<std::string>(),
          s["strategy"].get<std::string>(), s["seed"].get<std::int64_t>(),
          fmt::format("{}/{}", s["done"].get<std::int64_t>() + s["failed"].get<std::int64_t>(),
                      s["budget"].get<std::int64_t>()),
          s["feasible"].get<std::int64_t>(), s["front_size"].get<std::size_t>(), volume,
          s["status"].get<std::string>(), reference);
    }
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
