"""`python -m artdemo predict --task TASK|all --csv OUT.csv PATH...`: classify files or folders into a CSV.

One row per image and task: path, task, prediction, confidence, route, then
p_<class> for every class of the tasks asked (blank where a class isn't the
row's task's). A file that can't be read gets a message on stderr and the run
goes on; the exit code is 1 if any file failed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from .errors import ArtdemoError
from .tasks import TASKS

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif", ".jfif"}
BATCH = 16


def expand_paths(items: list[str]) -> list[Path]:
    """Files as given, folders walked (sorted) for image files; a missing path is an error."""
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            out.append(path)  # unreadable/missing files are reported per file later
    return out


def columns(tasks: list[str]) -> list[str]:
    probs: list[str] = []
    for task in tasks:
        probs += [f"p_{c}" for c in TASKS[task].classes if f"p_{c}" not in probs]
    return ["path", "task", "prediction", "confidence", "route"] + probs


def _rows(path: Path, answers: dict) -> list[dict]:
    rows = []
    for task, pred in answers.items():
        row = {"path": str(path), "task": task, "prediction": pred.predicted,
               "confidence": f"{pred.confidence:.4f}", "route": pred.route}
        row.update({f"p_{c}": f"{p:.4f}" for c, p in zip(pred.classes, pred.probabilities)})
        rows.append(row)
    return rows


def _open_output(path: str):
    """The output CSV, or a message a person can act on (not a traceback) when it can't be written."""
    try:
        return open(path, "w", newline="", encoding="utf-8")
    except OSError as err:
        raise ArtdemoError(f"Can't write the CSV {path}: {err.strerror or err}. "
                           "Choose a file in a folder that exists and that you may write to.") from err


def main(argv: list[str] | None = None) -> int:
    from .image_input import load_image_file
    from .predictor import load_model, predict_images

    parser = argparse.ArgumentParser(prog="python -m artdemo predict",
                                     description="Classify image files or folders; write one CSV row per image and task.")
    parser.add_argument("--task", default="all", choices=list(TASKS) + ["all"])
    parser.add_argument("--csv", required=True, help="output CSV file ('-' for standard output)")
    parser.add_argument("paths", nargs="+", help="image files or folders")
    args = parser.parse_args(argv)
    tasks = list(TASKS) if args.task == "all" else [args.task]
    for task in tasks:
        load_model(task)  # fail early, with how to train, before reading any image
    files = expand_paths(args.paths)
    if not files:
        raise ArtdemoError("No image files found in the paths given.")
    failed = 0
    out = sys.stdout if args.csv == "-" else _open_output(args.csv)
    try:
        writer = csv.DictWriter(out, fieldnames=columns(tasks), restval="")
        writer.writeheader()
        for start in range(0, len(files), BATCH):
            batch, images = [], []
            for path in files[start:start + BATCH]:
                try:
                    images.append(np.asarray(load_image_file(path), dtype=np.uint8))
                    batch.append(path)
                except ArtdemoError as err:
                    failed += 1
                    print(f"artdemo predict: skipped {path}: {err}", file=sys.stderr)
            if images:
                for path, answers in zip(batch, predict_images(images, tasks)):
                    writer.writerows(_rows(path, answers))
    finally:
        if out is not sys.stdout:
            out.close()
    done = len(files) - failed
    print(f"artdemo predict: {done} image(s) classified, {failed} failed -> {args.csv}", file=sys.stderr)
    return 1 if failed else 0
