"""Start the real app on 127.0.0.1 for the browser tests, the load test and the benchmark.

One place knows how to start either front end headless on a free port (Streamlit
as `scripts/app.sh` starts it, through artdemo.ui.serve; Gradio as the Space does,
`python gradio_app.py`) and wait until it answers, so the end-to-end tests and
`python -m artdemo.bench --long` drive the very same server a visitor would.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from artdemo import config
from artdemo.bench.core import proc_status_mb
from artdemo.errors import ArtdemoError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Server:
    front: str
    url: str
    proc: subprocess.Popen
    started: float  # time.time() at Popen
    env: dict[str, str]  # what the server was started with, beyond this process's environment

    def peak_rss_mb(self) -> float:
        return proc_status_mb(self.proc.pid, "VmHWM")

    def rss_mb(self) -> float:
        return proc_status_mb(self.proc.pid, "VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(front: str, port: int) -> list[str]:
    if front == "gradio":
        return [sys.executable, "gradio_app.py"]
    return [sys.executable, "-m", "artdemo.ui.serve", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true"]


@contextlib.contextmanager
def running_server(front: str, env: dict[str, str] | None = None, log_path: Path | None = None,
                   wait: bool = True, start_timeout: float = 180.0) -> Iterator[Server]:
    """Start `front` ("streamlit" or "gradio") on a free port with `env` added to this process's
    environment; with `wait`, yield once it answers HTTP. Stopped on exit, killed if it lingers."""
    port = free_port()
    extra = {"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(config.PROJECT_ROOT), "GRADIO_SERVER_PORT": str(port),
             "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    started = time.time()
    proc = subprocess.Popen(_command(front, port), cwd=config.PROJECT_ROOT, env=dict(os.environ, **extra),
                            stdout=log, stderr=subprocess.STDOUT)
    server = Server(front, f"http://127.0.0.1:{port}", proc, started, extra)
    try:
        if wait:
            wait_until_up(server, start_timeout, log_path)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            log.close()


def wait_until_up(server: Server, timeout: float, log_path: Path | None = None) -> float:
    """Seconds since the server process started when it first answered HTTP."""
    path = "/" if server.front == "gradio" else "/_stcore/health"
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as answer:
                if answer.status == 200:
                    return time.time() - server.started
        except OSError:
            pass
        if server.proc.poll() is not None or time.time() > deadline:
            raise ArtdemoError(f"the {server.front} server did not start within {timeout:.0f} s"
                               + (f" (log: {log_path})" if log_path else ""))
        time.sleep(0.2)


@contextlib.contextmanager
def running_streamlit(env: dict[str, str] | None = None, log_path: Path | None = None,
                      start_timeout: float = 90.0) -> Iterator[str]:
    """Yield the base URL of a fresh Streamlit app (as `scripts/app.sh` starts it); stop it afterwards."""
    with running_server("streamlit", env, log_path, start_timeout=start_timeout) as server:
        yield server.url
