#include "engine/space_spec.hpp"

#include <cmath>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "engine/platform_eval.hpp"
#include "engine/platform_spec.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "model/limits.hpp"

namespace accelscope::engine {

namespace {

using io::excerpt;
using io::InputError;
using io::JsonObject;
namespace limits = model::limits;

// Levels of one parameter and their sum over a space (each level of a hardware field is tried
// once when the spec is read).
constexpr std::int64_t kMaxTotalLevels = std::int64_t{1} << 18;

// A level's JSON value: an integer when it is one (and exact), else a number.
nlohmann::json level_json(double v) {
  return std::floor(v) == v && std::abs(v) <= 9007199254740992.0
             ? nlohmann::json(static_cast<std::int64_t>(v))
             : nlohmann::json(v);
}

// Metric aliases accepted in objectives, and whether they are maximised by default.
struct Alias {
  std::string_view alias, metric;
  bool maximize;
};
constexpr Alias kAliases[] = {
    {"latency", "latency_ms", false},
    {"energy", "energy_mj", false},
    {"area", "area_mm2", false},
    {"power", "power_w", false},
    {"edp", "edp_mj_ms", false},
    {"throughput", "throughput_per_s", true},
    {"throughput_per_s", "throughput_per_s", true},
    {"tops_per_w", "tops_per_w", true},
    {"tops_per_mm2", "tops_per_mm2", true},
    {"utilization", "utilization", true},
    {"die_cost", "die_cost_usd", false},
    {"goodput", "goodput_scale", true},
    {"goodput_scale", "goodput_scale", true},
    {"slo_attainment", "slo_attainment", true},
    {"energy_per_request", "energy_mj_per_request", false},
};

// Metrics of every design (no workload is run for them).
const std::vector<std::string_view> kDesignMetrics = {"area_mm2",
                                                      "area.pe_array_mm2",
                                                      "area.sram_mm2",
                                                      "area.vector_mm2",
                                                      "area.io_mm2",
                                                      "area.overhead_mm2",
                                                      "peak_power_w",
                                                      "peak_tops",
                                                      "die_cost_usd",
                                                      "die_cost.silicon_usd",
                                                      "die_cost.package_test_usd",
                                                      "die_cost.yield",
                                                      "die_cost.dies_per_wafer"};
// Metrics over the workloads (weighted means, or the highest power), when a space has some.
const std::vector<std::string_view> kOverWorkloadMetrics = {
    "power_w",           "chip_power_w",   "latency_ms",     "energy_mj",    "edp_mj_ms",
    "throughput_per_s",  "tops_per_w",     "tops_per_mm2",   "utilization",  "nonconv_share",
    "energy.mac_mj",     "energy.sram_mj", "energy.dram_mj", "energy.io_mj", "energy.vector_mj",
    "energy.leakage_mj", "dram_mib"};
// Metrics of a design serving the space's scenario (model/platform; README "Design spaces").
const std::vector<std::string_view> kServingMetrics = {
    "goodput_scale",   "slo_attainment", "energy_mj_per_request",
    "serving_power_w", "pe_utilization", "dram_utilization",
    "partitions"};
// Serving options a parameter may set, with what each allows.
const std::vector<std::pair<std::string_view, std::string_view>> kServingOptions = {
    {"serving.policy", "policy names: elastic, temporal, static"},
    {"serving.max_partitions", "whole numbers of partitions from 1 to 64"},
    {"serving.partition_step", "fractions of the array in (0, 1] (menu: its multiples up to 1)"},
    {"serving.switch_cost_us", "switch costs from 0 to 1e9 us"}};
// Metrics of a design of a space naming a platform (engine/platform_eval.hpp), in place of the
// hardware's, and per tenant beside kTenantMetrics.
const std::vector<std::string_view> kPlatformMetrics = {"area_mm2", "power_w", "units",
                                                        "throughput_per_s"};
constexpr std::string_view kPlatformTenantMetrics[] = {"units", "instances_per_s"};
const std::vector<std::string_view> kWorkloadMetrics = {
    "latency_ms",       "energy_mj",   "power_w",      "chip_power_w",
    "throughput_per_s", "utilization", "nonconv_share"};

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// Sets json[a][b][c] for path "a.b.c"; false if an intermediate value is not an object.
bool set_path(nlohmann::json& json, const std::string& path, const nlohmann::json& value) {
  nlohmann::json* node = &json;
  const std::vector<std::string> parts = split_path(path);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    nlohmann::json& child = (*node)[parts[i]];
    if (child.is_null()) child = nlohmann::json::object();
    if (!child.is_object()) return false;
    node = &child;
  }
  (*node)[parts.back()] = value;
  return true;
}

std::string fingerprint_file(const std::string& path) {
  // FNV-1a over the file: enough to notice that a workload file changed under a study.
  const std::string text = io::read_text_file(path);
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

// A file named in a spec: relative to the spec, as given, or shipped in the data directory (a
// name in its `shipped` folder, with or without ".json").
std::string resolve_file(const std::string& spec_file, const std::string& relative,
                         const JsonObject& where, std::string_view key,
                         const std::string& shipped = "workloads") {
  namespace fs = std::filesystem;
  const fs::path spec_dir = fs::path(spec_file).parent_path();
  const fs::path candidates[] = {spec_dir / relative, fs::path(relative),
                                 fs::path(io::data_directory()) / relative,
                                 fs::path(io::data_directory()) / shipped / relative,
                                 fs::path(io::data_directory()) / shipped / (relative + ".json")};
  for (const fs::path& candidate : candidates)
    if (fs::is_regular_file(candidate)) return candidate.lexically_normal().string();
  where.fail(key, "\"" + relative + "\"",
             "an existing file (relative to the spec, or a shipped name in " +
                 io::data_directory() + "/" + shipped + ")");
}

bool is_serving_option(const std::string& name) {
  return name.rfind("serving.", 0) == 0;
}

constexpr std::string_view kPlatformPrefix = "platform.";

bool is_platform_field(const std::string& name) {
  return name.rfind(kPlatformPrefix, 0) == 0;
}

const io::TechLibrary& default_library() {
  static const io::TechLibrary library = io::load_default_tech_library();
  return library;
}

std::string unit_names(const nlohmann::json& platform) {
  std::string names;
  if (platform.contains("units") && platform["units"].is_array())
    for (const nlohmann::json& unit : platform["units"])
      if (unit.is_object() && unit.contains("name") && unit["name"].is_string())
        names += (names.empty() ? "" : ", ") + unit["name"].get<std::string>();
  return names;
}

// Sets a platform field, "units.<unit>.<path>" addressing the unit of that name; the reason when
// it cannot ("" when set).
std::string set_platform_path(nlohmann::json& platform, const std::string& path,
                              const nlohmann::json& value) {
  if (path.rfind("units.", 0) != 0)
    return set_path(platform, path, value)
               ? ""
               : "'" + path.substr(0, path.rfind('.')) + "' is not an object in the platform";
  const std::size_t dot = path.find('.', 6);
  const std::string unit = path.substr(6, dot == std::string::npos ? dot : dot - 6);
  if (dot == std::string::npos || !platform.contains("units") || !platform["units"].is_array())
    return "give platform.units.<unit>.<field>, units: " + unit_names(platform);
  for (nlohmann::json& entry : platform["units"])
    if (entry.is_object() && entry.value("name", std::string{}) == unit) {
      const std::string rest = path.substr(dot + 1);
      return set_path(entry, rest, value)
                 ? ""
                 : "'units." + unit + "." + rest.substr(0, rest.rfind('.')) +
                       "' is not an object in the platform (a hardware "
                       "file name: give the hardware inline to vary it)";
    }
  return "no unit '" + unit + "' in the platform, allowed: " + unit_names(platform);
}

// Every level of a serving parameter must be a value its option allows.
void check_serving_parameter(const ParameterSpec& p, const std::string& file, bool has_scenario) {
  const auto known = std::find_if(kServingOptions.begin(), kServingOptions.end(),
                                  [&](const auto& option) { return option.first == p.name; });
  if (known == kServingOptions.end()) {
    std::string names;
    for (const auto& option : kServingOptions)
      names += (names.empty() ? "" : ", ") + std::string(option.first);
    throw InputError(file + ": unknown serving parameter '" + p.name + "', allowed: " + names);
  }
  if (!has_scenario)
    throw InputError(file + ": parameter '" + p.name +
                     "' is a serving option: the spec must name a \"scenario\"");
  const auto fail = [&](const std::string& value) {
    throw InputError(file + ": parameter '" + p.name + "' = " + value +
                     ", allowed: " + std::string(known->second));
  };
  const search::Dimension& d = p.dimension;
  if (p.name == "serving.policy") {
    for (const nlohmann::json& level : p.level_values)
      if (!level.is_string() || !model::platform::policy_from_string(level.get<std::string>()))
        fail(excerpt(level));
    if (p.level_values.empty()) fail("a continuous range");
    return;
  }
  std::vector<double> values = d.values;
  if (!d.is_discrete()) values = {d.lo, d.hi};
  if (d.is_discrete() && values.empty()) fail("text levels");
  if (p.name == "serving.max_partitions" && !d.is_discrete()) fail("a continuous range");
  for (double v : values) {
    const bool ok = p.name == "serving.max_partitions"   ? v >= 1 && v <= 64 && std::floor(v) == v
                    : p.name == "serving.partition_step" ? v > 0 && v <= 1
                                                         : v >= 0 && v <= 1e9;
    if (!ok) fail(fmt::format("{:g}", v));
  }
}

ParameterSpec parse_parameter(const JsonObject& p, std::size_t index) {
  ParameterSpec param;
  param.name = p.string("name");
  const JsonObject j(p.json(), p.file(),
                     "parameters[" + std::to_string(index) + "](" + param.name + ")");
  j.allow_only({"name", "values", "pow2", "range", "step", "float", "log", "categorical"});
  param.hardware_field = param.name.find('.') != std::string::npos;
  const int forms = j.has("values") + j.has("pow2") + j.has("range") + j.has("float");
  if (forms != 1) j.fail_here("give exactly one of values, pow2, range, float");
  auto two_numbers = [&](std::string_view key) {
    const nlohmann::json& value = j.raw(key);
    if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number())
      j.fail(key, excerpt(value), "[min, max]");
    const double lo = value[0].get<double>(), hi = value[1].get<double>();
    if (lo > hi) j.fail(key, excerpt(value), "an empty range is not a space: min <= max");
    return std::pair{lo, hi};
  };
  // Levels are counted before any is built: a range of 10^9 steps is an error, not 10^9 levels.
  auto check_level_count = [&](std::string_view key, double count) {
    if (!(count <= static_cast<double>(limits::kMaxLevels)))
      j.fail(key, excerpt(j.raw(key)),
             "at most " + std::to_string(limits::kMaxLevels) + " levels (this gives " +
                 fmt::format("{:.4g}", count) + "; use \"float\" for a continuous range)");
  };
  std::vector<double> numbers;
  if (j.has("values")) {
    const nlohmann::json& values = j.raw("values");
    if (!values.is_array() || values.empty())
      j.fail("values", excerpt(values), "a non-empty list of numbers or strings");
    check_level_count("values", static_cast<double>(values.size()));
    bool all_numbers = true, all_strings = true;
    for (const auto& v : values) {
      all_numbers = all_numbers && v.is_number();
      all_strings = all_strings && v.is_string();
    }
    if (!all_numbers && !all_strings)
      j.fail("values", excerpt(values), "a list of numbers, or a list of strings");
    std::set<std::string> seen;
    for (const auto& v : values) {
      if (!seen.insert(v.dump()).second) j.fail("values", excerpt(values), "distinct values");
      param.level_values.push_back(v);
    }
    if (all_strings) {
      std::vector<std::string> labels;
      for (const auto& v : values) labels.push_back(v.get<std::string>());
      param.dimension = search::Dimension::categorical_levels(param.name, labels);
      return param;
    }
    for (const auto& v : values) numbers.push_back(v.get<double>());
  } else if (j.has("pow2")) {
    const auto [lo, hi] = two_numbers("pow2");
    if (lo <= 0) j.fail("pow2", excerpt(j.raw("pow2")), "[min, max] with min > 0");
    check_level_count("pow2", std::floor(std::log2(hi / lo) + 1e-12) + 1);
    for (double v = lo; v <= hi * (1 + 1e-12); v *= 2) {
      numbers.push_back(v);
      param.level_values.push_back(level_json(v));
    }
  } else if (j.has("range")) {
    const auto [lo, hi] = two_numbers("range");
    const double step = j.positive("step", 1.0);
    const double count = std::floor((hi - lo) / step + 1e-9) + 1;
    check_level_count("range", count);
    // Each level from its index (adding steps would stall where a step is below the precision of
    // the value, and accumulate rounding); levels must differ.
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) {
      const double v = lo + static_cast<double>(i) * step;
      if (!numbers.empty() && v <= numbers.back())
        j.fail("step", excerpt(j.raw("step")),
               "a step larger than the precision of the range's values (levels must differ)");
      numbers.push_back(v);
      param.level_values.push_back(level_json(v));
    }
  } else {
    const auto [lo, hi] = two_numbers("float");
    const bool log_scale = j.boolean("log", false);
    if (lo == hi) j.fail("float", excerpt(j.raw("float")), "min < max");
    if (log_scale && lo <= 0) j.fail("float", excerpt(j.raw("float")), "min > 0 with log: true");
    param.dimension = search::Dimension::continuous_range(param.name, lo, hi, log_scale);
    return param;
  }
  param.dimension = search::Dimension::numeric_levels(param.name, numbers);
  param.dimension.categorical = j.boolean("categorical", false);
  return param;
}

