// accelscope front --db F [--study ID] [--csv|--json]: the Pareto front of a study.
#include <iostream>

#include "engine/commands/commands.hpp"
#include "engine/study_lookup.hpp"
#include "reports/export.hpp"
#include "reports/report_data.hpp"

namespace accelscope::engine {

void register_front_command(CLI::App& app) {
  struct Args {
    std::string db, study;
    bool csv = false, json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("front", "Print the Pareto front of a study");
  cmd->add_option("--db", args->db, "Study database")->required();
  cmd->add_option("--study", args->study, "Study id or name (default: the latest)");
  auto* csv = cmd->add_flag("--csv", args->csv,
                            "CSV (RFC 4180): one row per front design, every parameter and metric");
  cmd->add_flag("--json", args->json, "JSON: the front designs with every parameter and metric")
      ->excludes(csv);
  cmd->callback([args] {
    store::Database db(args->db, {.mode = store::OpenMode::read_only});
    const store::StudyInfo study = find_study(db, args->study);
    // The same data and exporters as `report`, so ids and order never disagree.
    reports::CollectOptions options;
    options.front_only = true;
    const reports::ReportData data = reports::collect(db, study.id, options);
    if (!args->csv && !args->json)
      std::cout << reports::render_front_text(data);
    else if (args->csv)
      std::cout << reports::render_csv(data);
    else
      std::cout << reports::report_json(data).at("front").dump(1) << "\n";
  });
}

}  // namespace accelscope::engine
