// The report as PDF: the HTML pages (reports/html.hpp) laid out by Qt's rich text engine on A4
// landscape, one PDF page per report page (a page too tall is scaled down to fit, so the page
// count is page_count(data)), charts drawn as vector graphics with real text (svg_painter.hpp).
//
// Needs a QGuiApplication; when the process has none, one is created on the "offscreen"
// platform (a report never opens a window) and kept until exit.
#pragma once

#include <string>

#include "reports/report_data.hpp"

namespace accelscope::reports {

// The PDF file's bytes. ReportError if Qt cannot produce it.
std::string render_pdf(const ReportData& data);

}  // namespace accelscope::reports
