"""The single boundary between the explanation methods and the framework.

The methods (gradcam, integrated_gradients, occlusion) never import TensorFlow: they
take plain arrays and one `CallModel` function, as in PAIR-code/saliency. That keeps
them testable on a tiny model in milliseconds and keeps every shape check in one place.

`keras_adapter(model)` wraps a Keras model whose outputs are `[conv_map, probs]`
(the contract of `artdemo.models.predictor.explain_model(task)`). Its three graph functions
are traced once per model, with a fixed input signature and the class index passed as
a tensor, so asking about another class, batch size or image never retraces.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

OUTPUT = "output"
"""Probability of the chosen class, shape (N,)."""
GRADIENTS = "gradients"
"""d output / d input, same shape as the input batch."""
CONV_LAYER = "conv_layer"
"""Last convolutional activations, shape (N, h, w, c)."""
CONV_GRADIENTS = "conv_gradients"
"""d output / d conv activations, shape (N, h, w, c)."""

KEYS = frozenset({OUTPUT, GRADIENTS, CONV_LAYER, CONV_GRADIENTS})


class CallModel(Protocol):
    """What every method receives: the model behind one function."""

    def __call__(
        self, x_batch: np.ndarray, class_index: int, expected_keys: set[str]
    ) -> dict[str, np.ndarray]: ...


def check_batch(x_batch: np.ndarray, input_shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """Shape and value checks at the boundary, with messages that say what was expected."""
    x = np.asarray(x_batch, dtype=np.float32)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected a batch of RGB images (N, H, W, 3), got shape {x.shape}")
    if input_shape is not None:
        want = tuple(input_shape[1:3])
        if None not in want and x.shape[1:3] != want:
            raise ValueError(f"the model takes {want[0]}x{want[1]} images, got {x.shape[1]}x{x.shape[2]}")
    if not np.isfinite(x).all():
        raise ValueError("the image batch contains NaN or infinite values")
    return x


@dataclass
class _Graphs:
    """The three traced functions for one model (traced once, shared by all its adapters)."""

    model: Any
    forward: Any
    conv_grads: Any
    input_grads: Any
    input_shape: tuple
    n_classes: int


_GRAPHS: dict[int, _Graphs] = {}
_GRAPHS_LOCK = threading.Lock()


def _graphs_for(model: Any) -> _Graphs:
    with _GRAPHS_LOCK:
        graphs = _GRAPHS.get(id(model))
        if graphs is None or graphs.model is not model:
            graphs = _GRAPHS[id(model)] = _build_graphs(model)
            while len(_GRAPHS) > 16:  # retrained models replace old ones; keep the table small
                del _GRAPHS[next(iter(_GRAPHS))]
        return graphs


def _build_graphs(model: Any) -> _Graphs:
    import tensorflow as tf

    if len(model.outputs) != 2:
        raise ValueError("the explanation model must have two outputs: [conv_map, probs]")
    if len(model.inputs) != 1:
        raise ValueError("the explanation model must take the pixels as its only input")
    input_shape = tuple(model.inputs[0].shape)
    spec = (
        tf.TensorSpec(shape=(None,) + input_shape[1:], dtype=tf.float32),
        tf.TensorSpec(shape=(), dtype=tf.int32),
    )

    def run(x):
        return model(x, training=False)

    def target(probs, class_index):
        """p_c, written so its gradient survives saturation: when p_c rounds to 1.0 in float32
        its own gradient p_c(1 - p_c) is exactly 0, but -(sum of the other classes) has the
        same derivative and stays representable."""
        p_c = probs[:, class_index]
        others = tf.reduce_sum(probs * (1.0 - tf.one_hot(class_index, tf.shape(probs)[1])), axis=1)
        return p_c, tf.where(p_c > 0.5, -others, p_c)

    @tf.function(input_signature=spec, reduce_retracing=True)
    def forward(x, class_index):
        conv, probs = run(x)
        return conv, probs[:, class_index]

    @tf.function(input_signature=spec, reduce_retracing=True)
    def conv_grads(x, class_index):
        with tf.GradientTape() as tape:
            conv, probs = run(x)
            tape.watch(conv)
            p_c, differentiable = target(probs, class_index)
        return conv, p_c, tape.gradient(differentiable, conv)

    @tf.function(input_signature=spec, reduce_retracing=True)
    def input_grads(x, class_index):
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, probs = run(x)
            p_c, differentiable = target(probs, class_index)
        return p_c, tape.gradient(differentiable, x)

    return _Graphs(model, forward, conv_grads, input_grads, input_shape, int(model.outputs[1].shape[-1]))


def keras_adapter(model: Any, batch_size: int = 5) -> CallModel:
    """Wrap a Keras model with outputs `[conv_map, probs]` as a `CallModel`.

    Grad-CAM's conv gradients need only the head's backward pass (conv map -> probs),
    so they cost one forward pass of the backbone; input gradients backpropagate through
    the whole network. Batches go through in chunks of `batch_size`: on this 2-core CPU
    Lite0 costs about 40 ms per image in chunks of 2-5 and 50-60 ms in chunks of 16 (the
    activations of a large batch no longer fit the caches).

    The traced graph functions are shared per model, so a new adapter for the next image
    costs nothing.
    """
    graphs = _graphs_for(model)

    def call(x_batch: np.ndarray, class_index: int, expected_keys: set[str]) -> dict[str, np.ndarray]:
        unknown = set(expected_keys) - KEYS
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}; known: {sorted(KEYS)}")
        if not 0 <= int(class_index) < graphs.n_classes:
            raise ValueError(f"class index {class_index} outside 0..{graphs.n_classes - 1}")
        x = check_batch(x_batch, graphs.input_shape)
        chunks = [_call_chunk(x[i:i + batch_size], int(class_index), set(expected_keys), graphs)
                  for i in range(0, len(x), batch_size)]
        return {key: np.concatenate([c[key] for c in chunks]) for key in chunks[0]}

    def trace_counts() -> dict[str, int]:
        """How often each graph function was traced (each should stay at most 1)."""
        fns = (graphs.forward, graphs.conv_grads, graphs.input_grads)
        return {f.__name__: f.experimental_get_tracing_count() for f in fns}

    call.trace_counts = trace_counts  # type: ignore[attr-defined]
    call.model = model  # type: ignore[attr-defined]
    call.input_size = graphs.input_shape[1:3]  # type: ignore[attr-defined]
    return call


def _call_chunk(x, class_index, keys, graphs: _Graphs) -> dict[str, np.ndarray]:
    """Run the cheapest graph function that yields every requested key for one chunk."""
    import tensorflow as tf

    xt = tf.constant(x)
    ct = tf.constant(class_index, dtype=tf.int32)
    out: dict[str, np.ndarray] = {}
    if CONV_GRADIENTS in keys:
        conv, target, grads = graphs.conv_grads(xt, ct)
        out[CONV_GRADIENTS] = grads.numpy()
        out[CONV_LAYER] = conv.numpy()
        out[OUTPUT] = target.numpy()
    if GRADIENTS in keys:
        target, grads = graphs.input_grads(xt, ct)
        out[GRADIENTS] = grads.numpy()
        out[OUTPUT] = target.numpy()
    if not out or (keys - out.keys()):
        conv, target = graphs.forward(xt, ct)
        out[CONV_LAYER] = conv.numpy()
        out[OUTPUT] = target.numpy()
    return {key: out[key] for key in keys}
