"""Getting an artwork into the app, and saying what it is.

Every way in (a random museum object, the collection cache, an upload, a camera
shot, an image address) goes through artdemo.sources.objects; a museum that fails
gives way to the local collection with a sentence saying so. And an artwork is
never introduced by a file name: where the source has no title (uploads, the
collection cache), the title is built from what is known about the work (its
medium text, the museum or collection it comes from), and the record's link
stands beside it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from artdemo.app import words
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import MAX_BYTES
from artdemo.sources import objects
from artdemo.sources.records import ArtObject


_FILE_NAME = re.compile(r"\.(jpe?g|png|gif|webp|tiff?|bmp|heic|heif|avif)$", re.IGNORECASE)


# --- getting one ------------------------------------------------------------------------------------------


def random_artwork(source: str) -> tuple[ArtObject, str | None]:
    """A random artwork from "met", "moma" or "cache". When a museum fails, one from the local
    collection instead and a sentence (the notice) saying what failed; None when it answered."""
    return objects.random_with_fallback(source)


def from_upload(data: bytes, filename: str) -> ArtObject:
    """Uploaded bytes (a file or a camera shot) as an artwork."""
    return objects.object_from_upload(data, filename)


def from_upload_file(path: str | None) -> ArtObject:
    """An uploaded file that the front end saved at `path` (Gradio's temporary file)."""
    if not path:
        raise ArtdemoError("Please choose an image file to upload first.")
    file = Path(path)
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise ArtdemoError(f"This file is too big ({size / 2**20:.1f} MB; we accept up to "
                           f"{MAX_BYTES / 2**20:.0f} MB). Please use a smaller image (for example, a JPEG).")
    return objects.object_from_upload(file.read_bytes(), file.name)


def from_url(url: str | None) -> ArtObject:
    """An image address a visitor pasted (never fetched from a private address)."""
    if not url or not url.strip():
        raise ArtdemoError("Please paste the address (URL) of an image first.")
    return objects.object_from_url(url.strip())


def from_cache_path(path: str) -> ArtObject:
    """A picture of the local collection cache, with the museum's labels it carries."""
    return objects.object_from_cache_path(path)


# --- saying what it is ------------------------------------------------------------------------------------


def is_file_name(text: str) -> bool:
    """True for 'IMG_2041.jpg', 'cl010064167.jpg': a name a camera or a scraper gave, not a title."""
    return bool(_FILE_NAME.search(text.strip()))


def collection(obj: ArtObject) -> str:
    """The museum or collection the artwork comes from, in words."""
    if obj.source == "cache":
        tag = obj.classification.split(":")[0]
        return words.COLLECTIONS.get(tag, "the local collection cache")
    if obj.source == "url":
        return urlsplit(obj.image_url).hostname or "the web"
    return words.source_name(obj.source)


def title(obj: ArtObject) -> str:
    """The artwork's title, or, when the source gives none (or only a file name), a short
    description built from what is known: its medium text and where it comes from."""
    given = (obj.title or "").strip()
    if given and not is_file_name(given) and obj.source not in ("upload", "url"):
        return given
    if obj.source == "upload":
        return "Your picture"
    if obj.source == "url":
        return f"A picture from {collection(obj)}"
    medium = (obj.medium or "").strip()
    if medium:
        return f"{medium[0].upper()}{medium[1:]}, from {collection(obj)}"
    return f"A work from {collection(obj)}"


def facts(obj: ArtObject) -> list[tuple[str, str]]:
    """(name, value) pairs a record shows, in order, only those known."""
    pairs = [("Artist", obj.artist), ("Date", obj.date), ("Medium", obj.medium),
             ("Classification", obj.classification if obj.source != "cache" else ""),
             ("Department", obj.department)]
    return [(name, value) for name, value in pairs if value]


def provenance(obj: ArtObject) -> str:
    """Where the picture came from: 'The Museum of Modern Art', 'the local collection cache
    (the Louvre's collections)', 'an image on the web (example.org)', 'your upload'."""
    if obj.source == "cache":
        return f"{words.source_name('cache')} ({collection(obj)})"
    if obj.source == "url":
        return f"{words.source_name('url')} ({collection(obj)})"
    return words.source_name(obj.source)


def museum_labels(obj: ArtObject) -> str:
    """'Style: cubism, Medium: painting' ('' when the museum gives none)."""
    return ", ".join(f"{words.task_title(task)}: {words.pretty(label)}" for task, label in obj.labels.items())
