"""The Gradio variant as an API user meets it: the app runs on 127.0.0.1 and
gradio_client calls /classify and /explain over HTTP (real models, real decoding)."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artdemo import config
from artdemo.app import models_info
from artdemo.models import predictor
from tests.support.bad_inputs import bad_cases
from tests.support.hardening_support import decode_message

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore:.*:Warning:gradio.queueing")

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ARTDEMO_HF_REPO", "ARTDEMO_OFFLINE"):
            mp.delenv(name, raising=False)
        import gradio_app

        demo = gradio_app.build()
        _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
                                quiet=True, max_file_size="25mb")
        yield url
        demo.close()


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def needs_models() -> dict:
    cards = models_info.cards()
    if not cards:
        pytest.skip(f"no trained models in {config.models_dir()} (train them with `python -m artdemo train all`)")
    return cards


def cache_image(tmp_path: Path) -> Path:
    """A real labelled image from the data cache, copied where the upload can take it."""
    first = (config.data_dir() / "labels" / "lithograph.csv").read_text().splitlines()[1]
    source = config.data_dir() / first.split(",")[0]
    target = tmp_path / source.name
    target.write_bytes(source.read_bytes())
    return target


def test_named_endpoints_are_published(client):
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/classify", "/explain"} <= set(endpoints)


def test_page_says_which_models_it_uses(app_url):
    page_config = json.loads(urllib.request.urlopen(f"{app_url}config", timeout=10).read())
    texts = [c.get("props", {}).get("value") for c in page_config["components"]]
    assert any(isinstance(t, str) and "**Models:** bundled models/ (ARTDEMO_HF_REPO not set)" in t for t in texts)


@pytest.mark.slow  # loads TensorFlow and the backbone
def test_classify_a_cache_image(client, tmp_path):
    cards = needs_models()
    image = cache_image(tmp_path)
    answer = client.predict(handle_file(str(image)), api_name="/classify")
    assert set(answer["predictions"]) == set(cards)
    for task, pred in answer["predictions"].items():
        assert pred["classes"] == cards[task].classes
        assert sum(pred["probabilities"]) == pytest.approx(1.0, abs=1e-4)
        assert pred["predicted"] == pred["classes"][int(np.argmax(pred["probabilities"]))]
        assert pred["confidence"] == pytest.approx(max(pred["probabilities"]), abs=1e-6)
        assert pred["route"] in {"auto", "review", "out_of_scope"}
        assert (pred["route"] == "out_of_scope") == (not pred["in_scope"])
    width, height = Image.open(image).size
    assert answer["image"] == {"width": width, "height": height, "source": "upload"}
    assert answer["models"].startswith("bundled models/")


def test_bad_uploads_get_clear_errors_and_the_app_keeps_serving(client, tmp_path):
    refused = [c for c in bad_cases(include_large=False) if not c.expect_ok]
    assert len(refused) >= 8
    for case in refused:
        path = tmp_path / case.filename
        path.write_bytes(case.data)
        with pytest.raises(AppError) as info:
            client.predict(handle_file(str(path)), api_name="/classify")
        assert str(info.value) == decode_message(case.data), case.name
    # still serving: the next request is answered on its merits
    good = tmp_path / "after.png"
    Image.new("RGB", (40, 30), (120, 90, 60)).save(good)
    if models_info.cards():
        assert client.predict(handle_file(str(good)), api_name="/classify")["image"]["width"] == 40
    else:
        with pytest.raises(AppError, match="No trained models|not available in this build"):
            client.predict(handle_file(str(good)), api_name="/classify")


@pytest.mark.slow
def test_explain_returns_an_overlay_of_the_model_view(client, tmp_path):
    cards = needs_models()
    task = next(iter(cards))
    image = cache_image(tmp_path)
    result = client.predict(handle_file(str(image)), task, cards[task].classes[0], "gradcam", api_name="/explain")
    overlay = np.asarray(Image.open(result))
    assert overlay.shape == (224, 224, 3)
    view = predictor.model_input(np.asarray(Image.open(image).convert("RGB")))
    assert np.abs(overlay.astype(float) - np.clip(view, 0, 255)).mean() > 1.0  # the heat map is painted on


def test_explain_refuses_a_class_the_model_lacks(client, tmp_path):
    cards = needs_models()
    task = next(iter(cards))
    with pytest.raises(AppError, match=f"'cubist-ish' is not a class of the '{task}' model"):
        client.predict(handle_file(str(cache_image(tmp_path))), task, "cubist-ish", "gradcam", api_name="/explain")


@pytest.mark.slow
def test_classify_and_explain_tabs_show_every_model(tmp_path):
    """The UI handlers behind the Classify and How-the-machine-sees tabs, on a real cache image."""
    cards = needs_models()
    import gradio_app

    out = gradio_app.classify_upload(str(cache_image(tmp_path)))
    picture, crop, about, summary, *labels = out[:4 + len(gradio_app.TASK_NAMES)]
    answer, rgb = out[-5], out[-4]
    shown = Image.open(picture.value["path"])  # the picture as the visitor sees it (the outline drawn on it)
    assert shown.size == (answer["image"]["width"], answer["image"]["height"]) and picture.alt_text
    assert rgb.shape[:2] == (answer["artwork"]["height"], answer["artwork"]["width"])  # what the models saw
    assert crop.visible == answer["artwork"]["cropped"] == (answer["artwork"]["quad"] is not None)
    for task, label in zip(gradio_app.TASK_NAMES, labels):
        assert label.visible == (task in cards)
        if task in cards:
            confidences = label.value["confidences"]
            assert len(confidences) == len(cards[task].classes)
            assert sum(c["confidence"] for c in confidences) == pytest.approx(1.0, abs=1e-4)
            assert label.value["label"] == answer["predictions"][task]["predicted"].replace("_", " ")
            assert f"| {answer['predictions'][task]['route']} (" in summary
    task = next(iter(cards))
    predicted = answer["predictions"][task]["predicted"]
    items, captions = gradio_app.explain_gallery(rgb, None, task, predicted, ["gradcam", "occlusion"], 0.5)
    assert [caption for _, caption in items] == ["Grad-CAM", "Occlusion"]
    assert all(np.asarray(image).shape == (224, 224, 3) for image, _ in items)
    assert "Grad-CAM:" in captions and "Occlusion:" in captions


@pytest.mark.slow
def test_same_answers_from_models_pulled_off_the_hub(tmp_path, monkeypatch):
    """Publish the bundled models/ to the stand-in Hub, point ARTDEMO_HF_REPO at the pinned tag:
    /classify's handler then reads the Hub snapshot and gives the same probabilities."""
    from artdemo.models import hub
    from tests.support.hub_standin import StandinHub

    needs_models()
    import gradio_app

    image = str(cache_image(tmp_path))
    bundled = gradio_app.classify(image)
    server = StandinHub().start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("ARTDEMO_CACHE", str(tmp_path / "cache"))
        hub.push("museum/artdemo-models", tag="v1")
        monkeypatch.setenv("ARTDEMO_HF_REPO", "museum/artdemo-models@v1")
        pulled = gradio_app.classify(image)
    finally:
        server.stop()
    assert pulled["models"] == "Hugging Face Hub museum/artdemo-models@v1"
    assert set(pulled["predictions"]) == set(bundled["predictions"])
    for task, pred in pulled["predictions"].items():
        assert pred["probabilities"] == pytest.approx(bundled["predictions"][task]["probabilities"], abs=1e-6)


