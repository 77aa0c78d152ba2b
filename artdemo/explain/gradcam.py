"""Grad-CAM (Selvaraju et al. 2017) on the backbone's last convolutional map.

Each of the map's channels is weighted by how much the class probability rises when
that channel rises (its gradient, averaged over positions); the weighted sum, kept
where positive, says which of the 7x7 cells carry evidence for the class. One forward
pass of the backbone plus the head's backward pass: the cheapest method here, and the
coarsest (one value per 32x32-pixel cell at 224 px).
"""

from __future__ import annotations

import numpy as np

from artdemo.explain.adapter import CONV_GRADIENTS, CONV_LAYER, CallModel
from artdemo.explain.maps import check_image, normalise, resize_map


def gradcam_raw(call_model: CallModel, x: np.ndarray, class_index: int) -> np.ndarray:
    """The un-normalised (h, w) Grad-CAM of one image at the conv map's resolution."""
    x = check_image(x)
    out = call_model(x[None], class_index, {CONV_LAYER, CONV_GRADIENTS})
    conv, grads = out[CONV_LAYER][0], out[CONV_GRADIENTS][0]
    if conv.shape != grads.shape or conv.ndim != 3:
        raise ValueError(f"conv layer {conv.shape} and its gradients {grads.shape} must both be (h, w, c)")
    weights = grads.mean(axis=(0, 1))  # (c,)
    return np.maximum(conv @ weights, 0.0).astype(np.float32)


def gradcam(call_model: CallModel, x: np.ndarray, class_index: int) -> np.ndarray:
    """Grad-CAM of one image (H, W, 3) for one class: (H, W) float32 in [0, 1]."""
    raw = gradcam_raw(call_model, x, class_index)
    return normalise(resize_map(raw, x.shape[:2]))
