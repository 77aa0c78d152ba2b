"""Make the photo a gallery visitor would take of an artwork, from a clean reproduction.

The models learn from tight, evenly lit reproductions, but visitors photograph a
work hanging on a wall: a frame and often a mat around it, wall colour, a wall
label, a drop shadow, an oblique view, warm or cool light, glare, a phone's
noise and JPEG. This module fakes all of that, deterministically, so the same
pictures serve as training augmentation and as a fixed evaluation set for the
artwork finder (`find_artwork`) and for the models.

Every knob is sampled widely on purpose: a model (or a finder) that only ever
sees one frame colour or one wall learns that look instead of the artwork.
`GalleryPhoto.quad` is the ground truth: where the artwork's visible surface
(inside frame and mat) ended up in the photo.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

Colour = tuple[int, int, int]

WALLS: dict[str, Colour] = {
    "white": (242, 241, 236),
    "off_white": (234, 228, 214),
    "light_grey": (205, 205, 202),
    "grey": (150, 151, 150),
    "charcoal": (66, 66, 70),
    "beige": (214, 200, 174),
    "deep_red": (122, 30, 36),
    "burgundy": (92, 26, 38),
    "dark_blue": (30, 46, 82),
    "navy": (24, 33, 58),
    "green": (42, 82, 60),
    "sage": (150, 164, 138),
    "teal": (38, 88, 94),
    "ochre": (190, 150, 80),
}
"""Wall colours seen in real galleries: white cubes, period rooms, grey and dark halls."""

FRAMES: dict[str, tuple[Colour, ...]] = {
    "gold": ((196, 156, 72), (214, 178, 92), (170, 128, 52)),
    "black": ((26, 25, 24), (44, 42, 40)),
    "wood": ((122, 78, 42), (158, 112, 64), (92, 60, 36), (188, 150, 104)),
    "white": ((236, 234, 228), (246, 245, 240)),
    "silver": ((176, 176, 178), (140, 142, 146)),
}
FRAME_ODDS = {"none": 0.14, "gold": 0.22, "black": 0.2, "wood": 0.2, "white": 0.12, "silver": 0.12}
MATS: tuple[Colour, ...] = ((246, 246, 242), (240, 234, 218), (250, 248, 240), (232, 226, 206))
RARE_MATS: tuple[Colour, ...] = ((196, 196, 192), (34, 34, 34))

_SPAN = 0.96
"""Share of the photo the framed work may span (before perspective), so its edge stays visible."""


@dataclass(frozen=True)
class PhotoParams:
    """Everything that decides how one gallery photo looks (apart from pixel noise).

    Lengths are relative: to the photo size (positions, glare), or to `s`, the
    square root of the artwork's area (frame, mat, shadow, label), so a
    parameter set means the same on any picture.
    """

    long_side: int
    aspect: float  # >= 1, long side over short side
    follow_art: bool  # photo orientation follows the artwork's (portrait art, portrait photo)
    art_fraction: float  # artwork surface area / photo area, before the fit and perspective
    centre_x: float  # -1..1, where the framed work sits within the room left
    centre_y: float
    wall: Colour
    frame_kind: str
    frame_colour: Colour
    frame_width: float
    frame_steps: int  # moulding steps, each shaded differently
    frame_bevel: float  # 0..1, light-from-above shading of the four frame sides
    mat_colour: Colour
    mat_width: float  # 0 = no mat
    mat_bottom: float  # extra bottom mat, as a share of mat_width (bottom-weighted mats)
    label: bool
    label_side: int  # -1 left, +1 right
    label_height: float  # 0..1, down the framed work's height
    shadow: float  # 0..1 darkness of the drop shadow
    shadow_dx: float
    shadow_dy: float
    shadow_blur: float
    neighbour: float  # 0 = none, else the size of a work hung beside (away from the label) vs the main one
    neighbour_cut: bool  # the neighbour runs off the photo's edge
    yaw: float  # degrees, camera turned left/right of the wall's normal
    pitch: float  # degrees, camera above/below
    roll: float  # degrees, phone held crooked
    focal: float  # focal length in long sides (smaller = wider angle, stronger keystone)
    warmth: float  # -1 cool (daylight/LED) .. +1 warm (tungsten)
    tint: float  # -1 magenta .. +1 green
    exposure: float
    vignette: float
    light_gradient: float
    light_angle: float  # radians
    glare: float  # 0 = none, else peak brightness added (share of full white)
    glare_x: float  # 0..1 in photo
    glare_y: float
    glare_size: float  # share of the long side
    glare_stretch: float  # 1 = round spot, larger = streak
    glare_angle: float  # radians
    blur: float  # Gaussian sigma in pixels
    noise: float  # sensor noise sigma in grey levels
    jpeg_quality: int


@dataclass(frozen=True)
class GalleryPhoto:
    """A generated photo and where the artwork is in it (TL, TR, BR, BL; x, y)."""

    photo: np.ndarray
    quad: np.ndarray
    params: PhotoParams


def rng_for(seed: int | str) -> np.random.Generator:
    """A generator that is the same in every process: Python's hash() of a str is salted."""
    digest = hashlib.sha256(str(seed).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def _jitter(rng: np.random.Generator, colour: Colour, amount: int) -> Colour:
    out = np.clip(np.asarray(colour) + rng.integers(-amount, amount + 1, 3), 0, 255)
    return (int(out[0]), int(out[1]), int(out[2]))


def sample_params(rng: np.random.Generator) -> PhotoParams:
    """Draw a look at random; ranges are wide so no single look becomes the norm."""
    kinds = list(FRAME_ODDS)
    kind = kinds[int(rng.choice(len(kinds), p=list(FRAME_ODDS.values())))]
    frame_colour = _jitter(rng, _pick(rng, FRAMES[kind]), 14) if kind != "none" else (0, 0, 0)
    has_mat = rng.random() < 0.5
    mat_colour = _jitter(rng, _pick(rng, RARE_MATS if rng.random() < 0.08 else MATS), 5)
    # A third of the photos are nearly front-on, the rest anywhere up to +-15 degrees.
    tilt = 3.0 if rng.random() < 0.3 else 15.0
    has_glare = rng.random() < 0.5
    has_neighbour = rng.random() < 0.2
    return PhotoParams(
        long_side=int(rng.integers(480, 801)),
        aspect=float(_pick(rng, (1.0, 4 / 3, 4 / 3, 3 / 2, 16 / 9))),
        follow_art=bool(rng.random() < 0.8),
        art_fraction=float(rng.uniform(0.25, 0.78)),
        centre_x=float(rng.uniform(-1, 1)),
        centre_y=float(rng.uniform(-1, 1)),
        wall=_jitter(rng, _pick(rng, list(WALLS.values())), 10),
        frame_kind=kind,
        frame_colour=frame_colour,
        frame_width=float(rng.uniform(0.02, 0.17)) if kind != "none" else 0.0,
        frame_steps=int(rng.integers(1, 4)),
        frame_bevel=float(rng.uniform(0.0, 1.0)),
        mat_colour=mat_colour,
        mat_width=float(rng.uniform(0.04, 0.3)) if has_mat else 0.0,
        mat_bottom=float(rng.uniform(0.0, 0.35)) if rng.random() < 0.4 else 0.0,
        label=bool(rng.random() < 0.45),
        label_side=int(_pick(rng, (-1, 1))),
        label_height=float(rng.uniform(0.4, 0.85)),
        shadow=float(rng.uniform(0.0, 0.55)),
        shadow_dx=float(rng.uniform(-0.02, 0.03)),
        shadow_dy=float(rng.uniform(0.0, 0.04)),
        shadow_blur=float(rng.uniform(0.005, 0.035)),
        neighbour=float(rng.uniform(0.5, 1.0)) if has_neighbour else 0.0,
        neighbour_cut=True,
        yaw=float(rng.uniform(-tilt, tilt)),
        pitch=float(rng.uniform(-tilt, tilt)),
        roll=float(rng.uniform(-4.0, 4.0)),
        focal=float(rng.uniform(0.8, 1.6)),
        warmth=float(rng.uniform(-1.0, 1.0)),
        tint=float(rng.uniform(-0.3, 0.3)),
        exposure=float(rng.uniform(0.72, 1.15)),
        vignette=float(rng.uniform(0.0, 0.5)),
        light_gradient=float(rng.uniform(0.0, 0.35)),
        light_angle=float(rng.uniform(0, 2 * math.pi)),
        glare=float(rng.uniform(0.15, 0.9)) if has_glare else 0.0,
        glare_x=float(rng.uniform(0.2, 0.8)),
        glare_y=float(rng.uniform(0.15, 0.85)),
        glare_size=float(rng.uniform(0.04, 0.25)),
        glare_stretch=float(1.0 if rng.random() < 0.5 else rng.uniform(2.0, 7.0)),
        glare_angle=float(rng.uniform(0, math.pi)),
        blur=float(rng.uniform(0.0, 1.5)),
        noise=float(rng.uniform(0.5, 9.0)),
        jpeg_quality=int(rng.integers(40, 96)),
    )


# --- the wall, front-on ---------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def grow(self, left: float, top: float, right: float, bottom: float) -> _Box:
        return _Box(self.x0 - left, self.y0 - top, self.x1 + right, self.y1 + bottom)

    def shift(self, dx: float, dy: float) -> _Box:
        return _Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    def corners(self) -> np.ndarray:
        return np.array(
            [[self.x0, self.y0], [self.x1, self.y0], [self.x1, self.y1], [self.x0, self.y1]],
            np.float32,
        )


@dataclass(frozen=True)
class _Framed:
    """One work's nested boxes, in wall-canvas pixels."""

    art: _Box
    window: _Box  # the art plus mat
    outer: _Box  # plus frame


def _framed(art: _Box, s: float, p: PhotoParams, scale: float = 1.0) -> _Framed:
    mat = p.mat_width * s * scale
    window = art.grow(mat, mat, mat, mat * (1 + p.mat_bottom))
    frame = p.frame_width * s * scale
    return _Framed(art, window, window.grow(frame, frame, frame, frame))


def _between(a: _Box, b: _Box, t: float) -> _Box:
    """The box a share t of the way from a to b (0 = a, 1 = b)."""
    return _Box(*(u + (v - u) * t for u, v in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1))))


