"""Ask/tell from Python: accelscope.Strategy proposes what a study proposes, Space evaluates what
a study evaluates, so a loop driven from Python reproduces a CLI study of the same seed."""

import math

import pytest

import accelscope
from conftest import SOURCE_DIR, TINY_SPACE, run_cli


@pytest.fixture(scope="module")
def space():
    return accelscope.Space(TINY_SPACE)


def drive(space, strategy):
    """The study loop in Python: ask a batch, evaluate it, tell it; returns every result."""
    history = []
    while points := strategy.ask(strategy.batch_size):
        results = [accelscope.evaluate_point(space, p) for p in points]
        strategy.tell(points, results)
        history.extend(results)
    return history


@pytest.mark.parametrize("name, budget", [("bayes", 24), ("nsga2", 48), ("random", 40)])
def test_ask_tell_reproduces_a_cli_study(space, tmp_path, name, budget):
    db = tmp_path / "cli.sqlite"
    run_cli("search", TINY_SPACE, "--db", db, "--strategy", name, "--budget", budget, "--seed",
            5, "--quiet")
    stored = accelscope.Study(db).trials()
    strategy = accelscope.Strategy(space, name, seed=5, budget=budget)
    assert strategy.budget == budget and strategy.name == name
    history = drive(space, strategy)
    assert strategy.asked == budget == len(history) == len(stored)
    for (_, row), result in zip(stored.iterrows(), history):
        assert {k: row[k] for k in result["params"]} == result["params"]
        for metric, value in result["metrics"].items():
            assert row[metric] == value, metric
        assert bool(row["feasible"]) == result["feasible"]


def test_points_as_dicts(space):
    strategy = accelscope.Strategy(space, "random", seed=3, budget=8)
    for point in strategy.ask(8):
        params = space.params(point)
        assert space.point(params) == point
        by_name = {p["name"]: params[p["name"]] for p in space.parameters}
        assert space.point(by_name) == point
        assert accelscope.evaluate_point(space, by_name) == space.evaluate(point)


def test_evaluate_point_is_what_the_study_stores(space, cli_study):
    trials = accelscope.Study(cli_study).trials(status="done")
    names = [p["name"] for p in space.parameters]
    for _, row in trials.head(5).iterrows():
        result = accelscope.evaluate_point(TINY_SPACE, {n: row[n] for n in names})
        for metric, value in result["metrics"].items():
            assert row[metric] == value
        assert result["violations"] == row["violations"]
        objectives = [o["metric"] for o in space.objectives]
        assert result["objectives"] == [row[m] for m in objectives]


def test_evaluate_many_equals_one_by_one(space):
    points = accelscope.Strategy(space, "random", seed=9, budget=12).ask(12)
    many = space.evaluate_many(points, threads=2)
    assert many == [space.evaluate(p) for p in points]


def test_own_objectives(space):
    # A user's own metric: maximise utilisation, minimise energy, told as plain numbers.
    strategy = accelscope.Strategy(space, "nsga2", seed=1, budget=32, objectives=["max", "min"])
    assert [o["goal"] for o in strategy.objectives] == ["max", "min"]
    best = -math.inf
    while points := strategy.ask():
        results = []
        for point in points:
            r = space.evaluate(point)
            results.append([r["metrics"]["utilization"], r["metrics"]["energy_mj"]])
            best = max(best, r["metrics"]["utilization"])
        strategy.tell(points, results)
    assert strategy.asked == 32 and best > 0
    with pytest.raises(accelscope.InputError, match="3 objective values, the strategy has 2"):
        fresh = accelscope.Strategy(space, "random", seed=1, budget=4, objectives=["max", "min"])
        points = fresh.ask(1)
        fresh.tell(points, [[1.0, 2.0, 3.0]])


def test_failed_results_are_told_as_failures(space):
    strategy = accelscope.Strategy(space, "nsga2", seed=2, budget=16)
    points = strategy.ask()
    strategy.tell(points, [None] * len(points))
    assert strategy.ask()  # the strategy carries on
    assert "nsga2" in repr(strategy) and "tiny" in repr(space)


def test_a_space_naming_a_platform():
    """A platform space's point is a platform file with its parameters applied (issue 13)."""
    space = accelscope.Space(str(SOURCE_DIR / "spaces/orin_dla.json"))
    point = {"platform.units.dla.count": 2, "platform.units.dla.hardware.array.rows": 64,
             "platform.units.dla.hardware.array.cols": 128,
             "platform.units.dla.hardware.sram.weights.kib": 512,
             "platform.dram.bandwidth_gbps": 409.6, "platform.placement": "layer"}
    platform = space.hardware(point)
    assert platform["dram"]["bandwidth_gbps"] == 409.6
    assert platform["units"][1]["count"] == 2
    result = accelscope.evaluate_point(space, point)
    assert result["metrics"]["units"] == 4
    assert result["metrics"]["throughput_per_s"] > 0
