"""Server-side timings per action: request received -> answer produced.

The load test compares what a visitor waits (end to end, measured by the load
generator) with what the server spends (measured here), so a slow client can't
pass for a slow app. Each action keeps its last `RING` durations in a bounded
ring (the kiosk runs for days), enough for p50/p95. When `ARTDEMO_TIMINGS_LOG`
names a file, every timing is also appended to it as one JSON line
(`{"action", "seconds", "at", "ok"}`), so a benchmark in another process can
read the server's own figures for exactly the window it drove.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass

RING = 2000
LOG_ENV = "ARTDEMO_TIMINGS_LOG"


@dataclass(frozen=True)
class ActionTimes:
    """p50/p95 of one action's recent durations (seconds)."""

    n: int
    p50: float
    p95: float
    mean: float


_rings: dict[str, deque[float]] = {}
_lock = threading.Lock()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))]


def record(action: str, seconds: float, ok: bool = True) -> None:
    """Remember one duration of `action` (and log it when ARTDEMO_TIMINGS_LOG is set)."""
    with _lock:
        _rings.setdefault(action, deque(maxlen=RING)).append(float(seconds))
    path = os.environ.get(LOG_ENV)
    if path:
        line = json.dumps({"action": action, "seconds": round(float(seconds), 6), "at": time.time(), "ok": ok})
        try:
            with open(path, "a", encoding="utf-8") as handle:  # one short write per line: atomic enough
                handle.write(line + "\n")
        except OSError:
            pass  # timings must never break a visitor's request


def summary() -> dict[str, ActionTimes]:
    """Every action's p50/p95 over its ring."""
    with _lock:
        copies = {name: list(ring) for name, ring in _rings.items()}
    return {name: ActionTimes(len(v), percentile(v, 50), percentile(v, 95), sum(v) / len(v))
            for name, v in copies.items() if v}


def reset() -> None:
    with _lock:
        _rings.clear()


def read_log(path: str | os.PathLike[str], since: float = 0.0, until: float = float("inf")) -> dict[str, list[float]]:
    """Durations per action from a timings log, for entries logged between `since` and `until` (epoch s)."""
    out: dict[str, list[float]] = {}
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut by a concurrent write
        if since <= entry.get("at", 0.0) <= until:
            out.setdefault(entry["action"], []).append(float(entry["seconds"]))
    return out
