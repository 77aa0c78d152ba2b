"""The Classify page through Streamlit's AppTest: every way in, and every way it can fail.

MET and MoMA go through the stand-in server on 127.0.0.1 (tests/standin_server.py);
the models are the real trained ones in models/ (tests needing them skip without).
"""

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from artdemo import config

ROOT = Path(__file__).resolve().parents[2]
HAVE_MODELS = any(config.models_dir().glob("*/card.json"))
needs_models = pytest.mark.skipif(not HAVE_MODELS, reason="no trained models in models/ (python -m artdemo train all)")
needs_data = pytest.mark.skipif(not (config.data_dir() / "labels").is_dir(), reason="needs the shared data cache")
pytestmark = pytest.mark.slow  # every artwork loaded is classified by the real models (TensorFlow start-up included)


def classify_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    return at


def texts(at: AppTest, *kinds: str) -> str:
    kinds = kinds or ("markdown", "caption", "subheader", "info", "warning", "error")
    return " ".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def png_bytes(size=(64, 48), colour=(30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@needs_data
def test_cache_button_shows_the_artwork_with_its_record_and_museum_labels():
    at = classify_page()
    at.button(key="btn_cache").click().run()
    assert not at.exception
    assert at.get("image"), "the artwork is shown"
    assert "The museum's own labels:" in texts(at, "caption")
    assert "From:** the local collection cache" in texts(at, "markdown")


@needs_data
@needs_models
def test_every_model_answers_beside_the_museum_label_and_the_tally_counts_it():
    from artdemo.models.predictor import available_tasks

    tasks = available_tasks()
    at = classify_page()
    at.selectbox(key="gal_task").set_value(tasks[0]).run()  # an image the first model has a museum label for
    at.button(key="gal_pick_0").click().run()
    assert not at.error, texts(at, "error")
    assert len(at.get("plotly_chart")) == len(tasks), "one probability chart per trained model"
    body = texts(at, "markdown")
    assert "Museum label:" in body and ("✓ right" in body or "✗ wrong" in body)
    assert "confident" in body or "ask a curator" in body
    assert "Scope:" in texts(at, "caption")
    right, wrong = (int(m.value) for m in at.sidebar.get("metric"))
    assert right + wrong >= 1
    at.run()  # a rerun must not count the same artwork twice
    assert sum(int(m.value) for m in at.sidebar.get("metric")) == right + wrong


@needs_data
def test_gallery_picks_a_cache_image_of_the_chosen_class():
    at = classify_page()
    at.selectbox(key="gal_task").set_value("style").run()
    at.selectbox(key="gal_label").set_value("cubism").run()
    at.button(key="gal_pick_0").click().run()
    assert not at.exception
    assert "Style: cubism" in texts(at, "caption")


def test_a_pdf_upload_is_refused_with_a_plain_message():
    at = classify_page()
    at.file_uploader(key="upload").upload("catalogue.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
                                          "application/pdf").run()
    assert not at.exception
    assert at.error and "PDF" in at.error[0].value
    assert "No artwork yet" in texts(at, "info")


def test_an_oversized_upload_is_refused_before_decoding():
    at = classify_page()
    at.file_uploader(key="upload").upload("huge.jpg", b"\xff\xd8\xff" + b"\0" * (21 * 1024 * 1024), "image/jpeg").run()
    assert not at.exception
    assert "too big" in at.error[0].value


def test_a_good_upload_becomes_the_current_artwork():
    at = classify_page()
    at.file_uploader(key="upload").upload("my photo.png", png_bytes(), "image/png").run()
    assert not at.exception
    assert at.subheader[0].value == "my photo.png"
    assert "From:** your upload" in texts(at, "markdown")
    if not HAVE_MODELS:
        assert "model" in at.error[0].value  # says the models are missing, nothing else


def test_a_private_address_is_not_fetched(standin):
    at = classify_page()
    at.text_input(key="url").input(standin.image_url("x.jpg"))
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    assert at.error, "the visitor is told why"
    assert "No artwork yet" in texts(at, "info")
    assert standin.count("/images/") == 0


@needs_data
def test_met_failure_falls_back_to_the_collection_and_says_why(standin):
    standin.fault("500")
    at = classify_page()
    at.button(key="btn_met").click().run()
    assert not at.exception
    assert at.get("image"), "an artwork is shown anyway"
    assert "From:** the local collection cache" in texts(at, "markdown")
    notice = texts(at, "warning")
    assert "local collection instead" in notice
    assert "Traceback" not in notice and "Something went wrong on our side" not in notice


@needs_data
def test_met_firewall_page_is_explained_without_its_html(standin):
    standin.fault("403html")
    at = classify_page()
    at.button(key="btn_met").click().run()
    assert not at.exception
    notice = texts(at, "warning")
    assert "local collection instead" in notice and "<html" not in notice.lower()


def test_met_object_arrives_through_the_stand_in(standin):
    at = classify_page()
    at.button(key="btn_met").click().run()
    assert not at.exception
    assert "The Metropolitan Museum of Art" in texts(at, "markdown"), texts(at, "error")
    assert at.get("link_button"), "a link to the museum's page"


def test_moma_object_arrives_through_the_stand_in(standin):
    at = classify_page()
    at.button(key="btn_moma").click().run()
    assert not at.exception
    assert "The Museum of Modern Art" in texts(at, "markdown"), texts(at, "error")


def test_offline_the_museum_buttons_say_they_need_internet(monkeypatch):
    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    at = classify_page()
    assert at.button(key="btn_met").disabled and at.button(key="btn_moma").disabled
    assert "need internet" in texts(at, "caption")
    assert not at.button(key="btn_cache").disabled
