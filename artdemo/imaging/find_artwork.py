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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

DETECT_SIDE = 400
"""Long side of the copy used for detection: enough for frame edges, cheap for any upload."""

FILLS_PICTURE = 0.9
"""A quad covering this share of the picture is the picture itself: nothing to crop."""

MIN_AREA = 0.03
"""Smaller outlines are wall labels, switches or details, not the work being photographed."""

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

MAX_SLOPE = 0.45
"""Sides beyond ~25 degrees off the axes: no one photographs a hung work like that."""

ROUGH = 3.0
"""Least texture (RGB second difference) that counts as picture rather than wall, mat or moulding."""

STEP = 6.0
"""Least RGB step across a row, along most of a side, that counts as a nested edge."""

EDGE_PERCENTILE = 25
"""A nested edge must step along ~3/4 of the side: mats run edge to edge, a horizon rarely does."""

FRAME_SHARE = 0.2
"""The outermost band may be busy (carving, grain) if it ends in a strong edge this deep at most."""

FRAME_STEP = 100.0
"""RGB step from a frame to its mat when the whole is square to the picture: a dark or wooden
moulding on a white mat; a museum's grey card against a sheet's paper steps far less."""

MAT_RATIO = 1.5
"""Frame plus mat is at most this much deeper at top and bottom than at the sides, or vice versa."""

SCAN_DEPTH = 0.42
"""How far in from each side the scan looks for nested edges."""


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
    small, scale = _detection_copy(img)
    look = _Look.of(small)
    cands = [c for q in _outline_quads(look) if (c := _describe(q, look)) is not None]
    quad, score, why = _decide(cands, look)
    if quad is None:
        return _passthrough(rgb, why)
    quad = (quad / scale).astype(np.float32)
    quad[:, 0] = np.clip(quad[:, 0], 0, img.shape[1] - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, img.shape[0] - 1)
    return FoundArtwork(crop=rectify(img, quad), quad=quad, method="quad", score=score, reason=why)


def _passthrough(rgb: np.ndarray, why: str) -> FoundArtwork:
    return FoundArtwork(crop=rgb, quad=None, method="passthrough", score=0.0, reason=why)


def _detection_copy(img: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(1.0, DETECT_SIDE / max(img.shape[:2]))
    if scale == 1.0:
        return img, 1.0
    size = (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale)))
    small = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return small, small.shape[1] / img.shape[1]


# --- what is plain ---------------------------------------------------------------------------


def _colour_dist(d: np.ndarray) -> np.ndarray:
    """Length of RGB differences (last axis), spelled out: numpy reduces a 3-long axis slowly."""
    return np.sqrt(d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1] + d[..., 2] * d[..., 2])


def _texture(img: np.ndarray) -> np.ndarray:
    """Second difference along rows: texture shows, smooth light (glare, vignetting) does not."""
    return _colour_dist(img[:, 6:] - 2 * img[:, 3:-3] + img[:, :-6])


@dataclass(frozen=True)
class _Look:
    """The detection copy and what counts as plain in it (phones differ in noise and JPEG)."""

    col: np.ndarray  # float32 RGB, lightly blurred
    edges: tuple[np.ndarray, ...]  # Canny maps, weak to strong edges
    busy: np.ndarray  # bool, textured pixels
    smooth: float  # texture above this is picture
    step: float  # colour step above this is an edge
    fits: dict = field(default_factory=dict, compare=False, repr=False)  # _side_fit's answers so far

    @staticmethod
    def of(small: np.ndarray) -> _Look:
        blurred = cv2.GaussianBlur(small, (0, 0), 1.0)
        col = blurred.astype(np.float32)
        tx = _texture(col)
        c = small[:, 3:-3]
        brightest = np.maximum(np.maximum(c[..., 0], c[..., 1]), c[..., 2])
        darkest = np.minimum(np.minimum(c[..., 0], c[..., 1]), c[..., 2])
        ok = (brightest < 245) & (darkest > 10)  # clipped pixels show no noise
        noise = float(np.percentile(tx[ok] if ok.mean() > 0.1 else tx, 10))
        edges = tuple(cv2.Canny(blurred, lo, hi, L2gradient=True) for lo, hi in ((20, 60), (45, 130), (90, 240)))
        # Texture: edges that survive Canny hysteresis (noise and JPEG blocks on a wall mostly do
        # not), crowded more than a single straight line (a frame edge, a label) would be.
        busy = cv2.blur(edges[1].astype(np.float32) / 255, (7, 7)) > 0.16  # more than one line through
        return _Look(col, edges, busy, max(ROUGH, 3.0 * noise), max(STEP, 3.0 * noise))


