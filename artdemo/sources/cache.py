"""Artworks from the local data cache: what the app shows offline, with the true labels.

Cache objects carry `image_path` (relative to the data cache) and every task
label the cache holds for that image, so the UI can put the truth beside each
prediction.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path, PurePosixPath

from artdemo import config
from artdemo.sources.datacache import labels_for_path, list_labelled, random_labelled
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import MAX_BYTES
from artdemo.sources.records import ArtObject
from artdemo.tasks import get_task


def random_cached_object(task: str | None = None, rng: random.Random | None = None) -> ArtObject:
    """A random labelled image from the data cache (optionally one labelled for `task`)."""
    item, _labels = random_labelled(task, rng=rng)
    return object_from_cache_path(item.path)


def object_from_cache_path(path: str) -> ArtObject:
    """The cache image at `path` (relative to the data cache, e.g. images/galc/x.jpg).

    Paths that leave the cache (absolute, `..`) are refused: the path may come
    from a URL query parameter.
    """
    root = config.data_dir().resolve()
    rel = PurePosixPath(str(path).replace("\\", "/"))
    if not str(path).strip() or rel.is_absolute() or ".." in rel.parts:
        raise ArtdemoError(f"{path!r} is not an image in the local collection.")
    full = (root / rel).resolve()
    if root not in full.parents or not full.is_file():
        raise ArtdemoError(f"There is no image {path!r} in the local collection at {root}.")
    if full.stat().st_size > MAX_BYTES:
        raise ArtdemoError(f"The cached image {path!r} is too big to show.")
    labels = labels_for_path(str(rel))
    row = _row_for(str(rel), labels)
    return ArtObject(
        source="cache", object_id=full.stem, title=row.get("original_name", "") or full.name,
        medium=row.get("medium_text", ""), classification=row.get("source", ""),
        labels=labels, page_url=_page_url(row.get("record", "")),
        image_bytes=full.read_bytes(), image_path=str(rel),
    )


def _row_for(path: str, labels: dict[str, str]) -> dict[str, str]:
    """The labels-CSV row of this image (for its name, medium text and record)."""
    root = config.data_dir()
    for task in labels:
        csv_path = root / get_task(task).labels_csv
        stamp = csv_path.stat().st_mtime if csv_path.is_file() else 0.0
        row = _rows(str(root), task, stamp).get(path)
        if row is not None:
            return row
    return {}


@lru_cache(maxsize=16)
def _rows(root: str, task: str, _stamp: float) -> dict[str, dict[str, str]]:
    """path -> row details of one labels CSV (re-read when the file changes)."""
    return {
        item.path: {"original_name": item.original_name, "medium_text": item.medium_text,
                    "source": item.source, "record": item.record}
        for item in list_labelled(task, Path(root))
    }


def _page_url(record: str) -> str:
    return record if record.startswith(("http://", "https://")) else ""
