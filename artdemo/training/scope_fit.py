"""Fitting each task's scope model (artdemo.models.scope_model) from the data cache.

Which pictures are in a task's scope is data, here:
- style and genre answer questions about paintings. In scope: every style and genre
  image and the medium task's paintings and watercolours. Out of scope: the medium
  task's photographs, sculpture and drawings. Prints are left out of both sides (Art
  Nouveau posters are lithographs, Pop Art is screenprinted), so the line is drawn
  where the questions stop making sense, not by source.
- medium and lithograph learned from museum objects of every kind, photographs
  included; there is no "not a museum object" set in the cache, so their scope is
  the residual test alone (artdemo.models.scope_model), which every task also has.

Both looks (clean and photographed on a gallery wall) are in every set: a photo of
a painting on a wall is in scope, a photo of a sculpture is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.models.heads import class_weights, fit_softmax, standardiser
from artdemo.models.scope_model import ScopeModel, ScopeTest
from artdemo.sources.datacache import list_labelled
from artdemo.training import splits
from artdemo.training.principal_axes import leading_axes

PAINTING_TASKS = ("style", "genre")
IN_SCOPE_MEDIUMS = ("painting", "watercolor")
OUT_OF_SCOPE_MEDIUMS = ("photograph", "sculpture", "drawing")
FLAG_SHARE = 0.04  # share of the task's own validation pictures the scope model may call out of scope, all tests
RESIDUAL_COMPONENTS = 128
SEED = 0


@dataclass
class ScopeSets:
    """Cache-relative image paths inside and outside a task's scope (None: no outside set, residual test only)."""

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


def fit_contrast(x_in: np.ndarray, x_out: np.ndarray, l2: float = 0.1) -> ScopeTest:
    """Logistic regression of "out of scope" on standardised features, classes weighted equally."""
    x = np.concatenate([x_in, x_out]).astype(np.float32)
    y = np.concatenate([np.zeros(len(x_in), int), np.ones(len(x_out), int)])
    mean, scale = standardiser(x)
    w, b = fit_softmax((x - mean) / scale, y, 2, l2, class_weights(y, 2), seed=SEED)
    return ScopeTest("contrast", mean, scale, (w[:, 1] - w[:, 0]).astype(np.float32), np.float32(b[1] - b[0]))


def fit_residual(x_in: np.ndarray, components: int = RESIDUAL_COMPONENTS) -> ScopeTest:
    """The leading principal axes of the in-scope features: the score is what lies outside them."""
    x = x_in.astype(np.float32)
    mean, scale = standardiser(x)
    z = (x - mean) / scale
    centre = z.mean(axis=0)
    axes = leading_axes((z - centre).astype(np.float64), components).T
    return ScopeTest("residual", mean, scale, axes.astype(np.float32), centre.astype(np.float32))


def set_threshold(test: ScopeTest, x_val_in: np.ndarray, share: float) -> ScopeTest:
    """The score above which only `share` of the task's own validation pictures lie."""
    test.threshold = float(np.quantile(test.score(x_val_in), 1.0 - share))
    return test


def flagged(model: ScopeModel | ScopeTest, x: np.ndarray) -> float:
    """Share of pictures called out of scope."""
    if not len(x):
        return 0.0
    if isinstance(model, ScopeTest):
        return float(np.mean(model.score(x) > model.threshold))
    return float(np.mean(~model.in_scope(x)))


def split_mask(paths: list[str], name: str) -> np.ndarray:
    return np.array([splits.split_of(p) == name for p in paths], bool)


def describe(model: ScopeModel) -> str:
    parts = []
    for t in model.tests:
        if t.kind == "residual":
            parts.append(f"the norm of the whole view's standardised backbone features outside the "
                         f"{t.weights.shape[0]} leading principal components of this model's training pictures "
                         f"(clean and as gallery photos) exceeds {t.threshold:.1f}")
        else:
            parts.append("a logistic regression between paintings (style, genre, and the medium task's paintings "
                         "and watercolours) and photographs, sculpture and drawings (each also as a generated "
                         f"gallery photo) puts the log-odds of 'not a painting' above {t.threshold:.2f}")
    share = FLAG_SHARE / max(1, len(model.tests))
    return ("Out of scope when " + ", or when ".join(parts) + f". Each threshold flags {share:.0%} of this task's "
            "validation pictures.")
