"""The `predict` CSV's columns and rows, shared by the CLI and the catalogue audit so the
two never drift apart."""

from __future__ import annotations

from artdemo.tasks import TASKS


def columns(tasks: list[str]) -> list[str]:
    """The predict CSV's header: shared columns, then every asked task's class probabilities once."""
    probs: list[str] = []
    for task in tasks:
        probs += [f"p_{c}" for c in TASKS[task].classes if f"p_{c}" not in probs]
    return ["path", "task", "prediction", "confidence", "route"] + probs


def answer_rows(path: str, answers: dict) -> list[dict]:
    """One CSV row per task for one picture, in `columns` order."""
    rows = []
    for task, pred in answers.items():
        row = {"path": path, "task": task, "prediction": pred.predicted,
               "confidence": f"{pred.confidence:.4f}", "route": pred.route}
        row.update({f"p_{c}": f"{p:.4f}" for c, p in zip(pred.classes, pred.probabilities)})
        rows.append(row)
    return rows
