// The store's schema history. A file's version lives in accelscope_meta (key schema_version);
// version 0 is an empty SQLite file. Opening a file read-write applies the missing steps, all in
// one transaction. Released steps are never edited: a change is a new step appended here.
#pragma once

#include <span>
#include <string_view>

namespace accelscope::store {

struct Migration {
  int to_version = 0;  // applied to a file at version to_version - 1
  std::string_view description;
  std::string_view sql;
};

inline constexpr int kSchemaVersion = 3;

// Every step, in order; migrations()[i].to_version == i + 1.
std::span<const Migration> migrations();

}  // namespace accelscope::store
