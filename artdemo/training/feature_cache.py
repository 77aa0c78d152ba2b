"""Backbone features of the data cache's images, cached on disk so retraining a head takes seconds.

The cache lives under config.cache_dir()/features, one file per (backbone
weights hash, view recipe version, look and its version, view), holding image
paths and their float16 features (artdemo.training.looks: `clean` is the image
through the artwork finder, `photo` a generated gallery photo of it through the
finder); missing images are computed and appended (and saved every 100 batches,
so an interrupted run keeps what it paid for).

The same pass keeps what the never-tuned lower blocks compute, keyed by the
ImageNet weights alone: each picture's block-10 activations (float16, under
`activations/`) and the statistics of blocks 2-10 (under `lower/`). Fine-tuning
the top blocks (artdemo.training.finetune) trains on the activations, and the
features of a new trunk are computed from both by running only the top blocks.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np

from artdemo import config
from artdemo.models import views
from artdemo.models.features import (ACTIVATION_SHAPE, BATCH, LOWER, TOTAL_DIM, features_and_activations,
                                     features_from_activations)
from artdemo.training import looks

Chunk = TypeVar("Chunk")
Ready = TypeVar("Ready")


def _cache_file(view_name: str, look: str, kind: str = "features", weights: str | None = None) -> Path:
    """The cache file of one view and look. Features are keyed by every weight the backbone uses
    (`weights`: a fingerprint, default the process backbone's); what the lower, never-tuned blocks
    compute (activations, lower) by ImageNet's weights alone."""
    from artdemo.models.backbone import imagenet_fingerprint, weights_fingerprint

    if kind != "features":
        weights = imagenet_fingerprint()
    elif weights is None:
        weights = weights_fingerprint()
    key = f"{weights}-{views.RECIPE_VERSION}-{look}-{looks.LOOKS_VERSION}-{view_name}"
    return config.cache_dir() / kind / f"{key}.npz"


def load_table(path: Path) -> dict[str, np.ndarray]:
    """{image path: row} of one cache file; empty if it is missing or damaged."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["paths"].tolist(), data["feats"]))
    except (OSError, ValueError, KeyError):
        return {}  # a damaged cache is recomputed, never trusted


def table_paths(path: Path) -> set[str]:
    """The image paths a cache file holds, without reading its rows (an .npz member is read on access)."""
    if not path.is_file():
        return set()
    try:
        with np.load(path, allow_pickle=False) as data:
            return set(data["paths"].tolist())
    except (OSError, ValueError, KeyError):
        return set()


def cached_activations(paths: Sequence[str], look: str = "clean") -> np.ndarray:
    """Block-10 activations (len(paths), 14, 14, 112) float16 of the `whole` view, as kept by
    `cached_features`; a path it has not seen yet is an error (run `cached_features` first)."""
    table = load_table(_cache_file("whole", look, "activations"))
    missing = [p for p in paths if p not in table]
    if missing:
        raise KeyError(f"no cached activations for {len(missing)} picture(s), e.g. {missing[0]}")
    return np.stack([table[p] for p in paths]) if paths else np.zeros((0, *ACTIVATION_SHAPE), np.float16)


def save_table(path: Path, table: dict[str, np.ndarray]) -> None:
    """Write a cache file atomically (a run killed mid-write leaves the old file), as float16."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(table)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, paths=np.array(keys), feats=np.stack([table[k] for k in keys]).astype(np.float16))
    os.replace(tmp, path)


def _save_all(tables: dict[str, dict], kept: dict[str, dict], look: str) -> None:
    """Features per view, and what the lower blocks computed (`kept`: activations, lower)."""
    for v, table in tables.items():
        save_table(_cache_file(v, look), table)
    for kind, table in kept.items():
        if table:
            save_table(_cache_file("whole", look, kind), table)


def _derive(table: dict[str, np.ndarray], paths: Sequence[str], look: str, log, trunk="current",
            weights: str | None = None) -> None:
    """Fill `table` (whole-view features of the backbone with `trunk`, see
    features.features_from_activations) from the lower blocks' cache where it can."""
    need = [p for p in dict.fromkeys(paths) if p not in table]
    if not need:
        return
    acts, lower = (load_table(_cache_file("whole", look, kind)) for kind in ("activations", "lower"))
    can = [p for p in need if p in acts and p in lower]
    if not can:
        return
    start = time.perf_counter()
    feats = features_from_activations(np.stack([acts[p] for p in can]), np.stack([lower[p] for p in can]), trunk)
    table.update({p: f.astype(np.float16) for p, f in zip(can, feats)})
    save_table(_cache_file("whole", look, weights=weights), table)
    log(f"features ({look}): {len(can)} images from cached block-10 activations "
        f"({time.perf_counter() - start:.0f} s)")


def trunk_features(paths: Sequence[str], trunk: Path | None, data_root: Path | None = None,
                   log: Callable[[str], None] = lambda m: None, look: str = "clean") -> np.ndarray:
    """Whole-view features of the backbone with a given trunk (None: ImageNet's weights throughout),
    whatever the process backbone is: the ablation compares them. Computed from the lower blocks'
    cache (filled first if needed), so a trunk costs a third of a backbone pass."""
    from artdemo.models.backbone import imagenet_fingerprint, trunk_fingerprint

    cached_features(paths, ["whole"], data_root, log, look)  # makes sure the activations are there
    weights = imagenet_fingerprint() + (f"+{trunk_fingerprint(trunk)}" if trunk else "")
    table = load_table(_cache_file("whole", look, weights=weights))
    _derive(table, paths, look, log, trunk, weights)
    return np.stack([table[p] for p in paths]).astype(np.float32) if paths else np.zeros((0, TOTAL_DIM), np.float32)


def load_rgb(path: Path) -> np.ndarray:
    """A data-cache image as RGB uint8, through the app's safe decoder."""
    from artdemo.imaging.decode import load_image_file

    return np.asarray(load_image_file(path), dtype=np.uint8)


PREPARE_WORKERS = 2
"""Threads preparing chunks ahead of the backbone. Decoding, making the gallery photo and finding the
artwork (OpenCV and NumPy, which let go of the GIL) cost more CPU per picture than the backbone, so
one thread left a core idle part of the time."""


def prefetched(chunks: Sequence[Chunk], prepare: Callable[[Chunk], Ready],
               workers: int | None = None) -> Iterator[tuple[int, Chunk, Ready]]:
    """(k, chunk, prepare(chunk)) in order, preparing the next `workers` (default PREPARE_WORKERS) chunks
    on other threads while the caller runs a backbone on this one."""
    workers = workers or PREPARE_WORKERS
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead = [pool.submit(prepare, chunk) for chunk in chunks[:workers]]
        for k in range(len(chunks)):
            ready = ahead.pop(0).result()
            if k + workers < len(chunks):
                ahead.append(pool.submit(prepare, chunks[k + workers]))
            yield k, chunks[k], ready


def cached_features(paths: Sequence[str], view_names: Sequence[str], data_root: Path | None = None,
                    log: Callable[[str], None] = lambda msg: None, look: str = "clean",
                    workers: int | None = None) -> dict[str, np.ndarray]:
    """{view: (len(paths), TOTAL_DIM) float32} for cache-relative image paths, computing what is missing.

    Images are decoded once for all missing views; decoding of the next batch
    overlaps the backbone's work on the current one (`workers` threads, default PREPARE_WORKERS).
    """
    from artdemo.sources.datacache import resolve

    tables = {v: load_table(_cache_file(v, look)) for v in view_names}
    if "whole" in view_names:
        _derive(tables["whole"], paths, look, log)
    with_acts = table_paths(_cache_file("whole", look, "activations")) if "whole" in view_names else set()
    missing = sorted({p for p in paths for v in view_names if p not in tables[v]}
                     | ({p for p in paths if p not in with_acts} if "whole" in view_names else set()))
    if missing:
        # the activations (about 0.5 GB for the data cache) are read only when there is something to add
        kept = {kind: load_table(_cache_file("whole", look, kind)) if "whole" in view_names else {}
                for kind in ("activations", "lower")}
        acts = kept["activations"]
        todo = {p: [v for v in view_names if p not in tables[v] or (v == "whole" and p not in acts)]
                for p in missing}
        start, cpu0 = time.perf_counter(), time.process_time()
        per = max(1, BATCH // max(1, len(view_names)))
        chunks = [missing[i:i + per] for i in range(0, len(missing), per)]

        def prepare(chunk):
            items = []
            for p in chunk:
                rgb = looks.picture_for(load_rgb(resolve(p, data_root)), p, look)
                items += [(p, v, views.view(rgb, v)) for v in todo[p]]
            return items

        done = 0
        for k, chunk, items in prefetched(chunks, prepare, workers):
            feats, batch_acts = features_and_activations(np.stack([x for _, _, x in items]))
            for (p, v, _), f, a in zip(items, feats, batch_acts):
                tables[v][p] = f.astype(np.float16)
                if v == "whole":
                    acts[p] = a.astype(np.float16)
                    kept["lower"][p] = f[LOWER].astype(np.float16)
            done += len(chunk)
            if k % 20 == 0 or k + 1 == len(chunks):
                wall = time.perf_counter() - start
                log(f"features ({look}): {done}/{len(missing)} images, {len(view_names)} view(s) "
                    f"({done / max(wall, 1e-6):.1f} images/s; {wall:.0f} s wall, "
                    f"{time.process_time() - cpu0:.0f} s CPU)")
            if k % 100 == 99:
                _save_all(tables, kept, look)
        _save_all(tables, kept, look)
    return {v: np.stack([tables[v][p] for p in paths]).astype(np.float32) if paths else
            np.zeros((0, TOTAL_DIM), np.float32) for v in view_names}
