"""The models' answers as the front ends show them: JSON for API clients, markdown for pages.

Plain values and text only (no Streamlit, no Gradio), so the Gradio tabs, its
/classify endpoint and the tests read the same thing.
"""

from __future__ import annotations

from artdemo.app import artworks, words
from artdemo.app.framing import Framing
from artdemo.app.models_info import models_origin
from artdemo.models.predictor import Prediction
from artdemo.sources.records import ArtObject


def prediction_json(pred: Prediction) -> dict:
    """One Prediction as plain JSON values (route: auto, review or out_of_scope)."""
    return {
        "classes": list(pred.classes),
        "probabilities": [float(p) for p in pred.probabilities],
        "predicted": pred.predicted,
        "confidence": float(pred.confidence),
        "route": pred.route,
        "in_scope": bool(pred.in_scope),
        "scope_score": float(pred.scope_score),
        "threshold": float(pred.threshold),
        "scope": pred.scope,
    }


def classify_json(obj: ArtObject, framing: Framing, predictions: dict[str, Prediction]) -> dict:
    """What /classify returns: every model's answer and route, the museum's labels, the outline of
    the artwork found in the picture (`artwork.quad`, None when the picture passed unchanged or the
    whole picture was asked for), and the models' origin."""
    photo = framing.photo
    seen = framing.seen
    return {
        "predictions": {task: prediction_json(pred) for task, pred in predictions.items()},
        "museum_labels": dict(obj.labels),
        "image": {"width": int(photo.shape[1]), "height": int(photo.shape[0]), "source": obj.source},
        "artwork": {"quad": framing.quad_json(), "cropped": framing.cropped, "whole_picture": framing.whole,
                    "width": int(seen.shape[1]), "height": int(seen.shape[0])},
        "models": models_origin(),
    }


def label_value(pred: Prediction) -> dict[str, float]:
    """Class -> probability, classes as a person writes them (a gr.Label's value)."""
    return {words.pretty(name): float(p) for name, p in zip(pred.classes, pred.probabilities)}


def object_markdown(obj: ArtObject) -> str:
    """Title (never a file name), who made it, when, what, and where it comes from, with the record's link."""
    lines = [f"### {artworks.title(obj)}"]
    facts = [value for name, value in artworks.facts(obj) if name in ("Artist", "Date", "Medium")]
    if facts:
        lines.append(" · ".join(facts))
    link = f" ([museum page]({obj.page_url}))" if obj.page_url else ""
    lines.append(f"From {artworks.provenance(obj)}{link}.")
    if obj.labels:
        lines.append("The museum's labels: " + " · ".join(
            f"{words.task_title(t)} **{words.pretty(v)}**" for t, v in obj.labels.items()))
    return "\n\n".join(lines)


def summary_markdown(obj: ArtObject, predictions: dict[str, Prediction], framing: Framing | None = None) -> str:
    """A table: each model's answer, its confidence, the route, and the museum's label beside it;
    then what the models looked at, why an out-of-scope answer is only a guess, and each model's scope."""
    rows = ["| model | answer | confidence | route | museum's label |", "|---|---|---|---|---|"]
    for task, pred in predictions.items():
        truth = obj.labels.get(task)
        mark = "" if truth is None else f" · {words.verdict_word(truth == pred.predicted)}"
        rows.append(f"| {words.task_title(task)} | {words.pretty(pred.predicted)} "
                    f"| {words.confidence(pred.confidence)} "
                    f"| {pred.route} ({words.route_word(pred.route)}) | {words.pretty(truth or '—')}{mark} |")
    notes = [f"**{words.task_title(t)}:** {words.out_of_scope_sentence(t)}."
             for t, p in predictions.items() if p.route == "out_of_scope"]
    if framing is not None and framing.note():
        notes.insert(0, framing.note())
    scopes = [f"- **{words.task_title(t)}** has seen: {p.scope}" for t, p in predictions.items() if p.scope]
    return "\n".join(rows + [""] + [f"> {n}\n" for n in notes] + scopes)
