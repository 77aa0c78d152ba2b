"""The MET Collection API, used politely and failing with a message a person can read.

The MET asks for at most 80 requests per second and its firewall (Imperva)
answers an HTML 403 page, sometimes an HTML 200, for a while after bursts. So
every request here goes through one process-wide rate limiter (MAX_RATE), has a
timeout, and is retried with exponential backoff on timeouts, broken
connections, 5xx, 429 (its Retry-After honoured, capped) and the firewall page,
within one deadline per call. A 429 or firewall answer also pauses the limiter
for every thread, so a burst backs off together.

Settings (environment, read per call): ARTDEMO_MET_API (base URL),
ARTDEMO_MET_TIMEOUT (seconds per request, default 10), ARTDEMO_MET_DEADLINE
(seconds for one whole operation, e.g. a random object with its search, object
requests, image and every retry; default 20), ARTDEMO_OFFLINE.

Images are fetched through artdemo.safe_url. Private addresses are allowed only
when the image's host is the host of the configured API base (a local stand-in
or mirror the operator chose); the real MET's image host is public anyway.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import requests

from artdemo import config
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import MAX_BYTES, decode_image
from artdemo.sources.records import ArtObject
from artdemo.sources.safe_url import PRIVATE_MESSAGE, fetch_url_bytes
from artdemo.tasks import labels_from_medium

DEFAULT_DEADLINE = 20.0  # seconds for one operation (a random object: search, objects, image)
MAX_RATE = 70.0  # requests per second, under the MET's 80
RETRY_AFTER_CAP = 10.0  # seconds; a longer Retry-After is cut to this
MAX_JSON_BYTES = 16 * 1024 * 1024
SEARCH_TERMS = ("painting", "lithograph", "etching", "portrait", "landscape", "flowers", "woodcut")
USER_AGENT = "artdemo/1.0 (museum demo)"
_OFFLINE_TEXT = (
    "The app is in offline mode (ARTDEMO_OFFLINE=1), so it can't ask the MET. "
    "The local collection still works."
)


class NotFoundError(ArtdemoError):
    """The MET has no such object (404)."""


class _Retry(Exception):
    """A transient failure: try again after `wait` seconds (None: use backoff)."""

    def __init__(self, error: ArtdemoError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error, self.wait = error, wait


class RateLimiter:
    """Spaces requests at least 1/rate apart across all threads; `pause` holds everyone."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)

    def reset(self) -> None:
        """Forget pauses (for tests that simulate a 429 and then move on)."""
        with self._lock:
            self._next = 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


LIMITER = RateLimiter(MAX_RATE)


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.3  # first backoff; doubles each time
    max_delay: float = 4.0



