"""accelscope from Python: evaluate accelerator designs, run searches and read studies.

The module binds accelscope's C++ engine (pybind11); every figure comes from the same code as
the ``accelscope`` command line, so the two never disagree.

    >>> import accelscope
    >>> r = accelscope.evaluate("spaces/hardware/edge_16x16_int8.json", "resnet50")
    >>> r["total"]["latency_s"], r["design"]["area_mm2"]
    >>> accelscope.layers_frame(r)                      # per-layer costs as a DataFrame
    >>> study = accelscope.search("spaces/edge.json", "out/edge.sqlite", budget=200)
    >>> study.front()                                   # the Pareto front as a DataFrame

Errors raise ``accelscope.InputError`` (bad input; also a ValueError),
``accelscope.StoreError`` (a study database that cannot be used) or ``accelscope.Error``,
whose message is the one line the command line prints after "accelscope: error: ".
"""

import warnings as _warnings

from . import _core
from ._core import (
    Error,
    InputError,
    Space,
    StoreError,
    Strategy,
    Workload,
    data_directory,
    shipped_workloads,
    strategies,
)
from ._frames import columns_frame as _columns_frame
from ._frames import records_frame as _records_frame

__version__ = _core.__version__

__all__ = [
    "Error",
    "InputError",
    "Space",
    "StoreError",
    "Strategy",
    "Study",
    "Workload",
    "data_directory",
    "evaluate",
    "evaluate_point",
    "import_onnx",
    "layers_frame",
    "load_workload",
    "resume",
    "search",
    "shipped_workloads",
    "strategies",
]

for _public in (Error, InputError, StoreError, Space, Strategy, Workload):
    _public.__module__ = __name__  # shown as accelscope.Space, not accelscope._core.Space


def evaluate(hw, workload, batch=None, training=False, optimizer="sgd", per_layer=True,
             compat="none", tech=None):
    """Evaluate one design on one workload: what ``accelscope eval --json`` prints, as a dict.

    Args:
        hw: the hardware, a file path (accelscope or GeneSys JSON, SCALE-Sim .cfg) or a dict in
            the hardware JSON form (README "Hardware description").
        workload: a file path (native or SimDIT JSON, SCALE-Sim .csv, .onnx), a shipped
            workload name (``shipped_workloads()``, e.g. "resnet50"), a dict in the native
            workload form, or a ``Workload`` from ``load_workload``/``import_onnx``.
        batch: batch size; None keeps the workload's own (as ``eval`` without ``--batch``).
        training: evaluate one training iteration derived from the forward network.
        optimizer: weight update of the training iteration: "sgd", "momentum" or "adam".
        per_layer: False skips the per-layer report ("layers"): the fast path, which costs
            identical layers once.
        compat: "scalesim" for SCALE-Sim's view (``eval --compat scalesim``).
        tech: directory of technology tables (``--tech``); None for the shipped ones.

    Returns:
        ``{"design": {...}, "workload": {...}, "total": {...}, "layers": [...]}``; fields as in
        ``eval --json`` (README). ``layers_frame(result)`` gives the layers as a DataFrame.

    Files are read once: a workload file is cached by path and modification time, and the
    technology tables by directory, so calling this in a loop costs the model only.

    Example:
        >>> import json
        >>> hw = json.load(open("spaces/hardware/edge_16x16_int8.json"))
        >>> hw["sram"]["weights"]["kib"] = 256
        >>> evaluate(hw, "resnet50", per_layer=False)["total"]["latency_s"]
    """
    return _core.evaluate(hw, workload, batch, training, optimizer, per_layer, compat, tech)


def load_workload(workload, batch=None, training=False, optimizer="sgd"):
    """Load a workload once for many evaluations; returns a ``Workload``.

    ``workload`` is a path, a shipped name or a dict, as for ``evaluate``; ``batch``,
    ``training`` and ``optimizer`` as there too. The result can be passed to ``evaluate``
    (and is then not looked up again), and has ``name``, ``batch``, ``training``, ``len()``,
    ``stats()`` and ``to_dict()`` (the native workload JSON).
    """
    return _core.load_workload(workload, batch, training, optimizer)


def import_onnx(path, dims=None, batch=None, name=None, unknown_as_eltwise=False):
    """Import an ONNX model (weights optional) as a ``Workload``, like ``accelscope import-onnx``.

    Args:
        path: the .onnx file.
        dims: values of named dynamic dimensions, e.g. ``{"sequence": 128}`` (``--dim``).
        batch: binds the leading dimension of the first input if dynamic, else rescales.
        name: network name (default: the file name).
        unknown_as_eltwise: cost unsupported ops as element-wise over their output instead of
            failing; a warning lists them (and ``Workload.unknown_ops``).

    ``Workload.to_dict()`` is the native JSON that ``import-onnx -o`` writes (without its
    "source" record).
    """
    imported = _core.import_onnx(path, dict(dims or {}), batch, name or "", unknown_as_eltwise)
    if imported.unknown_ops:
        _warnings.warn(
            f"{len(imported.unknown_ops)} unsupported op(s) costed as element-wise over their "
            f"output: {', '.join(imported.unknown_ops)}", stacklevel=2)
    return imported


