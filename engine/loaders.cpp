#include "engine/loaders.hpp"

#include <algorithm>
#include <filesystem>

#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/simdit.hpp"
#include "model/io/technology_io.hpp"
#include "model/io/workload_json.hpp"
#include "model/onnx/onnx_import.hpp"

namespace accelscope::engine {

namespace {

std::string extension_of(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

model::Network read_workload(const std::string& path, const WorkloadOptions& options) {
  const std::string ext = extension_of(path);
  if (ext == ".csv") return io::read_scalesim_topology(path, options.batch.value_or(1));
  if (ext == ".onnx") {
    io::OnnxImportOptions onnx;
    onnx.batch = options.batch;
    return io::import_onnx_file(path, onnx).network;
  }
  if (ext != ".json")
    throw io::InputError(path + ": unknown workload format '" + ext +
                         "', allowed: .json (accelscope or SimDIT spec), .csv (SCALE-Sim "
                         "topology), .onnx");
  const nlohmann::json json = io::read_json_file(path);
  if (io::is_simdit_spec(json)) return io::parse_simdit_spec(json, path, options.batch.value_or(1));
  return io::parse_workload(json, path, options.batch);
}

model::Network with_training(model::Network network, const std::string& source,
                             const WorkloadOptions& options) {
  if (!options.training) return network;
  try {
    return model::derive_training(network, *options.training);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(source + ": " + e.what());
  }
}

std::string shipped_workload_directory() {
  return io::data_directory() + "/workloads";
}

}  // namespace

model::Accelerator hardware_from_json(const nlohmann::json& json, const std::string& source) {
  if (io::is_genesys_config(json)) return io::parse_genesys_config(json, source);
  return io::parse_hardware(json, source);
}

model::Accelerator load_hardware(const std::string& path) {
  const std::string ext = extension_of(path);
  if (ext == ".cfg") return io::read_scalesim_config(path);
  if (ext != ".json")
    throw io::InputError(path + ": unknown hardware format '" + ext +
                         "', allowed: .json (accelscope or GeneSys), .cfg (SCALE-Sim)");
  return hardware_from_json(io::read_json_file(path), path);
}

model::Network load_workload(const std::string& path, const WorkloadOptions& options) {
  return with_training(read_workload(path, options), path, options);
}

model::Network workload_from_json(const nlohmann::json& json, const std::string& source,
                                  const WorkloadOptions& options) {
  model::Network network = io::is_simdit_spec(json)
                               ? io::parse_simdit_spec(json, source, options.batch.value_or(1))
                               : io::parse_workload(json, source, options.batch);
  return with_training(std::move(network), source, options);
}

std::vector<std::string> shipped_workloads() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_workload_directory(), ec)) {
    const std::string ext = extension_of(entry.path().string());
    if (entry.is_regular_file() && (ext == ".json" || ext == ".csv"))
      names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_workload(const std::string& path_or_name) {
  namespace fs = std::filesystem;
  if (fs::is_regular_file(path_or_name)) return path_or_name;
  const fs::path shipped = shipped_workload_directory();
  for (const fs::path& candidate : {shipped / path_or_name, shipped / (path_or_name + ".json"),
                                    shipped / (path_or_name + ".csv")})
    if (fs::is_regular_file(candidate)) return candidate.lexically_normal().string();
  const fs::path given(path_or_name);
  if (given.has_parent_path() || given.has_extension()) return path_or_name;
  std::string names;
  for (const std::string& name : shipped_workloads()) names += (names.empty() ? "" : ", ") + name;
  throw io::InputError(path_or_name +
                       ": no such workload file or shipped workload; shipped: " + names);
}

}  // namespace accelscope::engine
