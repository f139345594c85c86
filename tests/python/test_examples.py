"""The scripts in examples/ run and write their plots (small settings)."""

import os
import subprocess
import sys

from conftest import SOURCE_DIR, TINY_SPACE


def run_example(script, *args):
    done = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / script), *map(str, args)],
                          capture_output=True, text=True, check=False, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_sram_sweep(tmp_path):
    png = tmp_path / "sweep.png"
    out = run_example("sram_sweep.py", "-o", png)
    assert png.stat().st_size > 10000
    assert out.count("KiB") == 16  # 8 sizes x 2 buffers


def test_search_front(tmp_path):
    png = tmp_path / "front.png"
    out = run_example("search_front.py", "--space", TINY_SPACE, "--db", tmp_path / "s.sqlite",
                      "--budget", 40, "-o", png)
    assert png.stat().st_size > 10000
    assert "wrote" in out
