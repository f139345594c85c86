// accelscope show --db F --design ID [--json]: everything about one design.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/commands/commands.hpp"
#include "engine/eval_output.hpp"
#include "engine/study_lookup.hpp"
#include "model/io/labels.hpp"
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
    const nlohmann::json design = design_json(db, args->design);
    if (args->json) {
      std::cout << design.dump(1) << "\n";
      return;
    }
    const nlohmann::json& breakdown = design["breakdown"];
    fmt::print("design {} of study {} (seq {}): {}{}\n", design["id"].get<std::int64_t>(),
               design["study"].get<std::int64_t>(), design["seq"].get<std::int64_t>(),
               design["status"].get<std::string>(),
               design["on_front"].get<bool>() ? ", on the front" : "");
    if (!design["error"].get<std::string>().empty())
      fmt::print("error: {}\n", design["error"].get<std::string>());
    if (design["violations"].is_array() && !design["violations"].empty())
      fmt::print("violates: {}\n", design["violations"].dump());
    print_object("parameters", design["params"]);
    if (design["metrics"].is_object()) print_object("metrics", design["metrics"]);
    if (!breakdown.is_object() || !breakdown.contains("workloads")) return;
    for (auto w = breakdown["workloads"].begin(); w != breakdown["workloads"].end(); ++w) {
      fmt::print("\nworkload {}: per layer\n", w.key());
      // Names cut in the middle only as far as they stay distinct, as eval prints them.
      std::vector<std::string> names;
      for (const auto& layer : (*w)["layers"]) names.push_back(layer["name"].get<std::string>());
      const std::vector<std::string> labels = io::label_column("layer", names, kLayerLabelChars);
      fmt::print("  {} {:<10} {:<16} {:<6} {:>12} {:>12} {:>12} {:>12}\n", labels[0], "op", "phase",
                 "unit", "compute", "stall", "total", "energy uJ");
      std::size_t i = 0;
      for (const auto& layer : (*w)["layers"])
        fmt::print("  {} {:<10} {:<16} {:<6} {:>12.0f} {:>12.0f} {:>12.0f} {:>12.3f}\n",
                   labels[++i], layer["op"].get<std::string>(), layer["phase"].get<std::string>(),
                   layer["unit"].get<std::string>(), layer["compute_cycles"].get<double>(),
                   layer["stall_cycles"].get<double>(), layer["total_cycles"].get<double>(),
                   layer["energy_pj"].get<double>() * 1e-6);
    }
  });
}

}  // namespace accelscope::engine
