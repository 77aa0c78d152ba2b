"""Where a two-class head draws its line: moved toward balanced accuracy on validation, never so far that its
temperature-scaled probabilities stop being honest."""

from __future__ import annotations

import numpy as np
import pytest

from artdemo.models import calibration
from artdemo.models.metrics import expected_calibration_error
from artdemo.training import operating_point as op


def _validation(n: int, minority: float, lean: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits of a head that sees class 1 (the minority) but leans `lean` toward class 0, with labels drawn
    so that the unleaned logits are calibrated."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(int)
    margin = rng.normal(0, 1.2, n) + np.where(y == 1, 1.3, -1.3) + np.log(minority / (1 - minority))
    p1 = 1 / (1 + np.exp(-margin))
    y = (rng.random(n) < p1).astype(int)  # labels as the honest margin says
    return np.c_[np.zeros(n), margin - lean], y


def _balanced(z: np.ndarray, y: np.ndarray) -> float:
    pred = z.argmax(1)
    return float(np.mean([np.mean(pred[y == k] == k) for k in (0, 1)]))


def test_a_head_that_under_calls_the_minority_class_gets_its_line_moved_toward_it():
    clean, photos = _validation(1500, 0.2, 1.5, seed=1), _validation(1500, 0.2, 1.5, seed=2)
    shift, figures = op.balanced_shift([clean, photos])
    assert shift > 0  # toward class 1
    assert figures["validation_balanced_accuracy_after"] > figures["validation_balanced_accuracy_before"] + 0.02
    fresh_z, fresh_y = _validation(3000, 0.2, 1.5, seed=3)  # and it holds on pictures it did not see
    bias = op.apply_shift(np.zeros(2, np.float32), shift)
    assert _balanced(fresh_z + bias, fresh_y) > _balanced(fresh_z, fresh_y) + 0.02


def test_the_moved_line_keeps_calibration_error_within_the_limit():
    groups = [_validation(1500, 0.2, 1.5, seed=4), _validation(1500, 0.2, 1.5, seed=5)]
    shift, figures = op.balanced_shift(groups)
    moved = [(z + op.apply_shift(np.zeros(2, np.float32), shift), y) for z, y in groups]
    t = calibration.fit_temperature_for_all(moved)
    worst = max(expected_calibration_error(calibration.softmax(z, t), y) for z, y in moved)
    assert worst == pytest.approx(figures["validation_worst_ece_after"], abs=1e-4)
    assert worst <= op.ECE_LIMIT


def test_a_head_already_at_its_best_line_is_left_almost_where_it_was():
    groups = [_validation(2000, 0.5, 0.0, seed=6), _validation(2000, 0.5, 0.0, seed=7)]
    shift, _ = op.balanced_shift(groups)
    spread = float(np.std(np.concatenate([z[:, 1] for z, _ in groups])))
    assert abs(shift) <= 0.15 * spread


def test_only_two_class_logits_are_taken():
    z = np.zeros((10, 3))
    with pytest.raises(ValueError, match="two-class"):
        op.balanced_shift([(z, np.zeros(10, int))])


def test_apply_shift_moves_class_one_and_leaves_the_head_bias_it_was_given():
    bias = np.array([0.5, -0.25], np.float32)
    moved = op.apply_shift(bias, 1.0)
    assert moved.tolist() == [0.5, 0.75] and bias.tolist() == [0.5, -0.25]


def test_fit_recipe_moves_a_balanced_accuracy_head_and_says_so_in_its_info():
    from artdemo.models.features import TOTAL_DIM
    from artdemo.models.heads import Group
    from artdemo.training.recipes import Recipe
    from artdemo.training.taskdata import TaskData
    from artdemo.training.train import fit_recipe

    rng = np.random.default_rng(8)
    n = 1200
    y = (rng.random(n) < 0.2).astype(int)
    x = rng.normal(0, 1, (n, TOTAL_DIM)).astype(np.float32)
    x[:, 0] += np.where(y == 1, 0.8, -0.8)  # one weakly telling feature, the rest noise
    split = np.array(["train"] * 600 + ["val"] * 300 + ["val_photo"] * 300)
    td = TaskData("lithograph", ["not", "yes"], [], y, split)
    recipe = Recipe([Group(["whole"], ["pooled"])], l2_grid=(1e-1,), select_by="balanced_accuracy")
    head, _ = fit_recipe(td, {"whole": x}, recipe)
    moved = head.info["decision_shift"]
    assert moved["added_to_logit_of"] == "yes"
    assert moved["validation_balanced_accuracy_after"] >= moved["validation_balanced_accuracy_before"]
    plain, _ = fit_recipe(td, {"whole": x}, Recipe(recipe.groups, l2_grid=(1e-1,), select_by="accuracy"))
    assert "decision_shift" not in plain.info
    assert head.bias[1] - head.bias[0] == pytest.approx(plain.bias[1] - plain.bias[0] + moved["shift"], abs=1e-3)
