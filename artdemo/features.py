"""Backbone features per image and view, cached on disk so retraining a head takes seconds.

One backbone pass per (image, view) yields a vector of
- `pooled`: the mean of the last feature map (1280, what ImageNet's classifier reads),
- `head_std`: its spatial standard deviation (1280),
- `texture`: mean and standard deviation of earlier blocks' outputs (blocks 2, 4,
  7, 10, 14: brush strokes, hatching and grain live at these scales; 896 values).
Heads pick slices by name (`SLICES`).

The cache lives under config.cache_dir()/features, one file per (backbone
weights hash, view recipe version, view), holding image paths and their float16
features; missing images are computed and appended.
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import config, views

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TAP_BLOCKS = (2, 4, 7, 10, 14)
TAP_CHANNELS = (24, 40, 80, 112, 192)
FEATURE_DIM = 1280
SLICES = {
    "pooled": slice(0, 1280),
    "head_std": slice(1280, 2560),
    "texture": slice(2560, 2560 + 2 * sum(TAP_CHANNELS)),
}
TOTAL_DIM = 2560 + 2 * sum(TAP_CHANNELS)
BATCH = 32

_EXTRACTOR = None


def _extractor():
    """A tf.function mapping (N,224,224,3) pixels to (N, TOTAL_DIM) features, built once."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        import keras
        import tensorflow as tf

        from .backbone import tap_model

        names = tuple(f"block{i}_out" for i in TAP_BLOCKS) + ("head_act",)
        tapped = tap_model(names)

        @tf.function(reduce_retracing=True)
        def run(x):
            outs = tapped(x, training=False)
            head = outs[-1]
            parts = [tf.reduce_mean(head, axis=[1, 2]), tf.math.reduce_std(head, axis=[1, 2])]
            tex = []
            for t in outs[:-1]:
                tex += [tf.reduce_mean(t, axis=[1, 2]), tf.math.reduce_std(t, axis=[1, 2])]
            return tf.concat(parts + tex, axis=1)

        _EXTRACTOR = run
        del keras
    return _EXTRACTOR


def features_of_inputs(batch: np.ndarray) -> np.ndarray:
    """Features of prepared inputs (N, 224, 224, 3) float32 0..255."""
    if len(batch) == 0:
        return np.zeros((0, TOTAL_DIM), np.float32)
    return np.asarray(_extractor()(np.asarray(batch, np.float32)), dtype=np.float32)


def features_of_images(images: Sequence[np.ndarray], view_names: Sequence[str]) -> dict[str, np.ndarray]:
    """Features of in-memory RGB uint8 images, per view: {view: (N, TOTAL_DIM)}. One backbone call
    per batch covers all images x views."""
    inputs = np.stack([views.view(rgb, v) for v in view_names for rgb in images]) if images else np.zeros((0, 224, 224, 3), np.float32)
    feats = np.concatenate([features_of_inputs(inputs[i:i + BATCH]) for i in range(0, max(len(inputs), 1), BATCH)]) if len(inputs) else np.zeros((0, TOTAL_DIM), np.float32)
    n = len(images)
    return {v: feats[k * n:(k + 1) * n] for k, v in enumerate(view_names)}


def _cache_file(view_name: str) -> Path:
    from .backbone import weights_fingerprint

    key = f"{weights_fingerprint()}-{views.RECIPE_VERSION}-{view_name}"
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
    from .image_input import load_image_file

    return np.asarray(load_image_file(path), dtype=np.uint8)


def cached_features(paths: Sequence[str], view_names: Sequence[str], data_root: Path | None = None,
                    log: Callable[[str], None] = lambda msg: None) -> dict[str, np.ndarray]:
    """{view: (len(paths), TOTAL_DIM) float32} for cache-relative image paths, computing what is missing.

    Images are decoded once for all missing views; decoding of the next batch
    overlaps the backbone's work on the current one.
    """
    from .datacache import resolve

    tables = {v: _load_cache(_cache_file(v)) for v in view_names}
    missing = sorted({p for p in paths for v in view_names if p not in tables[v]})
    if missing:
        todo = {p: [v for v in view_names if p not in tables[v]] for p in missing}
        start, cpu0 = time.perf_counter(), time.process_time()
        per = max(1, BATCH // max(1, len(view_names)))
        chunks = [missing[i:i + per] for i in range(0, len(missing), per)]

        def prepare(chunk):
            items = []
            for p in chunk:
                rgb = _load_rgb(resolve(p, data_root))
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
                    log(f"features: {done}/{len(missing)} images, {len(view_names)} view(s) "
                        f"({done / max(wall, 1e-6):.1f} images/s; {wall:.0f} s wall, "
                        f"{time.process_time() - cpu0:.0f} s CPU)")
                if k % 100 == 99:
                    for v in view_names:
                        _save_cache(_cache_file(v), tables[v])
        for v in view_names:
            _save_cache(_cache_file(v), tables[v])
    return {v: np.stack([tables[v][p] for p in paths]).astype(np.float32) if paths else
            np.zeros((0, TOTAL_DIM), np.float32) for v in view_names}


def digest(arr: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(arr).tobytes()).hexdigest()[:12]
