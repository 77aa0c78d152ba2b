"""Visitor photos for the app's tests: a generated photo of a framed work on a gallery wall
(artdemo.imaging.gallery_photo, deterministic), from a real image of the data cache."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from artdemo.imaging.decode import load_image_file
from artdemo.imaging.find_artwork import find_artwork
from artdemo.imaging.gallery_photo import gallery_photo
from artdemo.sources.datacache import list_labelled, resolve

SEED = 0


def framed_photo() -> tuple[np.ndarray, np.ndarray]:
    """(photo, true outline): an impressionist painting hung in a frame, photographed off-axis."""
    row = next(r for r in list_labelled("style") if r.label == "impressionism")
    art = np.asarray(load_image_file(resolve(row.path)), dtype=np.uint8)
    made = gallery_photo(art, SEED)
    found = find_artwork(made.photo)
    assert found.quad is not None, f"the finder must find this framed work ({found.reason})"
    return made.photo, made.quad


def png(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "PNG")
    return out.getvalue()
