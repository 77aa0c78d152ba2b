"""`python -m artdemo COMMAND ...`: the one command line, in front of the library.

`predict` lives here; the other commands' `main(argv)` sit beside what they drive
(training, evaluation, the downloader, the Hub, the audit) and are imported inside
their runner so that `--help` and the light commands never pay for TensorFlow.

`predict --task TASK|all --csv OUT.csv PATH...`: one row per image and task: path,
task, prediction, confidence, route, then p_<class> for every class of the tasks
asked (blank where a class isn't the row's task's). A file that can't be read gets
a message on stderr and the run goes on; the exit code is 1 if any file failed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from artdemo.errors import ArtdemoError
from artdemo.models.answers_csv import answer_rows, columns
from artdemo.tasks import TASKS

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


def _open_output(path: str):
    """The output CSV, or a message a person can act on (not a traceback) when it can't be written."""
    try:
        return open(path, "w", newline="", encoding="utf-8")
    except OSError as err:
        raise ArtdemoError(f"Can't write the CSV {path}: {err.strerror or err}. "
                           "Choose a file in a folder that exists and that you may write to.") from err


def predict_main(argv: list[str] | None = None) -> int:
    from artdemo.imaging.decode import load_image_file
    from artdemo.models.predictor import load_model, predict_images

    parser = argparse.ArgumentParser(prog="python -m artdemo predict",
                                     description="Classify image files or folders; write one CSV row per image and task.")
    parser.add_argument("--task", default="all", choices=list(TASKS) + ["all"])
    parser.add_argument("--csv", required=True, help="output CSV file ('-' for standard output)")
    parser.add_argument("--find-artwork", choices=["auto", "off"], default="auto",
                        help="auto (default): find the artwork in a photo (frame, wall, perspective) and classify "
                             "only the artwork; reproductions pass unchanged. off: use the whole picture")
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
                for path, answers in zip(batch, predict_images(images, tasks, find_artwork=args.find_artwork == "auto")):
                    writer.writerows(answer_rows(str(path), answers))
    finally:
        if out is not sys.stdout:
            out.close()
    done = len(files) - failed
    print(f"artdemo predict: {done} image(s) classified, {failed} failed -> {args.csv}", file=sys.stderr)
    return 1 if failed else 0


def _train(argv: list[str]) -> int:
    from artdemo.training.train import main  # TensorFlow: imported only when this command runs

    return main(argv)


def _evaluate(argv: list[str]) -> int:
    from artdemo.training.evaluate import main

    return main(argv)


def _data(argv: list[str]) -> int:
    from artdemo.sources.downloader import main

    return main(argv)


def _models(argv: list[str]) -> int:
    from artdemo.models.hub import main

    return main(argv)


def _audit(argv: list[str]) -> int:
    from artdemo.audit.cli import main  # Apache Beam: imported only when this command runs

    return main(argv)


def _report(argv: list[str]) -> int:
    from artdemo.training.report import main

    return main(argv)


COMMANDS: dict[str, tuple[Callable[[list[str]], int], str]] = {
    "predict": (predict_main, "classify image files or folders into a CSV"),
    "train": (_train, "train a task's model from the data cache into models/"),
    "evaluate": (_evaluate, "evaluate a task's model on a labels CSV"),
    "data": (_data, "fill the data cache from the MET, MoMA or MAMe"),
    "models": (_models, "publish or pull models on the Hugging Face Hub"),
    "audit": (_audit, "audit a collection's catalogue against the models (Apache Beam)"),
    "report": (_report, "print the model table (held-out figures) from the cards"),
}


def usage() -> str:
    lines = ["usage: python -m artdemo COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"artdemo: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    try:
        return int(COMMANDS[name][0](rest) or 0)
    except ArtdemoError as err:
        print(f"artdemo: {err}", file=sys.stderr)
        return 1
