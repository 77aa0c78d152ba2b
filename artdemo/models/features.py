"""Backbone features per image and view, cached on disk so retraining a head takes seconds.

One backbone pass per (image, view) yields a vector of
- `pooled`: the mean of the last feature map (1280, what ImageNet's classifier reads),
- `head_std`: its spatial standard deviation (1280),
- `texture`: mean and standard deviation of earlier blocks' outputs (blocks 2, 4,
  7, 10, 14: brush strokes, hatching and grain live at these scales; 896 values).
Heads pick slices by name (`SLICES`).

Training also keeps the output of block `ACTIVATION_BLOCK` (14x14x112 for a 224 px
input), so the top blocks can be fine-tuned on cached activations without
running the lower ten blocks again (artdemo.training.finetune).

The on-disk cache that training reads lives in artdemo.training.feature_cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
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
ACTIVATION_BLOCK = 10
ACTIVATION_SHAPE = (14, 14, 112)

LOWER = slice(2560, 2560 + 2 * sum(TAP_CHANNELS[:-1]))  # blocks 2-10: below the fine-tuned trunk
_BUILT: dict = {}


def _built(kind: str, build):
    """One compiled function per kind and backbone version (a retrained trunk gets new ones)."""
    from artdemo.models.backbone import BUILD_LOCK, backbone_version

    key = (kind, backbone_version())
    with BUILD_LOCK:
        if key not in _BUILT:
            for old in [k for k in _BUILT if k[0] == kind]:
                del _BUILT[old]
            _BUILT[key] = build()
        return _BUILT[key]


def _extractor():
    """A tf.function mapping (N,224,224,3) pixels to (N, TOTAL_DIM) features."""
    return _built("features", _build_extractor)


def _extractor_with_activations():
    """Like `_extractor`, but also returning block ACTIVATION_BLOCK's output (training only)."""
    return _built("with_activations", lambda: _build_extractor(keep_activations=True))


def _build_from_activations(trunk):
    import tensorflow as tf

    from artdemo.models.backbone import TRUNK_FIRST_BLOCK, apply_trunk, build_lite0, build_top

    assert TRUNK_FIRST_BLOCK == ACTIVATION_BLOCK + 1
    source = None
    if trunk != "current":
        source = build_lite0(weights=True)
        if trunk is not None:
            apply_trunk(source, trunk)
    top = build_top(TRUNK_FIRST_BLOCK, source=source, outputs=(f"block{TAP_BLOCKS[-1]}_out", "head_act"))

    @tf.function(reduce_retracing=True)
    def run(acts, lower):
        block, head = top(acts, training=False)
        return tf.concat([tf.reduce_mean(head, axis=[1, 2]), tf.math.reduce_std(head, axis=[1, 2]), lower,
                          tf.reduce_mean(block, axis=[1, 2]), tf.math.reduce_std(block, axis=[1, 2])], axis=1)

    return run


def features_from_activations(acts: np.ndarray, lower: np.ndarray, trunk="current") -> np.ndarray:
    """The features `features_of_inputs` gives, from cached block-10 activations and the statistics
    of blocks 2-10 (`LOWER`): only the top blocks run, so features of a new trunk cost a third of a pass.
    `trunk`: "current" (the process backbone's), None (ImageNet's weights throughout) or the path of a
    trunk file (a candidate being evaluated)."""
    key = "current" if trunk == "current" else None if trunk is None else (str(trunk), Path(trunk).stat().st_mtime_ns)
    run = _built(f"from_activations {key}", lambda: _build_from_activations(trunk))
    out = [np.asarray(run(np.asarray(acts[i:i + 128], np.float32), np.asarray(lower[i:i + 128], np.float32)))
           for i in range(0, len(acts), 128)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, TOTAL_DIM), np.float32)


def _build_extractor(keep_activations: bool = False):
    import tensorflow as tf

    from artdemo.models.backbone import tap_model

    names = tuple(f"block{i}_out" for i in TAP_BLOCKS) + ("head_act", f"block{ACTIVATION_BLOCK}_out")
    tapped = tap_model(names)

    @tf.function(reduce_retracing=True)
    def run(x):
        outs = tapped(x, training=False)
        head = outs[-2]
        parts = [tf.reduce_mean(head, axis=[1, 2]), tf.math.reduce_std(head, axis=[1, 2])]
        tex = []
        for t in outs[:-2]:
            tex += [tf.reduce_mean(t, axis=[1, 2]), tf.math.reduce_std(t, axis=[1, 2])]
        feats = tf.concat(parts + tex, axis=1)
        return (feats, outs[-1]) if keep_activations else feats

    return run


def features_of_inputs(batch: np.ndarray) -> np.ndarray:
    """Features of prepared inputs (N, 224, 224, 3) float32 0..255."""
    if len(batch) == 0:
        return np.zeros((0, TOTAL_DIM), np.float32)
    return np.asarray(_extractor()(np.asarray(batch, np.float32)), dtype=np.float32)


def features_and_activations(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features of prepared inputs and block ACTIVATION_BLOCK's output, (N, TOTAL_DIM) and
    (N, *ACTIVATION_SHAPE) float32, from one backbone pass."""
    feats, acts = _extractor_with_activations()(np.asarray(batch, np.float32))
    return np.asarray(feats, np.float32), np.asarray(acts, np.float32)


def features_of_images(images: Sequence[np.ndarray], view_names: Sequence[str]) -> dict[str, np.ndarray]:
    """Features of in-memory RGB uint8 images, per view: {view: (N, TOTAL_DIM)}. One backbone call
    per batch covers all images x views."""
    inputs = np.stack([views.view(rgb, v) for v in view_names for rgb in images]) if images else np.zeros((0, 224, 224, 3), np.float32)
    feats = np.concatenate([features_of_inputs(inputs[i:i + BATCH]) for i in range(0, max(len(inputs), 1), BATCH)]) if len(inputs) else np.zeros((0, TOTAL_DIM), np.float32)
    n = len(images)
    return {v: feats[k * n:(k + 1) * n] for k, v in enumerate(view_names)}


def digest(arr: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(arr).tobytes()).hexdigest()[:12]