Operand parse_operand(const JsonObject& j, std::string_view key,
                      const std::vector<ParameterSpec>& parameters) {
  if (!j.has(key)) j.fail_missing(key, "a parameter name or a number");
  const nlohmann::json& value = j.raw(key);
  Operand operand;
  if (value.is_number()) {
    operand.value = value.get<double>();
    if (!(operand.value > 0)) j.fail(key, excerpt(value), "a number > 0 or a parameter name");
    return operand;
  }
  if (value.is_string()) {
    operand.parameter = value.get<std::string>();
    for (const ParameterSpec& p : parameters)
      if (p.name == operand.parameter) {
        if (p.dimension.is_discrete() && p.dimension.values.empty())
          j.fail(key, excerpt(value), "a numeric parameter");
        return operand;
      }
  }
  std::vector<std::string> names;
  for (const ParameterSpec& p : parameters) names.push_back(p.name);
  j.fail(key, excerpt(value), "a number > 0 or one of the parameters: " + join(names));
}

// The smallest and largest value an operand takes over the space.
std::pair<double, double> operand_range(const Operand& operand,
                                        const std::vector<ParameterSpec>& parameters) {
  if (operand.parameter.empty()) return {operand.value, operand.value};
  for (const ParameterSpec& p : parameters) {
    if (p.name != operand.parameter) continue;
    const search::Dimension& d = p.dimension;
    if (!d.is_discrete()) return {d.lo, d.hi};
    const auto [lo, hi] = std::minmax_element(d.values.begin(), d.values.end());
    return {*lo, *hi};
  }
  return {0, 0};
}

