// The report's tables, defined once: each is plain rows of text that the HTML/PDF renderer
// and the CSV writer lay out in their own way.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reports/report_data.hpp"

namespace accelscope::reports {

enum class Align { left, right };

struct Column {
  std::string header;
  Align align = Align::right;
  bool no_wrap = false;  // cells stay on one line (HTML and PDF)
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row_classes;  // per row: "knee", "best" or "" (HTML highlighting)
};

// The front for people: one row per front design from first, at most count rows, with the
// hardware that matters to a buyer and the key figures, formatted.
Table front_table(const ReportData& data, std::size_t first = 0, std::size_t count = SIZE_MAX);
// The same for the given front designs (indices into data.front), in that order.
Table front_table(const ReportData& data, const std::vector<std::size_t>& front_indices);
// The front for machines: every parameter and metric of every front design, exact numbers.
Table front_export_table(const ReportData& data);
// The front for a terminal (`front`, `search`): id, role, every parameter and every objective,
// in the order and with the ids of the CSV and JSON exports.
Table front_text_table(const ReportData& data);

Table workloads_table(const ReportData& data);
Table parameters_table(const ReportData& data);
Table fixed_hardware_table(const ReportData& data);
// Objectives with their direction and the range the front spans.
Table objectives_table(const ReportData& data);
// One shortlisted design: its configuration (parameters, hardware) and its figures.
Table configuration_table(const ReportData& data, const ShortlistEntry& entry);
Table figures_table(const ReportData& data, const ShortlistEntry& entry);
// The shortlisted designs side by side: a column per design, a row per configuration item and
// figure (per workload where there are several).
Table shortlist_table(const ReportData& data);
Table violations_table(const ReportData& data);
Table sources_table(const ReportData& data);

// Text for one parameter value: numbers formatted, strings as they are.
std::string value_text(const nlohmann::json& value);

}  // namespace accelscope::reports
