// accelscope validate: the model against SCALE-Sim, SimDIT and published silicon (the table a
// paper would print). Exit 1 when a judged figure is outside its tolerance.
#include <iostream>

#include "engine/commands/commands.hpp"
#include "engine/validation.hpp"
#include "model/io/technology_io.hpp"

namespace accelscope::engine {

namespace {

struct ValidateArgs {
  bool json = false;
  std::string tech_dir;
};

}  // namespace

void register_validate_command(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Compare the model with SCALE-Sim, SimDIT and published chips (spaces/reference): model, "
      "published value, error, tolerance, pass; exit 1 if a judged figure fails");
  cmd->add_flag("--json", args->json, "One JSON object {rows, judged, passed}");
  cmd->add_option("--tech", args->tech_dir, "Technology directory (default: the shipped one)");
  cmd->callback([args] {
    const io::TechLibrary library = args->tech_dir.empty() ? io::load_default_tech_library()
                                                           : io::load_tech_library(args->tech_dir);
    const std::vector<ValidationRow> rows = run_validation(io::data_directory(), library);
    if (args->json)
      std::cout << validation_to_json(rows).dump(1) << "\n";
    else
      std::cout << validation_to_text(rows);
    for (const ValidationRow& r : rows)
      if (!r.pass()) throw std::runtime_error("validation: some figures are outside their tolerance");
  });
}

}  // namespace accelscope::engine
