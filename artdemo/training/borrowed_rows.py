"""Training rows a task borrows from another task's pictures, and the other sources it is checked on.

Why: every painting the medium task labels comes from one museum (the Whitney), so a
head can learn that museum's look instead of what a painting is. Without borrowed rows
the medium head called only 41% of the Louvre's held-out paintings a painting (`python -m
artdemo report`, the "without borrowed rows" column of the other-sources table). The genre
task's pictures are all paintings from the Louvre's collections site (the data cache's
README), so its train-split pictures can join the medium task's `painting` class, and the
lithograph task's `not_lithograph` class, with no label drawn by hand.

Only the genre task's train split is borrowed: an image is held out for every task or
none (artdemo.training.splits), so the borrowed rows never meet a held-out picture. The
held-out Louvre paintings, and the WikiArt pictures of the style task (mostly paintings,
some prints and drawings, never trained on by these heads), then say how the head does on
pictures from outside its own task's sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.training.taskdata import TaskData, load_task

LENDER = "genre"  # whose pictures are all paintings (the Louvre's collections site)
WIKIART = "style"  # WikiArt pictures: mostly paintings, never rows of the borrowing tasks


@dataclass(frozen=True)
class Borrowed:
    """Extra training rows: cache paths and their class index in the borrowing task."""

    paths: list[str]
    labels: np.ndarray
    description: str


@dataclass(frozen=True)
class OtherSource:
    """Pictures from a source the task's own rows don't come from, and the class they should get."""

    name: str
    paths: list[str]
    expected: str
    description: str


def borrowed_rows(td: TaskData, painting_class: str, data_root: Path | None = None) -> Borrowed | None:
    """The lender's train-split paintings as rows of `painting_class` ("": borrow nothing)."""
    if not painting_class:
        return None
    lender = load_task(LENDER, data_root)
    own = set(td.paths)
    paths = [r.path for r, s in zip(lender.rows, lender.split) if s == "train" and r.path not in own]
    label = td.classes.index(painting_class)
    return Borrowed(paths, np.full(len(paths), label, np.int64),
                    f"{len(paths)} train-split paintings of the {LENDER} task (the Louvre's collections site) "
                    f"as {painting_class}, each clean and photographed")


def other_sources(td: TaskData, painting_class: str, data_root: Path | None = None) -> list[OtherSource]:
    """Pictures from sources outside the task's own rows that its head never trains on, each expected to be
    `painting_class`: the lender's held-out paintings, and the WikiArt pictures of every split."""
    if not painting_class:
        return []
    own = set(td.paths)
    lender = load_task(LENDER, data_root)
    held_out = [r.path for r, s in zip(lender.rows, lender.split) if s != "train" and r.path not in own]
    wikiart = [r.path for r in load_task(WIKIART, data_root).rows if r.path not in own]
    return [
        OtherSource("louvre_held_out", held_out, painting_class,
                    "the Louvre's held-out paintings (validation and test splits of the genre task)"),
        OtherSource("wikiart", wikiart, painting_class,
                    "WikiArt pictures of the style task, every split (mostly paintings; some are prints or "
                    "drawings, so the share is indicative, not an accuracy)"),
    ]


def share_called(probs: np.ndarray, classes: list[str], expected: str) -> float:
    """Share of pictures whose answer is `expected`."""
    return float((probs.argmax(axis=1) == classes.index(expected)).mean()) if len(probs) else float("nan")
