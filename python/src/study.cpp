// accelscope.Study (a stored study, read through the store's API) and search/resume (the engine's
// study runner, with the GIL released while it runs).
#include <atomic>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "engine/study_lookup.hpp"
#include "engine/study_runner.hpp"
#include "model/io/json_reader.hpp"
#include "reports/export.hpp"
#include "reports/report_data.hpp"

namespace accelscope::python {

namespace {

// An open study. The connection is read-only: a study another process is searching can be read
// at any time, and every call sees its latest state.
struct Study {
  std::shared_ptr<store::Database> db;
  store::StudyId id = 0;
};

std::string study_argument(py::handle study) {
  if (study.is_none()) return "";
  if (py::isinstance<py::int_>(study)) return std::to_string(study.cast<std::int64_t>());
  return py::str(study).cast<std::string>();
}

std::string db_path(py::handle db) {
  const std::optional<std::string> path = as_path(db);
  if (!path) throw py::type_error("db: a study database file path");
  return *path;
}

Study open_study(py::handle db, py::handle study) {
  auto database = std::make_shared<store::Database>(
      db_path(db), store::OpenOptions{.mode = store::OpenMode::read_only});
  const store::StudyId id = engine::find_study(*database, study_argument(study)).id;
  return {std::move(database), id};
}

// What `studies --json` lists, and the objectives, reference point, options and times.
py::dict info_of(store::Database& db, const store::StudyInfo& s) {
  const std::string path = db.path().string();
  nlohmann::json info = engine::study_summary_json(db, s);
  nlohmann::json& objectives = info["objectives"] = nlohmann::json::array();
  for (const store::Objective& o : s.objectives)
    objectives.push_back(
        {{"metric", o.name}, {"goal", o.direction == store::Direction::maximize ? "max" : "min"}});
  info["db"] = path;
  info["reference_point"] = s.reference_point;
  info["options"] = s.options;
  info["created_at"] = s.created_at;
  info["updated_at"] = s.updated_at;
  return from_json(info);
}

// One column of values as JSON, null where a trial has none.
struct Column {
  std::string name;
  std::vector<nlohmann::json> values;
};

// A column as numpy array when it is all numbers (int64 when all integers and none missing,
// float64 with NaN for missing values otherwise) or all booleans, as a list otherwise: numbers
// stay numbers without one Python object per cell, which keeps 10^5-row studies quick.
py::object column_object(const Column& column) {
  bool numbers = true, integers = true, booleans = true, missing = false;
  for (const nlohmann::json& v : column.values) {
    missing = missing || v.is_null();
    if (v.is_null()) continue;
    booleans = booleans && v.is_boolean();
    numbers = numbers && v.is_number();
    integers = integers && v.is_number_integer();
  }
  const std::size_t n = column.values.size();
  if (numbers && integers && !missing) {
    py::array_t<std::int64_t> array(static_cast<py::ssize_t>(n));
    auto out = array.mutable_unchecked<1>();
    for (std::size_t i = 0; i < n; ++i)
      out(static_cast<py::ssize_t>(i)) = column.values[i].get<std::int64_t>();
    return array;
  }
  if (numbers) {
    py::array_t<double> array(static_cast<py::ssize_t>(n));
    auto out = array.mutable_unchecked<1>();
    for (std::size_t i = 0; i < n; ++i)
      out(static_cast<py::ssize_t>(i)) =
          column.values[i].is_null() ? std::nan("") : column.values[i].get<double>();
    return array;
  }
  if (booleans && !missing) {
    py::array_t<bool> array(static_cast<py::ssize_t>(n));
    auto out = array.mutable_unchecked<1>();
    for (std::size_t i = 0; i < n; ++i)
      out(static_cast<py::ssize_t>(i)) = column.values[i].get<bool>();
    return array;
  }
  py::list list(n);
  for (std::size_t i = 0; i < n; ++i) list[i] = from_json(column.values[i]);
  return list;
}

// Every trial as columns (name -> array or list, one entry per trial): the fixed fields, then
// each parameter, then each metric.
py::dict trial_columns(Study& study, py::handle status) {
  store::TrialFilter filter;
  if (!status.is_none()) {
    const std::string text = py::str(status).cast<std::string>();
    try {
      filter.status = store::parse_trial_status(text);
    } catch (const store::StoreError&) {
      throw io::InputError("status = '" + text +
                           "', allowed: pending, running, done, failed, or None for all");
    }
  }
  std::vector<Column> columns;
  {
    py::gil_scoped_release release;
    const std::vector<store::Trial> trials = study.db->trials(study.id, filter);
    const std::size_t n = trials.size();
    std::unordered_map<std::string, std::size_t> index;
    auto column = [&](const std::string& name) -> std::vector<nlohmann::json>& {
      auto [it, added] = index.try_emplace(name, columns.size());
      if (added) columns.push_back({name, std::vector<nlohmann::json>(n)});
      return columns[it->second].values;
    };
    for (const char* name : {"id", "seq", "batch", "status", "feasible", "on_front", "violations",
                             "error", "eval_seconds"})
      column(name);
    std::unordered_set<std::string> param_names;
    for (std::size_t i = 0; i < n; ++i) {
      const store::Trial& t = trials[i];
      column("id")[i] = t.id;
      column("seq")[i] = t.seq;
      column("batch")[i] = t.batch;
      column("status")[i] = store::to_string(t.status);
      if (t.feasible) column("feasible")[i] = *t.feasible;
      column("on_front")[i] = t.on_front;
      column("violations")[i] = t.violations.is_null() ? nlohmann::json::array() : t.violations;
      column("error")[i] = t.error;
      if (t.eval_seconds) column("eval_seconds")[i] = *t.eval_seconds;
      if (t.params.is_object())
        for (auto it = t.params.begin(); it != t.params.end(); ++it) {
          param_names.insert(it.key());
          column(it.key())[i] = *it;
        }
    }
    for (std::size_t i = 0; i < n; ++i)
      if (trials[i].metrics.is_object())
        for (auto it = trials[i].metrics.begin(); it != trials[i].metrics.end(); ++it)
          // A metric named like a parameter (never so in shipped spaces) keeps both columns.
          column(param_names.count(it.key()) ? "metrics." + it.key() : it.key())[i] = *it;
  }
  py::dict result;
  for (const Column& column : columns) result[py::str(column.name)] = column_object(column);
  return result;
}

// The front exactly as `front --json` prints it (the same exporter).
py::object front_records(Study& study) {
  const reports::ReportData data = reports::collect(*study.db, study.id);
  return from_json(reports::report_json(data).at("front"));
}

const store::Trial trial_of(Study& study, std::int64_t design) {
  const std::optional<store::Trial> trial = study.db->trial(design, false);
  if (!trial || trial->study != study.id)
    throw io::InputError(study.db->path().string() + ": no design with id " +
                         std::to_string(design) + " in study " + std::to_string(study.id));
  return *trial;
}

// Bridges the runner's progress reports to Python: the user's callback (which may stop the run
// by returning False) and Ctrl-C, both checked after every recorded chunk.
struct ProgressBridge {
  py::object callback;
  std::atomic<bool> stop{false};
  std::optional<py::error_already_set> error;  // raised once the runner has stopped cleanly

