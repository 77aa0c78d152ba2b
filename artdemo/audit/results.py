"""Reading a finished audit folder: the report, the rows, and the two lists a curator acts on.

No Beam, TensorFlow or UI imports: the Audit page (and a notebook) can open a run
that a cluster wrote, as long as the folder is on this machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from artdemo.errors import ArtdemoError

AGREEMENT = {"agrees": "true", "disagrees": "false", "no_label": ""}
NUMERIC = ("confidence",)


@dataclass
class AuditFolder:
    folder: Path
    report: dict
    rows: pd.DataFrame  # predict's columns + museum_label, agrees, object_id, title, page_url
    failures: pd.DataFrame  # key, path, stage, reason, ...

    @property
    def tasks(self) -> list[str]:
        return list(self.report.get("tasks", {}))


def open_audit(folder: str | Path) -> AuditFolder:
    """The audit in `folder`, or ArtdemoError saying how to make one."""
    folder = Path(folder).expanduser()
    report_file = folder / "report.json"
    if not report_file.is_file():
        raise ArtdemoError(f"There is no finished audit in {folder} (no report.json). Run one with "
                           f"`python -m artdemo audit --labels CSV --out {folder}`.")
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ArtdemoError(f"The audit report {report_file} can't be read: {err}.") from err
    return AuditFolder(folder, report, read_shards(folder, "rows"), read_shards(folder, "failures"))


def read_shards(folder: Path, prefix: str) -> pd.DataFrame:
    """All shards of one output (prefix-00000-of-00002.csv ...) as one table of strings,
    with `confidence` as a number."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob(f"{prefix}-*-of-*.csv"))]
    frames = [f for f in frames if len(f.columns)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for name in NUMERIC:
        if name in frame:
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame


def filter_rows(rows: pd.DataFrame, task: str | None = None, route: str | None = None,
                agreement: str | None = None) -> pd.DataFrame:
    """Rows of one task / route / agreement ("agrees", "disagrees", "no_label"); None keeps all."""
    if rows.empty:
        return rows
    keep = pd.Series(True, index=rows.index)
    if task:
        keep &= rows["task"] == task
    if route:
        keep &= rows["route"] == route
    if agreement:
        if agreement not in AGREEMENT:
            raise ArtdemoError(f"Agreement is one of {', '.join(AGREEMENT)}, not {agreement!r}.")
        keep &= rows["agrees"] == AGREEMENT[agreement]
    return rows[keep]


def possible_errors(rows: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Where the model disagrees with the catalogue, most confident first: the likeliest
    cataloguing errors (or the model's most confident mistakes; a curator decides)."""
    if rows.empty:
        return rows
    found = rows[rows["agrees"] == AGREEMENT["disagrees"]]
    found = found.sort_values(["confidence", "path", "task"], ascending=[False, True, True], kind="stable")
    return found.head(limit) if limit else found


def curator_queue(rows: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Answers the model routes to a person (route review), least sure first."""
    if rows.empty:
        return rows
    found = rows[rows["route"] == "review"]
    found = found.sort_values(["confidence", "path", "task"], ascending=[True, True, True], kind="stable")
    return found.head(limit) if limit else found


def task_table(report: dict) -> pd.DataFrame:
    """One line per task: answers, labelled rows, accuracy against the catalogue, routes."""
    lines = []
    for task, figures in report.get("tasks", {}).items():
        routes = figures.get("routes", {})
        accuracy = figures.get("accuracy")
        lines.append({"task": task, "answers": figures.get("answers", 0),
                      "with museum label": figures.get("with_museum_label", 0),
                      "accuracy vs catalogue": "n/a" if accuracy is None else f"{accuracy:.1%}",
                      **{f"route {r}": n for r, n in routes.items()}})
    return pd.DataFrame(lines)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def picture(path: str) -> np.ndarray:
    """A local picture as RGB uint8, through the one safe decoder (ArtdemoError if it won't read)."""
    from artdemo.imaging.decode import load_image_file

    return np.asarray(load_image_file(path), dtype=np.uint8)


def image_location(path: str, data_root: Path | None = None) -> tuple[str, str]:
    """Where a row's picture is: ("url", link), ("file", local path) or ("missing", path)."""
    if urlsplit(path).scheme in ("http", "https"):
        return "url", path
    candidate = Path(path)
    if not candidate.is_absolute():
        from artdemo.sources.datacache import resolve

        candidate = resolve(path, data_root)
    return ("file", str(candidate)) if candidate.is_file() else ("missing", path)
