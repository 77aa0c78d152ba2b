"""`python -m artdemo evaluate TASK --labels CSV`: score a trained model on any labelled images, as JSON.

The CSV needs `path,label` columns; paths may be absolute, relative to the
data cache (as in its labels/ files), to the CSV's folder or its parent.
Images that can't be read and labels outside the task's classes are skipped
and counted, with a message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from artdemo import config
from artdemo.models import metrics
from artdemo.sources.datacache import read_labels_csv
from artdemo.errors import ArtdemoError
from artdemo.tasks import TASKS

BATCH = 16


def resolve_image(path: str, csv_path: Path) -> Path:
    """The first existing reading of a labels-CSV path (absolute, data cache, CSV folder, its parent)."""
    p = Path(path)
    if p.is_absolute():
        return p
    for base in (csv_path.parent.parent, csv_path.parent, config.data_dir(), Path.cwd()):
        if (base / p).is_file():
            return base / p
    return csv_path.parent / p


def evaluate(task: str, labels_csv: Path, log=lambda msg: None) -> dict:
    """Metrics of the task's model on the CSV's images (calibrated probabilities, argmax decision)."""
    from artdemo.imaging.decode import load_image_file
    from artdemo.models.predictor import load_model, predict_images

    card, _ = load_model(task)
    rows = read_labels_csv(labels_csv)
    lookup = {c: k for k, c in enumerate(card.classes)}
    skipped_labels = [r for r in rows if r.label not in lookup]
    for r in skipped_labels[:5]:
        log(f"skipped {r.path}: label {r.label!r} is not one of {', '.join(card.classes)}")
    rows = [r for r in rows if r.label in lookup]
    probs, ys, unreadable = [], [], 0
    for start in range(0, len(rows), BATCH):
        images, labels = [], []
        for r in rows[start:start + BATCH]:
            try:
                images.append(np.asarray(load_image_file(resolve_image(r.path, labels_csv)), dtype=np.uint8))
                labels.append(lookup[r.label])
            except ArtdemoError as err:
                unreadable += 1
                log(f"skipped {r.path}: {err}")
        if images:
            probs += [a[task].probabilities for a in predict_images(images, [task])]
            ys += labels
    if not ys:
        raise ArtdemoError(f"None of the images in {labels_csv} could be scored for {task}.")
    out = metrics.summarize(np.array(probs), np.array(ys), list(card.classes))
    out.update({"task": task, "classes": list(card.classes), "labels_csv": str(labels_csv),
                "skipped_unreadable": unreadable, "skipped_unknown_label": len(skipped_labels)})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m artdemo evaluate",
                                     description="Evaluate a trained task model on a labels CSV (path,label); prints JSON.")
    parser.add_argument("task", choices=list(TASKS))
    parser.add_argument("--labels", required=True, help="CSV with path,label columns")
    args = parser.parse_args(argv)
    result = evaluate(args.task, Path(args.labels), log=lambda m: print(f"artdemo evaluate: {m}", file=sys.stderr))
    print(json.dumps(result, indent=1))
    return 0
