"""Explanation timings for the benchmark (`python -m artdemo.bench --only explain`).

Budgets on this 2-core CPU (issue 4): Grad-CAM <= 40 ms per image and class, warm;
occlusion <= 0.5 s; integrated gradients <= 1.5 s. Measured on the real Lite0 backbone
with a trained head when one exists (the task's `predictor.explain_model`), else with a
random head on the real backbone; the figure names say which.
"""

from __future__ import annotations

import numpy as np

from artdemo.bench.core import median_seconds


def _sample_picture() -> np.ndarray:
    """A real picture from the data cache (a lithograph if there is one), else seeded noise."""
    try:
        from artdemo.sources.datacache import list_labelled, resolve
        from artdemo.imaging.decode import load_image_file

        rows = list_labelled("lithograph")
        row = next((r for r in rows if r.label == "lithograph"), rows[0])
        return np.asarray(load_image_file(resolve(row.path)))
    except Exception:
        return np.random.default_rng(0).integers(0, 256, (300, 240, 3), dtype=np.uint8)


def _model_and_label():
    """(explain model, task or None, label for the figure names)."""
    try:
        from artdemo.models import predictor

        tasks = predictor.available_tasks()
    except Exception:
        tasks = []
    if tasks:
        # the print heads look at the most views: their explanations cost the most
        task = next((t for t in ("lithograph", "medium") if t in tasks), tasks[0])
        from artdemo.models import predictor

        return predictor.explain_model(task), task, f"{task} head"
    try:  # the lithograph recipe's views and parts, random weights: the real cost structure
        return _random_recipe_model("lithograph"), None, "random lithograph-recipe head: no trained model yet"
    except Exception:
        pass
    import keras

    from artdemo.models.backbone import get_backbone

    keras.utils.set_random_seed(0)
    backbone = get_backbone()
    conv, pooled = backbone.outputs
    probs = keras.layers.Dense(9, activation="softmax")(pooled)
    return keras.Model(backbone.input, [conv, probs]), None, "random head: no trained model yet"


def _random_recipe_model(task: str):
    from artdemo.models.explain_graph import build_explain_model
    from artdemo.models.features import SLICES
    from artdemo.models.heads import Head
    from artdemo.training.recipes import RECIPES

    groups = RECIPES[task].groups
    dim = sum(SLICES[p].stop - SLICES[p].start for g in groups for p in g.parts)
    rng = np.random.default_rng(0)
    head = Head(["a", "b"], groups, np.zeros(dim, np.float32), np.ones(dim, np.float32),
                rng.normal(0, 0.01, (dim, 2)).astype(np.float32), np.zeros(2, np.float32))
    return build_explain_model(head)


def _model_view(rgb: np.ndarray) -> np.ndarray:
    try:
        from artdemo.models.predictor import model_input

        return np.asarray(model_input(rgb), np.float32)
    except Exception:
        from PIL import Image

        return np.asarray(Image.fromarray(rgb).resize((224, 224), Image.BILINEAR), np.float32)


def _adapters(model, x: np.ndarray):
    """(make an adapter for a new picture, an adapter for this picture, description)."""
    from artdemo.explain.adapter import keras_adapter
    from artdemo.explain.finite_graph import finite_graph

    graph = finite_graph(model)
    adapter = keras_adapter(graph)
    return (lambda: keras_adapter(graph)), adapter, "whole view"


def _full_adapter(model):
    from artdemo.explain.adapter import keras_adapter
    from artdemo.explain.finite_graph import finite_graph

    return keras_adapter(finite_graph(model))


def explanation_timings() -> list[tuple[str, float, str]]:
    """(name, value, unit) per figure: warm Grad-CAM, occlusion, integrated gradients, cache hit."""
    from artdemo.app.explanations import HEAT_CACHE, explain, image_key
    from artdemo.explain import compute_map

    import os

    load = os.getloadavg()[0]  # other processes on these 2 cores slow every figure down
    model, task, label = _model_and_label()
    rgb = _sample_picture()
    x = _model_view(rgb)
    fresh, adapter, views = _adapters(model, x)
    other_class = 1 % int(model.outputs[1].shape[-1])
    label = f"{label}, {views}"
    figures = [
        ("explain: machine load average (1 min) before timing", load, "runnable processes"),
        (f"explain: Grad-CAM, warm, new picture ({label})",
         median_seconds(lambda: compute_map(fresh(), x, 0, "gradcam"), 10) * 1e3, "ms"),
        (f"explain: Grad-CAM, warm, another class, same picture ({label})",
         median_seconds(lambda: compute_map(adapter, x, other_class, "gradcam"), 10) * 1e3, "ms"),
        (f"explain: occlusion, 3x3 overlapping squares of 90 px, warm ({label})",
         median_seconds(lambda: compute_map(adapter, x, 0, "occlusion"), 3), "s"),
        (f"explain: integrated gradients, 10 steps, warm ({label})",
         median_seconds(lambda: compute_map(adapter, x, 0, "integrated_gradients"), 3), "s"),
    ]
    from artdemo.explain.texture import texture_maps

    figures.append((f"explain: print-texture view, full-resolution piece ({label})",
                    median_seconds(lambda: texture_maps(_full_adapter(model), rgb, 0), 1), "s"))
    if task is not None:
        from artdemo.app.explanations import task_classes

        name = task_classes(task)[0]
        explain(rgb, task, name, "gradcam")
        hit = median_seconds(lambda: explain(rgb, task, name, "gradcam"), 20)
    else:  # no trained model: time the same path (fingerprint + lookup) on the shared cache
        key = (image_key(rgb), "bench", "x", "gradcam")
        HEAT_CACHE.get_or_compute(key, lambda: np.zeros((224, 224), np.float32))
        hit = median_seconds(lambda: HEAT_CACHE.get_or_compute((image_key(rgb),) + key[1:], lambda: None), 20)
    figures.append(("explain: cached map, repeat request (fingerprint + lookup)", hit * 1e3, "ms"))
    return figures


def main() -> int:
    for name, value, unit in explanation_timings():
        print(f"{name:<70} {value:>8.3g} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
