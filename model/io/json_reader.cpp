#include "model/io/json_reader.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace accelscope::io {

namespace {

// Line and column of a byte offset, for messages.
std::string position(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann parses iteratively but destroys, copies and prints values recursively: refuse deep
// nesting before parsing (a linear scan outside strings).
void check_nesting(const std::string& text, const std::string& path) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > model::limits::kMaxJsonDepth)
        throw InputError(path + ": JSON nested deeper than " +
                         std::to_string(model::limits::kMaxJsonDepth) + " levels at " +
                         position(text, i) + " (the limit)");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

void append_excerpt(const nlohmann::json& value, std::size_t max_chars, std::string& out) {
  if (value.is_array() || value.is_object()) {
    out += value.is_array() ? '[' : '{';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      if (out.size() >= max_chars) {
        out += "...";
        break;
      }
      if (value.is_object()) out += nlohmann::json(it.key()).dump() + ": ";
      append_excerpt(*it, max_chars, out);
    }
    out += value.is_array() ? ']' : '}';
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    // Text from CSV and cfg files may be any bytes: invalid UTF-8 shows as U+FFFD instead of
    // throwing (found by fuzzing the CACTI table reader).
    const auto dump = [](const nlohmann::json& v) {
      return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    if (text.size() <= max_chars) {
      out += dump(value);
    } else {
      out += dump(nlohmann::json(text.substr(0, max_chars)));
      out.insert(out.size() - 1, "...");
    }
  } else {
    out += value.dump();
  }
}

}  // namespace

std::string excerpt(const nlohmann::json& value, std::size_t max_chars) {
  std::string out;
  append_excerpt(value, max_chars, out);
  if (out.size() > 2 * max_chars) out = out.substr(0, 2 * max_chars) + "...";
  return out;
}

std::string read_text_file(const std::string& path, std::int64_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) throw InputError(path + ": cannot open file");
  if (!fs::is_regular_file(status))
    throw InputError(path + ": not a regular file (a directory, device or pipe), allowed: a file");
  const auto too_large = [&] {
    return InputError(path + ": file larger than the limit of " + std::to_string(max_bytes >> 20) +
                      " MiB");
  };
  const std::uintmax_t size = fs::file_size(path, error);
  if (!error && size > static_cast<std::uintmax_t>(max_bytes)) throw too_large();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file");
  // Read with a cap: the file may grow (or lie about its size) while it is read.
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > static_cast<std::size_t>(max_bytes)) throw too_large();
  }
  if (in.bad()) throw InputError(path + ": cannot read file");
  return text;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& path) {
  check_nesting(text, path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a byte offset (one past the bad character).
    throw InputError(path + ": not valid JSON at " + position(text, e.byte > 0 ? e.byte - 1 : 0));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond the double range, e.g. 1e400: "... number overflow parsing '1e400'".
    const std::string message = e.what();
    const std::size_t quote = message.find('\'');
    const std::string number = quote == std::string::npos
                                   ? ""
                                   : message.substr(quote + 1, message.rfind('\'') - quote - 1);
    const std::size_t at = number.empty() ? std::string::npos : text.find(number);
    throw InputError(path + ": number " + number +
                     (at == std::string::npos ? "" : " at " + position(text, at)) +
                     " is out of range, allowed: finite numbers (about 1e-308 to 1e308)");
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

nlohmann::json read_json_file(const std::string& path) {
  return parse_json_text(read_text_file(path), path);
}

JsonObject::JsonObject(const nlohmann::json& value, std::string file, std::string path)
    : value_(&value), file_(std::move(file)), path_(std::move(path)) {
  if (!value.is_object())
    throw InputError(file_ + ": " + (path_.empty() ? "the file" : "field '" + path_ + "'") +
                     " must be a JSON object, found " + excerpt(value, 60));
}

bool JsonObject::has(std::string_view key) const {
  return value_->contains(std::string(key));
}

const nlohmann::json& JsonObject::raw(std::string_view key) const {
  return value_->at(std::string(key));
}

std::string JsonObject::field(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void JsonObject::fail(std::string_view key, const std::string& value,
                      const std::string& allowed) const {
  throw InputError(file_ + ": field '" + field(key) + "' = " + value + ", allowed: " + allowed);
}

void JsonObject::fail_missing(std::string_view key, const std::string& allowed) const {
  throw InputError(file_ + ": missing field '" + field(key) + "' (" + allowed + ")");
}

void JsonObject::fail_here(const std::string& message) const {
  throw InputError(file_ + ": " + (path_.empty() ? "" : "'" + path_ + "': ") + message);
}

double JsonObject::number(std::string_view key, std::optional<double> fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "a number");
  }
  const nlohmann::json& value = raw(key);
  if (!value.is_number() || !std::isfinite(value.get<double>()))
    fail(key, excerpt(value), "a number");
  return value.get<double>();
}

double JsonObject::positive(std::string_view key, std::optional<double> fallback,
                            bool allow_zero) const {
  const double value = number(key, fallback);
  if (value < 0 || (!allow_zero && value == 0))
    fail(key, excerpt(raw(key)), allow_zero ? "a number >= 0" : "a number > 0");
  return value;
}

namespace {

// A JSON number as an integer in [min, max], or nullopt (4.0 counts as 4; 4.5 and 1e30 do not).
std::optional<std::int64_t> integer_in(const nlohmann::json& value, std::int64_t min,
                                       std::int64_t max) {
  std::optional<std::int64_t> result;
  if (value.is_number_unsigned()) {
    const std::uint64_t u = value.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(max)) result = static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    result = value.get<std::int64_t>();
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    // Inside +-2^62 the conversion is exact and defined.
    if (std::floor(d) == d && std::abs(d) < 4.6e18) result = static_cast<std::int64_t>(d);
  }
  if (result && (*result < min || *result > max)) result.reset();
  return result;
}

std::string integer_range(std::int64_t min, std::int64_t max) {
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

std::int64_t JsonObject::integer(std::string_view key, std::optional<std::int64_t> fallback,
                                 std::int64_t min, std::int64_t max) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, integer_range(min, max));
  }
  const nlohmann::json& value = raw(key);
  const std::optional<std::int64_t> result = integer_in(value, min, max);
  if (!result) fail(key, excerpt(value), integer_range(min, max));
  return *result;
}

