"""Pictures for the front ends: an artwork's decoded picture, and small copies of data-cache images.

Every picture a visitor brings goes through the one safe decoder
(artdemo.imaging.decode: size and bomb limits, EXIF rotation, RGB); a message a
person can act on comes back as ArtdemoError.
"""

from __future__ import annotations

import numpy as np

from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import decode_image, load_image_file
from artdemo.sources.datacache import resolve
from artdemo.sources.records import ArtObject

THUMB = 256
"""Longest side of a thumbnail in a grid of held-out or gallery images."""


def picture(obj: ArtObject) -> np.ndarray:
    """The artwork's picture as RGB uint8, through the one safe decoder."""
    if not obj.image_bytes:
        raise ArtdemoError(f"“{obj.title or obj.object_id}” has no image we could load. Please try another artwork.")
    return np.asarray(decode_image(obj.image_bytes), dtype=np.uint8)


def thumbnail(relative_path: str, side: int = THUMB) -> np.ndarray | None:
    """A small copy of a data-cache picture, or None when this data cache lacks it (or it won't decode):
    a grid shows a note in its place instead of failing the page."""
    path = resolve(relative_path)
    if not path.is_file():
        return None
    try:
        image = load_image_file(path)
    except ArtdemoError:
        return None
    image.thumbnail((side, side))
    return np.asarray(image.convert("RGB"), dtype=np.uint8)
