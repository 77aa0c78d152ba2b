"""Seed 000's approach, for comparison on the same split: a small CNN from scratch on 64x64 images.

Seed 000 (MoMA lithograph classifier) resized every image to 64x64 and trained
Conv2D -> MaxPooling -> MaxPooling -> Flatten -> Dense with Adam for a few
epochs. Each card records what that recipe reaches on our split, so the gain
from the pretrained backbone is measured, not claimed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SIZE = 64
EPOCHS = 10
STEPS_PER_EPOCH = 12
BATCH = 25
DESCRIPTION = (
    "seed 000's recipe: 64x64 RGB input scaled to 0..1, Conv2D(32, 3x3, ReLU), MaxPooling 2x2 twice, "
    f"Flatten, Dense softmax; Adam, {EPOCHS} epochs of {STEPS_PER_EPOCH} steps of batch {BATCH} "
    "(seed 000's best setting), no pretrained weights, trained on the same train split, "
    "scored on the same test split (no calibration)"
)


def load_small(paths: Sequence[Path], size: int = SIZE) -> np.ndarray:
    """Images squashed to size x size (as Keras' flow_from_directory does), uint8 (N, size, size, 3)."""
    out = np.zeros((len(paths), size, size, 3), dtype=np.uint8)
    for i, path in enumerate(paths):
        with Image.open(path) as img:
            img.draft("RGB", (size * 2, size * 2))
            out[i] = np.asarray(img.convert("RGB").resize((size, size), Image.BILINEAR))
    return out


def build_model(n_classes: int, size: int = SIZE):
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((size, size, 3)),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(n_classes, activation="softmax"),
    ])


def run(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, n_classes: int,
        seed: int = 0, epochs: int = EPOCHS) -> tuple[np.ndarray, float]:
    """Train from scratch and return (test probabilities, seconds)."""
    import keras

    start = time.perf_counter()
    keras.utils.set_random_seed(seed)
    model = build_model(n_classes, x_train.shape[1])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(seed)
    y_train = np.asarray(y_train, "int32")

    def batches():
        while True:
            order = rng.permutation(len(x_train))
            for i in range(0, len(order) - BATCH + 1, BATCH):
                idx = order[i:i + BATCH]
                yield x_train[idx].astype("float32"), y_train[idx]

    model.fit(batches(), epochs=epochs, steps_per_epoch=STEPS_PER_EPOCH, verbose=0)
    probs = model.predict(x_test.astype("float32"), batch_size=256, verbose=0)
    return np.asarray(probs, dtype=np.float64), time.perf_counter() - start
