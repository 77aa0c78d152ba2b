"""The long runs of the benchmark: the kiosk soak and the concurrent-visitor load test.

`python -m artdemo.bench --long` prints these figures; the test suite runs the
same functions with small counts (tests/e2e/test_soak_load.py) so CI catches a leak
or a concurrency failure, while the full 1,000-object soak and 8-visitor load
figures are recorded in the README from this command.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from artdemo import config


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


@dataclass
class LoadResult:
    users: int
    rounds: int
    errors: list[str]
    single_p95_s: float
    single_median_s: float
    concurrent_p95_s: float
    concurrent_median_s: float


async def _visitor(browser, url: str, rounds: int, timeout_ms: int) -> tuple[list[float], list[str]]:
    """One visitor: open the app, take a cache artwork, then open how the machine sees it; time each answer."""
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    times: list[float] = []
    errors: list[str] = []
    try:
        await page.goto(url)
        for _ in range(rounds):
            await page.get_by_role("link", name="Classify").first.click(timeout=timeout_ms)
            start = time.perf_counter()
            await page.get_by_role("button", name="Random from the collection cache").click(timeout=timeout_ms)
            await page.get_by_text("Museum label:").first.wait_for(timeout=timeout_ms)
            await page.wait_for_function("document.querySelectorAll('[data-testid=stPlotlyChart]').length >= 4",
                                         timeout=timeout_ms)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            # .first: while Streamlit reruns, the old page's link can still be on screen beside the new one
            await page.get_by_role("link", name="See how the machine sees it").first.click(timeout=timeout_ms)
            await page.wait_for_function("document.querySelectorAll('[data-testid=stImage] img').length >= 6",
                                         timeout=timeout_ms)
            times.append(time.perf_counter() - start)
            body = await page.inner_text("body")
            if "Traceback" in body or "Something went wrong" in body:
                errors.append("an error was shown to a visitor")
    except Exception as err:  # a timeout or a crash is a load-test failure, reported, not raised
        errors.append(f"{type(err).__name__}: {str(err).splitlines()[0][:200]}")
    finally:
        await page.close()
    return times, errors


async def _run_visitors(url: str, users: int, rounds: int, timeout_ms: int) -> tuple[list[float], list[str]]:
    from playwright.async_api import async_playwright

    from artdemo.bench.app_server import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            results = await asyncio.gather(*[_visitor(browser, url, rounds, timeout_ms) for _ in range(users)])
        finally:
            await browser.close()
    times = [t for ts, _ in results for t in ts]
    errors = [e for _, es in results for e in es]
    return times, errors


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def load(users: int = 8, rounds: int = 2, timeout_ms: int = 240_000, log_path: Path | None = None) -> LoadResult:
    """One visitor alone, then `users` visitors at once, each classifying and explaining
    `rounds` artworks in a real Chromium against a real `streamlit run`."""
    from artdemo.bench.app_server import running_streamlit

    env = {"ARTDEMO_OFFLINE": "1"}
    with running_streamlit(env, log_path=log_path) as url:
        asyncio.run(_run_visitors(url, 1, 1, timeout_ms))  # warm the server: models, traces
        single, errors_single = asyncio.run(_run_visitors(url, 1, rounds, timeout_ms))
        many, errors_many = asyncio.run(_run_visitors(url, users, rounds, timeout_ms))
    return LoadResult(users, rounds, errors_single + errors_many, p95(single),
                      statistics.median(single) if single else float("nan"), p95(many),
                      statistics.median(many) if many else float("nan"))


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
    artefacts = config.PROJECT_ROOT / "artefacts"
    artefacts.mkdir(exist_ok=True)
    r = load(8, 2, log_path=artefacts / "bench_load_streamlit.log")
    figures += [
        Figure("load: one visitor, p95 per action", r.single_p95_s, "s", f"median {r.single_median_s:.2f} s"),
        Figure(f"load: {r.users} concurrent visitors, p95 per action", r.concurrent_p95_s, "s",
               f"{r.concurrent_p95_s / r.single_p95_s:.1f}x one visitor; median {r.concurrent_median_s:.2f} s"),
        Figure("load: errors seen by visitors", len(r.errors), "errors", "; ".join(r.errors[:3])),
    ]
    return figures
