"""What the Gradio variant computes, as plain functions over the artdemo core.

No Gradio here: gradio_app.py only lays out components and wires events to
these functions, so the behaviour matches the Streamlit pages (same sources,
same safe decoding, same predictor, explanations, confusion and balance code)
and can be tested without a browser. Everything a person can get wrong raises
ArtdemoError with a message for them; the app turns it into gr.Error.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import numpy as np

from artdemo.models import store as model_store
from artdemo.models.cards import ModelCard, available_cards, load_card
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import MAX_BYTES, decode_image
from artdemo.sources.records import ArtObject
from artdemo.tasks import TASKS

METHODS = ("gradcam", "integrated_gradients", "occlusion")
METHOD_TITLES = {"gradcam": "Grad-CAM", "integrated_gradients": "Integrated gradients", "occlusion": "Occlusion"}
ROUTE_WORDS = {"auto": "confident", "review": "ask a curator"}
THUMB = 256
MAX_CELL_IMAGES = 24

_PARTS = {  # module -> what the visitor misses while it is absent
    "artdemo.models.predictor": "Classification",
    "artdemo.sources.objects": "Loading artworks (MET, MoMA, cache, URL, upload)",
    "artdemo.explain": "Explanations",
    "artdemo.explain.views": "Explanation overlays",
    "artdemo.app.confusion": "The confusion explorer",
    "artdemo.app.balance": "The class-balance view",
    "artdemo.app.charts": "Charts",
}


def core(name: str) -> ModuleType:
    """Import a part of the core, or say plainly that this build lacks it."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and name.startswith(err.name):
            what = _PARTS.get(name, name)
            raise ArtdemoError(f"{what} is not available in this build ({name} is missing).") from err
        raise


def models_origin() -> str:
    return model_store.models_location().origin


def cards() -> dict[str, ModelCard]:
    """Every model card in the models folder in use, by task."""
    return {card.task: card for card in available_cards(model_store.models_root())}


def card(task: str) -> ModelCard:
    return load_card(task, model_store.models_root())


# --- getting an artwork --------------------------------------------------------------------------------


def object_from_upload(path: str | None) -> ArtObject:
    """An uploaded file (Gradio hands us a temporary path) as an ArtObject."""
    if not path:
        raise ArtdemoError("Please choose an image file to upload first.")
    file = Path(path)
    if file.stat().st_size > MAX_BYTES:
        raise ArtdemoError(f"This file is too big ({file.stat().st_size / 2**20:.1f} MB; we accept up to "
                           f"{MAX_BYTES / 2**20:.0f} MB). Please use a smaller image (for example, a JPEG).")
    data = file.read_bytes()
    try:
        sources = core("artdemo.sources.objects")
    except ArtdemoError:  # an upload needs nothing from the museum clients
        return ArtObject(source="upload", object_id=file.name, title=file.name, image_bytes=data)
    return sources.object_from_upload(data, file.name)


def object_from_url(url: str | None) -> ArtObject:
    if not url or not url.strip():
        raise ArtdemoError("Please paste the address (URL) of an image first.")
    return core("artdemo.sources.objects").object_from_url(url.strip())


def random_object(source: str) -> tuple[ArtObject, str | None]:
    """A random artwork from `source`; when the museum fails, one from the local cache and a
    sentence saying so (the same fallback as the Streamlit app)."""
    return core("artdemo.sources.objects").random_with_fallback(source)


def picture(obj: ArtObject) -> np.ndarray:
    """The artwork's picture as RGB uint8, through the one safe decoder."""
    if not obj.image_bytes:
        raise ArtdemoError(f"“{obj.title or obj.object_id}” has no image we could load. Please try another artwork.")
    return np.asarray(decode_image(obj.image_bytes), dtype=np.uint8)


# --- classification ------------------------------------------------------------------------------------


def predict(rgb: np.ndarray) -> dict:
    predictor = core("artdemo.models.predictor")
    if not predictor.available_tasks():
        raise ArtdemoError(f"No trained models in {model_store.models_root()}. "
                           "Train them with `python -m artdemo train all`, or set ARTDEMO_HF_REPO.")
    return predictor.predict_image(rgb)