def evaluate_point(space, point):
    """Evaluate one point of a design space, as a search would; returns a dict.

    Args:
        space: a ``Space``, or a space spec (file path or dict; then loaded for this call
            only: make a ``Space`` once when evaluating many points).
        point: a list of coordinates (what ``Strategy.ask`` returns: level indices for
            discrete parameters, values for continuous ones) or a dict of parameter values by
            name (``{"pe_count": 256, "array.dataflow": "ws", ...}``).

    Returns:
        ``{"point", "params", "metrics", "workloads", "violations", "violation", "feasible",
        "objectives", "failed", "error"}``: the metrics a study stores
        (docs/study-format.md); "objectives" in the space's order and natural direction (what
        ``Strategy.tell`` takes).
    """
    if not isinstance(space, Space):
        space = Space(space)
    return space.evaluate(point)


def layers_frame(result):
    """The per-layer costs of an ``evaluate`` result as a pandas DataFrame.

    One row per layer (op), nested fields flattened with dots (``energy.dram_pj``,
    ``sram_reads.weights``, ``tiling.loop_order``...). Also accepts a list of layers, e.g.
    ``Study.breakdown(id)["workloads"]["resnet50"]["layers"]``.
    """
    layers = result["layers"] if isinstance(result, dict) else result
    return _records_frame(list(layers))


class Study:
    """A study in a database, read through the store (read-only; another process may be
    searching it: every call reads its latest state).

    Args:
        db: the study database (SQLite file).
        study: study id or name; None for the only or most recently updated study.

    Example:
        >>> s = Study("out/edge.sqlite")
        >>> s.trials().plot.scatter("latency_ms", "energy_mj")
        >>> s.front()[["id", "pe_count", "latency_ms", "energy_mj", "area_mm2"]]
    """

    def __init__(self, db, study=None):
        self._study = _core._Study(db, study)

    @property
    def id(self):
        """The study id."""
        return self._study.id

    @property
    def name(self):
        """The study name."""
        return self.info["name"]

    @property
    def info(self):
        """What ``accelscope studies --json`` lists (id, name, strategy, seed, budget, done,
        failed, pending, running, status, spec_hash, engine_version), and db, objectives,
        reference_point, options, created_at, updated_at."""
        return self._study.info()

    @property
    def spec(self):
        """The space spec the study was created from, as written (a dict)."""
        return self._study.spec()

    def space(self):
        """The study's ``Space`` (its spec re-read and checked against the stored hash)."""
        return self._study.space()

    def trials(self, status=None):
        """Every design of the study as a DataFrame, by seq.

        Columns: id (the design id used everywhere), seq, batch, status, feasible, on_front,
        violations, error, eval_seconds, then every parameter (and derived hardware field) by
        name, then every metric (docs/study-format.md). ``status`` keeps only "pending",
        "running", "done" or "failed" designs.
        """
        return _columns_frame(self._study.trial_columns(status))

    def front(self):
        """The Pareto front as a DataFrame: the designs ``accelscope front --json`` lists, in
        its order (best first in the first objective; repeats of an evaluated point dropped).

        Columns: id, seq, roles ("knee", "best latency_ms"...; a list), every parameter, every
        metric, and per-workload results (``workloads.<name>.<field>``).
        """
        records = []
        for design in self._study.front_records():
            row = {"id": design["trial_id"], "seq": design["seq"], "roles": design["roles"]}
            row.update(design["params"])
            row.update(design["metrics"])
            row["workloads"] = design["workloads"]
            records.append(row)
        return _records_frame(records)

    def breakdown(self, design_id):
        """A design's per-layer breakdown (as ``accelscope show``): hardware JSON, design
        report, and per workload its totals and layers; recomputed when not stored (designs off
        the front). ``layers_frame(b["workloads"][name]["layers"])`` makes a DataFrame of it.
        """
        return self._study.breakdown(design_id)

    def design(self, design_id):
        """Everything ``accelscope show --json`` prints about one design."""
        return self._study.design(design_id)

    def __repr__(self):
        info = self.info
        return (f"<accelscope.Study {info['id']} {info['name']!r}: {info['strategy']}, "
                f"{info['done'] + info['failed']}/{info['budget']} designs, {info['status']}>")


def search(space, db, strategy="nsga2", budget=None, seed=1, threads=None, batch_size=None,
           study=None, progress=None):
    """Search a design space into a study database, like ``accelscope search``; returns the
    ``Study``.

    Args:
        space: a space spec file, a spec dict or a ``Space``.
        db: the study database (created if missing).
        strategy: "grid", "random", "nsga2", "nsga3", "bayes" or "turbo" (``strategies()``).
        budget: designs to evaluate (default: the whole grid for grid, 500 otherwise).
        seed: random seed; results are deterministic per seed, whatever the thread count.
        threads: evaluation threads (None: all cores).
        batch_size: designs per ask (default per strategy).
        study: study name (default "<space>-<strategy>-s<seed>"); an existing study of that
            name continues (its spec must be unchanged).
        progress: optional callable, called after every recorded chunk with a dict (done,
            failed, budget, front_size, hypervolume, elapsed_s, designs_per_s); returning
            False stops the search (the study stays resumable).

    The GIL is released while the search runs. Ctrl-C (KeyboardInterrupt) stops it after the
    current chunk and leaves the study resumable (``resume``).
    """
    study_id, _finished = _core.search(space, db, strategy, budget, seed, threads, batch_size,
                                       study, progress)
    return Study(db, study_id)


def resume(db, study=None, threads=None, progress=None):
    """Continue a stopped or killed study to its budget (``accelscope resume``); returns the
    ``Study``. Arguments as for ``search``."""
    study_id, _finished = _core.resume(db, study, threads, progress)
    return Study(db, study_id)
