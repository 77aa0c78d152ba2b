"""One call from a picture to every task's calibrated answer; the app, Gradio, the CLI and the audit use this.

The models were trained on what the artwork finder returns (artdemo.imaging.find_artwork:
the painted or printed surface inside frame and mat, or a reproduction unchanged), so
finding the artwork is part of the model's preprocessing and `find_artwork=True` is
the default everywhere. `classify_images` says which quadrilateral it used;
`predict_images` is the same call returning only the answers. Pass
`find_artwork=False` for "use the whole picture", or when the picture already is
the crop (for example the `crop` of an earlier answer).

Heads, cards and scope models are loaded once per models folder (and again only
if a file changes). The backbone sees every picture once, in batches, so asking
for four tasks costs about as much as asking for one. Each answer's route is
`auto` (confident), `review` (ask a curator) or `out_of_scope` (the picture is
far from anything the model learned from; its answer would be a guess).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.errors import ArtdemoError
from artdemo.imaging.find_artwork import FoundArtwork, find_artwork as find_artwork_in
from artdemo.models import features, views
from artdemo.models.blas import serve_on_one_thread
from artdemo.models.cards import ModelCard, card_path, load_card
from artdemo.models.heads import Head, load_head
from artdemo.models.scope_model import SCOPE_FILE, ScopeModel, load_scope
from artdemo.tasks import TASKS


@dataclass
class Prediction:
    task: str
    classes: list[str]
    probabilities: list[float]
    predicted: str
    confidence: float
    route: str  # "auto" (confident) | "review" (ask a curator) | "out_of_scope" (not the kind of picture it learned)
    threshold: float
    scope: str
    scope_score: float = 0.0  # the scope model's outlier score: above 0 the picture is out of scope
    in_scope: bool = True


def _root() -> Path:
    from artdemo.models.store import models_root

    return models_root()


@dataclass(frozen=True)
class Classification:
    """Every task's answer for one picture, and what the models looked at in it."""

    found: FoundArtwork  # .crop is what the models saw; .quad is None when the whole picture was used
    predictions: dict[str, Prediction]


@functools.lru_cache(maxsize=16)
def _load(root: str, task: str, stamp: tuple) -> tuple[ModelCard, Head, ScopeModel | None]:
    card = load_card(task, Path(root))
    head = load_head(Path(root) / task / card.weights_file)
    if head.classes != card.classes:
        raise ArtdemoError(f"The {task} model's weights and card disagree about its classes; "
                           f"retrain with `python -m artdemo train {task}`.")
    scope_file = Path(root) / task / SCOPE_FILE
    return card, head, load_scope(scope_file) if scope_file.is_file() else None


def _stamp(root: Path, task: str) -> tuple:
    """Names and mtimes of the task folder's files: a retrained model is loaded on its next use.
    One directory read and one stat per file, because the inference worker asks on every batch and
    each system call lets the page threads take the GIL (see artdemo.app.service)."""
    try:
        with os.scandir(root / task) as entries:
            return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in entries if e.is_file()))
    except OSError:
        return ()


def load_model(task: str) -> tuple[ModelCard, Head]:
    """The task's card and head (cached); ArtdemoError saying how to train it when missing."""
    card, head, _ = _load_all(task)
    return card, head


def scope_model(task: str) -> ScopeModel | None:
    """The task's scope model (None for a model trained before scope models existed)."""
    return _load_all(task)[2]


def _load_all(task: str) -> tuple[ModelCard, Head, ScopeModel | None]:
    serve_on_one_thread()  # a process that loads models serves answers: see artdemo.models.blas
    if task not in TASKS:
        raise ArtdemoError(f"Unknown task {task!r}; choose one of: {', '.join(TASKS)}.")
    root = _root()
    stamp = _stamp(root, task)
    if card_path(task, root).name not in {name for name, _ in stamp}:
        raise ArtdemoError(f"There is no trained {task!r} model in {root}. "
                           f"Train it with `python -m artdemo train {task}` (or `train all`).")
    return _load(str(root), task, stamp)


