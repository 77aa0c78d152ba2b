"""How the machine sees, and the Kiosk, through Streamlit's AppTest with the real models."""

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from artdemo import config

ROOT = Path(__file__).resolve().parents[2]
HAVE_MODELS = any(config.models_dir().glob("*/card.json"))
needs_models = pytest.mark.skipif(not HAVE_MODELS, reason="no trained models in models/ (python -m artdemo train all)")
needs_data = pytest.mark.skipif(not (config.data_dir() / "labels").is_dir(), reason="needs the shared data cache")
pytestmark = [pytest.mark.slow]


def start(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def wait_for_text(at: AppTest, text: str, seconds: float = 120) -> None:
    """Rerun until `text` shows (the kiosk prepares artworks in a worker thread)."""
    deadline = time.time() + seconds
    while text not in texts(at):
        assert time.time() < deadline, f"{text!r} never appeared; page says: {texts(at)}"
        time.sleep(0.5)
        at.run()
        assert not at.exception


def texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "subheader", "info", "warning", "error")
                    for e in getattr(at, kind))


def test_without_an_artwork_the_page_offers_one():
    at = start("pages/machine_sees.py")
    assert "Pick an artwork first." in at.info[0].value
    assert at.button(key="sees_random").label.startswith("Or show me one")


@needs_models
@needs_data
def test_only_the_map_in_view_is_computed_grad_cam_first_each_with_its_caption_defaulting_to_the_prediction():
    from artdemo.app.explanations import HEAT_CACHE, image_key
    from artdemo.explain.views import CAPTIONS

    at = start("")
    at.button(key="btn_cache").click().run()
    assert not at.error, texts(at)
    at.switch_page("pages/machine_sees.py").run()
    assert not at.exception and not at.error, texts(at)
    task = at.selectbox(key="sees_task").value
    predicted = at.session_state["artdemo_predictions"][task].predicted
    assert at.selectbox(key=f"sees_class_{task}").value == predicted
    assert at.radio(key="sees_method").value == "gradcam"  # the fast one first
    headings = [m.value for m in at.markdown]
    assert "#### Grad-CAM" in headings and "#### First-layer filters" in headings
    assert "#### Integrated gradients" not in headings and "#### Occlusion" not in headings
    framed = at.session_state["artdemo_framing"].found_a_frame
    assert len(at.get("image")) == 5 + 2 * framed  # view, map, patch, filters, activations (+ photo and crop)
    assert all(c.value for c in at.caption)  # every view has its caption
    seen = at.session_state["artdemo_framing"].seen
    key = (image_key(seen), task, predicted)
    assert key + ("gradcam",) in HEAT_CACHE
    assert key + ("occlusion",) not in HEAT_CACHE and key + ("integrated_gradients",) not in HEAT_CACHE
    for method, title in (("integrated_gradients", "#### Integrated gradients"), ("occlusion", "#### Occlusion")):
        at.radio(key="sees_method").set_value(method).run()  # opened: computed now, and only now
        assert not at.exception and not at.error, texts(at)
        assert title in [m.value for m in at.markdown] and "#### Grad-CAM" not in [m.value for m in at.markdown]
        assert CAPTIONS[method] in [c.value for c in at.caption]
        assert key + (method,) in HEAT_CACHE
    other = next(c for c in at.selectbox(key=f"sees_class_{task}").options if c != predicted)
    at.selectbox(key=f"sees_class_{task}").set_value(other).run()
    at.slider(key="sees_opacity").set_value(0.9).run()
    assert not at.exception and not at.error, texts(at)


@needs_models
@needs_data
def test_the_explained_class_follows_a_new_answer_and_otherwise_keeps_the_visitors_pick():
    """"Use the whole picture" on this page gives new answers; the picker must move to the new one
    rather than keep the old answer selected (found in a browser: two classes marked "predicted")."""
    import dataclasses

    at = start("")
    at.button(key="btn_cache").click().run()
    at.switch_page("pages/machine_sees.py").run()
    assert not at.exception and not at.error, texts(at)
    task = at.selectbox(key="sees_task").value
    picker = f"sees_class_{task}"
    first = at.session_state["artdemo_predictions"][task].predicted
    other, third = [c for c in at.session_state["artdemo_predictions"][task].classes if c != first][:2]
    at.selectbox(key=picker).set_value(other).run()
    at.run()
    assert at.selectbox(key=picker).value == other  # the visitor's own pick stands across reruns
    answers = dict(at.session_state["artdemo_predictions"])
    answers[task] = dataclasses.replace(answers[task], predicted=third)  # the models now say `third`
    at.session_state["artdemo_predictions"] = answers
    at.run()
    assert not at.exception, texts(at)
    assert at.selectbox(key=picker).value == third


@needs_models
@needs_data
def test_kiosk_shows_an_artwork_and_moves_on_when_asked():
    at = start("", kiosk="1")
    wait_for_text(at, "Artwork 1 of the loop")
    assert at.button(key="kiosk_next").label == "Show me another one"
    at.button(key="kiosk_next").click().run()
    assert not at.exception
    wait_for_text(at, "Artwork 2 of the loop")


@needs_models
def test_kiosk_with_an_empty_cache_says_lets_look_at_another_one(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTDEMO_DATA", str(tmp_path))
    at = start("", kiosk="1")
    wait_for_text(at, "Let's look at another one")
    assert not at.error