# --- outlines --------------------------------------------------------------------------------


_NEXT = [1, 2, 3, 0]
"""Index of each corner's successor: side i runs from corner i to corner _NEXT[i]."""


def order_corners(pts: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL for any four corners of a convex quad (rotated up to 45 degrees)."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen, starting anywhere
    start = int(np.argmin(pts.sum(axis=1)))  # top-left: smallest x + y
    return np.roll(pts, -start, axis=0)


def _line_cross(p1, p2, p3, p4) -> np.ndarray | None:
    d1, d2 = p2 - p1, p4 - p3
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) < 1e-6:
        return None
    t = ((p3[0] - p1[0]) * d2[1] - (p3[1] - p1[1]) * d2[0]) / den
    return p1 + t * d1


def _quad_from_polygon(poly: np.ndarray) -> np.ndarray | None:
    """Four longest sides of a convex polygon, extended until they meet.

    An outline with a corner lost (a white sky against a white mat, a glint)
    comes out of approxPolyDP as a pentagon; its four real sides are still the
    longest ones.
    """
    pts = poly.reshape(-1, 2).astype(np.float64)
    n = len(pts)
    lengths = np.linalg.norm(np.roll(pts, -1, axis=0) - pts, axis=1)
    keep = np.sort(np.argsort(lengths)[-4:])
    corners = []
    for a, b in zip(keep, np.roll(keep, -1)):
        c = _line_cross(pts[a], pts[(a + 1) % n], pts[b], pts[(b + 1) % n])
        if c is None:
            return None
        corners.append(c)
    return order_corners(np.array(corners))


def _quads_from_edges(edges: np.ndarray, min_area: float) -> list[np.ndarray]:
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    h, w = edges.shape
    out = []
    for c in contours:
        if len(c) < 4:
            continue
        _, _, bw, bh = cv2.boundingRect(c)
        if bw * bh < min_area:
            continue  # its hull is smaller still: spare the hull (most contours are specks)
        hull = cv2.convexHull(c)
        hull_area = cv2.contourArea(hull)
        if hull_area < min_area:
            continue
        peri = cv2.arcLength(hull, True)
        for eps in (0.015, 0.03, 0.05):
            approx = cv2.approxPolyDP(hull, eps * peri, True)
            if len(approx) == 4:
                out.append(order_corners(approx))
                break
            if len(approx) < 4:
                break
            if eps == 0.015 and len(approx) <= 8:
                q = _quad_from_polygon(approx)
                if q is not None and cv2.contourArea(q) < hull_area * 1.15:
                    x, y = q[:, 0], q[:, 1]
                    if ((x > -0.05 * w) & (x < 1.05 * w) & (y > -0.05 * h) & (y < 1.05 * h)).all():
                        out.append(q)
    return out


def _outline_quads(look: _Look) -> list[np.ndarray]:
    """Closed outlines that simplify to four corners, from edges at three strengths."""
    h, w = look.busy.shape
    kernel = np.ones((3, 3), np.uint8)
    quads: list[np.ndarray] = []
    for edges in look.edges:
        quads += _quads_from_edges(cv2.dilate(edges, kernel), MIN_AREA * w * h)
    tol = 0.02 * max(w, h)
    kept = _dedupe([q for q in quads if _plausible_shape(q) and _slope(q) <= MAX_SLOPE], tol)
    return _dedupe([_refine(q, look) for q in kept], tol)


def _dedupe(quads: list[np.ndarray], tol: float) -> list[np.ndarray]:
    kept: list[np.ndarray] = []
    for q in quads:
        if not any(np.max(np.abs(q - k)) < tol for k in kept):
            kept.append(q)
    return kept


def _refine(q: np.ndarray, look: _Look) -> np.ndarray:
    """The outline with its sides fitted to the edge pixels along them, if that fits better.

    A tight fit corrects a pixel or two; a wide one first catches a side that
    contour simplification tilted. Either is kept only if the outline then
    follows the colour steps along it more closely (see _side_fit): a wide
    fit can also jump to a neighbouring line (a moulding step, a shadow).
    """
    edges = look.edges[0]
    tight = _fit_sides(q, edges, reach=3.0, max_move=4.0)
    best_fit = _side_fit(tight, look) + 0.02  # a small preference for the tight fit
    if best_fit >= 1.0:
        return tight  # no fit beats it by more (a fit is at most 1): spare the wide one
    wide = _fit_sides(_fit_sides(q, edges, reach=6.0, max_move=8.0), edges, reach=2.5, max_move=3.0)
    return wide if _side_fit(wide, look) > best_fit else tight


