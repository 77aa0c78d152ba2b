"""Explanations: where in the picture a model found evidence for a class.

`explain(rgb, task, class_name, method)` is what the app calls. It turns the picture
into the model's 224x224 view (`predictor.model_input`), wraps the task's explanation
model (`predictor.explain_model(task)`) in the one framework adapter, runs a method
from its own module and caches the map per (image fingerprint, task, class, method).

The methods themselves (`gradcam`, `integrated_gradients`, `occlusion`) take plain
arrays and a `CallModel`; `compute_map` dispatches to them, for tests and benchmarks
that bring their own model.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from artdemo.errors import ArtdemoError
from artdemo.explain.adapter import CallModel, keras_adapter
from artdemo.explain.cache import CacheStats, HeatCache
from artdemo.explain.gradcam import gradcam
from artdemo.explain.integrated_gradients import integrated_gradients
from artdemo.explain.occlusion import occlusion
from artdemo.explain.split_views import fixed_features_for, fixed_features_from_picture, split_for

METHOD_FUNCTIONS: dict[str, Callable[[CallModel, np.ndarray, int], np.ndarray]] = {
    "gradcam": gradcam,
    "integrated_gradients": integrated_gradients,
    "occlusion": occlusion,
}
METHODS = tuple(METHOD_FUNCTIONS)

HEAT_CACHE = HeatCache()


def compute_map(call_model: CallModel, x: np.ndarray, class_index: int, method: str) -> np.ndarray:
    """Run one method on one model-input image: (H, W) float32 in [0, 1], never NaN."""
    if method not in METHOD_FUNCTIONS:
        raise ArtdemoError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    heat = METHOD_FUNCTIONS[method](call_model, x, class_index)
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float32), nan=0.0)
    if heat.shape != x.shape[:2]:
        raise ValueError(f"{method} returned a {heat.shape} map for a {x.shape[:2]} image")
    return np.clip(heat, 0.0, 1.0)


def adapter_for(task: str, x: np.ndarray | None = None, rgb: np.ndarray | None = None) -> CallModel:
    """The adapter around this task's explanation model.

    Given the picture (`x`, the model input, and if known `rgb`, the original), a multi-view
    model is explained through its whole view with the other views' features held at their
    values for this picture (artdemo.explain.split_views): one backbone pass per perturbed
    image, not one per view. With `rgb` those features are the predictor's own.
    """
    from artdemo.models import predictor

    model = predictor.explain_model(task)
    split = split_for(model) if x is not None else None
    if split is None:
        return keras_adapter(model)
    fixed = fixed_features_from_picture(split, rgb) if rgb is not None else fixed_features_for(split, x)
    return keras_adapter(split.model, fixed=fixed)


def class_index(task: str, class_name: str) -> int:
    """Position of `class_name` in the task model's outputs (the card's class order)."""
    classes = task_classes(task)
    if class_name not in classes:
        raise ArtdemoError(
            f"{class_name!r} is not one of the {task!r} model's classes ({', '.join(classes)}).")
    return classes.index(class_name)


def task_classes(task: str) -> list[str]:
    """The task model's classes in output order: its card (via the predictor's cached
    loader, no disk read per call), or the task's own list before any model is trained."""
    from artdemo.models import predictor
    from artdemo.tasks import TASKS

    try:
        return list(predictor.load_model(task)[0].classes)
    except Exception:  # no model yet: explain_model will say how to train it
        if task in TASKS:
            return list(TASKS[task].classes)
        raise ArtdemoError(f"There is no task called {task!r}; choose one of {', '.join(TASKS)}.")


def image_key(rgb: np.ndarray) -> str:
    """The image's fingerprint (artdemo.image_input), so the same pixels hit the same cache entries."""
    from PIL import Image

    from artdemo.imaging.decode import image_fingerprint

    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ArtdemoError(f"Expected an RGB picture, got an array of shape {rgb.shape}.")
    return image_fingerprint(Image.fromarray(np.ascontiguousarray(rgb).astype(np.uint8)))


def explain(rgb: np.ndarray, task: str, class_name: str, method: str) -> np.ndarray:
    """Heat map (224, 224) float32 in [0, 1] of where `task`'s model sees `class_name` in `rgb`.

    Computed once per (image, task, class, method); later calls return the same
    (read-only) array from a bounded cache.
    """
    from artdemo.models import predictor

    if method not in METHOD_FUNCTIONS:
        raise ArtdemoError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    index = class_index(task, class_name)
    key = (image_key(rgb), task, class_name, method)

    def compute() -> np.ndarray:
        x = np.asarray(predictor.model_input(rgb), dtype=np.float32)
        return compute_map(adapter_for(task, x, rgb), x, index, method)

    return HEAT_CACHE.get_or_compute(key, compute)


def cache_stats() -> CacheStats:
    return HEAT_CACHE.stats()


__all__ = ["explain", "compute_map", "adapter_for", "class_index", "cache_stats", "METHODS",
           "HEAT_CACHE", "keras_adapter", "gradcam", "integrated_gradients", "occlusion"]
