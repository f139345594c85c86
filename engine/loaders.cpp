#include "engine/loaders.hpp"

#include <filesystem>

#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/simdit.hpp"
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

}  // namespace

model::Accelerator load_hardware(const std::string& path) {
  const std::string ext = extension_of(path);
  if (ext == ".cfg") return io::read_scalesim_config(path);
  if (ext != ".json")
    throw io::InputError(path + ": unknown hardware format '" + ext +
                         "', allowed: .json (accelscope or GeneSys), .cfg (SCALE-Sim)");
  const nlohmann::json json = io::read_json_file(path);
  if (io::is_genesys_config(json)) return io::parse_genesys_config(json, path);
  return io::parse_hardware(json, path);
}

model::Network load_workload(const std::string& path, const WorkloadOptions& options) {
  model::Network network = read_workload(path, options);
  if (!options.training) return network;
  try {
    return model::derive_training(network, *options.training);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(path + ": " + e.what());
  }
}

}  // namespace accelscope::engine
