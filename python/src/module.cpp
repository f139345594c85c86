// The extension accelscope._core. The public API, its signatures and docstrings are in
// python/accelscope/__init__.py, which calls into this module.
#include <stdexcept>

#include "bindings.hpp"
#include "engine/progress.hpp"
#include "engine/version.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "store/error.hpp"

namespace accelscope::python {

namespace {

// Python exceptions carrying the one-line message the command line prints after "error: ".
void register_errors(py::module_& m) {
  static py::exception<std::runtime_error> error(m, "Error", PyExc_RuntimeError);
  error.doc() = "Base of accelscope's errors; str(e) is the one-line message the CLI prints.";
  // Bad input (a file, a field, an argument): also a ValueError.
  static py::exception<io::InputError> input_error(
      m, "InputError", py::make_tuple(error, py::handle(PyExc_ValueError)));
  // A study database that cannot be used (missing, locked, not ours, spec changed...).
  static py::exception<store::StoreError> store_error(m, "StoreError", error);
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const py::error_already_set&) {
      throw;  // a Python exception passing through C++: leave it to pybind11
    } catch (const py::builtin_exception&) {
      throw;  // pybind11's TypeError, ValueError...
    } catch (const io::InputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    } catch (const store::StoreError& e) {
      PyErr_SetString(store_error.ptr(), e.what());
    } catch (const std::runtime_error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "accelscope's engine, bound with pybind11 (use the accelscope package instead)";
  register_errors(m);
  engine::log_to_stderr();  // a program's stdout stays its own
  register_evaluate(m);
  register_space(m);
  register_study(m);
  m.attr("__version__") = std::string(engine::kVersion);
  m.def("data_directory", &io::data_directory,
        "Where shipped data (workloads, hardware, technology tables) is read: "
        "$ACCELSCOPE_DATA_DIR, else the source tree's spaces/.");
}

}  // namespace accelscope::python
