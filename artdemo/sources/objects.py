"""Every way an artwork enters the app, behind one set of functions.

Front ends call these and show `str(err)` for any ArtdemoError; OfflineError
means "the network is off or unreachable", and the app then offers the local
cache. Whatever fails inside a museum client, these functions raise only
ArtdemoError (a bug becomes UnexpectedSourceError, logged with its traceback),
so a kiosk never shows a stack trace.
"""

from __future__ import annotations

import logging
import random
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from artdemo.sources import cache
from artdemo.sources import met
from artdemo.sources import moma
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import MAX_BYTES, decode_image, image_fingerprint
from artdemo.sources.records import ArtObject
from artdemo.sources.safe_url import fetch_url_bytes

SOURCES = ("met", "moma", "cache")
URL_TIMEOUT = 15.0  # seconds for a visitor's image link, redirects included
_log = logging.getLogger(__name__)
_NAMES = {"met": "the MET", "moma": "MoMA", "cache": "the local collection"}


class UnexpectedSourceError(ArtdemoError):
    """Something we did not foresee went wrong in a source (a bug; logged)."""


def random_object(source: str, rng: random.Random | None = None) -> ArtObject:
    """A random artwork with image bytes from "met", "moma" or "cache"."""
    if source not in SOURCES:
        raise ArtdemoError(f"Unknown source {source!r}; choose one of: {', '.join(SOURCES)}.")
    try:
        if source == "met":
            return met.get_client().random_object(rng)
        if source == "moma":
            return moma.random_object(rng)
        return cache.random_cached_object(rng=rng)
    except ArtdemoError:
        raise
    except Exception as exc:  # noqa: BLE001 - the kiosk must keep running
        _log.exception("unexpected failure getting a random object from %s", source)
        raise UnexpectedSourceError(
            f"Something went wrong while getting an artwork from {_NAMES[source]}. "
            "Please try again, or pick from the local collection."
        ) from exc


def random_with_fallback(source: str, rng: random.Random | None = None) -> tuple[ArtObject, str | None]:
    """A random artwork from `source`, or, if that fails, one from the local cache.

    Returns (object, notice): notice is None when `source` answered, else a
    sentence for the visitor saying what failed and that the local collection
    is shown instead. Raises ArtdemoError only if the cache fails too.
    """
    try:
        return random_object(source, rng), None
    except ArtdemoError as err:
        if source == "cache":
            raise
        obj = random_object("cache", rng)
        return obj, f"{err} Showing a work from the local collection instead."


def object_from_upload(data: bytes, filename: str) -> ArtObject:
    """An uploaded file as an artwork; ArtdemoError if it isn't a usable image."""
    image = decode_image(data)
    name = PurePosixPath(str(filename or "upload").replace("\\", "/")).name or "upload"
    return ArtObject(source="upload", object_id=image_fingerprint(image)[:16], title=name, image_bytes=data)


def object_from_url(url: str) -> ArtObject:
    """An image link a visitor typed; never fetched from private addresses."""
    data = fetch_url_bytes(url, max_bytes=MAX_BYTES, timeout=URL_TIMEOUT, allow_private=False)
    image = decode_image(data)
    name = unquote(PurePosixPath(urlsplit(url.strip()).path).name) or urlsplit(url.strip()).hostname or url
    return ArtObject(
        source="url", object_id=image_fingerprint(image)[:16], title=name,
        image_url=url.strip(), image_bytes=data,
    )


def object_from_cache_path(path: str) -> ArtObject:
    """An image of the local data cache, with its true labels."""
    return cache.object_from_cache_path(path)
