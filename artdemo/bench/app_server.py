"""Start `streamlit run app.py` on 127.0.0.1 for the browser tests, the load test and the benchmark.

One place knows how to start the app headless on a free port and wait until it
answers its health check, so the end-to-end tests and `python -m artdemo.bench
--long` drive the very same server a visitor would.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from artdemo import config
from artdemo.errors import ArtdemoError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_streamlit(env: dict[str, str] | None = None, log_path: Path | None = None,
                      start_timeout: float = 90.0) -> Iterator[str]:
    """Yield the base URL of a fresh `streamlit run app.py`; stop it afterwards."""
    port = free_port()
    full_env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(config.PROJECT_ROOT), **(env or {}))
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=config.PROJECT_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_timeout
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise ArtdemoError(f"streamlit did not start within {start_timeout:.0f} s (log: {log_path})")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log_path:
            log.close()
