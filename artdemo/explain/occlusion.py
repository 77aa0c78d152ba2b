"""Occlusion (Zeiler & Fergus 2014), batched and strided.

Cover one square of the image at a time and measure how far the class probability
falls. It needs no gradients, so it is the easiest method to trust: it is literally
"what happens if the model can't see this part". Every occluded copy goes through the
model in one batched call (not one call per position, the PAIR library's slow path),
and the window moves by a stride, so a 224 px image needs tens of forward passes.
"""

from __future__ import annotations

import numpy as np

from .adapter import OUTPUT, CallModel
from .maps import check_image, normalise

WINDOW = 74
STRIDE = 50
"""Default grid at 224 px: 4x4 = 16 occluded copies of overlapping squares, a third of the
side each (offsets 0, 50, 100, 150). Lite0 costs about 30 ms per image on this 2-core CPU
whatever the batch size, so the 0.5 s budget allows about 16 copies; the overlap splits
the picture into 7x7 cells where a plain 4x4 grid of 56 px squares gives 4x4, and larger
squares hide whole motifs, not just a corner of them. A 7x7 grid of 56 px squares with
stride 28 (49 copies) takes 1.5 s."""


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