  void operator()(const engine::Progress& p) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      error.emplace();
      stop = true;
      return;
    }
    if (callback.is_none()) return;
    py::dict d(py::arg("done") = p.done, py::arg("failed") = p.failed, py::arg("budget") = p.budget,
               py::arg("front_size") = p.front_size, py::arg("hypervolume") = p.hypervolume,
               py::arg("elapsed_s") = p.elapsed_s, py::arg("designs_per_s") = p.designs_per_s);
    try {
      const py::object answer = callback(d);
      if (py::isinstance<py::bool_>(answer) && !answer.cast<bool>()) stop = true;
    } catch (py::error_already_set& e) {
      error.emplace(std::move(e));
      stop = true;
    }
  }
};

// Runs (or resumes) a study with the GIL released; returns (study id, finished).
std::pair<store::StudyId, bool> run_study(
    const std::string& path, std::size_t threads, py::handle progress,
    const std::function<engine::RunResult(engine::StudyRunner&, store::Database&)>& run) {
  if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
    throw py::type_error("progress: a callable taking a dict, or None");
  ProgressBridge bridge;
  bridge.callback = py::reinterpret_borrow<py::object>(progress);
  engine::RunResult result;
  {
    py::gil_scoped_release release;
    store::Database db(path);
    engine::StudyRunner runner(db, threads);
    runner.on_progress = [&bridge](const engine::Progress& p) { bridge(p); };
    runner.stop_requested = &bridge.stop;
    result = run(runner, db);
  }
  if (bridge.error) throw *bridge.error;
  return {result.study, result.finished};
}