// Every value the operand takes must lie in [lo, hi].
void check_operand(const JsonObject& j, std::string_view key, const Operand& operand,
                   const std::vector<ParameterSpec>& parameters, double lo, double hi,
                   const std::string& allowed) {
  const auto [min, max] = operand_range(operand, parameters);
  if (!(min >= lo && max <= hi))
    j.fail(key,
           excerpt(j.raw(key)) +
               (operand.parameter.empty() ? "" : fmt::format(" (from {:.6g} to {:.6g})", min, max)),
           allowed);
}

DerivedRule parse_rule(const JsonObject& j, const std::vector<ParameterSpec>& parameters) {
  DerivedRule rule;
  const std::string kind = j.string("rule");
  if (kind == "pe_array") {
    j.allow_only({"rule", "pe_count", "aspect"});
    rule.kind = DerivedRule::Kind::pe_array;
    rule.pe_count = parse_operand(j, "pe_count", parameters);
    check_operand(j, "pe_count", rule.pe_count, parameters, 1,
                  static_cast<double>(limits::kMaxPeCount),
                  fmt::format("PE counts from 1 to {} (2^32)", limits::kMaxPeCount));
    rule.aspect = j.has("aspect") ? parse_operand(j, "aspect", parameters) : Operand{"", 1.0};
    if (j.has("aspect"))
      check_operand(j, "aspect", rule.aspect, parameters, 1e-6, 1e6,
                    "rows / cols ratios from 1e-6 to 1e6");
  } else if (kind == "dram_split") {
    j.allow_only({"rule", "total_gbps", "fractions"});
    rule.kind = DerivedRule::Kind::dram_split;
    rule.total_gbps = parse_operand(j, "total_gbps", parameters);
    check_operand(j, "total_gbps", rule.total_gbps, parameters, limits::kMinBandwidthGbps,
                  limits::kMaxBandwidthGbps,
                  fmt::format("bandwidths from {} to {} GB/s", limits::kMinBandwidthGbps,
                              limits::kMaxBandwidthGbps));
    const JsonObject fractions = j.object("fractions");
    fractions.allow_only({"inputs", "weights", "outputs", "vector"});
    for (const char* interface : {"inputs", "weights", "outputs", "vector"}) {
      rule.fractions.emplace_back(interface, parse_operand(fractions, interface, parameters));
      check_operand(fractions, interface, rule.fractions.back().second, parameters, 1e-6, 1e6,
                    "fractions from 1e-6 to 1e6 (relative to their sum)");
    }
  } else {
    j.fail("rule", excerpt(j.raw("rule")), "one of pe_array, dram_split");
  }
  return rule;
}

