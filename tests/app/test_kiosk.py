"""The kiosk's attract loop, driven with a fake clock and fetchers (no Streamlit)."""

from artdemo.app import kiosk
from artdemo.errors import ArtdemoError, OfflineError

INTERVAL, IDLE = 10.0, 30.0


def counter():
    box = {"n": 0}

    def fetch():
        box["n"] += 1
        return f"art{box['n']}"
    return fetch


def run(state, now, fetch):
    return kiosk.step(state, now, fetch, interval=INTERVAL, idle_timeout=IDLE)


def test_first_step_shows_an_artwork_at_once():
    state = run(kiosk.KioskState(), 0.0, counter())
    assert state.item == "art1" and state.shown == 1 and state.message == ""


def test_loop_advances_every_interval_while_idle():
    fetch = counter()
    state = run(kiosk.KioskState(), 0.0, fetch)
    assert run(state, 9.9, fetch).item == "art1"
    state = run(state, 10.0, fetch)
    assert state.item == "art2" and state.shown == 2


def test_a_touch_pauses_the_loop_until_the_visitor_is_idle():
    fetch = counter()
    state = run(kiosk.KioskState(), 0.0, fetch)
    state = kiosk.touch(state, 5.0)
    assert run(state, 20.0, fetch).item == "art1"  # visitor still looking
    assert run(state, 34.9, fetch).item == "art1"
    assert run(state, 35.0, fetch).item == "art2"  # idle again: back to the loop


def test_show_me_another_fetches_now_and_then_stays_put():
    fetch = counter()
    state = run(kiosk.KioskState(), 0.0, fetch)
    state = run(kiosk.skip(state, 3.0), 3.0, fetch)
    assert state.item == "art2"
    assert run(state, 20.0, fetch).item == "art2"  # paused while the visitor looks


def test_a_failure_becomes_a_friendly_line_and_the_loop_goes_on():
    fetch_ok = counter()
    state = run(kiosk.KioskState(), 0.0, fetch_ok)

    def broken():
        raise OfflineError("The MET can't be reached.")
    state = run(state, 10.0, broken)
    assert state.item == "art1" and state.message == kiosk.FRIENDLY_RETRY and state.failures == 1
    state = run(state, 20.0, fetch_ok)
    assert state.item == "art2" and state.message == "" and state.failures == 0


def test_even_a_bug_in_the_fetcher_never_escapes():
    def buggy():
        raise ZeroDivisionError("bug")
    state = run(kiosk.KioskState(), 0.0, buggy)
    assert state.item is None and state.message == kiosk.FRIENDLY_RETRY
    assert run(state, 5.0, buggy).failures == 1  # waits an interval before retrying
    assert run(state, 10.0, buggy).failures == 2


def test_interval_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ARTDEMO_KIOSK_SECONDS", "2.5")
    assert kiosk.interval_seconds() == 2.5
    monkeypatch.setenv("ARTDEMO_KIOSK_SECONDS", "soon")
    assert kiosk.interval_seconds() == kiosk.DEFAULT_INTERVAL
    monkeypatch.setenv("ARTDEMO_KIOSK_SECONDS", "-1")
    assert kiosk.interval_seconds() == kiosk.DEFAULT_INTERVAL


def test_models_take_turns_and_none_is_a_message():
    assert [kiosk.kiosk_task(["a", "b"], n) for n in range(3)] == ["a", "b", "a"]
    try:
        kiosk.kiosk_task([], 0)
    except ArtdemoError as err:
        assert "No trained model" in str(err)
    else:
        raise AssertionError("expected ArtdemoError")


def test_prefetch_prepares_the_next_artwork_without_blocking_the_loop():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    release = threading.Event()
    started = []

    def build(n):
        started.append(n)
        release.wait(5)
        return f"art{n}"

    with ThreadPoolExecutor(1) as pool:
        fetch = kiosk.Prefetch(pool, build)
        state = run(kiosk.KioskState(), 0.0, fetch)
        assert state.item is None and state.message == "" and fetch.busy  # still preparing: no error shown
        assert run(state, 1.0, fetch) == state  # the timer fires again: nothing restarts
        release.set()
        for _ in range(100):
            if not fetch.busy:
                break
            threading.Event().wait(0.02)
        state = run(state, 2.0, fetch)
        assert state.item == "art0" and state.shown == 1
        assert started == [0]


def test_prefetch_failure_becomes_the_friendly_line():
    from concurrent.futures import ThreadPoolExecutor

    def build(n):
        raise OfflineError("offline")

    with ThreadPoolExecutor(1) as pool:
        fetch = kiosk.Prefetch(pool, build)
        state = run(kiosk.KioskState(), 0.0, fetch)
        pool.submit(lambda: None).result()  # the failing build has finished
        state = run(state, 0.5, fetch)
        assert state.message == kiosk.FRIENDLY_RETRY and state.failures == 1


def test_the_kiosk_asks_only_the_questions_whose_models_find_the_artwork_in_scope():
    """A drawing: the style model finds it out of scope, so the kiosk asks the others in turn and
    never 'Which art movement does this painting look like?'."""
    from tests.app.test_words import answer

    predictions = {
        "style": answer("style", ["baroque", "symbolism"], [0.1, 0.9], in_scope=False),
        "medium": answer("medium", ["drawing", "painting"], [0.8, 0.2], in_scope=True),
        "genre": answer("genre", ["landscape", "portrait"], [0.3, 0.7], in_scope=True),
        "lithograph": answer("lithograph", ["lithograph", "not_lithograph"], [0.2, 0.8], in_scope=True),
    }
    asked = kiosk.in_scope_tasks(predictions)
    assert asked == ["medium", "genre", "lithograph"]
    assert [kiosk.kiosk_task(asked, n) for n in range(4)] == ["medium", "genre", "lithograph", "medium"]
    everything_out = {t: answer(t, ["a", "b"], [0.4, 0.6], in_scope=False) for t in predictions}
    assert kiosk.in_scope_tasks(everything_out) == []


def test_the_kiosk_never_asks_a_question_whose_model_finds_the_picture_out_of_scope(monkeypatch):
    """build_item on the real path (decoding, framing, the real models and their scope models) with a
    photo of an astronaut as the next artwork: whatever it asks, its model finds the picture in scope."""
    import io

    import pytest
    from PIL import Image

    from artdemo.models import predictor
    from artdemo.sources import objects
    from artdemo.sources.records import ArtObject

    if not any(predictor.scope_model(t) is not None for t in predictor.available_tasks()):
        pytest.skip("no scope models in models/ yet (issue 11: train them)")
    skimage_data = pytest.importorskip("skimage.data")
    buffer = io.BytesIO()
    Image.fromarray(skimage_data.astronaut()).save(buffer, "PNG")
    photo = ArtObject(source="upload", object_id="astronaut", title="astronaut.png", image_bytes=buffer.getvalue())
    monkeypatch.setattr(objects, "random_object", lambda source: photo)  # the artwork, not the model
    for shown in range(4):
        item = kiosk.build_item(shown)
        if item.task is None:
            assert item.prediction is None  # no model has learned from pictures like this
        else:
            assert item.prediction.route != "out_of_scope" and item.task not in ("style", "genre")
