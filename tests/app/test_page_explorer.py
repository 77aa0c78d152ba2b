"""Confusion explorer, Class balance and About pages through Streamlit's AppTest.

The cards here are written to a temporary models folder in the real card format;
their example paths are real images of the shared data cache, so thumbnails show.
"""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from artdemo import config
from artdemo.models.cards import load_card, save_card
from artdemo.sources.datacache import list_labelled
from tests.support.app_cards import lithograph_card

ROOT = Path(__file__).resolve().parents[2]
needs_data = pytest.mark.skipif(not (config.data_dir() / "labels" / "lithograph.csv").is_file(),
                                reason="needs the shared data cache (ARTDEMO_DATA)")


@pytest.fixture
def models(tmp_path, monkeypatch):
    card = lithograph_card()
    try:
        paths = [row.path for row in list_labelled("lithograph")[: len(card.examples)]]
        for ex, path in zip(card.examples, paths):
            ex.path = path
    except Exception:
        pass  # without a data cache the page shows "image not in this data cache"
    save_card(card, tmp_path)
    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path))
    monkeypatch.delenv("ARTDEMO_HF_REPO", raising=False)
    return tmp_path


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "subheader", "info", "warning", "error")
                    for e in getattr(at, kind))


def test_confusion_explorer_starts_on_the_biggest_mistake_and_lists_its_images(models):
    at = open_page("pages/confusion.py")
    assert at.selectbox(key="cx_true_lithograph").value == "lithograph"
    assert at.selectbox(key="cx_pred_lithograph").value == "not_lithograph"
    assert at.subheader[0].value.startswith("2 held-out images: museum says lithograph, model says not lithograph")
    assert at.metric[0].value == "50.0%"


def test_threshold_slider_moves_the_matrix_and_its_cells(models):
    at = open_page("pages/confusion.py")
    at.slider(key="cx_threshold_lithograph").set_value(0.25).run()
    assert not at.exception
    assert at.metric[0].value == "83.3%"  # [[3,0],[1,2]]
    assert at.subheader[0].value.startswith("0 held-out images")


def test_picking_a_cell_shows_those_images_most_confident_first(models):
    at = open_page("pages/confusion.py")
    at.selectbox(key="cx_true_lithograph").set_value("not_lithograph")
    at.selectbox(key="cx_pred_lithograph").set_value("not_lithograph").run()
    assert at.subheader[0].value.startswith("2 held-out images")
    confidences = [c.value.split(" at ")[1].split("%")[0] for c in at.caption if c.value.endswith(("src_a", "src_b"))]
    assert confidences == ["90", "80"]


def test_seed_baseline_sits_beside_ours(models):
    at = open_page("pages/confusion.py")
    table = at.dataframe[0].value
    assert table["Approach"].tolist() == ["ours (this app's model)", "seed 000 small CNN"]


def test_explorer_tables_and_notes_speak_to_visitors(models):
    at = open_page("pages/confusion.py")
    comparison, per_class = at.dataframe[0].value, at.dataframe[1].value
    assert comparison.columns.tolist() == ["Approach", "Accuracy", "Balanced accuracy", "Macro-F1"]
    assert per_class.columns.tolist() == ["Class", "Precision", "Recall", "F1", "Pictures"]
    assert per_class["Class"].tolist() == ["lithograph", "not lithograph"]
    note = next(c.value for c in at.caption if c.value.startswith("6 held-out pictures"))
    assert "never saw" in note and "path hash" not in note  # "path hash": this card's split rule
    rule = next(e for e in at.expander if e.label == "The exact rule (for curators)")
    assert [c.value for c in rule.caption] == ["path hash"]
    assert [c.value for c in at.caption if "path hash" in c.value] == ["path hash"]  # only there


@needs_data
def test_cell_captions_name_the_collection_not_the_cache_tag(tmp_path, monkeypatch):
    card = lithograph_card()
    for ex, row in zip(card.examples, list_labelled("lithograph")):
        ex.path, ex.source = row.path, "whitney"
    save_card(card, tmp_path)
    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path))
    monkeypatch.delenv("ARTDEMO_HF_REPO", raising=False)
    at = open_page("pages/confusion.py")
    captions = [c.value for c in at.caption if " at " in c.value and "%" in c.value]
    assert captions and all(c.endswith("· from the Whitney Museum of American Art") for c in captions)
    assert "whitney" not in texts(at)


def test_confusion_explorer_without_models_says_how_to_train(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path))
    monkeypatch.delenv("ARTDEMO_HF_REPO", raising=False)
    at = open_page("pages/confusion.py")
    assert "python -m artdemo train all" in at.info[0].value


@needs_data
def test_class_balance_shows_collections_and_training_sets_with_notes(models):
    at = open_page("pages/balance.py")
    assert not at.error
    assert len(at.get("plotly_chart")) >= 7
    at.selectbox(key="bal_task").set_value("style").run()
    notes = " ".join(w.value for w in at.warning)
    assert "only from WikiArt" in notes and "only from the PeopleArt" in notes
    assert "wikiart224" not in notes and "peopleart" not in notes
    legend = {trace["name"] for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
              if "images per class and source" in json.dumps(json.loads(chart.proto.spec)["layout"].get("title"))}
    assert "WikiArt" in legend and not legend & {"wikiart224", "peopleart"}


@needs_data
def test_class_balance_filters_change_the_lithograph_share(models):
    at = open_page("pages/balance.py")
    everything = at.metric[0].value
    at.multiselect(key="bal_moma_depts").set_value(["Photography"]).run()
    assert not at.exception
    assert at.metric[0].value != everything and at.metric[0].value.startswith("0.")


@needs_data
def test_about_lists_models_with_the_seed_figure_and_data_credits(models):
    at = open_page("pages/about.py")
    rows = at.dataframe[0].value
    assert rows.loc[0, "seed accuracy"] == pytest.approx(0.61)
    assert "non-commercial" in texts(at)
    assert "BerkeleyLibrary/galc-api" in texts(at)
    credits = next(m.value for m in at.markdown if "BerkeleyLibrary/galc-api" in m.value)
    assert not any(line.lstrip().startswith("|") for line in credits.splitlines()), "a table can't fit a phone"
    assert "The models shipped with the app." in texts(at)
    assert "ARTDEMO_HF_REPO" not in texts(at) and "bundled models/" not in texts(at)
    assert at.expander, "no model details shown"
    assert ("The Louvre's held-out paintings: 330 pictures, 100% called not lithograph, 99% of them as visitor "
            "photos (86% and 88% without the borrowed paintings).") in texts(at)


@needs_data
def test_a_cell_image_opens_on_how_the_machine_sees(models):
    at = open_page("pages/confusion.py")
    opener = next(b for b in at.button if b.label == "Open with saliency")
    opener.click().run()
    assert not at.exception
    assert at.title[0].value == "How the machine sees"
    assert "Pick an artwork first." not in texts(at)  # the held-out image is the current artwork
    held_out = {ex.path for ex in load_card("lithograph", models).examples}
    assert at.session_state["artdemo_object"].image_path in held_out
