"""Find the artwork in a visitor's photo and straighten it, or leave a clean picture alone.

The models were trained on tight reproductions; a gallery photo adds a frame, a
mat, the wall, a label and an oblique view, which they have never seen. This is
the document-scanner answer: find the painted/printed surface as a convex
quadrilateral and warp it front-on at the photo's own resolution.

Three rules shape everything here:
- A reproduction must come back untouched (`method == "passthrough"`, the same
  array). Paintings are full of windows, doors and table tops, so a rectangle
  alone proves nothing: we only crop an outline with plain wall around it, or a
  frame that fills the picture.
- Frames and mats give nested rectangles. The artwork is the innermost one
  reached from the outside over plain bands (mat, moulding), found side by
  side in a front-on view, not the frame's outer edge and not a line painted
  inside the picture.
- Museum images of prints show the sheet square on a plain backdrop, and a
  print's image sits on plain paper. That looks exactly like an unframed work
  on a wall photographed dead front-on, so an outline square to the picture's
  axes is cropped only when a strong frame and a mat are seen inside it, and
  an unframed one only when it is clearly tilted and crisp-edged. A phone held
  by hand is rarely that square; a print's inked edge is rarely that crisp.
Detection runs on a copy about 400 px long, so it costs the same for any photo.

Its parts: artdemo.imaging.detection (the copy, and what is plain in it),
artdemo.imaging.outlines (candidate outlines and how well they fit) and
artdemo.imaging.frame_scan (frame and mat inside an outline); this module
decides among them and crops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from artdemo.imaging import detection, frame_scan, outlines

FILLS_PICTURE = 0.9
"""A quad covering this share of the picture is the picture itself: nothing to crop."""

FIT = 0.75
"""Share of the colour steps along every side of a hung work's outline that must lie right on it."""

LOOSE_FIT = 0.45
"""A rougher outline is enough when a frame is seen inside it."""

CUT_MIN_AREA = 0.2
"""An outline running off the picture's edge must be this large: a close-up of a big frame, not a
shutter or a door at the edge of a painting."""

MIN_HUNG = 0.06
"""Smallest share of the picture a photographed work takes (a plinth's face or a label is smaller)."""

OUTSIDE_BUSY = 0.25
"""Most share of textured pixels around a hung work (label, neighbour); a picture's own details have far more."""

SQUARE_SLOPE = 0.012
"""Sides within ~0.7 degrees of the picture's axes: how scans and museum images sit, rarely phone photos."""

UNFRAMED_SLOPE = 0.035
"""Unframed, unmatted, within ~2 degrees of square: a print's image on its sheet, not a photo of a wall."""

UNFRAMED_FIT = 0.9
"""An unframed work's own edge must be crisp all round: a print's image on its paper is often ragged."""

EDGE_MARGIN = 0.04
"""An outline this close to every edge of the picture is a border, not a work on a wall."""

LETTERBOX = 0.02
"""An outline this close to two opposite edges is the picture padded to a shape (letterbox bars)."""


@dataclass(frozen=True)
class FoundArtwork:
    """What the models should see, and where it came from in the picture.

    `quad` is TL, TR, BR, BL as (x, y) in the input picture's pixels, or None when
    the picture passed through unchanged. `score` is 0..1: how sure we are that
    the crop is a photographed artwork's surface (0 for a passthrough).
    """

    crop: np.ndarray
    quad: np.ndarray | None
    method: str
    score: float
    reason: str = ""


def find_artwork(rgb: np.ndarray) -> FoundArtwork:
    """The artwork's front-on surface if the picture is a photo of a hung work, else the picture."""
    img = np.asarray(rgb)
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8 or min(img.shape[:2]) < 32:
        return _passthrough(rgb, "not an RGB picture big enough to search")
    small, scale = detection.detection_copy(img)
    look = detection.Look.of(small)
    cands = [c for q in outlines.outline_quads(look) if (c := _describe(q, look)) is not None]
    quad, score, why = _decide(cands, look)
    if quad is None:
        return _passthrough(rgb, why)
    quad = (quad / scale).astype(np.float32)
    quad[:, 0] = np.clip(quad[:, 0], 0, img.shape[1] - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, img.shape[0] - 1)
    return FoundArtwork(crop=rectify(img, quad), quad=quad, method="quad", score=score, reason=why)


def _passthrough(rgb: np.ndarray, why: str) -> FoundArtwork:
    return FoundArtwork(crop=rgb, quad=None, method="passthrough", score=0.0, reason=why)


