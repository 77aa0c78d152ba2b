"""How fast the feature cache fills from empty, the largest part of `train all` from empty caches.

Each look of a few hundred labelled images is computed into a fresh, temporary cache
folder: decoding, (for `photo`) making the gallery photo, finding the artwork, and the
backbone with its kept activations, as `train all` does for all 12,122 images. Timed
once with one thread preparing pictures ahead of the backbone and once with
`feature_cache.PREPARE_WORKERS`, so the gain of the second thread is measured, not assumed.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from unittest.mock import patch

import numpy as np

from artdemo.training import feature_cache
from artdemo.training.taskdata import load_task

IMAGES = 192


def _sample(n: int) -> list[str]:
    """Every k-th image of the medium and style tasks: museum objects, framed prints and paintings."""
    paths = sorted(set(load_task("medium").paths) | set(load_task("style").paths))
    return paths[:: max(1, len(paths) // n)][:n]


def _fill_seconds(paths: list[str], look: str, workers: int) -> float:
    # The cache folder is a setting read at each call; patch.dict puts the environment back as it was.
    with tempfile.TemporaryDirectory() as tmp, patch.dict(os.environ, {"ARTDEMO_CACHE": str(Path(tmp))}):
        start = time.perf_counter()
        feature_cache.cached_features(paths, ["whole"], look=look, workers=workers)
        return time.perf_counter() - start


def fill_rates(n: int = IMAGES) -> list[tuple[str, float, str]]:
    """(name, images per second, unit) per look, with one preparing thread and with the setting."""
    from artdemo.models import features

    paths = _sample(n)
    features.features_of_inputs(np.zeros((2, 224, 224, 3), np.float32))  # build, untimed
    out = []
    for look in ("clean", "photo"):
        for workers in sorted({1, feature_cache.PREPARE_WORKERS}):
            rate = len(paths) / _fill_seconds(paths, look, workers)
            out.append((f"feature cache fill from empty, {look} look, {workers} preparing thread(s), "
                        f"{len(paths)} images", rate, "images/s"))
    return out
