"""The front ends' one door to the models: predictions and maps through the process's inference service.

Pages, Gradio handlers and the kiosk call these functions, never the predictor
directly, so every session's model calls share one queue and one worker
(artdemo.app.service: batched predictions, maps at a lower priority, a bounded
queue that says "busy" instead of timing out) and every map is looked up in
memory and on disk before it is computed (artdemo.app.maps).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from artdemo.app import explanations, maps, service, words
from artdemo.errors import ArtdemoError
from artdemo.explain import PrintTexture
from artdemo.models import predictor

OnWait = Callable[[int], None]


def ready_tasks() -> list[str]:
    """Tasks with a trained model, in TASKS order (cards and heads are small: cheap after the first call)."""
    return predictor.available_tasks()


def predict(rgb: np.ndarray, session: str | None = None, on_wait: OnWait | None = None) -> dict:
    """Every trained model's Prediction for one picture, batched with other sessions' pictures.

    Raises ArtdemoError with the one no-model message when nothing is trained, and
    service.Busy (an ArtdemoError saying the place in line) when the queue is full.
    """
    if not ready_tasks():
        raise ArtdemoError(words.NO_MODELS)
    return service.service().predict(rgb, session=session, on_wait=on_wait)


def heat_map(rgb: np.ndarray, task: str, class_name: str, method: str, session: str | None = None,
             on_wait: OnWait | None = None) -> np.ndarray:
    """One method's (224, 224) map for `class_name` in `rgb`: from memory, the disk store, or the
    service (which may say Busy, or Replaced when this session asked for another map meanwhile)."""
    explanations.check_method(method)
    explanations.class_index(task, class_name)  # the visitor's mistake, said before queueing
    return maps.map_for(rgb, task, class_name, method, session=session, on_wait=on_wait)


def warming_up() -> bool:
    """True while the models load in the background after a server start."""
    return service.warm_state() == "warming"


def start_warmup() -> None:
    """Load and warm the models in the background now (call once when the server starts)."""
    service.start_warmup()


def print_texture(rgb: np.ndarray, task: str, class_name: str, session: str | None = None,
                  on_wait: OnWait | None = None) -> PrintTexture:
    """Grad-CAM and occlusion on a full-resolution piece of the print (cached per image). An opt-in
    view that takes seconds, so it runs in the service's lowest lane, behind every visitor's
    predictions and maps."""
    explanations.class_index(task, class_name)
    svc = service.service()
    ticket = svc.submit_background(lambda: explanations.print_texture(rgb, task, class_name),
                                   session=session or "print-texture")
    return svc.result(ticket, on_wait=on_wait)
