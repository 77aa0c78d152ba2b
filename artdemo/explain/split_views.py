"""Explain the whole-picture view alone, with the head's other views held as they are,
in a rebuilt graph whose gradients stay finite.

Some task heads look at several views of the picture (the whole, its mirror image, the
frame-cropped centre, a greyscale patch: artdemo.recipes), and `predictor.explain_model`
rebuilds all of them in one graph, so every forward pass costs one backbone pass per
view. Occlusion (17 images) and integrated gradients (10 steps) would then take 3x longer
than the time budget allows.

For those models we rebuild the graph with the other views' features as inputs: they
are computed once per picture (one batched call) and held fixed while the explanation
perturbs the whole view, so each further pass costs one backbone pass. The class
probability at the unperturbed picture is exactly the full model's. What the maps
then say: "which parts of the whole view raise the score, the other views staying as
they are". The frame-cropped and patch views still see an occluded region, so occlusion
on the whole view alone can understate how much the model relies on that region.

The fixed features come from the original picture through artdemo.features, exactly as
`predict_image` computes them, so the probability being explained is the one the app
shows. This reads the layer names of artdemo.explain_graph (`view_whole`, `stats_<view>`,
`head`, one shared backbone); any other model is explained as it is.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from artdemo.explain.cache import HeatCache


@dataclass(frozen=True)
class ViewSplit:
    model: Any  # [pixels, fixed feature rows of the other views...] -> [conv_map, probs]
    fixed_fn: Any  # traced: pixels (1, H, W, 3) -> [features of each other view]; None if none
    others: tuple[str, ...]

    def fixed_features(self, x: np.ndarray) -> list[np.ndarray]:
        """The other views' features of one model-input picture (H, W, 3), one (1, D) row each."""
        if not self.others:
            return []
        outs = self.fixed_fn(np.asarray(x, np.float32)[None])
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        return [np.asarray(o, np.float32) for o in outs]


_SPLITS: dict[int, tuple[Any, ViewSplit | None]] = {}
_FIXED = HeatCache(max_entries=64)
_LOCK = threading.Lock()


def split_for(model: Any) -> ViewSplit | None:
    """The rebuilt graph of an explain_graph model (built once per model object; it has
    no fixed inputs when the head uses the whole view only), or None for other models."""
    with _LOCK:
        entry = _SPLITS.get(id(model))
        if entry is None or entry[0] is not model:
            entry = _SPLITS[id(model)] = (model, _build_split(model))
            while len(_SPLITS) > 16:
                del _SPLITS[next(iter(_SPLITS))]
        return entry[1]


JITTER = 1e-6
"""Size of the fixed zero-mean pattern added before the statistics layer (see `_jitter`)."""


def _jitter(tensor, seed: int):
    """Add a fixed, zero-mean pattern of size 1e-6 to a feature map.

    The head's statistics include each channel's standard deviation over the map; for a
    channel that is constant (a ReLU6 channel that is zero everywhere: about a third of
    the last layer's on real paintings) the derivative of sqrt(variance) is infinite and
    every gradient becomes NaN. The pattern keeps each variance above about 1e-12 while
    changing no mean and no feature by more than about 1e-6, far below what moves a
    probability (the tests compare probabilities to 1e-4).
    """
    import keras

    shape = tuple(int(d) for d in tensor.shape[1:])
    pattern = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    pattern -= pattern.mean(axis=(0, 1), keepdims=True)
    pattern *= JITTER / (pattern.std(axis=(0, 1), keepdims=True) + 1e-12)
    return keras.layers.Lambda(lambda t, p=pattern: t + p, name=f"nan_guard_{seed}")(tensor)


def _build_split(model: Any) -> ViewSplit | None:
    import keras
    import tensorflow as tf

    names = {layer.name for layer in model.layers}
    others = tuple(sorted(n[len("stats_"):] for n in names if n.startswith("stats_") and n != "stats_whole"))
    backbones = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if not {"stats_whole", "view_whole", "head"} <= names or len(backbones) != 1:
        return None
    try:
        pixels = keras.Input(tuple(model.inputs[0].shape[1:]), name="pixels")
        outs = backbones[0](model.get_layer("view_whole")(pixels))
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        guarded = [_jitter(t, i) for i, t in enumerate(outs)]
        stats = {"whole": model.get_layer("stats_whole")(guarded if len(guarded) > 1 else guarded[0])}
        fixed_inputs = []
        for view in others:
            dim = int(model.get_layer(f"stats_{view}").output.shape[-1])
            fixed_inputs.append(keras.Input((dim,), name=f"fixed_{view}"))
            stats[view] = fixed_inputs[-1]
        probs = model.get_layer("head")(stats)
        inputs = [pixels, *fixed_inputs] if fixed_inputs else pixels
        split_model = keras.Model(inputs, [outs[-1], probs], name=model.name + "_whole_view")
        fixed_fn = None
        if others:
            fixed_model = keras.Model(model.inputs[0], [model.get_layer(f"stats_{v}").output for v in others])
            spec = tf.TensorSpec((1,) + tuple(model.inputs[0].shape[1:]), tf.float32)
            fixed_fn = tf.function(lambda x: fixed_model(x, training=False), input_signature=(spec,))
    except Exception:  # another graph layout: explain the model as it is
        return None
    return ViewSplit(split_model, fixed_fn, others)


def fixed_features_for(split: ViewSplit, x: np.ndarray) -> list[np.ndarray]:
    """The other views' features of `x`, computed once per picture (cached by its pixels)."""
    import hashlib

    if not split.others:
        return []
    digest = hashlib.blake2b(np.ascontiguousarray(x, np.float32).tobytes(), digest_size=16).hexdigest()
    return _FIXED.get_or_compute((id(split), digest), lambda: split.fixed_features(x))


def fixed_features_from_picture(split: ViewSplit, rgb: np.ndarray) -> list[np.ndarray]:
    """The other views' features computed from the original picture, exactly as
    `predictor.predict_image` computes them (artdemo.features: e.g. the greyscale patch at
    full resolution), so the explained probability is the one the app shows. Falls back to
    the explain graph's own views (built from the 224 px view) if the layouts differ."""
    import hashlib

    if not split.others:
        return []
    rgb = np.ascontiguousarray(rgb, np.uint8)
    digest = hashlib.blake2b(rgb.tobytes(), digest_size=16)
    digest.update(str(rgb.shape).encode())

    def compute() -> list[np.ndarray]:
        from artdemo.models.features import features_of_images

        feats = features_of_images([rgb], list(split.others))
        return [np.asarray(feats[v], np.float32).reshape(1, -1) for v in split.others]

    rows = _FIXED.get_or_compute((id(split), "picture", digest.hexdigest()), compute)
    dims = [int(i.shape[-1]) for i in split.model.inputs[1:]]
    if [r.shape[-1] for r in rows] != dims:
        from artdemo.models.predictor import model_input

        return fixed_features_for(split, np.asarray(model_input(rgb), np.float32))
    return rows
