"""The README's model table is printed from the cards, with targets marked honestly."""

from __future__ import annotations

import numpy as np
import pytest

from artdemo.models.cards import available_cards
from artdemo.training.report import table

cards = available_cards()
pytestmark = pytest.mark.skipif(not cards, reason="no trained models in models/")


def test_every_trained_model_has_a_row_with_its_own_figures():
    text = table(cards)
    for card in cards:
        row = next(line for line in text.splitlines() if line.startswith(f"| {card.task} "))
        assert f"{card.metrics.accuracy:.3f}" in row and f"{card.metrics.macro_f1:.3f}" in row
        assert f"| {card.metrics.n} |" in row


def test_a_missed_target_is_marked_as_missed():
    for card in cards:
        row = next(line for line in table([card]).splitlines() if line.startswith(f"| {card.task} "))
        if card.task == "lithograph":
            assert ("✗" in row) == (card.metrics.balanced_accuracy < 0.87)
        if card.task == "style":
            assert ("✗ (target 0.65)" in row) == (card.metrics.accuracy < 0.65 or card.metrics.macro_f1 < 0.65)


def test_the_ablation_table_prints_every_step_of_every_card():
    from artdemo.training.report import ablation_table

    text = ablation_table(cards)
    for card in cards:
        assert card.ablation, f"the {card.task} card has no ablation; retrain with `python -m artdemo train all`"
        lines = [line for line in text.splitlines() if line.startswith(f"| {card.task} | ")]
        assert len(lines) == len(card.ablation)
        assert f"{card.ablation[-1]['test']:.3f}" in lines[-1]
        shipped = [line for line in lines if line.split(" | ")[1].endswith("(shipped)")]
        assert len(shipped) == 1


def test_the_calibration_table_sets_each_measured_error_beside_the_noise_of_its_own_pictures():
    from artdemo.models.metrics import ece_if_calibrated
    from artdemo.training.report import calibration_table

    text = calibration_table(cards)
    for card in cards:
        row = next(line for line in text.splitlines() if line.startswith(f"| {card.task} | "))
        median, high = ece_if_calibrated(np.array([e.probabilities for e in card.examples]))
        assert f"| {card.metrics.ece:.3f} | {median:.3f} / {high:.3f} |" in row
        assert f"| {card.photo_metrics.ece:.3f} |" in row


def test_the_other_sources_table_prints_each_source_with_and_without_the_borrowed_rows():
    from artdemo.training.report import other_sources_table

    text = other_sources_table(cards)
    borrowing = [card for card in cards if card.other_sources]
    assert {card.task for card in borrowing} == {"medium", "lithograph"}, "retrain with `python -m artdemo train all`"
    for card in borrowing:
        for source in card.other_sources.values():
            row = next(line for line in text.splitlines()
                       if line.startswith(f"| {card.task} | {source['what']}: {source['pictures']:,} |"))
            shipped, without = source["shipped"], source["without_borrowed_rows"]
            assert f"| {shipped['clean']:.1%} / {shipped['photo']:.1%} | {without['clean']:.1%} / {without['photo']:.1%} |" in row
