"""Shared pieces for the hardening tests: a local "web site" serving the bad-input
corpus and abusive responses, the guard's test hook, and the Gradio browser protocol.

Everything runs on 127.0.0.1. The URL guard refuses 127.0.0.1 for visitors' links,
so tests that need a "public" site wrap `safe_url.is_public_address` to accept
exactly 127.0.0.1 (`loopback_is_public`); every other address keeps the real check.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from artdemo.sources import safe_url
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import decode_image
from tests.support.bad_inputs import Case, encode, noisy_rgb

GOOD_PNG = encode(noisy_rgb(48, 32, seed=5), "PNG")


class PayloadServer:
    """A small web site on 127.0.0.1.

    Routes: /case/<name>/<filename> (a corpus case's bytes), /good.png,
    /redirect?to=URL[&code=307] (302 unless code is given), /drip (a byte every 50 ms), /endless (no end, no length).
    `hits` lists every path asked for, so tests can prove a refused URL was never fetched.
    """

    def __init__(self, cases: list[Case] | None = None) -> None:
        self.cases = {case.name: case for case in cases or []}
        self.hits: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def case_url(self, case: Case) -> str:
        return f"{self.base}/case/{case.name}/{quote(case.filename)}"

    def __enter__(self) -> PayloadServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(site: PayloadServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            site.hits.append(self.path)
            url = urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            if parts[0] == "case" and len(parts) >= 2 and parts[1] in site.cases:
                return self._send(200, site.cases[parts[1]].data)
            if parts[0] == "good.png":
                return self._send(200, GOOD_PNG, "image/png")
            if parts[0] == "redirect":
                query = parse_qs(url.query)
                status = int(query.get("code", ["302"])[0])
                return self._send(status, b"", headers={"Location": query["to"][0]})
            if parts[0] == "drip":
                return self._drip()
            if parts[0] == "endless":
                return self._endless()
            self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, kind: str = "application/octet-stream",
                  headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

        def _drip(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(GOOD_PNG)))
            self.end_headers()
            with contextlib.suppress(OSError):
                for index in range(len(GOOD_PNG)):
                    self.wfile.write(GOOD_PNG[index:index + 1])
                    self.wfile.flush()
                    time.sleep(0.05)

        def _endless(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(GOOD_PNG[:64])
                while True:
                    self.wfile.write(b"\0" * 65536)

    return Handler


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never says a word; yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    worker = threading.Thread(target=accept, daemon=True)
    worker.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        worker.join()
        for sock in held:
            sock.close()
        listener.close()


@contextlib.contextmanager
def loopback_is_public() -> Iterator[None]:
    """Treat exactly 127.0.0.1 as public (the guard's documented test hook)."""
    real = safe_url.is_public_address
    stand_in = ipaddress.ip_address("127.0.0.1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(safe_url, "is_public_address", lambda ip: ip == stand_in or real(ip))
        yield


def decode_message(data: bytes) -> str:
    """What the one safe decoder says about these bytes (every entry point must say the same)."""
    try:
        decode_image(data)
    except ArtdemoError as err:
        return str(err)
    raise AssertionError("expected the decoder to refuse these bytes")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gradio_app_running() -> Iterator[tuple[object, str]]:
    """The Gradio variant launched on 127.0.0.1 as `python gradio_app.py` launches it."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ARTDEMO_HF_REPO", "ARTDEMO_OFFLINE"):
            mp.delenv(name, raising=False)
        import gradio_app

        demo = gradio_app.build()
        _, url, _ = demo.queue(default_concurrency_limit=1).launch(
            server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True,
            max_file_size="25mb")
        try:
            yield demo, url
        finally:
            demo.close()


def fn_index(demo: object, name: str) -> int:
    """The event index of a UI handler (the browser calls UI events by index)."""
    for index, block_fn in demo.fns.items():
        if getattr(block_fn.fn, "__name__", None) == name:
            return index
    raise KeyError(name)


def gradio_browser_call(url: str, index: int, data: list, timeout: float = 120) -> dict:
    """Run one UI event the way the browser does (queue join, then the event stream).

    Returns the final message: {"success": True, "output": {"data": [...]}} or
    {"success": False, "output": {"error": "<what the visitor sees>"}}; warnings
    (gr.Warning toasts) are collected under "warnings".
    """
    session = uuid.uuid4().hex[:12]
    body = json.dumps({"data": data, "fn_index": index, "session_hash": session,
                       "event_data": None, "trigger_id": None}).encode()
    request = urllib.request.Request(f"{url}gradio_api/queue/join", data=body,
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()
    warnings: list[str] = []
    with urllib.request.urlopen(f"{url}gradio_api/queue/data?session_hash={session}",
                                timeout=timeout) as stream:
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "log":
                warnings.append(message.get("log", ""))
            if message.get("msg") == "process_completed":
                message["warnings"] = warnings
                return message
    raise AssertionError("the event stream ended without a result")
