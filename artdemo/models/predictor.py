"""One call from a picture to every task's calibrated answer; the app, Gradio and the CLI use this.

Heads and cards are loaded once per models folder (and again only if a file
changes). All views every requested head needs go through the backbone in one
batched call, so asking for four tasks costs about as much as asking for one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.models import features
from artdemo.models import views
from artdemo.models.cards import ModelCard, card_path, load_card
from artdemo.errors import ArtdemoError
from artdemo.models.heads import Head, load_head
from artdemo.tasks import TASKS


@dataclass
class Prediction:
    task: str
    classes: list[str]
    probabilities: list[float]
    predicted: str
    confidence: float
    route: str  # "auto" | "review"
    threshold: float
    scope: str


def _root() -> Path:
    from artdemo.models.store import models_root

    return models_root()


@functools.lru_cache(maxsize=16)
def _load(root: str, task: str, stamp: tuple) -> tuple[ModelCard, Head]:
    card = load_card(task, Path(root))
    head = load_head(Path(root) / task / card.weights_file)
    if head.classes != card.classes:
        raise ArtdemoError(f"The {task} model's weights and card disagree about its classes; "
                           f"retrain with `python -m artdemo train {task}`.")
    return card, head


def _stamp(root: Path, task: str) -> tuple:
    folder = root / task
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*")) if p.is_file())


def load_model(task: str) -> tuple[ModelCard, Head]:
    """The task's card and head (cached); ArtdemoError saying how to train it when missing."""
    if task not in TASKS:
        raise ArtdemoError(f"Unknown task {task!r}; choose one of: {', '.join(TASKS)}.")
    root = _root()
    if not card_path(task, root).is_file():
        raise ArtdemoError(f"There is no trained {task!r} model in {root}. "
                           f"Train it with `python -m artdemo train {task}` (or `train all`).")
    return _load(str(root), task, _stamp(root, task))


def available_tasks() -> list[str]:
    """Tasks with a trained model present, in TASKS order ([] when none)."""
    out = []
    for task in TASKS:
        try:
            load_model(task)
            out.append(task)
        except ArtdemoError:
            continue
    return out


def model_input(rgb: np.ndarray) -> np.ndarray:
    """The whole-image (224, 224, 3) float32 view the explanations see."""
    return views.model_input(_check_rgb(rgb))


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ArtdemoError(f"Expected an RGB picture (height x width x 3), got an array of shape {rgb.shape}.")
    return rgb.astype(np.uint8, copy=False)


def _answer(task: str, card: ModelCard, probs: np.ndarray) -> Prediction:
    k = int(np.argmax(probs))
    confidence = float(probs[k])
    return Prediction(task=task, classes=list(card.classes), probabilities=[float(p) for p in probs],
                      predicted=card.classes[k], confidence=confidence,
                      route="auto" if confidence >= card.threshold else "review",
                      threshold=float(card.threshold), scope=card.scope)


def predict_images(images: list[np.ndarray], tasks: list[str] | None = None) -> list[dict[str, Prediction]]:
    """Calibrated answers for each image and task (default: every trained task)."""
    names = list(tasks) if tasks is not None else available_tasks()
    if not names:
        raise ArtdemoError("No trained models found. Train them with `python -m artdemo train all` "
                           "or fetch them with `python -m artdemo models pull`.")
    models = {task: load_model(task) for task in names}
    images = [_check_rgb(rgb) for rgb in images]
    needed = sorted({v for _, head in models.values() for v in head.views})
    feats = features.features_of_images(images, needed)
    out: list[dict[str, Prediction]] = [{} for _ in images]
    for task, (card, head) in models.items():
        probs = head.probabilities(feats)
        for i, row in enumerate(probs):
            out[i][task] = _answer(task, card, row)
    return out


def predict_image(rgb: np.ndarray, tasks: list[str] | None = None) -> dict[str, Prediction]:
    """Every requested task's calibrated answer for one RGB uint8 image (one backbone call)."""
    return predict_images([rgb], tasks)[0]


def explain_model(task: str):
    """A Keras model (N,224,224,3) pixels -> [conv_map (N,7,7,1280), probs (N,C)], differentiable end to end.

    It rebuilds the head's views from the whole-image input inside the graph
    (mirror, frame crop, greyscale centre), so its probabilities follow
    predict_image's closely; conv_map is the whole view's last feature map.
    """
    from artdemo.models.explain_graph import build_explain_model

    card, head = load_model(task)
    root = _root()
    return build_explain_model(head, key=(str(root), task, _stamp(root, task)))
