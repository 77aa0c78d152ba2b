"""The crowd test: 1, 8, 16 and 32 visitors against the real Gradio and Streamlit servers.

Each visitor classifies an artwork and then opens a saliency map (Grad-CAM of the
model's answer), `rounds` times. Two clocks, side by side:
- end to end, in the load generator (what a visitor waits);
- on the server, request received -> answer produced, from the timings the
  server logs (artdemo.app.timings, ARTDEMO_TIMINGS_LOG).

The load generator runs in its own process at a lower CPU priority (nice 10), so
on a 2-core machine the app gets the CPU first; its own CPU seconds are reported
beside the figures. Gradio is driven through `gradio_client`; Streamlit through
its real websocket protocol (artdemo.bench.streamlit_client), no browser.

Before the crowds, one untimed visit traces the map models, and the lone visitor makes
SOLO_ROUNDS times the crowds' rounds: the crowds are compared with a steady one-visitor p95.

Also: cold start (server process start -> the first visitor's first answer), and a
visitor who opens the app 10 s after the server started (time from their click to
their first classification). Peak resident memory of the server is its VmHWM.

`figures()` returns everything as a dict; `short_figures()` is the CI-sized run.
The crowd part alone: `python -m artdemo.bench.load [--fronts gradio,streamlit] [--visitors 1,8]
[--rounds N]`. Run the load generator alone: `python -m artdemo.bench.load drive gradio URL VISITORS
ROUNDS SEED`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from artdemo import config
from artdemo.app.timings import percentile, read_log
from artdemo.bench import app_server
from artdemo.bench.app_server import Server, wait_until_up

FRONTS = ("gradio", "streamlit")
VISITORS = (1, 8, 16, 32)
ROUNDS = 6  # per visitor in a crowd: 8 visitors' p95 rests on 48 requests (with 2, on 16, and their ratio
# to one visitor's p95 moved between 0.6x and 7.5x from run to run)
SOLO_ROUNDS = 4  # the one-visitor run makes this many times the rounds of the crowds
REQUEST_TIMEOUT = 300.0


# --- the server -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def running_server(front: str, workdir: Path, env: dict[str, str] | None = None,
                   wait: bool = True, start_timeout: float = 180.0) -> Iterator[Server]:
    """The real app (artdemo.bench.app_server) offline, its timings logged to `workdir`
    (the server's `timings_log(server)`), its output to a log file there."""
    stamp = f"{front}-{time.time_ns()}"
    env = {"ARTDEMO_OFFLINE": "1", "ARTDEMO_TIMINGS_LOG": str(workdir / f"timings-{stamp}.jsonl"),
           **(env or {})}
    with app_server.running_server(front, env, workdir / f"server-{stamp}.log", wait,
                                   start_timeout) as server:
        yield server


def timings_log(server: Server) -> Path:
    """Where the server writes each action's time (artdemo.app.timings)."""
    return Path(server.env["ARTDEMO_TIMINGS_LOG"])


# --- visitors (run inside the load generator process) ---------------------------------------------------


@dataclass
class VisitorLog:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    completed: bool = False

    def timed(self, action: str, seconds: float) -> None:
        self.times.setdefault(action, []).append(seconds)


def artwork_paths(count: int, seed: int) -> list[str]:
    """`count` different data-cache pictures (absolute paths), the same for the same seed."""
    from artdemo.sources.datacache import list_labelled, resolve

    rows = sorted({row.path for row in list_labelled("style")})
    picks = random.Random(seed).sample(rows, min(count, len(rows)))
    return [str(resolve(path)) for path in picks]


def gradio_visitor(url: str, pictures: list[str], log: VisitorLog) -> None:
    """One Gradio visitor: for each picture, /classify it, then /explain the style model's answer."""
    from gradio_client import Client, handle_file

    try:
        client = Client(url, verbose=False)
        for path in pictures:
            start = time.perf_counter()
            answer = client.submit(handle_file(path), api_name="/classify").result(timeout=REQUEST_TIMEOUT)
            log.timed("classify", time.perf_counter() - start)
            task, prediction = next(iter(answer["predictions"].items()))
            start = time.perf_counter()
            client.submit(handle_file(path), task, prediction["predicted"], "gradcam",
                          api_name="/explain").result(timeout=REQUEST_TIMEOUT)
            log.timed("explain", time.perf_counter() - start)
        log.completed = True
    except Exception as err:  # reported, not raised: a load test counts failures
        log.errors.append(f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}")


def streamlit_visitor(url: str, rounds: int, log: VisitorLog) -> None:
    """One Streamlit visitor over the websocket protocol: "Random from the collection cache" on
    Classify, then "How the machine sees"; each timed until the page's run finished."""
    from artdemo.bench.streamlit_client import StreamlitSession

    try:
        with StreamlitSession(url, timeout=REQUEST_TIMEOUT) as session:
            session.open()
            for _ in range(rounds):
                run = session.click("btn_cache")
                log.timed("classify", run.seconds)
                problem = run.problem() or ("" if run.count("plotly_chart") else "no probability chart shown")
                if problem:
                    log.errors.append(f"classify: {problem}")
                    return
                run = session.open_page("how-the-machine-sees")
                log.timed("explain", run.seconds)
                problem = run.problem() or ("" if run.count("imgs") >= 2 else "no saliency map shown")
                if problem:
                    log.errors.append(f"explain: {problem}")
                    return
                session.open_page("")  # back to Classify for the next round (not timed)
        log.completed = True
    except Exception as err:
        log.errors.append(f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}")


def first_visit(front: str, url: str, seed: int, start_at: float) -> dict:
    """The first visitor: waits until `start_at` (epoch s), opens the app as soon as it answers,
    clicks once. Epoch times of opening, clicking and the answer."""
    time.sleep(max(0.0, start_at - time.time()))
    health = "/" if front == "gradio" else "/_stcore/health"
    while True:
        try:
            with urllib.request.urlopen(url + health, timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    errors: list[str] = []
    try:
        if front == "gradio":
            from gradio_client import Client, handle_file

            picture = handle_file(artwork_paths(1, seed)[0])
            client = Client(url, verbose=False)
            opened = clicked = time.time()
            client.submit(picture, api_name="/classify").result(timeout=REQUEST_TIMEOUT)
            answered = time.time()
        else:
            from artdemo.bench.streamlit_client import StreamlitSession

            with StreamlitSession(url, timeout=REQUEST_TIMEOUT) as session:
                session.open()
                opened = clicked = time.time()
                run = session.click("btn_cache")
                answered = time.time()
                if run.problem():
                    errors.append(run.problem())
    except Exception as err:
        errors.append(f"{type(err).__name__}: {str(err)[:200]}")
        opened = clicked = answered = float("nan")
    return {"opened": opened, "clicked": clicked, "answered": answered, "errors": errors}


def drive(front: str, url: str, visitors: int, rounds: int, seed: int) -> dict:
    """Start `visitors` visitors at once (threads); what each waited, and what went wrong."""
    pictures = artwork_paths(visitors * rounds, seed) if front == "gradio" else []
    logs = [VisitorLog() for _ in range(visitors)]
    threads = []
    for i, log in enumerate(logs):
        if front == "gradio":
            mine = pictures[i * rounds:(i + 1) * rounds]
            threads.append(threading.Thread(target=gradio_visitor, args=(url, mine, log)))
        else:
            threads.append(threading.Thread(target=streamlit_visitor, args=(url, rounds, log)))
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times: dict[str, list[float]] = {}
    for log in logs:
        for action, values in log.times.items():
            times.setdefault(action, []).extend(values)
    return {"times": times, "errors": [e for log in logs for e in log.errors],
            "served": sum(log.completed for log in logs), "started": started, "ended": time.time()}


def _drive_in_generator(front: str, url: str, visitors: int, rounds: int, seed: int, mode: str = "drive",
                        extra: list[str] | None = None) -> tuple[dict, float]:
    """Run `drive` (or `first_visit`) in a separate, niced process; (its result, its CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-m", "artdemo.bench.load", mode, front, url, str(visitors), str(rounds), str(seed),
         *(extra or [])],
        capture_output=True, text=True, cwd=config.PROJECT_ROOT, preexec_fn=lambda: os.nice(10),
        env=dict(os.environ, PYTHONPATH=str(config.PROJECT_ROOT), TF_CPP_MIN_LOG_LEVEL="2"),
        timeout=REQUEST_TIMEOUT * (2 * rounds + 2),
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"the load generator failed: {out.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(lines[-1]), cpu


# --- figures --------------------------------------------------------------------------------------------


def _spread(values: list[float]) -> dict:
    return {"n": len(values), "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
            "max_s": max(values) if values else float("nan")}


@dataclass
class RunFigures:
    front: str
    visitors: int
    rounds: int
    client: dict[str, dict]  # action -> n, p50_s, p95_s, max_s (end to end)
    server: dict[str, dict]  # server-side action -> n, p50_s, p95_s, max_s
    errors: list[str]
    served: int  # visitors who got every answer
    peak_rss_mb: float  # the server's peak so far
    seconds: float
    generator_cpu_s: float


def load_run(server: Server, visitors: int, rounds: int, seed: int = 0) -> RunFigures:
    """`visitors` at once against a running server."""
    result, cpu = _drive_in_generator(server.front, server.url, visitors, rounds, seed)
    time.sleep(0.3)  # the last timing lines reach the log
    server_times = read_log(timings_log(server), result["started"], result["ended"] + 0.5)
    return RunFigures(server.front, visitors, rounds, {a: _spread(v) for a, v in result["times"].items()},
                      {a: _spread(v) for a, v in server_times.items()}, result["errors"], result["served"],
                      server.peak_rss_mb(), result["ended"] - result["started"], cpu)


def first_answer(server: Server, delay: float = 0.0) -> dict:
    """A visitor who opens the app `delay` s after the server process started (or as soon as it
    answers, if later) and classifies one artwork. The load generator starts at once and waits
    itself, so its own start-up is not counted."""
    result, _ = _drive_in_generator(server.front, server.url, 1, 1, seed=1000 + int(delay), mode="first",
                                    extra=[repr(server.started + delay)])
    return {"page_opened_after_s": result["opened"] - server.started,
            "first_classification_s": result["answered"] - result["clicked"],
            "server_start_to_first_answer_s": result["answered"] - server.started,
            "errors": result["errors"]}


def front_figures(front: str, visitors: tuple[int, ...] = VISITORS, rounds: int = ROUNDS, precompute: bool = True,
                  after_delay: float | None = 10.0, workdir: Path | None = None) -> dict:
    """Cold start, a visitor `after_delay` s after start (a fresh server), then each crowd size."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix=f"artdemo-load-{front}-"))
    env = {"ARTDEMO_CACHE": str(workdir / "cache"), "ARTDEMO_PRECOMPUTE": "1" if precompute else "0"}
    out: dict = {"front": front}
    if after_delay is not None:
        with running_server(front, workdir, env, wait=False) as server:
            out["after_delay"] = {"delay_s": after_delay, **first_answer(server, after_delay)}
    with running_server(front, workdir, env, wait=False) as server:
        out["cold_start"] = first_answer(server, 0.0)
        wait_until_up(server, 300)
        # One untimed visit first: it pays for tracing the map models (the cold-start figures above
        # hold what the first visitors wait), so the one-visitor baseline the crowds are compared
        # with is a steady one. The lone visitor makes SOLO_ROUNDS times the rounds, so its p95 is
        # not just the larger of two numbers.
        out["priming"] = asdict(load_run(server, 1, 1, seed=999))
        out["runs"] = [asdict(load_run(server, n, rounds * (SOLO_ROUNDS if n == 1 else 1), seed=n))
                       for n in visitors]
        out["peak_rss_mb"] = server.peak_rss_mb()
    return out


def figures(fronts: tuple[str, ...] = FRONTS, visitors: tuple[int, ...] = VISITORS, rounds: int = ROUNDS) -> dict:
    """The full load test (`python -m artdemo.bench --long`): every front end, every crowd size."""
    return {front: front_figures(front, visitors, rounds) for front in fronts}


def short_figures(workdir: Path | None = None) -> dict:
    """The CI-sized run: Gradio through gradio_client, 1 and 8 visitors, one round, no precomputing."""
    return front_figures("gradio", (1, 8), rounds=1, precompute=False, after_delay=None, workdir=workdir)


def lines(result: dict) -> list[str]:
    """The figures as printable lines (one per action and crowd size)."""
    out = []
    for front, data in result.items():
        for key in ("cold_start", "after_delay"):
            if key in data:
                d = data[key]
                out.append(f"{front} {key}: page after {d['page_opened_after_s']:.1f} s, first classification "
                           f"{d['first_classification_s']:.2f} s, start to first answer "
                           f"{d['server_start_to_first_answer_s']:.1f} s, errors {len(d['errors'])}")
        for run in data.get("runs", []):
            for side in ("client", "server"):
                for action, s in sorted(run[side].items()):
                    out.append(f"{front} {run['visitors']:>2} visitors {side:<6} {action:<16} p50 {s['p50_s']:6.2f} s"
                               f"  p95 {s['p95_s']:6.2f} s  (n={s['n']})")
            out.append(f"{front} {run['visitors']:>2} visitors: served {run['served']}/{run['visitors']}, "
                       f"errors {len(run['errors'])}, server peak RSS {run['peak_rss_mb']:.0f} MB, "
                       f"load generator CPU {run['generator_cpu_s']:.1f} s")
    return out


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected crowd sizes such as 1,8, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"crowd sizes must be at least 1, got {text!r}")
    return sizes


def _fronts(text: str) -> tuple[str, ...]:
    fronts = tuple(text.split(","))
    unknown = sorted(set(fronts) - set(FRONTS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown front end {', '.join(unknown)}; choose from {', '.join(FRONTS)}")
    return fronts


def _rounds(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"rounds must be a whole number of at least 1, got {text!r}")
    return int(text)


def arguments() -> argparse.ArgumentParser:
    """The crowd test alone, for any front end, crowd sizes and rounds."""
    parser = argparse.ArgumentParser(prog="python -m artdemo.bench.load",
                                     description="The crowd test: visitors classify and open a map, timed on "
                                                 "the server and end to end (`short`: the CI-sized run).")
    parser.add_argument("--fronts", type=_fronts, default=FRONTS, help="gradio, streamlit or both (default both)")
    parser.add_argument("--visitors", type=_sizes, default=VISITORS,
                        help="crowd sizes, comma-separated (default 1,8,16,32)")
    parser.add_argument("--rounds", type=_rounds, default=ROUNDS,
                        help=f"rounds per visitor in a crowd (default {ROUNDS}; the lone visitor makes {SOLO_ROUNDS} "
                             "times as many)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("drive", "first"):
        front, url, visitors, rounds, seed = args[1], args[2], int(args[3]), int(args[4]), int(args[5])
        if args[0] == "first":
            print(json.dumps(first_visit(front, url, seed, float(args[6]))))
        else:
            print(json.dumps(drive(front, url, visitors, rounds, seed)))
        return 0
    if args[:1] == ["short"]:
        result = short_figures()
    else:
        options = arguments().parse_args(args)
        result = figures(options.fronts, options.visitors, options.rounds)
    print("\n".join(lines(result)))
    print(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
