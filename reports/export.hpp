// Report formats, the machine-readable exporters (CSV, JSON) and writing the result.
// HTML is in html.hpp; PDF in pdf.hpp (a separate library, it needs Qt).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reports/report_data.hpp"

namespace accelscope::reports {

enum class Format { html, pdf, csv, json };

std::string_view to_string(Format format);
std::optional<Format> parse_format(std::string_view name);
// By the file's extension (.html/.htm, .pdf, .csv, .json); nullopt otherwise.
std::optional<Format> format_from_path(const std::filesystem::path& path);

// The front, one row per design with every parameter and metric, a header row first; RFC 4180
// (CRLF line ends, fields quoted where needed).
std::string render_csv(const ReportData& data);
// front_text_table as aligned plain text, one line per front design (`front`, `search`).
std::string render_front_text(const ReportData& data);
// {"report", "study", "request", "knee", "best", "front": [...], "shortlist", "assumptions",
//  "reproduce"}: the front with every parameter and metric, and the study.
nlohmann::json report_json(const ReportData& data);
std::string render_json(const ReportData& data);
// HTML, CSV or JSON (PDF: render_pdf in reports/pdf.hpp).
std::string render_text(const ReportData& data, Format format);

// ReportError unless path can be written: its directory exists and is writable, and path is
// not a directory or a read-only file. "-" (standard output) always can.
void check_writable(const std::filesystem::path& path);
// Writes bytes to path through a temporary file in the same directory and a rename, so a
// reader never sees half a report; "-" writes to standard output. ReportError on failure.
void write_output(const std::filesystem::path& path, std::string_view bytes);

}  // namespace accelscope::reports
