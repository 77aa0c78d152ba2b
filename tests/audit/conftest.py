"""Audit tests: a small labels CSV cut from the shared data cache, and one way to run the command.

Without the data cache these tests skip on a laptop but FAIL in CI (CI=true), so a
CI machine that lost its cache can't turn the audit's tests green by skipping them.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from artdemo import config

TRUE = {"1", "true", "yes", "on"}


def require_data_cache() -> Path:
    """The data cache root, or fail (CI) / skip (elsewhere) saying why."""
    root = config.data_dir()
    if not (root / "labels" / "medium.csv").is_file():
        message = f"the audit tests need the shared data cache (ARTDEMO_DATA); none at {root}"
        if os.environ.get("CI", "").strip().lower() in TRUE:
            pytest.fail(message)
        pytest.skip(message)
    return root


def subset_labels(folder: Path, task: str, n: int, absolute: bool = False) -> Path:
    """n rows spread over the cache's labels/<task>.csv, written as folder/labels/<task>.csv
    (same columns; paths stay relative to the cache unless `absolute`)."""
    root = require_data_cache()
    with (root / "labels" / f"{task}.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    step = max(1, len(rows) // n)
    picked = rows[::step][:n]
    target = folder / "labels" / f"{task}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in picked:
            writer.writerow({**row, "path": str(root / row["path"])} if absolute else row)
    return target


def run_audit(*argv: str) -> int:
    from artdemo.audit.cli import main

    return main([str(a) for a in argv])


@pytest.fixture(scope="session")
def data_root() -> Path:
    return require_data_cache()


@pytest.fixture(scope="session")
def lithograph_audit(tmp_path_factory, data_root) -> tuple[Path, Path]:
    """One finished audit (lithograph and medium) of 100 lithograph-labelled cache images:
    (its labels CSV, its output folder). Default options, as `evaluate` has them."""
    folder = tmp_path_factory.mktemp("lithograph-audit")
    labels = subset_labels(folder, "lithograph", 100)
    out = folder / "out"
    assert run_audit("--labels", labels, "--out", out, "--tasks", "lithograph,medium") == 0
    return labels, out