@pytest.mark.slow
def test_a_framed_photo_is_classified_on_its_crop_and_the_whole_picture_is_one_tick_away(tmp_path):
    """The Classify tab's handlers on a generated gallery photo: the outline and the crop show, the
    JSON says where the artwork is, and "Use the whole picture" classifies the uncropped photo."""
    needs_models()
    import gradio_app

    from artdemo.app import words
    from tests.support.visitor_photos import framed_photo, png

    photo, truth = framed_photo()
    path = tmp_path / "IMG_2041.png"
    path.write_bytes(png(photo))
    out = gradio_app.classify_upload(str(path))
    shown, crop, about, summary = out[:4]
    answer, seen, obj, whole = out[-5], out[-4], out[-2], out[-1]
    assert whole is False  # a new picture: the checkbox starts unticked
    assert crop.visible and answer["artwork"]["cropped"] and not answer["artwork"]["whole_picture"]
    quad = np.asarray(answer["artwork"]["quad"])
    assert quad.shape == (4, 2) and np.abs(quad - truth).max() < 0.05 * max(photo.shape[:2])
    assert seen.shape[:2] == (answer["artwork"]["height"], answer["artwork"]["width"]) != photo.shape[:2]
    assert words.CROPPED_NOTE in summary and "IMG_2041" not in about
    on_crop = predictor.predict_image(seen, find_artwork=False)
    for task, pred in answer["predictions"].items():
        assert pred["probabilities"] == pytest.approx(on_crop[task].probabilities, abs=1e-4)

    out = gradio_app.classify_again(obj, True)
    crop, summary, answer, seen = out[1], out[3], out[-5], out[-4]
    assert out[-1] is True and not crop.visible
    assert answer["artwork"]["whole_picture"] and answer["artwork"]["quad"] is None
    assert seen.shape == photo.shape and words.WHOLE_NOTE in summary
    on_photo = predictor.predict_image(photo, find_artwork=False)
    for task, pred in answer["predictions"].items():
        assert pred["probabilities"] == pytest.approx(on_photo[task].probabilities, abs=1e-4)


