"""The whole bad-input corpus through every way an image enters the app.

Streamlit's Classify upload (one AppTest session takes every case in turn, then a
cache artwork still classifies), the Gradio /classify API (gradio_client against
the launched app: a clear error, then a good request is answered), a visitor's
image link (each case served by a local web site through sources.object_from_url),
and `python -m artdemo predict` over a folder holding the corpus plus one good image.

Each entry point must say what the one safe decoder says (image_input.decode_image),
so a visitor gets the same sentence wherever the file came in. Tests needing a
prediction skip when models/ holds no trained model.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from artdemo import config
from artdemo.app import session
from artdemo.sources import objects as sources
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import decode_image
from artdemo.sources.safe_url import PRIVATE_MESSAGE
from artdemo.tasks import TASKS
from tests.support.bad_inputs import bad_cases
from tests.support.data import require_data
from tests.support.hardening_support import GOOD_PNG, PayloadServer, decode_message, loopback_is_public

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning:PIL")

ROOT = Path(__file__).resolve().parents[2]
CASES = bad_cases()  # the over-the-limit file (20 MiB + 1 byte) included
IDS = [case.name for case in CASES]
HAVE_MODELS = any(config.models_dir().glob("*/card.json"))
READY = [task for task in TASKS if (config.models_dir() / task / "card.json").is_file()]
PREDICT_TASKS = list(TASKS) if len(READY) == len(TASKS) else READY[:1]  # `--task all` once all are trained
NO_MODELS = "no trained models in models/ (python -m artdemo train all)"
NO_MODELS_WORDS = r"No trained model|not available"


@pytest.fixture(autouse=True)
def online(monkeypatch):
    monkeypatch.delenv("ARTDEMO_OFFLINE", raising=False)


# --- Streamlit: the Classify page's upload ---------------------------------------------------------------


def _texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


@pytest.fixture(scope="module")
def streamlit_session():
    """One visitor's session: every case is uploaded into it in turn."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception
    return at


def _current(at):
    """The session's current artwork (artdemo.app.session), or None."""
    return at.session_state[session.OBJECT] if session.OBJECT in at.session_state else None


@pytest.mark.slow  # 29 reruns of the page, each good upload classified: ~1-2 min on a shared machine
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_streamlit_upload_answers_each_case_and_keeps_the_session(streamlit_session, case):
    at = streamlit_session
    shown_before = _texts(at, "subheader")
    object_before = _current(at)
    at.file_uploader(key="upload").upload(case.filename, case.data, "application/octet-stream").run()
    assert not at.exception, case.name
    errors = _texts(at, "error")
    if case.expect_ok:
        assert _current(at).title == case.filename, "the upload became the current artwork"
        assert _texts(at, "subheader") == ["Your picture"], "introduced as the visitor's picture, not by file name"
        assert at.get("image"), "its picture is shown"
        if HAVE_MODELS:
            assert not errors and at.get("plotly_chart"), errors
        else:
            assert len(errors) == 1 and "model" in errors[0], errors
    else:
        assert errors == [decode_message(case.data)]
        assert _current(at) is object_before and _texts(at, "subheader") == shown_before, \
            "the previous artwork (if any) stays"


@pytest.mark.slow
def test_streamlit_after_the_corpus_a_cache_artwork_still_classifies(streamlit_session):
    require_data()
    at = streamlit_session
    at.button(key="gal_pick_0").click().run()
    assert not at.exception
    assert "From:** the local collection cache" in " ".join(_texts(at, "markdown"))
    if not HAVE_MODELS:
        pytest.skip(NO_MODELS + "; the cache artwork was shown")
    from artdemo.models.predictor import available_tasks

    assert not at.error, _texts(at, "error")
    assert len(at.get("plotly_chart")) == len(available_tasks())


# --- Gradio: the /classify API through gradio_client ----------------------------------------------------


@pytest.fixture(scope="module")
def gradio_client_app():
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    from tests.support.hardening_support import gradio_app_running

    with gradio_app_running() as (_demo, url):
        yield Client(url, verbose=False)


def _gradio_good_request_works(client, folder: Path) -> None:
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    good = folder / "after.png"
    good.write_bytes(GOOD_PNG)
    if HAVE_MODELS:
        answer = client.predict(handle_file(str(good)), api_name="/classify")
        assert answer["image"] == {"width": 48, "height": 32, "source": "upload"}
        assert answer["predictions"]
    else:  # still serving: it reads the image and says only that the models are missing
        with pytest.raises(AppError, match=NO_MODELS_WORDS):
            client.predict(handle_file(str(good)), api_name="/classify")


