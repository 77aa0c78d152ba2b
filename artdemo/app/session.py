"""What one visitor's session holds, as plain functions over a dict-like store.

The Streamlit pages pass `st.session_state`; tests pass a dict. The session holds
only what the visitor chose and what was computed for it: the current artwork,
its picture and the artwork found in it (`Framing`: the crop the models see, or
the whole picture when the visitor asked), the predictions, and a tally of right
and wrong answers on labelled artworks (each artwork counted once, however often
the page reruns).
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from artdemo.app import words
from artdemo.app.framing import Framing, frame
from artdemo.app.pictures import picture
from artdemo.sources.records import ArtObject

OBJECT = "artdemo_object"
FRAMING = "artdemo_framing"
PREDICTIONS = "artdemo_predictions"
TALLY = "artdemo_tally"
COUNTED = "artdemo_counted"  # keys of artworks already in the tally
SESSION_ID = "artdemo_session_id"
PICKED_FOR = "_picked_for"  # beside a class picker's key: the prediction its choice was made for


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
        """Right, wrong, or no museum label to compare (plain text; a front end adds colour)."""
        return words.verdict_word(self.correct)


def object_key(obj: ArtObject) -> str:
    return f"{obj.source}:{obj.object_id}"


def session_id(state: MutableMapping[str, Any]) -> str:
    """A stable id for this visitor's session (the inference service keeps one pending map per id)."""
    if SESSION_ID not in state:
        state[SESSION_ID] = uuid.uuid4().hex
    return state[SESSION_ID]


def set_object(state: MutableMapping[str, Any], obj: ArtObject, rgb: np.ndarray | None = None) -> np.ndarray:
    """Make `obj` the current artwork: decode its picture (unless given), find the artwork in it,
    and forget old predictions. Returns the picture the models will see. Raises ArtdemoError when
    the picture can't be read, leaving the previous artwork in place."""
    photo = picture(obj) if rgb is None else np.asarray(rgb, dtype=np.uint8)
    framing = frame(photo)
    state[OBJECT] = obj
    state[FRAMING] = framing
    state.pop(PREDICTIONS, None)
    return framing.seen


def current_object(state: MutableMapping[str, Any]) -> ArtObject | None:
    return state.get(OBJECT)


def current_framing(state: MutableMapping[str, Any]) -> Framing | None:
    return state.get(FRAMING)


def current_rgb(state: MutableMapping[str, Any]) -> np.ndarray | None:
    """The picture the models see: the artwork's crop, or the whole picture when asked."""
    framing = current_framing(state)
    return None if framing is None else framing.seen


def use_whole_picture(state: MutableMapping[str, Any], whole: bool) -> bool:
    """Classify the whole picture (True) or only the artwork found in it (False). Old predictions
    are forgotten when this changes what the models see; returns whether it did."""
    framing = current_framing(state)
    if framing is None or framing.whole == bool(whole):
        return False
    before = framing.seen
    state[FRAMING] = framing.with_whole(whole)
    changed = state[FRAMING].seen is not before
    if changed:
        state.pop(PREDICTIONS, None)
    return changed


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


def start_on_prediction(state: MutableMapping[str, Any], key: str, default: str, classes: list[str]) -> None:
    """Put the class picker `key` on `default` (the current prediction) when it has no valid choice,
    and again whenever the prediction changes (the whole picture instead of the crop gives new answers
    on the same page): left on the old answer, the page would explain one class while marking another
    as predicted. A class the visitor picked for the current answer stands."""
    made_for = f"{key}{PICKED_FOR}"
    if state.get(key) not in classes or state.get(made_for) != default:
        state[key] = default
        state[made_for] = default


def default_class(state: MutableMapping[str, Any], task: str, classes: list[str]) -> str:
    """The class the saliency pickers start on: the current prediction, else the first."""
    preds = current_predictions(state) or {}
    pred = preds.get(task)
    if pred is not None and pred.predicted in classes:
        return pred.predicted
    return classes[0]
