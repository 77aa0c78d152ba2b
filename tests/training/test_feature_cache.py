"""The feature cache's plumbing without the backbone: prefetching in order, and reading a file's paths only."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from artdemo.training import feature_cache


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_prefetched_yields_every_chunk_in_order_prepared_ahead_on_other_threads(n):
    chunks = [[i, i + 100] for i in range(n)]
    threads = set()

    def prepare(chunk):
        threads.add(threading.get_ident())
        time.sleep(0.01 * (len(chunks) - chunk[0]))  # earlier chunks finish last: order must still hold
        return sum(chunk)

    out = list(feature_cache.prefetched(chunks, prepare, workers=2))
    assert [(k, c, r) for k, c, r in out] == [(i, chunks[i], 2 * i + 100) for i in range(n)]
    assert threading.get_ident() not in threads


def test_an_error_while_preparing_reaches_the_caller():
    def prepare(chunk):
        raise ValueError(f"bad picture in {chunk}")

    with pytest.raises(ValueError, match="bad picture"):
        list(feature_cache.prefetched([["a"], ["b"]], prepare))


def test_table_paths_reads_the_paths_of_a_cache_file_and_treats_damage_as_empty(tmp_path):
    path = tmp_path / "acts.npz"
    feature_cache.save_table(path, {"b.jpg": np.ones((2, 2)), "a.jpg": np.zeros((2, 2))})
    assert feature_cache.table_paths(path) == {"a.jpg", "b.jpg"}
    assert set(feature_cache.load_table(path)) == {"a.jpg", "b.jpg"}
    path.write_bytes(b"not an npz")
    assert feature_cache.table_paths(path) == set() and feature_cache.load_table(path) == {}
    assert feature_cache.table_paths(tmp_path / "missing.npz") == set()
