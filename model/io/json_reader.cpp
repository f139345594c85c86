#include "model/io/json_reader.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace accelscope::io {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a byte offset; turn it into line and column.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw InputError(path + ": not valid JSON at line " + std::to_string(line) + ", column " +
                     std::to_string(column));
  }
}

JsonObject::JsonObject(const nlohmann::json& value, std::string file, std::string path)
    : value_(&value), file_(std::move(file)), path_(std::move(path)) {
  if (!value.is_object())
    throw InputError(file_ + ": " + (path_.empty() ? "the file" : "field '" + path_ + "'") +
                     " must be a JSON object, found " + value.dump().substr(0, 60));
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
    fail(key, value.dump(), "a number");
  return value.get<double>();
}

double JsonObject::positive(std::string_view key, std::optional<double> fallback,
                            bool allow_zero) const {
  const double value = number(key, fallback);
  if (value < 0 || (!allow_zero && value == 0))
    fail(key, raw(key).dump(), allow_zero ? "a number >= 0" : "a number > 0");
  return value;
}

std::int64_t JsonObject::integer(std::string_view key, std::optional<std::int64_t> fallback,
                                 std::int64_t min) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "an integer >= " + std::to_string(min));
  }
  const nlohmann::json& value = raw(key);
  const std::string allowed = "an integer >= " + std::to_string(min);
  if (!value.is_number_integer()) {
    // 4.0 is accepted as 4; 4.5 is not.
    if (!value.is_number_float() || std::floor(value.get<double>()) != value.get<double>())
      fail(key, value.dump(), allowed);
  }
  const auto result = static_cast<std::int64_t>(value.get<double>());
  if (result < min) fail(key, value.dump(), allowed);
  return value.is_number_integer() ? value.get<std::int64_t>() : result;
}

bool JsonObject::boolean(std::string_view key, std::optional<bool> fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "true or false");
  }
  const nlohmann::json& value = raw(key);
  if (!value.is_boolean()) fail(key, value.dump(), "true or false");
  return value.get<bool>();
}

std::string JsonObject::string(std::string_view key, std::optional<std::string> fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail_missing(key, "a string");
  }
  const nlohmann::json& value = raw(key);
  if (!value.is_string()) fail(key, value.dump(), "a string");
  return value.get<std::string>();
}

std::vector<std::int64_t> JsonObject::integers(std::string_view key, std::size_t min_size,
                                               std::size_t max_size, std::int64_t min) const {
  const std::string allowed =
      "a list of " +
      (min_size == max_size ? std::to_string(min_size)
                            : std::to_string(min_size) + " to " + std::to_string(max_size)) +
      " integers >= " + std::to_string(min);
  if (!has(key)) fail_missing(key, allowed);
  const nlohmann::json& value = raw(key);
  if (!value.is_array() || value.size() < min_size || value.size() > max_size)
    fail(key, value.dump(), allowed);
  std::vector<std::int64_t> result;
  for (const nlohmann::json& item : value) {
    if (!item.is_number_integer() || item.get<std::int64_t>() < min)
      fail(key, value.dump(), allowed);
    result.push_back(item.get<std::int64_t>());
  }
  return result;
}

JsonObject JsonObject::object(std::string_view key) const {
  if (!has(key)) fail_missing(key, "an object");
  return JsonObject(raw(key), file_, field(key));
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
    throw InputError(file_ + ": unknown field '" + field(it.key()) + "', allowed: " + list);
  }
}

}  // namespace accelscope::io