class MetClient:
    """One API base. Cheap to build; `get_client()` keeps one per base URL."""

    def __init__(self, base: str | None = None, policy: RetryPolicy | None = None) -> None:
        self.base = (base or config.met_api_base()).rstrip("/")
        self.host = urlsplit(self.base).hostname or ""
        self.policy = policy or RetryPolicy()
        self._search_ids: dict[str, list[int]] = {}
        self._local = threading.local()

    @contextmanager
    def budget(self) -> Iterator[float]:
        """One deadline (ARTDEMO_MET_DEADLINE) for a whole operation on this thread:
        nested calls (search, objects, image) share it instead of each starting anew."""
        outer = getattr(self._local, "deadline", None)
        if outer is None:
            self._local.deadline = time.monotonic() + config.positive_number("ARTDEMO_MET_DEADLINE", DEFAULT_DEADLINE)
        try:
            yield self._local.deadline
        finally:
            if outer is None:
                self._local.deadline = None

    # -- public calls --------------------------------------------------------
    def departments(self) -> list[dict]:
        """[{departmentId, displayName}, ...]"""
        data = self.get_json("/departments")
        return list(data.get("departments") or [])

    def object_json(self, object_id: int | str) -> dict:
        """The object record as the MET gives it. NotFoundError for unknown ids."""
        data = self.get_json(f"/objects/{quote(str(object_id).strip(), safe='')}", object_id=object_id)
        if not isinstance(data, dict) or "objectID" not in data:
            raise ArtdemoError(f"The MET's answer for object {object_id} has no object in it.")
        return data

    def object_by_id(self, object_id: int | str, with_image: bool = True) -> ArtObject:
        with self.budget():
            obj = to_art_object(self.object_json(object_id))
            if with_image:
                if not obj.image_url:
                    raise ArtdemoError(f"MET object {object_id} has no public image to show.")
                obj.image_bytes = self.fetch_image(obj.image_url)
        return obj

    def search(self, query: str, has_images: bool = True) -> list[int]:
        params = f"?q={quote(query)}" + ("&hasImages=true" if has_images else "")
        data = self.get_json("/search" + params)
        return [int(i) for i in (data.get("objectIDs") or [])]

    def random_object(self, rng: random.Random | None = None, query: str | None = None,
                      max_picks: int = 8) -> ArtObject:
        """A random public-domain object with its image bytes.

        Searches with hasImages=true (one search per term per process), then
        tries random hits, skipping unknown ids and objects whose image is
        missing or not public domain (the MET's hasImages filter lets some through).
        """
        rng = rng or random.Random()
        with self.budget() as deadline:
            term = query or rng.choice(SEARCH_TERMS)
            ids = self.candidate_ids(term)
            if not ids:
                raise ArtdemoError(f"The MET found no objects with images for {term!r}.")
            for _ in range(max_picks):
                if time.monotonic() > deadline - 0.1:
                    break
                obj = self._usable_object(rng.choice(ids))
                if obj is not None:
                    return obj
        raise ArtdemoError(
            "We tried several MET objects but couldn't get a public-domain image in time "
            "(missing images or a struggling server). Please try again, or pick from the local collection."
        )

    def _usable_object(self, object_id: int) -> ArtObject | None:
        """The object with its image, or None if it is unknown, imageless or its image is broken."""
        try:
            obj = to_art_object(self.object_json(object_id))
        except NotFoundError:
            return None
        if not obj.public_domain or not obj.image_url:
            return None
        try:
            obj.image_bytes = self.fetch_image(obj.image_url)
        except OfflineError:
            raise
        except ArtdemoError as err:
            if str(err) == PRIVATE_MESSAGE:
                raise
            return None
        return obj

    def fetch_image(self, url: str) -> bytes:
        """Image bytes, checked to decode; retried a few times within the deadline."""
        allow_private = bool(self.host) and urlsplit(url).hostname == self.host
        last: ArtdemoError | None = None
        with self.budget() as deadline:
            for attempt in range(max(1, self.policy.attempts - 2)):
                left = deadline - time.monotonic()
                if left <= 0.1:
                    break
                LIMITER.acquire()
                try:
                    data = fetch_url_bytes(url, max_bytes=MAX_BYTES, allow_private=allow_private,
                                           timeout=min(left, config.positive_number("ARTDEMO_MET_TIMEOUT", 10.0) + 5.0))
                    decode_image(data)
                    return data
                except OfflineError:
                    raise
                except ArtdemoError as err:
                    if str(err) == PRIVATE_MESSAGE:
                        raise
                    last = err
                    time.sleep(max(0.0, min(self._backoff(attempt), deadline - time.monotonic())))
        raise ArtdemoError(f"We couldn't get the MET's image: {last or 'no time left'}")

    # -- the request loop ------------------------------------------------------
    def get_json(self, path: str, object_id: int | str | None = None) -> dict:
        """GET base+path as JSON with rate limit, timeouts, retries and clear errors."""
        if config.offline():
            raise OfflineError(_OFFLINE_TEXT)
        with self.budget() as deadline:
            return self._get_json_until(path, object_id, deadline)

    def _get_json_until(self, path: str, object_id: int | str | None, deadline: float) -> dict:
        timeout = config.positive_number("ARTDEMO_MET_TIMEOUT", 10.0)
        last: ArtdemoError | None = None
        for attempt in range(self.policy.attempts):
            left = deadline - time.monotonic()
            if left <= 0.05:
                break
            LIMITER.acquire()
            try:
                return self._attempt(self.base + path, min(timeout, left), object_id)
            except _Retry as retry:
                last = retry.error
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                if retry.wait is not None:
                    LIMITER.pause(wait)
                    if wait > deadline - time.monotonic():
                        break  # the server asks for a longer wait than we have
                if attempt + 1 < self.policy.attempts:
                    time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
        raise last or ArtdemoError(f"The MET didn't answer within {timeout:g} seconds.")

    def _attempt(self, url: str, timeout: float, object_id: int | str | None) -> dict:
        try:
            resp = self._session().get(url, timeout=(min(timeout, 5.0), timeout), stream=True)
            try:
                body = _read_capped(resp, timeout)
            finally:
                resp.close()
        except requests.Timeout:
            raise _Retry(ArtdemoError(
                f"The MET collection API at {self.host} is too slow right now (no answer within "
                f"{timeout:g} seconds). Please try again later, or use the local collection."))
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, OSError) as exc:
            raise _Retry(OfflineError(
                f"We couldn't reach the MET collection API at {self.host} (the connection failed: "
                f"{type(exc).__name__}). Check the internet connection; the local collection still works."))
        return _interpret(resp, body, object_id)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            session.headers["Accept"] = "application/json"
            self._local.session = session
        return session

    def _backoff(self, attempt: int) -> float:
        delay = min(self.policy.max_delay, self.policy.base_delay * 2 ** attempt)
        return delay * random.uniform(0.75, 1.25)

    def candidate_ids(self, term: str) -> list[int]:
        """Ids to pick from: a hasImages=true search (remembered per process), or the
        whole object list if the search endpoint is gone (the MET has announced
        the retirement of v1 /search; a 404 there means it happened)."""
        if term not in self._search_ids:
            try:
                self._search_ids[term] = self.search(term)
            except NotFoundError:
                if "*" not in self._search_ids:
                    self._search_ids["*"] = [int(i) for i in self.get_json("/objects").get("objectIDs") or []]
                self._search_ids[term] = self._search_ids["*"]
        return self._search_ids[term]


