// The pieces of the extension accelscope._core, one file each; module.cpp puts them together.
// The binding layer stays thin: it converts arguments and results and calls the engine, which
// does the work (the same functions as the command line, so both always agree).
#pragma once

#include <memory>

#include <pybind11/pybind11.h>

#include "engine/evaluator.hpp"
#include "engine/space_spec.hpp"

namespace accelscope::python {

namespace py = pybind11;

void register_evaluate(py::module_& module);  // evaluate, load_workload, import_onnx, Workload
void register_space(py::module_& module);     // Space, Strategy
void register_study(py::module_& module);     // Study, search, resume

// A design space ready to evaluate points (accelscope.Space): the spec with its workloads and
// technology tables loaded once. Shared with the strategies made from it (they call its
// evaluator to test area limits).
struct Space {
  std::shared_ptr<const engine::DesignEvaluator> evaluator;
  const engine::SpaceSpec& spec() const { return evaluator->spec(); }
};

// Loads the workloads and technology tables of a spec (without the GIL).
Space make_space(engine::SpaceSpec spec);
// A space argument: a Space, a spec file path or a spec dict.
engine::SpaceSpec space_spec_from(py::handle space);

}  // namespace accelscope::python
