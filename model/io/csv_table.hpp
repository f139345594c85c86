// A CSV file with a header line, read into rows keyed by column name (reference tables of
// SCALE-Sim and SimDIT; plain comma-separated cells, no quoting).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accelscope::io {

using CsvRow = std::map<std::string, std::string>;

// Throws InputError naming the file when it cannot be read.
std::vector<CsvRow> read_csv_table(const std::string& path);

// A whole cell (spaces and a trailing CR around it allowed) read as a finite number; nullopt for
// anything else (std::stod would take "1.5abc", "inf" and "nan").
std::optional<double> csv_number(std::string_view cell);

}  // namespace accelscope::io
