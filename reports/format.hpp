// Text helpers shared by every exporter: number formatting for people and for machines, and
// escaping for HTML/XML and CSV.
#pragma once

#include <string>
#include <string_view>

namespace accelscope::reports {

// For tables and charts: about three significant digits, no exponent between 1e-3 and 1e9
// ("1234", "12.3", "1.23", "0.0123"); "–" for NaN or infinity.
std::string format_number(double value);
// Like format_number but with a fixed number of decimals (e.g. percentages).
std::string format_fixed(double value, int decimals);
// Exact: the shortest text that reads back as the same double (CSV, JSON-like output).
std::string format_exact(double value);
// "42 %" from 0.42.
std::string format_percent(double fraction);

// &, <, >, " and ' as entities: safe in HTML/XML text and attribute values.
std::string escape_xml(std::string_view text);
// One CSV field per RFC 4180: quoted (quotes doubled) when it holds a comma, quote, CR or LF; a
// cell a spreadsheet would take for a formula (leading = + - @ tab CR, other than a plain number)
// gets a leading apostrophe.
std::string csv_field(std::string_view text);

}  // namespace accelscope::reports
