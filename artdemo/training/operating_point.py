"""Where a two-class head draws its line, chosen on validation for balanced accuracy.

A class-weighted head's argmax is not the cut that scores best on balanced accuracy:
the lithograph head, trained with many more "not" rows, still answers "not" too often
(on validation, moving its line toward "lithograph" gained about three points of
balanced accuracy, clean and photographed alike). The shift is added to the head's
bias, so the app's answer (the argmax), the explanations and the calibration that is
fitted afterwards all see the same model.

Moving the line also moves the probabilities, and a temperature can only soften them,
not move them back: a shift is taken only as far as the temperature-scaled answers stay
honest on validation (calibration error at most ECE_LIMIT in every group).
"""

from __future__ import annotations

import numpy as np

from artdemo.models import calibration
from artdemo.models.metrics import expected_calibration_error

STEPS = 81  # candidate shifts, evenly spaced
REACH = 2.0  # shifts up to this many standard deviations of the validation logit margin
SMOOTH = 5  # candidates averaged, so that the choice follows the curve, not one lucky step
ECE_LIMIT = 0.04  # worst validation calibration error a shift may leave (the cards' target is 0.05)


def _balanced_accuracy(margin: np.ndarray, y: np.ndarray) -> float:
    hits = [np.mean((margin[y == k] > 0) == bool(k)) for k in (0, 1) if np.any(y == k)]
    return float(np.mean(hits)) if hits else 0.0


def balanced_shift(groups: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, dict]:
    """The amount to add to class 1's logit that maximises the mean balanced accuracy over the groups
    of validation pictures (clean, photographed), each given as (logits (N, 2), labels).

    Returns the shift and what it did on validation, for the card. Among equally good shifts the
    smallest one wins, so a head already at its best is left alone.
    """
    groups = [(np.asarray(z, np.float64), np.asarray(y, int)) for z, y in groups if len(y)]
    if not groups or any(z.shape[1] != 2 for z, _ in groups):
        raise ValueError("balanced_shift takes two-class logits")
    margins = [(z[:, 1] - z[:, 0], y) for z, y in groups]
    spread = float(np.std(np.concatenate([m for m, _ in margins]))) or 1.0
    shifts = np.linspace(-REACH, REACH, STEPS) * spread
    curve = np.array([np.mean([_balanced_accuracy(m + s, y) for m, y in margins]) for s in shifts])
    smooth = np.convolve(curve, np.ones(SMOOTH) / SMOOTH, mode="same")
    smooth[: SMOOTH // 2] = smooth[-(SMOOTH // 2):] = -1.0  # the edges average fewer candidates
    honest = np.array([_calibration_error(groups, s) for s in shifts])
    smooth[honest > max(ECE_LIMIT, honest[STEPS // 2])] = -1.0  # never less honest than no shift at all
    best = smooth.max()
    pick = min(np.flatnonzero(smooth >= best - 1e-12), key=lambda i: abs(shifts[i]))
    before = float(np.mean([_balanced_accuracy(m, y) for m, y in margins]))
    return float(shifts[pick]), {"validation_balanced_accuracy_before": round(before, 4),
                                 "validation_balanced_accuracy_after": round(float(curve[pick]), 4),
                                 "validation_worst_ece_after": round(float(honest[pick]), 4)}


def _calibration_error(groups: list[tuple[np.ndarray, np.ndarray]], shift: float) -> float:
    """The worst group's calibration error once the shifted logits get their temperature, fitted as
    the training fits it (artdemo.models.calibration.fit_temperature_for_all)."""
    moved = [(np.c_[z[:, 0], z[:, 1] + shift], y) for z, y in groups]
    t = calibration.fit_temperature_for_all(moved)
    return max(expected_calibration_error(calibration.softmax(z, t), y) for z, y in moved)


def apply_shift(bias: np.ndarray, shift: float) -> np.ndarray:
    """The head's bias with class 1's logit moved by `shift`."""
    out = np.array(bias, np.float32, copy=True)
    out[1] += np.float32(shift)
    return out
