"""A prediction while other Python threads run (`python -m artdemo.bench --only contention`).

Why: in the Streamlit server, page threads of every session run Python in the same process
as the inference worker. Each time the worker lets go of the GIL (every TensorFlow call,
NumPy loop and system call) it waits to get it back, so how often the predictor lets go
and how fast the GIL is handed over decide what a crowd waits. This measures:
- one warm batch-1 prediction (the artwork already found, as the service runs it), alone;
- a batch of 8, alone: the least that 8 visitors clicking at once can cost, however well
  they are batched;
- the batch-1 prediction beside `threads` threads that only run Python at a lower priority,
  as page threads do (artdemo.app.priority), with Python's default GIL hand-over and with the
  service's (artdemo.app.service.GIL_HANDOVER_S);
- alone and beside the busy threads once more with numpy's BLAS on every core, as before
  artdemo.models.blas put it on one thread: the limit's gain alone and its cost beside busy
  Python threads, measured side by side instead of across versions.
"""

from __future__ import annotations

import os
import sys
import threading

import numpy as np


def _busy(stop: threading.Event) -> None:
    from artdemo.app.priority import yield_to_models

    yield_to_models()
    x = 0
    while not stop.is_set():
        for i in range(1000):
            x += i


def _median_ms(fn, repeat: int) -> float:
    from artdemo.bench.core import median_seconds

    return median_seconds(fn, repeat) * 1e3


def contention_figures(threads: int = 8, repeat: int = 20) -> list[tuple[str, float, str]]:
    from artdemo.app.service import GIL_HANDOVER_S
    from artdemo.imaging.decode import load_image_file
    from artdemo.models.predictor import predict_images
    from artdemo.sources import datacache

    row = datacache.list_labelled("medium")[0]
    rgb = np.asarray(load_image_file(datacache.resolve(row.path)))

    def predict() -> None:
        predict_images([rgb], None, find_artwork=False)

    for _ in range(3):
        predict()  # the first load also puts numpy's BLAS on one thread (artdemo.models.blas)
    before = sys.getswitchinterval()
    one = _median_ms(predict, repeat)
    with _blas_on_every_core():
        one_every_core = _median_ms(predict, repeat)
    eight = _median_ms(lambda: predict_images([rgb] * 8, None, find_artwork=False), max(3, repeat // 4))
    out = [("prediction, batch 1, artwork already found: alone", one, "ms (median)"),
           ("prediction, batch 8, artwork already found: alone", eight,
            f"ms (median; {eight / one:.1f}x batch 1: what 8 visitors clicking at once cost at least)")]
    stop = threading.Event()
    workers = [threading.Thread(target=_busy, args=(stop,), daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    try:
        for label, interval in (("Python's default GIL hand-over", before), ("the service's", GIL_HANDOVER_S)):
            sys.setswitchinterval(interval)
            out.append((f"prediction beside {threads} busy Python threads, {label} ({interval * 1e3:g} ms)",
                        _median_ms(predict, repeat), "ms (median)"))
        with _blas_on_every_core():
            busy_every_core = _median_ms(predict, repeat)
    finally:
        sys.setswitchinterval(before)
        stop.set()
        for w in workers:
            w.join()
    every = "numpy's BLAS on every core, not how the app serves"
    return out + [("prediction, batch 1, artwork already found: alone, " + every, one_every_core, "ms (median)"),
                  (f"prediction beside {threads} busy Python threads, the service's hand-over, " + every,
                   busy_every_core, "ms (median)")]


def _blas_on_every_core():
    """For the length of a block, numpy's BLAS as a process starts (one thread per core)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=os.cpu_count() or 1, user_api="blas")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name, value, unit in contention_figures():
        print(f"{name}: {value:.1f} {unit}")
