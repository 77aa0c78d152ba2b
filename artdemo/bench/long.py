"""The long runs of the benchmark: the kiosk soak and the crowd test (artdemo.bench.load).

`python -m artdemo.bench --long` prints these figures; the test suite runs the same
functions with small counts (tests/e2e/test_soak_load.py, tests/app/test_load_short.py)
so CI catches a leak or a concurrency failure, while the full 1,000-object soak and the
1/8/16/32-visitor figures are recorded in the README from this command.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass



@dataclass
class SoakResult:
    objects: int
    failures: int
    rss_start_mb: float
    rss_mid_mb: float  # halfway: by then the bounded saliency cache is full
    rss_end_mb: float
    fds_start: int
    fds_end: int
    heat_cache_entries: int
    heat_cache_capacity: int
    seconds: float


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def soak(objects: int = 1000, warmup: int = 20) -> SoakResult:
    """Run the kiosk's attract loop over `objects` artworks in this process, as the
    kiosk page does: the real step function, the worker-thread prefetcher, sources,
    models and Grad-CAM. Memory is read after a warm-up so that loading TensorFlow
    and the models doesn't count as growth."""
    from concurrent.futures import ThreadPoolExecutor

    from artdemo.app import kiosk
    from artdemo.bench.core import rss_mb
    from artdemo.app.explanations import HEAT_CACHE

    state = kiosk.KioskState()
    clock, failures = 0.0, 0
    rss_start = fds_start = rss_mid = None
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-soak") as pool:
        fetch = kiosk.Prefetch(pool, kiosk.build_item)
        while state.shown < objects + warmup and failures <= objects // 10 + 5:
            clock += 1.0  # a kiosk interval of 1 s on a simulated clock: every tick is due
            before = state.failures
            state = kiosk.step(state, clock, fetch, interval=1.0, idle_timeout=1.0, item_id=kiosk.item_id)
            failures += state.failures > before
            if fetch.busy:
                time.sleep(0.005)
            if state.shown == warmup and rss_start is None:
                gc.collect()
                rss_start, fds_start = rss_mb(), open_fds()
                start = time.perf_counter()
            if state.shown == warmup + objects // 2 and rss_mid is None:
                gc.collect()
                rss_mid = rss_mb()
    gc.collect()
    return SoakResult(state.shown - warmup, failures, rss_start or float("nan"), rss_mid or float("nan"),
                      rss_mb(), fds_start or 0,
                      open_fds(), len(HEAT_CACHE), HEAT_CACHE.max_entries, time.perf_counter() - start)


def long_figures() -> list:
    from artdemo.bench.core import Figure

    figures = []
    s = soak(1000)
    figures += [
        Figure("soak: kiosk artworks shown in one process", s.objects, "objects", f"{s.failures} failed"),
        Figure("soak: resident memory at start (after 20 warm-up)", s.rss_start_mb, "MB"),
        Figure("soak: resident memory halfway (saliency cache full)", s.rss_mid_mb, "MB"),
        Figure("soak: resident memory at end", s.rss_end_mb, "MB",
               f"{s.rss_end_mb / s.rss_start_mb:.3f}x the start, {s.rss_end_mb / s.rss_mid_mb:.3f}x halfway"),
        Figure("soak: open file descriptors start -> end", s.fds_end, "fds", f"from {s.fds_start}"),
        Figure("soak: saliency cache entries (bounded)", s.heat_cache_entries, "entries",
               f"capacity {s.heat_cache_capacity}"),
        Figure("soak: time per kiosk artwork", s.seconds / max(1, s.objects) * 1e3, "ms",
               "fetch, decode, all heads, Grad-CAM"),
    ]
    from artdemo.bench import load

    return figures + crowd_figures(load.figures())


def crowd_figures(result: dict) -> list:
    """The crowd test's result (artdemo.bench.load.figures) as benchmark figures."""
    from artdemo.bench.core import Figure

    out = []
    for front, data in result.items():
        for key, title in (("cold_start", "server start"), ("after_delay", "10 s after server start")):
            d = data.get(key)
            if d:
                out.append(Figure(f"{front}: visitor at {title}, first classification", d["first_classification_s"],
                                  "s", f"page after {d['page_opened_after_s']:.1f} s; start to first answer "
                                       f"{d['server_start_to_first_answer_s']:.1f} s; {len(d['errors'])} errors"))
        for run in data.get("runs", []):
            n = run["visitors"]
            for side in ("server", "client"):
                for action, spread in sorted(run[side].items()):
                    out.append(Figure(f"{front}: {n} visitors, {side} {action} p95", spread["p95_s"], "s",
                                      f"p50 {spread['p50_s']:.2f} s, n={spread['n']}"))
            out.append(Figure(f"{front}: {n} visitors, errors", len(run["errors"]), "errors",
                              f"{run['served']}/{n} served; peak RSS {run['peak_rss_mb']:.0f} MB; load generator "
                              f"CPU {run['generator_cpu_s']:.1f} s"))
    return out