def _px(v: float) -> int:
    return int(round(v))


def _fill_box(canvas: np.ndarray, box: _Box, colour: Colour) -> None:
    cv2.rectangle(canvas, (_px(box.x0), _px(box.y0)), (_px(box.x1) - 1, _px(box.y1) - 1), colour, -1)


def _shade(colour: Colour, factor: float) -> Colour:
    c = np.clip(np.asarray(colour, np.float32) * factor, 0, 255)
    return (int(c[0]), int(c[1]), int(c[2]))


def _draw_frame(canvas: np.ndarray, f: _Framed, p: PhotoParams, rng: np.random.Generator) -> None:
    """Moulding as stepped bands, each side lit as if from above-left, plus wood grain.

    Steps and shading give the finder the nested edges and bevel lines real
    mouldings have, so it cannot simply take the first strong edge inside.
    """
    if p.frame_width <= 0:
        return
    steps = p.frame_steps
    outer, inner = f.outer, f.window
    side_light = (1 + 0.28 * p.frame_bevel, 1 + 0.1 * p.frame_bevel, 1 - 0.4 * p.frame_bevel, 1 - 0.18 * p.frame_bevel)
    step_light = [1.0] + [float(rng.uniform(0.72, 1.25)) for _ in range(steps - 1)]
    for k in range(steps):
        a, b = k / steps, (k + 1) / steps
        o, i = _between(outer, inner, a), _between(outer, inner, b)
        sides = (
            [(o.x0, o.y0), (o.x1, o.y0), (i.x1, i.y0), (i.x0, i.y0)],  # top
            [(o.x0, o.y0), (i.x0, i.y0), (i.x0, i.y1), (o.x0, o.y1)],  # left
            [(o.x0, o.y1), (i.x0, i.y1), (i.x1, i.y1), (o.x1, o.y1)],  # bottom
            [(o.x1, o.y0), (o.x1, o.y1), (i.x1, i.y1), (i.x1, i.y0)],  # right
        )
        for pts, light in zip(sides, side_light):
            colour = _shade(p.frame_colour, light * step_light[k])
            cv2.fillPoly(canvas, [np.round(np.array(pts)).astype(np.int32)], colour, cv2.LINE_AA)
    if p.frame_kind == "wood":
        grain = _shade(p.frame_colour, 0.8)
        width = inner.x0 - outer.x0
        for _ in range(12):
            t = float(rng.uniform(0.05, 0.95)) * width
            cv2.line(canvas, (_px(outer.x0 + t), _px(outer.y0 + t)), (_px(outer.x0 + t), _px(outer.y1 - t)), grain, 1)
            cv2.line(canvas, (_px(outer.x1 - t), _px(outer.y0 + t)), (_px(outer.x1 - t), _px(outer.y1 - t)), grain, 1)
            cv2.line(canvas, (_px(outer.x0 + t), _px(outer.y0 + t)), (_px(outer.x1 - t), _px(outer.y0 + t)), grain, 1)
            cv2.line(canvas, (_px(outer.x0 + t), _px(outer.y1 - t)), (_px(outer.x1 - t), _px(outer.y1 - t)), grain, 1)


