"""Shared fixtures: the accelscope command line (to compare with) and paths in the source tree."""

import json
import os
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("ACCELSCOPE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("ACCELSCOPE_CLI", str(SOURCE_DIR / "build/engine/accelscope"))

EDGE_HW = str(SOURCE_DIR / "spaces/hardware/edge_16x16_int8.json")
DATACENTER_HW = str(SOURCE_DIR / "spaces/hardware/datacenter_128x128_bf16.json")
TINY_SPACE = str(SOURCE_DIR / "tests/data/spaces/tiny.json")
RESNET50 = str(SOURCE_DIR / "spaces/workloads/resnet50.json")


def run_cli(*args, check=True):
    """Runs `accelscope ARGS`; returns the completed process (stdout, stderr as text)."""
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"accelscope {' '.join(map(str, args))} failed: {done.stderr}")
    return done


def cli_json(*args):
    return json.loads(run_cli(*args).stdout)


def cli_error(*args):
    """The CLI's one-line error message for a failing command, without its prefix."""
    done = run_cli(*args, check=False)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    prefix = "accelscope: error: "
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix):]


@pytest.fixture(scope="session")
def cli_study(tmp_path_factory):
    """A study of the tiny space searched by the CLI (nsga2, seed 7, 64 designs)."""
    db = tmp_path_factory.mktemp("cli") / "tiny.sqlite"
    run_cli("search", TINY_SPACE, "--db", db, "--strategy", "nsga2", "--budget", 64, "--seed", 7,
            "--threads", 2, "--quiet")
    return db
