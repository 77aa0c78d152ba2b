"""The rule of tests/support/data.py, checked from outside: with CI=true a missing data cache
fails the run; without CI it skips. A tiny pytest runs in a subprocess against one
data-dependent test, with ARTDEMO_DATA pointing at an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# One cheap test that needs the data cache (labels/medium.csv and labels/lithograph.csv).
DATA_TEST = "tests/models/test_metrics.py::test_images_in_two_tasks_share_their_split"


def _run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    empty = tmp_path / "empty-data"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"ARTDEMO_DATA": str(empty), "PYTHONPATH": str(ROOT)})
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", DATA_TEST],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def test_with_ci_true_a_missing_data_cache_fails_the_test(tmp_path):
    done = _run_pytest(tmp_path, "true")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "1 failed" in out and "skipped" not in out, out
    assert "CI=true and the test needs the data cache" in out, out
    assert str(tmp_path / "empty-data") in out, "the message names the missing folder"


@pytest.mark.parametrize("ci", [None, "false"])
def test_without_ci_a_missing_data_cache_skips(tmp_path, ci):
    done = _run_pytest(tmp_path, ci)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "1 skipped" in out and "failed" not in out, out
    assert "needs the data cache" in out, out