@dataclass(frozen=True)
class _Candidate:
    """An outline and what _decide weighs. The dearer measures are taken only when _decide asks
    for them: most outlines fail the cheap checks first."""

    quad: np.ndarray  # float32 4x2, TL TR BR BL, detection pixels
    look: detection.Look = field(repr=False)
    slope: float  # see outlines.slope
    area: float  # share of the detection picture
    support: float  # share of the outline with a real colour step across it
    side_support: float  # the weakest side's share
    centrality: float  # 1 at the centre, 0 at a corner

    @cached_property
    def _busy(self) -> tuple[float, float]:
        return _busy_around(self.quad, self.look.busy)

    @property
    def outside_busy(self) -> float:
        """Share of textured pixels outside the outline."""
        return self._busy[0]

    @property
    def inside_busy(self) -> float:
        """And inside it."""
        return self._busy[1]

    @cached_property
    def fit(self) -> float:
        """The weakest side's share of edge crossings right on the outline (see outlines.side_fit)."""
        return outlines.side_fit(self.quad, self.look)

    @cached_property
    def square(self) -> bool:
        """Sides parallel to the picture's edges (no perspective, no tilt)."""
        return self.slope <= SQUARE_SLOPE or (self.slope < 0.1 and _square_fits_better(self.quad, self.look))


def _square_fits_better(q: np.ndarray, look: detection.Look) -> bool:
    """An upright rectangle follows the edges at least as well: the quad's tilt comes from a
    ragged side (a print's signature, a torn margin), not from the camera."""
    x0, x1 = (q[0, 0] + q[3, 0]) / 2, (q[1, 0] + q[2, 0]) / 2
    y0, y1 = (q[0, 1] + q[1, 1]) / 2, (q[2, 1] + q[3, 1]) / 2
    upright = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    return outlines.side_fit(upright, look, lines=1) >= max(FIT, outlines.side_fit(q, look, lines=1) - 0.05)


def _busy_around(q: np.ndarray, busy: np.ndarray) -> tuple[float, float]:
    """Shares of textured pixels outside and inside the outline, a margin left for its own edge."""
    c = q.mean(axis=0)
    outside = np.ones(busy.shape, np.uint8)
    cv2.fillPoly(outside, [np.round(c + (q - c) * 1.06).astype(np.int32)], 0)
    inside = np.zeros(busy.shape, np.uint8)
    cv2.fillPoly(inside, [np.round(c + (q - c) * 0.94).astype(np.int32)], 1)
    inner = float(busy[inside > 0].mean()) if inside.any() else 0.0
    if int(outside.sum()) < 0.02 * busy.size:
        return 1.0, inner  # fills the picture: no wall seen, so no evidence of one
    return float(busy[outside > 0].mean()), inner


def _hugs_edges(q: np.ndarray, w: int, h: int) -> bool:
    """Cropping would only trim a border, or letterbox bars: every side within a few percent of
    the picture's own, or two opposite sides right on the picture's edges."""
    top = max(q[0, 1], q[1, 1]) / h
    bottom = 1 - min(q[2, 1], q[3, 1]) / h
    left = max(q[0, 0], q[3, 0]) / w
    right = 1 - min(q[1, 0], q[2, 0]) / w
    if max(top, bottom, left, right) < EDGE_MARGIN:
        return True
    return max(left, right) < LETTERBOX or max(top, bottom) < LETTERBOX


def _describe(q: np.ndarray, look: detection.Look) -> _Candidate | None:
    """Measure an outline for _decide, or None if it cannot be a work's edge at all."""
    if not outlines.plausible_shape(q):
        return None
    slope = outlines.slope(q)
    if slope > outlines.MAX_SLOPE:
        return None
    h, w = look.busy.shape
    sides = outlines.side_contrast(q, look.col)
    cut = int(np.isnan(sides).sum())
    area = float(cv2.contourArea(q)) / (w * h)
    if cut > 2 or (cut and area < CUT_MIN_AREA):
        return None  # a photo cuts off a frame only when the work fills much of it
    c = q.mean(axis=0) / [w, h] - 0.5
    return _Candidate(
        quad=q,
        look=look,
        slope=slope,
        area=area,
        support=float(np.nanmean(sides)),
        side_support=float(np.nanmin(sides)),
        centrality=float(1 - np.clip(np.hypot(*c) / 0.707, 0, 1)),
    )


# --- choosing --------------------------------------------------------------------------------