def _draw_mat(canvas: np.ndarray, f: _Framed, p: PhotoParams) -> None:
    """Mat board with the light bevel cut that real window mats show around the work."""
    if p.mat_width <= 0:
        return
    _fill_box(canvas, f.window, p.mat_colour)
    bevel = max(1, _px(min(f.window.w, f.window.h) * 0.006))
    _fill_box(canvas, f.art.grow(bevel, bevel, bevel, bevel), _shade(p.mat_colour, 1.06))


def _paste_art(canvas: np.ndarray, art: np.ndarray, box: _Box) -> None:
    x0, y0, x1, y1 = _px(box.x0), _px(box.y0), _px(box.x1), _px(box.y1)
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    shrink = w < art.shape[1] or h < art.shape[0]
    scaled = cv2.resize(art, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    # A neighbour may run off the wall canvas: paste only the part that is on it.
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(canvas.shape[1], x0 + w), min(canvas.shape[0], y0 + h)
    if cx1 > cx0 and cy1 > cy0:
        canvas[cy0:cy1, cx0:cx1] = scaled[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]


def _draw_shadow(canvas: np.ndarray, f: _Framed, p: PhotoParams, s: float) -> None:
    """A soft darker patch offset down-right: the frame standing off the wall."""
    if p.shadow <= 0.02:
        return
    blur = max(1.0, p.shadow_blur * s)
    box = f.outer.shift(p.shadow_dx * s, p.shadow_dy * s)
    pad = int(3 * blur) + 2
    x0, y0 = max(0, _px(box.x0) - pad), max(0, _px(box.y0) - pad)
    x1, y1 = min(canvas.shape[1], _px(box.x1) + pad), min(canvas.shape[0], _px(box.y1) + pad)
    if x1 <= x0 or y1 <= y0:
        return
    # Blur a small copy of the mask: same softness, a fraction of the cost.
    k = max(1, int(blur // 3))
    mask = np.zeros(((y1 - y0) // k + 1, (x1 - x0) // k + 1), np.float32)
    cv2.rectangle(
        mask,
        (_px((box.x0 - x0) / k), _px((box.y0 - y0) / k)),
        (_px((box.x1 - x0) / k), _px((box.y1 - y0) / k)),
        1.0,
        -1,
    )
    mask = cv2.GaussianBlur(mask, (0, 0), blur / k)
    mask = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    region *= (1.0 - p.shadow * mask)[..., None]
    canvas[y0:y1, x0:x1] = region.astype(np.uint8)


def _draw_label(canvas: np.ndarray, f: _Framed, p: PhotoParams, s: float, rng: np.random.Generator) -> None:
    """A small card with dark 'text' lines beside the work: a decoy for the finder."""
    w = s * float(rng.uniform(0.12, 0.2))
    h = w * float(rng.uniform(0.45, 0.8))
    gap = s * float(rng.uniform(0.05, 0.14))
    x0 = f.outer.x1 + gap if p.label_side > 0 else f.outer.x0 - gap - w
    y0 = f.outer.y0 + p.label_height * f.outer.h - h / 2
    box = _Box(x0, y0, x0 + w, y0 + h)
    if box.x0 < 2 or box.x1 > canvas.shape[1] - 2 or box.y0 < 2 or box.y1 > canvas.shape[0] - 2:
        return
    _fill_box(canvas, box, _jitter(rng, (238, 236, 230), 8))
    lines = int(rng.integers(3, 7))
    pitch = h / (lines + 1)
    ink = _jitter(rng, (40, 40, 44), 12)
    for i in range(lines):
        length = w * (0.8 if i == 0 else float(rng.uniform(0.35, 0.85)))
        y = box.y0 + pitch * (i + 0.8)
        thick = max(1, _px(pitch * (0.45 if i == 0 else 0.3)))
        cv2.line(canvas, (_px(box.x0 + 0.08 * w), _px(y)), (_px(box.x0 + 0.08 * w + length * 0.84), _px(y)), ink, thick)


def _draw_work(canvas: np.ndarray, art: np.ndarray, f: _Framed, p: PhotoParams, s: float, rng) -> None:
    _draw_shadow(canvas, f, p, s)
    _draw_frame(canvas, f, p, rng)
    _draw_mat(canvas, f, p)
    _paste_art(canvas, art, f.art)


# --- the camera -------------------------------------------------------------------------


def _project(points: np.ndarray, centre: tuple[float, float], p: PhotoParams, size: tuple[int, int]) -> np.ndarray:
    """Where wall points land in the photo for a camera turned by yaw/pitch/roll.

    Only the four canvas corners go through this; the homography itself comes
    from cv2.getPerspectiveTransform.
    """
    yaw, pitch, roll = (math.radians(a) for a in (p.yaw, p.pitch, p.roll))
    ry = np.array([[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]])
    rx = np.array([[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]])
    rz = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]])
    f = p.focal * max(size)
    xyz = np.c_[points - np.asarray(centre), np.zeros(len(points))] @ (rz @ rx @ ry).T
    xyz[:, 2] += f
    return np.c_[f * xyz[:, 0] / xyz[:, 2] + size[0] / 2, f * xyz[:, 1] / xyz[:, 2] + size[1] / 2]


def _photo_size(p: PhotoParams, art_shape: tuple[int, ...]) -> tuple[int, int]:
    short = int(round(p.long_side / p.aspect))
    art_landscape = art_shape[1] >= art_shape[0]
    landscape = art_landscape == p.follow_art
    return (p.long_side, short) if landscape else (short, p.long_side)


def _layout(art_shape, p: PhotoParams, size: tuple[int, int]) -> tuple[_Framed, _Framed | None, float]:
    """Place the main work (and a neighbour) on a front-on wall the size of the photo."""
    W, H = size
    ah, aw = art_shape[:2]
    aspect = aw / ah
    area = p.art_fraction * W * H
    art_w, art_h = math.sqrt(area * aspect), math.sqrt(area / aspect)
    s = math.sqrt(art_w * art_h)
    main = _framed(_Box(0, 0, art_w, art_h), s, p)
    # A close-up photo shows the work large and its frame and mat thinner, rather than the
    # other way round: narrow the surround (to a third at most) before shrinking the work.
    extra_w, extra_h = main.outer.w - art_w, main.outer.h - art_h
    room = min(
        (_SPAN * W - art_w) / extra_w if extra_w > 0 else 1.0,
        (_SPAN * H - art_h) / extra_h if extra_h > 0 else 1.0,
    )
    if room < 1.0:
        s_frame = s * max(1 / 3, room)
        main = _framed(_Box(0, 0, art_w, art_h), s_frame, p)
    else:
        s_frame = s
    nb = None
    span_w, span_h = main.outer.w, main.outer.h
    gap = 0.0
    if p.neighbour > 0:
        gap = 0.08 * s + 0.1 * p.frame_width * s
        nb_w = main.outer.w * p.neighbour
        if not p.neighbour_cut:
            span_w = main.outer.w + gap + nb_w
    fit = min(1.0, _SPAN * W / span_w, _SPAN * H / span_h)
    s *= fit
    s_frame *= fit
    art = _Box(0, 0, art_w * fit, art_h * fit)
    main = _framed(art, s_frame, p)
    room_x, room_y = W - main.outer.w, H - main.outer.h
    if p.neighbour > 0 and not p.neighbour_cut:
        # The pair is centred as a group, so the bigger main work is also the more central one.
        group = main.outer.w * (1 + p.neighbour) + gap * fit
        left = (W - group) / 2 if _neighbour_right(p) else (W + group) / 2 - main.outer.w
        dx = left - main.outer.x0
    else:
        dx = room_x / 2 + p.centre_x * max(0.0, room_x / 2 - 0.02 * W) - main.outer.x0
    dy = room_y / 2 + p.centre_y * max(0.0, room_y / 2 - 0.02 * H) - main.outer.y0
    main = _Framed(main.art.shift(dx, dy), main.window.shift(dx, dy), main.outer.shift(dx, dy))
    if p.neighbour > 0:
        k = p.neighbour
        nb_art = _Box(0, 0, main.art.w * k, main.art.h * k)
        nb = _framed(nb_art, s_frame, p, scale=k)
        right = _neighbour_right(p)
        x = main.outer.x1 + gap * fit if right else main.outer.x0 - gap * fit - nb.outer.w
        if p.neighbour_cut:  # make it run off the photo's edge, as a partly seen neighbour does
            x = max(x, W - 0.55 * nb.outer.w) if right else min(x, -0.45 * nb.outer.w)
        y = main.outer.y0 + (main.outer.h - nb.outer.h) / 2
        nb = _Framed(*(b.shift(x - nb.outer.x0, y - nb.outer.y0) for b in (nb.art, nb.window, nb.outer)))
    return main, nb, s_frame


def _neighbour_right(p: PhotoParams) -> bool:
    """The neighbour hangs on the side away from the wall label."""
    return p.label_side < 0


def _neighbour_art(art: np.ndarray) -> np.ndarray:
    """Another picture for the neighbouring frame when none is given: flipped, colours swapped."""
    return np.ascontiguousarray(art[::-1, ::-1, ::-1])


def gallery_photo(
    rgb: np.ndarray,
    seed: int | str,
    params: PhotoParams | None = None,
    *,
    neighbour_rgb: np.ndarray | None = None,
    trim: bool = True,
) -> GalleryPhoto:
    """A visitor's photo of `rgb` hanging in a gallery; same picture and seed, same bytes.

    With `trim`, plain bars round the picture (see `trim_backdrop`) are not hung.
    """
    art = trim_backdrop(rgb) if trim else _as_rgb(rgb)
    rng = rng_for(seed)
    p = params if params is not None else sample_params(rng)
    W, H = _photo_size(p, art.shape)
    main, nb, s = _layout(art.shape, p, (W, H))
    # The wall is drawn larger than the photo so the oblique view never runs off it.
    mx, my = int(0.25 * W), int(0.25 * H)
    canvas = np.empty((H + 2 * my, W + 2 * mx, 3), np.uint8)
    canvas[:] = p.wall
    main = _Framed(*(b.shift(mx, my) for b in (main.art, main.window, main.outer)))
    if nb is not None:
        nb = _Framed(*(b.shift(mx, my) for b in (nb.art, nb.window, nb.outer)))
        _draw_work(canvas, _neighbour_art(art) if neighbour_rgb is None else _as_rgb(neighbour_rgb), nb, p, s, rng)
    if p.label:
        _draw_label(canvas, main, p, s, rng)
    _draw_work(canvas, art, main, p, s, rng)

    centre = (mx + W / 2, my + H / 2)
    src = _Box(0, 0, canvas.shape[1], canvas.shape[0]).corners()
    dst = _project(src, centre, p, (W, H))
    quad = _project(main.art.corners(), centre, p, (W, H))
    # Zoom out if the oblique view pushed the artwork's near side off the photo.
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    half = np.array([W / 2, H / 2])
    reach = np.max(np.abs(np.r_[lo, hi].reshape(2, 2) - half) / (half * 0.98))
    if reach > 1:
        dst = half + (dst - half) / reach
        quad = half + (quad - half) / reach
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    photo = cv2.warpPerspective(canvas, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    quad = cv2.perspectiveTransform(main.art.corners()[None], m)[0].astype(np.float32)
    photo = _light_and_camera(photo, p, rng)
    return GalleryPhoto(photo=photo, quad=quad, params=p)


def trim_backdrop(rgb: np.ndarray, max_share: float = 0.25) -> np.ndarray:
    """The picture without plain bars round it (letterbox bars, a museum's photo backdrop).

    A frame holds the work, not the bars a website padded it with, the grey
    card a print was photographed on or the bare paper a mat would cover;
    leaving them in would also make the true quad ambiguous for the finder's
    evaluation. Rows are dropped from each side while they stay one flat
    colour, band after band (card, then paper), up to `max_share` per side.
    """
    a = _as_rgb(rgb)
    h, w = a.shape[:2]
    top, bottom, left, right = 0, 0, 0, 0
    for _ in range(4):  # card all round first, then the sheet's margin inside it
        f = a[top : h - bottom, left : w - right].astype(np.float32)
        if min(f.shape[:2]) < 16:
            return a
        cuts = (
            _flat_band(f, int(h * max_share) - top),
            _flat_band(f[::-1], int(h * max_share) - bottom),
            _flat_band(f.transpose(1, 0, 2), int(w * max_share) - left),
            _flat_band(f.transpose(1, 0, 2)[::-1], int(w * max_share) - right),
        )
        if not any(cuts):
            break
        top, bottom, left, right = top + cuts[0], bottom + cuts[1], left + cuts[2], right + cuts[3]
    if top + bottom >= h - 8 or left + right >= w - 8:
        return a
    return a[top : h - bottom, left : w - right]


def _flat_band(lines: np.ndarray, limit: int) -> int:
    """How many outermost rows (lines: n x length x 3) are one flat colour, the first row's."""
    lines = lines[: max(0, limit)]
    if len(lines) < 2:
        return 0
    ref = lines[0].mean(axis=0)
    flat = (lines.std(axis=1).max(axis=1) < 8) & (np.abs(lines.mean(axis=1) - ref).max(axis=1) < 14)
    run = int(np.argmin(flat)) if not flat.all() else len(flat)
    return run if run > 1 else 0  # a one-pixel rim is a scan edge, not a bar


def _as_rgb(rgb: np.ndarray) -> np.ndarray:
    a = np.asarray(rgb)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    if a.shape[2] == 4:
        a = a[..., :3]
    return np.ascontiguousarray(a.astype(np.uint8, copy=False))


def _light_and_camera(photo: np.ndarray, p: PhotoParams, rng: np.random.Generator) -> np.ndarray:
    """Light fall-off, colour of the light, glare, then the phone: blur, noise, JPEG.

    Smooth fields are computed at 1/8 size and enlarged: they have no detail to lose.
    """
    H, W = photo.shape[:2]
    h, w = max(2, H // 8), max(2, W // 8)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xs + 0.5) / w - 0.5, (ys + 0.5) / h - 0.5
    light = 1.0 - p.vignette * (u * u + v * v) * 2.0
    light *= 1.0 + p.light_gradient * (math.cos(p.light_angle) * u + math.sin(p.light_angle) * v)
    light *= p.exposure
    wb = np.array([1 + 0.16 * p.warmth, 1 + 0.04 * p.tint, 1 - 0.24 * p.warmth], np.float32)
    gains = cv2.resize((light[..., None] * wb).astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
    img = cv2.multiply(photo.astype(np.float32), gains)
    if p.glare > 0:
        gx, gy = (u + 0.5 - p.glare_x) * w / max(w, h), (v + 0.5 - p.glare_y) * h / max(w, h)
        c, sn = math.cos(p.glare_angle), math.sin(p.glare_angle)
        a, b = c * gx + sn * gy, -sn * gx + c * gy
        r = p.glare_size
        glare = p.glare * 255.0 * np.exp(-((a / (r * p.glare_stretch)) ** 2 + (b / r) ** 2) * 2.0)
        tint = np.array([1.0, 0.98, 0.94], np.float32)  # glare from warm spotlights
        img = cv2.add(img, cv2.resize((glare[..., None] * tint).astype(np.float32), (W, H)))
    if p.blur > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), p.blur)
    if p.noise > 0:
        # Mostly brightness noise at full resolution, a little blotchy colour noise: as phones
        # deliver it after their own denoising (and a third of the cost of per-channel noise).
        lum = rng.standard_normal((H, W), dtype=np.float32) * np.float32(p.noise)
        chroma = rng.standard_normal((max(2, H // 4), max(2, W // 4), 3), dtype=np.float32) * np.float32(p.noise / 2)
        img = cv2.add(img, cv2.add(cv2.merge([lum, lum, lum]), cv2.resize(chroma, (W, H))))
    out = np.clip(img, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, format="JPEG", quality=p.jpeg_quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def photos_of(rgb: np.ndarray, key: str, n: int) -> list[GalleryPhoto]:
    """`n` different gallery photos of one picture, reproducible from `key` (e.g. its path)."""
    return [gallery_photo(rgb, f"{key}#{i}") for i in range(n)]
