"""The collection-cache gallery: a few labelled pictures to choose from, offline."""

from __future__ import annotations

import random
from pathlib import Path

from artdemo.sources.datacache import LabelledImage, list_labelled
from artdemo.errors import ArtdemoError


def gallery_sample(task: str, label: str | None, n: int, seed: int, data_root: Path | None = None) -> list[LabelledImage]:
    """`n` labelled images of a task (of one class, or any), the same ones for the same
    seed so a page rerun doesn't shuffle them under the visitor's finger."""
    rows = list_labelled(task, data_root)
    if label:
        rows = [row for row in rows if row.label == label]
    if not rows:
        raise ArtdemoError(f"The collection cache has no {label or task} images.")
    rng = random.Random(f"{task}:{label}:{seed}")
    return rng.sample(rows, min(n, len(rows)))
