"""The picture the backbone looks at: what a head sees is decided here.

One view, `whole`: the entire picture (after the artwork was found in it, see
artdemo.imaging.find_artwork) squashed to 224x224 float32 (0..255, the
backbone's own scale). Nothing is cropped, so an explanation's heat map covers
the whole work. Training, prediction and explanations all call these functions,
so a head never sees a picture prepared differently from the ones it was
trained on. (Mirror, frame-crop and greyscale-patch views were tried and
dropped; the cards' notes say what they scored.)
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image

SIZE = 224


def resize(rgb: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Squash to size x size float32 (0..255): no crop, so a heat map covers the whole work."""
    img = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    return np.asarray(img.resize((size, size), Image.BILINEAR), dtype=np.float32)


VIEWS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "whole": resize,
}
RECIPE_VERSION = "v1"  # bump when a view function changes: it keys the feature cache


def view(rgb: np.ndarray, name: str) -> np.ndarray:
    """One named view of an RGB uint8 image, as the backbone's (224, 224, 3) float32 input."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB image (H, W, 3), got shape {rgb.shape}")
    return np.ascontiguousarray(VIEWS[name](rgb), dtype=np.float32)


def model_input(rgb: np.ndarray) -> np.ndarray:
    """The whole-image view: what explanations and the `whole` features see."""
    return view(rgb, "whole")
