#include "model/io/technology_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "model/io/csv_table.hpp"
#include "model/io/json_reader.hpp"

#ifndef ACCELSCOPE_DATA_DIR
#define ACCELSCOPE_DATA_DIR "spaces"
#endif

namespace accelscope::io {

std::string data_directory() {
  if (const char* env = std::getenv("ACCELSCOPE_DATA_DIR"); env && *env) return env;
  return ACCELSCOPE_DATA_DIR;
}

namespace {

// A technology figure: 0, or a magnitude the limits allow (model/limits.hpp).
bool valid_figure(double value) {
  return value == 0 || (value >= model::limits::kMinTechnologyFigure &&
                        value <= model::limits::kMaxTechnologyFigure);
}

const std::string& figure_range() {
  static const std::string text = "0 or a number from 1e-09 to 1e+09 (limits)";
  return text;
}

// CACTI sweep CSV: tech_nm,size_bytes,width_bits,read_pJ,write_pJ,leak_mW,area_mm2,...
std::map<int, std::vector<model::SramPoint>> read_cacti_csv(const std::string& path) {
  namespace limits = model::limits;
  static const char* const columns[] = {"tech_nm",  "size_bytes", "width_bits", "read_pJ",
                                        "write_pJ", "leak_mW",    "area_mm2"};
  std::istringstream text(read_text_file(path));
  std::string line;
  std::getline(text, line);  // header
  std::map<int, std::vector<model::SramPoint>> tables;
  int line_number = 1;
  while (std::getline(text, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    const std::string where = path + ": line " + std::to_string(line_number) + ": ";
    std::vector<double> cells;
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) {
      const std::optional<double> value = csv_number(cell);
      if (!value) throw InputError(where + excerpt(cell) + " is not a finite number");
      cells.push_back(*value);
    }
    if (cells.size() < 7)
      throw InputError(where +
                       "expected at least 7 columns (tech_nm,size_bytes,width_bits,read_pJ,"
                       "write_pJ,leak_mW,area_mm2)");
    const auto check = [&](std::size_t column, bool ok, const std::string& allowed) {
      if (!ok)
        throw InputError(where + "column '" + columns[column] + "' = " + excerpt(cells[column]) +
                         ", allowed: " + allowed);
    };
    const auto integer_in = [](double value, double lo, double hi) {
      return value >= lo && value <= hi && value == std::floor(value);
    };
    check(0, integer_in(cells[0], 1, limits::kMaxTechNodeNm),
          "an integer from 1 to " + std::to_string(limits::kMaxTechNodeNm) + " (nm)");
    check(1, cells[1] >= 1 && cells[1] <= limits::kMaxSramKib * 1024,
          "a number from 1 to 2^40 (bytes; limits)");
    check(2, integer_in(cells[2], 1, limits::kMaxPortBits),
          "an integer from 1 to " + std::to_string(limits::kMaxPortBits) + " (limits)");
    for (std::size_t column = 3; column < 7; ++column)
      check(column, valid_figure(cells[column]), figure_range());
    const double width_bits = cells[2];
    model::SramPoint point;
    point.capacity_bytes = cells[1];
    point.read_pj_per_bit = cells[3] / width_bits;
    point.write_pj_per_bit = cells[4] / width_bits;
    point.leakage_mw = cells[5];
    point.area_mm2 = cells[6];
    auto& table = tables[static_cast<int>(cells[0])];
    // One width per capacity: keep the 128-bit port (the table may hold several widths).
    auto same = std::find_if(table.begin(), table.end(), [&](const model::SramPoint& p) {
      return p.capacity_bytes == point.capacity_bytes;
    });
    if (same == table.end()) {
      table.push_back(point);
    } else if (width_bits == 128) {
      *same = point;
    }
  }
  if (tables.empty())
    throw InputError(path +
                     ": no rows (expected tech_nm,size_bytes,width_bits,read_pJ,write_pJ,"
                     "leak_mW,area_mm2 per line after the header)");
  for (auto& [node, table] : tables)
    std::sort(table.begin(), table.end(),
              [](const auto& a, const auto& b) { return a.capacity_bytes < b.capacity_bytes; });
  return tables;
}

// Every number of technology.json within the limits (the readers below check signs and presence);
// node names are integers of nanometres.
void check_figures(const nlohmann::json& value, const std::string& file, const std::string& path) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      check_figures(it.value(), file, path.empty() ? it.key() : path + "." + it.key());
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      check_figures(value[i], file, path + "[" + std::to_string(i) + "]");
  } else if (value.is_number() && !valid_figure(value.get<double>())) {
    throw InputError(file + ": field '" + path + "' = " + excerpt(value) +
                     ", allowed: " + figure_range());
  }
}

