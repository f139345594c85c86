// accelscope.evaluate, load_workload, import_onnx and the Workload class.
#include <chrono>
#include <filesystem>
#include <map>
#include <tuple>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "engine/eval_output.hpp"
#include "engine/loaders.hpp"
#include "engine/single_eval.hpp"
#include "engine/workload_stats.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/workload_json.hpp"
#include "model/onnx/onnx_import.hpp"

namespace accelscope::python {

namespace {

// A network with its preparation for totals-only evaluation (which points into it, hence
// neither copied nor moved).
struct LoadedWorkload {
  explicit LoadedWorkload(model::Network loaded)
      : network(std::move(loaded)), prepared(model::prepare(network)) {}
  LoadedWorkload(const LoadedWorkload&) = delete;
  LoadedWorkload& operator=(const LoadedWorkload&) = delete;

  const model::Network network;
  const model::PreparedNetwork prepared;
};

// accelscope.Workload: a loaded network, evaluated without re-reading any file.
struct Workload {
  std::shared_ptr<const LoadedWorkload> loaded;
  std::vector<std::string> unknown_ops;  // import_onnx: ops costed as element-wise
  std::vector<std::string> data_inputs;  // import_onnx: graph inputs taken as data
};

engine::WorkloadOptions workload_options(py::handle batch, bool training,
                                         const std::string& optimizer) {
  engine::WorkloadOptions options;
  if (!batch.is_none()) {
    const std::int64_t value = batch.cast<std::int64_t>();
    if (value < 1)
      throw io::InputError("batch = " + std::to_string(value) +
                           ", allowed: an integer >= 1, or None for the workload's own batch");
    options.batch = value;
  }
  if (training) {
    model::TrainingOptions training_options;
    training_options.optimizer = model::parse_optimizer(optimizer);
    options.training = training_options;
  } else if (optimizer != "sgd") {
    throw io::InputError("optimizer = '" + optimizer +
                         "' applies to a training iteration: pass training=True");
  }
  return options;
}

// A file's identity for the caches below: path, modification time and size, so a file changed
// since it was read is read again.
using FileVersion = std::tuple<std::string, std::filesystem::file_time_type, std::uintmax_t>;
FileVersion file_version(const std::string& path) {
  std::error_code ec;
  const auto time = std::filesystem::last_write_time(path, ec);
  const auto size = std::filesystem::file_size(path, ec);
  return {path, time, size};
}

// Files read once per version: evaluate() called in a loop on the same files costs the model
// only. Bounded (cleared when full) so sweeps over many files do not grow without end.
template <typename Key, typename Value>
class FileCache {
 public:
  template <typename Load>
  std::shared_ptr<const Value> get(const Key& key, Load&& load) {
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
    auto value = std::make_shared<const Value>(load());
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace(key, value);
    return value;
  }

 private:
  static constexpr std::size_t kMaxEntries = 64;
  std::map<Key, std::shared_ptr<const Value>> entries_;
};

// Workloads by file version, batch and training optimizer (-1: inference).
using WorkloadKey = std::tuple<FileVersion, std::int64_t, int>;
using WorkloadCache = FileCache<WorkloadKey, LoadedWorkload>;
using HardwareCache = FileCache<FileVersion, model::Accelerator>;

// Technology tables by directory ("" = shipped) and node, read once per process.
class TechnologyCache {
 public:
  const model::Technology& get(const std::string& directory, const model::Accelerator& accelerator,
                               const std::string& hardware_source) {
    const auto key = std::make_pair(directory, accelerator.tech_node_nm);
    if (auto it = technologies_.find(key); it != technologies_.end()) return it->second;
    auto library = libraries_.find(directory);
    if (library == libraries_.end())
      library = libraries_
                    .emplace(directory, directory.empty() ? io::load_default_tech_library()
                                                          : io::load_tech_library(directory))
                    .first;
    return technologies_
        .emplace(key, engine::technology_for(library->second, accelerator, hardware_source))
        .first->second;
  }

