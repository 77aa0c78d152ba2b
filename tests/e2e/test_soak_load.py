"""Short versions of the benchmark's soak and load runs, so CI catches a leak or a
concurrency failure. The full runs (1,000 kiosk artworks; 8 visitors x 2 rounds)
are `python -m artdemo.bench --long`, recorded in the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from artdemo import config
from artdemo.bench.app_server import CHROMIUM

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

needs_models = pytest.mark.skipif(not any(config.models_dir().glob("*/card.json")),
                                  reason="no trained models in models/ (python -m artdemo train all)")
needs_data = pytest.mark.skipif(not (config.data_dir() / "labels").is_dir(),
                                reason="needs the shared data cache (ARTDEMO_DATA)")


@pytest.mark.slow
@needs_models
@needs_data
def test_kiosk_loop_over_many_artworks_keeps_memory_files_and_caches_flat(monkeypatch):
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


@pytest.mark.slow
@pytest.mark.browser
@needs_models
@needs_data
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_eight_visitors_at_once_all_get_answers_without_errors():
    from artdemo.bench.long import load

    artefacts = config.PROJECT_ROOT / "artefacts"
    artefacts.mkdir(exist_ok=True)
    result = load(users=8, rounds=1, log_path=artefacts / "load_test_streamlit.log")
    assert result.errors == [], result.errors
    assert result.concurrent_p95_s == result.concurrent_p95_s  # measured (not NaN): every visitor was timed
    # Eight visitors share two cores, so each waits its turn; a deadlock or a
    # serialised-per-session bug would push p95 far beyond eight times one visitor's.
    assert result.concurrent_p95_s < 8 * result.single_p95_s + 30, result
