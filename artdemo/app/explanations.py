"""Explanations for the app: from a picture and a task's answer to a heat map, cached per image.

artdemo.explain holds the methods; they take arrays and one adapter and know no
model store, decoder or predictor. This module is where the app's world meets
them: it turns the picture into the model's 224x224 view
(`predictor.model_input`), wraps the task's explanation model
(`predictor.explain_model(task)`) in the adapter, runs one method, and caches the
map per (image fingerprint, task, class, method), so the same pixels never cost
a second computation. The inference service (artdemo.app.service) runs `compute`
on its worker; pages ask artdemo.app.maps, which looks in this cache first.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from artdemo.errors import ArtdemoError
from artdemo.explain import METHODS, CacheStats, CallModel, HeatCache, PrintTexture, compute_map, keras_adapter
from artdemo.explain.finite_graph import finite_graph
from artdemo.explain.texture import texture_maps
from artdemo.explain.views import activation_grid, filter_grid
from artdemo.imaging.decode import image_fingerprint
from artdemo.models import predictor
from artdemo.tasks import TASKS

HEAT_CACHE = HeatCache()
"""The process-wide map cache (bounded: the kiosk runs for days)."""
GRID_CACHE = HeatCache(max_entries=16)
"""First-layer activation grids (1.3 MB each), for the pictures visitors are looking at now."""


def image_key(rgb: np.ndarray) -> str:
    """The picture's fingerprint (artdemo.imaging.decode), so the same pixels hit the same cache entries."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ArtdemoError(f"Expected an RGB picture, got an array of shape {rgb.shape}.")
    return image_fingerprint(Image.fromarray(np.ascontiguousarray(rgb).astype(np.uint8)))


def task_classes(task: str) -> list[str]:
    """The task model's classes in output order: its card (via the predictor's cached loader,
    no disk read per call), or the task's own list before any model is trained."""
    try:
        return list(predictor.load_model(task)[0].classes)
    except ArtdemoError:  # no model yet: explain_model will say how to train it
        if task in TASKS:
            return list(TASKS[task].classes)
        raise ArtdemoError(f"There is no task called {task!r}; choose one of {', '.join(TASKS)}.") from None


def class_index(task: str, class_name: str) -> int:
    """Position of `class_name` in the task model's outputs (the card's class order)."""
    classes = task_classes(task)
    if class_name not in classes:
        raise ArtdemoError(f"{class_name!r} is not one of the {task!r} model's classes ({', '.join(classes)}).")
    return classes.index(class_name)


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ArtdemoError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    return method


def adapter_for(task: str) -> CallModel:
    """The adapter around this task's explanation model, rebuilt so its gradients stay finite
    (artdemo.explain.finite_graph): its probabilities are the predictor's."""
    return keras_adapter(finite_graph(predictor.explain_model(task)))


def model_x(rgb: np.ndarray) -> np.ndarray:
    """The model's float32 view of a picture (what every map is computed on)."""
    return np.asarray(predictor.model_input(rgb), dtype=np.float32)


def compute(rgb: np.ndarray, task: str, class_name: str, method: str) -> np.ndarray:
    """One fresh map, no cache: (224, 224) float32 in [0, 1] (what the service's worker runs)."""
    check_method(method)
    index = class_index(task, class_name)
    x = model_x(rgb)
    return compute_map(adapter_for(task), x, index, method)


def explain(rgb: np.ndarray, task: str, class_name: str, method: str) -> np.ndarray:
    """Heat map (224, 224) float32 in [0, 1] of where `task`'s model sees `class_name` in `rgb`.

    Computed once per (image, task, class, method); later calls return the same
    (read-only) array from the bounded cache.
    """
    check_method(method)
    class_index(task, class_name)  # a wrong class is the visitor's message, not a cache miss
    key = (image_key(rgb), task, class_name, method)
    return HEAT_CACHE.get_or_compute(key, lambda: compute(rgb, task, class_name, method))


def cache_stats() -> CacheStats:
    return HEAT_CACHE.stats()


def first_layer_filters(scale: int = 16) -> np.ndarray:
    """The backbone's 32 first-layer filters (3x3 RGB) as an enlarged grid image."""
    from artdemo.models.backbone import first_conv_weights  # function-level: loads the backbone's weights

    return filter_grid(first_conv_weights(), scale=scale)


def first_layer_activations(rgb: np.ndarray) -> np.ndarray:
    """The backbone's first-layer activation maps (32 of 112x112) on this picture, as a grid; kept for
    the last few pictures, since every rerun of "How the machine sees" draws it again."""
    from artdemo.models.backbone import first_conv_model  # function-level: builds a Keras model

    def grid() -> np.ndarray:
        acts = first_conv_model()(model_x(rgb)[None], training=False)
        acts = acts[0] if isinstance(acts, (list, tuple)) else acts
        return activation_grid(np.asarray(acts)[0])

    return GRID_CACHE.get_or_compute(image_key(rgb), grid)


def print_texture(rgb: np.ndarray, task: str = "lithograph", class_name: str = "lithograph") -> PrintTexture:
    """Grad-CAM and occlusion on the full-resolution piece of the print where the model is most sure,
    cached per (image, task, class). Pass the original picture (or the crop), not the 224 view."""
    rgb = np.asarray(rgb, dtype=np.uint8)
    index = class_index(task, class_name)
    key = (image_key(rgb), task, class_name, "print_texture")
    return HEAT_CACHE.get_or_compute(key, lambda: texture_maps(adapter_for(task), rgb, index))
