"""accelscope.evaluate, load_workload, import_onnx: the same results as `accelscope eval --json`
and `accelscope import-onnx`."""

import json
import math
import os
import shutil

import numpy
import pytest

import accelscope
from conftest import DATACENTER_HW, EDGE_HW, RESNET50, SOURCE_DIR, cli_json, run_cli


def close(a, b, rel=1e-9):
    """Nested dicts and lists equal, numbers within `rel`."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    return a == b


@pytest.mark.parametrize(
    "hw, workload, options, cli_options",
    [
        (EDGE_HW, RESNET50, {}, []),
        (EDGE_HW, str(SOURCE_DIR / "spaces/workloads/resnet50_scalesim.csv"), {"batch": 4},
         ["--batch", "4"]),
        (DATACENTER_HW, str(SOURCE_DIR / "spaces/workloads/resnet18.json"),
         {"batch": 8, "training": True, "optimizer": "adam"},
         ["--batch", "8", "--training", "--optimizer", "adam"]),
        (EDGE_HW, str(SOURCE_DIR / "spaces/workloads/resnet50_scalesim.csv"),
         {"compat": "scalesim"}, ["--compat", "scalesim"]),
    ],
)
def test_evaluate_equals_eval_json(hw, workload, options, cli_options):
    expected = cli_json("eval", "--hw", hw, "--workload", workload, "--json", *cli_options)
    assert accelscope.evaluate(hw, workload, **options) == expected


def test_shipped_name_dict_hardware_and_loaded_workload_agree():
    expected = accelscope.evaluate(EDGE_HW, RESNET50)
    assert accelscope.evaluate(EDGE_HW, "resnet50") == expected
    assert cli_json("eval", "--hw", EDGE_HW, "--workload", "resnet50", "--json") == expected
    with open(EDGE_HW) as f:
        hw = json.load(f)
    assert accelscope.evaluate(hw, "resnet50") == expected
    workload = accelscope.load_workload("resnet50")
    assert accelscope.evaluate(EDGE_HW, workload) == expected
    # The native JSON of the loaded network is the same workload.
    assert accelscope.evaluate(EDGE_HW, workload.to_dict()) == expected


def test_totals_only_equal_the_per_layer_totals():
    full = accelscope.evaluate(DATACENTER_HW, "resnet50", batch=4, training=True)
    fast = accelscope.evaluate(DATACENTER_HW, "resnet50", batch=4, training=True,
                               per_layer=False)
    assert "layers" not in fast
    assert fast.keys() == full.keys() - {"layers"}
    assert close(fast, {k: v for k, v in full.items() if k != "layers"})


def test_layers_frame():
    result = accelscope.evaluate(EDGE_HW, "resnet50")
    frame = accelscope.layers_frame(result)
    assert len(frame) == result["workload"]["ops"] == len(result["layers"])
    assert list(frame["name"]) == [layer["name"] for layer in result["layers"]]
    for column in ("total_cycles", "energy.dram_pj", "sram_reads.weights", "tiling.loop_order"):
        assert column in frame.columns
    assert frame["total_cycles"].sum() == pytest.approx(result["total"]["total_cycles"])
    assert frame["energy_pj"].sum() == pytest.approx(result["total"]["energy_pj"])


def test_numpy_numbers_in_a_hardware_dict():
    with open(EDGE_HW) as f:
        hw = json.load(f)
    hw["sram"]["weights"]["kib"] = 256
    expected = accelscope.evaluate(hw, "resnet50", per_layer=False)
    hw["sram"]["weights"]["kib"] = numpy.int64(256)
    hw["dram"]["bandwidth_gbps"] = numpy.float64(hw["dram"]["bandwidth_gbps"])
    assert accelscope.evaluate(hw, "resnet50", per_layer=False) == expected


def test_a_changed_workload_file_is_read_again(tmp_path):
    path = tmp_path / "net.json"
    shutil.copy(RESNET50, path)
    first = accelscope.evaluate(EDGE_HW, path, per_layer=False)
    with open(RESNET50) as f:
        network = json.load(f)
    network["ops"] = network["ops"][: len(network["ops"]) // 2]
    with open(path, "w") as f:
        json.dump(network, f)
    later = os.stat(path).st_mtime + 10  # a different time even on a coarse clock
    os.utime(path, (later, later))
    second = accelscope.evaluate(EDGE_HW, path, per_layer=False)
    assert second["workload"]["ops"] == len(network["ops"]) < first["workload"]["ops"]
    assert second["total"]["macs"] < first["total"]["macs"]


def test_workload_object():
    workload = accelscope.load_workload("resnet50", batch=2, training=True, optimizer="momentum")
    assert workload.batch == 2 and workload.training
    assert workload.name.startswith("resnet50")
    stats = workload.stats()
    assert stats["ops"] == len(workload) > 175
    assert "training" in repr(workload)
    listed = {w["file"]: w for w in cli_json("workloads", "--json")}["resnet50.json"]
    forward = accelscope.load_workload("resnet50").stats()
    for key in ("ops", "macs", "parameters", "activation_elements"):
        assert forward[key] == listed[key]
    assert "resnet50" in accelscope.shipped_workloads()


def test_import_onnx_equals_the_cli(tmp_path):
    model = SOURCE_DIR / "tests/data/onnx/resnet18.onnx"
    out = tmp_path / "resnet18.json"
    run_cli("import-onnx", model, "-o", out, "--batch", "2")
    with open(out) as f:
        expected = json.load(f)
    expected.pop("source")
    imported = accelscope.import_onnx(model, batch=2)
    assert imported.to_dict() == expected
    assert imported.data_inputs and not imported.unknown_ops
    assert accelscope.evaluate(EDGE_HW, imported) == accelscope.evaluate(EDGE_HW, str(out))


def test_import_onnx_dims():
    bert = SOURCE_DIR / "tests/data/onnx/bert_base.onnx"
    short = accelscope.import_onnx(bert, dims={"batch": 1, "sequence": 64})
    long = accelscope.import_onnx(bert, dims={"batch": 1, "sequence": 128})
    assert short.stats()["macs"] < long.stats()["macs"]
