"""A minute of a misbehaving MET and MoMA: every call gives an artwork or a clear message."""

from __future__ import annotations

import random
import threading
import time

import pytest

from artdemo.sources import objects as sources
from artdemo.errors import ArtdemoError
from tests.support.standin_server import FAULT_KINDS

SOAK_SECONDS = 60.0


def _keep_faulting(standin, stop: threading.Event, rng: random.Random) -> None:
    """Switch to a random mix of faults every 0.5-2 s: persistent, next-N, API-only, image-only."""
    while not stop.is_set():
        standin.clear_faults()
        for _ in range(rng.randint(1, 3)):
            prefix = rng.choice(["", standin.met_path, "/images/", "/moma/"])
            times = rng.choice([None, 1, 2, 5])
            standin.fault(rng.choice(FAULT_KINDS), times=times, prefix=prefix,
                          delay=rng.uniform(0.2, 2.0), retry_after=rng.uniform(0, 3))
        stop.wait(rng.uniform(0.5, 2.0))


@pytest.mark.slow
def test_random_object_under_sustained_faults(standin, monkeypatch):
    monkeypatch.setenv("ARTDEMO_MET_TIMEOUT", "1.5")
    monkeypatch.setenv("ARTDEMO_MET_DEADLINE", "4")
    rng = random.Random(2026)
    stop = threading.Event()
    chaos = threading.Thread(target=_keep_faulting, args=(standin, stop, random.Random(7)), daemon=True)
    chaos.start()
    outcomes: dict[str, int] = {"ok": 0, "message": 0}
    slowest = 0.0
    end = time.monotonic() + SOAK_SECONDS
    try:
        while time.monotonic() < end:
            source = rng.choice(["met", "met", "moma"])
            start = time.monotonic()
            try:
                obj = sources.random_object(source, rng)
                assert obj.image_bytes and obj.source == source
                outcomes["ok"] += 1
            except sources.UnexpectedSourceError as err:  # a bug slipped through
                pytest.fail(f"unexpected failure: {err.__cause__!r}")
            except ArtdemoError as err:
                assert str(err) and "Traceback" not in str(err)
                outcomes["message"] += 1
            slowest = max(slowest, time.monotonic() - start)
    finally:
        stop.set()
        chaos.join()
    print(f"soak: {outcomes}, slowest call {slowest:.1f} s, {standin.count()} requests")
    assert outcomes["ok"] > 0 and outcomes["message"] > 0
    assert slowest < 30
    standin.clear_faults()
    assert sources.random_object("met").image_bytes  # recovers once the server does
