"""Closed outlines that may be a work's edge: found as four-cornered contours, fitted to the
edge pixels along them, and measured for how exactly they follow a straight colour step.

An outline is only a candidate here; artdemo.imaging.find_artwork decides which
one, if any, is a hung work. Exact sides matter: whether an outline is square to
the picture decides between a museum image and a phone photo.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from artdemo.imaging.detection import Look, colour_dist

MIN_AREA = 0.03
"""Smaller outlines are wall labels, switches or details, not the work being photographed."""

MAX_SLOPE = 0.45
"""Sides beyond ~25 degrees off the axes: no one photographs a hung work like that."""

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


def outline_quads(look: Look) -> list[np.ndarray]:
    """Closed outlines that simplify to four corners, from edges at three strengths."""
    h, w = look.busy.shape
    kernel = np.ones((3, 3), np.uint8)
    quads: list[np.ndarray] = []
    for edges in look.edges:
        quads += _quads_from_edges(cv2.dilate(edges, kernel), MIN_AREA * w * h)
    tol = 0.02 * max(w, h)
    kept = _dedupe([q for q in quads if plausible_shape(q) and slope(q) <= MAX_SLOPE], tol)
    return _dedupe([_refine(q, look) for q in kept], tol)


def _dedupe(quads: list[np.ndarray], tol: float) -> list[np.ndarray]:
    kept: list[np.ndarray] = []
    for q in quads:
        if not any(np.max(np.abs(q - k)) < tol for k in kept):
            kept.append(q)
    return kept


def _refine(q: np.ndarray, look: Look) -> np.ndarray:
    """The outline with its sides fitted to the edge pixels along them, if that fits better.

    A tight fit corrects a pixel or two; a wide one first catches a side that
    contour simplification tilted. Either is kept only if the outline then
    follows the colour steps along it more closely (see side_fit): a wide
    fit can also jump to a neighbouring line (a moulding step, a shadow).
    """
    edges = look.edges[0]
    tight = _fit_sides(q, edges, reach=3.0, max_move=4.0)
    best_fit = side_fit(tight, look) + 0.02  # a small preference for the tight fit
    if best_fit >= 1.0:
        return tight  # no fit beats it by more (a fit is at most 1): spare the wide one
    wide = _fit_sides(_fit_sides(q, edges, reach=6.0, max_move=8.0), edges, reach=2.5, max_move=3.0)
    return wide if side_fit(wide, look) > best_fit else tight


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


def plausible_shape(q: np.ndarray) -> bool:
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


def slope(q: np.ndarray) -> float:
    """The largest slope of a side against the picture axis it runs along (0 = square to the picture)."""
    worst = 0.0
    for i in range(4):
        d = q[(i + 1) % 4] - q[i]
        along, off = (d[0], d[1]) if i % 2 == 0 else (d[1], d[0])
        worst = max(worst, abs(off) / max(abs(along), 1e-6))
    return worst


def _cut_sides(q: np.ndarray, w: int, h: int) -> np.ndarray:
    """Sides lying on the picture's own edge: where the photo cut the frame off, not an outline."""
    cut = np.zeros(4, bool)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        for k, size in ((0, w), (1, h)):
            if max(a[k], b[k]) <= 4 or min(a[k], b[k]) >= size - 5:
                cut[i] = True
    return cut


def side_contrast(q: np.ndarray, col: np.ndarray) -> np.ndarray:
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
        diff = colour_dist(col[o[:, 1], o[:, 0]] - col[i_[:, 1], i_[:, 0]])
        shares[i] = float(np.mean(diff > 10.0)) * ok.mean()
    return shares


def side_fit(q: np.ndarray, look: Look, lines: int = 2) -> float:
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


def _measure_side_fit(q: np.ndarray, look: Look, lines: int) -> float:
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
    grad = colour_dist(np.diff(prof[:, :, :10], axis=2))  # 4 x 32 x 9
    found = (grad.max(axis=2) >= max(4.0, look.step / 2)) & seen
    where = np.argmax(grad, axis=2)  # 0 is 5.5 px out, 8 is 2.5 px in
    worst = 1.0
    for i in range(4):
        if cut[i] or seen[i].sum() < 8 or found[i].sum() < 4:
            continue  # off the picture, or too faint to judge: the contrast checks speak for it
        worst = min(worst, _in_line(where[i][found[i]], 9, lines))
    return worst


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