def _trained(tasks: list[str] | None) -> dict[str, tuple[ModelCard, Head, ScopeModel | None]]:
    """The requested tasks' models (default: every trained one), each folder looked at once."""
    if tasks is not None:
        return {task: _load_all(task) for task in tasks}
    out = {}
    for task in TASKS:
        try:
            out[task] = _load_all(task)
        except ArtdemoError:
            continue
    return out


def available_tasks() -> list[str]:
    """Tasks with a trained model present, in TASKS order ([] when none)."""
    return list(_trained(None))


def model_input(rgb: np.ndarray) -> np.ndarray:
    """The whole-image (224, 224, 3) float32 view the explanations see."""
    return views.model_input(_check_rgb(rgb))


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ArtdemoError(f"Expected an RGB picture (height x width x 3), got an array of shape {rgb.shape}.")
    return rgb.astype(np.uint8, copy=False)


def route_for(confidence: float, threshold: float, in_scope: bool) -> str:
    """The one routing rule: out of scope first (its answer would be a guess), then confidence."""
    if not in_scope:
        return "out_of_scope"
    return "auto" if confidence >= threshold else "review"


def _answer(task: str, card: ModelCard, probs: np.ndarray, outlier: float, in_scope: bool) -> Prediction:
    k = int(np.argmax(probs))
    confidence = float(probs[k])
    return Prediction(task=task, classes=list(card.classes), probabilities=[float(p) for p in probs],
                      predicted=card.classes[k], confidence=confidence,
                      route=route_for(confidence, card.threshold, in_scope),
                      threshold=float(card.threshold), scope=card.scope,
                      scope_score=float(outlier), in_scope=bool(in_scope))


def classify_images(images: list[np.ndarray], tasks: list[str] | None = None,
                    find_artwork: bool = True) -> list[Classification]:
    """Calibrated answers for each image and task (default: every trained task), with the crop used."""
    models = _trained(list(tasks) if tasks is not None else None)
    if not models:
        raise ArtdemoError("No trained models found. Train them with `python -m artdemo train all` "
                           "or fetch them with `python -m artdemo models pull`.")
    images = [_check_rgb(rgb) for rgb in images]
    found = [find_artwork_in(rgb) if find_artwork else FoundArtwork(rgb, None, "whole picture", 0.0)
             for rgb in images]
    crops = [_check_rgb(f.crop) for f in found]
    needed = sorted({v for _, head, _ in models.values() for v in head.views})
    feats = features.features_of_images(crops, needed)
    out: list[dict[str, Prediction]] = [{} for _ in images]
    for task, (card, head, scope) in models.items():
        probs = head.probabilities(feats)
        if scope is not None:
            outlier = scope.outlier_score(feats["whole"])
            inside = outlier <= 0.0
        else:
            outlier, inside = np.zeros(len(crops)), np.ones(len(crops), bool)
        for i, row in enumerate(probs):
            out[i][task] = _answer(task, card, row, outlier[i], inside[i])
    return [Classification(f, answers) for f, answers in zip(found, out)]


def predict_images(images: list[np.ndarray], tasks: list[str] | None = None,
                   find_artwork: bool = True) -> list[dict[str, Prediction]]:
    """Calibrated answers for each image and task (default: every trained task)."""
    return [c.predictions for c in classify_images(images, tasks, find_artwork)]


def predict_image(rgb: np.ndarray, tasks: list[str] | None = None, find_artwork: bool = True) -> dict[str, Prediction]:
    """Every requested task's calibrated answer for one RGB uint8 image (one backbone call)."""
    return predict_images([rgb], tasks, find_artwork)[0]


def classify(rgb: np.ndarray, tasks: list[str] | None = None, find_artwork: bool = True) -> Classification:
    """One picture's answers and the quadrilateral the models looked inside (None: the whole picture)."""
    return classify_images([rgb], tasks, find_artwork)[0]


def explain_model(task: str):
    """A Keras model (N,224,224,3) pixels -> [conv_map (N,7,7,1280), probs (N,C)], differentiable end to end.

    Give it the crop the models saw (`Classification.found.crop` through
    model_input); conv_map is the whole view's last feature map.
    """
    from artdemo.models.explain_graph import build_explain_model

    _, head = load_model(task)
    root = _root()
    return build_explain_model(head, key=(str(root), task, _stamp(root, task)))
