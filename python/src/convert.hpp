// Python values <-> JSON and the other conversions every binding needs.
#pragma once

#include <optional>
#include <string>

#include <pybind11/pybind11.h>
#include <nlohmann/json.hpp>

namespace accelscope::python {

namespace py = pybind11;

// A dict, list, str, number, bool or None as JSON. Numbers may be numpy scalars (anything with
// __index__ or __float__). TypeError naming `what` and the key path on anything else.
nlohmann::json to_json(py::handle value, const std::string& what);
// JSON as Python objects (dict, list, str, int, float, bool, None).
py::object from_json(const nlohmann::json& json);

// A str or os.PathLike as a path; nullopt for anything else.
std::optional<std::string> as_path(py::handle value);

// The thread count argument of searches and parallel evaluations: None -> 0 (all cores).
std::size_t thread_count(std::optional<std::int64_t> threads);

}  // namespace accelscope::python