double operand_value(const SpaceSpec& spec, const Operand& operand, const search::Point& point) {
  if (operand.parameter.empty()) return operand.value;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    if (spec.parameters[i].name != operand.parameter) continue;
    const search::Dimension& d = spec.parameters[i].dimension;
    return d.is_discrete() ? d.values.at(static_cast<std::size_t>(point[i])) : point[i];
  }
  throw std::logic_error("derived rule refers to unknown parameter " + operand.parameter);
}

// Hardware fields set by the derived rules, as (path, value).
std::vector<std::pair<std::string, nlohmann::json>> derived_fields(const SpaceSpec& spec,
                                                                   const search::Point& point) {
  std::vector<std::pair<std::string, nlohmann::json>> fields;
  for (const DerivedRule& rule : spec.derived) {
    if (rule.kind == DerivedRule::Kind::pe_array) {
      // rows x cols = pe_count exactly: rows is the divisor of pe_count nearest (in log) to
      // sqrt(pe_count * aspect), ties to the taller array. Divisors come in pairs (d, pes / d)
      // with d <= sqrt(pes): at most 2^16 steps for the largest count (limits::kMaxPeCount).
      const auto pes = std::clamp<std::int64_t>(
          std::llround(std::clamp(operand_value(spec, rule.pe_count, point), 1.0,
                                  static_cast<double>(limits::kMaxPeCount))),
          1, limits::kMaxPeCount);
      const double ideal_rows =
          std::log(std::sqrt(static_cast<double>(pes) * operand_value(spec, rule.aspect, point)));
      std::int64_t rows = 1;
      const auto consider = [&](std::int64_t d) {
        const double distance = std::abs(std::log(static_cast<double>(d)) - ideal_rows);
        const double best = std::abs(std::log(static_cast<double>(rows)) - ideal_rows);
        if (distance < best - 1e-12 || (distance <= best + 1e-12 && d > rows)) rows = d;
      };
      for (std::int64_t d = 1; d * d <= pes; ++d)
        if (pes % d == 0) {
          consider(d);
          consider(pes / d);
        }
      const std::int64_t cols = pes / rows;
      fields.emplace_back("array.rows", rows);
      fields.emplace_back("array.cols", cols);
    } else {
      const double total = operand_value(spec, rule.total_gbps, point);
      double sum = 0;
      for (const auto& [name, fraction] : rule.fractions)
        sum += operand_value(spec, fraction, point);
      nlohmann::json split = nlohmann::json::object();
      for (const auto& [name, fraction] : rule.fractions)
        split[name] = total * operand_value(spec, fraction, point) / sum;
      fields.emplace_back("dram.bandwidth_gbps", split);
    }
  }
  return fields;
}

nlohmann::json value_at(const ParameterSpec& p, double coordinate) {
  if (!p.dimension.is_discrete()) return coordinate;
  return p.level_values.at(static_cast<std::size_t>(coordinate));
}

}  // namespace

