"""Occlusion (Zeiler & Fergus 2014), batched and strided.

Cover one square of the image at a time and measure how far the class probability
falls. It needs no gradients, so it is the easiest method to trust: it is literally
"what happens if the model can't see this part". Every occluded copy goes through the
model in one batched call (not one call per position, the PAIR library's slow path),
and the window moves by a stride, so a 224 px image needs tens of forward passes.
"""

from __future__ import annotations

import numpy as np

from artdemo.explain.adapter import OUTPUT, CallModel
from artdemo.explain.maps import check_image, normalise

WINDOW = 90
STRIDE = 67
"""Default grid at 224 px: 3x3 = 9 occluded copies of overlapping squares, two fifths of
the side each (offsets 0, 67, 134), plus the picture itself: 10 forward passes. Lite0 with
a task head costs 30-45 ms per image on this shared 2-core CPU, so the 0.5 s budget allows
about 10; the overlap splits the picture into 5x5 cells where a plain 3x3 grid gives 3x3.
A 4x4 grid of 74 px squares (17 passes, 7x7 cells) looks finer but took 0.7-1.0 s here."""


def window_positions(size: int, window: int, stride: int) -> list[int]:
    """Top-left offsets along one side; the last window always touches the far edge."""
    if window > size:
        return [0]
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] != size - window:
        starts.append(size - window)
    return starts


def occluded_batch(x: np.ndarray, window: int, stride: int, fill: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    h, w = x.shape[:2]
    corners = [(r, c) for r in window_positions(h, window, stride) for c in window_positions(w, window, stride)]
    batch = np.repeat(x[None], len(corners), axis=0)
    for i, (r, c) in enumerate(corners):
        batch[i, r:r + window, c:c + window] = fill
    return batch, corners


def occlusion_raw(
    call_model: CallModel, x: np.ndarray, class_index: int,
    window: int = WINDOW, stride: int = STRIDE, fill: str | float = "mean",
) -> np.ndarray:
    """Drop in class probability when each pixel is covered, averaged over the windows covering it.

    `fill="mean"` paints the window with the image's mean colour, so the square adds
    no new colour, only missing detail; a number paints that grey level instead.
    """
    x = check_image(x)
    if window < 1 or stride < 1:
        raise ValueError("window and stride must be at least one pixel")
    fill_value = x.mean(axis=(0, 1)) if fill == "mean" else np.full(3, float(fill), np.float32)
    batch, corners = occluded_batch(x, window, stride, fill_value)
    probs = call_model(np.concatenate([x[None], batch]), class_index, {OUTPUT})[OUTPUT]
    drops = probs[0] - probs[1:]
    total = np.zeros(x.shape[:2], np.float32)
    count = np.zeros(x.shape[:2], np.float32)
    for drop, (r, c) in zip(drops, corners):
        total[r:r + window, c:c + window] += drop
        count[r:r + window, c:c + window] += 1
    return total / np.maximum(count, 1)


def occlusion(
    call_model: CallModel, x: np.ndarray, class_index: int,
    window: int = WINDOW, stride: int = STRIDE, fill: str | float = "mean",
) -> np.ndarray:
    """Occlusion map of one image for one class: (H, W) float32 in [0, 1] (where covering hurts most)."""
    return normalise(occlusion_raw(call_model, x, class_index, window, stride, fill))
