"""One task's labelled images, split, as arrays a head can train on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.training import splits
from artdemo.sources.datacache import LabelledImage, list_labelled
from artdemo.errors import ArtdemoError
from artdemo.tasks import get_task


@dataclass
class TaskData:
    task: str
    classes: list[str]
    rows: list[LabelledImage]
    y: np.ndarray  # class index per row
    split: np.ndarray  # "train" | "val" | "test" per row

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.rows]

    def index(self, name: str) -> np.ndarray:
        return np.flatnonzero(self.split == name)

    def counts(self) -> dict[str, dict[str, int]]:
        """split -> class -> count."""
        out = {}
        for name in splits.SPLITS:
            c = Counter(self.y[self.index(name)].tolist())
            out[name] = {cls: int(c.get(k, 0)) for k, cls in enumerate(self.classes)}
        return out

    def source_counts(self) -> dict[str, dict[str, int]]:
        """source -> class -> count (all splits)."""
        out: dict[str, dict[str, int]] = {}
        for row in self.rows:
            out.setdefault(row.source or "unknown", {c: 0 for c in self.classes})[row.label] += 1
        return out


def load_task(task: str, data_root: Path | None = None) -> TaskData:
    """The task's labels CSV as arrays; rows with a label outside the task's classes are an error."""
    spec = get_task(task)
    classes = list(spec.classes)
    rows = list_labelled(task, data_root)
    if not rows:
        raise ArtdemoError(f"The {task} labels file has no rows; fill the data cache first.")
    lookup = {c: k for k, c in enumerate(classes)}
    unknown = sorted({r.label for r in rows} - set(lookup))
    if unknown:
        raise ArtdemoError(f"The {task} labels use classes the task doesn't know: {', '.join(unknown)}.")
    y = np.array([lookup[r.label] for r in rows], dtype=np.int64)
    split = np.array([splits.split_of(r.path) for r in rows])
    return TaskData(task, classes, rows, y, split)
