"""The short version of the benchmark's kiosk soak, so CI catches a leak. The full run
(1,000 kiosk artworks) is `python -m artdemo.bench --long`, recorded in the README; the
short crowd test is tests/app/test_load_short.py.
"""

from __future__ import annotations

import os

import pytest

from artdemo import config
from tests.support.data import require_data

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.mark.slow
def test_kiosk_loop_over_many_artworks_keeps_memory_files_and_caches_flat(monkeypatch):
    require_data()
    assert any(config.models_dir().glob("*/card.json")), "the trained models ship in models/"
    from artdemo.bench.long import soak

    from artdemo.app.explanations import HEAT_CACHE

    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    # A small saliency cache, so it fills during the run and its bound is what we test.
    monkeypatch.setattr(HEAT_CACHE, "max_entries", 24)
    result = soak(objects=120, warmup=30)
    assert result.objects == 120 and result.failures == 0
    # Memory may wobble with the allocator, but a leak of even one decoded picture or
    # map per artwork (~0.2-0.6 MB) would add tens of MB over 120 artworks.
    assert result.rss_end_mb - result.rss_start_mb < 40, result
    assert result.fds_end <= result.fds_start + 2, result
    assert result.heat_cache_entries <= 24