std::vector<std::string> metric_names(const std::vector<WorkloadSpec>& workloads,
                                      const Scenario* scenario, bool platform) {
  std::vector<std::string> names(platform ? kPlatformMetrics.begin() : kDesignMetrics.begin(),
                                 platform ? kPlatformMetrics.end() : kDesignMetrics.end());
  if (!workloads.empty())
    names.insert(names.end(), kOverWorkloadMetrics.begin(), kOverWorkloadMetrics.end());
  for (const WorkloadSpec& w : workloads)
    for (std::string_view metric : kWorkloadMetrics)
      names.push_back(w.name + "." + std::string(metric));
  if (scenario) {
    names.insert(names.end(), kServingMetrics.begin(), kServingMetrics.end());
    for (const ScenarioTenant& t : scenario->tenants)
      for (std::string_view metric : kTenantMetrics)
        names.push_back(t.name + "." + std::string(metric));
    for (const ScenarioTenant& t : scenario->tenants)
      for (std::string_view metric : kPlatformTenantMetrics)
        if (platform) names.push_back(t.name + "." + std::string(metric));
  }
  return names;
}

model::platform::Policy serving_policy_at(const SpaceSpec& spec, const search::Point& point) {
  for (std::size_t i = 0; i < spec.parameters.size(); ++i)
    if (spec.parameters[i].name == "serving.policy")
      return *model::platform::policy_from_string(
          value_at(spec.parameters[i], point[i]).get<std::string>());
  return model::platform::Policy::elastic;
}

model::platform::PlatformOptions serving_options_at(const SpaceSpec& spec,
                                                    const search::Point& point) {
  model::platform::PlatformOptions options = spec.serving.value().scenario.options;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const ParameterSpec& p = spec.parameters[i];
    if (!p.serving_option || p.name == "serving.policy") continue;
    const double v = value_at(p, point[i]).get<double>();
    if (p.name == "serving.max_partitions") {
      options.max_partitions = static_cast<int>(v);
    } else if (p.name == "serving.switch_cost_us") {
      options.switch_cost_s = v * 1e-6;
    } else {  // serving.partition_step: its multiples below 1, and the whole array
      options.partition_menu.clear();
      for (int k = 1; k * v < 1 - 1e-9; ++k) options.partition_menu.push_back(k * v);
      options.partition_menu.push_back(1.0);
    }
  }
  return options;
}

search::Space SpaceSpec::space() const {
  std::vector<search::Dimension> dimensions;
  for (const ParameterSpec& p : parameters) dimensions.push_back(p.dimension);
  return search::Space(std::move(dimensions));
}

nlohmann::json SpaceSpec::stored_spec() const {
  nlohmann::json stored = {{"spec", raw}, {"base_hardware", base_hardware}};
  for (const WorkloadSpec& w : workloads)
    stored["workload_files"][w.name] = fingerprint_file(w.file);
  if (serving) {
    stored["scenario"] = serving->raw;
    for (const ScenarioTenant& t : serving->scenario.tenants) {
      stored["scenario_workload_files"][t.name] = fingerprint_file(t.workload);
      if (!t.trace.empty()) stored["scenario_trace_files"][t.name] = fingerprint_file(t.trace);
    }
  }
  if (platform) {
    stored["platform"] = platform->raw;
    // Hardware files its systolic units name, as the platform reader finds them.
    namespace fs = std::filesystem;
    if (platform->raw.contains("units") && platform->raw["units"].is_array())
      for (const nlohmann::json& unit : platform->raw["units"]) {
        if (!unit.is_object() || !unit.contains("hardware") || !unit["hardware"].is_string())
          continue;
        std::string hardware = unit["hardware"].get<std::string>();
        const fs::path beside = fs::path(platform->file).parent_path() / hardware;
        if (!fs::is_regular_file(hardware) && fs::is_regular_file(beside))
          hardware = beside.string();
        if (fs::is_regular_file(hardware))
          stored["platform_hardware_files"][unit.value("name", hardware)] =
              fingerprint_file(hardware);
      }
  }
  return stored;
}

nlohmann::json hardware_json_at(const SpaceSpec& spec, const search::Point& point) {
  nlohmann::json hardware = spec.base_hardware;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i)
    if (spec.parameters[i].hardware_field)
      set_path(hardware, spec.parameters[i].name, value_at(spec.parameters[i], point[i]));
  for (const auto& [path, value] : derived_fields(spec, point)) set_path(hardware, path, value);
  return hardware;
}

nlohmann::json platform_json_at(const SpaceSpec& spec, const search::Point& point) {
  nlohmann::json platform = spec.platform.value().raw;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const ParameterSpec& p = spec.parameters[i];
    if (!p.platform_field || p.name == "platform.placement") continue;
    const std::string error =
        set_platform_path(platform, p.name.substr(kPlatformPrefix.size()), value_at(p, point[i]));
    if (!error.empty()) throw InputError(spec.file + ": parameter '" + p.name + "': " + error);
  }
  return platform;
}

std::string placement_at(const SpaceSpec& spec, const search::Point& point) {
  for (std::size_t i = 0; i < spec.parameters.size(); ++i)
    if (spec.parameters[i].name == "platform.placement")
      return value_at(spec.parameters[i], point[i]).get<std::string>();
  return "layer";
}

