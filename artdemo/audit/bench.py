"""What the engine costs on one machine: the audit's images per second against `predict`'s on the
same images (the goal is a ratio of at least 0.8), and the time for 10,000 images.

Both run in this process after one warm-up prediction, so neither pays for loading
TensorFlow or the models, and both read, decode, find the artwork, classify and write
a CSV, with their default options: `predict` the command's own loop, the audit its
whole Beam pipeline (manifest, DirectRunner with two worker threads, rows, failures,
report.json).
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from artdemo import config
from artdemo.errors import ArtdemoError
from artdemo.tasks import TASKS

GOAL_RATIO = 0.8
COLLECTION = 10_000


def cache_images(n: int, data_root: Path | None = None) -> list[Path]:
    """n distinct data-cache images spread over every task's labels (same n, same images)."""
    root = Path(data_root) if data_root else config.data_dir()
    paths: list[str] = []
    for task in TASKS.values():
        labels = root / task.labels_csv
        if labels.is_file():
            with labels.open(newline="", encoding="utf-8") as fh:
                paths += [row["path"] for row in csv.DictReader(fh)]
    unique = sorted(set(paths))
    if len(unique) < n:
        raise ArtdemoError(f"The data cache at {root} has {len(unique)} images; the benchmark asked for {n}.")
    step = len(unique) / n
    return [root / unique[int(k * step)] for k in range(n)]


def _predict(files: list[Path], csv_path: Path) -> None:
    from artdemo.cli import predict_main

    predict_main(["--task", "all", "--csv", str(csv_path), *map(str, files)])


def _audit(files: list[Path], folder: Path) -> int:
    from artdemo.audit.cli import audit_config, parser
    from artdemo.audit.pipeline import run

    labels = folder / "labels" / "bench.csv"
    labels.parent.mkdir(parents=True, exist_ok=True)
    with labels.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "label"])
        writer.writerows([str(p), ""] for p in files)
    args, beam_args = parser().parse_known_args(["--labels", str(labels), "--label-task", "medium",
                                                 "--out", str(folder / "out")])
    return run(audit_config(args), beam_args, log=lambda msg: None).counters["objects_read"]


def audit_throughput(n: int = 500) -> dict:
    """Images per second of `predict` and of the audit on the same n cache images, their ratio,
    and the time for 10,000 images (measured when n >= 10,000, else extrapolated from this run)."""
    import apache_beam  # noqa: F401  (imported before timing: a cost paid once per process)

    from artdemo.models.predictor import available_tasks, predict_images

    files = cache_images(n)
    predict_images([np.full((224, 224, 3), 128, np.uint8)], available_tasks())
    with tempfile.TemporaryDirectory(prefix="artdemo-bench-audit-") as tmp:
        folder = Path(tmp)
        predict_s, predict_cpu = _timed(lambda: _predict(files, folder / "predict.csv"))
        (audit_s, audit_cpu), read = _timed(lambda: _audit(files, folder), keep=True)
    if read != n:
        raise ArtdemoError(f"The audit read {read} of {n} images.")
    return {
        "images": n,
        "predict_images_per_s": n / predict_s,
        "audit_images_per_s": n / audit_s,
        "ratio": predict_s / audit_s,
        "cpu_ratio": predict_cpu / audit_cpu,
        "goal_ratio": GOAL_RATIO,
        "predict_seconds": predict_s, "audit_seconds": audit_s,
        "predict_cpu_seconds": predict_cpu, "audit_cpu_seconds": audit_cpu,
        "audit_10k_seconds": audit_s * COLLECTION / n,
        "audit_10k_measured": n >= COLLECTION,
    }


def _timed(fn, keep: bool = False):
    """Wall and CPU seconds of one call (CPU too, because this machine is shared: the CPU
    ratio says what the engine costs even when other work slows the wall clock)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    spent = (time.perf_counter() - wall, time.process_time() - cpu)
    return (spent, result) if keep else spent


def figures(result: dict) -> list:
    """The result as artdemo.bench Figures (name, value, unit)."""
    from artdemo.bench.core import Figure

    how = "measured" if result["audit_10k_measured"] else f"extrapolated from {result['images']} images"
    return [
        Figure("predict throughput (all tasks, same images)", result["predict_images_per_s"], "images/s"),
        Figure("audit throughput (Beam DirectRunner, 2 threads)", result["audit_images_per_s"], "images/s"),
        Figure("audit / predict throughput", result["ratio"], "x", f"goal >= {GOAL_RATIO}"),
        Figure("audit / predict throughput per CPU second", result["cpu_ratio"], "x"),
        Figure("audit time for 10,000 images", result["audit_10k_seconds"] / 60, "min", how),
    ]
