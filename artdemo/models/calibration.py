"""Temperature scaling: one number, fitted on validation, that makes confidences honest.

Dividing logits by T > 1 softens over-confident answers without changing which
class wins, so accuracy is untouched and the routing threshold means what it says.
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll_at(logits: np.ndarray, y: np.ndarray, temperature: float) -> float:
    probs = softmax(logits, temperature)
    picked = probs[np.arange(len(y)), np.asarray(y, int)]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def fit_temperature(logits: np.ndarray, y: np.ndarray, low: float = 0.05, high: float = 20.0) -> float:
    """The temperature minimising validation NLL (golden-section search on log T,
    which is unimodal enough in practice; a coarse grid first guards the bracket)."""
    if len(y) == 0:
        return 1.0
    grid = np.exp(np.linspace(np.log(low), np.log(high), 41))
    losses = [nll_at(logits, y, t) for t in grid]
    best = int(np.argmin(losses))
    a = np.log(grid[max(best - 1, 0)])
    b = np.log(grid[min(best + 1, len(grid) - 1)])
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if nll_at(logits, y, np.exp(c)) < nll_at(logits, y, np.exp(d)):
            b = d
        else:
            a = c
    return float(np.exp((a + b) / 2))


TEMPERATURE_STEP = float(np.log(5.0 / 0.3) / 59)
"""Spacing of the temperatures tried, in log T (about 5% apart): the grid's first 60 points are the
0.3-5.0 grid that trained the earlier models, so their temperatures are found again."""


def fit_temperature_for_all(groups: list[tuple[np.ndarray, np.ndarray]], low: float = 0.3, high: float = 40.0
                            ) -> float:
    """The temperature whose worst expected calibration error over the groups is smallest.

    The groups are kinds of picture a model meets (clean reproductions, photos from a gallery
    wall): one temperature has to serve both, and minimising the NLL of their union lets the
    larger or easier group win, leaving the other over-confident. The range reaches 40: a head
    whose decision line was moved (artdemo.training.operating_point) needs more softening.
    """
    from artdemo.models.metrics import expected_calibration_error

    groups = [(logits, y) for logits, y in groups if len(y)]
    if not groups:
        return 1.0

    def worst(t: float) -> float:
        return max(expected_calibration_error(softmax(logits, t), y) for logits, y in groups)

    grid = np.exp(np.log(low) + TEMPERATURE_STEP * np.arange(int(np.log(high / low) / TEMPERATURE_STEP) + 1))
    return float(min(grid, key=worst))
