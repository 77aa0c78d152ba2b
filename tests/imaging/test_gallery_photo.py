"""The gallery-photo generator: deterministic, sane, and as varied as the brief asks.

Most tests use a made-up picture so they run without the data cache; one checks
a real image from it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from artdemo import config
from artdemo.imaging.gallery_photo import (
    FRAMES,
    WALLS,
    GalleryPhoto,
    gallery_photo,
    photos_of,
    rng_for,
    sample_params,
    trim_backdrop,
)
from tests.support.data import require_data

ROOT = Path(__file__).resolve().parents[2]


def need_data() -> Path:
    """The data cache (tests.support.data: a failed test in CI, a skipped one on a laptop without it)."""
    require_data()
    return config.data_dir()


def painting(width: int = 240, height: int = 180) -> np.ndarray:
    """A busy made-up picture: colour gradients, stripes and blobs."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 128 + 100 * np.sin(x / 9.0) * np.cos(y / 13.0)
    g = 255 * x / width
    b = 255 * (1 - y / height)
    img = np.clip(np.dstack([r, g, b]), 0, 255).astype(np.uint8)
    cv2.circle(img, (width // 3, height // 2), height // 5, (20, 30, 160), -1)
    cv2.rectangle(img, (width // 2, height // 4), (width - 20, height // 2), (240, 220, 30), -1)
    return img


def quad_area(quad: np.ndarray) -> float:
    return float(cv2.contourArea(quad.astype(np.float32)))


def test_same_seed_same_bytes_different_seed_different_photo():
    art = painting()
    first = gallery_photo(art, "visitor-1")
    again = gallery_photo(art.copy(), "visitor-1")
    other = gallery_photo(art, "visitor-2")
    assert first.photo.tobytes() == again.photo.tobytes()
    assert np.array_equal(first.quad, again.quad)
    assert first.params == again.params
    assert first.params != other.params
    assert first.photo.shape != other.photo.shape or not np.array_equal(first.photo, other.photo)


def test_seeds_do_not_depend_on_python_hash_randomisation():
    """Same bytes in processes with different PYTHONHASHSEED: seed strings go through hashlib."""
    code = (
        "import hashlib, numpy as np;"
        "from artdemo.imaging.gallery_photo import gallery_photo;"
        "art = (np.arange(120 * 90 * 3) % 251).astype(np.uint8).reshape(90, 120, 3);"
        "print(hashlib.sha256(gallery_photo(art, 'salted?').photo.tobytes()).hexdigest())"
    )
    digests = set()
    for salt in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    art = (np.arange(120 * 90 * 3) % 251).astype(np.uint8).reshape(90, 120, 3)
    assert hashlib.sha256(gallery_photo(art, "salted?").photo.tobytes()).hexdigest() in digests


@pytest.mark.parametrize("seed", range(12))
def test_photo_and_quad_are_sane(seed: int):
    g = gallery_photo(painting(), seed)
    assert isinstance(g, GalleryPhoto)
    h, w = g.photo.shape[:2]
    assert g.photo.dtype == np.uint8 and g.photo.ndim == 3 and g.photo.shape[2] == 3
    assert 480 <= max(h, w) <= 800
    assert g.quad.shape == (4, 2) and g.quad.dtype == np.float32
    assert (g.quad[:, 0] >= 0).all() and (g.quad[:, 0] <= w).all()
    assert (g.quad[:, 1] >= 0).all() and (g.quad[:, 1] <= h).all()
    tl, tr, br, bl = g.quad
    assert tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1]
    assert cv2.isContourConvex(g.quad.reshape(-1, 1, 2))
    assert 0.15 <= quad_area(g.quad) / (h * w) <= 0.85


def test_params_are_sampled_widely():
    rng = rng_for("wide")
    params = [sample_params(rng) for _ in range(400)]
    assert {p.frame_kind for p in params} == set(FRAMES) | {"none"}
    walls = {min(WALLS, key=lambda n: np.abs(np.subtract(WALLS[n], p.wall)).sum()) for p in params}
    assert len(walls) >= 10
    yaws, pitches, rolls = (np.array([getattr(p, a) for p in params]) for a in ("yaw", "pitch", "roll"))
    assert yaws.min() < -12 and yaws.max() > 12 and pitches.min() < -12 and pitches.max() > 12
    assert np.abs(rolls).max() <= 4 and rolls.min() < -3.5 and rolls.max() > 3.5
    quality = [p.jpeg_quality for p in params]
    assert min(quality) <= 45 and max(quality) >= 90 and all(40 <= q <= 95 for q in quality)
    for knob in ("mat_width", "glare", "neighbour", "frame_width"):
        values = [getattr(p, knob) for p in params]
        assert 0.1 < np.mean(np.array(values) > 0) < 1.0, knob
    assert 0.2 < np.mean([p.label for p in params]) < 0.8
    warmth = np.array([p.warmth for p in params])
    assert warmth.min() < -0.8 and warmth.max() > 0.8
    assert max(p.frame_width for p in params) > 0.15 and max(p.mat_width for p in params) > 0.25


def test_given_params_are_used():
    """Front-on, unframed, no glare: the artwork lands upright, on the chosen wall colour."""
    base = sample_params(rng_for("front-on"))
    p = dataclasses.replace(
        base,
        frame_kind="none",
        frame_width=0.0,
        mat_width=0.0,
        yaw=0.0,
        pitch=0.0,
        roll=0.0,
        glare=0.0,
        vignette=0.0,
        light_gradient=0.0,
        exposure=1.0,
        warmth=0.0,
        tint=0.0,
        noise=0.5,
        label=False,
        neighbour=0.0,
        shadow=0.0,
        wall=(30, 46, 82),
    )
    g = gallery_photo(painting(), "front-on", p)
    assert g.params == p
    tl, tr, br, bl = g.quad
    assert abs(tl[1] - tr[1]) < 1.5 and abs(bl[1] - br[1]) < 1.5
    assert abs(tl[0] - bl[0]) < 1.5 and abs(tr[0] - br[0]) < 1.5
    corner = g.photo[:8, :8].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - (30, 46, 82)).max() < 12


def test_trim_backdrop_drops_bars_and_keeps_clean_pictures():
    art = painting(200, 120)
    padded = np.full((200, 260, 3), 255, np.uint8)
    padded[40:160, 30:230] = art
    trimmed = trim_backdrop(padded)
    assert trimmed.shape == art.shape
    assert np.array_equal(trimmed, art)
    assert np.array_equal(trim_backdrop(art), art)


def test_photos_of_gives_distinct_reproducible_photos():
    art = painting()
    photos = photos_of(art, "images/x.jpg", 3)
    again = photos_of(art, "images/x.jpg", 3)
    assert [p.photo.tobytes() for p in photos] == [p.photo.tobytes() for p in again]
    assert len({p.photo.tobytes() for p in photos}) == 3


def test_real_image_from_the_data_cache():
    data = need_data()
    path = sorted((data / "images" / "louvre").glob("*.jpg"))[0]
    rgb = np.asarray(Image.open(path).convert("RGB"))
    g = gallery_photo(rgb, path.name)
    h, w = g.photo.shape[:2]
    art = trim_backdrop(rgb)
    quad_aspect = (np.linalg.norm(g.quad[1] - g.quad[0]) + np.linalg.norm(g.quad[2] - g.quad[3])) / (
        np.linalg.norm(g.quad[3] - g.quad[0]) + np.linalg.norm(g.quad[2] - g.quad[1])
    )
    # Perspective changes the apparent aspect a little, never wildly.
    assert 0.75 < quad_aspect / (art.shape[1] / art.shape[0]) < 1.33
    assert 0.15 <= quad_area(g.quad) / (h * w) <= 0.85
