"""Confusion matrices from a model card, with every cell openable to its images.

FiftyOne's lesson: evaluation is sample-level. A card stores every held-out
example with its calibrated probabilities, so the matrix, a cell's images and a
binary model's matrix at any threshold are all recomputed here from the same
examples, with artdemo.models.metrics' definitions (the card's own); the app and
the Gradio variant only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from artdemo.app import charts, words
from artdemo.app.pictures import thumbnail
from artdemo.errors import ArtdemoError
from artdemo.models import metrics
from artdemo.models.cards import HeldOutExample, ModelCard


@dataclass(frozen=True)
class CellExample:
    """One held-out image in a confusion cell, with the confidence it was given."""

    example: HeldOutExample
    predicted: str  # under the threshold in force (may differ from example.predicted)
    confidence: float  # probability of `predicted`


def positive_class(card: ModelCard) -> str:
    """The class a binary model's threshold is about (the lithograph task: "lithograph")."""
    if len(card.classes) != 2:
        raise ArtdemoError(f"The {card.task!r} model has {len(card.classes)} classes; a threshold only applies to a yes/no model.")
    return card.task if card.task in card.classes else card.classes[0]


def predicted_label(card: ModelCard, probabilities: list[float], threshold: float | None = None) -> str:
    """The class a held-out example is assigned: the most probable one, or for a binary
    model with a threshold, the positive class when its probability reaches the threshold."""
    if threshold is None:
        return card.classes[int(np.argmax(probabilities))]
    positive = positive_class(card)
    other = next(c for c in card.classes if c != positive)
    p_positive = probabilities[card.classes.index(positive)]
    return positive if p_positive >= threshold else other


def counts(card: ModelCard, threshold: float | None = None) -> np.ndarray:
    """Confusion counts (rows: true class, columns: predicted), card.classes order.

    Recomputed from the held-out examples when the card has them (so a threshold can
    move it); otherwise the matrix the training command saved.
    """
    k = len(card.classes)
    if not card.examples:
        if threshold is not None:
            raise ArtdemoError(f"The {card.task!r} card keeps no held-out examples, so the threshold can't be moved.")
        return np.asarray(card.metrics.confusion_matrix, dtype=int).reshape(k, k)
    index = {name: i for i, name in enumerate(card.classes)}
    matrix = np.zeros((k, k), dtype=int)
    for ex in card.examples:
        if ex.true not in index:
            continue
        matrix[index[ex.true], index[predicted_label(card, ex.probabilities, threshold)]] += 1
    return matrix


