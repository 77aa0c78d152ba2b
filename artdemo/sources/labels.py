"""Appending to the data cache's labels/<task>.csv so that a killed run loses and duplicates nothing.

Each row goes to the file in one os.write on an O_APPEND descriptor, followed
by fsync: a kill between rows leaves whole rows only, and a kill inside the
write (a crash mid-syscall) can at worst leave a partial last line, which
`LabelStore` cuts off when it opens the file again. Rows already present (by
path, per task) are never written twice, so re-running a download resumes it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from artdemo.errors import ArtdemoError
from artdemo.tasks import TASKS

LABEL_COLUMNS = ("path", "label", "source", "original_name", "width", "height", "medium_text", "record")


class LabelStore:
    """The labels CSVs of one data cache, with what they already hold."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._present: dict[str, set[str]] = {}
        self._columns: dict[str, list[str]] = {}
        self._medium: dict[str, str] = {}
        for task in TASKS:
            self._load(task)

    def csv_path(self, task: str) -> Path:
        return self.root / TASKS[task].labels_csv

    def has(self, task: str, path: str) -> bool:
        return path in self._present.get(task, set())

    def known_medium(self, path: str) -> str | None:
        """The medium text an earlier run stored for this image, if any."""
        return self._medium.get(path)

    def rows(self, task: str) -> int:
        return len(self._present.get(task, set()))

    def append(self, task: str, row: dict[str, object]) -> bool:
        """Add one row unless its path is already labelled for this task. True if written."""
        path = str(row["path"])
        if self.has(task, path):
            return False
        columns = self._ensure_file(task)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([row.get(c, "") for c in columns])
        line = buffer.getvalue().encode("utf-8")
        fd = os.open(self.csv_path(task), os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._present.setdefault(task, set()).add(path)
        self._medium.setdefault(path, str(row.get("medium_text", "")))
        return True

    # -- internals ----------------------------------------------------------
    def _load(self, task: str) -> None:
        csv_path = self.csv_path(task)
        self._present[task] = set()
        if not csv_path.is_file():
            return
        _cut_partial_line(csv_path)
        with csv_path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "path" not in reader.fieldnames:
                raise ArtdemoError(f"{csv_path} is not a labels CSV (no path column); move it aside.")
            self._columns[task] = list(reader.fieldnames)
            for row in reader:
                self._present[task].add(row["path"])
                if row.get("medium_text"):
                    self._medium.setdefault(row["path"], row["medium_text"])

    def _ensure_file(self, task: str) -> list[str]:
        """The file's columns, creating it (header only, atomically) if needed."""
        if task in self._columns:
            return self._columns[task]
        csv_path = self.csv_path(task)
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        partial = csv_path.with_name(csv_path.name + f".{os.getpid()}.part")
        partial.write_text(",".join(LABEL_COLUMNS) + "\n", encoding="utf-8")
        os.replace(partial, csv_path)
        self._columns[task] = list(LABEL_COLUMNS)
        return self._columns[task]


def _cut_partial_line(csv_path: Path) -> None:
    """Drop an unfinished last line (left by a crash mid-write)."""
    with csv_path.open("rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        fh.seek(max(0, size - 65536))
        tail = fh.read()
        cut = tail.rfind(b"\n")
        keep = size - len(tail) + cut + 1 if cut >= 0 else 0
        fh.truncate(keep)
