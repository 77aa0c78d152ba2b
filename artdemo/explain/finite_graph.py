"""Explain a task model through a rebuilt copy of its graph whose gradients stay finite.

`predictor.explain_model(task)` re-expresses a trained head as Keras layers on top of
the backbone: pixels -> backbone (tapped blocks) -> `stats_whole` (each channel's mean
and standard deviation) -> `head` -> probabilities. Its probabilities are the
predictor's, but its gradients are not usable as they are: for a channel that is
constant over the map (a ReLU6 channel that is zero everywhere: about a third of the
last layer's on real paintings) the derivative of the standard deviation,
sqrt(variance), is infinite, and every gradient of the picture becomes NaN. Grad-CAM
and integrated gradients would then show blank maps.

`finite_graph(model)` rebuilds the same graph from the same layers with a fixed,
zero-mean pattern of size 1e-6 added to each tapped map before the statistics
(`_jitter`): every variance stays above about 1e-12, no feature moves by more than
about 1e-6, and the probability being explained is the predictor's to 1e-4 (the tests
check it). A model of any other layout is explained as it is.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

JITTER = 1e-6
"""Size of the fixed zero-mean pattern added before the statistics layer (see `_jitter`)."""

_GRAPHS: dict[int, tuple[Any, Any]] = {}
_LOCK = threading.Lock()


def finite_graph(model: Any) -> Any:
    """The rebuilt graph of an explanation model (built once per model object), or the model itself
    when its layout is not the one artdemo.models.explain_graph builds."""
    with _LOCK:
        entry = _GRAPHS.get(id(model))
        if entry is None or entry[0] is not model:
            entry = _GRAPHS[id(model)] = (model, _rebuild(model))
            while len(_GRAPHS) > 16:  # retrained models replace old ones; keep the table small
                del _GRAPHS[next(iter(_GRAPHS))]
        return entry[1]


def _jitter(tensor, seed: int):
    """Add a fixed, zero-mean pattern of size JITTER to a feature map (see the module's docstring)."""
    import keras

    shape = tuple(int(d) for d in tensor.shape[1:])
    pattern = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    pattern -= pattern.mean(axis=(0, 1), keepdims=True)
    pattern *= JITTER / (pattern.std(axis=(0, 1), keepdims=True) + 1e-12)
    return keras.layers.Lambda(lambda t, p=pattern: t + p, name=f"nan_guard_{seed}")(tensor)


def _rebuild(model: Any) -> Any:
    import keras

    names = {layer.name for layer in model.layers}
    backbones = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if not {"stats_whole", "head"} <= names or len(backbones) != 1:
        return model
    try:
        pixels = keras.Input(tuple(model.inputs[0].shape[1:]), name="pixels")
        view = model.get_layer("view_whole")(pixels) if "view_whole" in names else pixels
        outs = backbones[0](view)
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        guarded = [_jitter(t, i) for i, t in enumerate(outs)]
        stats = model.get_layer("stats_whole")(guarded if len(guarded) > 1 else guarded[0])
        probs = model.get_layer("head")({"whole": stats})
        return keras.Model(pixels, [outs[-1], probs], name=model.name + "_finite")
    except Exception:  # another graph layout: explain the model as it is
        return model
