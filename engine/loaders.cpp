#include "engine/loaders.hpp"

#include <filesystem>

#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/scalesim.hpp"
#include "model/io/simdit.hpp"
#include "model/io/workload_json.hpp"
#include "model/limits.hpp"
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

// Runs a reader; any error that is not already an InputError (which names the file) gets the file
// name in front, so every message says which file is at fault.
template <typename F>
auto naming_file(const std::string& path, F&& read) {
  try {
    return read();
  } catch (const io::InputError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw io::InputError(path + ": out of memory reading the file");
  } catch (const std::exception& e) {
    throw io::InputError(path + ": " + e.what());
  }
}

model::Accelerator read_hardware(const std::string& path) {
  const std::string ext = extension_of(path);
  if (ext == ".cfg") return io::read_scalesim_config(path);
  if (ext != ".json")
    throw io::InputError(path + ": unknown hardware format '" + ext +
                         "', allowed: .json (accelscope or GeneSys), .cfg (SCALE-Sim)");
  const nlohmann::json json = io::read_json_file(path);
  if (io::is_genesys_config(json)) return io::parse_genesys_config(json, path);
  return io::parse_hardware(json, path);
}

}  // namespace

model::Accelerator load_hardware(const std::string& path) {
  return naming_file(path, [&] { return read_hardware(path); });
}

model::Network load_workload(const std::string& path, const WorkloadOptions& options) {
  return naming_file(path, [&] {
    if (options.batch && (*options.batch < 1 || *options.batch > model::limits::kMaxBatch))
      throw io::InputError(path + ": batch " + std::to_string(*options.batch) +
                           ", allowed: an integer from 1 to " +
                           std::to_string(model::limits::kMaxBatch) + " (limit)");
    model::Network network = read_workload(path, options);
    if (options.training) network = model::derive_training(network, *options.training);
    model::limits::check(network);
    return network;
  });
}

}  // namespace accelscope::engine
