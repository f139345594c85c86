// accelscope report --db F [--study ID|NAME] --format html|pdf|csv|json -o OUT [--shortlist N]
// A Pareto report of a study for the people who buy the hardware (reports/).
#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "engine/commands/commands.hpp"
#include "engine/study_lookup.hpp"
#include "engine/version.hpp"
#include "model/io/technology_io.hpp"
#include "reports/export.hpp"
#include "reports/pdf.hpp"
#include "reports/report_data.hpp"

namespace accelscope::engine {

namespace {

struct ReportArgs {
  std::string db;
  std::string study;
  std::string format;
  std::string output;
  std::size_t shortlist = 0;
  std::string tech_dir;
};

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

void run_report(const ReportArgs& args) {
  const std::optional<reports::Format> format = args.format.empty()
                                                    ? reports::format_from_path(args.output)
                                                    : reports::parse_format(args.format);
  if (!format)
    throw CLI::ValidationError("--format", "give --format html|pdf|csv|json (the extension of " +
                                               args.output + " does not say which)");
  // Fail on an unwritable output before reading the study.
  reports::check_writable(args.output);

  store::Database db(args.db, {.mode = store::OpenMode::read_only});
  const store::StudyInfo study = find_study(db, args.study);
  if (args.study.empty() && db.studies().size() > 1)
    std::cerr << fmt::format(
        "accelscope report: study '{}' (id {}), the most recently updated; choose with --study\n",
        study.name, study.id);

  reports::CollectOptions options;
  options.extra_shortlist = args.shortlist;
  if (*format == reports::Format::csv) options.importance_designs = 0;  // the CSV is the front
  options.generator = std::string("accelscope ") + kVersion;
  options.generated_at = utc_now();
  io::TechLibrary library;
  if (!args.tech_dir.empty()) {
    library = io::load_tech_library(args.tech_dir);
    options.tech = &library;
  }
  const reports::ReportData data = reports::collect(db, study.id, options);
  const std::string bytes = *format == reports::Format::pdf ? reports::render_pdf(data)
                                                            : reports::render_text(data, *format);
  reports::write_output(args.output, bytes);

  if (args.output == "-") return;  // standard output holds the report itself
  std::cout << fmt::format("wrote {} ({}): study '{}', {} of {} designs feasible, {} on the front",
                           args.output, reports::to_string(*format), study.name,
                           data.feasible_count, data.evaluated_count, data.front.size());
  if (data.knee) std::cout << fmt::format(", knee #{}", data.front_design(*data.knee).trial_id);
  std::cout << (data.front.empty() ? "; no feasible design: the report says why\n" : "\n");
}

}  // namespace

void register_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Pareto report of a study for procurement: HTML, PDF, CSV or JSON");
  cmd->add_option("--db", args->db, "Study database")->required();
  cmd->add_option("--study", args->study, "Study id or name (default: the latest)");
  cmd->add_option("--format", args->format,
                  "html (one self-contained file), pdf, csv (the front) or json (the front and "
                  "the study); default: from the output's extension")
      ->check(CLI::IsMember({"html", "pdf", "csv", "json"}));
  cmd->add_option("-o,--output", args->output, "Output file ('-': standard output)")->required();
  cmd->add_option("--shortlist", args->shortlist,
                  "Front designs to detail besides the knee and the best per objective")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--tech", args->tech_dir,
                  "Directory of technology tables cited in the assumptions (default: shipped)");
  cmd->callback([args] { run_report(*args); });
}

}  // namespace accelscope::engine