std::pair<store::StudyId, bool> search(py::handle space, py::handle db, const std::string& strategy,
                                       std::optional<std::uint64_t> budget, std::uint64_t seed,
                                       std::optional<std::int64_t> threads,
                                       std::optional<std::size_t> batch_size, py::handle study,
                                       py::handle progress) {
  const engine::SpaceSpec spec = space_spec_from(space);
  engine::SearchOptions options;
  options.strategy = strategy;
  options.seed = seed;
  options.budget = budget_count(budget);
  options.batch_size = ask_batch_count(batch_size, "batch_size");
  if (!study.is_none()) options.study_name = py::str(study).cast<std::string>();
  return run_study(
      db_path(db), thread_count(threads), progress,
      [&](engine::StudyRunner& runner, store::Database&) { return runner.run(spec, options); });
}

std::pair<store::StudyId, bool> resume(py::handle db, py::handle study,
                                       std::optional<std::int64_t> threads, py::handle progress) {
  const std::string name = study_argument(study);
  return run_study(db_path(db), thread_count(threads), progress,
                   [&](engine::StudyRunner& runner, store::Database& database) {
                     return runner.resume(engine::find_study(database, name).id);
                   });
}

}  // namespace

void register_study(py::module_& m) {
  py::class_<Study>(m, "_Study")
      .def(py::init(&open_study), py::arg("db"), py::arg("study") = py::none())
      .def_property_readonly("id", [](const Study& s) { return s.id; })
      .def("info", [](Study& s) { return info_of(*s.db, s.db->study(s.id)); })
      .def("spec", [](Study& s) { return from_json(s.db->study(s.id).spec.at("spec")); })
      .def("space",
           [](Study& s) { return make_space(engine::stored_space_spec(s.db->study(s.id))); })
      .def("trial_columns", &trial_columns, py::arg("status") = py::none())
      .def("front_records", &front_records)
      .def(
          "breakdown",
          [](Study& s, std::int64_t design) {
            const store::Trial trial = trial_of(s, design);
            nlohmann::json breakdown;
            {
              py::gil_scoped_release release;
              breakdown = engine::design_breakdown(*s.db, trial);
            }
            return from_json(breakdown);
          },
          py::arg("design_id"))
      .def(
          "design",
          [](Study& s, std::int64_t design) {
            trial_of(s, design);
            nlohmann::json json;
            {
              py::gil_scoped_release release;
              json = engine::design_json(*s.db, design);
            }
            return from_json(json);
          },
          py::arg("design_id"));
  m.def("search", &search, py::arg("space"), py::arg("db"), py::arg("strategy") = "nsga2",
        py::arg("budget") = py::none(), py::arg("seed") = 1, py::arg("threads") = py::none(),
        py::arg("batch_size") = py::none(), py::arg("study") = py::none(),
        py::arg("progress") = py::none());
  m.def("resume", &resume, py::arg("db"), py::arg("study") = py::none(),
        py::arg("threads") = py::none(), py::arg("progress") = py::none());
}

}  // namespace accelscope::python
