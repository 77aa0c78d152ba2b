"""One entry point over the methods: run a method by name on one model-input image.

For the app (artdemo.app.explanations), tests and benchmarks that bring their own
adapter: the output is always a (H, W) float32 map in [0, 1], never NaN.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from artdemo.errors import ArtdemoError
from artdemo.explain.adapter import CallModel
from artdemo.explain.gradcam import gradcam
from artdemo.explain.integrated_gradients import integrated_gradients
from artdemo.explain.occlusion import occlusion

METHOD_FUNCTIONS: dict[str, Callable[[CallModel, np.ndarray, int], np.ndarray]] = {
    "gradcam": gradcam,
    "integrated_gradients": integrated_gradients,
    "occlusion": occlusion,
}
METHODS = tuple(METHOD_FUNCTIONS)
"""Fast first: Grad-CAM costs one forward pass, occlusion ten, integrated gradients ten backward ones."""


def compute_map(call_model: CallModel, x: np.ndarray, class_index: int, method: str) -> np.ndarray:
    """Run one method on one model-input image: (H, W) float32 in [0, 1], never NaN."""
    if method not in METHOD_FUNCTIONS:
        raise ArtdemoError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    heat = METHOD_FUNCTIONS[method](call_model, x, class_index)
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float32), nan=0.0)
    if heat.shape != x.shape[:2]:
        raise ValueError(f"{method} returned a {heat.shape} map for a {x.shape[:2]} image")
    return np.clip(heat, 0.0, 1.0)
