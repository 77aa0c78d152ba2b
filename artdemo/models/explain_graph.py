"""A head rebuilt as Keras layers on top of the backbone, so explanations can take gradients.

The trained head lives in numpy (artdemo.heads); this module re-expresses the
same arithmetic (views -> block statistics -> standardise -> linear -> softmax
with temperature) as one differentiable Keras model. Views that need the
original picture (the frame crop and the greyscale patch) are rebuilt from the
224-pixel whole view, so the probabilities are close to, not identical with,
predict_image's.
"""

from __future__ import annotations

import numpy as np

from artdemo.models.features import TAP_BLOCKS
from artdemo.models.heads import Head
from artdemo.models.views import INNER, SIZE

_LAYER_NAMES = tuple(f"block{i}_out" for i in TAP_BLOCKS) + ("head_act",)


def _view_op(name: str):
    import keras
    from keras import ops

    def inner(x):
        lo = int(round(SIZE * (1 - INNER) / 2))
        crop = x[:, lo:SIZE - lo, lo:SIZE - lo, :]
        return ops.image.resize(crop, (SIZE, SIZE), interpolation="bilinear")

    def grey(x):
        g = x[..., 0:1] * 0.299 + x[..., 1:2] * 0.587 + x[..., 2:3] * 0.114
        return ops.concatenate([g, g, g], axis=-1)

    fns = {
        "whole": lambda x: x,
        "flip": lambda x: ops.flip(x, axis=2),
        "inner": inner,
        "patch_c": lambda x: grey(inner(x)),
        "patch_a": lambda x: grey(inner(x)),
        "patch_b": lambda x: grey(inner(x)),
    }
    return keras.layers.Lambda(fns[name], name=f"view_{name}")


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
    if key is not None and key in _MODELS:
        return _MODELS[key]
    import keras
    from keras import ops

    from artdemo.models.backbone import tap_model
    from artdemo.models.features import SLICES

    tapped = tap_model(_LAYER_NAMES)
    pixels = keras.Input((SIZE, SIZE, 3), name="pixels")
    per_view = {}
    conv_map = None
    for name in head.views:
        outs = tapped(_view_op(name)(pixels))
        if name == "whole":
            conv_map = outs[-1]
        per_view[name] = keras.layers.Lambda(_stats, name=f"stats_{name}")(outs)
    if conv_map is None:
        conv_map = tapped(pixels)[-1]

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


def agreement(head: Head, images: list[np.ndarray]) -> float:
    """Share of images where explain_model's top class equals predict_image's (for tests and the card)."""
    from artdemo.models.features import features_of_images
    from artdemo.models.views import model_input

    feats = features_of_images(images, head.views)
    direct = head.probabilities(feats).argmax(axis=1)
    model = build_explain_model(head)
    _, probs = model(np.stack([model_input(im) for im in images]), training=False)
    return float(np.mean(np.asarray(probs).argmax(axis=1) == direct))
