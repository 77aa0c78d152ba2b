"""What one visitor's session holds, as plain functions over a dict-like store.

The Streamlit pages pass `st.session_state`; tests pass a dict. The session holds
only what the visitor chose and what was computed for it: the current artwork, its
decoded picture, the predictions, and a tally of right and wrong answers on
labelled artworks (each artwork counted once, however often the page reruns).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from artdemo.imaging.decode import decode_image
from artdemo.sources.records import ArtObject

OBJECT = "artdemo_object"
RGB = "artdemo_rgb"
PREDICTIONS = "artdemo_predictions"
TALLY = "artdemo_tally"
COUNTED = "artdemo_counted"  # keys of artworks already in the tally

ROUTE_TEXT = {"auto": "confident", "review": "ask a curator"}


@dataclass(frozen=True)
class Verdict:
    """A prediction beside the museum's own label, where the museum gives one."""

    task: str
    predicted: str
    truth: str | None

    @property
    def correct(self) -> bool | None:
        return None if self.truth is None else self.truth == self.predicted

    def mark(self) -> str:
        """A plain mark for the page: right, wrong, or no museum label."""
        if self.correct is None:
            return "no museum label to compare"
        return ":green[**✓ right**]" if self.correct else ":red[**✗ wrong**]"


def object_key(obj: ArtObject) -> str:
    return f"{obj.source}:{obj.object_id}"


def set_object(state: MutableMapping[str, Any], obj: ArtObject, rgb: np.ndarray | None = None) -> np.ndarray:
    """Make `obj` the current artwork: decode its picture (unless given) and forget old
    predictions. Raises ArtdemoError when the picture can't be read, leaving the
    previous artwork in place."""
    if rgb is None:
        if not obj.image_bytes:
            from artdemo.errors import ArtdemoError

            raise ArtdemoError(f"“{obj.title or obj.object_id}” has no image we could load. Please try another artwork.")
        rgb = np.asarray(decode_image(obj.image_bytes), dtype=np.uint8)
    state[OBJECT] = obj
    state[RGB] = rgb
    state.pop(PREDICTIONS, None)
    return rgb


def current_object(state: MutableMapping[str, Any]) -> ArtObject | None:
    return state.get(OBJECT)


def current_rgb(state: MutableMapping[str, Any]) -> np.ndarray | None:
    return state.get(RGB)


def current_predictions(state: MutableMapping[str, Any]) -> dict | None:
    return state.get(PREDICTIONS)


def verdicts(obj: ArtObject, predictions: dict) -> dict[str, Verdict]:
    """Each task's prediction beside the museum label for it, where known."""
    return {task: Verdict(task, pred.predicted, obj.labels.get(task)) for task, pred in predictions.items()}


def set_predictions(state: MutableMapping[str, Any], predictions: dict) -> dict[str, Verdict]:
    """Store the current artwork's predictions and count its right/wrong answers once."""
    state[PREDICTIONS] = predictions
    obj = current_object(state)
    if obj is None:
        return {}
    found = verdicts(obj, predictions)
    counted = state.setdefault(COUNTED, set())
    key = object_key(obj)
    if key not in counted:
        counted.add(key)
        tally = state.setdefault(TALLY, {"right": 0, "wrong": 0})
        for verdict in found.values():
            if verdict.correct is not None:
                tally["right" if verdict.correct else "wrong"] += 1
    return found


def tally(state: MutableMapping[str, Any]) -> dict[str, int]:
    """Right and wrong answers on labelled artworks so far in this session."""
    return dict(state.get(TALLY, {"right": 0, "wrong": 0}))


def default_class(state: MutableMapping[str, Any], task: str, classes: list[str]) -> str:
    """The class the saliency pickers start on: the current prediction, else the first."""
    preds = current_predictions(state) or {}
    pred = preds.get(task)
    if pred is not None and pred.predicted in classes:
        return pred.predicted
    return classes[0]
