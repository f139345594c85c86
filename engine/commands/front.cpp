// accelscope front --db F [--study ID]: the Pareto front of a study.
#include <iostream>

#include "engine/commands/commands.hpp"
#include "engine/commands/study_lookup.hpp"

namespace accelscope::engine {

void register_front_command(CLI::App& app) {
  struct Args {
    std::string db, study;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("front", "Print the Pareto front of a study");
  cmd->add_option("--db", args->db, "Study database")->required();
  cmd->add_option("--study", args->study, "Study id or name (default: the latest)");

  cmd->callback([args] {
    store::Database db(args->db, {.mode = store::OpenMode::read_only});
    const store::StudyInfo study = find_study(db, args->study);
    print_front_table(std::cout, db, study.id);
  });
}

}  // namespace accelscope::engine
