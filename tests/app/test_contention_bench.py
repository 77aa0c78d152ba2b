"""The benchmark's contention section runs the real predictor beside busy threads and leaves the process as it was."""

import math
import sys
import threading

import numpy as np

from artdemo.bench.contention import contention_figures
from artdemo.models import predictor
from artdemo.models.blas import blas_threads, serve_on_one_thread


def test_it_measures_a_prediction_alone_and_beside_busy_threads_with_both_hand_overs():
    predictor.predict_images([np.zeros((64, 64, 3), np.uint8)], None, find_artwork=False)  # models loaded,
    serve_on_one_thread()  # and BLAS set as their first load does (a no-op if it has)
    before, threads, blas = sys.getswitchinterval(), threading.active_count(), blas_threads()
    figures = contention_figures(threads=2, repeat=2)
    names = [name for name, _, _ in figures]
    assert names[0].startswith("prediction, batch 1") and names[1].startswith("prediction, batch 8")
    assert all(n.startswith("prediction beside 2 busy Python threads") for n in names[2:4]) and len(names) == 6
    assert "default" in names[2] and "service" in names[3]
    assert names[4].startswith("prediction, batch 1") and names[5].startswith("prediction beside 2 busy")
    assert all("BLAS on every core" in n for n in names[4:]) and not any("BLAS" in n for n in names[:4])
    assert all(math.isfinite(value) and value > 0 for _, value, _ in figures)
    assert sys.getswitchinterval() == before  # the benchmark's own setting is undone
    assert threading.active_count() == threads  # and its busy threads are gone
    assert blas_threads() == blas  # and BLAS is back as the predictor set it


def test_the_process_wide_service_hands_the_gil_over_quickly():
    from artdemo.app import service

    service.service()
    assert sys.getswitchinterval() <= service.GIL_HANDOVER_S
