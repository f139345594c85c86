// Small helpers shared by tests: paths to reference data and a CSV reader.
#pragma once

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/io/csv_table.hpp"

namespace accelscope::testing {

// Reference figures from independent tools and published silicon, copied into the tree
// (spaces/reference/README.md says where each file came from).
inline std::string reference_dir() {
  return ACCELSCOPE_TEST_REFERENCE_DIR;
}
inline std::string data_dir() {
  return ACCELSCOPE_TEST_DATA_DIR;
}
inline std::string source_dir() {
  return ACCELSCOPE_TEST_SOURCE_DIR;
}

using io::CsvRow;

// Reads a CSV file with a header line into rows keyed by column name.
inline std::vector<CsvRow> read_csv(const std::string& path) {
  return io::read_csv_table(path);
}

inline double number(const CsvRow& row, const std::string& column) {
  auto it = row.find(column);
  if (it == row.end()) throw std::runtime_error("no column " + column);
  return std::stod(it->second);
}

// A unique temporary file path (not created).
inline std::string temp_path(const std::string& stem) {
  static int counter = 0;
  std::ostringstream name;
  name << "/tmp/accelscope_test_" << stem << "_" << ::getpid() << "_" << counter++;
  return name.str();
}

}  // namespace accelscope::testing
