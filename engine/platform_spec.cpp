#include "engine/platform_spec.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "engine/loaders.hpp"
#include "engine/single_eval.hpp"
#include "model/evaluate.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"

namespace accelscope::engine {

namespace {

namespace platform = model::platform;

constexpr double kMaxTops = 1e6;  // ops/s up to 1e18
constexpr double kMaxGbps = 1e6;  // GB/s
constexpr double kMaxMicroseconds = 1e9;
constexpr std::size_t kMaxUnits = 64;

// A bounded figure: > 0 (or >= 0) and at most `max`.
double figure(const io::JsonObject& o, std::string_view key, double max,
              std::optional<double> fallback = std::nullopt, bool allow_zero = false) {
  const double value = o.positive(key, fallback, allow_zero);
  if (value > max)
    o.fail(key, io::excerpt(o.raw(key)),
           fmt::format("a number in {}0, {:g}]", allow_zero ? "[" : "(", max));
  return value;
}

// Every object holding figures says where they come from.
void require_source(const io::JsonObject& o) {
  if (!o.has("source") || !o.raw("source").is_string() || o.string("source").empty())
    o.fail_missing("source",
                   "a non-empty string: the publication or datasheet behind the "
                   "figures, or that they are an estimate");
}

platform::OpKindSet op_kinds(const io::JsonObject& o, std::string_view key) {
  if (!o.has(key)) return platform::kAllOpKinds;
  const nlohmann::json& list = o.raw(key);
  std::string names;
  for (std::size_t k = 0; k < model::kNumOpKinds; ++k)
    names += (k ? ", " : "") + std::string(model::to_string(static_cast<model::OpKind>(k)));
  if (list.is_string() && list.get<std::string>() == "all") return platform::kAllOpKinds;
  if (!list.is_array() || list.empty())
    o.fail(key, io::excerpt(list), "\"all\" or a non-empty list of op kinds: " + names);
  platform::OpKindSet set = 0;
  for (const nlohmann::json& item : list) {
    bool found = false;
    for (std::size_t k = 0; k < model::kNumOpKinds && item.is_string(); ++k)
      if (item.get<std::string>() == model::to_string(static_cast<model::OpKind>(k))) {
        set |= platform::op_kind_bit(static_cast<model::OpKind>(k));
        found = true;
      }
    if (!found) o.fail(key, io::excerpt(item), "op kinds: " + names);
  }
  return set;
}

// {"int8": x, "fp16": y} with numbers in (0, max].
std::vector<std::pair<model::Precision, double>> per_precision(const io::JsonObject& o,
                                                               std::string_view key, double max) {
  if (!o.has(key)) o.fail_missing(key, "an object of precision -> number");
  const nlohmann::json& map = o.raw(key);
  std::string names;
  for (const auto& [name, p] : io::precision_names())
    names += (names.empty() ? "" : ", ") + std::string(name);
  if (!map.is_object() || map.empty())
    o.fail(key, io::excerpt(map), "an object of precision (" + names + ") -> number");
  const io::JsonObject inner(map, o.file(), o.field(key));
  std::vector<std::pair<model::Precision, double>> out;
  for (const auto& [name, value] : map.items()) {
    model::Precision precision{};
    bool found = false;
    for (const auto& [n, p] : io::precision_names())
      if (n == name) {
        precision = p;
        found = true;
      }
    if (!found) o.fail(key, "\"" + name + "\"", "precisions: " + names);
    out.emplace_back(precision, figure(inner, name, max));
  }
  return out;
}

platform::ComputeUnit read_data_path_unit(const io::JsonObject& u, const std::string& name) {
  u.allow_only({"name", "kind", "count", "paths", "launch_us", "local_memory_kib", "dram_port_gbps",
                "io_unit", "area_mm2", "power_w", "source", "description"});
  platform::ComputeUnit unit;
  unit.name = name;
  unit.kind = platform::UnitKind::data_paths;
  unit.local_memory_bytes = figure(u, "local_memory_kib", 1 << 30, 0.0, true) * 1024;
  for (const io::JsonObject& p : u.named_entries("paths", "data path", 16, "unit")) {
    const std::string path_name = p.string("name");
    p.allow_only({"name", "peak_tops", "ops", "max_efficiency", "half_efficiency_gops", "source",
                  "description"});
    require_source(p);
    platform::DataPath path;
    path.name = path_name;
    for (const auto& [precision, tops] : per_precision(p, "peak_tops", kMaxTops))
      path.rates.push_back({precision, tops * 1e12});
    path.op_kinds = op_kinds(p, "ops");
    path.max_efficiency = figure(p, "max_efficiency", 1.0, 1.0);
    path.half_efficiency_ops = figure(p, "half_efficiency_gops", 1e9, 0.0, true) * 1e9;
    unit.paths.push_back(std::move(path));
  }
  return unit;
}

platform::ComputeUnit read_systolic_unit(const io::JsonObject& u, const std::string& name,
                                         const io::TechLibrary& library) {
  namespace fs = std::filesystem;
  u.allow_only({"name", "kind", "count", "hardware", "precisions", "ops", "launch_us",
                "dram_port_gbps", "io_unit", "area_mm2", "power_w", "source", "description"});
  if (!u.has("hardware"))
    u.fail_missing("hardware", "a hardware file (as given or beside the platform) or object");
  const nlohmann::json& hw = u.raw("hardware");
  model::Accelerator accelerator;
  std::string source = u.file() + " (" + u.field("hardware") + ")";
  if (hw.is_string()) {
    std::string file = hw.get<std::string>();
    const fs::path beside = fs::path(u.file()).parent_path() / file;
    if (!fs::is_regular_file(file) && fs::path(file).is_relative() && fs::is_regular_file(beside))
      file = beside.string();
    if (!fs::is_regular_file(file))
      u.fail("hardware", io::excerpt(hw), "a hardware file, as given or beside the platform");
    accelerator = load_hardware(file);
    source = file;
  } else if (hw.is_object()) {
    accelerator = hardware_from_json(hw, source);
  } else {
    u.fail("hardware", io::excerpt(hw), "a hardware file name or a hardware object");
  }
  try {
    model::validate(accelerator);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(source + ": " + e.what());
  }
  platform::ComputeUnit unit;
  unit.name = name;
  unit.kind = platform::UnitKind::systolic;
  unit.tech = technology_for(library, accelerator, source);
  unit.op_kinds = op_kinds(u, "ops");
  unit.arrays.push_back({accelerator.array.precision, accelerator});
  // The technology tables must cost it (its node, its DRAM type: found by fuzzing a DRAM type of
  // "Fpddr4"); area and power the file does not give are the model's (die area, peak power with
  // every part busy).
  model::DesignReport design;
  try {
    design = model::evaluate_design(accelerator, unit.tech);
  } catch (const std::exception& e) {
    throw io::InputError(fmt::format("{}: field '{}': the technology tables cannot cost it: {}",
                                     u.file(), u.field("hardware"), e.what()));
  }
  unit.area_mm2 = design.area.total_mm2();
  unit.power_w = design.peak_power_w;
  for (const model::BufferSpec& buffer : accelerator.sram)
    unit.local_memory_bytes += buffer.capacity_bytes;
  // Other precisions: the same array at a relative MAC rate (a slower clock).
  if (u.has("precisions"))
    for (const auto& [precision, rate] : per_precision(u, "precisions", 1.0)) {
      if (precision == accelerator.array.precision) continue;
      platform::SystolicArray array{precision, accelerator};
      array.accelerator.array.precision = precision;
      array.accelerator.array.output_precision = precision;
      array.accelerator.clock_mhz *= rate;
      unit.arrays.push_back(std::move(array));
    }
  return unit;
}

}  // namespace

platform::HeteroPlatform load_platform(const std::string& path, const io::TechLibrary& library) {
  return platform_from_json(io::read_json_file(path), path, library);
}

platform::HeteroPlatform platform_from_json(const nlohmann::json& json, const std::string& path,
                                            const io::TechLibrary& library) {
  const io::JsonObject root(json, path);
  root.allow_only({"name", "description", "dram", "units", "links", "source"});
  platform::HeteroPlatform out;
  out.name = root.string("name", std::filesystem::path(path).stem().string());

  const io::JsonObject dram = root.object("dram");
  dram.allow_only({"bandwidth_gbps", "efficiency", "capacity_gib", "handoff_us", "type",
                   "interleaving", "source", "description"});
  require_source(dram);
  out.dram.bandwidth_bytes_per_s = figure(dram, "bandwidth_gbps", kMaxGbps) * 1e9;
  out.dram.efficiency = figure(dram, "efficiency", 1.0, 1.0);
  out.dram.capacity_bytes = figure(dram, "capacity_gib", 1 << 20, 0.0, true) * (1ULL << 30);
  out.dram.handoff_latency_s = figure(dram, "handoff_us", kMaxMicroseconds, 0.0, true) * 1e-6;
  if (dram.has("type")) (void)dram.string("type");
  if (dram.has("interleaving")) {
    // A controller's measured efficiency with one master's streams and with several
    // interleaved: the loss while several units draw at once.
    const io::JsonObject interleaving = dram.object("interleaving");
    interleaving.allow_only(
        {"sequential_efficiency", "interleaved_efficiency", "source", "description"});
    require_source(interleaving);
    out.dram.sequential_efficiency = figure(interleaving, "sequential_efficiency", 1.0);
    out.dram.interleaved_efficiency = figure(interleaving, "interleaved_efficiency", 1.0);
    if (out.dram.interleaved_efficiency > out.dram.sequential_efficiency)
      interleaving.fail("interleaved_efficiency",
                        fmt::format("{:g}", out.dram.interleaved_efficiency),
                        fmt::format("a number in (0, {:g}] (at most sequential_efficiency)",
                                    out.dram.sequential_efficiency));
  }

  // Errors below name the unit: field 'units.<name>.<field>'.
  // Units naming an io_unit: the entry, and its first unit and count after expansion.
  struct IoUnit {
    const io::JsonObject* entry;
    std::size_t first, count;
  };
  std::vector<IoUnit> io_units;
  const std::vector<io::JsonObject> entries =
      root.named_entries("units", "unit", kMaxUnits, "platform");
  for (const io::JsonObject& u : entries) {
    const std::string name = u.string("name");
    require_source(u);
    // "count": k identical units named <name>0 ... <name>k-1 (0: none).
    const std::int64_t count = u.integer("count", 1, 0, static_cast<std::int64_t>(kMaxUnits));
    if (count == 0) continue;
    const std::string kind = u.string("kind");
    platform::ComputeUnit unit;
    if (kind == "systolic")
      unit = read_systolic_unit(u, name, library);
    else if (kind == "data_paths")
      unit = read_data_path_unit(u, name);
    else
      u.fail("kind", "\"" + kind + "\"", "systolic (a hardware description) or data_paths");
    unit.launch_s = figure(u, "launch_us", kMaxMicroseconds, 0.0, true) * 1e-6;
    if (unit.kind == platform::UnitKind::systolic) {
      // What the group costs depend on: identical units are evaluated once.
      nlohmann::json signature = nlohmann::json::object();
      for (const char* key : {"hardware", "precisions", "ops", "launch_us", "dram_port_gbps"})
        if (u.has(key)) signature[key] = u.raw(key);
      unit.signature = signature.dump();
    }
    unit.dram_port_bytes_per_s = figure(u, "dram_port_gbps", kMaxGbps, 0.0, true) * 1e9;
    unit.area_mm2 = figure(u, "area_mm2", 1e6, unit.area_mm2, true);
    unit.power_w = figure(u, "power_w", 1e6, unit.power_w, true);
    if (u.has("io_unit"))
      io_units.push_back(
          {&u, out.units.size(), static_cast<std::size_t>(u.has("count") ? count : 1)});
    if (!u.has("count")) {
      out.units.push_back(std::move(unit));
      continue;
    }
    for (std::int64_t k = 0; k < count; ++k) {
      out.units.push_back(unit);
      out.units.back().name = name + std::to_string(k);
    }
  }
  if (out.units.size() > kMaxUnits)
    root.fail("units", fmt::format("{} units after counts", out.units.size()),
              fmt::format("at most {} units in all", kMaxUnits));
  for (const IoUnit& io_unit : io_units) {
    const std::string io_name = io_unit.entry->string("io_unit");
    const std::size_t index = out.unit_index(io_name);
    const auto own = [&](std::size_t k) {
      return k >= io_unit.first && k < io_unit.first + io_unit.count;
    };
    if (index == out.units.size() || own(index)) {
      std::string others;
      for (std::size_t k = 0; k < out.units.size(); ++k)
        if (!own(k)) others += (others.empty() ? "" : ", ") + out.units[k].name;
      io_unit.entry->fail("io_unit", "\"" + io_name + "\"",
                          "another unit of the platform: " + (others.empty() ? "none" : others));
    }
    for (std::size_t k = 0; k < io_unit.count; ++k) out.units[io_unit.first + k].io_unit = index;
  }

  if (root.has("links")) {
    const nlohmann::json& links = root.raw("links");
    if (!links.is_array()) root.fail("links", io::excerpt(links), "a list of links");
    for (std::size_t k = 0; k < links.size(); ++k) {
      const io::JsonObject l(links[k], path, fmt::format("links[{}]", k));
      l.allow_only({"between", "bandwidth_gbps", "latency_us", "source", "description"});
      require_source(l);
      const nlohmann::json& between = l.has("between") ? l.raw("between") : nlohmann::json();
      std::string unit_names;
      for (const platform::ComputeUnit& unit : out.units)
        unit_names += (unit_names.empty() ? "" : ", ") + unit.name;
      if (!between.is_array() || between.size() != 2 || !between[0].is_string() ||
          !between[1].is_string() || between[0] == between[1])
        l.fail("between", io::excerpt(between), "two distinct unit names: " + unit_names);
      platform::UnitLink link;
      link.a = out.unit_index(between[0].get<std::string>());
      link.b = out.unit_index(between[1].get<std::string>());
      if (link.a == out.units.size() || link.b == out.units.size())
        l.fail("between", io::excerpt(between), "two distinct unit names: " + unit_names);
      link.bytes_per_s = figure(l, "bandwidth_gbps", kMaxGbps) * 1e9;
      link.latency_s = figure(l, "latency_us", kMaxMicroseconds, 0.0, true) * 1e-6;
      out.links.push_back(link);
    }
  }
  try {
    platform::validate(out);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(path + ": " + e.what());
  }
  return out;
}

}  // namespace accelscope::engine
