"""Class-balance tables from the shared data cache and from cards."""

import pandas as pd
import pytest

from artdemo.app import balance, words
from artdemo import config
from artdemo.errors import ArtdemoError
from tests.support.app_cards import make_card

needs_data = pytest.mark.skipif(not (config.data_dir() / balance.MOMA_SAMPLE).is_file(),
                                reason="needs the shared data cache (ARTDEMO_DATA)")


def test_decade_is_taken_from_the_first_year_written():
    assert balance.decade_of("c. 1923-25") == 1920
    assert balance.decade_of("n.d.") is None
    assert balance.decade_of("1999") == 1990


def test_value_counts_lumps_the_long_tail():
    frame = pd.DataFrame({"x": list("aaabbc") + ["d", "e", ""]})
    table = balance.value_counts(frame, "x", top=2)
    assert table["x"].tolist() == ["a", "b", "(all others)"]
    assert table["count"].tolist() == [3, 2, 4]
    assert table["share"].sum() == pytest.approx(1.0)


@needs_data
def test_moma_sample_lithograph_share_matches_the_data_readme():
    moma = balance.moma_sample()
    assert len(moma) == 7572
    assert int((moma["lithograph"] == "lithograph").sum()) == 1256
    by_dept = balance.lithograph_share_by(moma, "Department").set_index("Department")
    assert by_dept.loc["Drawings & Prints", "lithograph_share"] > by_dept.loc["Photography", "lithograph_share"]


@needs_data
def test_training_counts_from_labels_csv_split_by_source():
    counts = balance.training_counts("lithograph")
    totals = balance.class_totals(counts).set_index("class")["count"]
    assert totals["lithograph"] == 923 and totals["not_lithograph"] == 4221
    assert {"whitney", "galc"} <= set(counts["source"])


@needs_data
def test_mame_has_its_29_mediums():
    assert balance.mame_index()["Medium"].nunique() == 29


def test_missing_file_is_a_message(tmp_path):
    with pytest.raises(ArtdemoError, match="not in the data cache"):
        balance.moma_sample(tmp_path)


def test_imbalance_note_names_a_small_class_with_weak_recall():
    card = make_card("medium", ["painting", "screenprint", "drawing", "sculpture"], [("painting", [1, 0, 0, 0])])
    card.metrics.balanced_accuracy = 0.8
    card.metrics.per_class["screenprint"]["recall"] = 0.4
    counts = pd.DataFrame({"class": ["painting", "screenprint", "drawing", "sculpture"],
                           "source": ["a", "a", "b", "b"], "count": [500, 20, 300, 300]})
    notes = balance.imbalance_notes(card, counts)
    assert notes and notes[0].startswith("screenprint is only 2%") and "40%" in notes[0]


def test_source_note_when_a_class_comes_from_one_source():
    counts = pd.DataFrame({"class": ["cubism", "baroque", "baroque"], "source": ["peopleart", "wikiart", "peopleart"],
                           "count": [100, 50, 50]})
    notes = balance.source_notes(counts)
    assert notes == [f"cubism comes (almost) only from {words.collection_name('peopleart')}, so the model may be "
                     "recognising that source rather than the class."]
    assert "PeopleArt" in notes[0] and "peopleart" not in notes[0]


def test_sources_are_named_for_visitors_in_the_chart_and_its_notes():
    counts = pd.DataFrame({"class": ["cubism", "pop_art", "baroque"],
                           "source": ["peopleart", "peopleart", "wikiart224"], "count": [100, 40, 50]})
    named = balance.named_sources(counts)
    assert named["source"].tolist() == [words.collection_title("peopleart")] * 2 + ["WikiArt"]
    assert counts["source"].tolist() == ["peopleart", "peopleart", "wikiart224"]  # the tags stay for grouping
    figure, notes = balance.training_view("style", make_card("style", ["baroque", "cubism", "pop_art"], [],
                                                               source_counts={"peopleart:Cubism": {"cubism": 100},
                                                                              "whitney": {"baroque": 50}}))
    legend = {trace.name for trace in figure.data}
    assert legend == {words.collection_title("peopleart"), words.collection_title("whitney")}
    assert "Whitney Museum of American Art" in notes and "PeopleArt" in notes
    for tag in ("peopleart", "whitney", "wikiart224"):
        assert tag not in notes and tag not in legend
