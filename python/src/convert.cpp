#include "convert.hpp"

#include <cmath>

#include <pybind11_json/pybind11_json.hpp>

#include "model/io/json_reader.hpp"

namespace accelscope::python {

namespace {

nlohmann::json convert(py::handle value, const std::string& what, const std::string& path) {
  if (value.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::dict>(value)) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, item] : value.cast<py::dict>()) {
      if (!py::isinstance<py::str>(key))
        throw py::type_error(what + path + ": keys must be strings, not " +
                             py::repr(key).cast<std::string>());
      const std::string name = key.cast<std::string>();
      object[name] = convert(item, what, path + "['" + name + "']");
    }
    return object;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    nlohmann::json array = nlohmann::json::array();
    std::size_t index = 0;
    for (py::handle item : value)
      array.push_back(convert(item, what, path + "[" + std::to_string(index++) + "]"));
    return array;
  }
  // Integers (Python's, numpy's) through __index__, other numbers through __float__.
  if (py::isinstance<py::int_>(value) || py::hasattr(value, "__index__")) {
    const py::int_ integer(py::reinterpret_borrow<py::object>(value));
    try {
      return integer.cast<std::int64_t>();
    } catch (const py::cast_error&) {
      throw io::InputError(what + path + ": integer " + py::repr(integer).cast<std::string>() +
                           " does not fit 64 bits");
    }
  }
  if (py::isinstance<py::float_>(value) || py::hasattr(value, "__float__"))
    return py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>();
  throw py::type_error(what + path + ": a " +
                       py::str(value.get_type().attr("__name__")).cast<std::string>() +
                       " is not a JSON value (use dict, list, str, int, float, bool or None)");
}

}  // namespace

nlohmann::json to_json(py::handle value, const std::string& what) {
  return convert(value, what, "");
}

py::object from_json(const nlohmann::json& json) {
  return pyjson::from_json(json);
}

std::optional<std::string> as_path(py::handle value) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  const py::object fspath = py::module_::import("os").attr("fspath");
  if (py::hasattr(value, "__fspath__")) return fspath(value).cast<std::string>();
  return std::nullopt;
}

std::size_t thread_count(std::optional<std::int64_t> threads) {
  if (!threads) return 0;
  const std::int64_t count = *threads;
  if (count < 1)
    throw io::InputError("threads = " + std::to_string(count) +
                         ", allowed: an integer >= 1, or None for all cores");
  return static_cast<std::size_t>(count);
}

}  // namespace accelscope::python
