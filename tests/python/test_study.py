"""accelscope.Study and accelscope.search: the same designs, front and breakdowns as the command
line's `front --json` and `show --json`, and searches that agree with `accelscope search`."""

import json
import math

import pytest

import accelscope
from conftest import TINY_SPACE, cli_json, run_cli


def values_equal(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_trials_match_front_json(cli_study):
    study = accelscope.Study(cli_study)
    trials = study.trials()
    info = study.info
    assert len(trials) == info["done"] + info["failed"] == 64
    assert list(trials["seq"]) == sorted(trials["seq"])
    by_id = trials.set_index("id")
    front = cli_json("front", "--db", cli_study, "--json")
    assert front
    for design in front:
        row = by_id.loc[design["trial_id"]]
        assert row["on_front"] and row["feasible"] and row["status"] == "done"
        for name, value in {**design["params"], **design["metrics"]}.items():
            assert values_equal(row[name], value), name
    # Every design on the front is listed (or is a repeat of a listed point).
    listed = {d["trial_id"] for d in front}
    on_front = set(trials.loc[trials["on_front"], "id"])
    assert listed <= on_front
    params = list(front[0]["params"])
    listed_points = {tuple(d["params"][p] for p in params) for d in front}
    for _, row in trials[trials["on_front"] & ~trials["id"].isin(listed)].iterrows():
        assert tuple(row[p] for p in params) in listed_points


def test_front_is_front_json(cli_study):
    front = accelscope.Study(cli_study).front()
    expected = cli_json("front", "--db", cli_study, "--json")
    assert list(front["id"]) == [d["trial_id"] for d in expected]
    for (_, row), design in zip(front.iterrows(), expected):
        assert row["roles"] == design["roles"]
        for name, value in {**design["params"], **design["metrics"]}.items():
            assert values_equal(row[name], value), name


def test_breakdown_and_design_are_show_json(cli_study):
    study = accelscope.Study(cli_study)
    trials = study.trials(status="done")
    on_front = int(trials.loc[trials["on_front"], "id"].iloc[0])
    off_front = int(trials.loc[~trials["on_front"], "id"].iloc[0])
    for design_id in (on_front, off_front):
        shown = cli_json("show", "--db", cli_study, "--design", design_id, "--json")
        assert study.design(design_id) == shown
        assert study.breakdown(design_id) == shown["breakdown"]
    layers = accelscope.layers_frame(study.breakdown(on_front)["workloads"]["resnet50"]["layers"])
    assert len(layers) > 0 and "energy.dram_pj" in layers.columns


def test_info_spec_and_lookup(cli_study):
    study = accelscope.Study(cli_study)
    with open(TINY_SPACE) as f:
        assert study.spec == json.load(f)
    listed = cli_json("studies", "--db", cli_study, "--json")[0]
    info = study.info
    assert {k: info[k] for k in listed} == listed
    assert [o["metric"] for o in info["objectives"]] == ["latency_ms", "energy_mj"]
    assert accelscope.Study(cli_study, listed["name"]).id == study.id
    assert accelscope.Study(cli_study, listed["id"]).id == study.id
    assert study.space().name == "tiny"
    assert repr(study).startswith("<accelscope.Study")


def test_python_search_equals_cli_search(cli_study, tmp_path):
    db = tmp_path / "py.sqlite"
    reports = []
    study = accelscope.search(TINY_SPACE, db, strategy="nsga2", budget=64, seed=7, threads=1,
                              progress=reports.append)
    assert reports and reports[-1]["done"] == 64 and reports[-1]["budget"] == 64
    assert study.info["status"] == "done"
    mine = study.trials()
    theirs = accelscope.Study(cli_study).trials()
    columns = [c for c in theirs.columns if c not in ("id", "eval_seconds")]
    assert list(mine.columns) == list(theirs.columns)
    assert mine[columns].equals(theirs[columns])


def test_progress_can_stop_a_search_and_resume_finishes_it(tmp_path):
    db = tmp_path / "stop.sqlite"
    study = accelscope.search(TINY_SPACE, db, strategy="random", budget=96, seed=2, threads=1,
                              batch_size=16, progress=lambda p: p["done"] < 16)
    info = study.info
    assert info["status"] == "paused" and 16 <= info["done"] < 96
    resumed = accelscope.resume(db, study.id, threads=1)
    assert resumed.id == study.id and resumed.info["done"] == 96
    # The same designs as an uninterrupted search.
    whole = accelscope.search(TINY_SPACE, tmp_path / "whole.sqlite", strategy="random",
                              budget=96, seed=2, batch_size=16)
    columns = ["seq", "latency_ms", "energy_mj", "pe_count"]
    assert resumed.trials()[columns].equals(whole.trials()[columns])


def test_a_failing_progress_callback_stops_the_search_and_raises(tmp_path):
    db = tmp_path / "raise.sqlite"

    def progress(report):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        accelscope.search(TINY_SPACE, db, strategy="random", budget=64, seed=1, threads=1)
        accelscope.search(TINY_SPACE, db, strategy="random", budget=64, seed=3, threads=1,
                          progress=progress)
    # The study is left resumable, like after Ctrl-C.
    listed = {s["name"]: s for s in cli_json("studies", "--db", db, "--json")}
    assert listed["tiny-random-s3"]["status"] == "paused"
    run_cli("resume", "--db", db, "--study", "tiny-random-s3", "--quiet")
    assert accelscope.Study(db, "tiny-random-s3").info["done"] == 64


def test_search_releases_the_gil(tmp_path):
    # While a search runs in a thread, this thread keeps running Python and reading the study.
    import threading

    db = tmp_path / "gil.sqlite"
    seen_by_progress = []
    counter = [0]
    thread = threading.Thread(target=lambda: accelscope.search(
        TINY_SPACE, db, strategy="random", budget=100, seed=4, threads=1, batch_size=16,
        progress=lambda p: seen_by_progress.append(counter[0])))
    thread.start()
    rows_seen = set()
    while thread.is_alive():
        counter[0] += 1
        if counter[0] % 2000 == 0 and db.exists():
            try:
                rows_seen.add(len(accelscope.Study(db).trials()))
            except accelscope.Error:
                pass  # the study is not created yet
    thread.join()
    # Progress comes once per batch: 100 designs in batches of 16, fewer batches where the
    # designs over the area limit are skipped without evaluation.
    assert len(seen_by_progress) >= 5
    assert seen_by_progress[-1] > seen_by_progress[0]  # this thread ran during the search
    assert accelscope.Study(db).info["done"] == 100
    assert rows_seen  # and read the study while it grew


def test_logs_go_to_stderr(tmp_path, capfd):
    """A study made before identities were recorded warns when resumed: on stderr, so a Python
    program's stdout holds only what it prints itself."""
    import sqlite3

    db = str(tmp_path / "old.sqlite")
    run_cli("search", TINY_SPACE, "--db", db, "--strategy", "random", "--budget", "8", "--quiet")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE study SET identity = '{}'")
    capfd.readouterr()
    accelscope.resume(db)
    out, err = capfd.readouterr()
    assert "did not record its model version" in err
    assert "did not record" not in out and "[warning]" not in out
