"""`python -m artdemo.model_report`: the held-out figures of every trained model, as a Markdown table.

The README's model table is this command's output, so each number can be traced to
the cards that `python -m artdemo train all` wrote.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from artdemo.models import metrics
from artdemo.models.cards import ModelCard, available_cards
from artdemo.models.scopes import TARGETS as SCOPE_TARGETS

TARGETS: dict[str, dict[str, float]] = {  # floors on held-out data, from artdemo.models.scopes
    task: {key: goal for _, key, goal in goals if key != "ece"} for task, goals in SCOPE_TARGETS.items()}
ECE_TARGET = 0.05
PHOTO_SHARE = 0.9  # visitor photos keep at least this share of the clean figure


def _mark(card: ModelCard, key: str, value: float) -> str:
    target = TARGETS.get(card.task, {}).get(key)
    if key == "ece":
        return f"{value:.3f} {'✓' if value <= ECE_TARGET else '✗'}"
    if target is None:
        return f"{value:.3f}"
    return f"{value:.3f} {'✓' if value >= target else f'✗ (target {target:.2f})'}"


def table(cards: list[ModelCard]) -> str:
    rows = ["| model | test images | accuracy | balanced acc. | macro-F1 | ECE | LR baseline acc. | seed 000 CNN acc. | training, features cached |",
            "|---|---|---|---|---|---|---|---|---|"]
    for c in cards:
        m = c.metrics
        rows.append(
            f"| {c.task} ({len(c.classes)} classes) | {m.n} | {_mark(c, 'accuracy', m.accuracy)} | "
            f"{_mark(c, 'balanced_accuracy', m.balanced_accuracy)} | {_mark(c, 'macro_f1', m.macro_f1)} | "
            f"{_mark(c, 'ece', m.ece)} | {float(c.baseline.get('accuracy', float('nan'))):.3f} | "
            f"{float(c.seed_baseline.get('accuracy', float('nan'))):.3f} | {c.training_seconds:.0f} s |"
        )
    return "\n".join(rows)


def key_figure(task: str) -> str:
    """The figure a task is judged by: balanced accuracy for the imbalanced lithograph task, else accuracy."""
    return "balanced_accuracy" if task == "lithograph" else "accuracy"


def photo_table(cards: list[ModelCard]) -> str:
    """Clean against visitor-photo figures, and what the out_of_scope route flags, per model."""
    rows = ["| model | figure | clean | visitor photos | photos / clean | ECE clean / photos | "
            "out_of_scope: held-out clean / photos flagged | out-of-scope pictures rejected |",
            "|---|---|---|---|---|---|---|---|"]
    for c in cards:
        key = key_figure(c.task)
        clean = getattr(c.metrics, key)
        if c.photo_metrics is None:
            rows.append(f"| {c.task} | {key.replace('_', ' ')} | {clean:.3f} | not measured (retrain) | | | | |")
            continue
        photo = getattr(c.photo_metrics, key)
        ratio = photo / clean if clean else 0.0
        ece = c.photo_metrics.ece
        s = c.scope_check
        rejected = s.get("rejected_out_of_scope_test")
        rows.append(
            f"| {c.task} | {key.replace('_', ' ')} | {clean:.3f} | {photo:.3f} | "
            f"{ratio:.0%} {'✓' if ratio >= PHOTO_SHARE else '✗ (target 90%)'} | "
            f"{c.metrics.ece:.3f} / {ece:.3f} {'✓' if max(c.metrics.ece, ece) <= ECE_TARGET else '✗'} | "
            f"{s.get('flagged_test_clean', float('nan')):.1%} / {s.get('flagged_test_photos', float('nan')):.1%} | "
            + (f"{rejected:.1%} of {s.get('out_of_scope_test_pictures', 0)}" if rejected is not None
               else "no out-of-scope set (residual test only)") + " |")
    return "\n".join(rows)


def calibration_table(cards: list[ModelCard]) -> str:
    """Each model's calibration error beside what sampling noise alone gives on the same held-out pictures
    (artdemo.models.metrics.ece_if_calibrated, from the probabilities the card keeps)."""
    rows = ["| model | pictures | ECE clean | a calibrated model, same pictures: median / 90th pct. | "
            "ECE photos | a calibrated model, same photos: median / 90th pct. |",
            "|---|---|---|---|---|---|"]
    for c in cards:
        cells = []
        for m, examples in ((c.metrics, c.examples), (c.photo_metrics, c.photo_examples)):
            if m is None or not examples:
                cells += ["–", "–"]
                continue
            median, high = metrics.ece_if_calibrated(np.array([e.probabilities for e in examples]))
            cells += [f"{m.ece:.3f}", f"{median:.3f} / {high:.3f}"]
        rows.append(f"| {c.task} | {c.metrics.n} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ablation_table(cards: list[ModelCard]) -> str:
    """Each card's ablation: what every step scored on validation and test, clean and photographed (its key
    figure)."""
    rows = ["| model | step | figure | validation | validation photos | test | test photos |",
            "|---|---|---|---|---|---|---|"]
    show = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    for c in cards:
        for row in c.ablation:
            rows.append(f"| {c.task} | {row['step']} | {row['metric'].replace('_', ' ')} | {show(row['val'])} | "
                        f"{show(row.get('val_photo'))} | {show(row['test'])} | {show(row['test_photo'])} |")
    return "\n".join(rows)


def other_sources_table(cards: list[ModelCard]) -> str:
    """How often each model gives pictures from sources outside its own rows the class they should get
    (artdemo.training.borrowed_rows), with and without the rows it borrowed."""
    rows = ["| model | pictures | expected | shipped: clean / photos | without borrowed rows: clean / photos |",
            "|---|---|---|---|---|"]
    pair = lambda d: "–" if not d else f"{d['clean']:.1%} / {d['photo']:.1%}"  # noqa: E731
    for c in cards:
        for source in c.other_sources.values():
            rows.append(f"| {c.task} | {source['what']}: {source['pictures']:,} | {source['expected']} | "
                        f"{pair(source.get('shipped'))} | {pair(source.get('without_borrowed_rows'))} |")
    return "\n".join(rows)


def probe_table(result: dict) -> str:
    """A feature trial (artdemo.training.lite2_trial, gram_trial): the same probe on each set of features."""
    rows = ["| model | features (class-weighted logistic regression) | figure | validation | test | test macro-F1 |",
            "|---|---|---|---|---|---|"]
    for task, probes in result.get("tasks", {}).items():
        for row in probes:
            rows.append(f"| {task} | {row['features']} | {row['metric'].replace('_', ' ')} | {row['val']:.3f} | "
                        f"{row['test']:.3f} | {row['test_macro_f1']:.3f} |")
    cost = result.get("lite2_cost", {})
    if cost:
        rows.append("")
        rows.append(f"Lite2's backbone alone, warm: {cost['ms_per_picture_batch_1']} ms for one picture, "
                    f"{cost['ms_per_picture_batch_32']} ms per picture in a batch of 32 (`{result['command']}`).")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    cards = available_cards()
    if not cards:
        print("No trained models in models/: run `python -m artdemo train all`.", file=sys.stderr)
        return 1
    print(table(cards))
    print()
    print(photo_table(cards))
    print()
    print(calibration_table(cards))
    if any(c.ablation for c in cards):
        print()
        print(ablation_table(cards))
    if any(c.other_sources for c in cards):
        print()
        print(other_sources_table(cards))
    from artdemo.training import gram_trial, lite2_trial

    for trial in (lite2_trial.result_path(), gram_trial.result_path()):
        if trial.is_file():
            print()
            print(probe_table(json.loads(trial.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