def row_normalised(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its total: the share of each true class sent to each column.
    Empty rows stay zero rather than becoming NaN."""
    matrix = np.asarray(matrix, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def cell_examples(card: ModelCard, true: str, predicted: str, threshold: float | None = None) -> list[CellExample]:
    """The held-out images of one cell, most confident first (a confident mistake is
    the one worth looking at)."""
    for name in (true, predicted):
        if name not in card.classes:
            raise ArtdemoError(f"{name!r} is not a class of the {card.task!r} model.")
    cell = []
    for ex in card.examples:
        if ex.true != true:
            continue
        label = predicted_label(card, ex.probabilities, threshold)
        if label == predicted:
            cell.append(CellExample(ex, label, float(ex.probabilities[card.classes.index(label)])))
    cell.sort(key=lambda c: c.confidence, reverse=True)
    return cell


def largest_mistake(matrix: np.ndarray, classes: list[str]) -> tuple[str, str]:
    """(true, predicted) of the fullest off-diagonal cell; the first diagonal cell if none."""
    matrix = np.asarray(matrix)
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, -1)
    i, j = np.unravel_index(int(np.argmax(off)), off.shape)
    if off[i, j] <= 0:
        return classes[0], classes[0]
    return classes[int(i)], classes[int(j)]


def per_class_table(matrix: np.ndarray, classes: list[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support of every class, by artdemo.models.metrics (the card's definition)."""
    rows = metrics.per_class(np.asarray(matrix))
    return pd.DataFrame({"class": classes, **{key: [row[key] for row in rows]
                                              for key in ("precision", "recall", "f1", "support")}})


def summary(matrix: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy and macro-F1 of a matrix (what moves with the threshold), by
    artdemo.models.metrics, so the explorer and the model card agree on the same examples."""
    matrix = np.asarray(matrix)
    total = int(matrix.sum())
    return {
        "accuracy": float(np.trace(matrix) / total) if total else 0.0,
        "balanced_accuracy": metrics.balanced_accuracy(matrix),
        "macro_f1": metrics.macro_f1(matrix),
        "n": total,
    }


def comparison_rows(card: ModelCard) -> pd.DataFrame:
    """Our model beside the seed approach and the simple baseline, on the same split:
    one row per approach, the figures each one reports, and how it was made."""
    m = card.metrics
    rows = [{"approach": "ours (this app's model)", "accuracy": m.accuracy,
             "balanced_accuracy": m.balanced_accuracy, "macro_f1": m.macro_f1, "how": card.architecture}]
    for name, figures in (("seed approach", card.seed_baseline), ("simple baseline", card.baseline)):
        if not figures:
            continue
        row = {"approach": str(figures.get("name", name)),
               "how": str(figures.get("method", figures.get("note", "")))}
        for key in ("accuracy", "balanced_accuracy", "macro_f1"):
            value = figures.get(key)
            row[key] = float(value) if isinstance(value, (int, float)) else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["approach", "accuracy", "balanced_accuracy", "macro_f1", "how"])


# --- views shared by the front ends ------------------------------------------------------------------------

MAX_CELL_IMAGES = 24

COLUMN_TITLES = {"class": "Class", "precision": "Precision", "recall": "Recall", "f1": "F1", "support": "Pictures",
                 "approach": "Approach", "accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy",
                 "macro_f1": "Macro-F1", "how": "How it was made"}
"""The figures tables' columns as a visitor reads them (the metrics above a matrix use the same words).
"Pictures" is the support: how many held-out pictures the museum gives that label."""

FIGURE_COLUMNS = tuple(COLUMN_TITLES[key] for key in
                       ("precision", "recall", "f1", "accuracy", "balanced_accuracy", "macro_f1"))
"""The titled columns that hold a figure between 0 and 1 (a page formats them as numbers)."""


def readable_table(table: pd.DataFrame) -> pd.DataFrame:
    """A figures table (per_class_table, comparison_rows) as a visitor reads it: class names written
    as elsewhere in the app ('post impressionism', not 'post_impressionism') and plain column titles.
    The data functions keep their keys, which the tests and any reader of the numbers rely on."""
    shown = table.copy()
    if "class" in shown:
        shown["class"] = shown["class"].map(words.pretty)
    return shown.rename(columns=COLUMN_TITLES)


def per_class_view(matrix: np.ndarray, classes: list[str]) -> pd.DataFrame:
    """The per-class table, titled for a visitor."""
    return readable_table(per_class_table(matrix, classes))


def comparison_view(card: ModelCard) -> tuple[pd.DataFrame, list[str]]:
    """Ours beside the seed approach and the baseline, titled for a visitor, without the how (a paragraph
    each, far too long for a table cell), and the how as one line per approach: 'Seed approach: …'."""
    rows = comparison_rows(card)
    how = [f"{approach[:1].upper()}{approach[1:]}: {made}"
           for approach, made in zip(rows["approach"], rows["how"]) if made]
    return readable_table(rows.drop(columns="how")), how


def split_note(card: ModelCard, n: int) -> str:
    """The held-out pictures in a plain sentence (card.split_rule, the exact hash rule, is for curators):
    what they are, how many of the collection they are, and that the model never saw them."""
    total = sum(sum(per_class.values()) for per_class in card.data_counts.values())
    test = sum(card.data_counts.get("test", {}).values())
    share = f" ({test / total:.0%} of the collection)" if test and total else ""
    return (f"{n} held-out pictures{share}, set aside by a fixed rule before training: "
            "the model never saw them while it learned.")


def binary_threshold(card: ModelCard, threshold: float | None) -> float | None:
    """The threshold to apply: only yes/no models have one; others always take the top class."""
    return threshold if threshold is not None and len(card.classes) == 2 else None


def figures_note(card: ModelCard, matrix: np.ndarray, threshold: float | None) -> str:
    """One line of figures under a matrix."""
    figures = summary(matrix)
    at = "" if threshold is None else f" with '{positive_class(card)}' from {threshold:.2f}"
    return (f"{figures['n']} held-out images{at} · accuracy {figures['accuracy']:.0%} · "
            f"balanced accuracy {figures['balanced_accuracy']:.0%} · macro-F1 {figures['macro_f1']:.2f}. "
            "Rows: the museum's label; columns: the model's answer.")


def confusion_figure(card: ModelCard, normalised: bool,
                     threshold: float | None = None) -> tuple[go.Figure, str, tuple[str, str]]:
    """The held-out confusion matrix of one model (a yes/no model's at `threshold`) as a figure,
    a line of figures under it, and its fullest mistake cell (true, predicted)."""
    threshold = binary_threshold(card, threshold)
    matrix = counts(card, threshold)
    shown = row_normalised(matrix) if normalised else matrix
    figure = charts.confusion_heatmap(shown, card.classes, normalised=normalised)
    return figure, figures_note(card, matrix, threshold), largest_mistake(matrix, card.classes)


def example_source(item: CellExample) -> str:
    """Where a held-out image is from, as a visitor reads it after "from": 'WikiArt', not the data
    cache's tag 'wikiart224:Romanticism'."""
    return words.collection_name(item.example.source) if item.example.source else "an unknown source"


def example_caption(item: CellExample) -> str:
    """What a cell image's caption says: the answer, its confidence and where the image is from."""
    return f"{words.pretty(item.predicted)} at {words.confidence(item.confidence)} · from {example_source(item)}"


def example_alt(item: CellExample) -> str:
    """Alternative text of a cell image, for people who can't see it."""
    return (f"Held-out image from {example_source(item)}: the museum says "
            f"{words.pretty(item.example.true)}, the model says {words.pretty(item.predicted)} "
            f"at {words.confidence(item.confidence)}.")


def cell_gallery(card: ModelCard, true: str, predicted: str,
                 threshold: float | None = None) -> tuple[list[tuple[np.ndarray, str]], str]:
    """The held-out images of one confusion cell (most confident first, as thumbnails with captions)
    and a line about them."""
    cell = cell_examples(card, true, predicted, binary_threshold(card, threshold))
    items, missing = [], 0
    for item in cell[:MAX_CELL_IMAGES]:
        picture = thumbnail(item.example.path)
        if picture is None:
            missing += 1
            continue
        items.append((picture, example_caption(item)))
    note = f"{len(cell)} images are labelled {words.pretty(true)} and predicted {words.pretty(predicted)}."
    if len(cell) > MAX_CELL_IMAGES:
        note += f" Showing the {MAX_CELL_IMAGES} most confident."
    if missing:
        note += (" 1 is not in the local data cache, so it can't be shown." if missing == 1 else
                 f" {missing} are not in the local data cache, so they can't be shown.")
    return items, note
