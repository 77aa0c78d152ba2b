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
from artdemo.app import gradio_core
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
    cards = gradio_core.cards()
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
        assert pred["route"] in {"auto", "review"}
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
    if gradio_core.cards():
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
    view = gradio_core.core("artdemo.models.predictor").model_input(np.asarray(Image.open(image).convert("RGB")))
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
    picture, about, summary, *labels = out[:3 + len(gradio_app.TASK_NAMES)]
    answer, rgb = out[-3], out[-2]
    assert picture.shape == rgb.shape and picture.ndim == 3
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
