"""A crowd for the app's tests: the process-wide inference service kept busy with real work.

The worker is held by a real prediction that first waits for a go (real, deliberately slow
work, as in test_service.py; no stand-in model), so requests pile up in the real queue.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import numpy as np

from artdemo.app import service


@contextlib.contextmanager
def busy_worker(max_waiting: int | None = None) -> Iterator[service.InferenceService]:
    """The process-wide service with its worker inside a prediction (and its queue bounded at
    `max_waiting`) until the block ends."""
    svc = service.service()
    go, holding = threading.Event(), threading.Event()
    real_predict, old_limit = svc.predict_fn, svc.max_waiting

    def gated(images, tasks):
        if not go.is_set():
            holding.set()
            go.wait(60)
        return real_predict(images, tasks)

    svc.predict_fn = gated
    holder = threading.Thread(target=svc.predict, args=(np.full((48, 48, 3), 128, np.uint8),),
                              kwargs={"session": "holder"})
    holder.start()
    try:
        assert holding.wait(120), "the worker never picked up the holding prediction"
        if max_waiting is not None:
            svc.max_waiting = max_waiting
        yield svc
    finally:
        svc.max_waiting = old_limit
        go.set()
        holder.join(60)
        svc.predict_fn = real_predict


def wait_for_queue(svc: service.InferenceService, length: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while svc.queue_length() < length and time.monotonic() < deadline:
        time.sleep(0.01)
    assert svc.queue_length() >= length, f"{svc.queue_length()} requests waiting, expected {length}"
