#include "model/io/scalesim.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "model/evaluate.hpp"
#include "model/io/json_reader.hpp"

namespace accelscope::io {

namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream row(line);
  std::string cell;
  while (std::getline(row, cell, ',')) cells.push_back(trim(cell));
  while (!cells.empty() && cells.back().empty()) cells.pop_back();  // the trailing comma
  return cells;
}

bool is_integer(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

model::Accelerator read_scalesim_config(const std::string& path) {
  std::istringstream text(read_text_file(path));
  std::map<std::string, std::pair<std::string, int>> values;  // key (lower case) -> value, line
  std::string line;
  int line_number = 0;
  while (std::getline(text, line)) {
    ++line_number;
    line = trim(line);
    if (line.empty() || line[0] == '[' || line[0] == '#' || line[0] == ';') continue;
    const auto sep = line.find_first_of(":=");
    if (sep == std::string::npos)
      throw InputError(path + ": line " + std::to_string(line_number) + ": expected 'Key : value'");
    values[lower(trim(line.substr(0, sep)))] = {trim(line.substr(sep + 1)), line_number};
  }
  auto get = [&](const std::string& key) -> const std::pair<std::string, int>& {
    auto it = values.find(lower(key));
    if (it == values.end()) throw InputError(path + ": missing field '" + key + "'");
    return it->second;
  };
  auto positive = [&](const std::string& key) {
    const auto& [value, at] = get(key);
    double number = 0;
    try {
      std::size_t used = 0;
      number = std::stod(value, &used);
      if (used != value.size()) number = -1;
    } catch (const std::exception&) {
      number = -1;
    }
    if (!(number > 0))
      throw InputError(path + ": field '" + key + "' = '" + value + "' (line " +
                       std::to_string(at) + "), allowed: a number > 0");
    return number;
  };

  model::Accelerator a;
  a.name = "scalesim:" + path.substr(path.find_last_of('/') + 1);
  a.clock_mhz = 1000;
  a.tech_node_nm = 45;
  a.array.rows = static_cast<int>(positive("ArrayHeight"));
  a.array.cols = static_cast<int>(positive("ArrayWidth"));
  const auto& [dataflow, dataflow_line] = get("Dataflow");
  const std::string df = lower(dataflow);
  if (df == "os")
    a.array.dataflow = model::Dataflow::output_stationary;
  else if (df == "ws")
    a.array.dataflow = model::Dataflow::weight_stationary;
  else if (df == "is")
    a.array.dataflow = model::Dataflow::input_stationary;
  else
    throw InputError(path + ": field 'Dataflow' = '" + dataflow + "' (line " +
                     std::to_string(dataflow_line) + "), allowed: one of os, ws, is");
  a.array.precision = model::Precision::int8;
  a.array.output_precision = model::Precision::int8;
  a.array.accumulator_bits = 32;
  a.array.fold_overlap = false;
  // SCALE-Sim simulates one layer at a time: operands come from DRAM, results go back.
  a.inter_layer = model::InterLayer::through_dram;
  a.fusion = false;
  a.sram[0].capacity_bytes = positive("IfmapSramSzkB") * 1024;
  a.sram[1].capacity_bytes = positive("FilterSramSzkB") * 1024;
  a.sram[2].capacity_bytes = positive("OfmapSramSzkB") * 1024;
  a.sram[3].capacity_bytes = a.sram[2].capacity_bytes;
  for (auto& buffer : a.sram) buffer.double_buffered = true;  // half is the active buffer
  a.dram.type = "lpddr4";
  a.dram.shared = false;
  const double words_per_cycle = values.count("bandwidth") ? positive("Bandwidth") : 10.0;
  a.dram.interface_gbps.fill(words_per_cycle);  // 1-byte words at 1 GHz
  a.vector.lanes = a.array.cols;
  a.vector.pipeline_depth = 4;
  a.vector.precision = model::Precision::int8;
  a.vector.cycles_per_element = model::default_vector_cycles();
  model::validate(a);
  return a;
}

model::Network read_scalesim_topology(const std::string& path, std::int64_t batch) {
  std::istringstream text(read_text_file(path));
  model::Network network;
  network.name = path.substr(path.find_last_of('/') + 1);
  network.batch = batch;
  std::string line;
  int line_number = 0;
  bool gemm = false;
  while (std::getline(text, line)) {
    ++line_number;
    const std::vector<std::string> cells = split_csv(line);
    if (cells.empty()) continue;
    const auto where = path + ": line " + std::to_string(line_number);
    if (network.ops.empty() && cells.size() >= 2 && !is_integer(cells[1])) {
      // Header: GEMM topologies name their columns M, N, K.
      gemm = cells.size() >= 4 && lower(cells[1]) == "m" && lower(cells[2]) == "n";
      continue;
    }
    const std::size_t expected = gemm ? 4 : 8;
    if (cells.size() < expected)
      throw InputError(
          where + ": expected " + std::to_string(expected) + " fields (" +
          (gemm ? "name, M, N, K"
                : "name, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter, Strides") +
          "), found " + std::to_string(cells.size()));
    std::vector<std::int64_t> v;
    for (std::size_t i = 1; i < expected; ++i) {
      if (!is_integer(cells[i]) || std::stoll(cells[i]) <= 0)
        throw InputError(where + ": field " + std::to_string(i + 1) + " = '" + cells[i] +
                         "', allowed: an integer > 0");
      v.push_back(std::stoll(cells[i]));
    }
    model::Op op;
    op.name = cells[0];
    if (gemm) {
      op.kind = model::OpKind::matmul;
      op.matmul.m = v[0] * batch;
      op.matmul.n = v[1];
      op.matmul.k = v[2];
      op.parameter_elements = v[1] * v[2];
    } else {
      op.kind = model::OpKind::conv2d;
      model::Conv2d& c = op.conv;
      c.batch = batch;
      c.in_h = v[0], c.in_w = v[1];
      c.kernel_h = v[2], c.kernel_w = v[3];
      c.in_channels = v[4];
      c.out_channels = v[5];
      c.stride_h = c.stride_w = static_cast<int>(v[6]);
      if (c.kernel_h > c.in_h || c.kernel_w > c.in_w)
        throw InputError(where + ": filter " + std::to_string(c.kernel_h) + "x" +
                         std::to_string(c.kernel_w) + " larger than the input " +
                         std::to_string(c.in_h) + "x" + std::to_string(c.in_w));
      // SCALE-Sim's output size ceil((H - R + S) / S) is a convolution with the missing rows
      // padded at the bottom/right.
      const std::int64_t out_h = (c.in_h - c.kernel_h + c.stride_h) / c.stride_h +
                                 ((c.in_h - c.kernel_h + c.stride_h) % c.stride_h ? 1 : 0);
      const std::int64_t out_w = (c.in_w - c.kernel_w + c.stride_w) / c.stride_w +
                                 ((c.in_w - c.kernel_w + c.stride_w) % c.stride_w ? 1 : 0);
      c.pad_bottom = static_cast<int>((out_h - 1) * c.stride_h + c.kernel_h - c.in_h);
      c.pad_right = static_cast<int>((out_w - 1) * c.stride_w + c.kernel_w - c.in_w);
      op.parameter_elements = c.out_channels * c.in_channels * c.kernel_h * c.kernel_w;
    }
    try {
      model::finalize(op);
    } catch (const std::invalid_argument& e) {
      throw InputError(where + ": " + e.what());
    }
    network.ops.push_back(std::move(op));
  }
  if (network.ops.empty()) throw InputError(path + ": no layers found");
  return network;
}

}  // namespace accelscope::io
