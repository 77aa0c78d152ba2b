"""The detection copy of a photo, and what counts as plain and as an edge in it.

The finder (artdemo.imaging.find_artwork) works on a copy about 400 px long, so
it costs the same for any upload. Walls, mats and mouldings are plain; a
picture is textured; a phone's noise and JPEG blocks must count as neither, so
both thresholds rise with the noise measured in the photo itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

DETECT_SIDE = 400
"""Long side of the copy used for detection: enough for frame edges, cheap for any upload."""

ROUGH = 3.0
"""Least texture (RGB second difference) that counts as picture rather than wall, mat or moulding."""

STEP = 6.0
"""Least RGB step across a row, along most of a side, that counts as a nested edge."""


def detection_copy(img: np.ndarray) -> tuple[np.ndarray, float]:
    """The picture at most DETECT_SIDE long, and its scale: detection then costs the same for any upload."""
    scale = min(1.0, DETECT_SIDE / max(img.shape[:2]))
    if scale == 1.0:
        return img, 1.0
    size = (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale)))
    small = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return small, small.shape[1] / img.shape[1]


def colour_dist(d: np.ndarray) -> np.ndarray:
    """Length of RGB differences (last axis), spelled out: numpy reduces a 3-long axis slowly."""
    return np.sqrt(d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1] + d[..., 2] * d[..., 2])


def texture(img: np.ndarray) -> np.ndarray:
    """Second difference along rows: texture shows, smooth light (glare, vignetting) does not."""
    return colour_dist(img[:, 6:] - 2 * img[:, 3:-3] + img[:, :-6])


@dataclass(frozen=True)
class Look:
    """The detection copy and what counts as plain in it (phones differ in noise and JPEG)."""

    col: np.ndarray  # float32 RGB, lightly blurred
    edges: tuple[np.ndarray, ...]  # Canny maps, weak to strong edges
    busy: np.ndarray  # bool, textured pixels
    smooth: float  # texture above this is picture
    step: float  # colour step above this is an edge
    fits: dict = field(default_factory=dict, compare=False, repr=False)  # side_fit's answers so far

    @staticmethod
    def of(small: np.ndarray) -> Look:
        blurred = cv2.GaussianBlur(small, (0, 0), 1.0)
        col = blurred.astype(np.float32)
        tx = texture(col)
        c = small[:, 3:-3]
        brightest = np.maximum(np.maximum(c[..., 0], c[..., 1]), c[..., 2])
        darkest = np.minimum(np.minimum(c[..., 0], c[..., 1]), c[..., 2])
        ok = (brightest < 245) & (darkest > 10)  # clipped pixels show no noise
        noise = float(np.percentile(tx[ok] if ok.mean() > 0.1 else tx, 10))
        edges = tuple(cv2.Canny(blurred, lo, hi, L2gradient=True) for lo, hi in ((20, 60), (45, 130), (90, 240)))
        # Texture: edges that survive Canny hysteresis (noise and JPEG blocks on a wall mostly do
        # not), crowded more than a single straight line (a frame edge, a label) would be.
        busy = cv2.blur(edges[1].astype(np.float32) / 255, (7, 7)) > 0.16  # more than one line through
        return Look(col, edges, busy, max(ROUGH, 3.0 * noise), max(STEP, 3.0 * noise))
