"""report.json: per task, how the models' answers compare with the catalogue.

The counting is a Beam CombineFn, so a whole museum is summed on many workers and
only small accumulators meet (counts per (museum label, answer) pair, counts per
route, and the N most confident disagreements). The figures are then computed with
artdemo.models.metrics from those counts, the functions `evaluate` uses, so the
audit's accuracy on a labels CSV is `evaluate`'s accuracy on it.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from dataclasses import asdict

import apache_beam as beam
import numpy as np

from artdemo.audit.rows import DISAGREES, Answer
from artdemo.models import metrics

ROUTES = ("auto", "review", "out_of_scope")
TOP_N = 50


class TaskSummaryFn(beam.CombineFn):
    """Answers of one task -> counts and the top-N confident disagreements."""

    def __init__(self, top_n: int = TOP_N) -> None:
        self.top_n = top_n

    def create_accumulator(self) -> dict:
        return {"answers": 0, "routes": Counter(), "pairs": Counter(), "top": []}

    def add_input(self, acc: dict, answer: Answer) -> dict:
        acc["answers"] += 1
        acc["routes"][answer.route] += 1
        if answer.museum_label:
            acc["pairs"][(answer.museum_label, answer.prediction)] += 1
            if answer.agrees == DISAGREES:
                self._keep(acc["top"], (answer.confidence, answer.path, json.dumps(asdict(answer))))
        return acc

    def _keep(self, top: list, item: tuple) -> None:
        if len(top) < self.top_n:
            heapq.heappush(top, item)
        elif item > top[0]:
            heapq.heapreplace(top, item)

    def merge_accumulators(self, accumulators) -> dict:
        merged = self.create_accumulator()
        for acc in accumulators:
            merged["answers"] += acc["answers"]
            merged["routes"].update(acc["routes"])
            merged["pairs"].update(acc["pairs"])
            for item in acc["top"]:
                self._keep(merged["top"], item)
        return merged

    def extract_output(self, acc: dict) -> dict:
        return acc


def task_report(classes: list[str], acc: dict | None) -> dict:
    """Figures for one task from its accumulator (an empty task when nothing was answered)."""
    acc = acc or TaskSummaryFn().create_accumulator()
    index = {c: k for k, c in enumerate(classes)}
    known = sorted((pair, n) for pair, n in acc["pairs"].items() if pair[0] in index)
    y_true = np.array([index[m] for (m, _), n in known for _ in range(n)], dtype=int)
    y_pred = np.array([index[p] for (_, p), n in known for _ in range(n)], dtype=int)
    cm = metrics.confusion_matrix(y_true, y_pred, len(classes))
    per_class = metrics.per_class(cm)
    disagreements = [json.loads(text) for _, _, text in sorted(acc["top"], reverse=True)]
    return {
        "classes": list(classes),
        "answers": int(acc["answers"]),
        "with_museum_label": int(len(y_true)),
        "museum_label_outside_classes": int(sum(n for pair, n in acc["pairs"].items() if pair[0] not in index)),
        "accuracy": metrics.accuracy(y_true, y_pred) if len(y_true) else None,
        "balanced_accuracy": metrics.balanced_accuracy(cm) if len(y_true) else None,
        "macro_f1": metrics.macro_f1(cm) if len(y_true) else None,
        "per_class": {name: per_class[k] for k, name in enumerate(classes)},
        "confusion_matrix": cm.tolist(),
        "routes": {route: int(acc["routes"].get(route, 0)) for route in
                   sorted(set(ROUTES) | set(acc["routes"]), key=_route_order)},
        "disagreements": [{k: v for k, v in d.items() if k not in ("task", "agrees")} for d in disagreements],
    }


def _route_order(route: str) -> tuple[int, str]:
    return (ROUTES.index(route) if route in ROUTES else len(ROUTES), route)


def assemble(summaries: list[tuple[str, dict]], classes: dict[str, list[str]], meta: dict) -> dict:
    """The whole report: run details (meta) and one entry per task asked, in that order."""
    found = dict(summaries)
    return {**meta, "tasks": {task: task_report(names, found.get(task)) for task, names in classes.items()}}
