"""A visitor for the Streamlit app without a browser: its websocket protocol, spoken directly.

Why: eight Chromium pages on a 2-core machine cost as much CPU as the app they
measure. This client does what the browser's script does for a visitor (open
the app, press a button, follow a page link) with Streamlit's own protobuf
messages over `/_stcore/stream`, and fetches the pictures a browser would
fetch, at a few milliseconds of CPU per action. A run ends when the server says
the page's script finished; its elements (charts, pictures, alerts, exceptions)
are kept so the caller can check what the visitor would have seen.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

CLOSE_TIMEOUT = 5.0


@dataclass
class PageRun:
    """One run of a page's script: how long it took and what it drew."""

    seconds: float
    elements: list[tuple[str, Any]] = field(default_factory=list)  # (element type, protobuf element)

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.elements if k == kind)

    def text(self) -> str:
        """Every markdown and alert body, for checks on what the visitor reads."""
        parts = []
        for kind, element in self.elements:
            if kind == "markdown":
                parts.append(element.markdown.body)
            elif kind == "alert":
                parts.append(element.alert.body)
        return "\n".join(parts)

    def problem(self) -> str:
        """'' when the page ran cleanly; else the error or exception it showed."""
        for kind, element in self.elements:
            if kind == "exception":
                return f"exception shown: {element.exception.type}: {element.exception.message[:200]}"
            if kind == "alert" and element.alert.format == 1:  # Alert.Format.ERROR
                return f"error shown: {element.alert.body[:200]}"
        return ""


class StreamlitSession:
    """One visitor's session (one websocket) on a running `streamlit run`."""

    def __init__(self, url: str, timeout: float = 300.0, fetch_media: bool = True) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.fetch_media = fetch_media
        self.pages: dict[str, str] = {}  # url_pathname ("" for the default page) -> page_script_hash
        self.page_hash = ""
        self.last: PageRun | None = None
        self._ws = None

    def __enter__(self) -> "StreamlitSession":
        from websockets.sync.client import connect

        ws_url = "ws" + self.url[len("http"):] + "/_stcore/stream"
        self._ws = connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout,
                           close_timeout=CLOSE_TIMEOUT)
        return self

    def __exit__(self, *exc) -> None:
        if self._ws is not None:
            self._ws.close()

    def open(self, url_pathname: str = "") -> PageRun:
        """Open the app (the default page, or the page at `url_pathname`), as a browser tab does."""
        return self._rerun(self.pages.get(url_pathname, ""), [], page_name=url_pathname)

    def open_page(self, url_pathname: str) -> PageRun:
        """Follow a link to another page of the app ("" is the default page)."""
        if url_pathname not in self.pages:
            raise KeyError(f"no page {url_pathname!r}; the app has {sorted(self.pages)}")
        return self._rerun(self.pages[url_pathname], [], page_name=url_pathname)

    def click(self, key: str) -> PageRun:
        """Press the button whose widget key is `key` on the current page."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        ids = [e.button.id for kind, e in (self.last.elements if self.last else []) if kind == "button"]
        matches = [i for i in ids if i.endswith(key) or f"-{key}" in i]
        if not matches:
            raise KeyError(f"no button {key!r} on the page")
        return self._rerun(self.page_hash, [WidgetState(id=matches[0], trigger_value=True)])

    def _rerun(self, page_hash: str, widgets: list, page_name: str = "") -> PageRun:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page_hash
        msg.rerun_script.page_name = page_name
        msg.rerun_script.widget_states.widgets.extend(widgets)
        start = time.perf_counter()
        self._ws.send(msg.SerializeToString())
        run = self._read_run(start)
        self.last = run
        return run

    def _read_run(self, start: float) -> PageRun:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        deadline = time.monotonic() + self.timeout
        elements: dict[tuple[int, ...], tuple[str, Any]] = {}  # by place on the page: a new one replaces
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the page did not finish within {self.timeout:.0f} s")
            raw = self._ws.recv(timeout=left)
            if isinstance(raw, str):
                continue
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":  # a script run starts: the page is drawn afresh
                elements = {}
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
                self._learn_pages(msg.new_session.app_pages)
            elif kind == "navigation":
                self._learn_pages(msg.navigation.app_pages)
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                elements[tuple(msg.metadata.delta_path)] = (element.WhichOneof("type"), element)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the page asked for another run; the visitor waits for that one
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the page failed to compile")
                shown = list(elements.values())
                self._fetch_media(shown)
                return PageRun(time.perf_counter() - start, shown)

    def _learn_pages(self, app_pages) -> None:
        for page in app_pages:
            self.pages[page.url_pathname] = page.page_script_hash
            if page.is_default:
                self.pages[""] = page.page_script_hash

    def _fetch_media(self, elements: list[tuple[str, Any]]) -> None:
        """Download the pictures, as a browser would (part of what the visitor waits for)."""
        if not self.fetch_media:
            return
        for kind, element in elements:
            if kind != "imgs":
                continue
            for img in element.imgs.imgs:
                if img.url.startswith("/"):
                    with urllib.request.urlopen(self.url + img.url, timeout=self.timeout) as answer:
                        answer.read()
