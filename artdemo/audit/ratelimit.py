"""How fast the audit may ask the museums, split across the runner's workers.

The rule: the MET allows at most 80 requests per second in all, so the audit's
MET budget is `met_rate` (default 70, the MET client's own figure, leaving room
for retries and a clock that isn't perfect) **for the whole job**, and every
worker process gets `met_rate / request_workers`. Threads of one process share
the process-wide limiter of artdemo.sources.met (the MET client's own requests
go through it too), so only processes count. Other image hosts (MoMA's) get
`other_rate` in all (default 10 per second per host, as the downloader uses),
split the same way.

`request_workers` is how many worker processes may run at once. It can be named
(--request_workers); otherwise it is worked out from the runner's options below,
erring on the side of more processes (a lower rate each).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

MET_RATE = 70.0  # requests per second for the whole job, under the MET's 80
OTHER_RATE = 10.0  # requests per second per other host, for the whole job
UNKNOWN_RUNNER_WORKERS = 16  # a cautious guess when the options don't say


@dataclass(frozen=True)
class RateRule:
    """The whole-job budgets and how many processes share them."""

    met_rate: float = MET_RATE
    other_rate: float = OTHER_RATE
    request_workers: int = 1
    met_hosts: tuple[str, ...] = ("metmuseum.org",)  # a host matches when it is one of these or under one

    @property
    def met_per_worker(self) -> float:
        return self.met_rate / max(1, self.request_workers)

    @property
    def other_per_worker(self) -> float:
        return self.other_rate / max(1, self.request_workers)

    def is_met(self, host: str) -> bool:
        host = (host or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.met_hosts if h)


def worker_processes(options: dict) -> int:
    """The most worker processes the runner may start, from its options (a dict of
    PipelineOptions.get_all_options()). Threads don't count: they share a limiter."""
    if options.get("request_workers"):
        return int(options["request_workers"])
    runner = str(options.get("runner") or "DirectRunner").split(".")[-1].lower()
    if runner in ("directrunner", "direct", "bundlebasedirectrunner", "prismrunner", "prism"):
        if options.get("direct_running_mode") == "multi_processing":
            return max(1, int(options.get("direct_num_workers") or 1))
        return 1
    if runner in ("dataflowrunner", "dataflow"):
        machines = int(options.get("max_num_workers") or options.get("num_workers") or 1000)
        return machines * _vcpus(options.get("machine_type") or "n1-standard-1")
    if runner in ("flinkrunner", "flink"):
        parallelism = int(options.get("parallelism") or -1)
        return parallelism if parallelism > 0 else UNKNOWN_RUNNER_WORKERS
    return UNKNOWN_RUNNER_WORKERS


def _vcpus(machine_type: str) -> int:
    """Dataflow starts one SDK process per vCPU; n1-standard-4 -> 4."""
    found = re.search(r"-(\d+)$", machine_type)
    return int(found.group(1)) if found else 1


_LOCK = threading.Lock()
_OTHER: dict[str, object] = {}
_RULE: RateRule | None = None


def configure(rule: RateRule) -> None:
    """Apply the rule in this worker process (idempotent; every DoFn's setup calls it)."""
    global _RULE
    from artdemo.sources import met

    with _LOCK:
        if _RULE == rule:
            return
        met.LIMITER.interval = 1.0 / rule.met_per_worker  # the MET client's process-wide limiter
        _OTHER.clear()
        _RULE = rule


def reset() -> None:
    """Give the MET client back its own rate (after an in-process run: the DirectRunner's
    workers are this process, and the app or the next test must not keep the audit's share)."""
    global _RULE
    from artdemo.sources import met

    with _LOCK:
        met.LIMITER.interval = 1.0 / met.MAX_RATE
        _OTHER.clear()
        _RULE = None


def acquire(url: str) -> None:
    """Wait for this process's turn to ask the host of `url`."""
    from artdemo.sources import met

    rule = _RULE or RateRule()
    host = (urlsplit(url).hostname or "").lower()
    if rule.is_met(host):
        met.LIMITER.acquire()
        return
    with _LOCK:
        limiter = _OTHER.get(host)
        if limiter is None:
            limiter = _OTHER[host] = met.RateLimiter(rule.other_per_worker)
    limiter.acquire()
