// accelscope.Space (a design space whose points can be evaluated) and accelscope.Strategy (the
// engine's search strategies, asked and told from Python).
#include <cmath>
#include <limits>
#include <mutex>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "engine/study_runner.hpp"
#include "model/io/json_reader.hpp"
#include "search/strategy.hpp"

namespace accelscope::python {

namespace {

std::string type_name(py::handle value) {
  return py::str(value.get_type().attr("__name__")).cast<std::string>();
}

Space space_from(py::handle space) {
  if (py::isinstance<Space>(space)) return space.cast<const Space&>();
  return make_space(space_spec_from(space));
}

bool same_value(const nlohmann::json& level, const nlohmann::json& value) {
  if (level.is_number() && value.is_number()) {
    const double a = level.get<double>(), b = value.get<double>();
    return a == b || std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
  }
  return level == value;
}

std::string parameter_names(const engine::SpaceSpec& spec) {
  std::string names;
  for (const engine::ParameterSpec& p : spec.parameters)
    names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

// A point from a dict of parameter values by name (as Space.params gives them).
search::Point encode(const engine::SpaceSpec& spec, const nlohmann::json& params) {
  search::Point point;
  for (const engine::ParameterSpec& p : spec.parameters) {
    if (!params.contains(p.name))
      throw io::InputError("point: no value for parameter '" + p.name +
                           "'; give every parameter: " + parameter_names(spec));
    const nlohmann::json& value = params.at(p.name);
    if (!p.dimension.is_discrete()) {
      if (!value.is_number())
        throw io::InputError("point['" + p.name + "'] = " + value.dump() + ", allowed: a number");
      point.push_back(value.get<double>());
      continue;
    }
    std::size_t level = 0;
    while (level < p.level_values.size() && !same_value(p.level_values[level], value)) ++level;
    if (level == p.level_values.size()) {
      std::string levels;
      for (const auto& v : p.level_values) levels += (levels.empty() ? "" : ", ") + v.dump();
      throw io::InputError("point['" + p.name + "'] = " + value.dump() + ", allowed: " + levels);
    }
    point.push_back(static_cast<double>(level));
  }
  // Other keys may only be derived fields, with the values the rules give.
  const nlohmann::json derived = engine::params_at(spec, point);
  for (auto it = params.begin(); it != params.end(); ++it)
    if (!derived.contains(it.key()) || !same_value(derived.at(it.key()), *it))
      throw io::InputError(
          "point['" + it.key() + "'] = " + it->dump() +
          (derived.contains(it.key())
               ? ", but the derived rules give " + derived.at(it.key()).dump() + " at this point"
               : " is not a parameter of the space; parameters: " + parameter_names(spec)));
  return point;
}

// A point argument: a sequence of coordinates (level indices of discrete parameters, values of
// continuous ones; what Strategy.ask returns) or a dict of parameter values by name.
search::Point point_from(const Space& space, py::handle value) {
  search::Point point;
  if (py::isinstance<py::dict>(value)) {
    point = encode(space.spec(), to_json(value, "point"));
  } else if (py::isinstance<py::sequence>(value) && !py::isinstance<py::str>(value)) {
    for (py::handle coordinate : value) point.push_back(coordinate.cast<double>());
  } else {
    throw py::type_error("point: a list of coordinates or a dict of parameter values, not " +
                         type_name(value));
  }
  try {
    search::Space(space.spec().space()).check(point);
  } catch (const std::invalid_argument& e) {
    throw io::InputError(std::string("point: ") + e.what());
  }
  return point;
}

std::vector<search::Point> points_from(const Space& space, py::handle values) {
  std::vector<search::Point> points;
  for (py::handle value : values) points.push_back(point_from(space, value));
  return points;
}

nlohmann::json result_json(const engine::DesignEvaluator& evaluator,
                           const engine::DesignResult& r) {
  nlohmann::json point = nlohmann::json::array();
  for (double coordinate : r.evaluation.point) point.push_back(coordinate);
  return {{"point", point},
          {"params", r.params},
          {"metrics", r.metrics},
          {"workloads", r.workloads},
          {"violations", r.violations},
          {"violation", r.evaluation.violation},
          {"feasible", !r.failed && r.evaluation.violation == 0},
          {"objectives", evaluator.natural_objectives(r)},
          {"failed", r.failed},
          {"error", r.error}};
}

py::list parameters_of(const engine::SpaceSpec& spec) {
  py::list list;
  for (const engine::ParameterSpec& p : spec.parameters) {
    py::dict d;
    d["name"] = p.name;
    d["hardware_field"] = p.hardware_field;
    if (p.dimension.is_discrete()) {
      d["kind"] = "discrete";
      d["levels"] = from_json(p.level_values);
      d["categorical"] = p.dimension.categorical;
    } else {
      d["kind"] = "continuous";
      d["range"] = py::make_tuple(p.dimension.lo, p.dimension.hi);
      d["log"] = p.dimension.log_scale;
    }
    list.append(d);
  }
  return list;
}

py::list objectives_of(const std::vector<engine::ObjectiveSpec>& objectives) {
  py::list list;
  for (const engine::ObjectiveSpec& o : objectives)
    list.append(
        py::dict(py::arg("metric") = o.metric, py::arg("goal") = o.maximize ? "max" : "min"));
  return list;
}

// accelscope.Strategy: a study's strategy (same options, same proposals) driven from Python.
struct Strategy {
  Space space;  // keeps the evaluator the strategy tests area limits with alive
  engine::SearchOptions options;
  std::vector<engine::ObjectiveSpec> objectives;  // what tell() receives, in order
  std::unique_ptr<search::Strategy> strategy;
  // ask() and tell() run without the GIL; this keeps two Python threads out of the strategy
  // at once (it is not thread-safe). Taken only with the GIL released, so it cannot deadlock.
  std::unique_ptr<std::mutex> busy = std::make_unique<std::mutex>();
};

Strategy make_strategy(py::handle space_argument, const std::string& name, std::uint64_t seed,
                       std::optional<std::uint64_t> budget, std::optional<std::size_t> batch_size,
                       const std::optional<std::vector<std::string>>& goals) {
  Strategy s{space_from(space_argument), {}, {}, nullptr};
  engine::SpaceSpec spec = s.space.spec();
  if (goals) {
    // The caller's own objectives: the strategy only needs their number and directions.
    spec.objectives.clear();
    for (const std::string& text : *goals) {
      if (text != "min" && text != "max")
        throw io::InputError("objectives: '" + text +
                             "', allowed: \"min\" or \"max\" per objective");
      spec.objectives.push_back(
          {"objective " + std::to_string(spec.objectives.size() + 1), text == "max"});
    }
    if (spec.objectives.empty())
      throw io::InputError(
          "objectives: an empty list, allowed: one \"min\" or \"max\" per objective");
  }
  s.objectives = spec.objectives;
  s.options.strategy = name;
  s.options.seed = seed;
  s.options.budget = budget_count(budget);
  s.options.batch_size = ask_batch_count(batch_size, "batch_size");
  s.options = engine::with_defaults(s.options, spec);
  s.strategy = engine::make_study_strategy(spec, s.options, *s.space.evaluator);
  return s;
}

search::Evaluation evaluation_from(const Strategy& s, py::handle point, py::handle result,
                                   std::size_t index) {
  search::Evaluation e;
  e.point = point_from(s.space, point);
  const std::size_t count = s.objectives.size();
  const std::string where = "results[" + std::to_string(index) + "]";
  py::object values = py::none();
  bool failed = result.is_none();
  if (py::isinstance<py::dict>(result)) {
    const py::dict d = result.cast<py::dict>();
    failed = d.contains("failed") && py::bool_(d["failed"]).cast<bool>();
    if (!failed) {
      if (!d.contains("objectives"))
        throw io::InputError(where + ": a dict needs 'objectives' (as evaluate_point returns)");
      values = d["objectives"];
      if (d.contains("violation")) e.violation = d["violation"].cast<double>();
    }
  } else if (!failed) {
    values = py::reinterpret_borrow<py::object>(result);
  }
  if (failed) {
    e.objectives.assign(count, std::nan(""));
    e.violation = std::numeric_limits<double>::infinity();
    return e;
  }
  for (py::handle v : values) e.objectives.push_back(v.cast<double>());
  if (e.objectives.size() != count) {
    std::string names;
    for (const auto& o : s.objectives) names += (names.empty() ? "" : ", ") + o.metric;
    throw io::InputError(where + ": " + std::to_string(e.objectives.size()) +
                         " objective values, the strategy has " + std::to_string(count) + " (" +
                         names + ")");
  }
  if (!(e.violation >= 0))
    throw io::InputError(where + ": violation = " + std::to_string(e.violation) +
                         ", allowed: a number >= 0 (0: feasible)");
  for (std::size_t i = 0; i < count; ++i)
    if (s.objectives[i].maximize) e.objectives[i] = -e.objectives[i];
  return e;
}

}  // namespace

Space make_space(engine::SpaceSpec spec) {
  py::gil_scoped_release release;  // loading the workloads may take a while
  return {std::make_shared<const engine::DesignEvaluator>(std::move(spec),
                                                          io::load_default_tech_library())};
}

engine::SpaceSpec space_spec_from(py::handle space) {
  if (py::isinstance<Space>(space)) return space.cast<const Space&>().spec();
  if (py::isinstance<py::dict>(space))
    return engine::parse_space_spec(to_json(space, "space"), "space");
  if (const auto path = as_path(space)) return engine::read_space_spec(*path);
  throw py::type_error("space: a Space, a space spec file path or a spec dict, not " +
                       type_name(space));
}

void register_space(py::module_& m) {
  py::class_<Space>(m, "Space", R"(A design space (README "Design spaces") ready to evaluate points.

Space(spec): spec is a spec file path, a spec dict (relative files resolved from the current
directory or as shipped names) or a Space. The workloads and technology tables are loaded once.

A point is a list of coordinates, one per parameter (the level index of a discrete parameter,
the value of a continuous one), as Strategy.ask returns it, or a dict of parameter values by
name; point() converts the dict form, params() goes back.

Example:
    >>> space = Space("spaces/edge.json")
    >>> r = space.evaluate({"pe_count": 1024, "aspect": 1, "array.dataflow": "ws",
    ...                     "sram.inputs.kib": 256, "sram.weights.kib": 256,
    ...                     "sram.outputs.kib": 128, "dram.bandwidth_gbps": 12.8})
    >>> r["metrics"]["latency_ms"], r["feasible"])")
      .def(py::init([](py::handle spec) { return space_from(spec); }), py::arg("spec"))
      .def_property_readonly(
          "name", [](const Space& s) { return s.spec().name; }, "The space's name.")
      .def_property_readonly(
          "file", [](const Space& s) { return s.spec().file; }, "The spec file (or \"space\").")
      .def_property_readonly(
          "spec", [](const Space& s) { return from_json(s.spec().raw); },
          "The spec as written (a dict).")
      .def_property_readonly(
          "parameters", [](const Space& s) { return parameters_of(s.spec()); },
          "The parameters in point order: name, hardware_field, kind (discrete: levels, "
          "categorical; continuous: range, log).")
      .def_property_readonly(
          "objectives", [](const Space& s) { return objectives_of(s.spec().objectives); },
          "The objectives in order: metric and goal (\"min\" or \"max\").")
      .def_property_readonly(
          "constraints",
          [](const Space& s) {
            py::list list;
            for (const engine::Bound& b : s.spec().constraints)
              list.append(py::dict(py::arg("metric") = b.metric, py::arg("min") = b.min,
                                   py::arg("max") = b.max));
            return list;
          },
          "The constraints: metric, min, max (None when open).")
      .def_property_readonly(
          "workloads",
          [](const Space& s) {
            py::list list;
            for (const engine::WorkloadSpec& w : s.spec().workloads)
              list.append(py::dict(
                  py::arg("name") = w.name, py::arg("file") = w.file, py::arg("batch") = w.batch,
                  py::arg("mode") = w.training ? "training" : "inference",
                  py::arg("optimizer") = w.optimizer, py::arg("weight") = w.weight));
            return list;
          },
          "The workloads a design is judged on: name, file, batch, mode, optimizer, weight.")
      .def_property_readonly(
          "grid_size", [](const Space& s) { return s.spec().space().grid_size(); },
          "Number of designs; None when a parameter is continuous.")
      .def(
          "point", [](const Space& s, py::handle params) { return point_from(s, params); },
          py::arg("params"),
          "The coordinates of a point given as a dict of parameter values by name (derived "
          "fields, as params() adds them, may be included).")
      .def(
          "params",
          [](const Space& s, py::handle point) {
            return from_json(engine::params_at(s.spec(), point_from(s, point)));
          },
          py::arg("point"),
          "The point's parameter values by name, derived hardware fields included (what a "
          "study stores as params).")
      .def(
          "hardware",
          [](const Space& s, py::handle point) {
            const search::Point p = point_from(s, point);
            return from_json(s.spec().platform ? engine::platform_json_at(s.spec(), p)
                                               : engine::hardware_json_at(s.spec(), p));
          },
          py::arg("point"),
          "The point's hardware in the hardware JSON form (accepted by evaluate()); in a space "
          "naming a platform, the point's platform file (its parameters applied).")
      .def(
          "evaluate",
          [](const Space& s, py::handle point) {
            const search::Point p = point_from(s, point);
            nlohmann::json result;
            {
              py::gil_scoped_release release;
              result = result_json(*s.evaluator, s.evaluator->evaluate(p));
            }
            return from_json(result);
          },
          py::arg("point"),
          "Evaluates the point as a study does: {point, params, metrics, workloads, violations, "
          "violation, feasible, objectives, failed, error}; objectives in the space's order and "
          "natural direction. An invalid design is not an exception: failed is True and error "
          "says why.")
      .def(
          "evaluate_many",
          [](const Space& s, py::handle points, std::optional<std::int64_t> threads) {
            const std::vector<search::Point> ps = points_from(s, points);
            const std::size_t thread_limit = thread_count(threads);
            nlohmann::json results = nlohmann::json::array();
            {
              py::gil_scoped_release release;
              for (const engine::DesignResult& r : s.evaluator->evaluate_all(ps, thread_limit))
                results.push_back(result_json(*s.evaluator, r));
            }
            return from_json(results);
          },
          py::arg("points"), py::arg("threads") = py::none(),
          "evaluate() for many points in parallel (threads: None for all cores), the GIL "
          "released; results in order.")
      .def(
          "breakdown",
          [](const Space& s, py::handle point) {
            const search::Point p = point_from(s, point);
            nlohmann::json result;
            {
              py::gil_scoped_release release;
              result = s.evaluator->breakdown(p);
            }
            return from_json(result);
          },
          py::arg("point"),
          "The point's per-layer breakdown on every workload (as Study.breakdown).")
      .def("__repr__", [](const Space& s) {
        const auto grid = s.spec().space().grid_size();
        return "<accelscope.Space " + s.spec().name + ": " +
               std::to_string(s.spec().parameters.size()) + " parameters, " +
               (grid ? std::to_string(*grid) + " designs" : std::string("continuous")) + ", " +
               std::to_string(s.spec().objectives.size()) + " objectives>";
      });

  py::class_<Strategy>(m, "Strategy", R"(A search strategy driven from Python (ask/tell).

Strategy(space, name="nsga2", seed=1, budget=None, batch_size=None, objectives=None)

space is a Space, spec path or dict; name one of strategies(); budget the number of points it
may propose (default: the grid for grid, 500 otherwise); batch_size the points per ask() a
study uses (default per strategy). It is made exactly as `accelscope search` makes it (same
options, same area-limit test), so asking batch_size points at a time and telling what
evaluate_point returns reproduces a CLI study with the same seed.

objectives: your own objectives instead of the space's, as a list of "min"/"max"; tell() then
takes your values.

Example:
    >>> space = Space("spaces/edge.json")
    >>> strategy = Strategy(space, "bayes", seed=1, budget=40)
    >>> while points := strategy.ask(strategy.batch_size):
    ...     strategy.tell(points, [space.evaluate(p) for p in points]))")
      .def(py::init(&make_strategy), py::arg("space"), py::arg("name") = "nsga2",
           py::arg("seed") = 1, py::arg("budget") = py::none(), py::arg("batch_size") = py::none(),
           py::arg("objectives") = py::none())
      .def_property_readonly("name", [](const Strategy& s) { return s.options.strategy; })
      .def_property_readonly("seed", [](const Strategy& s) { return s.options.seed; })
      .def_property_readonly("budget", [](const Strategy& s) { return s.options.budget; })
      .def_property_readonly("batch_size", [](const Strategy& s) { return s.options.batch_size; })
      .def_property_readonly("asked", [](const Strategy& s) { return s.strategy->asked_count(); })
      .def_property_readonly("space", [](const Strategy& s) { return s.space; })
      .def_property_readonly("objectives",
                             [](const Strategy& s) { return objectives_of(s.objectives); })
      .def(
          "ask",
          [](Strategy& s, std::optional<std::size_t> count) {
            const std::size_t n = count ? ask_batch_count(count, "n") : s.options.batch_size;
            std::vector<search::Point> points;
            {
              py::gil_scoped_release release;
              const std::lock_guard lock(*s.busy);
              points = s.strategy->ask(n);
            }
            return points;
          },
          py::arg("n") = py::none(),
          "Up to n new points (default: batch_size), as lists of coordinates; an empty list "
          "when the budget is spent or the space used up. Tell every point before asking "
          "again.")
      .def(
          "tell",
          [](Strategy& s, py::handle points, py::handle results) {
            const py::list point_list(py::reinterpret_borrow<py::object>(points));
            const py::list result_list(py::reinterpret_borrow<py::object>(results));
            if (point_list.size() != result_list.size())
              throw io::InputError("tell: " + std::to_string(point_list.size()) + " points but " +
                                   std::to_string(result_list.size()) +
                                   " results; give one result per point");
            std::vector<search::Evaluation> evaluations;
            for (std::size_t i = 0; i < point_list.size(); ++i)
              evaluations.push_back(evaluation_from(s, point_list[i], result_list[i], i));
            py::gil_scoped_release release;
            const std::lock_guard lock(*s.busy);
            s.strategy->tell(evaluations);
          },
          py::arg("points"), py::arg("results"),
          "Tells the results of asked points, one per point: a dict as evaluate_point returns "
          "(its objectives and violation, or failed), a list of objective values in natural "
          "direction (feasible), or None for a failed evaluation.")
      .def("__repr__", [](const Strategy& s) {
        return "<accelscope.Strategy " + s.options.strategy + " on " + s.space.spec().name +
               ": seed " + std::to_string(s.options.seed) + ", " +
               std::to_string(s.strategy->asked_count()) + " of " +
               std::to_string(s.options.budget) + " asked>";
      });
  m.def("strategies", &search::strategy_names, "The search strategies' names.");
}

}  // namespace accelscope::python
