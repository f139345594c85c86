// The human-readable report as HTML pages. The same pages make the single-file HTML report
// (charts inlined as SVG) and the PDF (each page laid out by Qt, charts referenced as images).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reports/report_data.hpp"

namespace accelscope::reports {

// Rows of the front table per page, and scatter charts per page: fixed so the page count
// follows from the content (see page_count()).
inline constexpr std::size_t kFrontRowsPerPage = 20;
inline constexpr std::size_t kChartsPerPage = 4;
// The PDF lists at most this many front designs (Qt lays out every row, about 4 ms each): the
// shortlist and the best designs per objective in turn; the HTML lists the whole front.
inline constexpr std::size_t kPdfFrontRows = 100;

enum class ChartEmbedding {
  inline_svg,       // <svg> elements in the page (browsers)
  image_reference,  // <img src="chart:N" width height>; the SVG is in HtmlPages::charts
};

struct ChartImage {
  std::string name;  // the <img> src, "chart:N"
  std::string svg;
  double width_px = 0;
  double height_px = 0;
};

struct HtmlPage {
  std::string id;     // "summary", "front", "front-2", "tradeoffs", "design-12", "assumptions"
  std::string title;  // for footers
  std::string body;   // HTML fragment: headings, paragraphs, tables, charts
  // The narrowest layout in which its tables break no word and no unbreakable cell (0: any); the
  // PDF lays a page out at least this wide, scaled to the paper.
  double min_width_px = 0;
};

struct HtmlPages {
  std::vector<HtmlPage> pages;
  std::vector<ChartImage> charts;  // only with ChartEmbedding::image_reference
};

// One summary page, the front table (kFrontRowsPerPage rows a page), the trade-off charts
// (kChartsPerPage a page), one page per shortlisted design, and the assumptions with how to
// reproduce the study.
HtmlPages build_pages(const ReportData& data, ChartEmbedding embedding);
// Pages of build_pages(data, embedding): image_reference (the PDF) has at most kPdfFrontRows
// front designs.
std::size_t page_count(const ReportData& data,
                       ChartEmbedding embedding = ChartEmbedding::inline_svg);
// The front designs (indices into data.front, in front order) a report lists: all of them in the
// HTML; in the PDF, beyond kPdfFrontRows, the shortlist and then the best remaining design of each
// objective in turn until kPdfFrontRows.
std::vector<std::size_t> listed_front(const ReportData& data, ChartEmbedding embedding);

// The stylesheet both the HTML file and the PDF use (a subset Qt's rich text understands).
const std::string& report_css();

// A self-contained HTML document: inline CSS and SVG, no scripts, no external references;
// pages break for print.
std::string render_html(const ReportData& data);

}  // namespace accelscope::reports