nlohmann::json params_at(const SpaceSpec& spec, const search::Point& point) {
  nlohmann::json params = nlohmann::json::object();
  for (std::size_t i = 0; i < spec.parameters.size(); ++i)
    params[spec.parameters[i].name] = value_at(spec.parameters[i], point[i]);
  for (const auto& [path, value] : derived_fields(spec, point)) {
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) params[path + "." + it.key()] = *it;
    } else {
      params[path] = value;
    }
  }
  return params;
}

namespace {

// Every level of a platform parameter, applied alone to the platform file, must give a valid
// platform, and placements must be known: one line naming the parameter, its value and the
// platform's error (which names the platform file and field) otherwise.
void check_platform_parameters(const SpaceSpec& spec) {
  if (!spec.platform) return;
  std::string placements;
  for (std::string_view name : kPlacementNames)
    placements += (placements.empty() ? "" : ", ") + std::string(name);
  for (const ParameterSpec& p : spec.parameters) {
    if (!p.platform_field) continue;
    const search::Dimension& d = p.dimension;
    const std::size_t levels = d.is_discrete() ? d.level_count() : 2;
    for (std::size_t level = 0; level < levels; ++level) {
      const nlohmann::json value =
          value_at(p, d.is_discrete() ? static_cast<double>(level) : (level ? d.hi : d.lo));
      if (p.name == "platform.placement") {
        if (!value.is_string() || std::find(std::begin(kPlacementNames), std::end(kPlacementNames),
                                            value.get<std::string>()) == std::end(kPlacementNames))
          throw InputError(spec.file + ": parameter 'platform.placement' = " + excerpt(value) +
                           ", allowed: " + placements);
        continue;
      }
      nlohmann::json platform = spec.platform->raw;
      const std::string error =
          set_platform_path(platform, p.name.substr(kPlatformPrefix.size()), value);
      if (!error.empty()) throw InputError(spec.file + ": parameter '" + p.name + "': " + error);
      try {
        (void)platform_from_json(platform, spec.platform->file, default_library());
      } catch (const InputError& e) {
        throw InputError(spec.file + ": parameter '" + p.name + "' = " + excerpt(value) +
                         " gives an invalid platform: " + e.what());
      }
    }
  }
}

}  // namespace

