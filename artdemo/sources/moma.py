"""MoMA's Artworks.csv as a catalogue: read once, cached on disk, random works with images.

The file comes in three forms and we read all of them:
- today's official columns, with the image link in `ImageURL`;
- the 2017 official columns, with the image link in `ThumbnailURL`;
- the 22-column course sample (no artist name, no image link), which can give
  labels and balance figures but no pictures.

The location is ARTDEMO_MOMA_CSV (a path or an http(s) URL). A URL is downloaded
once into config.cache_dir()/moma/ and reused, also offline. Only the columns we
use are loaded, as strings, so the 160,000-row real file stays well under 100 MB.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import requests

from artdemo import config
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import MAX_BYTES, decode_image
from artdemo.sources.records import ArtObject
from artdemo.sources.safe_url import PRIVATE_MESSAGE, fetch_url_bytes
from artdemo.tasks import labels_from_medium

MAX_CSV_BYTES = 400 * 1024 * 1024
DOWNLOAD_TIMEOUT = (10, 60)  # connect, read (seconds)
IMAGE_TIMEOUT = 15.0
# our name -> MoMA column (the image column depends on the form)
_COLUMNS = {
    "object_id": "ObjectID", "title": "Title", "artist": "Artist", "date": "Date",
    "medium": "Medium", "classification": "Classification", "department": "Department",
    "page_url": "URL",
}


@dataclass
class Catalogue:
    """The works of one Artworks.csv, columns renamed to ours (all strings)."""

    form: str  # "current" | "2017" | "sample"
    source: str  # the path or URL it came from
    frame: pd.DataFrame  # object_id,title,artist,date,medium,classification,department,page_url,image_url

    def with_images(self) -> pd.DataFrame:
        return self.frame[self.frame["image_url"].str.strip() != ""]

    def art_object(self, row: pd.Series) -> ArtObject:
        return ArtObject(
            source="moma", object_id=row["object_id"], title=row["title"], artist=row["artist"],
            date=row["date"], medium=row["medium"], classification=row["classification"],
            department=row["department"], labels=labels_from_medium(row["medium"]),
            image_url=row["image_url"], page_url=row["page_url"], public_domain=None,
        )


_LOADED: dict[tuple[str, float], Catalogue] = {}
_LOCK = threading.Lock()


def load_catalogue(location: str | None = None) -> Catalogue:
    """The catalogue at `location` (default ARTDEMO_MOMA_CSV), read once per file version."""
    location = location or config.moma_csv_location()
    path = local_copy(location)
    key = (str(path), path.stat().st_mtime)
    with _LOCK:
        if key not in _LOADED:
            _LOADED.clear()  # one catalogue in memory at a time
            _LOADED[key] = read_catalogue(path, source=location)
        return _LOADED[key]


def detect_form(header: list[str]) -> str:
    """Which of the three Artworks.csv forms a header belongs to."""
    names = {h.strip().lstrip("\ufeff") for h in header}
    if not {"ObjectID", "Medium"} <= names:
        raise ArtdemoError(
            "That file doesn't look like MoMA's Artworks.csv (it needs at least the columns "
            "ObjectID and Medium)."
        )
    if "ImageURL" in names:
        return "current"
    if "ThumbnailURL" in names:
        return "2017"
    return "sample"


def read_catalogue(path: Path, source: str = "") -> Catalogue:
    """Parse an Artworks.csv file (any of the three forms) into a Catalogue."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise ArtdemoError(f"We couldn't read the MoMA catalogue at {path}: {exc}.") from exc
    header = [h.strip() for h in header]
    form = detect_form(header)
    image_column = {"current": "ImageURL", "2017": "ThumbnailURL"}.get(form)
    wanted = {ours: theirs for ours, theirs in _COLUMNS.items() if theirs in header}
    if image_column:
        wanted["image_url"] = image_column
    try:
        frame = pd.read_csv(
            path, usecols=list(wanted.values()), dtype=str, keep_default_na=False,
            encoding="utf-8-sig", on_bad_lines="skip",
        )
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ArtdemoError(f"The MoMA catalogue at {path} is damaged: {exc}.") from exc
    frame = frame.rename(columns={theirs: ours for ours, theirs in wanted.items()})
    for name in (*_COLUMNS, "image_url"):
        if name not in frame:
            frame[name] = ""
    return Catalogue(form=form, source=source or str(path), frame=frame)


