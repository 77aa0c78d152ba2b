"""From a record to the picture the model sees: fetch the bytes, decode them through the
project's safe decoder, find the artwork.

Each step raises its own error type, so the pipeline can count failed fetches and
failed decodes apart and write the reason a person reads. Nothing here knows Beam
except the storage reader, which uses Beam's FileSystems so a gs:// or s3:// data
cache works on a cluster as a local one does here.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from artdemo.audit import ratelimit
from artdemo.audit.records import AuditRecord
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import MAX_BYTES, decode_image

_TRANSIENT = re.compile(r"HTTP 5\d\d|HTTP 429|broke off|took too long|couldn't reach|refused the connection")


class FetchFailed(ArtdemoError):
    """The bytes couldn't be had: a missing file, a dead link, a 404 object, a server fault."""

    stage = "fetch"


class NoImage(FetchFailed):
    """The catalogue lists the object without a picture."""

    stage = "no_image"


class DecodeFailed(ArtdemoError):
    """The bytes are not a picture the safe decoder accepts (damaged, truncated, not an image, too big)."""

    stage = "decode"


@dataclass(frozen=True)
class FetchSettings:
    """What a worker needs to fetch, fixed when the pipeline is built (workers may not
    share the launcher's environment)."""

    met_api: str = ""  # the MET API base for objects whose cached file is missing
    trusted_hosts: tuple[str, ...] = ()  # operator-configured hosts that may be private (a mirror, a stand-in)
    timeout: float = 20.0  # seconds for one image download, redirects included
    attempts: int = 3  # tries for a transient failure (5xx, 429, reset, timeout)
    backoff: float = 0.5  # seconds before the second try; doubles after
    refetch_met: bool = True  # fetch a MET object from the API when its cached file is missing


def image_bytes(record: AuditRecord, settings: FetchSettings) -> bytes:
    """The record's image bytes, from storage, the web or the MET API."""
    location = record.location
    if location and urlsplit(location).scheme in ("http", "https"):
        return url_bytes(location, settings)
    if location:
        try:
            return stored_bytes(location)
        except FetchFailed:
            if not (record.met_object_id and settings.refetch_met and settings.met_api):
                raise
    if record.met_object_id and settings.met_api:
        return met_image_bytes(record.met_object_id, settings)
    raise NoImage("The catalogue has no image link for this object.")


def stored_bytes(location: str) -> bytes:
    """At most MAX_BYTES + 1 bytes of a file (the decoder refuses anything longer)."""
    if "://" in location:
        from apache_beam.io.filesystem import CompressionTypes
        from apache_beam.io.filesystems import FileSystems

        try:
            with FileSystems.open(location, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
                return handle.read(MAX_BYTES + 1)
        except Exception as exc:  # each filesystem raises its own types
            raise FetchFailed(f"We couldn't read {location}: {exc}") from exc
    path = Path(location)
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        raise FetchFailed(f"The file {location} is not there.") from exc
    except OSError as exc:
        raise FetchFailed(f"We couldn't read {location}: {exc.strerror or exc}.") from exc


def url_bytes(url: str, settings: FetchSettings) -> bytes:
    """Download through artdemo.sources.safe_url under the host's rate limit, retrying
    transient faults a few times; a 404 or a refused address is final at once."""
    from artdemo.sources.safe_url import fetch_url_bytes

    allow_private = (urlsplit(url).hostname or "") in settings.trusted_hosts
    last: ArtdemoError | None = None
    for attempt in range(max(1, settings.attempts)):
        if attempt:
            time.sleep(settings.backoff * 2 ** (attempt - 1))
        ratelimit.acquire(url)
        try:
            return fetch_url_bytes(url, max_bytes=MAX_BYTES, timeout=settings.timeout, allow_private=allow_private)
        except OfflineError as err:
            raise FetchFailed(str(err)) from err
        except ArtdemoError as err:
            last = err
            if not _TRANSIENT.search(str(err)):
                break
    raise FetchFailed(str(last)) from last


def met_image_bytes(object_id: str, settings: FetchSettings) -> bytes:
    """A MET object's image through the MET client (its retries, its process-wide limiter)."""
    from artdemo.sources import met

    client = _met_client(settings.met_api)
    try:
        obj = met.to_art_object(client.object_json(object_id))
        if not obj.image_url:
            raise NoImage(f"MET object {object_id} has no public image.")
        return client.fetch_image(obj.image_url)
    except FetchFailed:
        raise
    except ArtdemoError as err:
        raise FetchFailed(str(err)) from err


_CLIENTS: dict[str, object] = {}


def _met_client(base: str):
    from artdemo.sources import met

    if base not in _CLIENTS:
        _CLIENTS[base] = met.MetClient(base)
    return _CLIENTS[base]


def decode_rgb(data: bytes) -> np.ndarray:
    """RGB uint8 pixels, or DecodeFailed with the decoder's message."""
    try:
        return np.asarray(decode_image(data), dtype=np.uint8)
    except ArtdemoError as err:
        raise DecodeFailed(str(err)) from err


def artwork_finder(mode: str):
    """The step that crops the artwork out of a photo, or None when it is off.

    "auto" is the predictor's own preprocessing (artdemo.imaging.find_artwork: the
    painted or printed surface inside frame and mat; reproductions unchanged), done
    here, before inference, so that it runs in the worker thread that fetched the
    picture while the other thread's batch is in the backbone. The handler then asks
    the predictor with find_artwork=False, which is the predictor's own answer for
    the crop. "off" classifies the whole picture (`predict --find-artwork off`).
    """
    if mode == "off":
        return None
    if mode != "auto":
        raise ArtdemoError(f"--find-artwork is auto or off, not {mode!r}.")
    from artdemo.imaging.find_artwork import find_artwork

    return lambda rgb: np.asarray(find_artwork(rgb).crop, dtype=np.uint8)
