"""Saliency maps on disk, precomputed for the pictures the app shows again and again.

The kiosk loop and the Confusion explorer show fixed pictures (the data-cache
images and each model card's held-out examples), so their Grad-CAM maps can be
computed once, at the lowest priority, and read from disk afterwards. A map is
filed under the task model's version (a hash of its card and weights), so a
retrained model never shows a stale map: its maps simply live in a new folder.

Layout: `<ARTDEMO_CACHE>/maps/<task>/<model version>/<fingerprint>_<class>_<method>.npz`
(float16, written atomically).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artdemo import config
from artdemo.errors import ArtdemoError

log = logging.getLogger(__name__)


def store_dir() -> Path:
    return config.cache_dir() / "maps"


def model_version(task: str) -> str:
    """A short hash of the task's card.json and weights file (their bytes), cached per file stamp."""
    from artdemo.models.cards import card_path, load_card
    from artdemo.models.store import models_root

    root = models_root()
    card_file = card_path(task, root)
    if not card_file.is_file():
        raise ArtdemoError(f"There is no trained {task!r} model in {root}.")
    weights = card_file.parent / load_card(task, root).weights_file
    return _version_of(_stamp(card_file), _stamp(weights))


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return (str(path), 0, -1)
    return (str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _version_of(*stamps: tuple[str, int, int]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name, _mtime, size in stamps:
        digest.update(f"{Path(name).name}:{size}:".encode())
        if size >= 0:
            digest.update(Path(name).read_bytes())
    return digest.hexdigest()


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", text)


def map_path(fingerprint: str, task: str, class_name: str, method: str) -> Path:
    """Where this map lives for the task's current model version."""
    name = f"{_safe(fingerprint)}_{_safe(class_name)}_{_safe(method)}.npz"
    return store_dir() / _safe(task) / model_version(task) / name


def get(fingerprint: str, task: str, class_name: str, method: str) -> np.ndarray | None:
    """The stored (224, 224) float32 map, or None (not stored, no model, unreadable file)."""
    try:
        path = map_path(fingerprint, task, class_name, method)
        if not path.is_file():
            return None
        with np.load(path) as stored:
            return np.asarray(stored["heat"], dtype=np.float32)
    except ArtdemoError:
        return None
    except Exception:  # a damaged file is a miss, and the map is computed again
        log.warning("unreadable stored map for %s/%s/%s", task, class_name, method, exc_info=True)
        return None


def put(fingerprint: str, task: str, class_name: str, method: str, heat: np.ndarray) -> Path:
    """Store a map (float16, compressed); written to a temporary file and renamed, so readers never
    see half a file."""
    path = map_path(fingerprint, task, class_name, method)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez_compressed(out, heat=np.asarray(heat, dtype=np.float16))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- precomputing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixedImage:
    """A data-cache picture the app shows again; `classes` (task -> class) when known in advance
    (held-out examples carry their prediction), else every task's predicted class is explained."""

    path: str  # relative to the data cache
    classes: tuple[tuple[str, str], ...] = ()


def fixed_images(limit: int | None = None) -> list[FixedImage]:
    """Held-out examples of every card first (the Confusion explorer's pictures), then the other
    data-cache images (the kiosk's), up to `limit` (ARTDEMO_PRECOMPUTE_LIMIT, default 3000)."""
    from artdemo.models.cards import available_cards
    from artdemo.models.store import models_root
    from artdemo.sources.datacache import list_labelled
    from artdemo.tasks import TASKS

    limit = limit if limit is not None else int(os.environ.get("ARTDEMO_PRECOMPUTE_LIMIT", "3000"))
    known: dict[str, dict[str, str]] = {}
    for card in available_cards(models_root()):
        for example in card.examples:
            known.setdefault(example.path, {})[card.task] = example.predicted
    items = [FixedImage(path, tuple(sorted(classes.items()))) for path, classes in known.items()]
    for task in TASKS:
        try:
            rows = list_labelled(task)
        except ArtdemoError:
            continue
        items += [FixedImage(row.path) for row in rows if row.path not in known]
        known.update({row.path: {} for row in rows})
    return items[:limit]


@dataclass
class FillJob:
    """A running precomputation; `stop()` ends it after the current map."""

    total: int  # pictures
    computed: int = 0  # maps
    already: int = 0  # maps found on disk
    failed: int = 0  # pictures
    done: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()


def fill_in_background(items: list[FixedImage], service=None, method: str = "gradcam",
                       tasks: list[str] | None = None) -> FillJob:
    """Compute the missing maps of `items` in a daemon thread, one job at a time through the
    service's lowest lane, so a visitor's request always goes first (it waits at most one map)."""
    job = FillJob(total=len(items))
    thread = threading.Thread(target=_fill, args=(job, items, service, method, tasks),
                              name="artdemo-map-fill", daemon=True)
    thread.start()
    return job


def _fill(job: FillJob, items: list[FixedImage], service, method: str, tasks: list[str] | None) -> None:
    from artdemo.app.service import service as default_service

    svc = service or default_service()
    try:
        for item in items:
            if job.stopping:
                break
            try:
                computed, already = _fill_one(svc, item, method, tasks)
            except Exception as err:  # one unreadable picture must not end the job
                job.failed += 1
                log.info("precomputing maps for %s failed: %s", item.path, err)
            else:
                job.computed += computed
                job.already += already
    finally:
        job.done.set()


def _fill_one(svc, item: FixedImage, method: str, tasks: list[str] | None) -> tuple[int, int]:
    """(maps computed, maps already stored) for one picture. Every step that costs CPU (decoding,
    finding the artwork, predicting, the maps) runs as a job in the service's lowest lane."""
    from artdemo.app.explanations import compute

    rgb, fingerprint, classes = svc.result(svc.submit_background(lambda: _prepare(svc, item, tasks)))
    computed = already = 0
    for task, class_name in classes.items():
        if get(fingerprint, task, class_name, method) is not None:
            already += 1
            continue
        heat = svc.result(svc.submit_background(lambda t=task, c=class_name: compute(rgb, t, c, method)))
        put(fingerprint, task, class_name, method, heat)
        computed += 1
    return computed, already


def _prepare(svc, item: FixedImage, tasks: list[str] | None) -> tuple[np.ndarray, str, dict[str, str]]:
    """The picture as the app shows it to the models (decoded, the artwork found in it, as the
    kiosk and the pages do), its fingerprint, and the class to explain per task."""
    from artdemo.app.explanations import image_key
    from artdemo.app.framing import frame
    from artdemo.imaging.decode import load_image_file

    rgb = frame(np.asarray(load_image_file(config.data_dir() / item.path), dtype=np.uint8)).seen
    classes = dict(item.classes)
    if not classes:  # ask the models what they see, as the kiosk will
        answers = svc.predict(rgb, tasks)  # on the worker: runs at once, no queue
        classes = {task: answer.predicted for task, answer in answers.items()}
    if tasks is not None:
        classes = {task: name for task, name in classes.items() if task in tasks}
    return rgb, image_key(rgb), classes
