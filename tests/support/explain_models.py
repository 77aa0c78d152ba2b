"""Tiny real Keras models and a synthetic task for the explanation tests.

The task: 32x32 pictures of noisy grey with coloured squares scattered as distractors
in both classes; only class 1 has a fine checkerboard, always in the top-left region
(SIGNAL). A small conv net learns it in a few seconds, so a correct explanation of
class 1 must put most of its mass in SIGNAL.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

SIZE = 32
CHANNELS = 48
SIGNAL = (slice(3, 15), slice(3, 15))  # rows, cols of the only region carrying the class signal


def synthetic_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 32, 32, 3) float32 pixels 0..255 and labels 0/1 (half each)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(128, 20, (n, SIZE, SIZE, 1)).repeat(3, axis=-1)
    y = np.arange(n) % 2
    checker = ((np.indices((12, 12)).sum(axis=0) % 2) * 2 - 1)[..., None] * 70.0
    for i in range(n):
        placed = 0
        while placed < 3:  # distractors outside the signal region, both classes
            r, c = rng.integers(0, SIZE - 6, 2)
            if r < SIGNAL[0].stop and c < SIGNAL[1].stop:
                continue
            x[i, r:r + 6, c:c + 6] = rng.uniform(0, 255, 3)
            placed += 1
        if y[i] == 1:
            x[i, SIGNAL[0], SIGNAL[1]] += checker
    return np.clip(x, 0, 255).astype(np.float32), y


def tiny_explain_model(classes: int = 2, seed: int = 0):
    """Pixels (N,32,32,3) 0..255 -> [conv_map (N,16,16,16), probs (N,classes)], like explain_model."""
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((SIZE, SIZE, 3))
    h = keras.layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(h)
    conv = keras.layers.Conv2D(CHANNELS, 3, strides=2, padding="same", activation="relu", name="conv_map")(h)
    pooled = keras.layers.GlobalAveragePooling2D()(conv)
    probs = keras.layers.Dense(classes, activation="softmax", name="head")(pooled)
    return keras.Model(inputs, [conv, probs])


def trained_model(n: int = 400, l2: float = 1e-2):
    """The tiny model with its head fitted to the synthetic task; returns (model, test accuracy).

    As in the app, only the head learns: the conv layers keep their random initial
    weights, a stand-in for a frozen general-purpose backbone with many unrelated
    features. That matters for the randomisation check: a head picks one mix of
    diverse features, and a random head picks another. The head is a logistic
    regression on the pooled features, fitted by Newton's method in milliseconds.
    """
    import keras

    model = tiny_explain_model()
    features = keras.Model(model.input, model.get_layer("head").input)
    x, y = synthetic_images(n, seed=1)
    f = np.asarray(features(x, training=False), np.float64)
    mean, std = f.mean(0), f.std(0) + 1e-6
    z = np.hstack([(f - mean) / std, np.ones((n, 1))])
    w = np.zeros(z.shape[1])
    for _ in range(25):
        p = 1 / (1 + np.exp(-z @ w))
        hess = z.T @ (z * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, z.T @ (p - y) + l2 * w)
    kernel = w[:-1] / std
    bias = w[-1] - float(kernel @ mean)
    # softmax over logits (-s/2, +s/2) equals sigmoid(s)
    model.get_layer("head").set_weights([np.stack([-kernel / 2, kernel / 2], 1).astype(np.float32),
                                         np.array([-bias / 2, bias / 2], np.float32)])
    xt, yt = synthetic_images(100, seed=2)
    accuracy = float((np.asarray(model(xt, training=False)[1]).argmax(1) == yt).mean())
    return model, accuracy


def randomised_head(model, seed: int = 1):
    """A copy of `model` whose head (the last Dense) is re-initialised (Adebayo et al.'s check)."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    head = clone.get_layer("head")
    kernel, bias = head.get_weights()
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6 / (kernel.shape[0] + kernel.shape[1]))  # Glorot uniform, Keras's default
    head.set_weights([rng.uniform(-limit, limit, kernel.shape).astype(np.float32), np.zeros_like(bias)])
    return clone


def mass_in_signal(heat: np.ndarray) -> float:
    """Fraction of the map's total heat inside the signal region (chance: its area, 14%)."""
    total = float(heat.sum())
    return float(heat[SIGNAL].sum()) / total if total > 0 else 0.0