def _read_capped(resp: requests.Response, timeout: float) -> bytes:
    started, chunks, size = time.monotonic(), [], 0
    for chunk in resp.iter_content(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise _Retry(ArtdemoError("The MET sent a far bigger answer than expected."))
        if time.monotonic() - started > timeout:
            raise requests.Timeout("body too slow")
    return b"".join(chunks)


def _interpret(resp: requests.Response, body: bytes, object_id: int | str | None) -> dict:
    """Map one HTTP answer to data, a _Retry, or a final ArtdemoError."""
    status = resp.status_code
    html = "html" in resp.headers.get("Content-Type", "").lower() or body.lstrip()[:1] == b"<"
    if status == 429:
        wait = _retry_after(resp.headers.get("Retry-After"))
        raise _Retry(ArtdemoError(
            "The MET says we are sending too many requests. Please wait a minute and try again."), wait)
    if status == 403 and html or status == 200 and html:
        raise _Retry(ArtdemoError(
            "The MET's website firewall is refusing requests for the moment (it does this after "
            "bursts of traffic). Please try again in a minute, or use the local collection."))
    if status >= 500:
        raise _Retry(ArtdemoError(
            f"The MET collection API is having problems (HTTP {status}). Please try again later."))
    message = _message(body)
    if status == 404:
        what = f"object {object_id}" if object_id is not None else "such page"
        raise NotFoundError(f"The MET has no {what} (it says: {message or 'not found'}).")
    if status == 400:
        what = f"{object_id!r} as an object id" if object_id is not None else "the request"
        raise ArtdemoError(
            f"The MET couldn't read {what} (it says: {message or 'bad request'}). Object ids are whole numbers.")
    if status != 200:
        raise ArtdemoError(f"The MET refused the request (HTTP {status}{': ' + message if message else ''}).")
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        raise _Retry(ArtdemoError(
            "The MET's answer was damaged (not valid JSON). Please try again in a moment.")) from None
    if not isinstance(data, dict):
        raise _Retry(ArtdemoError("The MET's answer was not in the expected form."))
    return data


def _message(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
        return str(data.get("message", "")) if isinstance(data, dict) else ""
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, min(RETRY_AFTER_CAP, float(value or "")))
    except ValueError:
        return 2.0  # an HTTP date or nonsense: a short, fixed wait


def to_art_object(data: dict) -> ArtObject:
    """The app's record for a MET object JSON (no image bytes yet)."""
    medium = str(data.get("medium") or "")
    return ArtObject(
        source="met", object_id=str(data.get("objectID", "")),
        title=str(data.get("title") or ""), artist=str(data.get("artistDisplayName") or ""),
        date=str(data.get("objectDate") or ""), medium=medium,
        classification=str(data.get("classification") or ""),
        department=str(data.get("department") or ""), labels=labels_from_medium(medium),
        image_url=str(data.get("primaryImageSmall") or data.get("primaryImage") or ""),
        page_url=str(data.get("objectURL") or ""), public_domain=bool(data.get("isPublicDomain")),
    )


_CLIENTS: dict[str, MetClient] = {}
_CLIENTS_LOCK = threading.Lock()


def get_client() -> MetClient:
    """The process's client for the configured ARTDEMO_MET_API (searches are remembered)."""
    base = config.met_api_base()
    with _CLIENTS_LOCK:
        if base not in _CLIENTS:
            _CLIENTS[base] = MetClient(base)
        return _CLIENTS[base]
