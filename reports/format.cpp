#include "reports/format.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace accelscope::reports {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "–";
  const double magnitude = std::fabs(value);
  if (magnitude == 0) return "0";
  if (magnitude >= 1e9 || magnitude < 1e-3) return fmt::format("{:.2e}", value);
  if (magnitude >= 100) return fmt::format("{:.0f}", value);
  if (magnitude >= 10) return fmt::format("{:.1f}", value);
  if (magnitude >= 1) return fmt::format("{:.2f}", value);
  // Below 1: three significant digits (0.123, 0.0123, 0.00123).
  const int decimals = 2 - static_cast<int>(std::floor(std::log10(magnitude)));
  return fmt::format("{:.{}f}", value, decimals);
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "–";
  return fmt::format("{:.{}f}", value, decimals);
}

std::string format_exact(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{}", value);
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "–";
  return fmt::format("{:.0f} %", 100 * fraction);
}

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// A cell a spreadsheet would run as a formula: it starts with = + - @, a tab or a carriage return
// (OWASP "CSV injection"). A plain number such as -3.5 is data, not a formula.
bool looks_like_formula(std::string_view text) {
  if (text.empty() || std::string_view("=+-@\t\r").find(text.front()) == std::string_view::npos)
    return false;
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  return error != std::errc() || end != text.data() + text.size();
}

}  // namespace

std::string csv_field(std::string_view text) {
  // A leading apostrophe makes spreadsheets show the cell as text instead of evaluating it.
  std::string guarded = looks_like_formula(text) ? "'" : "";
  guarded += text;
  if (guarded.find_first_of(",\"\r\n") == std::string::npos) return guarded;
  std::string out = "\"";
  for (const char c : guarded) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace accelscope::reports
