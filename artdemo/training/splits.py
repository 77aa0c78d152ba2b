"""Train / validation / test membership decided by the image path alone.

A hash of the cache-relative path (not a random draw, not the task) decides the
split, so the same image lands in the same split for every task it is labelled
in (the Whitney objects carry both medium and lithograph labels), and any run
on any machine gets the same split without storing it.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, TypeVar

SPLITS = ("train", "val", "test")
TRAIN_PERCENT = 70
VAL_PERCENT = 15  # the rest (15) is test
SPLIT_RULE = (
    "sha256 of the image path relative to the data cache (e.g. 'images/galc/x.jpg'); "
    "first 8 hex digits as an integer mod 100: < 70 train, < 85 validation, else test. "
    "The same image falls in the same split for every task."
)

T = TypeVar("T")


def split_of(path: str) -> str:
    """The split ('train' | 'val' | 'test') an image path belongs to."""
    norm = path.replace("\\", "/")
    bucket = int(hashlib.sha256(norm.encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < TRAIN_PERCENT:
        return "train"
    if bucket < TRAIN_PERCENT + VAL_PERCENT:
        return "val"
    return "test"


def split_items(items: Iterable[T], path_of=lambda item: item.path) -> dict[str, list[T]]:
    """Group items (anything with a cache-relative path) into the three splits, order kept."""
    out: dict[str, list[T]] = {name: [] for name in SPLITS}
    for item in items:
        out[split_of(path_of(item))].append(item)
    return out
