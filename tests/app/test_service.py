"""The inference service with the real models: batching, priorities, replacement, the bounded
queue, the warm start, and the on-disk map store keyed by model version.

Contention is made with real, deliberately slow work on the worker (a background job that
waits for an Event), never with a stand-in model.
"""

from __future__ import annotations

import shutil
import threading
import time

import numpy as np
import pytest

from artdemo.app import map_store, maps
from artdemo.app.explanations import compute, image_key
from artdemo.app.service import Busy, InferenceService, Replaced, ordinal
from artdemo.errors import ArtdemoError
from artdemo.models import predictor

pytestmark = pytest.mark.skipif(not predictor.available_tasks(), reason="needs the trained models in models/")


def pictures(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (180 + 13 * i, 240 - 5 * i, 3), dtype=np.uint8) for i in range(n)]


class Gate:
    """The real prediction, which first waits for a go: it holds the worker while a test queues
    requests behind it (real, deliberately slow work; no stand-in model)."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.holding = threading.Event()

    def predict(self, images, tasks):
        if not self.go.is_set():
            self.holding.set()
            self.go.wait(30)
        return predictor.predict_images(images, tasks)


@pytest.fixture
def held():
    """A service whose worker is busy with one (gated) prediction; `gate.go.set()` lets it go."""
    gate = Gate()
    service = InferenceService(predict_fn=gate.predict)
    service.submit_predict(np.full((64, 64, 3), 128, np.uint8), session="holder")
    assert gate.holding.wait(30), "the worker never picked up the first prediction"
    yield service, gate
    gate.go.set()
    service.close()


def wait_for_queue(service: InferenceService, length: int) -> None:
    deadline = time.monotonic() + 10
    while service.queue_length() < length and time.monotonic() < deadline:
        time.sleep(0.01)
    assert service.queue_length() == length


def test_predictions_from_many_threads_are_batched_and_match_direct_answers(held):
    svc, gate = held
    images = pictures(16)
    direct = [predictor.predict_images([rgb])[0] for rgb in images]
    answers: list = [None] * len(images)

    def visitor(i):
        answers[i] = svc.predict(images[i], session=f"visitor-{i}")

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(len(images))]
    for t in threads:
        t.start()
    wait_for_queue(svc, len(images))  # the 16 requests wait while the worker is busy
    gate.go.set()
    for t in threads:
        t.join(120)
    stats = svc.stats()
    assert stats.batches - 1 <= 2, f"16 waiting predictions took {stats.batches - 1} model calls"
    assert stats.largest_batch >= 8
    for got, want in zip(answers, direct):
        assert set(got) == set(want)
        for task in want:
            assert got[task].predicted == want[task].predicted
            np.testing.assert_allclose(got[task].probabilities, want[task].probabilities, atol=1e-5)


def test_a_prediction_queued_after_an_explanation_is_served_first(held):
    svc, gate = held
    rgb_explain, rgb_predict = pictures(2, seed=1)
    finished: list[str] = []
    explanation = svc.submit_explain(rgb_explain, "genre", predictor.load_model("genre")[0].classes[0], "gradcam",
                                     session="a")
    explanation.future.add_done_callback(lambda _: finished.append("explain"))
    prediction = svc.submit_predict(rgb_predict, session="b")
    prediction.future.add_done_callback(lambda _: finished.append("predict"))
    assert svc.position(prediction) == 1 and svc.position(explanation) == 2
    gate.go.set()
    assert set(svc.result(prediction)) == set(predictor.available_tasks())
    heat = svc.result(explanation)
    assert heat.shape == (224, 224)
    assert finished == ["predict", "explain"]


def test_a_new_explanation_replaces_the_same_sessions_pending_one(held):
    svc, gate = held
    rgb = pictures(1, seed=2)[0]
    classes = predictor.load_model("genre")[0].classes
    outcome: dict = {}

    def first_request():
        try:
            outcome["first"] = svc.explain(rgb, "genre", classes[0], "gradcam", session="s1")
        except ArtdemoError as err:
            outcome["first"] = err

    caller = threading.Thread(target=first_request)
    caller.start()
    wait_for_queue(svc, 1)
    other_session = svc.submit_explain(rgb, "genre", classes[0], "gradcam", session="s2")
    newer = svc.submit_explain(rgb, "genre", classes[1], "gradcam", session="s1")
    caller.join(10)
    assert not caller.is_alive(), "the replaced caller is still waiting"
    assert isinstance(outcome["first"], Replaced)
    assert "another map" in str(outcome["first"])
    assert svc.queue_length() == 2 and svc.stats().replaced == 1
    gate.go.set()
    assert svc.result(newer).shape == (224, 224)
    assert svc.result(other_session).shape == (224, 224)  # another session's request is untouched


def test_a_full_queue_says_busy_with_the_place_in_line():
    gate = Gate()
    svc = InferenceService(predict_fn=gate.predict, max_waiting=3)
    try:
        svc.submit_predict(pictures(1, seed=9)[0], session="first")
        assert gate.holding.wait(30)
        waiting = [svc.submit_predict(rgb, session=f"v{i}") for i, rgb in enumerate(pictures(3, seed=3))]
        assert [svc.position(t) for t in waiting] == [1, 2, 3]
        with pytest.raises(Busy) as caught:
            svc.predict(pictures(1, seed=4)[0], session="late")
        message = str(caught.value)
        assert "4th in line" in message and "try again" in message
        assert "Traceback" not in message and "time" not in message.lower().replace("times", "")
        assert svc.stats().rejected == 1
        gate.go.set()
        for ticket in waiting:
            assert svc.result(ticket)
        assert svc.queue_length() == 0
    finally:
        gate.go.set()
        svc.close()


def test_background_work_waits_for_visitors_and_never_holds_them_up(held):
    svc, gate = held
    started, release = threading.Event(), threading.Event()

    def long_background_job():
        started.set()
        release.wait(30)
        return "done"

    job = svc.submit_background(long_background_job)
    time.sleep(0.3)
    assert not started.is_set(), "a background job started while a visitor's prediction ran"
    gate.go.set()
    assert started.wait(30)
    try:
        t0 = time.monotonic()
        answer = svc.predict(pictures(1, seed=6)[0], session="visitor")  # while the long job runs
        assert set(answer) == set(predictor.available_tasks())
        assert not job.future.done(), "the visitor waited for the background job"
        assert time.monotonic() - t0 < 20
    finally:
        release.set()
    assert svc.result(job) == "done"


def test_background_work_waits_for_a_quiet_spell_after_the_last_visitor():
    """A crowd's requests come a page run apart; a background job started in such a gap would run
    beside the next visitor's prediction on TensorFlow's threads, at their priority."""
    seen = []
    svc = InferenceService(predict_fn=lambda images, tasks: [{"n": 1} for _ in images], background_quiet=0.6)
    try:
        svc.predict(pictures(1, seed=8)[0], session="visitor")
        asked = time.monotonic()
        job = svc.submit_background(lambda: seen.append(time.monotonic()))
        svc.result(job, timeout=30)
        assert seen[0] - asked >= 0.5, "the background job started right after a visitor's request"
        svc.predict(pictures(1, seed=9)[0], session="visitor")  # every new request restarts the spell
        asked = time.monotonic()
        svc.result(svc.submit_background(lambda: seen.append(time.monotonic())), timeout=30)
        assert seen[1] - asked >= 0.5
    finally:
        svc.close()
    quiet = InferenceService(predict_fn=lambda images, tasks: [{"n": 1} for _ in images], background_quiet=0.0)
    try:
        quiet.predict(pictures(1, seed=8)[0], session="visitor")
        asked = time.monotonic()
        quiet.result(quiet.submit_background(lambda: seen.append(time.monotonic())), timeout=30)
        assert seen[2] - asked < 0.5  # with no spell asked for, it starts as soon as the worker is free
    finally:
        quiet.close()


def test_ordinals_read_as_english():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd", "111th"]


def test_warm_start_goes_from_warming_to_ready():
    gate = threading.Event()

    def slow_real_predict(images, tasks):
        gate.wait(30)
        return predictor.predict_images(images, tasks)

    svc = InferenceService(predict_fn=slow_real_predict)
    try:
        assert svc.warm == "cold"
        svc.start_warmup(precompute=False, warm_maps=False)
        time.sleep(0.2)
        assert svc.warm == "warming"
        gate.set()
        deadline = time.monotonic() + 60
        while svc.warm == "warming" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert svc.warm == "ready"
        assert svc.stats().batches >= 2
    finally:
        svc.close()


def test_warm_start_without_models_fails_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path / "no-models"))
    svc = InferenceService()
    try:
        svc.start_warmup(precompute=False, warm_maps=False)
        deadline = time.monotonic() + 30
        while svc.warm in ("cold", "warming") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert svc.warm.startswith("failed: ") and "No trained models" in svc.warm
    finally:
        svc.close()


@pytest.fixture
def genre_store(monkeypatch, tmp_path):
    """A private copy of the genre model and an empty map store."""
    models = tmp_path / "models"
    shutil.copytree(predictor._root() / "genre", models / "genre")
    monkeypatch.setenv("ARTDEMO_MODELS", str(models))
    monkeypatch.setenv("ARTDEMO_CACHE", str(tmp_path / "cache"))
    return models / "genre"


def test_stored_maps_are_keyed_by_model_version(genre_store):
    heat = np.linspace(0, 1, 224 * 224, dtype=np.float32).reshape(224, 224)
    map_store.put("fp1", "genre", "portrait", "gradcam", heat)
    np.testing.assert_allclose(map_store.get("fp1", "genre", "portrait", "gradcam"), heat, atol=1e-3)
    assert map_store.get("fp1", "genre", "landscape", "gradcam") is None
    before = map_store.model_version("genre")
    card = genre_store / "card.json"
    card.write_text(card.read_text() + " ")  # a retrained model writes a new card
    assert map_store.model_version("genre") != before
    assert map_store.get("fp1", "genre", "portrait", "gradcam") is None


def test_map_for_looks_in_memory_then_on_disk_then_asks_the_service(genre_store):
    rgb = pictures(1, seed=5)[0]
    classes = predictor.load_model("genre")[0].classes
    calls: list[str] = []

    def counted_real_explain(rgb_, task, class_name, method):
        calls.append(method)
        return compute(rgb_, task, class_name, method)

    svc = InferenceService(explain_fn=counted_real_explain)
    try:
        stored = np.full((224, 224), 0.25, dtype=np.float32)
        map_store.put(image_key(rgb), "genre", classes[0], "gradcam", stored)
        np.testing.assert_allclose(maps.map_for(rgb, "genre", classes[0], "gradcam", "s", service=svc), stored)
        assert calls == []
        first = maps.map_for(rgb, "genre", classes[1], "gradcam", "s", service=svc)
        again = maps.map_for(rgb, "genre", classes[1], "gradcam", "s", service=svc)
        assert calls == ["gradcam"] and again is first
        assert first.shape == (224, 224) and 0.0 <= first.min() and first.max() <= 1.0
    finally:
        svc.close()


def test_precomputed_maps_match_maps_computed_on_demand(genre_store):
    card = predictor.load_model("genre")[0]
    items = map_store.fixed_images(limit=2)
    assert items and all(dict(item.classes).get("genre") for item in items)
    svc = InferenceService()
    try:
        job = map_store.fill_in_background(items, service=svc, tasks=["genre"])
        assert job.done.wait(120)
        assert job.failed == 0 and job.computed == len(items)
        from artdemo.app.framing import frame
        from artdemo.config import data_dir
        from artdemo.imaging.decode import load_image_file

        for item in items:
            rgb = frame(np.asarray(load_image_file(data_dir() / item.path), dtype=np.uint8)).seen
            class_name = dict(item.classes)["genre"]
            assert class_name in card.classes
            stored = map_store.get(image_key(rgb), "genre", class_name, "gradcam")
            np.testing.assert_allclose(stored, compute(rgb, "genre", class_name, "gradcam"), atol=2e-3)
        again = map_store.fill_in_background(items, service=svc, tasks=["genre"])
        assert again.done.wait(60) and again.computed == 0 and again.already == len(items)
    finally:
        svc.close()
