#include "fuzz/readers.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/loaders.hpp"
#include "engine/platform_spec.hpp"
#include "engine/space_spec.hpp"
#include "model/evaluate.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "model/io/workload_json.hpp"
#include "model/platform/placement.hpp"

namespace accelscope::fuzz {

namespace {

constexpr const char* kTinyHardware = R"({
  "name": "tiny", "clock_mhz": 500, "tech_node_nm": 28,
  "array": {"rows": 8, "cols": 4, "dataflow": "ws", "precision": "int8"},
  "sram": {"inputs": {"kib": 16}, "weights": {"kib": 16}, "outputs": {"kib": 8},
           "vector": {"kib": 8, "double_buffered": false}},
  "dram": {"type": "lpddr4", "bandwidth_gbps": 6.4},
  "vector": {"lanes": 4}
})";

constexpr const char* kTinyNetwork = R"({"name": "tiny", "batch": 2, "ops": [
  {"name": "conv", "type": "conv2d", "in": [3, 17, 13], "out_channels": 8, "kernel": [3, 3],
   "stride": [2, 2], "pad": [1, 1]},
  {"name": "bn", "type": "batch_norm", "shape": [8, 9, 7]},
  {"name": "relu", "type": "activation", "fn": "relu", "shape": [8, 9, 7]},
  {"name": "pool", "type": "pool", "in": [8, 9, 7], "kernel": [2, 2]},
  {"name": "fc", "type": "matmul", "m": 1, "k": 96, "n": 10},
  {"name": "softmax", "type": "softmax", "shape": [10]}
]})";

void write_file(const std::string& path, const char* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
}

const io::TechLibrary& library() {
  static const io::TechLibrary tech = io::load_default_tech_library();
  return tech;
}

void require_finite(const model::NetworkTotals& totals) {
  const double figures[] = {totals.latency_s, totals.all.total_cycles, totals.all.energy.total_pj(),
                            totals.average_power_w, totals.utilization};
  for (double figure : figures)
    if (!std::isfinite(figure)) {
      std::fprintf(stderr, "fuzz: the model gave a non-finite figure\n");
      std::abort();
    }
}

void evaluate(const model::Accelerator& accelerator, const model::Network& network,
              const io::TechLibrary& tech_library = library()) {
  model::Technology tech;
  try {
    tech = io::technology_at(tech_library, accelerator.tech_node_nm);
  } catch (const io::InputError&) {
    return;  // a node without figures is refused by the command line the same way
  }
  for (bool tile_for_capacity : {true, false}) {
    model::EvalOptions options;
    options.tile_for_capacity = tile_for_capacity;
    try {
      require_finite(model::evaluate(accelerator, network, tech, options).total);
    } catch (const std::invalid_argument&) {
      return;  // e.g. a DRAM type the technology has no figure for: the CLI reports it the same
    }
  }
}

// A private directory (created once per process) holding the input file and the fixtures a space
// spec can name: "tiny_hw.json" (hardware) and "tiny_net.json" (a workload).
const std::string& work_directory() {
  // Never destroyed: the exit handler below still needs it.
  static const std::string& directory = *new std::string([] {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("accelscope-fuzz-" + std::to_string(::getpid())))
            .string();
    std::filesystem::create_directories(path);
    write_file(path + "/tiny_hw.json", kTinyHardware,
               std::char_traits<char>::length(kTinyHardware));
    write_file(path + "/tiny_net.json", kTinyNetwork, std::char_traits<char>::length(kTinyNetwork));
    // Removed when the process ends normally (libFuzzer's -runs or -max_total_time).
    std::atexit([] { std::filesystem::remove_all(work_directory()); });
    return path;
  }());
  return directory;
}

// Writes the input to <work_directory>/input<extension> and returns that path.
std::string write_input(const std::uint8_t* data, std::size_t size, const std::string& extension) {
  const std::string path = work_directory() + "/input" + extension;
  write_file(path, reinterpret_cast<const char*>(data), size);
  return path;
}

const model::Network& tiny_network() {
  static const model::Network network =
      io::parse_workload(nlohmann::json::parse(kTinyNetwork), "tiny_net.json");
  return network;
}

const model::Accelerator& tiny_hardware() {
  static const model::Accelerator accelerator =
      io::parse_hardware(nlohmann::json::parse(kTinyHardware), "tiny_hw.json");
  return accelerator;
}

// The model on a parsed design or network, paired with a small fixed counterpart.
void exercise(const model::Accelerator& accelerator) {
  evaluate(accelerator, tiny_network());
}

