"""Classification metrics in plain numpy, so cards, the CLI and tests agree on one definition.

Labels are integer class indices 0..C-1; `probs` are (N, C) rows summing to 1.
"""

from __future__ import annotations

import numpy as np

ECE_BINS = 15


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts with rows = true class, columns = predicted class."""
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return cm


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(y_true == y_pred)) if len(y_true) else 0.0


def per_class(cm: np.ndarray) -> list[dict[str, float]]:
    """Precision, recall, F1 and support per class from a confusion matrix (0 where undefined)."""
    out = []
    for k in range(cm.shape[0]):
        tp = float(cm[k, k])
        predicted = float(cm[:, k].sum())
        support = float(cm[k, :].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append({"precision": precision, "recall": recall, "f1": f1, "support": int(support)})
    return out


def balanced_accuracy(cm: np.ndarray) -> float:
    """Mean recall over the classes present in the true labels."""
    support = cm.sum(axis=1)
    present = support > 0
    if not present.any():
        return 0.0
    return float(np.mean(np.diag(cm)[present] / support[present]))


def macro_f1(cm: np.ndarray) -> float:
    """Unweighted mean F1 over classes present in the true labels or the predictions."""
    rows = per_class(cm)
    used = [r["f1"] for k, r in enumerate(rows) if cm[k, :].sum() or cm[:, k].sum()]
    return float(np.mean(used)) if used else 0.0


def expected_calibration_error(probs: np.ndarray, y_true: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE of the top-1 confidence: equal-width bins on [0, 1], weighted |accuracy - confidence|."""
    probs = np.asarray(probs, dtype=np.float64)
    y_true = np.asarray(y_true, int)
    if len(y_true) == 0:
        return 0.0
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == y_true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def ece_if_calibrated(probs: np.ndarray, draws: int = 200, seed: int = 0) -> tuple[float, float]:
    """The calibration error a perfectly calibrated model giving these answers and confidences would
    still show on this many pictures: (median, 90th percentile) over `draws` label sets drawn so that
    each answer is right with exactly its confidence.

    Binned ECE is never below zero, so sampling noise alone lifts it: on a few hundred pictures it
    reads 0.02-0.05 for a model with nothing to fix. This says how much of a measured figure that is.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if len(probs) == 0:
        return 0.0, 0.0
    conf, answer = probs.max(axis=1), probs.argmax(axis=1)
    other = (answer + 1) % probs.shape[1]  # any wrong label: ECE looks only at right or wrong
    rng = np.random.default_rng(seed)
    values = [expected_calibration_error(probs, np.where(rng.random(len(conf)) < conf, answer, other))
              for _ in range(draws)]
    return float(np.median(values)), float(np.percentile(values, 90))


def summarize(probs: np.ndarray, y_true: np.ndarray, classes: list[str]) -> dict:
    """Every figure a card or `evaluate` reports, as JSON-ready Python values."""
    probs = np.asarray(probs, dtype=np.float64)
    y_true = np.asarray(y_true, int)
    y_pred = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
    cm = confusion_matrix(y_true, y_pred, len(classes))
    rows = per_class(cm)
    return {
        "accuracy": accuracy(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy(cm),
        "macro_f1": macro_f1(cm),
        "ece": expected_calibration_error(probs, y_true),
        "per_class": {name: rows[k] for k, name in enumerate(classes)},
        "confusion_matrix": cm.tolist(),
        "n": int(len(y_true)),
    }
