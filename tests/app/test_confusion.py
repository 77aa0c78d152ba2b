"""The confusion explorer's numbers: matrix, cells, per-class figures, threshold."""

import numpy as np
import pytest

from artdemo.app import confusion
from artdemo.errors import ArtdemoError
from tests.support.app_cards import lithograph_card, make_card


def test_counts_put_true_labels_in_rows_and_predictions_in_columns():
    card = lithograph_card()
    assert confusion.counts(card).tolist() == [[1, 2], [1, 2]]


def test_row_normalised_rows_sum_to_one_and_empty_rows_stay_zero():
    out = confusion.row_normalised(np.array([[1, 3], [0, 0]]))
    assert out.tolist() == [[0.25, 0.75], [0.0, 0.0]]


def test_lowering_the_threshold_catches_more_lithographs_and_more_false_alarms():
    card = lithograph_card()
    low = confusion.counts(card, threshold=0.25)
    high = confusion.counts(card, threshold=0.95)
    assert low.tolist() == [[3, 0], [1, 2]]
    assert high.tolist() == [[0, 3], [0, 3]]
    assert confusion.counts(card, threshold=0.5).tolist() == confusion.counts(card).tolist()


def test_cell_examples_are_the_cells_images_most_confident_first():
    card = make_card("genre", ["landscape", "portrait", "still_life"], [
        ("landscape", [0.2, 0.7, 0.1]), ("landscape", [0.1, 0.85, 0.05]), ("landscape", [0.8, 0.1, 0.1]),
        ("portrait", [0.1, 0.8, 0.1]),
    ])
    cell = confusion.cell_examples(card, "landscape", "portrait")
    assert [round(c.confidence, 2) for c in cell] == [0.85, 0.7]
    assert all(c.example.true == "landscape" for c in cell)
    assert confusion.cell_examples(card, "portrait", "landscape") == []


def test_cell_examples_follow_the_threshold():
    card = lithograph_card()
    cell = confusion.cell_examples(card, "lithograph", "lithograph", threshold=0.4)
    assert [c.example.probabilities[0] for c in cell] == [0.9, 0.45]


def test_unknown_class_is_a_message_not_a_crash():
    with pytest.raises(ArtdemoError, match="not a class"):
        confusion.cell_examples(lithograph_card(), "painting", "lithograph")


def test_threshold_on_a_multiclass_model_is_refused_with_a_reason():
    card = make_card("genre", ["landscape", "portrait", "still_life"], [("landscape", [0.5, 0.3, 0.2])])
    with pytest.raises(ArtdemoError, match="yes/no"):
        confusion.counts(card, threshold=0.5)


def test_per_class_table_computes_precision_recall_f1():
    table = confusion.per_class_table(np.array([[8, 2], [4, 6]]), ["a", "b"]).set_index("class")
    assert table.loc["a", "precision"] == pytest.approx(8 / 12)
    assert table.loc["a", "recall"] == pytest.approx(0.8)
    assert table.loc["b", "f1"] == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert table.loc["b", "support"] == 10


def test_summary_moves_with_the_matrix():
    figures = confusion.summary(np.array([[8, 2], [4, 6]]))
    assert figures["accuracy"] == pytest.approx(0.7)
    assert figures["balanced_accuracy"] == pytest.approx(0.7)
    assert figures["n"] == 20


def test_largest_mistake_is_the_fullest_off_diagonal_cell():
    assert confusion.largest_mistake(np.array([[9, 1, 0], [0, 9, 4], [2, 0, 9]]), ["a", "b", "c"]) == ("b", "c")
    assert confusion.largest_mistake(np.eye(2, dtype=int), ["a", "b"]) == ("a", "a")


def test_comparison_puts_the_seed_beside_ours():
    rows = confusion.comparison_rows(lithograph_card())
    assert rows["approach"].tolist() == ["ours (this app's model)", "seed 000 small CNN"]
    assert rows.loc[0, "how"] == "lite0+head"
    assert rows.loc[1, "accuracy"] == pytest.approx(0.61)
    assert rows.loc[1, "balanced_accuracy"] is None or np.isnan(rows.loc[1, "balanced_accuracy"])


def test_card_without_examples_falls_back_to_the_saved_matrix():
    card = lithograph_card()
    card.examples = []
    assert confusion.counts(card).tolist() == [[1, 2], [1, 2]]
    with pytest.raises(ArtdemoError, match="no held-out examples"):
        confusion.counts(card, threshold=0.3)


# --- what a visitor reads ----------------------------------------------------------------------------------

STYLE_CLASSES = ["art_nouveau", "pop_art", "post_impressionism"]


def style_card():
    """A style card whose held-out pictures carry the data cache's source tags, as a trained card does."""
    card = make_card("style", STYLE_CLASSES, [
        ("art_nouveau", [0.7, 0.2, 0.1]), ("pop_art", [0.1, 0.8, 0.1]), ("post_impressionism", [0.6, 0.1, 0.3]),
    ], data_counts={"train": {c: 14 for c in STYLE_CLASSES}, "val": {c: 3 for c in STYLE_CLASSES},
                    "test": {c: 3 for c in STYLE_CLASSES}})
    for example, source in zip(card.examples, ("wikiart224:Art_Nouveau_Modern", "peopleart:PopArt", "whitney")):
        example.source = source
    return card


def test_per_class_view_writes_class_names_and_column_titles_as_the_app_does():
    table = confusion.per_class_view(confusion.counts(style_card()), STYLE_CLASSES)
    assert table.columns.tolist() == ["Class", "Precision", "Recall", "F1", "Pictures"]
    assert table["Class"].tolist() == ["art nouveau", "pop art", "post impressionism"]
    assert table.loc[0, "Recall"] == pytest.approx(1.0)


def test_comparison_view_has_plain_titles_and_keeps_the_how_out_of_the_table():
    table, how = confusion.comparison_view(lithograph_card())
    assert table.columns.tolist() == ["Approach", "Accuracy", "Balanced accuracy", "Macro-F1"]
    assert not any("_" in column for column in table.columns)
    assert how == ["Ours (this app's model): lite0+head"]  # the seed figures of this card name no method


def test_cell_captions_name_the_collection_not_the_cache_tag():
    card = style_card()
    items = [item for true in STYLE_CLASSES for pred in STYLE_CLASSES
             for item in confusion.cell_examples(card, true, pred)]
    captions = " ".join(confusion.example_caption(item) + " " + confusion.example_alt(item) for item in items)
    assert "from WikiArt" in captions and "from the Whitney Museum of American Art" in captions
    assert "PeopleArt" in captions
    for tag in ("wikiart224", "peopleart", "whitney", "Art_Nouveau_Modern", "PopArt"):
        assert tag not in captions
    assert "_" not in captions


def test_split_note_is_a_sentence_for_visitors_not_the_hash_rule():
    card = style_card()
    card.split_rule = "sha256 of the image path; first 8 hex digits mod 100: < 70 train, < 85 validation, else test"
    note = confusion.split_note(card, 9)
    assert note.startswith("9 held-out pictures (15% of the collection), set aside by a fixed rule before training")
    assert "never saw" in note
    assert "sha256" not in note and "mod 100" not in note
