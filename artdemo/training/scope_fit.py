"""Fitting each task's scope model (artdemo.models.scope_model) from the data cache.

Which pictures are in a task's scope is data, here:
- style and genre answer questions about paintings. In scope: every style and genre
  image and the medium task's paintings and watercolours. Out of scope: the medium
  task's photographs, sculpture and drawings. Prints are left out of both sides (Art
  Nouveau posters are lithographs, Pop Art is screenprinted), so the line is drawn
  where the questions stop making sense, not by source.
- medium and lithograph learned from museum objects of every kind, photographs
  included; there is no "not a museum object" set in the cache, so their scope is
  the distance from their own training pictures.

Both looks (clean and photographed on a gallery wall) are in every set: a photo of
a painting on a wall is in scope, a photo of a sculpture is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.models.heads import class_weights, fit_softmax, standardiser
from artdemo.models.scope_model import ScopeModel
from artdemo.sources.datacache import list_labelled
from artdemo.training import splits

PAINTING_TASKS = ("style", "genre")
IN_SCOPE_MEDIUMS = ("painting", "watercolor")
OUT_OF_SCOPE_MEDIUMS = ("photograph", "sculpture", "drawing")
FLAG_SHARE = 0.02  # share of the task's own validation pictures a threshold may call out of scope
DISTANCE_COMPONENTS = 64
SEED = 0


@dataclass
class ScopeSets:
    """Cache-relative image paths inside and outside a task's scope (None: distance kind, no outside set)."""

    inside: list[str]
    outside: list[str] | None


def scope_sets(task: str, data_root: Path | None = None) -> ScopeSets:
    if task not in PAINTING_TASKS:
        return ScopeSets([r.path for r in list_labelled(task, data_root)], None)
    inside = {r.path for t in PAINTING_TASKS for r in list_labelled(t, data_root)}
    medium = list_labelled("medium", data_root)
    inside |= {r.path for r in medium if r.label in IN_SCOPE_MEDIUMS}
    outside = sorted({r.path for r in medium if r.label in OUT_OF_SCOPE_MEDIUMS} - inside)
    return ScopeSets(sorted(inside), outside)


def fit_contrast(x_in: np.ndarray, x_out: np.ndarray, l2: float = 0.1) -> ScopeModel:
    """Logistic regression of "out of scope" on standardised features, classes weighted equally."""
    x = np.concatenate([x_in, x_out]).astype(np.float32)
    y = np.concatenate([np.zeros(len(x_in), int), np.ones(len(x_out), int)])
    mean, scale = standardiser(x)
    w, b = fit_softmax((x - mean) / scale, y, 2, l2, class_weights(y, 2), seed=SEED)
    return ScopeModel("contrast", mean, scale, (w[:, 1] - w[:, 0]).astype(np.float32), float(b[1] - b[0]), 0.0)


def fit_distance(x_in: np.ndarray, components: int = DISTANCE_COMPONENTS) -> ScopeModel:
    """Whitened leading principal components of the in-scope features: the outlier score is a Mahalanobis distance."""
    x = x_in.astype(np.float32)
    mean, scale = standardiser(x)
    z = (x - mean) / scale
    _, s, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    k = min(components, len(s))
    std = s[:k] / np.sqrt(max(len(z) - 1, 1))
    projection = (vt[:k].T / np.maximum(std, 1e-6)).astype(np.float32)
    return ScopeModel("distance", mean, scale, projection, 0.0, 0.0)


def set_threshold(model: ScopeModel, x_val_in: np.ndarray, share: float = FLAG_SHARE) -> ScopeModel:
    """The outlier score above which only `share` of the task's own validation pictures lie."""
    model.threshold = float(np.quantile(model.outlier_score(x_val_in), 1.0 - share))
    return model


def flagged(model: ScopeModel, x: np.ndarray) -> float:
    """Share of pictures called out of scope."""
    return float(np.mean(~model.in_scope(x))) if len(x) else 0.0


def split_mask(paths: list[str], name: str) -> np.ndarray:
    return np.array([splits.split_of(p) == name for p in paths], bool)


def describe(model: ScopeModel) -> str:
    if model.kind == "contrast":
        return ("logistic regression on the whole view's backbone features between paintings (style, genre, "
                "and the medium task's paintings and watercolours) and photographs, sculpture and drawings, each "
                "also as a generated gallery photo; out of scope when its log-odds exceed "
                f"{model.threshold:.2f} (set so {FLAG_SHARE:.0%} of this task's validation pictures are flagged)")
    return (f"Mahalanobis distance from this model's training pictures (clean and as gallery photos) in the "
            f"{model.weights.shape[1]} leading principal components of the whole view's backbone features; out "
            f"of scope beyond {model.threshold:.1f} (set so {FLAG_SHARE:.0%} of this task's validation pictures "
            "are flagged)")
