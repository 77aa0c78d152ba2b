"""A head rebuilt as Keras layers on top of the backbone, so explanations can take gradients.

The trained head lives in numpy (artdemo.models.heads); this module re-expresses
the same arithmetic (block statistics of the whole view -> standardise -> (hidden
layer) -> linear -> softmax with temperature) as one differentiable Keras model,
so its probabilities follow predict_image's to float precision.
"""

from __future__ import annotations

import numpy as np

from artdemo.models.features import TAP_BLOCKS
from artdemo.models.heads import Head
from artdemo.errors import ArtdemoError
from artdemo.models.views import SIZE

_LAYER_NAMES = tuple(f"block{i}_out" for i in TAP_BLOCKS) + ("head_act",)


def _stats(outputs):
    """The same vector features.py computes: head mean, head std, then each tapped block's mean and std."""
    from keras import ops

    *blocks, head = outputs
    parts = [ops.mean(head, axis=(1, 2)), ops.std(head, axis=(1, 2))]
    for t in blocks:
        parts += [ops.mean(t, axis=(1, 2)), ops.std(t, axis=(1, 2))]
    return ops.concatenate(parts, axis=1)


_MODELS: dict = {}


def build_explain_model(head: Head, key=None):
    """(N,224,224,3) float32 0..255 -> [conv_map (N,7,7,1280), probs (N,C)] for this head."""
    from artdemo.models.backbone import BUILD_LOCK, backbone_version

    if key is not None:
        key = (key, backbone_version())  # a retrained trunk means a new graph
    with BUILD_LOCK:  # one graph build at a time, and one model per key even when two threads ask
        if key is not None and key in _MODELS:
            return _MODELS[key]
        return _build(head, key)


def _build(head: Head, key):
    import keras
    from keras import ops

    from artdemo.models.backbone import tap_model
    from artdemo.models.features import SLICES

    tapped = tap_model(_LAYER_NAMES)
    pixels = keras.Input((SIZE, SIZE, 3), name="pixels")
    if head.views != ["whole"]:
        raise ArtdemoError(f"This head reads the views {head.views}; explanations support the whole view only. "
                           "Retrain it with `python -m artdemo train`.")
    outs = tapped(pixels)
    conv_map = outs[-1]
    per_view = {"whole": keras.layers.Lambda(_stats, name="stats_whole")(outs)}

    def head_fn(feats):
        cols = []
        for g in head.groups:
            avg = ops.mean(ops.stack([feats[v] for v in g.views], axis=0), axis=0)
            cols += [avg[:, SLICES[p]] for p in g.parts]
        x = (ops.concatenate(cols, axis=1) - head.mean) / head.scale
        if head.hidden_w is not None:
            x = ops.relu(ops.matmul(x, ops.convert_to_tensor(head.hidden_w.astype(np.float32))) + head.hidden_b)
        logits = ops.matmul(x, ops.convert_to_tensor(head.weights)) + head.bias
        return ops.softmax(logits / head.temperature, axis=-1)

    probs = keras.layers.Lambda(head_fn, name="head")(per_view)
    model = keras.Model(pixels, [conv_map, probs], name="explain_" + "_".join(head.classes[:1]))
    if key is not None:
        _MODELS[key] = model
    return model
