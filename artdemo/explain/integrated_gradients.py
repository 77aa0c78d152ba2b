"""Integrated gradients (Sundararajan et al. 2017) with a blurred baseline.

IG credits each pixel with (x - baseline) times the gradient averaged along the
straight path from the baseline to the image. The baseline decides what "absent"
means, and so what the map can see at all:

- A black baseline gives zero credit to black pixels, whatever the model does with
  them. In prints and drawings the black marks are the evidence, so a black baseline
  would blank out exactly what matters (Sturmfels, Lundberg & Lee, "Visualizing the
  Impact of Feature Attribution Baselines", Distill 2020).
- A blurred copy of the image (default) keeps the colours and layout and removes
  marks, edges and texture. The map then answers "which details does the model use",
  which is the question for medium and technique. It gives little credit to large
  flat colour areas (blur leaves them unchanged); the caption says so, and Grad-CAM and
  occlusion cover that case.

All path points go through the model in one batched call. The path from a blurred copy
to the image is short, so few steps suffice: on Lite0 (ImageNet head, scikit-image's
coffee and chelsea) 10 midpoint steps give maps with rank correlation >= 0.99 to a
64-step reference and attributions summing to within 5% of p(x) - p(baseline);
each step costs a full forward and backward pass (about 0.1 s here), so 10 steps fit
the 1.5 s budget where 32 would take over 3 s.
"""

from __future__ import annotations

import numpy as np

from artdemo.explain.adapter import GRADIENTS, CallModel
from artdemo.explain.maps import check_image, gaussian_blur, normalise

STEPS = 10
BLUR_SIGMA = 12.0
"""Baseline blur at 224 px: wide enough to erase print marks and edges, not the colour layout."""


def blurred_baseline(x: np.ndarray, sigma: float = BLUR_SIGMA) -> np.ndarray:
    return gaussian_blur(x, sigma * x.shape[0] / 224.0)


def make_baseline(x: np.ndarray, baseline: str | np.ndarray) -> np.ndarray:
    if isinstance(baseline, np.ndarray):
        if baseline.shape != x.shape:
            raise ValueError(f"baseline shape {baseline.shape} differs from the image's {x.shape}")
        return baseline.astype(np.float32)
    if baseline == "blur":
        return blurred_baseline(x)
    if baseline == "black":
        return np.zeros_like(x)
    raise ValueError(f"unknown baseline {baseline!r}: use 'blur', 'black' or an array")


def integrated_gradients_raw(
    call_model: CallModel, x: np.ndarray, class_index: int,
    baseline: str | np.ndarray = "blur", steps: int = STEPS,
) -> np.ndarray:
    """Per-pixel, per-channel attributions (H, W, 3); their sum approximates p(x) - p(baseline)."""
    x = check_image(x)
    base = make_baseline(x, baseline)
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps  # midpoint rule
    path = base[None] + alphas[:, None, None, None] * (x - base)[None]
    grads = call_model(path, class_index, {GRADIENTS})[GRADIENTS]
    if grads.shape != path.shape:
        raise ValueError(f"gradients {grads.shape} must have the input's shape {path.shape}")
    return ((x - base) * grads.mean(axis=0)).astype(np.float32)


def integrated_gradients(
    call_model: CallModel, x: np.ndarray, class_index: int,
    baseline: str | np.ndarray = "blur", steps: int = STEPS, smooth_sigma: float = 2.0,
) -> np.ndarray:
    """IG map of one image for one class: (H, W) float32 in [0, 1].

    Pixels whose detail raised the class probability (positive attribution summed over
    colour channels), lightly smoothed so single-pixel speckle doesn't dominate, and
    scaled at the 99th percentile so a few extreme pixels don't hide the rest.
    """
    attr = integrated_gradients_raw(call_model, x, class_index, baseline, steps).sum(axis=-1)
    attr = gaussian_blur(np.maximum(attr, 0.0), smooth_sigma * x.shape[0] / 224.0)
    return normalise(attr, clip_percentile=99.0)