void check_node_names(const JsonObject& nodes) {
  for (auto it = nodes.json().begin(); it != nodes.json().end(); ++it) {
    const std::string& name = it.key();
    int node = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), node);
    if (error != std::errc() || end != name.data() + name.size() || node < 1 ||
        node > model::limits::kMaxTechNodeNm)
      nodes.fail(name, "a node",
                 "names that are integers from 1 to " +
                     std::to_string(model::limits::kMaxTechNodeNm) + " (nm)");
  }
}

// Tables are extrapolated beyond their capacities (log-log from the outermost points): the
// figures at the smallest and largest SRAM the hardware limits allow must stay bounded.
void check_sram_extrapolation(const model::Technology& tech, int node_nm,
                              const std::array<std::string, model::kNumProcesses>& files) {
  namespace limits = model::limits;
  for (std::size_t c = 0; c < model::kNumProcesses; ++c)
    for (double capacity_bytes : {1.0, limits::kMaxSramKib * 1024}) {
      const model::SramPoint point =
          model::sram_at(tech, capacity_bytes, static_cast<model::Process>(c));
      const std::pair<const char*, double> figures[] = {
          {"read pJ per bit", point.read_pj_per_bit},
          {"write pJ per bit", point.write_pj_per_bit},
          {"leakage mW", point.leakage_mw},
          {"area mm2", point.area_mm2}};
      for (const auto& [name, figure] : figures)
        if (!(figure >= 0 && figure <= limits::kMaxSramExtrapolated)) {
          char text[64];
          std::snprintf(text, sizeof text, "%.6g", figure);
          throw InputError(files[c] + ": at " + std::to_string(node_nm) + " nm, " +
                           std::to_string(static_cast<std::int64_t>(capacity_bytes)) +
                           " bytes extrapolate to " + name + " = " + text +
                           ", allowed: 0 to 1e+15 (limits; rows of nearly equal capacity and "
                           "very different figures extrapolate steeply)");
        }
    }
}

struct Scaling {
  double energy = 1, area = 1;
  double sram_area = 1;  // SRAM bit cells scale differently from logic below 22 nm
};

Scaling scaling_at(const TechLibrary& library, int node) {
  const JsonObject nodes(library.description.at("node_scaling").at("nodes"),
                         library.directory + "/technology.json", "node_scaling.nodes");
  const JsonObject entry = nodes.object(std::to_string(node));
  const double area = entry.positive("area");
  return {entry.positive("energy"), area, entry.positive("sram_area", area)};
}

}  // namespace

TechLibrary load_tech_library(const std::string& directory) {
  TechLibrary library;
  library.directory = directory;
  const std::string file = directory + "/technology.json";
  library.description = read_json_file(file);
  check_figures(library.description, file, "");
  const JsonObject root(library.description, file);
  check_node_names(root.object("node_scaling").object("nodes"));
  const JsonObject tables = root.object("sram").object("tables");
  std::array<std::string, model::kNumProcesses> table_files;
  for (std::size_t c = 0; c < model::kNumProcesses; ++c) {
    const std::string name(model::to_string(static_cast<model::Process>(c)));
    table_files[c] = directory + "/" + tables.object(name).string("file");
    library.sram[c] = read_cacti_csv(table_files[c]);
  }
  // Check once that every figure the model needs is present, so errors name this file.
  for (int node : supported_nodes(library))
    check_sram_extrapolation(technology_at(library, node), node, table_files);
  return library;
}

TechLibrary load_default_tech_library() {
  return load_tech_library(data_directory() + "/tech");
}

std::vector<int> supported_nodes(const TechLibrary& library) {
  std::vector<int> nodes;
  const nlohmann::json& table = library.description.at("node_scaling").at("nodes");
  for (auto it = table.begin(); it != table.end(); ++it) nodes.push_back(std::stoi(it.key()));
  std::sort(nodes.begin(), nodes.end(), std::greater<>());
  return nodes;
}