def prediction_json(pred) -> dict:
    """One Prediction as plain JSON values."""
    return {
        "classes": list(pred.classes),
        "probabilities": [float(p) for p in pred.probabilities],
        "predicted": pred.predicted,
        "confidence": float(pred.confidence),
        "route": pred.route,
        "threshold": float(pred.threshold),
        "scope": pred.scope,
    }


def classify_json(obj: ArtObject, rgb: np.ndarray, predictions: dict) -> dict:
    """What /classify returns: every model's probabilities, the museum's labels, the models' origin."""
    return {
        "predictions": {task: prediction_json(pred) for task, pred in predictions.items()},
        "museum_labels": dict(obj.labels),
        "image": {"width": int(rgb.shape[1]), "height": int(rgb.shape[0]), "source": obj.source},
        "models": models_origin(),
    }


def label_value(pred) -> dict[str, float]:
    """A gr.Label value: class -> probability."""
    return {name.replace("_", " "): float(p) for name, p in zip(pred.classes, pred.probabilities)}


def object_markdown(obj: ArtObject) -> str:
    """Who made it, when, what, and where it comes from."""
    title = obj.title or obj.object_id or "Untitled"
    lines = [f"### {title}"]
    facts = [x for x in (obj.artist, obj.date, obj.medium) if x]
    if facts:
        lines.append(" · ".join(facts))
    source = {"met": "The Met", "moma": "MoMA", "cache": "the local data cache", "upload": "your upload",
              "url": "the web address you gave"}.get(obj.source, obj.source)
    link = f" ([museum page]({obj.page_url}))" if obj.page_url else ""
    lines.append(f"From {source}{link}.")
    if obj.labels:
        named = [f"{TASKS[t].title if t in TASKS else t} **{v.replace('_', ' ')}**" for t, v in obj.labels.items()]
        lines.append("The museum's labels: " + " · ".join(named))
    return "\n\n".join(lines)


def summary_markdown(obj: ArtObject, predictions: dict) -> str:
    """A table: each model's answer, its confidence, the route, and the museum's label beside it."""
    rows = ["| model | answer | confidence | route | museum's label |", "|---|---|---|---|---|"]
    for task, pred in predictions.items():
        truth = obj.labels.get(task)
        mark = "" if truth is None else (" · ✓ right" if truth == pred.predicted else " · ✗ wrong")
        title = TASKS[task].title if task in TASKS else task
        rows.append(f"| {title} | {pred.predicted.replace('_', ' ')} | {pred.confidence:.0%} "
                    f"| {pred.route} ({ROUTE_WORDS.get(pred.route, pred.route)}) "
                    f"| {(truth or '—').replace('_', ' ')}{mark} |")
    scopes = [f"- **{TASKS[t].title if t in TASKS else t}** has seen: {p.scope}" for t, p in predictions.items() if p.scope]
    return "\n".join(rows + [""] + scopes)


# --- explanations --------------------------------------------------------------------------------------


def overlay(rgb: np.ndarray, task: str, class_name: str, method: str, opacity: float = 0.5) -> np.ndarray:
    """The heat map of `method` for `class_name` laid over the model's 224x224 view."""
    if method not in METHODS:
        raise ArtdemoError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    the_card = card(task)
    if class_name not in the_card.classes:
        raise ArtdemoError(f"{class_name!r} is not a class of the {task!r} model ({', '.join(the_card.classes)}).")
    heat = core("artdemo.explain").explain(rgb, task, class_name, method)
    view = core("artdemo.models.predictor").model_input(rgb)
    return np.asarray(core("artdemo.explain.views").overlay(np.clip(view, 0, 255).astype(np.uint8), heat, opacity))


def caption(method: str) -> str:
    try:
        return str(core("artdemo.explain.views").CAPTIONS.get(method, ""))
    except ArtdemoError:
        return ""


