// Reading JSON input files with errors that name the file, the field, the bad value and what is
// allowed. Used by every parser of user input (hardware, workloads, spaces, technology).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/limits.hpp"

namespace accelscope::io {

// A bad input file. what() is one line: "<file>: <what is wrong>".
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a JSON file; InputError if it cannot be read, is not JSON (with line and column), nests
// deeper than limits::kMaxJsonDepth or holds a number out of the double range.
nlohmann::json read_json_file(const std::string& path);
// The same for text already read; `path` names it in errors.
nlohmann::json parse_json_text(const std::string& text, const std::string& path);
// Reads a whole regular file of at most `max_bytes`; InputError if it cannot be read, is not a
// regular file (a directory, device or pipe) or is larger.
std::string read_text_file(const std::string& path,
                           std::int64_t max_bytes = model::limits::kMaxTextFileBytes);
// A JSON value for an error message: its text, cut to about `max_chars` (never the whole of a
// large value).
std::string excerpt(const nlohmann::json& value, std::size_t max_chars = 80);

// A JSON object at a path inside a file.
class JsonObject {
 public:
  JsonObject(const nlohmann::json& value, std::string file, std::string path = "");

  bool has(std::string_view key) const;
  const nlohmann::json& raw(std::string_view key) const;  // must exist
  std::string field(std::string_view key) const;          // "path.key"

  double number(std::string_view key, std::optional<double> fallback = std::nullopt) const;
  // A number > 0 (or >= 0 when allow_zero).
  double positive(std::string_view key, std::optional<double> fallback = std::nullopt,
                  bool allow_zero = false) const;
  // An integer in [min, max]; 4.0 is accepted as 4.
  std::int64_t integer(std::string_view key, std::optional<std::int64_t> fallback = std::nullopt,
                       std::int64_t min = 1, std::int64_t max = model::limits::kMaxDimension) const;
  bool boolean(std::string_view key, std::optional<bool> fallback = std::nullopt) const;
  std::string string(std::string_view key,
                     std::optional<std::string> fallback = std::nullopt) const;
  std::vector<std::int64_t> integers(std::string_view key, std::size_t min_size,
                                     std::size_t max_size, std::int64_t min = 1,
                                     std::int64_t max = model::limits::kMaxDimension) const;

  // One of a fixed set of names.
  template <typename E>
  E choice(std::string_view key, const std::vector<std::pair<std::string_view, E>>& table,
           std::optional<std::type_identity_t<E>> fallback = std::nullopt) const {
    if (!has(key)) {
      if (fallback) return *fallback;
      fail_missing(key, names(table));
    }
    const nlohmann::json& value = raw(key);
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      for (const auto& [name, e] : table)
        if (name == text) return e;
    }
    fail(key, excerpt(value), names(table));
  }

  // The product of non-negative factors (sizes read from this object); an error naming `what`
  // when it exceeds `limit` (never overflows).
  std::int64_t product(std::string_view what, std::initializer_list<std::int64_t> factors,
                       std::int64_t limit = model::limits::kMaxElements) const;

  JsonObject object(std::string_view key) const;
  // A list of 1 to max_entries objects with names unique in the list (e.g. a scenario's tenants):
  // each entry as an object whose errors name it ("<key>.<name>.<field>"). `noun` names an entry
  // in errors ("a list of 1 to 64 tenants"); `owner` what the names are unique in.
  std::vector<JsonObject> named_entries(std::string_view key, std::string_view noun,
                                        std::size_t max_entries, std::string_view owner) const;
  // Every key must be one of `allowed`; otherwise an error naming the unknown key.
  void allow_only(std::initializer_list<std::string_view> allowed) const;
  void allow_only(const std::vector<std::string>& allowed) const;

  [[noreturn]] void fail(std::string_view key, const std::string& value,
                         const std::string& allowed) const;
  [[noreturn]] void fail_missing(std::string_view key, const std::string& allowed) const;
  [[noreturn]] void fail_here(const std::string& message) const;

  const nlohmann::json& json() const { return *value_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  template <typename E>
  static std::string names(const std::vector<std::pair<std::string_view, E>>& table) {
    std::string text = "one of ";
    for (std::size_t i = 0; i < table.size(); ++i)
      text += (i ? ", " : "") + std::string(table[i].first);
    return text;
  }

  const nlohmann::json* value_;
  std::string file_;
  std::string path_;
};

}  // namespace accelscope::io