def _fit_sides(q: np.ndarray, edges: np.ndarray, reach: float, max_move: float) -> np.ndarray:
    """Fit each side to the edge pixels within `reach` of it: contour simplification leaves corners off.

    Exact sides matter: whether an outline is square to the picture decides
    between a museum image and a phone photo. Fits that would move a corner by
    more than `max_move` are refused: the contour was then something else.
    """
    h, w = edges.shape
    lines = []
    for i in range(4):
        # Plain floats for the side's frame: numpy's per-call cost dominates on four 2-vectors.
        ax, ay = float(q[i, 0]), float(q[i, 1])
        bx, by = float(q[(i + 1) % 4, 0]), float(q[(i + 1) % 4, 1])
        length = float(np.linalg.norm((bx - ax, by - ay)))
        dx, dy = (bx - ax) / max(length, 1e-6), (by - ay) / max(length, 1e-6)
        x0, y0 = max(0, math.floor(min(ax, bx) - reach - 1)), max(0, math.floor(min(ay, by) - reach - 1))
        x1, y1 = min(w, math.ceil(max(ax, bx) + reach + 2)), min(h, math.ceil(max(ay, by) + reach + 2))
        ys, xs = np.nonzero(edges[y0:y1, x0:x1])
        px, py = (xs + x0).astype(np.float64), (ys + y0).astype(np.float64)
        rel = np.stack((px - ax, py - ay), axis=1)
        t = rel @ (dx, dy)
        off = rel @ (-dy, dx)
        keep = (np.abs(off) <= reach) & (t > 0.1 * length) & (t < 0.9 * length)
        count = int(np.count_nonzero(keep))
        if count < 0.3 * length:
            return q
        stride = max(1, count // 120)  # enough points for a line
        near = np.stack((px[keep][::stride], py[keep][::stride]), axis=1).astype(np.float32)
        vx, vy, cx, cy = cv2.fitLine(near, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        # Once more without the stray pixels (a corner of the next line, a speck): cheaper than
        # an iterative robust fit, and as good for a side that is mostly one straight edge.
        dist = np.abs((near[:, 0] - cx) * vy - (near[:, 1] - cy) * vx)
        inliers = near[dist <= 1.5]
        if len(inliers) >= max(8, len(near) // 2):
            vx, vy, cx, cy = cv2.fitLine(inliers, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        lines.append((np.array([cx, cy]), np.array([cx + vx, cy + vy])))
    corners = []
    for i in range(4):
        c = _line_cross(*lines[i - 1], *lines[i])
        if c is None:
            return q
        corners.append(c)
    refined = np.array(corners, np.float32)
    if np.max(np.abs(refined - q)) > max_move:
        return q
    return refined


# --- describing an outline -------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """An outline and what _decide weighs. The dearer measures are taken only when _decide asks
    for them: most outlines fail the cheap checks first."""

    quad: np.ndarray  # float32 4x2, TL TR BR BL, detection pixels
    look: _Look = field(repr=False)
    slope: float  # see _slope
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
        """The weakest side's share of edge crossings right on the outline (see _side_fit)."""
        return _side_fit(self.quad, self.look)

    @cached_property
    def square(self) -> bool:
        """Sides parallel to the picture's edges (no perspective, no tilt)."""
        return self.slope <= SQUARE_SLOPE or (self.slope < 0.1 and _square_fits_better(self.quad, self.look))


def _plausible_shape(q: np.ndarray) -> bool:
    """A rectangle seen at up to ~15 degrees off-axis: convex, near-square corners, sides alike."""
    if not cv2.isContourConvex(q.reshape(-1, 1, 2).astype(np.float32)):
        return False
    sides = np.linalg.norm(q - q[_NEXT], axis=1)
    if sides.min() < 8:
        return False
    if min(sides[0], sides[2]) / max(sides[0], sides[2]) < 0.6:
        return False
    if min(sides[1], sides[3]) / max(sides[1], sides[3]) < 0.6:
        return False
    for i in range(4):
        a, b = q[i - 1] - q[i], q[(i + 1) % 4] - q[i]
        cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
        if abs(cos) > 0.42:  # corner outside ~65..115 degrees
            return False
    return True


def _cut_sides(q: np.ndarray, w: int, h: int) -> np.ndarray:
    """Sides lying on the picture's own edge: where the photo cut the frame off, not an outline."""
    cut = np.zeros(4, bool)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        for k, size in ((0, w), (1, h)):
            if max(a[k], b[k]) <= 4 or min(a[k], b[k]) >= size - 5:
                cut[i] = True
    return cut


def _side_contrast(q: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Per side: the share of points with a clear colour step between just inside and just outside
    (NaN for a side on the picture's edge)."""
    h, w = col.shape[:2]
    centre = q.mean(axis=0)
    shares = np.zeros(4)
    shares[_cut_sides(q, w, h)] = np.nan
    t = np.linspace(0.1, 0.9, 24)[:, None]
    for i in range(4):
        if np.isnan(shares[i]):
            continue
        a, b = q[i], q[(i + 1) % 4]
        pts = a + (b - a) * t
        d = b - a
        normal = np.array([d[1], -d[0]]) / (np.linalg.norm(d) + 1e-6)
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal
        outside = np.round(pts + 2.5 * normal).astype(int)
        inside = np.clip(np.round(pts - 2.5 * normal).astype(int), 0, [w - 1, h - 1])
        ok = (outside[:, 0] >= 0) & (outside[:, 0] < w) & (outside[:, 1] >= 0) & (outside[:, 1] < h)
        if not ok.any():
            continue
        o, i_ = outside[ok], inside[ok]
        diff = _colour_dist(col[o[:, 1], o[:, 0]] - col[i_[:, 1], i_[:, 0]])
        shares[i] = float(np.mean(diff > 10.0)) * ok.mean()
    return shares


def _side_fit(q: np.ndarray, look: _Look, lines: int = 2) -> float:
    """How exactly the outline follows the colour step along it: the weakest side's share of
    steps in line with it (see _in_line), among those found near it.

    A frame's or a canvas's edge is straight, so walking in from the wall the
    strongest step comes at the same distance all along it, even where it is
    faint. A rectangle fitted to a hand-pulled print's ragged edge, or made up
    from a picture's own lines, meets steps at scattered distances.
    """
    q = np.asarray(q)
    key = (q.dtype.str, q.tobytes(), lines)  # refining, describing and choosing ask again
    if key not in look.fits:
        look.fits[key] = _measure_side_fit(q, look, lines)
    return look.fits[key]


def _measure_side_fit(q: np.ndarray, look: _Look, lines: int) -> float:
    h, w = look.busy.shape
    cut = _cut_sides(q, w, h)
    a = q.astype(np.float64)
    d = a[_NEXT] - a  # side i runs from corner i to corner i+1
    normal = np.stack((d[:, 1], -d[:, 0]), axis=1) / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-6)
    outward = np.sign(np.sum(normal * (a + d / 2 - a.mean(axis=0)), axis=1, keepdims=True))
    normal *= np.where(outward == 0, 1, outward)
    t = np.linspace(0.1, 0.9, 32)[None, :, None, None]
    offsets = np.arange(6, -7, -1, dtype=np.float64)[None, None, :, None]  # from outside inwards
    pts = np.round(a[:, None, None] + d[:, None, None] * t + offsets * normal[:, None, None]).astype(int)
    seen = ((pts[..., 0] >= 0) & (pts[..., 0] < w) & (pts[..., 1] >= 0) & (pts[..., 1] < h)).all(axis=2)
    prof = look.col[np.clip(pts[..., 1], 0, h - 1), np.clip(pts[..., 0], 0, w - 1)]  # 4 x 32 x 13 x 3
    # Steps between neighbours from 6 px out to 2 px in; texture further in is the picture's.
    grad = _colour_dist(np.diff(prof[:, :, :10], axis=2))  # 4 x 32 x 9
    found = (grad.max(axis=2) >= max(4.0, look.step / 2)) & seen
    where = np.argmax(grad, axis=2)  # 0 is 5.5 px out, 8 is 2.5 px in
    worst = 1.0
    for i in range(4):
        if cut[i] or seen[i].sum() < 8 or found[i].sum() < 4:
            continue  # off the picture, or too faint to judge: the contrast checks speak for it
        worst = min(worst, _in_line(where[i][found[i]], 9, lines))
    return worst


def _square_fits_better(q: np.ndarray, look: _Look) -> bool:
    """An upright rectangle follows the edges at least as well: the quad's tilt comes from a
    ragged side (a print's signature, a torn margin), not from the camera."""
    x0, x1 = (q[0, 0] + q[3, 0]) / 2, (q[1, 0] + q[2, 0]) / 2
    y0, y1 = (q[0, 1] + q[1, 1]) / 2, (q[2, 1] + q[3, 1]) / 2
    upright = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    return _side_fit(upright, look, lines=1) >= max(FIT, _side_fit(q, look, lines=1) - 0.05)


def _in_line(where: np.ndarray, bins: int, lines: int = 2) -> float:
    """Share of step positions on at most `lines` straight lines (1 or 2), each two pixels wide.

    Blur puts a straight edge's step at one distance, give or take a pixel, all
    along a side; a thin line beside an edge (a painted border, a lip) gives a
    second such distance. Steps on a ragged or made-up outline scatter.
    """
    counts = np.bincount(where, minlength=bins)
    pairs = counts[:-1] + counts[1:]
    best = int(pairs.max())
    for i in range(len(pairs) if lines > 1 else 0):
        for j in range(i + 2, len(pairs)):
            best = max(best, int(pairs[i] + pairs[j]))
    return best / max(1, len(where))


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


def _slope(q: np.ndarray) -> float:
    """The largest slope of a side against the picture axis it runs along (0 = square to the picture)."""
    worst = 0.0
    for i in range(4):
        d = q[(i + 1) % 4] - q[i]
        along, off = (d[0], d[1]) if i % 2 == 0 else (d[1], d[0])
        worst = max(worst, abs(off) / max(abs(along), 1e-6))
    return worst


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


def _describe(q: np.ndarray, look: _Look) -> _Candidate | None:
    """Measure an outline for _decide, or None if it cannot be a work's edge at all."""
    if not _plausible_shape(q):
        return None
    slope = _slope(q)
    if slope > MAX_SLOPE:
        return None
    h, w = look.busy.shape
    sides = _side_contrast(q, look.col)
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


def _decide(cands: list[_Candidate], look: _Look) -> tuple[np.ndarray | None, float, str]:
    """The quad to crop (detection pixels), a score and why; or None and why not.

    In order of trust: a clean outline on a plain wall (then look inside it for
    frame and mat), a rougher one with a frame seen inside it, and last a frame
    and mat filling the whole picture. Anything else passes through.
    """
    h, w = look.busy.shape
    good = [c for c in cands if c.support > 0.55 and c.side_support > 0.3]
    outlines = [c.quad for c in good]
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
            inner = _scan_inward(look, root.quad, outlines, need_frame=True, min_levels=2)
            if inner is None:
                return None, 0.0, "an outline square to the picture: a scan or museum image, passed through"
            return _finish(inner, look, 1 - root.outside_busy / OUTSIDE_BUSY, True, "frame and mat on a plain wall")
        inner = _scan_inward(look, root.quad, outlines, need_frame=False)
        if inner is None and (_slope(root.quad) < UNFRAMED_SLOPE or root.fit < UNFRAMED_FIT):
            why = "an unframed sheet, nearly square or with ragged edges: a print on its paper, passed through"
            return None, 0.0, why
        nested = inner is not None
        why = "frame or mat on a plain wall" if nested else "an unframed work on a plain wall"
        return _finish(root.quad if inner is None else inner, look, 1 - root.outside_busy / OUTSIDE_BUSY, nested, why)
    # A rougher outline (glare, a carved frame) counts when a mat or frame is seen inside it
    # (a strong frame edge if it is nearly square to the picture, as a print's sheet would be).
    for root in [c for c in ranked if LOOSE_FIT <= c.fit and not c.square][:3]:
        inner = _scan_inward(look, root.quad, outlines, need_frame=_slope(root.quad) < UNFRAMED_SLOPE)
        if inner is not None:
            return _finish(inner, look, 1 - root.outside_busy / OUTSIDE_BUSY, True, "a frame on a plain wall")
    # Perhaps a frame filling the picture (its edge cut off): look in from the picture's edge.
    whole = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    inner = _scan_inward(look, whole, outlines, need_frame=True, min_levels=2)
    if inner is None:
        return None, 0.0, "nothing hung on a plain wall, no frame and mat filling the picture: passed through"
    return _finish(inner, look, 0.6, True, "a frame and mat filling the picture")


def _finish(
    quad: np.ndarray, look: _Look, plain: float, nested: bool, why: str
) -> tuple[np.ndarray | None, float, str]:
    """Last checks on the chosen quad, and how sure we are (plain wall, clear outline, frame seen)."""
    h, w = look.busy.shape
    area = float(cv2.contourArea(quad)) / (w * h)
    if area >= FILLS_PICTURE or _hugs_edges(quad, w, h):
        return None, 0.0, "the outline is the picture's own edge"
    support = float(np.nan_to_num(np.nanmean(_side_contrast(quad, look.col))))
    score = float(np.clip(0.4 * plain + 0.3 * support + 0.3 * nested, 0, 1))
    return quad, score, why


# --- nested edges, side by side in a front-on view -------------------------------------------


def _side_profiles(view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows going inward from the top: texture along each row, and the colour step across it."""
    n = view.shape[1]
    band = view[: int(view.shape[0] * SCAN_DEPTH), int(0.12 * n) : int(0.88 * n)]
    along = _texture(band)
    along = np.sort(along, axis=1)[:, : max(1, int(along.shape[1] * 0.8))].mean(axis=1)
    across = np.zeros(len(band))
    across[1:-1] = np.percentile(_colour_dist(band[2:] - band[:-2]), EDGE_PERCENTILE, axis=1)
    return along, across


@dataclass(frozen=True)
class _Side:
    reach: list[int]  # depths of nested edges reached over plain bands; 0 is the outer quad
    plain_to: int  # rows stay plain this deep past the last one
    framed: bool  # the first edge in is strong and shallow, as a frame's inner edge is
    first_step: float  # colour step at the first edge in (0 if none)
    steps: dict[int, float]  # colour step at each reached edge


def _side_edges(along: np.ndarray, across: np.ndarray, look: _Look, outlines: list[int], frame_depth: int) -> _Side:
    """Walk inward from one side over plain bands, edge to edge.

    `outlines` are depths where a closed contour runs along this side. The
    first band may be busy (a carved or grained frame) if it ends in a strong
    edge no deeper than `frame_depth`.
    """
    n = len(across)
    peaks = {d for d in range(3, n - 1) if across[d] >= look.step and across[d] == across[max(0, d - 3) : d + 4].max()}
    peaks |= {d for d in outlines if 3 <= d < n - 1 and not any(abs(d - p) <= 2 for p in peaks)}
    reach, pos, framed = [0], 0, False
    for p in sorted(peaks):
        strong = pos == 0 and p <= frame_depth and across[max(0, p - 2) : p + 3].max() >= 2.5 * look.step
        rows = along[pos + 2 : p - 1]
        if len(rows) and float(np.mean(rows)) >= look.smooth and not strong:
            break
        framed = framed or strong
        reach.append(p)
        pos = p
    plain_to = pos
    threes = np.lib.stride_tricks.sliding_window_view(along, 3).mean(axis=1)  # each three rows, at once
    for d in range(pos + 2, len(along) - 2):
        if float(threes[d]) >= look.smooth:
            break
        plain_to = d
    steps = {e: float(across[max(0, e - 2) : e + 3].max()) for e in reach[1:]}
    return _Side(reach, plain_to, framed, steps.get(reach[1], 0.0) if len(reach) > 1 else 0.0, steps)


def _outline_depths(quads: list[np.ndarray], m: np.ndarray, cw: int, ch: int) -> list[list[int]]:
    """Per side (top, right, bottom, left), depths of closed outlines nested square in the front-on view."""
    depths: list[list[int]] = [[], [], [], []]
    tol = 3 + 0.02 * max(cw, ch)
    for q in quads:
        u = cv2.perspectiveTransform(q.reshape(1, 4, 2).astype(np.float32), m)[0]
        sides = (
            (u[0, 1], u[1, 1]),
            (cw - 1 - u[1, 0], cw - 1 - u[2, 0]),
            (ch - 1 - u[2, 1], ch - 1 - u[3, 1]),
            (u[0, 0], u[3, 0]),
        )
        if all(min(a, b) > 2 and abs(a - b) <= tol for a, b in sides):
            for k, (a, b) in enumerate(sides):
                depths[k].append(int(round((a + b) / 2)))
    return depths


def _pairs(a: _Side, b: _Side, fits, strong: float) -> list[tuple[int, int]]:
    """Edges on opposite sides that agree, as mats and frames do (including none: (0, 0)).

    A strong edge seen on one side only still counts when the other side is
    plain that deep: a white sky against a white mat shows no edge, but no
    picture texture either.
    """
    found = {(0, 0)}
    found |= {(pa, pb) for pa in a.reach for pb in b.reach if fits(pa, pb)}
    found |= {(pa, pa) for pa in a.reach[1:] if pa <= b.plain_to and a.steps[pa] >= strong}
    found |= {(pb, pb) for pb in b.reach[1:] if pb <= a.plain_to and b.steps[pb] >= strong}
    return sorted(found)


def _nest(lr: list[tuple[int, int]], tb: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    """The deepest (left, right, top, bottom) whose side and top/bottom bands are alike in width.

    Mats are a little deeper top and bottom at most; a much deeper pair on one
    axis is a horizon or a painted border inside the picture, not the mat.
    """
    best, best_depth = (0, 0, 0, 0), -1
    for l, r in lr:
        for t, b in tb:
            across, down = l + r, t + b
            if min(across, down) == 0 and max(across, down) > 0:
                continue
            if max(across, down) > MAT_RATIO * min(across, down) + 6:
                continue
            if across + down > best_depth:
                best, best_depth = (l, r, t, b), across + down
    return best


def _same_width(pa: int, pb: int) -> bool:
    return abs(pa - pb) <= 0.2 * max(pa, pb) + 3


def _top_bottom(pt: int, pb: int) -> bool:
    """Window mats are often deeper at the bottom, never much shallower."""
    return 0.8 * pt - 3 <= pb <= 1.6 * pt + 3


def _scan_inward(
    look: _Look, quad: np.ndarray, outlines: list[np.ndarray], need_frame: bool, min_levels: int = 1
) -> np.ndarray | None:
    """The innermost quad nested in `quad` behind plain bands (moulding, mat), or None.

    Contours miss an artwork's edge wherever it joins the frame's mitre lines or
    matches its mat (a white sky on a white mat). Seen front-on through the
    outer quad's own homography, every nested edge is a straight row or column
    with a colour step along most of its length; from each side we step inward
    from edge to edge while the band crossed is plain, and stop where picture
    texture starts. Opposite sides must agree, as mats and frames are symmetric.
    With `need_frame`, the first edge in must look like a frame's on three sides at least;
    with `min_levels` 2, a second edge (frame, then mat) must be crossed on three sides.
    """
    q = quad.astype(np.float32)
    cw = int(round((np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2))
    ch = int(round((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2))
    if min(cw, ch) < 40:
        return None
    rect = np.float32([[0, 0], [cw - 1, 0], [cw - 1, ch - 1], [0, ch - 1]])
    m = cv2.getPerspectiveTransform(q, rect)
    view = cv2.warpPerspective(look.col, m, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    nested = _outline_depths(outlines, m, cw, ch)
    sides = []
    for k in range(4):  # top, right, bottom, left, each turned to the top
        along, across = _side_profiles(np.rot90(view, k))
        depth = int(FRAME_SHARE * (ch if k % 2 == 0 else cw))
        sides.append(_side_edges(along, across, look, nested[k], depth))
    top, right, bottom, left = sides
    if need_frame and sum(s.framed for s in sides) < 3:  # one side may be lost to glare or shading
        return None
    strong = 3 * look.step
    l, r, t, b = _nest(_pairs(left, right, _same_width, strong), _pairs(top, bottom, _top_bottom, strong))
    if min(l, r, t, b) == 0:
        return None
    if min_levels >= 2:
        # A frame seen square must stand out from its mat as moulding does, not as paper from card.
        levels = [sum(1 for e in s.reach if 0 < e <= d) + (d not in s.reach) for s, d in zip(sides, (t, r, b, l))]
        if sum(n >= 2 and s.first_step >= FRAME_STEP for n, s in zip(levels, sides)) < 3:
            return None
    inner = np.float32([[l, t], [cw - 1 - r, t], [cw - 1 - r, ch - 1 - b], [l, ch - 1 - b]])
    back = cv2.perspectiveTransform(inner[None], np.linalg.inv(m))[0]
    return order_corners(back)


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
