"""A bounded least-recently-used cache of explanation maps.

Keyed by (image fingerprint, task, class, method), so the app never computes the same
map twice, and bounded, because the kiosk runs for days: at 224x224 float32 a map is
196 KB, so the default 256 entries stay under about 50 MB. Thread-safe (Streamlit serves
sessions from threads). Cached arrays are made read-only so that no caller can change
what the next caller gets.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable

import numpy as np

DEFAULT_MAX_ENTRIES = 256


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    max_entries: int


class HeatCache:
    """LRU map from a key to a heat map (or any explanation result), with hit and miss counts."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("the cache must hold at least one entry")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached map for `key`, or `compute()` stored under it (evicting the oldest if full).

        The computation runs outside the lock, so one slow map doesn't block other
        sessions; two sessions asking for the same new map at once may both compute it.
        """
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        value = compute()
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
        with self._lock:
            if key in self._items:  # another thread got there first: keep one object
                return self._items[key]
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self.hits, self.misses, len(self._items), self.max_entries)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        """Whether `key` is cached now (no hit or miss is counted)."""
        with self._lock:
            return key in self._items