 private:
  std::map<std::string, io::TechLibrary> libraries_;
  std::map<std::pair<std::string, int>, model::Technology> technologies_;
};

// The caches are only touched with the GIL held.
WorkloadCache& workload_cache() {
  static WorkloadCache cache;
  return cache;
}
HardwareCache& hardware_cache() {
  static HardwareCache cache;
  return cache;
}

std::shared_ptr<const LoadedWorkload> cached_workload(const std::string& argument,
                                                      const engine::WorkloadOptions& options) {
  const std::string path = engine::resolve_workload(argument);
  const WorkloadKey key{file_version(path), options.batch.value_or(0),
                        options.training ? static_cast<int>(options.training->optimizer) : -1};
  return workload_cache().get(key, [&] { return engine::load_workload(path, options); });
}
TechnologyCache& technology_cache() {
  static TechnologyCache cache;
  return cache;
}

std::shared_ptr<const LoadedWorkload> load(py::handle workload,
                                           const engine::WorkloadOptions& options) {
  if (py::isinstance<Workload>(workload)) {
    if (options.batch || options.training)
      throw io::InputError(
          "workload: a loaded Workload keeps the batch and mode it was loaded with; pass batch, "
          "training and optimizer to load_workload instead");
    return workload.cast<const Workload&>().loaded;
  }
  if (py::isinstance<py::dict>(workload))
    return std::make_shared<const LoadedWorkload>(
        engine::workload_from_json(to_json(workload, "workload"), "workload", options));
  if (const auto path = as_path(workload)) return cached_workload(*path, options);
  throw py::type_error(
      "workload: a file path, a shipped workload name, a dict or a Workload, not " +
      py::str(workload.get_type().attr("__name__")).cast<std::string>());
}

// Hardware from a file or a dict; `source` names it in error messages as the CLI does.
struct HardwareArgument {
  std::optional<std::string> path;
  nlohmann::json json;
  std::string source;

