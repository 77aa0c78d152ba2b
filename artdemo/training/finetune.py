"""Fine-tuning the top of the backbone, one trunk shared by every task.

Blocks 11-15 and the head convolution of EfficientNet-Lite0 (2.7 M weights, about a
third of a forward pass) are retrained on the cached output of block 10
(artdemo.training.feature_cache keeps it), so an epoch never runs the lower ten
blocks. One trunk serves all four tasks, so inference stays one backbone pass:
the loss is the sum of each task's cross-entropy over the pictures that task
labels, with a small softmax layer per task on the pooled head activations.

What keeps a small dataset from wrecking ImageNet's features:
- batch normalisation stays frozen (its ImageNet statistics), and the trunk
  learns ten times slower than the task layers;
- every picture is seen clean and as a generated gallery photo, flipped at random
  and cropped at random (a 12x12 window of the 14x14 activation map, which is a
  crop of about 86% of the picture);
- the epoch kept is the one with the best mean validation accuracy over tasks, clean
  and photographed pictures alike (visitors' photos are what the kiosk sees).

The heads that ship are then refit on the tuned trunk's features by the usual
recipes (artdemo.training.train); the task layers here only steer the trunk.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from artdemo.models.backbone import TRUNK_FIRST_BLOCK, build_lite0, build_top, save_trunk
from artdemo.models.heads import class_balance
from artdemo.tasks import TASKS
from artdemo.training import feature_cache
from artdemo.training.taskdata import load_task

SEED = 0
EPOCHS = 4
BATCH = 64
TRUNK_RATE = 1e-4
TASK_RATE = 1e-3
CROP = 12
FIRST_TRAINABLE = TRUNK_FIRST_BLOCK  # blocks before this one stay at ImageNet's weights too
HISTORY_FILE = "history.json"


@dataclass
class TuneData:
    """Every picture labelled in any task, with its label per task (-1: not labelled there)."""

    paths: list[str]
    labels: np.ndarray  # (N, len(tasks)) int
    split: np.ndarray  # (N,) "train" | "val" | "test"
    tasks: tuple[str, ...]
    n_classes: tuple[int, ...]


def load_tune_data(data_root: Path | None = None, tasks: tuple[str, ...] = tuple(TASKS),
                   limit: int | None = None) -> TuneData:
    """All tasks' labelled pictures as one table; `limit` keeps the first N per task and split (tests)."""
    per_task = {t: load_task(t, data_root) for t in tasks}
    paths: dict[str, int] = {}
    split: dict[str, str] = {}
    for td in per_task.values():
        keep = _limited(td.split, limit)
        for i in keep:
            paths.setdefault(td.rows[i].path, len(paths))
            split[td.rows[i].path] = str(td.split[i])
    labels = -np.ones((len(paths), len(tasks)), np.int64)
    for k, td in enumerate(per_task.values()):
        for row, y in zip(td.rows, td.y):
            if row.path in paths:
                labels[paths[row.path], k] = y
    order = list(paths)
    return TuneData(order, labels, np.array([split[p] for p in order]), tuple(tasks),
                    tuple(len(td.classes) for td in per_task.values()))


def _limited(split: np.ndarray, limit: int | None) -> np.ndarray:
    if limit is None:
        return np.arange(len(split))
    return np.concatenate([np.flatnonzero(split == s)[:limit] for s in ("train", "val", "test")])


def _task_layers(n_classes: tuple[int, ...]):
    import keras

    return [keras.layers.Dense(c, name=f"task{k}", kernel_initializer="zeros") for k, c in enumerate(n_classes)]


def _pooled(top, x, training: bool):
    from keras import ops

    return ops.mean(top(x, training=training), axis=(1, 2))


