"""`python -m artdemo.model_report`: the held-out figures of every trained model, as a Markdown table.

The README's model table is this command's output, so each number can be traced to
the cards that `python -m artdemo train all` wrote.
"""

from __future__ import annotations

import sys

from artdemo.models.cards import ModelCard, available_cards

# The targets on held-out data (None: no target for that figure).
TARGETS: dict[str, dict[str, float]] = {
    "style": {"accuracy": 0.65, "macro_f1": 0.65},
    "medium": {"accuracy": 0.80, "macro_f1": 0.75},
    "genre": {"accuracy": 0.92},
    "lithograph": {"balanced_accuracy": 0.87},
}
ECE_TARGET = 0.05


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


def main(argv: list[str] | None = None) -> int:
    cards = available_cards()
    if not cards:
        print("No trained models in models/: run `python -m artdemo train all`.", file=sys.stderr)
        return 1
    print(table(cards))
    return 0


if __name__ == "__main__":
    sys.exit(main())
