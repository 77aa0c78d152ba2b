"""Splits, metrics and calibration: the definitions every card and the evaluate command rely on."""

from __future__ import annotations

import numpy as np
import pytest

from artdemo.models import calibration
from artdemo.models import metrics
from artdemo.training import splits
from artdemo.sources.datacache import list_labelled
from tests.support.data import require_data


def test_split_is_a_pure_function_of_the_path():
    paths = [f"images/x/{i:04d}.jpg" for i in range(2000)]
    first = [splits.split_of(p) for p in paths]
    assert first == [splits.split_of(p) for p in paths]
    share = {name: first.count(name) / len(first) for name in splits.SPLITS}
    assert 0.66 < share["train"] < 0.74
    assert 0.12 < share["val"] < 0.18
    assert 0.12 < share["test"] < 0.18


def test_split_of_a_known_path_never_changes():
    # Pinned so an edit to the rule (which would silently move images between
    # train and test and invalidate every committed card) fails loudly.
    pinned = {"images/galc/0017b382fb7dcae9.jpg": "val", "images/whitney/a.jpg": "train", "x3": "test"}
    assert {p: splits.split_of(p) for p in pinned} == pinned
    assert splits.split_of("images\\whitney\\a.jpg") == "train"  # Windows separators


def test_images_in_two_tasks_share_their_split():
    require_data("labels/medium.csv", "labels/lithograph.csv")
    medium = {row.path for row in list_labelled("medium")}
    litho = {row.path for row in list_labelled("lithograph")}
    both = medium & litho
    assert len(both) > 1000
    by_task = splits.split_items([type("R", (), {"path": p})() for p in sorted(both)])
    for name, items in by_task.items():
        assert all(splits.split_of(item.path) == name for item in items)


def test_metrics_match_hand_computed_values():
    # true:      0 0 0 1 1 2
    # predicted: 0 0 1 1 2 2
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 2, 2])
    cm = metrics.confusion_matrix(y_true, y_pred, 3)
    assert cm.tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    # recalls 2/3, 1/2, 1 -> balanced accuracy 13/18
    assert metrics.balanced_accuracy(cm) == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    rows = metrics.per_class(cm)
    assert rows[0] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3})
    assert rows[1]["precision"] == pytest.approx(0.5) and rows[1]["f1"] == pytest.approx(0.5)
    assert rows[2]["precision"] == pytest.approx(0.5) and rows[2]["f1"] == pytest.approx(2 / 3)
    assert metrics.macro_f1(cm) == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_ece_by_hand():
    # Two bins used: confidence 0.9 (2 items, 1 right) and 0.6 (2 items, 2 right).
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]])
    y = np.array([0, 1, 1, 1])
    expected = 0.5 * abs(0.5 - 0.9) + 0.5 * abs(1.0 - 0.6)
    assert metrics.expected_calibration_error(probs, y) == pytest.approx(expected)
    perfect = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert metrics.expected_calibration_error(perfect, np.array([0, 1])) == pytest.approx(0.0)


def test_summarize_has_every_card_field():
    probs = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4]])
    out = metrics.summarize(probs, np.array([0, 1, 1]), ["a", "b"])
    assert set(out) == {"accuracy", "balanced_accuracy", "macro_f1", "ece", "per_class", "confusion_matrix", "n"}
    assert out["confusion_matrix"] == [[1, 0], [1, 1]]
    assert out["per_class"]["b"]["recall"] == pytest.approx(0.5)


def test_temperature_scaling_lowers_nll_on_overconfident_logits():
    rng = np.random.default_rng(0)
    n, c = 2000, 4
    y = rng.integers(0, c, n)
    true_logits = rng.normal(0, 1, (n, c))
    true_logits[np.arange(n), y] += 1.0
    # Labels drawn from softmax(true_logits); the model reports 4x sharper logits.
    p = calibration.softmax(true_logits)
    y = np.array([rng.choice(c, p=row) for row in p])
    overconfident = 4.0 * true_logits
    t = calibration.fit_temperature(overconfident, y)
    assert 3.0 < t < 5.5
    before = calibration.nll_at(overconfident, y, 1.0)
    after = calibration.nll_at(overconfident, y, t)
    assert after < before - 0.2
    probs_before = calibration.softmax(overconfident)
    probs_after = calibration.softmax(overconfident, t)
    assert metrics.expected_calibration_error(probs_after, y) < metrics.expected_calibration_error(probs_before, y) / 2
    assert (probs_after.argmax(1) == probs_before.argmax(1)).all()


def test_a_calibrated_model_still_shows_some_calibration_error_on_a_few_hundred_pictures():
    rng = np.random.default_rng(3)
    n, c = 800, 5
    logits = rng.normal(0, 1.5, (n, c))
    probs = calibration.softmax(logits)
    median, high = metrics.ece_if_calibrated(probs, draws=100)
    assert 0.01 < median < high < 0.08  # noise alone, on 800 pictures
    y = np.array([rng.choice(c, p=row) for row in probs])  # labels as the probabilities say
    assert metrics.expected_calibration_error(probs, y) < high + 0.02
    many = calibration.softmax(rng.normal(0, 1.5, (20000, c)))
    assert metrics.ece_if_calibrated(many, draws=20)[0] < median / 3  # the noise shrinks with more pictures
    assert metrics.ece_if_calibrated(probs, draws=100) == (median, high)  # same seed, same figures


def test_ece_if_calibrated_of_a_model_that_is_always_sure_is_zero():
    probs = np.tile([1.0, 0.0], (50, 1))
    assert metrics.ece_if_calibrated(probs, draws=10) == (0.0, 0.0)
