"""Backbone features per image and view, cached on disk so retraining a head takes seconds.

One backbone pass per (image, view) yields a vector of
- `pooled`: the mean of the last feature map (1280, what ImageNet's classifier reads),
- `head_std`: its spatial standard deviation (1280),
- `texture`: mean and standard deviation of earlier blocks' outputs (blocks 2, 4,
  7, 10, 14: brush strokes, hatching and grain live at these scales; 896 values).
Heads pick slices by name (`SLICES`).

The on-disk cache that training reads lives in artdemo.training.feature_cache.
"""

from __future__ import annotations

import hashlib
import os
from typing import Sequence

import numpy as np

from artdemo.models import views

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
    from artdemo.models.backbone import BUILD_LOCK

    with BUILD_LOCK:
        if _EXTRACTOR is None:
            _EXTRACTOR = _build_extractor()
    return _EXTRACTOR


def _build_extractor():
    import tensorflow as tf

    from artdemo.models.backbone import tap_model

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

    return run


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


def digest(arr: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(arr).tobytes()).hexdigest()[:12]
