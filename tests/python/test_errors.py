"""Bad inputs raise Python exceptions carrying the command line's one-line message."""

import json

import pytest

import accelscope
from conftest import EDGE_HW, TINY_SPACE, cli_error


def test_bad_hardware_field(tmp_path):
    with open(EDGE_HW) as f:
        hw = json.load(f)
    hw["array"]["dataflow"] = "diagonal"
    path = tmp_path / "bad_hw.json"
    path.write_text(json.dumps(hw))
    message = cli_error("eval", "--hw", path, "--workload", "resnet50")
    assert "array.dataflow" in message and str(path) in message
    with pytest.raises(accelscope.InputError) as raised:
        accelscope.evaluate(str(path), "resnet50")
    assert str(raised.value) == message
    # The same hardware as a dict: the message names the dict ("hardware") instead of a file.
    with pytest.raises(ValueError) as raised:
        accelscope.evaluate(hw, "resnet50")
    assert str(raised.value) == message.replace(str(path), "hardware")


def test_missing_files_and_unknown_workloads():
    for args in (["/nonexistent/hw.json", "resnet50"], [EDGE_HW, "/nonexistent/net.json"],
                 [EDGE_HW, "resnet5"], [EDGE_HW, "net.txt"]):
        message = cli_error("eval", "--hw", args[0], "--workload", args[1])
        with pytest.raises(accelscope.InputError) as raised:
            accelscope.evaluate(*args)
        assert str(raised.value) == message
    assert "shipped: " in message or "format" in message


def test_unsupported_technology_node(tmp_path):
    with open(EDGE_HW) as f:
        hw = json.load(f)
    hw["tech_node_nm"] = 3
    path = tmp_path / "node.json"
    path.write_text(json.dumps(hw))
    message = cli_error("eval", "--hw", path, "--workload", "resnet50")
    with pytest.raises(accelscope.InputError) as raised:
        accelscope.evaluate(str(path), "resnet50", per_layer=False)
    assert str(raised.value) == message


def test_bad_space_spec(tmp_path):
    with open(TINY_SPACE) as f:
        spec = json.load(f)
    spec["objectives"] = ["latency", "happiness"]
    spec["hardware"] = EDGE_HW
    spec["workloads"][0]["file"] = "resnet50"
    path = tmp_path / "bad_space.json"
    path.write_text(json.dumps(spec))
    message = cli_error("search", path, "--db", tmp_path / "x.sqlite", "--quiet")
    assert "happiness" in message
    for call in (lambda: accelscope.Space(str(path)),
                 lambda: accelscope.search(str(path), tmp_path / "y.sqlite"),
                 lambda: accelscope.Strategy(str(path), "nsga2")):
        with pytest.raises(accelscope.InputError) as raised:
            call()
        assert str(raised.value) == message
    with pytest.raises(accelscope.InputError) as raised:
        accelscope.Space(spec)
    assert str(raised.value) == message.replace(str(path), "space")


def test_bad_studies(cli_study, tmp_path):
    message = cli_error("front", "--db", cli_study, "--study", "nope")
    with pytest.raises(accelscope.Error) as raised:
        accelscope.Study(cli_study, "nope")
    assert str(raised.value) == message
    missing = tmp_path / "missing.sqlite"
    message = cli_error("front", "--db", missing)
    with pytest.raises(accelscope.StoreError) as raised:
        accelscope.Study(missing)
    assert str(raised.value) == message
    design = 10**6
    message = cli_error("show", "--db", cli_study, "--design", design)
    with pytest.raises(accelscope.Error) as raised:
        accelscope.Study(cli_study).design(design)
    assert str(raised.value).startswith(message)
    with pytest.raises(accelscope.InputError, match="status = 'finished', allowed: pending"):
        accelscope.Study(cli_study).trials(status="finished")


def test_bad_arguments():
    space = accelscope.Space(TINY_SPACE)
    with pytest.raises(accelscope.InputError, match="unknown strategy|allowed"):
        accelscope.Strategy(space, "annealing")
    with pytest.raises(accelscope.InputError, match="point"):
        space.evaluate([99, 0, 0, 0, 0])
    with pytest.raises(accelscope.InputError, match="point\\['pe_count'\\] = 100, allowed: 64"):
        space.evaluate({"pe_count": 100, "aspect": 1, "sram.inputs.kib": 32,
                        "array.dataflow": "os", "dram.bandwidth_gbps": 6.4})
    with pytest.raises(accelscope.InputError, match="no value for parameter 'aspect'"):
        space.evaluate({"pe_count": 64})
    with pytest.raises(accelscope.InputError, match="batch = 0"):
        accelscope.evaluate(EDGE_HW, "resnet50", batch=0)
    with pytest.raises(accelscope.InputError, match="optimizer 'adamw', allowed"):
        accelscope.evaluate(EDGE_HW, "resnet50", training=True, optimizer="adamw")
    with pytest.raises(accelscope.InputError, match="pass training=True"):
        accelscope.evaluate(EDGE_HW, "resnet50", optimizer="adam")
    with pytest.raises(accelscope.InputError, match="load_workload"):
        accelscope.evaluate(EDGE_HW, accelscope.load_workload("resnet50"), batch=2)
    with pytest.raises(TypeError, match="hw: a hardware file path or a dict"):
        accelscope.evaluate(42, "resnet50")
    with pytest.raises(TypeError, match="hw\\['sram'\\]: a set is not a JSON value"):
        accelscope.evaluate({"sram": {1, 2}}, "resnet50")
    with pytest.raises(accelscope.InputError, match="threads = 0"):
        space.evaluate_many([], threads=0)