def _decide(cands: list[_Candidate], look: detection.Look) -> tuple[np.ndarray | None, float, str]:
    """The quad to crop (detection pixels), a score and why; or None and why not.

    In order of trust: a clean outline on a plain wall (then look inside it for
    frame and mat), a rougher one with a frame seen inside it, and last a frame
    and mat filling the whole picture. Anything else passes through.
    """
    h, w = look.busy.shape
    good = [c for c in cands if c.support > 0.55 and c.side_support > 0.3]
    quads = [c.quad for c in good]
    # A hung work: a textured thing with plain wall around it; the larger, more central wins.
    on_wall = [
        c
        for c in good
        if c.area >= MIN_HUNG and c.outside_busy < OUTSIDE_BUSY and c.inside_busy > 0.8 * c.outside_busy
    ]
    ranked = sorted(on_wall, key=lambda c: c.area * (0.5 + c.centrality) * c.support, reverse=True)
    clean = [c for c in ranked if c.fit >= FIT]
    if clean:
        root = clean[0]
        if root.square:
            # Scans and museum images sit square; a framed and matted work shot square is cropped.
            inner = frame_scan.scan_inward(look, root.quad, quads, need_frame=True, min_levels=2)
            if inner is None:
                return None, 0.0, "an outline square to the picture: a scan or museum image, passed through"
            return _finish(inner, look, 1 - root.outside_busy / OUTSIDE_BUSY, True, "frame and mat on a plain wall")
        inner = frame_scan.scan_inward(look, root.quad, quads, need_frame=False)
        if inner is None and (outlines.slope(root.quad) < UNFRAMED_SLOPE or root.fit < UNFRAMED_FIT):
            why = "an unframed sheet, nearly square or with ragged edges: a print on its paper, passed through"
            return None, 0.0, why
        nested = inner is not None
        why = "frame or mat on a plain wall" if nested else "an unframed work on a plain wall"
        return _finish(root.quad if inner is None else inner, look, 1 - root.outside_busy / OUTSIDE_BUSY, nested, why)
    # A rougher outline (glare, a carved frame) counts when a mat or frame is seen inside it
    # (a strong frame edge if it is nearly square to the picture, as a print's sheet would be).
    for root in [c for c in ranked if LOOSE_FIT <= c.fit and not c.square][:3]:
        inner = frame_scan.scan_inward(look, root.quad, quads, need_frame=outlines.slope(root.quad) < UNFRAMED_SLOPE)
        if inner is not None:
            return _finish(inner, look, 1 - root.outside_busy / OUTSIDE_BUSY, True, "a frame on a plain wall")
    # Perhaps a frame filling the picture (its edge cut off): look in from the picture's edge.
    whole = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    inner = frame_scan.scan_inward(look, whole, quads, need_frame=True, min_levels=2)
    if inner is None:
        return None, 0.0, "nothing hung on a plain wall, no frame and mat filling the picture: passed through"
    return _finish(inner, look, 0.6, True, "a frame and mat filling the picture")


def _finish(
    quad: np.ndarray, look: detection.Look, plain: float, nested: bool, why: str
) -> tuple[np.ndarray | None, float, str]:
    """Last checks on the chosen quad, and how sure we are (plain wall, clear outline, frame seen)."""
    h, w = look.busy.shape
    area = float(cv2.contourArea(quad)) / (w * h)
    if area >= FILLS_PICTURE or _hugs_edges(quad, w, h):
        return None, 0.0, "the outline is the picture's own edge"
    support = float(np.nan_to_num(np.nanmean(outlines.side_contrast(quad, look.col))))
    score = float(np.clip(0.4 * plain + 0.3 * support + 0.3 * nested, 0, 1))
    return quad, score, why


# --- output ----------------------------------------------------------------------------------


def rectify(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp the quad front-on at full resolution; output sides are the quad's mean side lengths."""
    q = np.asarray(quad, np.float32)
    top, bottom = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])
    left, right = np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])
    w = max(2, int(round((top + bottom) / 2)))
    h = max(2, int(round((left + right) / 2)))
    dst = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    m = cv2.getPerspectiveTransform(q, dst)
    return cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def draw_outline(
    rgb: np.ndarray, quad: np.ndarray, colour: tuple[int, int, int] = (255, 200, 0), width: int = 0
) -> np.ndarray:
    """A copy of the picture with the quad drawn on it, thick enough to see at any size."""
    out = np.array(rgb, dtype=np.uint8, copy=True)
    if width <= 0:
        width = max(2, round(max(out.shape[:2]) / 200))
    pts = np.round(np.asarray(quad, np.float32)).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(out, [pts], True, colour, width, cv2.LINE_AA)
    return out
