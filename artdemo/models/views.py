"""The views of one picture the backbone looks at: what a head sees is decided here.

Each view turns an RGB uint8 image (H, W, 3) into one 224x224 float32 input
(0..255, the backbone's own scale). Training, prediction and explanations all
call these functions, so a head never sees a picture prepared differently from
the ones it was trained on.

Why these views:
- `whole` / `flip`: the entire picture squashed to 224 (nothing cropped, so the
  explanation heat map covers the whole work); the mirror image is a free second
  look that averages out left/right quirks.
- `inner`: the central 76% of each side, squashed to 224. The Berkeley prints are
  photographed in frames and mats; cropping the border removes most of them, so
  the medium heads can't learn "frame = print".
- `patch_c`, `patch_a`, `patch_b`: 224-pixel windows at (near) native resolution
  inside the inner region (centre, upper-left, lower-right), in greyscale. A
  print's technique lives in its marks (seed 001's lesson), which the downscaled
  whole view blurs; greyscale keeps the colour of the Whitney objects from
  standing in for "not a Berkeley print".
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image

SIZE = 224
INNER = 0.76  # share of each side kept by the frame/mat crop
MAX_ZOOM_OUT = 1.6  # a patch covers at most 1.6x224 source pixels (rescaled to 224)


def _resize(rgb: np.ndarray, size: int = SIZE) -> np.ndarray:
    img = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    return np.asarray(img.resize((size, size), Image.BILINEAR), dtype=np.float32)


def _inner(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    dy, dx = int(round(h * (1 - INNER) / 2)), int(round(w * (1 - INNER) / 2))
    return rgb[dy:h - dy or h, dx:w - dx or w]


def _grey(x: np.ndarray) -> np.ndarray:
    g = x[..., 0] * 0.299 + x[..., 1] * 0.587 + x[..., 2] * 0.114
    return np.repeat(g[..., None], 3, axis=2).astype(np.float32)


def _patch(rgb: np.ndarray, where: str) -> np.ndarray:
    """A square window of the inner region, about 224 source pixels wide (never
    more than MAX_ZOOM_OUT x 224; small images give the whole inner region)."""
    inner = _inner(rgb)
    h, w = inner.shape[:2]
    side = int(min(h, w, SIZE * MAX_ZOOM_OUT))
    side = max(side, 1)
    if where == "c":
        y, x = (h - side) // 2, (w - side) // 2
    elif where == "a":
        y, x = (h - side) // 4, (w - side) // 4
    else:
        y, x = (h - side) - (h - side) // 4, (w - side) - (w - side) // 4
    return _grey(_resize(inner[y:y + side, x:x + side]))


VIEWS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "whole": lambda rgb: _resize(rgb),
    "flip": lambda rgb: _resize(rgb)[:, ::-1],
    "inner": lambda rgb: _resize(_inner(rgb)),
    "patch_c": lambda rgb: _patch(rgb, "c"),
    "patch_a": lambda rgb: _patch(rgb, "a"),
    "patch_b": lambda rgb: _patch(rgb, "b"),
}
RECIPE_VERSION = "v1"  # bump when any view function changes: it keys the feature cache


def view(rgb: np.ndarray, name: str) -> np.ndarray:
    """One named view of an RGB uint8 image, as the backbone's (224, 224, 3) float32 input."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB image (H, W, 3), got shape {rgb.shape}")
    return np.ascontiguousarray(VIEWS[name](rgb), dtype=np.float32)


def model_input(rgb: np.ndarray) -> np.ndarray:
    """The whole-image view: what explanations and the `whole` features see."""
    return view(rgb, "whole")
