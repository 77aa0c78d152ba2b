"""Page threads yield the CPU to the inference worker (artdemo.app.priority)."""

import os
import sys
import threading

import numpy as np
import pytest

from artdemo.app.priority import BACKGROUND_NICE, PAGE_NICE, yield_to_models

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")


def _in_thread(fn):
    out = {}

    def run():
        out["value"] = fn()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return out["value"]


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_page_thread_runs_at_a_lower_priority_and_the_rest_of_the_process_does_not():
    mine = _nice()
    assert mine < PAGE_NICE  # the test process itself runs at the normal priority
    took, nice = _in_thread(lambda: (yield_to_models(), _nice()))
    assert took and nice == PAGE_NICE
    assert _nice() == mine  # only the calling thread changed
    assert _in_thread(_nice) == mine  # and threads started afterwards by this one are not affected


def test_the_main_thread_keeps_its_priority():
    """It runs the server's event loop, or a test calling a handler directly."""
    mine = _nice()
    assert yield_to_models() is False and _nice() == mine


def test_gradio_handlers_yield_in_their_pool_threads():
    import gradio_app

    seen = []
    handler = gradio_app.shown(lambda: seen.append(_nice()) or "answer")
    assert _in_thread(handler) == "answer" and seen == [PAGE_NICE]


def test_it_never_raises_a_threads_priority():
    def already_lower():
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PAGE_NICE + 5)
        return yield_to_models(), _nice()

    assert _in_thread(already_lower) == (True, PAGE_NICE + 5)


def test_a_run_of_the_app_yields(monkeypatch):
    """app.py runs first on every page run of every session; in the server each run is a new thread."""
    from streamlit.testing.v1 import AppTest

    from artdemo import config
    from artdemo.app import priority

    seen = []
    real = priority.yield_to_models
    monkeypatch.setattr(priority, "yield_to_models", lambda *a: seen.append((real(*a), _nice())) or True)
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert seen == [(True, PAGE_NICE)]
    assert _nice() < PAGE_NICE  # the test's own thread, which started the runs, is untouched


def test_the_service_runs_visitors_first_pages_next_and_background_jobs_last():
    from artdemo.app.service import InferenceService

    svc = InferenceService(predict_fn=lambda images, tasks: [{"nice": _nice()} for _ in images],
                           explain_fn=lambda *a: None)
    try:
        assert svc.result(svc.submit_predict(np.zeros((8, 8, 3), np.uint8)))["nice"] < PAGE_NICE
        assert svc.result(svc.submit_background(_nice)) == BACKGROUND_NICE > PAGE_NICE
    finally:
        svc.close()
