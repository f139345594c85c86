// A CSV file with a header line, read into rows keyed by column name (reference tables of
// SCALE-Sim and SimDIT; plain comma-separated cells, no quoting).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace accelscope::io {

using CsvRow = std::map<std::string, std::string>;

// Throws InputError naming the file when it cannot be read.
std::vector<CsvRow> read_csv_table(const std::string& path);

}  // namespace accelscope::io