def overlays(rgb: np.ndarray, task: str, class_name: str, methods: list[str],
             opacity: float) -> tuple[list[tuple[np.ndarray, str]], str]:
    """Gallery items (one overlay per chosen method, titled) and the methods' captions:
    what each picture shows and what it does not."""
    if not methods:
        raise ArtdemoError("Choose at least one method.")
    items = [(overlay(rgb, task, class_name, m, opacity), METHOD_TITLES.get(m, m)) for m in methods]
    captions = "\n".join(f"- {caption(m) or METHOD_TITLES.get(m, m)}" for m in methods)
    return items, captions


# --- confusion and balance -----------------------------------------------------------------------------


def binary_threshold(task: str, threshold: float | None) -> float | None:
    """The threshold to apply: only yes/no models have one; others always take the top class."""
    return threshold if threshold is not None and len(card(task).classes) == 2 else None


def confusion_figure(task: str, normalised: bool, threshold: float | None = None):
    """The held-out confusion matrix of one model (a yes/no model's at `threshold`), a line of
    figures under it, and its fullest mistake cell."""
    confusion, charts = core("artdemo.app.confusion"), core("artdemo.app.charts")
    the_card = card(task)
    threshold = binary_threshold(task, threshold)
    matrix = confusion.counts(the_card, threshold)
    shown = confusion.row_normalised(matrix) if normalised else matrix
    figures = confusion.summary(matrix)
    at = "" if threshold is None else f" with '{confusion.positive_class(the_card)}' from {threshold:.2f}"
    note = (f"{figures['n']} held-out images{at} · accuracy {figures['accuracy']:.0%} · "
            f"balanced accuracy {figures['balanced_accuracy']:.0%} · macro-F1 {figures['macro_f1']:.2f}. "
            "Rows: the museum's label; columns: the model's answer.")
    figure = charts.confusion_heatmap(shown, the_card.classes, normalised=normalised)
    return figure, note, confusion.largest_mistake(matrix, the_card.classes)


def thumbnail(relative_path: str) -> np.ndarray | None:
    """A small picture of a held-out image from the data cache, or None when it is not here."""
    from artdemo import config

    path = config.data_dir() / relative_path
    if not path.is_file():
        return None
    image = decode_image(path.read_bytes())
    image.thumbnail((THUMB, THUMB))
    return np.asarray(image)


def cell_gallery(task: str, true: str, predicted: str,
                 threshold: float | None = None) -> tuple[list[tuple[np.ndarray, str]], str]:
    """The held-out images of one confusion cell (most confident first) and a line about them."""
    cell = core("artdemo.app.confusion").cell_examples(card(task), true, predicted, binary_threshold(task, threshold))
    items, missing = [], 0
    for item in cell[:MAX_CELL_IMAGES]:
        picture_ = thumbnail(item.example.path)
        if picture_ is None:
            missing += 1
            continue
        items.append((picture_, f"{item.predicted.replace('_', ' ')} at {item.confidence:.0%} · {item.example.source}"))
    note = f"{len(cell)} images are labelled {true.replace('_', ' ')} and predicted {predicted.replace('_', ' ')}."
    if len(cell) > MAX_CELL_IMAGES:
        note += f" Showing the {MAX_CELL_IMAGES} most confident."
    if missing:
        note += (" 1 is not in the local data cache, so it can't be shown." if missing == 1 else
                 f" {missing} are not in the local data cache, so they can't be shown.")
    return items, note


def balance_view(task: str):
    """Images per class and source for one model, with plain notes on small or one-source classes."""
    balance, charts = core("artdemo.app.balance"), core("artdemo.app.charts")
    the_card = cards().get(task)
    long_counts = balance.training_counts(task, the_card)
    if long_counts.empty:
        raise ArtdemoError(f"There are no counts for the {task!r} task: no model card and no labels CSV.")
    figure = charts.balance_bars(long_counts, "class", "count", colour="source",
                                 title=f"{TASKS[task].title}: images per class and source")
    notes = balance.imbalance_notes(the_card, long_counts) if the_card else balance.source_notes(long_counts)
    return figure, "\n".join(f"- {n}" for n in notes) or "No class stands out as small or single-source."
