"""Backbone features of the data cache's images, cached on disk so retraining a head takes seconds.

The cache lives under config.cache_dir()/features, one file per (backbone
weights hash, view recipe version, look and its version, view), holding image
paths and their float16 features (artdemo.training.looks: `clean` is the image
through the artwork finder, `photo` a generated gallery photo of it through the
finder); missing images are computed and appended (and saved every 100 batches,
so an interrupted run keeps what it paid for).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from artdemo import config
from artdemo.models import views
from artdemo.models.features import BATCH, TOTAL_DIM, features_of_inputs
from artdemo.training import looks


def _cache_file(view_name: str, look: str) -> Path:
    from artdemo.models.backbone import weights_fingerprint

    key = f"{weights_fingerprint()}-{views.RECIPE_VERSION}-{look}-{looks.LOOKS_VERSION}-{view_name}"
    return config.cache_dir() / "features" / f"{key}.npz"


def _load_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["paths"].tolist(), data["feats"]))
    except (OSError, ValueError, KeyError):
        return {}  # a damaged cache is recomputed, never trusted


def _save_cache(path: Path, table: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(table)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, paths=np.array(keys), feats=np.stack([table[k] for k in keys]).astype(np.float16))
    os.replace(tmp, path)


def _load_rgb(path: Path) -> np.ndarray:
    from artdemo.imaging.decode import load_image_file

    return np.asarray(load_image_file(path), dtype=np.uint8)


def cached_features(paths: Sequence[str], view_names: Sequence[str], data_root: Path | None = None,
                    log: Callable[[str], None] = lambda msg: None, look: str = "clean") -> dict[str, np.ndarray]:
    """{view: (len(paths), TOTAL_DIM) float32} for cache-relative image paths, computing what is missing.

    Images are decoded once for all missing views; decoding of the next batch
    overlaps the backbone's work on the current one.
    """
    from artdemo.sources.datacache import resolve

    tables = {v: _load_cache(_cache_file(v, look)) for v in view_names}
    missing = sorted({p for p in paths for v in view_names if p not in tables[v]})
    if missing:
        todo = {p: [v for v in view_names if p not in tables[v]] for p in missing}
        start, cpu0 = time.perf_counter(), time.process_time()
        per = max(1, BATCH // max(1, len(view_names)))
        chunks = [missing[i:i + per] for i in range(0, len(missing), per)]

        def prepare(chunk):
            items = []
            for p in chunk:
                rgb = looks.picture_for(_load_rgb(resolve(p, data_root)), p, look)
                items += [(p, v, views.view(rgb, v)) for v in todo[p]]
            return items

        done = 0
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(prepare, chunks[0])
            for k in range(len(chunks)):
                items = future.result()
                if k + 1 < len(chunks):
                    future = pool.submit(prepare, chunks[k + 1])
                feats = features_of_inputs(np.stack([x for _, _, x in items]))
                for (p, v, _), f in zip(items, feats):
                    tables[v][p] = f.astype(np.float16)
                done += len(chunks[k])
                if k % 20 == 0 or k + 1 == len(chunks):
                    wall = time.perf_counter() - start
                    log(f"features ({look}): {done}/{len(missing)} images, {len(view_names)} view(s) "
                        f"({done / max(wall, 1e-6):.1f} images/s; {wall:.0f} s wall, "
                        f"{time.process_time() - cpu0:.0f} s CPU)")
                if k % 100 == 99:
                    for v in view_names:
                        _save_cache(_cache_file(v, look), tables[v])
        for v in view_names:
            _save_cache(_cache_file(v, look), tables[v])
    return {v: np.stack([tables[v][p] for p in paths]).astype(np.float32) if paths else
            np.zeros((0, TOTAL_DIM), np.float32) for v in view_names}