bool JsonObject::boolean(std::string_view key, std::optional<bool> fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "true or false");
  }
  const nlohmann::json& value = raw(key);
  if (!value.is_boolean()) fail(key, excerpt(value), "true or false");
  return value.get<bool>();
}

std::string JsonObject::string(std::string_view key, std::optional<std::string> fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "a string");
  }
  const nlohmann::json& value = raw(key);
  if (!value.is_string()) fail(key, excerpt(value), "a string");
  return value.get<std::string>();
}

std::vector<std::int64_t> JsonObject::integers(std::string_view key, std::size_t min_size,
                                               std::size_t max_size, std::int64_t min,
                                               std::int64_t max) const {
  const std::string allowed =
      "a list of " +
      (min_size == max_size ? std::to_string(min_size)
                            : std::to_string(min_size) + " to " + std::to_string(max_size)) +
      " integers from " + std::to_string(min) + " to " + std::to_string(max);
  if (!has(key)) fail_missing(key, allowed);
  const nlohmann::json& value = raw(key);
  if (!value.is_array() || value.size() < min_size || value.size() > max_size)
    fail(key, excerpt(value), allowed);
  std::vector<std::int64_t> result;
  for (const nlohmann::json& item : value) {
    const std::optional<std::int64_t> number = integer_in(item, min, max);
    if (!number) fail(key, excerpt(value), allowed);
    result.push_back(*number);
  }
  return result;
}

std::int64_t JsonObject::product(std::string_view what, std::initializer_list<std::int64_t> factors,
                                 std::int64_t limit) const {
  const std::optional<std::int64_t> result = model::limits::checked_product(factors, limit);
  if (!result) fail_here(std::string(what) + " exceed the limit of " + std::to_string(limit));
  return *result;
}

JsonObject JsonObject::object(std::string_view key) const {
  if (!has(key)) fail_missing(key, "an object");
  return JsonObject(raw(key), file_, field(key));
}

std::vector<JsonObject> JsonObject::named_entries(std::string_view key, std::string_view noun,
                                                  std::size_t max_entries,
                                                  std::string_view owner) const {
  const std::string list_of =
      "a list of 1 to " + std::to_string(max_entries) + " " + std::string(noun) + "s";
  if (!has(key)) fail_missing(key, list_of);
  const nlohmann::json& list = raw(key);
  if (!list.is_array() || list.empty() || list.size() > max_entries)
    fail(key, excerpt(list), list_of);
  std::set<std::string> names;
  std::vector<JsonObject> entries;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonObject first(list[i], file_, field(key) + "[" + std::to_string(i) + "]");
    const std::string name = first.string("name");
    if (name.empty() || !names.insert(name).second)
      first.fail("name", "\"" + name + "\"",
                 "a non-empty name unique in the " + std::string(owner));
    entries.emplace_back(list[i], file_, field(key) + "." + name);
  }
  return entries;
}

void JsonObject::allow_only(std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  allow_only(names);
}

void JsonObject::allow_only(const std::vector<std::string>& allowed) const {
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    bool known = false;
    for (const std::string& name : allowed) known = known || name == it.key();
    if (known || (!it.key().empty() && it.key()[0] == '_')) continue;  // "_comment" keys are free
    std::string list;
    for (const std::string& name : allowed) list += (list.empty() ? "" : ", ") + name;
    const std::string key =
        it.key().size() > 80 ? it.key().substr(0, 80) + "..." : it.key();  // a message, not a dump
    throw InputError(file_ + ": unknown field '" + field(key) + "', allowed: " + list);
  }
}

}  // namespace accelscope::io
