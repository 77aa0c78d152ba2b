"""Small hand-made model cards for the app's tests (the real ones come from training)."""

from __future__ import annotations

from artdemo.models.cards import HeldOutExample, Metrics, ModelCard


def make_card(task: str, classes: list[str], examples: list[tuple[str, list[float]]], **extra) -> ModelCard:
    """A card whose held-out examples are (true label, probabilities); predicted = argmax."""
    held = [
        HeldOutExample(path=f"images/test/{i}.jpg", true=true, predicted=classes[max(range(len(p)), key=p.__getitem__)],
                       probabilities=p, source="src_a" if i % 2 else "src_b")
        for i, (true, p) in enumerate(examples)
    ]
    k = len(classes)
    matrix = [[0] * k for _ in range(k)]
    for ex in held:
        matrix[classes.index(ex.true)][classes.index(ex.predicted)] += 1
    metrics = Metrics(accuracy=0.5, balanced_accuracy=0.5, macro_f1=0.5, ece=0.05,
                      per_class={c: {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 1} for c in classes},
                      confusion_matrix=matrix, n=len(held))
    fields = dict(task=task, classes=classes, input_size=224, preprocessing="whole image", architecture="lite0+head",
                  weights_file="head.weights.h5", data_counts={"train": {c: 10 for c in classes}},
                  source_counts={"src_a": {c: 5 for c in classes}, "src_b": {c: 5 for c in classes}},
                  split_rule="path hash", metrics=metrics, temperature=1.3, threshold=0.6,
                  scope="test images", examples=held)
    fields.update(extra)
    return ModelCard(**fields)


def lithograph_card() -> ModelCard:
    """Six lithograph-task examples whose matrix moves with the threshold."""
    return make_card("lithograph", ["lithograph", "not_lithograph"], [
        ("lithograph", [0.9, 0.1]), ("lithograph", [0.45, 0.55]), ("lithograph", [0.3, 0.7]),
        ("not_lithograph", [0.6, 0.4]), ("not_lithograph", [0.2, 0.8]), ("not_lithograph", [0.1, 0.9]),
    ], seed_baseline={"name": "seed 000 small CNN", "accuracy": 0.61, "macro_f1": 0.55},
        other_sources={"louvre_held_out": {
            "pictures": 330, "expected": "not_lithograph", "what": "the Louvre's held-out paintings",
            "shipped": {"clean": 0.997, "photo": 0.991}, "without_borrowed_rows": {"clean": 0.858, "photo": 0.885}}})
