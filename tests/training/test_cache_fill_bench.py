"""The benchmark's cache-fill section fills a fresh cache both ways and leaves the process as it was."""

import math
import os

from artdemo.bench import cache_fill
from artdemo.training import feature_cache
from tests.support.data import require_data


def test_it_times_each_look_with_one_and_with_the_set_number_of_preparing_threads(tmp_path, monkeypatch):
    require_data()
    monkeypatch.setenv("ARTDEMO_CACHE", str(tmp_path))
    setting = feature_cache.PREPARE_WORKERS
    figures = cache_fill.fill_rates(n=6)
    names = [name for name, _, _ in figures]
    assert len(names) == 4 and all("6 images" in n for n in names)
    assert [("clean" in n, "1 preparing" in n) for n in names] == [(True, True), (True, False),
                                                                   (False, True), (False, False)]
    assert all(math.isfinite(v) and v > 0 and unit == "images/s" for _, v, unit in figures)
    assert feature_cache.PREPARE_WORKERS == setting and os.environ["ARTDEMO_CACHE"] == str(tmp_path)
    assert not any(tmp_path.iterdir())  # it filled temporary caches, never the user's
