"""What the lithograph model sees in print texture: explanations at the scale of the marks.

A print's technique lives in its marks (crayon grain, etched lines, wood grain), which
the 224 px whole-picture view mostly blurs away. Here the model looks at a 224 px piece
of the picture at its own resolution: we try five pieces (centre and four around it,
away from frames at the edges), keep the one where the model is most sure of the class,
and explain that piece with Grad-CAM (32 px cells) and occlusion with 32 px squares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from artdemo.explain.adapter import OUTPUT, CallModel
from artdemo.explain.gradcam import gradcam
from artdemo.explain.occlusion import occlusion

PIECE = 224
TEXTURE_WINDOW = 32


@dataclass(frozen=True)
class PrintTexture:
    crop: np.ndarray  # (224, 224, 3) uint8, the piece at full resolution (the model's input size)
    box: tuple[int, int, int]  # (top, left, side) of the piece in the (possibly upscaled) picture
    probability: float  # the model's probability of the class on this piece
    gradcam: np.ndarray  # (224, 224) float32 in [0, 1]
    occlusion: np.ndarray  # (224, 224) float32 in [0, 1]

    def overlays(self, opacity: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """(Grad-CAM, occlusion) over the piece, as uint8 RGB."""
        from artdemo.explain.views import overlay

        return overlay(self.crop, self.gradcam, opacity), overlay(self.crop, self.occlusion, opacity)


def at_least(rgb: np.ndarray, side: int = PIECE) -> np.ndarray:
    """Upscale so the shorter side is at least `side` (small museum images are about 250 px)."""
    h, w = rgb.shape[:2]
    if min(h, w) >= side:
        return rgb
    scale = side / min(h, w)
    size = (max(side, round(w * scale)), max(side, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.BICUBIC), dtype=np.uint8)


def candidate_boxes(shape: tuple[int, ...], side: int = PIECE) -> list[tuple[int, int]]:
    """Top-left corners of five pieces: the centre and four centred at a quarter/three quarters."""
    h, w = shape[:2]
    points = [(0.5, 0.5), (0.3, 0.3), (0.3, 0.7), (0.7, 0.3), (0.7, 0.7)]
    corners = []
    for fy, fx in points:
        top = int(np.clip(round(fy * h - side / 2), 0, h - side))
        left = int(np.clip(round(fx * w - side / 2), 0, w - side))
        if (top, left) not in corners:
            corners.append((top, left))
    return corners


def piece_size(call_model: CallModel) -> int:
    """The model's input side (224 for Lite0), read from the adapter when it says."""
    size = getattr(call_model, "input_size", None)
    return int(size[0]) if size and size[0] else PIECE


def most_confident_piece(call_model: CallModel, rgb: np.ndarray, class_index: int) -> tuple[np.ndarray, tuple[int, int, int], float]:
    side = piece_size(call_model)
    picture = at_least(np.asarray(rgb, np.uint8), side)
    corners = candidate_boxes(picture.shape, side)
    pieces = np.stack([picture[t:t + side, l:l + side] for t, l in corners]).astype(np.float32)
    probs = call_model(pieces, class_index, {OUTPUT})[OUTPUT]
    best = int(np.argmax(probs))
    top, left = corners[best]
    return pieces[best].astype(np.uint8), (top, left, side), float(probs[best])


def texture_maps(call_model: CallModel, rgb: np.ndarray, class_index: int) -> PrintTexture:
    """Choose the piece and explain it (5 + 1 + 50 forward passes: about two seconds)."""
    crop, box, prob = most_confident_piece(call_model, rgb, class_index)
    x = crop.astype(np.float32)
    window = max(1, TEXTURE_WINDOW * crop.shape[0] // PIECE)
    cam = gradcam(call_model, x, class_index)
    occ = occlusion(call_model, x, class_index, window=window, stride=window)
    return PrintTexture(crop, box, prob, cam, occ)
