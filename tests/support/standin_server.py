"""A stand-in for the MET Collection API, MoMA's Artworks.csv and image hosts, on 127.0.0.1.

Tests run the real clients against it, so they see real sockets, real HTTP and
real failures, but never the internet. It replays the recorded MET responses
in `<data>/museum/met/fixtures/` and answers everything else from data
generated at start-up (nothing binary or CSV is committed).

Use it through the pytest fixture `standin` (tests/conftest.py), which starts
one server per test and points the app at it with monkeypatch:
ARTDEMO_MET_API, ARTDEMO_MOMA_CSV (today's form, with ImageURL), a fresh
ARTDEMO_CACHE, and ARTDEMO_OFFLINE unset. Or use `StandIn()` as a context manager.

Routes (all GET)
- `{met_api}/objects` -> recorded list (total 484269, ids 1..14)
- `{met_api}/objects/{id}` -> recorded object JSON for ids 1, 45734, 193506,
  436533, 437133, 544120; synthetic objects (a recorded one as template, new
  id) for ids in the recorded search/objects lists, ids added with
  `add_object`, and any numeric id when `synthesize_any = True`;
  404 {"message": "Not a valid object"} for other ids, 404 "ObjectID not found"
  for ids in `missing_ids`, 400 "could not parse objectID" for non-numeric ids.
- `{met_api}/departments` -> recorded departments (19).
- `{met_api}/search?q=..` -> q=sunflowers: recorded 89 ids; q in
  `empty_queries` (default {"nothing", "zzzz"}): {"total":0,"objectIDs":null};
  any other q: the recorded 112-id answer. A missing q is a 400. With
  `search_gone = True`, a 404 (as after the MET retires v1 /search).
- `/images/<anything>.jpg` -> a JPEG generated from the path (same path, same
  picture). Image URLs in replayed JSON (images.metmuseum.org) are rewritten
  to `/images/met/...`; synthetic objects use `/images/met/<id>.jpg`.
- `/cache/<relative path>` -> a file from the data cache (e.g. images/galc/x.jpg).
- `/moma/Artworks.csv` (today's columns, ImageURL), `/moma/Artworks_2017.csv`
  (ThumbnailURL), `/moma/Artworks_sample.csv` (22-column form, no images):
  the first `moma_rows` rows of the shared sample, artist names joined from
  Artists.csv; every third row has no image, as in MoMA's file.

Faults, switchable at any time from the test thread
    standin.fault("500")                      # every request, until clear_faults()
    standin.fault("429", times=2, retry_after=1)   # the next 2 requests only
    standin.fault("slow", delay=3.0, prefix="/images/")
    standin.clear_faults()
Kinds: "slow" (sleep `delay`, then answer normally), "500", "429" (with
Retry-After), "403html" (the MET firewall's HTML page), "html200" (the same
page with status 200), "garbage" (non-JSON bytes, status 200), "truncated"
(JSON cut in half, correct Content-Length), "reset" (TCP reset, no answer),
"noimages" (objects with empty primaryImage/primaryImageSmall). `times=N` is the
"fail the next N requests" mode; `prefix` limits a fault to paths starting with
it (e.g. `standin.met_path + "/objects"`). Several faults stack; the first
matching one that still has turns applies.

Inspection: `standin.log` (list of `Hit(time, path, status)`),
`standin.count(prefix)`, `standin.max_rate(window=1.0, prefix=...)` (most
requests seen in any window, per second).
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from artdemo import config
from tests.support.standin_data import generated_jpeg, moma_csv

MET_PATH = "/public/collection/v1"
FAULT_KINDS = ("slow", "500", "429", "403html", "html200", "garbage", "truncated", "reset", "noimages")
FIREWALL_HTML = (
    "<html style=\"height:100%\"><head><META NAME=\"ROBOTS\" CONTENT=\"NOINDEX, NOFOLLOW\">"
    "</head><body style=\"margin:0px;height:100%\"><iframe id=\"main-iframe\" "
    "src=\"/_Incapsula_Resource?CWUDNSAI=9&xinfo=1\" frameborder=0 width=\"100%\" "
    "height=\"100%\">Request unsuccessful. Incapsula incident ID: 1234-56789</iframe></body></html>"
)
_MET_IMAGE_HOST = re.compile(r"https?://images\.metmuseum\.org/")


@dataclass
class Fault:
    kind: str
    times: int | None = None  # None: until cleared
    prefix: str = ""
    delay: float = 2.0
    retry_after: float = 1.0


@dataclass
class Hit:
    time: float
    path: str
    status: int


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class StandIn:
    """One server on 127.0.0.1 at a random port, serving from a background thread."""

    def __init__(self, data_root: Path | None = None, moma_rows: int = 120) -> None:
        self.data_root = Path(data_root) if data_root else config.data_dir()
        self.fixtures = self.data_root / "museum" / "met" / "fixtures"
        self.moma_rows = moma_rows
        self.missing_ids: set[int] = set()
        self.empty_queries: set[str] = {"nothing", "zzzz"}
        self.synthesize_any = False
        self.search_gone = False  # /search answers 404, as after the MET retires v1 search
        self.log: list[Hit] = []
        self._faults: list[Fault] = []
        self._extra: dict[int, dict] = {}
        self._lock = threading.Lock()
        self._csv_cache: dict[str, bytes] = {}
        self._load_fixtures()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def met_path(self) -> str:
        return MET_PATH

    @property
    def met_api(self) -> str:
        return self.base_url + MET_PATH

    @property
    def moma_csv_url(self) -> str:
        return self.base_url + "/moma/Artworks.csv"

    @property
    def moma_csv_2017_url(self) -> str:
        return self.base_url + "/moma/Artworks_2017.csv"

    @property
    def moma_csv_sample_url(self) -> str:
        return self.base_url + "/moma/Artworks_sample.csv"

    def image_url(self, name: str) -> str:
        return f"{self.base_url}/images/{name}.jpg"

    # -- control -----------------------------------------------------------
    def fault(self, kind: str, *, times: int | None = None, prefix: str = "",
              delay: float = 2.0, retry_after: float = 1.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self._lock:
            self._faults.append(Fault(kind, times, prefix, delay, retry_after))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def add_object(self, object_id: int, *, medium: str = "Lithograph", title: str = "",
                   image: bool = True, public_domain: bool = True) -> None:
        """Serve a synthetic object with this id (and medium) from now on."""
        self._extra[int(object_id)] = {
            "medium": medium, "title": title or f"Stand-in object {object_id}",
            "image": image, "public_domain": public_domain,
        }

    def count(self, prefix: str = "") -> int:
        with self._lock:
            return sum(1 for hit in self.log if hit.path.startswith(prefix))

    def max_rate(self, window: float = 1.0, prefix: str = "") -> float:
        """Most requests seen in any `window` seconds, as requests per second."""
        with self._lock:
            times = sorted(h.time for h in self.log if h.path.startswith(prefix))
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] > window:
                start += 1
            best = max(best, end - start + 1)
        return best / window

    # -- internals ---------------------------------------------------------
    def _load_fixtures(self) -> None:
        def load(name: str) -> dict:
            return json.loads((self.fixtures / name).read_text(encoding="utf-8"))

        self.recorded: dict[int, dict] = {}
        for path in sorted(self.fixtures.glob("object_*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            self.recorded[int(data["objectID"])] = data
        self.departments = load("departments.json")
        self.objects_list = load("objects_list_truncated_total484269.json")
        self.search_sunflowers = load("search_total89_probably_q_sunflowers.json")
        self.search_other = load("search_total112_query_unknown.json")
        self.search_empty = load("search_empty.json")
        self.errors = load("error_bodies.json")
        listed = self.objects_list["objectIDs"] + self.search_sunflowers["objectIDs"]
        self.listed_ids = set(listed + self.search_other["objectIDs"])
        self.templates = [d for d in self.recorded.values() if d.get("primaryImageSmall")]

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.prefix) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _record(self, path: str) -> Hit:
        """Log a request as it arrives (status 0 until answered; stays 0 for a reset)."""
        hit = Hit(time.monotonic(), path, 0)
        with self._lock:
            self.log.append(hit)
        return hit

    def answer(self, raw_path: str, fault: Fault | None) -> _Reply:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        if path.startswith(MET_PATH):
            return self._met(path[len(MET_PATH):], query, fault)
        if path.startswith("/images/"):
            return _Reply(200, generated_jpeg(path), "image/jpeg")
        if path.startswith("/cache/"):
            return self._cache_file(path[len("/cache/"):])
        if path.startswith("/moma/"):
            return self._moma(path[len("/moma/"):])
        return _Reply(404, b"not found", "text/plain")

    def _met(self, path: str, query: dict, fault: Fault | None) -> _Reply:
        if path == "/departments":
            return _json(200, self.departments)
        if path == "/objects":
            return _json(200, self.objects_list)
        if path == "/search" and self.search_gone:
            return _json(404, {"message": "Not Found"})
        if path == "/search":
            q = (query.get("q") or [""])[0].strip().lower()
            if not q:
                return _json(400, {"message": "q is required"})
            if q in self.empty_queries:
                return _json(200, self.search_empty)
            return _json(200, self.search_sunflowers if q == "sunflowers" else self.search_other)
        match = re.fullmatch(r"/objects/([^/]+)", path)
        if not match:
            return _json(404, {"message": "Not found"})
        text = match.group(1)
        if not text.isdigit():
            return _json(400, self.errors["non_numeric_id_400"])
        data = self._object(int(text))
        if data is None:
            key = "listed_but_missing_404" if int(text) in self.missing_ids else "invalid_id_404"
            return _json(404, self.errors[key])
        if fault is not None and fault.kind == "noimages":
            data = {**data, "primaryImage": "", "primaryImageSmall": "", "additionalImages": []}
        return _json(200, data)

    def _object(self, object_id: int) -> dict | None:
        if object_id in self.missing_ids:
            return None
        if object_id in self.recorded:
            return self._rewrite(self.recorded[object_id])
        extra = self._extra.get(object_id)
        if extra is None and not (object_id in self.listed_ids or self.synthesize_any):
            return None
        template = self.templates[object_id % len(self.templates)]
        data = dict(template)
        image = self.image_url(f"met/{object_id}")
        data.update(
            objectID=object_id, objectURL=f"https://www.metmuseum.org/art/collection/search/{object_id}",
            primaryImage=image, primaryImageSmall=image, additionalImages=[],
        )
        if extra:
            data.update(medium=extra["medium"], title=extra["title"], isPublicDomain=extra["public_domain"])
            if not extra["image"]:
                data.update(primaryImage="", primaryImageSmall="")
        return data

    def _rewrite(self, data: dict) -> dict:
        text = _MET_IMAGE_HOST.sub(self.base_url + "/images/met/", json.dumps(data))
        return json.loads(text)

    def _cache_file(self, rel: str) -> _Reply:
        root = self.data_root.resolve()
        target = (root / rel).resolve()
        if root not in target.parents or not target.is_file():
            return _Reply(404, b"not found", "text/plain")
        return _Reply(200, target.read_bytes(), "image/jpeg")

    def _moma(self, name: str) -> _Reply:
        forms = {"Artworks.csv": "today", "Artworks_2017.csv": "2017", "Artworks_sample.csv": "sample"}
        if name not in forms:
            return _Reply(404, b"not found", "text/plain")
        with self._lock:
            if name not in self._csv_cache:
                self._csv_cache[name] = moma_csv(self.data_root, forms[name], self.moma_rows, self.base_url)
            body = self._csv_cache[name]
        return _Reply(200, body, "text/csv; charset=utf-8")


def _json(status: int, data: object) -> _Reply:
    return _Reply(status, json.dumps(data).encode("utf-8"))


def _make_handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            hit = standin._record(self.path)
            fault = standin._take_fault(urlsplit(self.path).path)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            if fault is not None and fault.kind == "reset":
                self._reset()
                return
            reply = _faulty(fault) if fault and fault.kind not in ("slow", "noimages") else None
            if reply is None:
                reply = standin.answer(self.path, fault)
                if fault is not None and fault.kind == "truncated":
                    reply.body = reply.body[: max(1, len(reply.body) // 2)]
            hit.status = reply.status
            self._send(reply)

        def _send(self, reply: _Reply) -> None:
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout); nothing to do

        def _reset(self) -> None:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()  # with linger 0: RST, not FIN

    return Handler


def _faulty(fault: Fault) -> _Reply | None:
    if fault.kind == "500":
        return _Reply(500, b"<html><body>Internal Server Error</body></html>", "text/html")
    if fault.kind == "429":
        return _Reply(429, b'{"message": "Too many requests"}',
                      headers={"Retry-After": f"{fault.retry_after:g}"})
    if fault.kind == "403html":
        return _Reply(403, FIREWALL_HTML.encode(), "text/html")
    if fault.kind == "html200":
        return _Reply(200, FIREWALL_HTML.encode(), "text/html")
    if fault.kind == "garbage":
        return _Reply(200, b"\x00\xffnot json at all {{{", "application/json")
    return None  # "truncated" cuts the normal answer instead