SpaceSpec parse_space_spec(const nlohmann::json& json, const std::string& file) {
  const JsonObject root(json, file);
  root.allow_only({"name", "description", "hardware", "platform", "scenario", "parameters",
                   "derived", "workloads", "constraints", "objectives", "reference_point"});
  SpaceSpec spec;
  spec.file = file;
  spec.raw = json;
  spec.name = root.string("name", std::filesystem::path(file).stem().string());
  spec.description = root.string("description", "");

  if (root.has("platform")) {
    // A heterogeneous platform (spaces/platforms): its units are the hardware, its tenants the
    // scenario's (errors name the platform file).
    const auto refuse = [&](std::string_view key, const std::string& allowed) {
      if (root.has(key)) root.fail(key, excerpt(root.raw(key), 60), allowed);
    };
    refuse("hardware",
           "no hardware beside a \"platform\" (its units are the hardware: vary them with "
           "'platform.units.<unit>.<field>' parameters)");
    refuse("workloads", "no workloads beside a \"platform\" (its tenants are the scenario's)");
    refuse("derived", "no derived rules beside a \"platform\" (they set hardware fields)");
    if (!root.has("scenario"))
      root.fail_missing("scenario",
                        "the scenario a \"platform\" serves (a file or a shipped name)");
    PlatformSpaceSpec platform;
    platform.file = resolve_file(file, root.string("platform"), root, "platform", "platforms");
    platform.raw = io::read_json_file(platform.file);
    (void)platform_from_json(platform.raw, platform.file, default_library());
    spec.platform = std::move(platform);
  } else {
    // Base hardware: a file next to the spec (or shipped), or an inline object.
    if (!root.has("hardware")) root.fail_missing("hardware", "a hardware file path or object");
    std::string hardware_file = file;
    if (root.raw("hardware").is_string()) {
      hardware_file = resolve_file(file, root.string("hardware"), root, "hardware");
      spec.base_hardware = io::read_json_file(hardware_file);
    } else {
      spec.base_hardware = root.raw("hardware");
    }
    io::parse_hardware(spec.base_hardware, hardware_file);  // errors name the hardware file
  }

  // A serving scenario (spaces/scenarios; errors name the scenario file).
  if (root.has("scenario")) {
    ServingSpec serving;
    const std::string scenario_file =
        resolve_file(file, root.string("scenario"), root, "scenario", "scenarios");
    serving.raw = io::read_json_file(scenario_file);
    serving.scenario = load_scenario(scenario_file);
    spec.serving = std::move(serving);
  }

  // Parameters.
  if (!root.has("parameters") || !root.raw("parameters").is_array() ||
      root.raw("parameters").empty())
    root.fail("parameters",
              root.has("parameters") ? excerpt(root.raw("parameters"), 60) : "missing",
              "a non-empty list of parameters");
  if (root.raw("parameters").size() > static_cast<std::size_t>(limits::kMaxParameters))
    root.fail("parameters", std::to_string(root.raw("parameters").size()) + " parameters",
              "at most " + std::to_string(limits::kMaxParameters) + " (limit)");
  std::set<std::string> names;
  std::int64_t total_levels = 0;
  for (std::size_t i = 0; i < root.raw("parameters").size(); ++i) {
    const JsonObject p(root.raw("parameters")[i], file, "parameters[" + std::to_string(i) + "]");
    ParameterSpec param = parse_parameter(p, i);
    total_levels += static_cast<std::int64_t>(param.dimension.level_count());
    if (total_levels > kMaxTotalLevels)
      p.fail_here("the space's parameters have more than " + std::to_string(kMaxTotalLevels) +
                  " levels in all (limit)");
    // A top-level hardware field (clock_mhz, tech_node_nm) has no dot in its name.
    param.hardware_field = param.hardware_field || spec.base_hardware.contains(param.name);
    if (is_serving_option(param.name)) {
      param.hardware_field = false;
      param.serving_option = true;
      check_serving_parameter(param, file, spec.serving.has_value());
    } else if (is_platform_field(param.name)) {
      param.hardware_field = false;
      param.platform_field = true;
      if (!spec.platform)
        throw InputError(file + ": parameter '" + param.name +
                         "' is a platform field: the spec must name a \"platform\"");
    } else if (spec.platform) {
      throw InputError(file + ": parameter '" + param.name +
                       "' is not a platform field, allowed: platform.placement, "
                       "platform.dram.<field>, platform.units.<unit>.<field> (units: " +
                       unit_names(spec.platform->raw) + ") and serving options");
    }
    if (!names.insert(param.name).second)
      p.fail("name", "\"" + param.name + "\"", "a name not used by another parameter");
    spec.parameters.push_back(std::move(param));
  }
  if (root.has("derived")) {
    const nlohmann::json& rules = root.raw("derived");
    if (!rules.is_array()) root.fail("derived", excerpt(rules, 60), "a list of rules");
    for (std::size_t i = 0; i < rules.size(); ++i)
      spec.derived.push_back(parse_rule(
          JsonObject(rules[i], file, "derived[" + std::to_string(i) + "]"), spec.parameters));
  }
  // Virtual parameters must feed a rule.
  for (const ParameterSpec& p : spec.parameters) {
    if (p.hardware_field || p.serving_option || p.platform_field) continue;
    bool used = false;
    for (const DerivedRule& rule : spec.derived) {
      used = used || rule.pe_count.parameter == p.name || rule.aspect.parameter == p.name ||
             rule.total_gbps.parameter == p.name;
      for (const auto& [name, fraction] : rule.fractions)
        used = used || fraction.parameter == p.name;
    }
    if (!used)
      throw InputError(file + ": parameter '" + p.name +
                       "' is neither a hardware field (a dot path such as 'array.rows') nor used "
                       "by a derived rule");
  }
  // Every hardware field must exist and every level must make valid hardware: try them.
  const search::Space space = spec.space();
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const ParameterSpec& p = spec.parameters[i];
    if (!p.hardware_field) continue;
    search::Point point(spec.parameters.size(), 0.0);
    for (std::size_t d = 0; d < point.size(); ++d)
      if (!spec.parameters[d].dimension.is_discrete()) point[d] = spec.parameters[d].dimension.lo;
    const std::size_t levels = p.dimension.is_discrete() ? p.dimension.level_count() : 2;
    for (std::size_t level = 0; level < levels; ++level) {
      point[i] = p.dimension.is_discrete() ? static_cast<double>(level)
                                           : (level ? p.dimension.hi : p.dimension.lo);
      nlohmann::json hardware = spec.base_hardware;
      if (!set_path(hardware, p.name, value_at(p, point[i])))
        throw InputError(file + ": parameter '" + p.name + "' is not a hardware field: '" +
                         p.name.substr(0, p.name.rfind('.')) +
                         "' is not an object in the hardware");
      try {
        io::parse_hardware(hardware, "hardware");
      } catch (const InputError& e) {
        throw InputError(file + ": parameter '" + p.name + "' = " + excerpt(value_at(p, point[i])) +
                         " gives invalid hardware: " + std::string(e.what()).substr(10));
      }
    }
  }
  check_platform_parameters(spec);
  try {
    search::Point first(space.dimension_count(), 0.0);
    for (std::size_t d = 0; d < first.size(); ++d)
      if (!space.dimension(d).is_discrete()) first[d] = space.dimension(d).lo;
    if (!spec.platform) io::parse_hardware(hardware_json_at(spec, first), "hardware");
  } catch (const InputError& e) {
    if (!spec.derived.empty())
      throw InputError(
          file + ": derived rules give invalid hardware: " + std::string(e.what()).substr(10));
  }

  // Workloads (none needed when a scenario judges the designs).
  const bool workloads_optional = spec.serving.has_value() && !root.has("workloads");
  if (!workloads_optional && (!root.has("workloads") || !root.raw("workloads").is_array() ||
                              root.raw("workloads").empty()))
    root.fail("workloads", root.has("workloads") ? excerpt(root.raw("workloads"), 60) : "missing",
              spec.serving ? "a non-empty list of workloads, or none beside the scenario"
                           : "a non-empty list of workloads (or a \"scenario\")");
  std::set<std::string> workload_names;
  if (spec.serving)
    for (const ScenarioTenant& t : spec.serving->scenario.tenants) workload_names.insert(t.name);
  const std::size_t workload_count = workloads_optional ? 0 : root.raw("workloads").size();
  for (std::size_t i = 0; i < workload_count; ++i) {
    const JsonObject w(root.raw("workloads")[i], file, "workloads[" + std::to_string(i) + "]");
    w.allow_only({"name", "file", "batch", "mode", "optimizer", "weight"});
    WorkloadSpec workload;
    const std::string relative = w.string("file");
    workload.file = resolve_file(file, relative, w, "file");
    workload.name = w.string("name", std::filesystem::path(relative).stem().string());
    if (!workload_names.insert(workload.name).second)
      w.fail("name", "\"" + workload.name + "\"",
             "a name not used by another workload or a tenant of the scenario");
    workload.batch = w.integer("batch", 1, 1, limits::kMaxBatch);
    const std::string mode = w.string("mode", "inference");
    if (mode != "inference" && mode != "training")
      w.fail("mode", "\"" + mode + "\"", "one of inference, training");
    workload.training = mode == "training";
    workload.optimizer = w.string("optimizer", "sgd");
    if (workload.optimizer != "sgd" && workload.optimizer != "momentum" &&
        workload.optimizer != "adam")
      w.fail("optimizer", "\"" + workload.optimizer + "\"", "one of sgd, momentum, adam");
    workload.weight = w.positive("weight", 1.0);
    spec.workloads.push_back(std::move(workload));
  }

  // Constraints and objectives name metrics.
  const std::vector<std::string> metrics = metric_names(
      spec.workloads, spec.serving ? &spec.serving->scenario : nullptr, spec.platform.has_value());
  auto known_metric = [&](const std::string& name) {
    return std::find(metrics.begin(), metrics.end(), name) != metrics.end();
  };
  if (root.has("constraints")) {
    const JsonObject constraints = root.object("constraints");
    for (auto it = constraints.json().begin(); it != constraints.json().end(); ++it) {
      if (!known_metric(it.key()))
        throw InputError(file + ": unknown metric 'constraints." + it.key() +
                         "', allowed: " + join(metrics));
      const JsonObject bound = constraints.object(it.key());
      bound.allow_only({"min", "max"});
      Bound b{it.key(), std::nullopt, std::nullopt};
      if (bound.has("min")) b.min = bound.number("min");
      if (bound.has("max")) b.max = bound.number("max");
      if (!b.min && !b.max) bound.fail_here("give min, max or both");
      if (b.min && b.max && *b.min > *b.max)
        bound.fail("min", std::to_string(*b.min),
                   "contradictory bounds: min <= max (" + std::to_string(*b.max) + ")");
      spec.constraints.push_back(b);
    }
  }
  if (!root.has("objectives") || !root.raw("objectives").is_array() ||
      root.raw("objectives").empty())
    root.fail("objectives",
              root.has("objectives") ? excerpt(root.raw("objectives"), 60) : "missing",
              "a list of one or more metrics, e.g. [\"latency\", \"energy\"]");
  std::vector<std::string> allowed_objectives = metrics;
  for (const Alias& a : kAliases) allowed_objectives.emplace_back(a.alias);
  for (const auto& entry : root.raw("objectives")) {
    ObjectiveSpec objective;
    std::string name;
    std::optional<std::string> goal;
    if (entry.is_string()) {
      name = entry.get<std::string>();
    } else if (entry.is_object()) {
      const JsonObject o(entry, file, "objectives");
      o.allow_only({"metric", "goal"});
      name = o.string("metric");
      goal = o.string("goal", "");
      if (goal->empty()) goal.reset();
      if (goal && *goal != "min" && *goal != "max")
        o.fail("goal", "\"" + *goal + "\"", "min or max");
    } else {
      root.fail("objectives", excerpt(entry),
                "metric names or {\"metric\": ..., \"goal\": \"min\"|\"max\"}");
    }
    objective.metric = name;
    for (const Alias& a : kAliases)
      if (a.alias == name) {
        objective.metric = std::string(a.metric);
        objective.maximize = a.maximize;
      }
    if (!known_metric(objective.metric))
      throw InputError(file + ": unknown objective '" + name +
                       "', allowed: " + join(allowed_objectives));
    if (goal) objective.maximize = *goal == "max";
    for (const ObjectiveSpec& other : spec.objectives)
      if (other.metric == objective.metric)
        throw InputError(file + ": objective '" + objective.metric + "' is given twice");
    spec.objectives.push_back(objective);
  }
  if (root.has("reference_point")) {
    const nlohmann::json& ref = root.raw("reference_point");
    if (!ref.is_array() || ref.size() != spec.objectives.size())
      root.fail(
          "reference_point", excerpt(ref),
          "a list of " + std::to_string(spec.objectives.size()) + " numbers, one per objective");
    std::vector<double> values;
    for (const auto& v : ref) {
      if (!v.is_number()) root.fail("reference_point", excerpt(ref), "numbers");
      values.push_back(v.get<double>());
    }
    spec.reference_point = values;
  }
  return spec;
}

SpaceSpec read_space_spec(const std::string& path) {
  return parse_space_spec(io::read_json_file(path), path);
}

}  // namespace accelscope::engine
