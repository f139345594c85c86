// Helpers shared by the study tests: test spaces by name and study files removed at scope exit.
#pragma once

#include <filesystem>
#include <string>

#include "tests/test_support.hpp"

namespace accelscope::testing {

inline std::string space_path(const std::string& name) {
  return source_dir() + "/tests/data/spaces/" + name + ".json";
}

struct TempDb {
  std::string path = temp_path("study") + ".sqlite";
  TempDb() = default;
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
  ~TempDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

}  // namespace accelscope::testing
