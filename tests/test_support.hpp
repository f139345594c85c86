// Small helpers shared by tests: paths to reference data and a CSV reader.
#pragma once

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

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

using CsvRow = std::map<std::string, std::string>;

// Reads a CSV file with a header line into rows keyed by column name.
inline std::vector<CsvRow> read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) {
      if (!cell.empty() && cell.back() == '\r') cell.pop_back();
      cells.push_back(cell);
    }
    return cells;
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line);
    CsvRow row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
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
