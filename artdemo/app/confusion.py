"""Confusion matrices from a model card, with every cell openable to its images.

FiftyOne's lesson: evaluation is sample-level. A card stores every held-out
example with its calibrated probabilities, so the matrix, a cell's images and a
binary model's matrix at any threshold are all recomputed here from the same
examples; the app and the Gradio variant only draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from artdemo.models.cards import HeldOutExample, ModelCard
from artdemo.errors import ArtdemoError


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
    """Precision, recall, F1 and support of every class, from a confusion matrix."""
    matrix = np.asarray(matrix, dtype=float)
    true_pos = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    precision = np.divide(true_pos, predicted, out=np.zeros_like(true_pos), where=predicted > 0)
    recall = np.divide(true_pos, actual, out=np.zeros_like(true_pos), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(true_pos), where=both > 0)
    return pd.DataFrame(
        {"class": classes, "precision": precision, "recall": recall, "f1": f1, "support": actual.astype(int)}
    )


def summary(matrix: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy and macro-F1 of a matrix (what moves with the threshold)."""
    matrix = np.asarray(matrix, dtype=float)
    total = matrix.sum()
    table = per_class_table(matrix, [str(i) for i in range(len(matrix))])
    present = table["support"] > 0
    return {
        "accuracy": float(np.trace(matrix) / total) if total else 0.0,
        "balanced_accuracy": float(table.loc[present, "recall"].mean()) if present.any() else 0.0,
        "macro_f1": float(table["f1"].mean()) if len(table) else 0.0,
        "n": int(total),
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
