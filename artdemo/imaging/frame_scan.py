"""Nested edges inside an outline, side by side in a front-on view: frame, mat, then the work.

Contours miss a work's edge where it meets the frame's mitres or matches its mat,
so the finder (artdemo.imaging.find_artwork) warps the outer outline front-on and
walks in from each side over plain bands, edge to edge, until picture texture starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from artdemo.imaging.detection import Look, colour_dist, texture
from artdemo.imaging.outlines import order_corners

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


def _side_profiles(view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows going inward from the top: texture along each row, and the colour step across it."""
    n = view.shape[1]
    band = view[: int(view.shape[0] * SCAN_DEPTH), int(0.12 * n) : int(0.88 * n)]
    along = texture(band)
    along = np.sort(along, axis=1)[:, : max(1, int(along.shape[1] * 0.8))].mean(axis=1)
    across = np.zeros(len(band))
    across[1:-1] = np.percentile(colour_dist(band[2:] - band[:-2]), EDGE_PERCENTILE, axis=1)
    return along, across


@dataclass(frozen=True)
class _Side:
    reach: list[int]  # depths of nested edges reached over plain bands; 0 is the outer quad
    plain_to: int  # rows stay plain this deep past the last one
    framed: bool  # the first edge in is strong and shallow, as a frame's inner edge is
    first_step: float  # colour step at the first edge in (0 if none)
    steps: dict[int, float]  # colour step at each reached edge


def _side_edges(along: np.ndarray, across: np.ndarray, look: Look, outlines: list[int], frame_depth: int) -> _Side:
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


def scan_inward(
    look: Look, quad: np.ndarray, outlines: list[np.ndarray], need_frame: bool, min_levels: int = 1
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