void exercise(const model::Network& network) {
  evaluate(tiny_hardware(), network);
}

// A technology directory holding copies of the shipped files, made once per process.
const std::string& technology_directory() {
  static const std::string directory = [] {
    const std::string path = work_directory() + "/tech";
    std::filesystem::create_directories(path);
    for (const auto& entry : std::filesystem::directory_iterator(io::data_directory() + "/tech"))
      std::filesystem::copy_file(entry.path(), path + "/" + entry.path().filename().string(),
                                 std::filesystem::copy_options::overwrite_existing);
    return path;
  }();
  return directory;
}

// Runs `read`; io::InputError (the expected answer to bad input) is swallowed, anything else
// propagates to libFuzzer.
template <typename F>
void expecting_input_errors(F&& read) {
  try {
    read();
  } catch (const io::InputError&) {
  }
}

// The tiny network on every unit of a platform, placed per layer and split (which cost every
// group on every unit and every transfer between them): figures must stay finite.
void exercise(const model::platform::HeteroPlatform& platform) {
  namespace pl = model::platform;
  const model::PreparedNetwork prepared = model::prepare(tiny_network());
  for (model::Precision precision : {model::Precision::int8, model::Precision::fp16}) {
    const pl::NetworkCosts costs = pl::network_costs(platform, prepared, precision);
    for (pl::PlacementMode mode : {pl::PlacementMode::layer, pl::PlacementMode::split}) {
      pl::TenantPlacement tenant;
      tenant.precision = precision;
      tenant.fallback = true;
      const pl::PlacedRun run = pl::place(platform, costs, tenant, mode);
      if (run.runnable && !(std::isfinite(run.latency_s) && std::isfinite(run.dram_bytes) &&
                            std::isfinite(run.energy_pj))) {
        std::fprintf(stderr, "fuzz: a placement gave a non-finite figure\n");
        std::abort();
      }
    }
  }
}

}  // namespace

void read_platform(const std::uint8_t* data, std::size_t size, const char* extension) {
  const std::string path = write_input(data, size, extension);
  expecting_input_errors([&] { exercise(engine::load_platform(path, library())); });
}

void read_technology(const std::uint8_t* data, std::size_t size, const char* extension) {
  const std::string& directory = technology_directory();
  // The low-power table's name, from the shipped technology.json (the copy kept unchanged).
  static const std::string table_name = [&] {
    const nlohmann::json shipped =
        io::read_json_file(io::data_directory() + "/tech/technology.json");
    return shipped.at("sram").at("tables").at("low_power").at("file").get<std::string>();
  }();
  // One target writes one of the two files; the other stays as shipped.
  const bool table = std::string(extension) == ".csv";
  const std::string path = directory + "/" + (table ? table_name : "technology.json");
  write_file(path, reinterpret_cast<const char*>(data), size);
  expecting_input_errors([&] {
    const io::TechLibrary tech = io::load_tech_library(directory);
    evaluate(tiny_hardware(), tiny_network(), tech);
  });
}

void read_hardware(const std::uint8_t* data, std::size_t size, const char* extension) {
  const std::string path = write_input(data, size, extension);
  expecting_input_errors([&] { exercise(engine::load_hardware(path)); });
}

void read_workload(const std::uint8_t* data, std::size_t size, const char* extension) {
  const std::string path = write_input(data, size, extension);
  expecting_input_errors([&] { exercise(engine::load_workload(path)); });
  expecting_input_errors([&] {
    engine::WorkloadOptions training;
    training.training = model::TrainingOptions{};
    training.batch = 3;
    exercise(engine::load_workload(path, training));
  });
}

void read_space(const std::uint8_t* data, std::size_t size, const char* extension) {
  const std::string path = write_input(data, size, extension);
  expecting_input_errors([&] {
    const engine::SpaceSpec spec = engine::read_space_spec(path);
    const search::Space space = spec.space();
    for (double u : {0.0, 0.37, 0.999}) {
      const search::Point point = space.from_unit(std::vector<double>(space.dimension_count(), u));
      engine::params_at(spec, point);
      // A design outside the hardware's ranges is a failed design, not a crash.
      if (spec.platform)
        expecting_input_errors([&] {
          exercise(engine::platform_from_json(engine::platform_json_at(spec, point),
                                              spec.platform->file, library()));
        });
      else
        expecting_input_errors(
            [&] { exercise(io::parse_hardware(engine::hardware_json_at(spec, point), "design")); });
    }
  });
}

}  // namespace accelscope::fuzz
