"""The Gradio tabs' handlers on real model cards and real cache images (no browser):
confusion matrix and cell images, class balance, errors as gr.Error, and the
models' origin shown on the page when they come from the (stand-in) Hub."""

from __future__ import annotations

import csv

import gradio as gr
import numpy as np
import pytest

from artdemo import config
from artdemo.models import store as model_store
from artdemo.models.cards import HeldOutExample, Metrics, ModelCard, save_card
from tests.support.hub_standin import StandinHub

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning:gradio.helpers")


def lithograph_card(root, rows: int = 16) -> ModelCard:
    """A card whose held-out examples are real images from the data cache, plus one that is not here."""
    with open(config.data_dir() / "labels" / "lithograph.csv", newline="") as handle:
        labelled = list(csv.DictReader(handle))
    picked = [r for r in labelled if r["label"] == "lithograph"][: rows // 2]
    picked += [r for r in labelled if r["label"] == "not_lithograph"][: rows // 2]
    examples = []
    for i, row in enumerate(picked):
        wrong = i % 3 == 0
        p = 0.8 if (row["label"] == "lithograph") != wrong else 0.25
        predicted = "lithograph" if p >= 0.5 else "not_lithograph"
        examples.append(HeldOutExample(row["path"], row["label"], predicted, [p, 1 - p], row["source"].split(":")[0]))
    examples.append(HeldOutExample("images/not/here.jpg", "lithograph", "not_lithograph", [0.1, 0.9], "moma"))
    card = ModelCard(
        task="lithograph", classes=["lithograph", "not_lithograph"], input_size=224, preprocessing="raw",
        architecture="head", weights_file="head.npz", data_counts={},
        source_counts={"moma": {"lithograph": 40, "not_lithograph": 160}, "whitney": {"not_lithograph": 30}},
        split_rule="hash", metrics=Metrics(0.7, 0.7, 0.7, 0.05, {"lithograph": {"recall": 0.6},
                                                                 "not_lithograph": {"recall": 0.8}}, [[5, 4], [3, 5]], 17),
        temperature=1.0, threshold=0.6, scope="MoMA prints", examples=examples,
    )
    save_card(card, root)
    return card


@pytest.fixture
def app(monkeypatch, tmp_path):
    for name in ("ARTDEMO_HF_REPO", "ARTDEMO_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path / "models"))
    lithograph_card(tmp_path / "models")
    import gradio_app

    return gradio_app


def test_confusion_matrix_and_a_cells_images(app):
    figure, note, true, predicted, slider = app.confusion_view("lithograph", False)
    heat = figure.data[0]
    assert np.asarray(heat.z).tolist() == [[5, 4], [3, 5]]  # recomputed from the 17 examples
    assert note.startswith("17 held-out images with 'lithograph' from 0.50 · accuracy 59%")
    assert (true.value, predicted.value) in {("lithograph", "not_lithograph"), ("not_lithograph", "lithograph")}
    items, cell_note = app.cell_view("lithograph", "lithograph", "not_lithograph")
    assert len(items) == 3 and all(max(img.shape[:2]) <= 256 and img.shape[2] == 3 for img, _ in items)
    assert all("not lithograph at" in caption for _, caption in items)
    assert "4 images are labelled lithograph and predicted not lithograph" in cell_note
    assert "1 is not in the local data cache" in cell_note
    shares, *_ = app.confusion_view("lithograph", True)
    assert np.asarray(shares.data[0].z).sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert slider.visible and slider.value == 0.5 and "'lithograph'" in slider.label


def test_moving_a_yes_no_models_threshold(app):
    strict, note, *_ = app.confusion_at("lithograph", False, 0.9)
    assert np.asarray(strict.data[0].z).tolist() == [[0, 9], [0, 8]]
    assert "with 'lithograph' from 0.90" in note
    lenient, *_ = app.confusion_at("lithograph", False, 0.2)
    assert np.asarray(lenient.data[0].z).tolist() == [[8, 1], [8, 0]]
    items, cell_note = app.cell_view("lithograph", "not_lithograph", "lithograph", 0.2)
    assert "8 images are labelled not lithograph and predicted lithograph" in cell_note


def test_class_balance_per_source(app):
    figure, notes = app.balance_view("lithograph")
    assert {bar.name for bar in figure.data} == {"moma", "The Whitney Museum of American Art"}  # moma: no known set
    assert "lithograph is only" in notes or "Whitney Museum of American Art" in notes or "moma" in notes


def test_errors_reach_the_visitor_as_plain_messages(app):
    with pytest.raises(gr.Error, match="'cubism' is not a class of the 'lithograph' model"):
        app.cell_view("lithograph", "cubism", "lithograph")
    with pytest.raises(gr.Error, match="There is no trained 'genre' model"):
        app.confusion_view("genre", False)
    with pytest.raises(gr.Error, match="Classify an artwork first"):
        app.explain_gallery(None, None, "lithograph", "lithograph", ["gradcam"], 0.5)
    with pytest.raises(gr.Error, match="Something went wrong on our side"):
        app.cell_view(None, None, None)  # a bug, not the visitor's doing: logged, and a plain message


def test_page_names_the_hub_when_models_come_from_it(app, monkeypatch, tmp_path):
    from artdemo.models import hub

    server = StandinHub().start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("ARTDEMO_CACHE", str(tmp_path / "cache"))
        commit = hub.push("museum/artdemo-models", models_root=tmp_path / "models", tag="v1")
        monkeypatch.setenv("ARTDEMO_HF_REPO", "museum/artdemo-models@v1")
        demo = app.build()
        texts = [getattr(block, "value", "") for block in demo.blocks.values() if isinstance(block, gr.Markdown)]
        assert any("**Models:** Hugging Face Hub museum/artdemo-models@v1" in str(t) for t in texts)
        assert model_store.models_location().commit == commit
        figure, *_ = app.confusion_view("lithograph", False)  # the cards now come from the Hub snapshot
        assert np.asarray(figure.data[0].z).sum() == 17
    finally:
        server.stop()


def shown(image: gr.Image) -> np.ndarray:
    """The pixels an image output shows the visitor (Gradio saved them to a file)."""
    from PIL import Image

    return np.asarray(Image.open(image.value["path"]))


def test_random_from_the_met_and_the_cache_when_it_fails(app, standin, monkeypatch):
    """Classify tab, 'Random from The Met' through the stand-in museum: the artwork and its facts
    show (models or not); when the MET fails, a cache artwork and a sentence saying so."""
    monkeypatch.setenv("ARTDEMO_MET_DEADLINE", "2")
    picture, crop, about, summary, *_ = app.classify_random("met")()
    assert shown(picture).ndim == 3 and shown(picture).shape[2] == 3
    assert "From The Met" in about and "could not" not in about
    standin.fault("500")
    picture, crop, about, summary, *_ = app.classify_random("met")()
    assert shown(picture).ndim == 3
    assert "Showing a work from the local collection instead." in about and "From the local collection cache" in about
    assert summary  # either the answers or why the models could not answer


def test_image_addresses_are_checked_before_fetching(app, standin):
    """A pasted URL goes through the one safe fetcher: private addresses and non-http schemes are
    refused with a sentence, and nothing is fetched."""
    from artdemo.sources.safe_url import PRIVATE_MESSAGE

    before = standin.count()
    with pytest.raises(gr.Error, match=PRIVATE_MESSAGE.split(",")[0]):
        app.classify_url(standin.image_url("anything.jpg"))
    with pytest.raises(gr.Error, match="Please paste the address"):
        app.classify_url("   ")
    with pytest.raises(gr.Error) as info:
        app.classify_url("file:///etc/passwd")
    assert "Something went wrong" not in str(info.value)
    assert standin.count() == before


def test_a_visitor_arriving_during_warm_up_reads_a_getting_ready_note(app, monkeypatch):
    from artdemo.app import service
    from artdemo.app.warmup import GETTING_READY

    monkeypatch.setattr(service.service(), "warm", "warming")
    assert GETTING_READY in app.ready_note()
    monkeypatch.setattr(service.service(), "warm", "ready")
    assert app.ready_note() == ""
