"""The cividis colour map as a NumPy lookup table (no matplotlib needed).

Cividis (Nuñez, Anderton & Renslow 2018) was designed to read the same for viewers
with and without red-green colour-vision deficiency, and its brightness rises
monotonically, so "hotter" is also "lighter" in greyscale print. These 17 anchors are
every 16th entry of the published 256-entry table; linear interpolation between them
stays within about 1/255 of the full table.
"""

from __future__ import annotations

import numpy as np

_CIVIDIS_ANCHORS = np.array([
    [0.000000, 0.135112, 0.304751],
    [0.000000, 0.178802, 0.414764],
    [0.103401, 0.220406, 0.435790],
    [0.195057, 0.264372, 0.425924],
    [0.263738, 0.307831, 0.422789],
    [0.324250, 0.351289, 0.426250],
    [0.380830, 0.395164, 0.435653],
    [0.435168, 0.439763, 0.451134],
    [0.488697, 0.485318, 0.471008],
    [0.547840, 0.531895, 0.471704],
    [0.609105, 0.579816, 0.463638],
    [0.671991, 0.629316, 0.448018],
    [0.736488, 0.680629, 0.424028],
    [0.802667, 0.733978, 0.390153],
    [0.870717, 0.789572, 0.343333],
    [0.941147, 0.847530, 0.275815],
    [0.995737, 0.909344, 0.217772],
], dtype=np.float32)
_ANCHOR_POSITIONS = np.append(np.arange(0, 256, 16), 255).astype(np.float32)


def _build_lut() -> np.ndarray:
    index = np.arange(256, dtype=np.float32)
    channels = [np.interp(index, _ANCHOR_POSITIONS, _CIVIDIS_ANCHORS[:, c]) for c in range(3)]
    return np.round(np.stack(channels, axis=1) * 255).astype(np.uint8)


CIVIDIS_LUT = _build_lut()
"""(256, 3) uint8: row i is the colour of value i/255."""


def colourise(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (any shape) to cividis RGB uint8 (shape + (3,)); NaN counts as 0."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.0)
    return CIVIDIS_LUT[np.round(np.clip(v, 0.0, 1.0) * 255).astype(np.intp)]