def tune_trunk(data: TuneData, epochs: int = EPOCHS, log: Callable[[str], None] = lambda msg: None):
    """Train a copy of the top blocks on the cached activations; returns (top model, history)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    acts = {look: feature_cache.cached_activations(data.paths, look) for look in ("clean", "photo")}
    train = np.flatnonzero(data.split == "train")
    val = np.flatnonzero(data.split == "val")
    top = build_top(TRUNK_FIRST_BLOCK, source=build_lite0(weights=True))  # from ImageNet, never an old trunk
    for layer in top.layers:
        if isinstance(layer, keras.layers.BatchNormalization) or _block_of(layer.name) < FIRST_TRAINABLE:
            layer.trainable = False
    heads = _task_layers(data.n_classes)
    for k, head in enumerate(heads):
        head.build((None, 1280))
    trunk_opt = keras.optimizers.Adam(TRUNK_RATE)
    task_opt = keras.optimizers.Adam(TASK_RATE)
    task_vars = [v for h in heads for v in h.trainable_weights]
    trunk_vars = top.trainable_weights
    weights = [_class_weights(data.labels[train, k], c) for k, c in enumerate(data.n_classes)]

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            pooled = _pooled(top, x, True)
            loss = 0.0
            for k, head in enumerate(heads):
                yk = y[:, k]
                mask = yk >= 0
                logits = head(tf.boolean_mask(pooled, mask))
                yk = tf.boolean_mask(yk, mask)
                w = tf.gather(weights[k], yk)
                ce = tf.nn.sparse_softmax_cross_entropy_with_logits(yk, logits)
                loss += tf.math.divide_no_nan(tf.reduce_sum(ce * w), tf.reduce_sum(w))
        grads = tape.gradient(loss, trunk_vars + task_vars)
        trunk_opt.apply_gradients(zip(grads[:len(trunk_vars)], trunk_vars))
        task_opt.apply_gradients(zip(grads[len(trunk_vars):], task_vars))
        return loss

    history, best = [], None
    rows = [(look, i) for look in ("clean", "photo") for i in train]
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(rows))
        losses = []
        for b in range(0, len(order), BATCH):
            pick = [rows[j] for j in order[b:b + BATCH]]
            x = np.stack([_augment(acts[look][i], rng) for look, i in pick]).astype(np.float32)
            y = data.labels[[i for _, i in pick]]
            losses.append(float(step(tf.constant(x), tf.constant(y))))
        scores = {look: _validate(top, heads, acts[look][val], data.labels[val]) for look in ("clean", "photo")}
        history.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4),
                        "val_accuracy": {t: round(s, 4) for t, s in zip(data.tasks, scores["clean"])},
                        "val_photo_accuracy": {t: round(s, 4) for t, s in zip(data.tasks, scores["photo"])},
                        "seconds": round(time.perf_counter() - start, 1)})
        log(f"trunk: epoch {epoch + 1}/{epochs}, loss {np.mean(losses):.3f}, validation accuracy clean / photos "
            + ", ".join(f"{t} {c:.3f} / {p:.3f}" for t, c, p in zip(data.tasks, scores["clean"], scores["photo"]))
            + f" ({history[-1]['seconds']:.0f} s)")
        mean = float(np.nanmean(scores["clean"] + scores["photo"]))  # photos count as much as clean pictures
        if best is None or mean > best[0]:
            best = (mean, epoch + 1, [w.numpy().copy() for w in top.weights])
    _, best_epoch, best_weights = best
    for var, value in zip(top.weights, best_weights):
        var.assign(value)
    return top, {"epochs": history, "kept_epoch": best_epoch}


def _block_of(name: str) -> int:
    """The block a layer belongs to (the head convolution counts as after the last block)."""
    if name.startswith("block"):
        return int(name[5:].split("_")[0])
    return 99


def _class_weights(y: np.ndarray, n_classes: int):
    """The heads' class balance over the pictures this task labels (-1: not labelled), as a tensor."""
    import tensorflow as tf

    return tf.constant(class_balance(y[y >= 0], n_classes), tf.float32)


def _augment(act: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random 12x12 window of a 14x14 activation map, mirrored half the time."""
    y0, x0 = rng.integers(0, act.shape[0] - CROP + 1, size=2)
    out = act[y0:y0 + CROP, x0:x0 + CROP]
    return out[:, ::-1] if rng.random() < 0.5 else out


def _validate(top, heads, acts: np.ndarray, labels: np.ndarray) -> list[float]:
    pooled = np.concatenate([np.asarray(_pooled(top, acts[i:i + 128].astype(np.float32), False))
                             for i in range(0, len(acts), 128)]) if len(acts) else np.zeros((0, 1280))
    scores = []
    for k, head in enumerate(heads):
        mask = labels[:, k] >= 0
        pred = np.asarray(head(pooled[mask])).argmax(axis=1) if mask.any() else np.zeros(0)
        scores.append(float((pred == labels[mask, k]).mean()) if mask.any() else float("nan"))
    return scores


def train_trunk(folder: Path, data_root: Path | None = None, epochs: int = EPOCHS, limit: int | None = None,
                log: Callable[[str], None] = print) -> dict:
    """Fine-tune the shared trunk and save it in `folder` (trunk.npz and history.json); returns the history.
    `python -m artdemo train all` trains it as a candidate and ships it only if it pays on validation."""
    start = time.perf_counter()
    data = load_tune_data(data_root, limit=limit)
    log(f"trunk: {len(data.paths)} pictures in {len(data.tasks)} tasks, "
        f"{int((data.split == 'train').sum())} for training (each clean and as a gallery photo)")
    for look in ("clean", "photo"):
        feature_cache.cached_features(data.paths, ["whole"], data_root, log=log, look=look)
    top, history = tune_trunk(data, epochs, log)
    save_trunk(top, folder)
    history.update(seconds=round(time.perf_counter() - start, 1), trunk_rate=TRUNK_RATE, task_rate=TASK_RATE,
                   first_trainable_block=FIRST_TRAINABLE, created_by="python -m artdemo train all")
    (folder / HISTORY_FILE).write_text(json.dumps(history, indent=1), encoding="utf-8")
    log(f"trunk: kept epoch {history['kept_epoch']}; wrote {folder} in {history['seconds']:.0f} s")
    return history
