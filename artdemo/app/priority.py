"""Page drawing yields the CPU to the models.

Why: both front ends prepare and draw each visitor's page in threads of the same
process as the shared inference service (artdemo.app.service): Streamlit runs every
session's page script in a thread of its own, Gradio runs its handlers in a pool of
threads. With 8 visitors clicking at once, 8 such threads (finding the artwork,
encoding pictures, drawing charts) and the server's event loop share 2 cores with the
one worker that answers everybody's predictions, so a batch that takes 35 ms alone
took 120-140 ms: the worker got a ninth of the CPU. A visitor's page cannot finish
before its answer anyway, so the answers should come first.

`yield_to_models()` raises the calling thread's nice value (Linux keeps one per
thread), so the kernel runs the inference worker and TensorFlow's own threads, which
stay at the server's priority, before page threads whenever both want a core; the
service's background lane sits lower still (BACKGROUND_NICE), so a visitor who arrives
while the warm-up traces the map models is not held up by it either. Page
threads still run whenever a core is free. Streamlit starts a new thread for each run
of a session's script, from its main thread, so app.py asks on every run; Gradio's
handlers ask when they start (gradio_app.shown), and a pool thread stays lowered.
Raising one's own nice value needs no privilege; where the platform has no per-thread
priority, nothing changes.
"""

from __future__ import annotations

import os
import threading

PAGE_NICE = 5  # CFS weight about a third of the worker's
BACKGROUND_NICE = 15  # the service's background lane (warm-up traces, precomputed maps): behind pages too


def yield_to_models(nice: int = PAGE_NICE) -> bool:
    """Lower this thread's CPU priority to `nice` (never raise it); True when it took effect.
    The main thread is left alone: it runs the server's event loop (or a script or test that
    calls a handler directly), not one visitor's page."""
    if threading.current_thread() is threading.main_thread():
        return False
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) >= nice:
            return True
        os.setpriority(os.PRIO_PROCESS, tid, nice)
        return True
    except (AttributeError, OSError):  # not Linux-like, or a sandbox that forbids it
        return False
