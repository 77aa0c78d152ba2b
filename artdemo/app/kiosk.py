"""The kiosk's attract loop, as a pure step function.

While nobody touches the screen, a new artwork (with its prediction and saliency)
appears every `interval` seconds. Each artwork gets one question, from a model that
finds it in scope (artdemo.models.predictor's `out_of_scope` route), taking turns. A visitor's touch pauses the loop; after
`idle_timeout` seconds without a touch it resumes. Any failure while fetching the
next artwork becomes a friendly line and the loop simply tries again: a kiosk
never shows a stack trace. `step` takes the time and the fetcher as arguments, so
all of this is tested without Streamlit, a clock or a network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from artdemo import config
from artdemo.app import artworks, inference, words
from artdemo.app.framing import frame
from artdemo.app.overlay import heat_overlay
from artdemo.app.pictures import picture
from artdemo.errors import ArtdemoError
from artdemo.models.predictor import Prediction
from artdemo.sources import objects
from artdemo.sources.records import ArtObject

log = logging.getLogger(__name__)


class NotReady(Exception):
    """The next artwork is still being prepared: keep showing the current one."""

FRIENDLY_RETRY = "Let's look at another one…"
DEFAULT_INTERVAL = 12.0
DEFAULT_IDLE_TIMEOUT = 45.0


def interval_seconds() -> float:
    """Seconds between artworks (`ARTDEMO_KIOSK_SECONDS`; tests use a short one)."""
    return config.positive_number("ARTDEMO_KIOSK_SECONDS", DEFAULT_INTERVAL)


def idle_timeout_seconds() -> float:
    """Seconds without a touch before the loop resumes (`ARTDEMO_KIOSK_IDLE_SECONDS`)."""
    return config.positive_number("ARTDEMO_KIOSK_IDLE_SECONDS", DEFAULT_IDLE_TIMEOUT)



@dataclass(frozen=True)
class KioskState:
    """What the kiosk shows and when things last happened (seconds, any clock)."""

    item: Any = None  # whatever the fetcher returns (the page's KioskItem)
    shown_at: float = float("-inf")  # when `item` appeared, or the last failed attempt
    touched_at: float = float("-inf")  # the visitor's last touch
    message: str = ""  # a friendly line after a failure, "" otherwise
    shown: int = 0  # artworks shown since start
    failures: int = 0  # consecutive failures
    history: tuple[str, ...] = field(default_factory=tuple)  # ids of recent artworks
    next_wanted: bool = False  # a visitor asked for another artwork


def visitor_active(state: KioskState, now: float, idle_timeout: float) -> bool:
    """True while a visitor touched the screen less than `idle_timeout` seconds ago."""
    return now - state.touched_at < idle_timeout


def due(state: KioskState, now: float, interval: float, idle_timeout: float) -> bool:
    """Whether the loop should move on now."""
    if state.next_wanted or (state.item is None and state.failures == 0):
        return True
    if visitor_active(state, now, idle_timeout):
        return False
    return now - state.shown_at >= interval


def step(state: KioskState, now: float, fetch: Callable[[], Any], *, interval: float,
         idle_timeout: float, item_id: Callable[[Any], str] = str) -> KioskState:
    """Advance the loop if it is due: fetch the next item, or keep the current one
    with a friendly message when fetching fails (the next tick tries again)."""
    if not due(state, now, interval, idle_timeout):
        return state
    try:
        item = fetch()
    except NotReady:
        return state
    except ArtdemoError as err:
        log.info("kiosk: next artwork failed: %s", err)
        return replace(state, shown_at=now, message=FRIENDLY_RETRY, failures=state.failures + 1, next_wanted=False)
    except Exception:  # a kiosk must never show a trace; log it for the operator
        log.exception("kiosk: unexpected error while fetching the next artwork")
        return replace(state, shown_at=now, message=FRIENDLY_RETRY, failures=state.failures + 1, next_wanted=False)
    history = (state.history + (item_id(item),))[-20:]
    return replace(state, item=item, shown_at=now, message="", shown=state.shown + 1, failures=0,
                   history=history, next_wanted=False)


class Prefetch:
    """A fetcher for `step` that prepares the next artwork in a worker thread.

    The first call starts the work and raises NotReady; later calls raise NotReady
    until it is done, then return its result (or raise its error, which `step` turns
    into a friendly line). The page's timer can fire and rerun while an artwork is
    being prepared (slow machine, slow network) without cancelling the work.
    """

    def __init__(self, executor: Any, build: Callable[[int], Any]) -> None:
        self._executor = executor
        self._build = build  # called with how many artworks were started before this one
        self._future: Any = None
        self._started = 0

    @property
    def busy(self) -> bool:
        return self._future is not None and not self._future.done()

    def __call__(self) -> Any:
        if self._future is None:
            self._future = self._executor.submit(self._build, self._started)
            self._started += 1
        if not self._future.done():
            raise NotReady
        future, self._future = self._future, None
        return future.result()


def touch(state: KioskState, now: float) -> KioskState:
    """A visitor touched the screen: pause the loop until they have been idle a while."""
    return replace(state, touched_at=now)


def skip(state: KioskState, now: float) -> KioskState:
    """A visitor asked for another artwork: the next step fetches one at once, and the
    loop stays paused while they look at it."""
    return replace(state, touched_at=now, next_wanted=True, message="")


@dataclass(frozen=True)
class KioskItem:
    """One artwork as the kiosk shows it: the picture, one model's answer, where it looked."""

    obj: ArtObject
    rgb: np.ndarray  # the picture to show: the photo, with the artwork's outline when one was found
    task: str | None  # the question asked; None when no model has learned from works like this one
    prediction: Prediction | None
    overlay: np.ndarray | None = None  # Grad-CAM over the models' view, or None when it could not be computed
    note: str = ""  # what the models looked at, when they looked only at the artwork inside a frame

    @property
    def title(self) -> str:
        """The artwork's title, never a file name (artdemo.app.artworks.title)."""
        return artworks.title(self.obj)

    @property
    def question(self) -> str:
        return words.task_question(self.task) if self.task else ""


def in_scope_tasks(predictions: dict[str, Prediction]) -> list[str]:
    """The tasks whose models find the picture in scope: the only questions worth asking about it
    (a drawing gets the medium question, not the style one)."""
    return [task for task, pred in predictions.items() if pred.route != "out_of_scope"]


def kiosk_task(tasks: list[str], shown: int) -> str:
    """The model the kiosk features next: take turns, so visitors see every model."""
    if not tasks:
        raise ArtdemoError(words.NO_MODELS)
    return tasks[shown % len(tasks)]


def build_item(shown: int, source: str = "cache") -> KioskItem:
    """Fetch an artwork, find it in its picture, predict it with every model, and explain one
    in-scope model's answer (Grad-CAM, the quickest map). A failed map still shows the artwork."""
    obj = objects.random_object(source)
    framing = frame(picture(obj))
    predictions = inference.predict(framing.seen)
    asked = in_scope_tasks(predictions)
    if not asked:
        return KioskItem(obj, framing.outlined(), None, None, None, framing.note())
    task = kiosk_task(asked, shown)
    prediction = predictions[task]
    try:
        heat = inference.heat_map(framing.seen, task, prediction.predicted, "gradcam")
        shown_map = heat_overlay(framing.seen, heat, 0.5)
    except Exception:  # the artwork is still worth showing without its map
        log.exception("kiosk: saliency failed")
        shown_map = None
    return KioskItem(obj, framing.outlined(), task, prediction, shown_map, framing.note())


def item_id(item: KioskItem) -> str:
    return f"{item.obj.source}:{item.obj.object_id}"
