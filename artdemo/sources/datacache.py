"""Reading the local data cache (the layout of shared/data)."""

from __future__ import annotations

import csv
import functools
import random
from dataclasses import dataclass
from pathlib import Path

from artdemo import config
from artdemo.errors import ArtdemoError
from artdemo.tasks import get_task


@dataclass(frozen=True)
class LabelledImage:
    path: str  # relative to the data cache root, e.g. "images/galc/0017b382fb7dcae9.jpg"
    label: str
    source: str
    medium_text: str = ""
    record: str = ""
    original_name: str = ""


def read_labels_csv(csv_path: Path, root: Path | None = None) -> list[LabelledImage]:
    """Rows of a labels CSV; `path` stays relative to `root` (default: the CSV's parent's parent).

    Parsed once per version of the file: every "Random from the collection cache" click of
    every visitor reads the labels, and parsing 5,000 rows each time took a tenth of the
    server's time in the 8-visitor crowd test."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise ArtdemoError(f"No labels file at {csv_path}. Set ARTDEMO_DATA to a data cache, or fetch data with `python -m artdemo data fetch`.")
    stat = csv_path.stat()
    return list(_parsed(str(csv_path.resolve()), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=16)
def _parsed(csv_path: str, mtime_ns: int, size: int) -> tuple[LabelledImage, ...]:
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "path" not in reader.fieldnames or "label" not in reader.fieldnames:
            raise ArtdemoError(f"{csv_path} is not a labels CSV: it needs at least the columns path,label.")
        return tuple(
            LabelledImage(
                path=row["path"], label=row["label"], source=row.get("source", "") or "",
                medium_text=row.get("medium_text", "") or "", record=row.get("record", "") or "",
                original_name=row.get("original_name", "") or "",
            )
            for row in reader
        )


def list_labelled(task: str, data_root: Path | None = None) -> list[LabelledImage]:
    """Every labelled image of a task in the data cache."""
    root = Path(data_root) if data_root else config.data_dir()
    return read_labels_csv(root / get_task(task).labels_csv)


def resolve(path: str, data_root: Path | None = None) -> Path:
    """Absolute path of a cache-relative image path."""
    return (Path(data_root) if data_root else config.data_dir()) / path


def random_labelled(task: str | None = None, rng: random.Random | None = None,
                    data_root: Path | None = None) -> tuple[LabelledImage, dict[str, str]]:
    """A random labelled image and every task label it carries (an image may be labelled in several tasks)."""
    from artdemo.tasks import TASKS

    rng = rng or random.Random()
    names = [task] if task else list(TASKS)
    pool: list[LabelledImage] = []
    for name in names:
        try:
            pool.extend(list_labelled(name, data_root))
        except ArtdemoError:
            continue
    if not pool:
        raise ArtdemoError("The local collection cache is empty. Set ARTDEMO_DATA to a data cache or run `python -m artdemo data fetch`.")
    pick = rng.choice(pool)
    return pick, labels_for_path(pick.path, data_root)


def labels_for_path(path: str, data_root: Path | None = None) -> dict[str, str]:
    """Every task label the cache holds for one image path."""
    from artdemo.tasks import TASKS

    root = str(data_root or config.data_dir())
    labels = {}
    for name in TASKS:
        try:
            index = _labels_index(name, root)
        except ArtdemoError:
            continue
        if path in index:
            labels[name] = index[path]
    return labels


_INDEX: dict[tuple[str, str], dict[str, str]] = {}


def _labels_index(task: str, root: str) -> dict[str, str]:
    key = (task, root)
    if key not in _INDEX:
        _INDEX[key] = {row.path: row.label for row in list_labelled(task, Path(root))}
    return _INDEX[key]
