"""The two ways a labelled image is shown to the models in training and evaluation.

- `clean`: the image as the data cache holds it, through the artwork finder (a
  reproduction passes unchanged; a framed print is cropped to the print), which is
  exactly what the predictor does at run time.
- `photo`: the same image as a visitor would photograph it on a gallery wall
  (artdemo.imaging.gallery_photo, seeded by the image's path, so every run makes
  the same photo), then through the finder. Training rows of this look teach the
  heads to stay right on imperfect crops; held-out rows give every card its
  "visitor photos" figure.

The feature cache is keyed by `LOOKS_VERSION`, a hash of the finder's and the
generator's source (every module of theirs), so changing either recomputes what
depends on it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from artdemo.imaging import detection, frame_scan, outlines
from artdemo.imaging import find_artwork as finder
from artdemo.imaging import gallery_photo as generator

LOOKS = ("clean", "photo")


def _source_hash(*modules) -> str:
    digest = hashlib.sha1()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:10]


SOURCES = (finder, detection, outlines, frame_scan, generator)
"""Every module whose code decides a look's pixels (a test checks that none of their imports is missing)."""

LOOKS_VERSION = _source_hash(*SOURCES)


def photo_of(rgb: np.ndarray, path: str) -> np.ndarray:
    """The gallery photo of a labelled image: the same photo for the same path, on any machine."""
    return generator.gallery_photo(rgb, seed=f"photo:{path}").photo


def picture_for(rgb: np.ndarray, path: str, look: str) -> np.ndarray:
    """What the models see of a labelled image in this look."""
    if look not in LOOKS:
        raise ValueError(f"unknown look {look!r}; choose one of {LOOKS}")
    if look == "photo":
        rgb = photo_of(rgb, path)
    return np.ascontiguousarray(finder.find_artwork(rgb).crop)