  explicit HardwareArgument(py::handle hw) {
    if (py::isinstance<py::dict>(hw)) {
      json = to_json(hw, "hw");
      source = "hardware";
    } else if ((path = as_path(hw))) {
      source = *path;
    } else {
      throw py::type_error("hw: a hardware file path or a dict in the hardware JSON form, not " +
                           py::str(hw.get_type().attr("__name__")).cast<std::string>());
    }
  }
  model::Accelerator load() const {
    if (!path) return engine::hardware_from_json(json, source);
    return *hardware_cache().get(file_version(*path), [&] { return engine::load_hardware(*path); });
  }
};

engine::SingleEvalOptions eval_options(bool per_layer, const std::string& compat) {
  if (compat != "none" && compat != "scalesim")
    throw io::InputError("compat = '" + compat + "', allowed: none, scalesim");
  return {.per_layer = per_layer, .scalesim_compat = compat == "scalesim"};
}

std::string tech_directory(py::handle tech) {
  if (tech.is_none()) return "";
  if (const auto path = as_path(tech)) return *path;
  throw py::type_error("tech: a directory of technology tables, or None for the shipped ones");
}

// The work of one evaluate() call once its arguments are converted.
nlohmann::json evaluate_json(const model::Accelerator& accelerator,
                             const std::string& hardware_source, const LoadedWorkload& workload,
                             const model::Technology& tech,
                             const engine::SingleEvalOptions& options) {
  return engine::report_to_json(
      accelerator, workload.network,
      engine::evaluate_single(accelerator, workload.network, &workload.prepared, tech, options,
                              hardware_source),
      options.per_layer);
}

py::object evaluate(py::handle hw, py::handle workload, py::handle batch, bool training,
                    const std::string& optimizer, bool per_layer, const std::string& compat,
                    py::handle tech) {
  const HardwareArgument hardware(hw);
  const engine::SingleEvalOptions options = eval_options(per_layer, compat);
  const std::shared_ptr<const LoadedWorkload> loaded =
      load(workload, workload_options(batch, training, optimizer));
  const model::Accelerator accelerator = hardware.load();
  const model::Technology& technology =
      technology_cache().get(tech_directory(tech), accelerator, hardware.source);
  nlohmann::json result;
  {
    py::gil_scoped_release release;
    result = evaluate_json(accelerator, hardware.source, *loaded, technology, options);
  }
  return from_json(result);
}

// The C++ side of evaluate() alone, `calls` times: finding the cached hardware, workload and
// technology, the model, the JSON; no Python objects. What the binding adds is the
// difference to evaluate() called from Python. For BENCHMARKS.md.
double bench_native(py::handle hw, py::handle workload, std::int64_t calls, bool per_layer) {
  const HardwareArgument hardware(hw);
  const engine::SingleEvalOptions options = eval_options(per_layer, "none");
  const std::optional<std::string> workload_path = as_path(workload);
  if (!workload_path) throw py::type_error("workload: a path or shipped name");
  const engine::WorkloadOptions workload_options;
  const auto start = std::chrono::steady_clock::now();
  double checksum = 0;
  for (std::int64_t i = 0; i < calls; ++i) {
    const auto loaded = cached_workload(*workload_path, workload_options);
    const model::Accelerator accelerator = hardware.load();
    const model::Technology& technology = technology_cache().get("", accelerator, hardware.source);
    checksum += evaluate_json(accelerator, hardware.source, *loaded, technology,
                              options)["total"]["total_cycles"]
                    .get<double>();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!(checksum > 0)) throw std::runtime_error("bench: no work was done");
  return seconds;
}

Workload load_workload(py::handle workload, py::handle batch, bool training,
                       const std::string& optimizer) {
  return {load(workload, workload_options(batch, training, optimizer)), {}, {}};
}

Workload import_onnx(py::handle path, const std::map<std::string, std::int64_t>& dims,
                     py::handle batch, const std::string& name, bool unknown_as_eltwise) {
  const std::optional<std::string> file = as_path(path);
  if (!file) throw py::type_error("path: an ONNX file path");
  io::OnnxImportOptions options;
  for (const auto& [dim, value] : dims) {
    if (value < 1)
      throw io::InputError("dims['" + dim + "'] = " + std::to_string(value) +
                           ", allowed: an integer >= 1");
    options.dims[dim] = value;
  }
  options.batch = workload_options(batch, false, "sgd").batch;
  options.name = name;
  options.unknown_as_eltwise = unknown_as_eltwise;
  io::OnnxImport imported;
  {
    py::gil_scoped_release release;
    imported = io::import_onnx_file(*file, options);
  }
  return {std::make_shared<const LoadedWorkload>(std::move(imported.network)),
          std::move(imported.unknown_ops), std::move(imported.data_inputs)};
}

}  // namespace

void register_evaluate(py::module_& m) {
  py::class_<Workload>(m, "Workload",
                       "A loaded workload (network): pass it to evaluate() to skip reading files.")
      .def_property_readonly(
          "name", [](const Workload& w) { return w.loaded->network.name; }, "Network name.")
      .def_property_readonly(
          "batch", [](const Workload& w) { return w.loaded->network.batch; }, "Batch size.")
      .def_property_readonly(
          "training",
          [](const Workload& w) { return model::has_training_phases(w.loaded->network); },
          "True for a training iteration (backward and update phases).")
      .def_property_readonly(
          "unknown_ops", [](const Workload& w) { return w.unknown_ops; },
          "import_onnx: nodes costed as element-wise because their op is unsupported.")
      .def_property_readonly(
          "data_inputs", [](const Workload& w) { return w.data_inputs; },
          "import_onnx: graph inputs taken as data (the others are parameters).")
      .def("__len__", [](const Workload& w) { return w.loaded->network.ops.size(); })
      .def(
          "stats",
          [](const Workload& w) {
            const engine::WorkloadStats s = engine::workload_stats(w.loaded->network);
            return py::dict(py::arg("ops") = s.ops, py::arg("macs") = s.macs,
                            py::arg("parameters") = s.parameters,
                            py::arg("activation_elements") = s.activation_elements);
          },
          "Size as `accelscope workloads` gives it: ops, macs, parameters, activation_elements.")
      .def(
          "to_dict",
          [](const Workload& w) { return from_json(io::workload_to_json(w.loaded->network)); },
          "The network in the native workload JSON form (what import-onnx writes).")
      .def("__repr__", [](const Workload& w) {
        const model::Network& n = w.loaded->network;
        return "<accelscope.Workload " + n.name + ": batch " + std::to_string(n.batch) + ", " +
               std::to_string(n.ops.size()) + " ops" +
               (model::has_training_phases(n) ? ", training" : "") + ">";
      });

  m.def("evaluate", &evaluate, py::arg("hw"), py::arg("workload"), py::arg("batch") = py::none(),
        py::arg("training") = false, py::arg("optimizer") = "sgd", py::arg("per_layer") = true,
        py::arg("compat") = "none", py::arg("tech") = py::none());
  m.def("load_workload", &load_workload, py::arg("workload"), py::arg("batch") = py::none(),
        py::arg("training") = false, py::arg("optimizer") = "sgd");
  m.def("import_onnx", &import_onnx, py::arg("path"),
        py::arg("dims") = std::map<std::string, std::int64_t>{}, py::arg("batch") = py::none(),
        py::arg("name") = "", py::arg("unknown_as_eltwise") = false);
  m.def("shipped_workloads", &engine::shipped_workloads,
        "Names of the shipped workloads (accelscope workloads), usable wherever a workload is.");
  m.def("_bench_native", &bench_native, "Seconds for `calls` evaluations without Python (bench)",
        py::arg("hw"), py::arg("workload"), py::arg("calls"), py::arg("per_layer") = false);
}

}  // namespace accelscope::python
