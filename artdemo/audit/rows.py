"""The audit's output rows: `predict`'s rows, plus what the museum says and whether the model agrees.

The predict columns come from artdemo.models.answers_csv, the same code the
`predict` command writes with, so an audit row and a predict row of the same
picture read the same. Lines are formatted here (not by a CSV sink) because Beam's
WriteToText writes text lines, one per element.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from artdemo.audit.records import AuditRecord
from artdemo.models.answers_csv import answer_rows, columns

EXTRA_COLUMNS = ["museum_label", "agrees", "object_id", "title", "page_url"]
FAILURE_COLUMNS = ["key", "path", "stage", "reason", "object_id", "title", "page_url"]
AGREES, DISAGREES = "true", "false"  # `agrees` is empty when the museum gives no label the model knows


def row_columns(tasks: list[str]) -> list[str]:
    return columns(tasks) + EXTRA_COLUMNS


def audit_rows(record: AuditRecord, answers: dict) -> list[dict]:
    """One row per task for one object, in row_columns order."""
    rows = answer_rows(record.path, answers)
    for row in rows:
        pred = answers[row["task"]]
        label = record.labels.get(row["task"], "")
        row["museum_label"] = label
        row["agrees"] = agreement(label, pred)
        row.update(object_id=record.object_id, title=record.title, page_url=record.page_url)
    return rows


def agreement(museum_label: str, pred) -> str:
    """"true"/"false", or "" when the museum's label is missing or not one the model knows."""
    if museum_label not in pred.classes:
        return ""
    return AGREES if museum_label == pred.predicted else DISAGREES


@dataclass(frozen=True)
class Answer:
    """What the report needs of one row (the exact confidence, not the CSV's 4 decimals)."""

    task: str
    museum_label: str
    prediction: str
    route: str
    confidence: float
    agrees: str
    path: str
    object_id: str = ""
    title: str = ""


def answers_of(record: AuditRecord, answers: dict) -> list[Answer]:
    out = []
    for task, pred in answers.items():
        label = record.labels.get(task, "")
        out.append(Answer(task, label, pred.predicted, pred.route, float(pred.confidence), agreement(label, pred),
                          record.path, record.object_id, record.title))
    return out


def csv_line(row: dict, fields: list[str]) -> str:
    """One CSV line (quoted as needed, no line end) for WriteToText."""
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=fields, restval="", extrasaction="ignore",
                   lineterminator="").writerow(row)
    return buffer.getvalue()


def header_line(fields: list[str]) -> str:
    return csv_line({f: f for f in fields}, fields)


def failure_row(record: AuditRecord, stage: str, reason: str) -> dict:
    return {"key": record.key, "path": record.path, "stage": stage, "reason": " ".join(reason.split()),
            "object_id": record.object_id, "title": record.title, "page_url": record.page_url}
