"""The Classify page through Streamlit's AppTest: every way in, and every way it can fail.

MET and MoMA go through the stand-in server on 127.0.0.1 (tests/standin_server.py);
the models are the real trained ones in models/ (tests needing them skip without).
"""

import io
import threading
from pathlib import Path

import numpy as np
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
    assert at.subheader[0].value == "Your picture"  # never a file name as the artwork's title
    assert "my photo.png" not in texts(at, "subheader", "markdown")
    assert "From:** your upload" in texts(at, "markdown")
    if not HAVE_MODELS:
        assert "model" in at.error[0].value  # says the models are missing, nothing else


def test_a_failed_upload_says_the_picture_on_show_is_still_the_previous_one():
    """The uploader shows the new file's name; the page must not let its answers pass for that file's."""
    from artdemo.app import words

    at = classify_page()
    at.file_uploader(key="upload").upload("first.png", png_bytes(), "image/png").run()
    before = at.session_state["artdemo_object"]
    assert words.STILL_PREVIOUS not in texts(at, "caption")
    at.file_uploader(key="upload").upload("x.jpg", b"\x13\x37 not an image at all" * 40, "image/jpeg").run()
    assert not at.exception
    assert at.error and "not an image" in at.error[0].value
    assert at.session_state["artdemo_object"] is before
    assert words.STILL_PREVIOUS in texts(at, "caption")


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


@needs_data
@needs_models
def test_a_framed_photo_shows_its_outline_and_the_crop_and_the_whole_picture_is_one_click_away():
    """A phone photo of a hung work: the models answer on the straightened crop, the page shows the
    outline and the crop and says so; one click and they answer on the whole picture instead."""
    from artdemo.app import words
    from artdemo.models import predictor
    from tests.support.visitor_photos import framed_photo, png

    photo, _ = framed_photo()
    at = classify_page()
    at.file_uploader(key="upload").upload("IMG_2041.png", png(photo), "image/png").run()
    assert not at.exception and not at.error, texts(at, "error")
    framing = at.session_state["artdemo_framing"]
    assert framing.cropped and framing.seen.shape != photo.shape
    captions = [img.caption for element in at.get("image") for img in element.proto.imgs]
    assert "Your picture, with the artwork's outline" in captions and "What the models saw" in captions
    assert words.CROPPED_NOTE in texts(at, "markdown")
    assert at.subheader[0].value == "Your picture" and "IMG_2041" not in texts(at, "subheader", "markdown")
    on_crop = predictor.predict_image(framing.seen, find_artwork=False)
    for task, pred in at.session_state["artdemo_predictions"].items():  # the models saw the crop
        assert pred.probabilities == pytest.approx(on_crop[task].probabilities, abs=1e-4), task

    at.button(key="btn_whole_picture").click().run()
    assert not at.exception and not at.error, texts(at, "error")
    framing = at.session_state["artdemo_framing"]
    assert framing.whole and not framing.cropped and framing.seen is framing.photo
    assert words.WHOLE_NOTE in texts(at, "markdown") and words.CROPPED_NOTE not in texts(at, "markdown")
    assert at.button(key="btn_whole_picture").label == words.USE_CROP
    on_photo = predictor.predict_image(photo, find_artwork=False)
    answers = at.session_state["artdemo_predictions"]
    for task, pred in answers.items():  # now the whole picture, wall and frame included
        assert pred.probabilities == pytest.approx(on_photo[task].probabilities, abs=1e-4), task
    assert any(answers[t].probabilities != pytest.approx(on_crop[t].probabilities, abs=1e-3) for t in answers)

    at.button(key="btn_whole_picture").click().run()  # and back
    assert at.session_state["artdemo_framing"].cropped
    assert words.CROPPED_NOTE in texts(at, "markdown")


def scope_models_trained() -> bool:
    from artdemo.models import predictor

    return any(predictor.scope_model(t) is not None for t in predictor.available_tasks())


def test_an_out_of_scope_answer_shows_the_sentence_beside_it():
    """The page's side of the route: an answer routed out_of_scope by the predictor's own rule shows
    the out-of-scope sentence, and a confident one beside it does not."""
    from artdemo.app import words
    from artdemo.app.framing import frame
    from artdemo.sources.records import ArtObject
    from tests.app.test_words import answer

    rgb = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    at = classify_page()
    at.session_state["artdemo_object"] = ArtObject(source="upload", object_id="a", title="selfie.jpg",
                                                   image_bytes=png_bytes())
    at.session_state["artdemo_framing"] = frame(rgb)
    at.session_state["artdemo_predictions"] = {
        "style": answer("style", ["cubism", "pop_art"], [0.17, 0.83], in_scope=False),
        "medium": answer("medium", ["drawing", "photograph"], [0.1, 0.9], in_scope=True)}
    at.run()
    assert not at.exception and not at.error, texts(at, "error")
    warnings = [w.value for w in at.warning]
    assert words.out_of_scope_sentence("style") + "." in warnings
    assert not any(words.out_of_scope_sentence("medium") in w for w in warnings)
    assert "outside what it learned" in texts(at, "markdown")  # the route's badge


@needs_models
@pytest.mark.skipif(not scope_models_trained(), reason="no scope models in models/ yet (issue 11: train them)")
def test_a_photo_of_an_astronaut_is_out_of_scope_for_the_style_model_in_the_app():
    """Through the real path: upload, decode, find the artwork, the real models and their scope models."""
    from skimage import data as skimage_data

    from artdemo.app import words
    from tests.support.visitor_photos import png

    at = classify_page()
    at.file_uploader(key="upload").upload("astronaut.png", png(skimage_data.astronaut()), "image/png").run()
    assert not at.exception and not at.error, texts(at, "error")
    assert at.session_state["artdemo_predictions"]["style"].route == "out_of_scope"
    assert words.out_of_scope_sentence("style") + "." in [w.value for w in at.warning]


def test_a_visitor_arriving_during_warm_up_reads_a_getting_ready_note(monkeypatch):
    from artdemo.app import service
    from artdemo.app.warmup import GETTING_READY

    at = classify_page()
    assert GETTING_READY not in texts(at, "info") or service.warm_state() == "warming"
    monkeypatch.setattr(service.service(), "warm", "warming")  # the state the service reports while loading
    at.run()
    assert GETTING_READY in texts(at, "info")


@needs_data
@needs_models
def test_when_the_queue_is_full_the_visitor_reads_their_place_in_line_not_a_trace():
    from artdemo.app import inference
    from tests.support.crowd import busy_worker, wait_for_queue

    at = classify_page()
    inference.predict(np.full((32, 32, 3), 99, np.uint8))  # models loaded before the crowd arrives
    with busy_worker(max_waiting=1) as svc:
        other = threading.Thread(target=lambda: svc.predict(np.full((40, 40, 3), 7, np.uint8), session="other"))
        other.start()  # someone else waits in the only place in line
        wait_for_queue(svc, 1)
        at.button(key="btn_cache").click().run()
        assert not at.exception and not at.error, texts(at, "error")
        assert "you are 2nd in line" in texts(at, "info"), texts(at)
        assert "artdemo_predictions" not in at.session_state  # nothing half-done is shown as an answer
        assert "No predictions for this artwork yet." in texts(at, "info")
    other.join(60)
    at.button(key="btn_retry").click().run()  # the crowd has gone: the same artwork is answered
    assert not at.error and at.session_state["artdemo_predictions"]