@pytest.mark.slow  # Gradio's import and launch take ~10 s on a shared machine
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradio_upload_answers_each_case_then_serves_the_next_request(gradio_client_app, case, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / case.filename
    path.write_bytes(case.data)
    if not case.expect_ok:
        with pytest.raises(AppError) as info:
            gradio_client_app.predict(handle_file(str(path)), api_name="/classify")
        assert str(info.value) == decode_message(case.data)
    elif HAVE_MODELS:
        answer = gradio_client_app.predict(handle_file(str(path)), api_name="/classify")
        width, height = case.expect_size
        assert answer["image"] == {"width": width, "height": height, "source": "upload"}
    else:
        with pytest.raises(AppError, match=NO_MODELS_WORDS):
            gradio_client_app.predict(handle_file(str(path)), api_name="/classify")
    _gradio_good_request_works(gradio_client_app, tmp_path)


# --- A visitor's image link: fetch + decode as sources.object_from_url does it ----------------------------


@pytest.fixture(scope="module")
def site():
    with PayloadServer(CASES) as server:
        yield server


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_url_entry_point_answers_each_case(site, case):
    url = site.case_url(case)
    with loopback_is_public():
        if case.expect_ok:
            obj = sources.object_from_url(url)
            assert (obj.source, obj.title, obj.image_url) == ("url", case.filename, url)
            assert decode_image(obj.image_bytes).size == case.expect_size
            return
        with pytest.raises(ArtdemoError) as caught:
            sources.object_from_url(url)
    if case.name == "over_byte_limit":  # refused from Content-Length, before downloading
        assert str(caught.value).startswith("The file at 127.0.0.1 is too big (over 20 MB")
    else:
        assert str(caught.value) == decode_message(case.data)


def test_url_entry_point_itself_refuses_the_local_site(site):
    before = len(site.hits)
    with pytest.raises(ArtdemoError) as caught:
        sources.object_from_url(site.base + "/good.png")
    assert str(caught.value) == PRIVATE_MESSAGE
    assert len(site.hits) == before, "nothing was fetched from 127.0.0.1"


# --- python -m artdemo predict over a folder holding the corpus ------------------------------------------


@pytest.fixture(scope="module")
def predict_run(tmp_path_factory):
    """One run of the CLI as a user types it: (exit code, stderr, CSV rows, folder)."""
    if not PREDICT_TASKS:
        pytest.skip(NO_MODELS)
    folder = tmp_path_factory.mktemp("predict") / "incoming"
    folder.mkdir()
    for case in CASES:
        (folder / case.filename).write_bytes(case.data)
    Image.open(io.BytesIO(GOOD_PNG)).save(folder / "good_artwork.jpg", quality=92)
    out = folder.parent / "answers.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("ARTDEMO_OFFLINE", None)
    done = subprocess.run(
        [sys.executable, "-m", "artdemo", "predict", "--task",
         "all" if PREDICT_TASKS == list(TASKS) else PREDICT_TASKS[0], "--csv", str(out), str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    rows: list[dict] = []
    if out.is_file():
        with out.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    return done.returncode, done.stderr, rows, folder


@pytest.mark.slow
def test_predict_exits_non_zero_without_a_traceback(predict_run):
    code, err, _rows, _folder = predict_run
    assert code == 1, err
    assert "Traceback" not in err
    bad = sum(not case.expect_ok for case in CASES)
    assert f"{len(CASES) + 1 - bad} image(s) classified, {bad} failed" in err


@pytest.mark.slow
def test_predict_classifies_the_good_image(predict_run):
    _code, _err, rows, folder = predict_run
    good_rows = [row for row in rows if row["path"] == str(folder / "good_artwork.jpg")]
    assert sorted(row["task"] for row in good_rows) == sorted(PREDICT_TASKS)
    assert all(row["prediction"] in TASKS[row["task"]].classes for row in good_rows)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_predict_answers_each_case(predict_run, case):
    _code, err, rows, folder = predict_run
    path = str(folder / case.filename)
    own_rows = [row for row in rows if row["path"] == path]
    lines = [line for line in err.splitlines() if line.startswith(f"artdemo predict: skipped {path}: ")]
    if case.expect_ok:
        assert not lines and len(own_rows) == len(PREDICT_TASKS)
        return
    assert len(lines) == 1 and not own_rows
    if case.name == "over_byte_limit":  # refused from its size on disk, before reading
        assert f"{case.filename} is too big (20.0 MB; we accept up to 20 MB)" in lines[0]
    else:
        assert lines[0].endswith(f"{case.filename}: {decode_message(case.data)}")