@pytest.mark.slow
def test_classify_api_reports_the_route_and_the_quad(client, tmp_path):
    """/classify over HTTP: every answer's route and the outline of the artwork found."""
    needs_models()
    from tests.support.visitor_photos import framed_photo, png

    path = tmp_path / "framed.png"
    path.write_bytes(png(framed_photo()[0]))
    answer = client.predict(handle_file(str(path)), api_name="/classify")
    assert answer["artwork"]["cropped"] and len(answer["artwork"]["quad"]) == 4
    assert all(pred["route"] in {"auto", "review", "out_of_scope"} for pred in answer["predictions"].values())


@pytest.mark.slow
def test_a_photo_of_an_astronaut_is_out_of_scope_for_the_style_model_in_gradio(client, tmp_path):
    needs_models()
    if not any(predictor.scope_model(t) is not None for t in predictor.available_tasks()):
        pytest.skip("no scope models in models/ yet (issue 11: train them)")
    from skimage import data as skimage_data

    from artdemo.app import words
    from tests.support.visitor_photos import png

    path = tmp_path / "astronaut.png"
    path.write_bytes(png(skimage_data.astronaut()))
    answer = client.predict(handle_file(str(path)), api_name="/classify")
    assert answer["predictions"]["style"]["route"] == "out_of_scope"
    import gradio_app

    summary = gradio_app.classify_upload(str(path))[3]
    assert words.out_of_scope_sentence("style") in summary


@pytest.mark.slow
def test_concurrent_classify_calls_are_batched_by_the_service(client, tmp_path):
    """/classify runs several requests at once (its concurrency limit), and the one inference service
    answers those waiting together in one model call."""
    needs_models()
    import threading

    import gradio_app
    from tests.support.crowd import busy_worker, wait_for_queue

    assert gradio_app.CONCURRENCY > 1
    paths = []
    for i in range(4):
        paths.append(tmp_path / f"picture{i}.png")
        Image.new("RGB", (64 + 8 * i, 48), (40 * i, 90, 160)).save(paths[-1])
    answers: list = [None] * len(paths)

    def visitor(i: int) -> None:
        answers[i] = Client(client.src, verbose=False).predict(handle_file(str(paths[i])), api_name="/classify")

    with busy_worker() as svc:
        before = svc.stats().batches
        threads = [threading.Thread(target=visitor, args=(i,)) for i in range(len(paths))]
        for t in threads:
            t.start()
        wait_for_queue(svc, len(paths), seconds=60)  # all four wait at once: none is queued behind another
    for t in threads:
        t.join(120)
    assert all(a and a["image"]["width"] == 64 + 8 * i for i, a in enumerate(answers))
    assert svc.stats().largest_batch >= len(paths)
    assert svc.stats().batches - before <= 2  # the holder's call, then one call for the four


@pytest.mark.slow
def test_a_full_queue_is_a_warning_with_the_place_in_line_for_the_page_and_an_error_for_the_api(tmp_path):
    needs_models()
    import threading

    import gradio as gr
    import gradio_app
    from tests.support.crowd import busy_worker, wait_for_queue

    path = tmp_path / "picture.png"
    Image.new("RGB", (64, 48), (120, 90, 60)).save(path)
    with busy_worker(max_waiting=1) as svc:
        other = threading.Thread(target=svc.predict, args=(np.full((40, 40, 3), 7, np.uint8),))
        other.start()
        wait_for_queue(svc, 1)
        with pytest.warns(UserWarning, match="you are 2nd in line"):
            assert gradio_app.classify_upload(str(path)) == gr.skip()  # the page stays as it was
        with pytest.raises(gr.Error, match="you are 2nd in line"):
            gradio_app.classify(str(path))
    other.join(60)