namespace {

// A calibrated or sourced figure: {"value": x, "source": "..."}; the source joins the technology's
// list.
double sourced(const JsonObject& parent, std::string_view key, model::Technology& tech,
               bool allow_zero = false) {
  const JsonObject entry = parent.object(key);
  tech.sources.push_back(std::string(key) + ": " + entry.string("source"));
  return entry.positive("value", std::nullopt, allow_zero);
}

}  // namespace

model::Technology technology_at(const TechLibrary& library, int node_nm) {
  const std::vector<int> nodes = supported_nodes(library);
  if (std::find(nodes.begin(), nodes.end(), node_nm) == nodes.end()) {
    std::string allowed;
    for (int n : nodes) allowed += (allowed.empty() ? "" : ", ") + std::to_string(n);
    throw InputError("field 'tech_node_nm' = " + std::to_string(node_nm) + ", allowed: one of " +
                     allowed + " (nodes in " + library.directory + "/technology.json)");
  }
  const std::string file = library.directory + "/technology.json";
  const JsonObject root(library.description, file);
  const JsonObject logic = root.object("logic_45nm");
  const JsonObject multiply = logic.object("multiply");
  const JsonObject add = logic.object("add");
  const Scaling scale = scaling_at(library, node_nm);

  model::Technology tech;
  tech.node_nm = node_nm;
  tech.sources = {logic.string("source"), root.object("node_scaling").string("source")};
  const JsonObject registers = root.object("registers_45nm");
  const double register_um2_per_bit = sourced(registers, "um2_per_bit", tech);
  const double register_pj_per_bit = sourced(registers, "pj_per_bit", tech);
  const double register_clock_pj_per_bit = sourced(registers, "clock_pj_per_bit", tech, true);
  if (register_clock_pj_per_bit > register_pj_per_bit)
    throw InputError(file + ": field 'registers_45nm.clock_pj_per_bit.value' = " +
                     excerpt(root.raw("registers_45nm")["clock_pj_per_bit"]["value"]) +
                     ", allowed: at most registers_45nm.pj_per_bit.value (" +
                     excerpt(root.raw("registers_45nm")["pj_per_bit"]["value"]) +
                     "), the part of it the clock draws");
  const JsonObject implementation = root.object("implementation");
  tech.logic_layout_factor = sourced(implementation, "logic_layout_factor", tech);
  tech.control_fraction = sourced(implementation, "control_fraction", tech, true);
  tech.interconnect_fraction = sourced(implementation, "interconnect_fraction", tech, true);
  const JsonObject leakage = implementation.object("logic_leakage_mw_per_mm2");
  for (std::size_t c = 0; c < model::kNumProcesses; ++c)
    tech.logic_leakage_mw_per_mm2[c] =
        sourced(leakage, std::string(model::to_string(static_cast<model::Process>(c))), tech, true);

  tech.register_pj_per_bit = register_pj_per_bit * scale.energy;
  tech.register_um2_per_bit = register_um2_per_bit * scale.area;
  tech.register_clock_pj_per_bit = register_clock_pj_per_bit * scale.energy;
  // Integer adders: energy and area per bit, from the 32-bit adder (ripple-carry: linear in bits).
  const JsonObject int32_add = add.object("int32");
  tech.int_add_pj_per_bit = int32_add.positive("pj") / 32 * scale.energy;
  tech.int_add_um2_per_bit = int32_add.positive("um2") / 32 * scale.area;
  for (std::size_t p = 0; p < model::kNumPrecisions; ++p) {
    const auto precision = static_cast<model::Precision>(p);
    const std::string name(model::to_string(precision));
    const JsonObject mult = multiply.object(name);
    const JsonObject adder = add.object(name);
    const double bits = model::bits_of(precision);
    tech.multiply_pj[p] = mult.positive("pj") * scale.energy;
    tech.multiply_um2[p] = mult.positive("um2") * scale.area;
    tech.add_pj[p] = adder.positive("pj") * scale.energy;
    tech.add_um2[p] = adder.positive("um2") * scale.area;
    const model::PeCost pe =
        model::pe_cost(tech, precision, 32,
                       model::pe_register_bits(model::Dataflow::weight_stationary, precision, 32));
    tech.mac_pj[p] = pe.mac_pj;
    tech.pe_area_um2[p] = pe.area_um2;
    tech.vector_op_pj[p] =
        tech.multiply_pj[p] + tech.add_pj[p] + 3 * bits * tech.register_pj_per_bit;
    tech.vector_lane_area_um2[p] =
        (tech.multiply_um2[p] + tech.add_um2[p] + 3 * bits * tech.register_um2_per_bit) *
        tech.logic_layout_factor;
  }
  const JsonObject register_file = root.object("register_file_45nm");
  tech.register_file_pj_per_bit = sourced(register_file, "pj_per_bit", tech) * scale.energy;
  // A scratchpad is a regular array of latches: placed at cell density, no layout factor.
  tech.register_file_um2_per_bit = sourced(register_file, "um2_per_bit", tech) * scale.area;
  tech.array_network_pj_per_bit =
      sourced(root.object("array_network_45nm"), "pj_per_bit", tech, true) * scale.energy;
  // A link's energy per bit is set by its channel (reach, loss) and its circuits' analog design
  // more than by the logic node: taken as given, not scaled.
  if (root.has("chip_links"))
    tech.chip_link_pj_per_bit = sourced(root.object("chip_links"), "pj_per_bit", tech);

  // SRAM: the CACTI tables at this node, or the nearest node's scaled by the node factors.
  const JsonObject sram = root.object("sram");
  for (std::size_t c = 0; c < model::kNumProcesses; ++c) {
    const auto& tables = library.sram[c];
    int sram_node = tables.begin()->first;
    for (const auto& [node, table] : tables)
      if (std::abs(node - node_nm) < std::abs(sram_node - node_nm)) sram_node = node;
    const Scaling from = scaling_at(library, sram_node);
    tech.sram_tables[c] = tables.at(sram_node);
    for (model::SramPoint& point : tech.sram_tables[c]) {
      point.read_pj_per_bit *= scale.energy / from.energy;
      point.write_pj_per_bit *= scale.energy / from.energy;
      point.area_mm2 *= scale.sram_area / from.sram_area;
      point.leakage_mw *= scale.sram_area / from.sram_area;
    }
  }
  tech.sources.push_back("sram: " + sram.string("source"));
  tech.sram_macro_factor = sourced(sram, "macro_factor", tech);
  tech.sram_bank_port_bits = sourced(sram, "bank_port_bits", tech);
  tech.sram_max_bank_bytes = sourced(sram, "max_bank_kib", tech) * 1024;
  const JsonObject bitcells = sram.object("bitcell_um2");
  tech.sources.push_back("bitcell_um2: " + bitcells.string("source"));
  tech.sram_bitcell_um2 = bitcells.object("nodes").positive(std::to_string(node_nm));

  const JsonObject dram = root.object("dram");
  tech.sources.push_back("dram: " + dram.string("source"));
  const JsonObject types = dram.object("types");
  for (auto it = types.json().begin(); it != types.json().end(); ++it) {
    const JsonObject type = types.object(it.key());
    model::DramInterface d;
    d.type = it.key();
    d.device_pj_per_bit = type.positive("device_pj_per_bit");
    d.phy_pj_per_bit = type.positive("phy_pj_per_bit", std::nullopt, true);
    d.phy_mm2_per_gbps = type.positive("phy_mm2_per_gbps", std::nullopt, true);
    d.phy_static_mw_per_gbps = type.positive("phy_static_mw_per_gbps", std::nullopt, true);
    tech.dram.push_back(d);
  }

  // Optional: without it, designs have no die cost metrics.
  if (root.has("die_cost")) {
    const JsonObject cost = root.object("die_cost");
    tech.sources.push_back("die_cost: " + cost.string("source"));
    model::DieCostFigures f;
    f.wafer_diameter_mm = sourced(cost, "wafer_diameter_mm", tech);
    f.edge_exclusion_mm = sourced(cost, "edge_exclusion_mm", tech, true);
    f.scribe_mm = sourced(cost, "scribe_mm", tech, true);
    f.clustering_alpha = sourced(cost, "clustering_alpha", tech);
    f.package_test_usd = sourced(cost, "package_test_usd", tech, true);
    f.package_test_usd_per_mm2 = sourced(cost, "package_test_usd_per_mm2", tech, true);
    const std::string node = std::to_string(node_nm);
    for (auto [key, target] :
         {std::pair{"wafer_usd", &f.wafer_usd}, std::pair{"defects_per_cm2", &f.defects_per_cm2}}) {
      const JsonObject table = cost.object(key);
      tech.sources.push_back(std::string(key) + ": " + table.string("source"));
      *target = table.object("nodes").positive(node, std::nullopt, true);
    }
    tech.die_cost = f;
  }
  return tech;
}

}  // namespace accelscope::io
