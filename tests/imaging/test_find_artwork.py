"""The artwork finder on generated gallery photos, real reproductions and pictures of no art.

The contract tested here: a clean reproduction or a picture with nothing hung
on a wall comes back unchanged (the same array, quad None, method
"passthrough"); a photographed, framed work comes back as its painted surface,
front-on, and when two works hang side by side the larger, more central one
wins.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from artdemo import config
from artdemo.imaging.find_artwork import FoundArtwork, draw_outline, find_artwork, rectify
from artdemo.imaging.gallery_photo import PhotoParams, gallery_photo, rng_for, sample_params, trim_backdrop
from tests.support.data import require_data


def need_data() -> Path:
    """The data cache (tests.support.data: a failed test in CI, a skipped one on a laptop without it)."""
    require_data()
    return config.data_dir()


def labelled(task: str, skip_sources: tuple[str, ...] = ("galc",)) -> list[Path]:
    """Image paths of one task, sorted, without the sources named (galc images are framed photos)."""
    data = need_data()
    with open(data / "labels" / f"{task}.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source"].split(":")[0] not in skip_sources]
    return sorted(data / r["path"] for r in rows)


def pick(paths: list[Path], n: int, seed: int) -> list[Path]:
    idx = np.random.default_rng(seed).choice(len(paths), size=n, replace=False)
    return [paths[i] for i in sorted(idx)]


def load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def iou(a: np.ndarray, b: np.ndarray, shape: tuple[int, ...]) -> float:
    """Overlap of two quads, rasterised with cv2."""
    ma = np.zeros(shape[:2], np.uint8)
    mb = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(ma, [np.round(a).astype(np.int32)], 1)
    cv2.fillPoly(mb, [np.round(b).astype(np.int32)], 1)
    union = int((ma | mb).sum())
    return float((ma & mb).sum()) / union if union else 0.0


def framed_params(**changes) -> PhotoParams:
    """A plainly framed and matted work, seen off-axis, with a wall label: the common case."""
    base = sample_params(rng_for("framed"))
    p = dataclasses.replace(
        base,
        long_side=720,
        art_fraction=0.4,
        centre_x=0.1,
        centre_y=-0.1,
        frame_kind="wood",
        frame_colour=(120, 78, 40),
        frame_width=0.08,
        frame_steps=2,
        frame_bevel=0.6,
        mat_colour=(244, 242, 236),
        mat_width=0.12,
        mat_bottom=0.1,
        wall=(205, 205, 202),
        label=True,
        label_side=1,
        neighbour=0.0,
        yaw=11.0,
        pitch=-4.0,
        roll=2.5,
        focal=1.1,
        glare=0.4,
        noise=4.0,
        blur=0.6,
        jpeg_quality=70,
    )
    return dataclasses.replace(p, **changes)


def side_lengths_aspect(quad: np.ndarray) -> float:
    q = np.asarray(quad, np.float32)
    width = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    height = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(width / height)


def test_framed_photo_is_found_and_rectified():
    path = labelled("genre")[10]
    rgb = load(path)
    g = gallery_photo(rgb, path.name, framed_params())
    found = find_artwork(g.photo)
    assert isinstance(found, FoundArtwork)
    assert found.method == "quad" and found.quad is not None
    assert found.quad.shape == (4, 2) and found.quad.dtype == np.float32
    assert iou(found.quad, g.quad, g.photo.shape) >= 0.85
    assert 0.0 < found.score <= 1.0
    art = trim_backdrop(rgb)
    crop_aspect = found.crop.shape[1] / found.crop.shape[0]
    assert crop_aspect == pytest.approx(art.shape[1] / art.shape[0], rel=0.1)
    assert found.crop.dtype == np.uint8 and found.crop.shape[2] == 3


def test_rectify_straightens_a_known_quad_at_full_resolution():
    """Warp a known picture into a photo with a known homography, then rectify it back."""
    art = np.zeros((200, 300, 3), np.uint8)
    art[::20] = 255
    art[:, ::30] = (255, 0, 0)
    cv2.circle(art, (150, 100), 50, (0, 255, 0), -1)
    quad = np.float32([[120, 80], [470, 110], [455, 360], [100, 330]])
    src = np.float32([[0, 0], [299, 0], [299, 199], [0, 199]])
    photo = cv2.warpPerspective(art, cv2.getPerspectiveTransform(src, quad), (600, 450))
    crop = rectify(photo, quad)
    assert crop.shape[1] / crop.shape[0] == pytest.approx(side_lengths_aspect(quad), rel=0.01)
    back = cv2.resize(crop, (300, 200), interpolation=cv2.INTER_AREA).astype(np.float32)
    assert np.corrcoef(back.ravel(), art.astype(np.float32).ravel())[0, 1] > 0.8


def test_reproductions_pass_through_unchanged():
    paths = (
        pick(labelled("style"), 6, 1)
        + pick(labelled("genre"), 4, 2)
        + pick(labelled("medium"), 6, 3)
        + pick(labelled("lithograph"), 4, 4)
    )
    passed = 0
    for path in paths:
        rgb = load(path)
        before = rgb.copy()
        found = find_artwork(rgb)
        assert np.array_equal(rgb, before), "the input must not be modified"
        if found.method == "passthrough":
            passed += 1
            assert found.crop is rgb
            assert found.quad is None and found.score == 0.0
    # Measured on 300 such images: about 98 % pass through; a crop there is a real border.
    assert passed >= len(paths) - 1, f"only {passed} of {len(paths)} reproductions passed through"


@pytest.mark.parametrize("name", ["astronaut", "chelsea", "coffee", "rocket"])
def test_pictures_with_no_artwork_pass_through(name: str):
    """Contract: nothing hung on a plain wall and no frame filling the picture means no crop."""
    rgb = getattr(skimage.data, name)()
    found = find_artwork(rgb)
    assert found.method == "passthrough" and found.quad is None and found.crop is rgb


def test_odd_inputs_pass_through():
    grey = np.full((300, 400), 128, np.uint8)
    assert find_artwork(grey).crop is grey
    flat = np.full((300, 400, 3), 200, np.uint8)
    assert find_artwork(flat).method == "passthrough"
    tiny = np.zeros((20, 20, 3), np.uint8)
    assert find_artwork(tiny).crop is tiny
    noise = np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    assert find_artwork(noise).method == "passthrough"


@pytest.mark.parametrize("side", [1, -1])
def test_two_artworks_larger_more_central_one_wins(side: int):
    paths = labelled("style")
    main, other = load(paths[40]), load(paths[41])
    p = framed_params(
        art_fraction=0.3,
        neighbour=0.6,
        neighbour_cut=False,
        label=True,
        label_side=side,
        yaw=-7.0,
        glare=0.0,
    )
    g = gallery_photo(main, f"pair{side}", p, neighbour_rgb=other)
    found = find_artwork(g.photo)
    assert found.quad is not None
    assert iou(found.quad, g.quad, g.photo.shape) >= 0.85


def test_wall_label_and_shadow_do_not_win():
    path = labelled("style")[7]
    p = framed_params(
        frame_kind="black", frame_colour=(30, 28, 26), frame_width=0.03, mat_width=0.0, shadow=0.5, yaw=-12.0
    )
    g = gallery_photo(load(path), "label", p)
    found = find_artwork(g.photo)
    assert found.quad is not None
    assert iou(found.quad, g.quad, g.photo.shape) >= 0.85


def test_generated_photos_are_found_statistically():
    """Forty photos with sampled looks, of paintings without their own borders (style, genre).

    The brief's target is IoU >= 0.85 on about 90 % of photos. Measured on 200
    photos of such sources: 90 %; on whitney/medium images, whose paper margins
    make the true edge ambiguous, lower (see the report). A fixed sample of 40
    varies by a few photos either way, hence 85 % here as the guard.
    """
    paths = pick(labelled("style") + labelled("genre"), 40, 5)
    scores = []
    for i, path in enumerate(paths):
        g = gallery_photo(load(path), f"stat-{i}")
        found = find_artwork(g.photo)
        scores.append(0.0 if found.quad is None else iou(found.quad, g.quad, g.photo.shape))
    good = sum(s >= 0.85 for s in scores)
    assert good >= 34, f"IoU >= 0.85 on {good} of 40 photos: {np.round(sorted(scores), 2).tolist()}"


def test_draw_outline_draws_on_a_copy():
    rgb = np.zeros((300, 400, 3), np.uint8)
    quad = np.float32([[50, 40], [350, 60], [340, 260], [60, 250]])
    out = draw_outline(rgb, quad, colour=(255, 200, 0))
    assert out is not rgb and out.shape == rgb.shape and out.dtype == np.uint8
    assert rgb.max() == 0, "the input must stay untouched"
    assert tuple(out[40, 50]) == (255, 200, 0) or tuple(out[41, 51]) == (255, 200, 0)
    assert tuple(out[150, 200]) == (0, 0, 0)
    # Width 0 is automatic and grows with the picture: a line 7.5 times as long and thicker
    # covers far more than 7.5 times the pixels, as a line of fixed width would.
    big = draw_outline(np.zeros((2000, 3000, 3), np.uint8), quad * 7.5)
    small = draw_outline(rgb, quad)
    assert big.any(axis=2).sum() > 15 * small.any(axis=2).sum()
    thick = draw_outline(rgb, quad, width=9)
    assert thick.any(axis=2).sum() > 2 * small.any(axis=2).sum()