def local_copy(location: str) -> Path:
    """A local file for a path or URL; URLs are downloaded once into the cache."""
    if urlsplit(location).scheme not in ("http", "https"):
        path = Path(location).expanduser()
        if not path.is_file():
            raise ArtdemoError(
                f"There is no MoMA catalogue at {path}. Set ARTDEMO_MOMA_CSV to MoMA's Artworks.csv "
                "(a file path or a web address)."
            )
        return path
    name = hashlib.sha1(location.encode()).hexdigest()[:12] + "-Artworks.csv"
    target = config.cache_dir() / "moma" / name
    if target.is_file():
        return target
    if config.offline():
        raise OfflineError(
            "The app is in offline mode (ARTDEMO_OFFLINE=1) and MoMA's catalogue hasn't been "
            "downloaded yet. The local collection still works."
        )
    _download(location, target)
    return target


def _download(url: str, target: Path) -> None:
    """Stream the CSV to a temporary file and rename it into place (never half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    host = urlsplit(url).hostname
    try:
        with requests.get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as resp:
            if resp.status_code != 200:
                raise ArtdemoError(
                    f"MoMA's catalogue at {host} couldn't be downloaded (HTTP {resp.status_code})."
                )
            size = 0
            with partial.open("wb") as fh:
                for chunk in resp.iter_content(1 << 20):
                    size += len(chunk)
                    if size > MAX_CSV_BYTES:
                        raise ArtdemoError("MoMA's catalogue is far bigger than expected; we stopped.")
                    fh.write(chunk)
        os.replace(partial, target)
    except requests.Timeout as exc:
        raise ArtdemoError(f"Downloading MoMA's catalogue from {host} took too long.") from exc
    except (requests.ConnectionError, OSError) as exc:
        raise OfflineError(
            f"We couldn't download MoMA's catalogue from {host} ({type(exc).__name__}). Check the "
            "internet connection; the local collection still works."
        ) from exc
    finally:
        partial.unlink(missing_ok=True)


def _no_images_message(catalogue: Catalogue) -> str:
    if catalogue.form == "sample":
        return (
            f"The MoMA catalogue at {catalogue.source} is the 22-column sample, which has no image "
            "links, so it can't show an artwork. Point ARTDEMO_MOMA_CSV at MoMA's full Artworks.csv "
            "(with an ImageURL column), or use the local collection."
        )
    return f"The MoMA catalogue at {catalogue.source} has no works with an image link."


def fetch_image(url: str, catalogue_source: str | None = None) -> bytes:
    """Image bytes, checked to decode. Private hosts only if the configured CSV lives there."""
    csv_host = urlsplit(catalogue_source or config.moma_csv_location()).hostname
    allow_private = bool(csv_host) and urlsplit(url).hostname == csv_host
    data = fetch_url_bytes(url, max_bytes=MAX_BYTES, timeout=IMAGE_TIMEOUT, allow_private=allow_private)
    decode_image(data)
    return data


def random_object(rng: random.Random | None = None, location: str | None = None,
                  max_picks: int = 5) -> ArtObject:
    """A random MoMA work with its image bytes and labels derived from its medium."""
    rng = rng or random.Random()
    catalogue = load_catalogue(location)
    pool = catalogue.with_images()
    if pool.empty:
        raise ArtdemoError(_no_images_message(catalogue))
    last: ArtdemoError | None = None
    for _ in range(max_picks):
        obj = catalogue.art_object(pool.iloc[rng.randrange(len(pool))])
        try:
            obj.image_bytes = fetch_image(obj.image_url, catalogue.source)
            return obj
        except ArtdemoError as err:
            if isinstance(err, OfflineError) or str(err) == PRIVATE_MESSAGE:
                raise
            last = err
    raise ArtdemoError(f"We couldn't get a MoMA image after {max_picks} tries: {last}")
