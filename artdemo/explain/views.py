"""Pictures made from explanations, ready for the app: overlays, side-by-side views,
grids of first-layer filters and activations, the most relied-on patch, and captions
in plain words.

Everything returns RGB uint8 arrays; the colour map is cividis (readable with
red-green colour blindness, lighter = hotter).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from artdemo.errors import ArtdemoError
from artdemo.explain.colour import colourise
from artdemo.explain.maps import resize_map

CAPTIONS: dict[str, str] = {
    "gradcam": (
        "Grad-CAM: the light areas are where the model's last layer found features that raise its "
        "score for this answer. It is coarse (a 7×7 grid over the picture) and shows only evidence *for* "
        "the answer, not against it; it says where, not what the model saw there."),
    "integrated_gradients": (
        "Integrated gradients: the details (edges, marks, texture) whose presence raised the score, "
        "measured against a blurred copy of the picture. Large flat areas of colour get little credit "
        "even when they matter, and speckle is normal; look at the overall pattern."),
    "occlusion": (
        "Occlusion: we covered one square of the picture at a time and watched the score. Light squares "
        "are where covering hurt the answer most. It shows what the model needs, at the size of the "
        "squares (two fifths of the picture's side, overlapping), not finer."),
    "top_patch": (
        "The square where the heat map is hottest, enlarged. It is the part the model leaned on most; "
        "it does not mean the model understood what is in it."),
    "filters": (
        "The 32 first-layer filters: tiny 3×3 colour patterns the network looks for first (edges, "
        "colour contrasts). Grey means zero; these come from ImageNet training, not from art."),
    "activations": (
        "Where each first-layer filter responds on this picture (light = strong). Each small map is "
        "scaled on its own, so compare shapes, not brightness between maps."),
}


def print_texture_caption(model: str, answer: str) -> str:
    """The print-texture caption naming the model and the answer on screen: the same view serves the
    lithograph and the medium model, and a caption about one beside the other misleads."""
    return (f"Print texture: a full-resolution piece of the print, where the {model} model is most sure of "
            f"“{answer}”, with Grad-CAM and occlusion at the scale of the marks. It shows which marks carry "
            f"the evidence, not why they look like “{answer}” to the model.")


def _as_rgb_uint8(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ArtdemoError(f"Expected an RGB picture, got an array of shape {rgb.shape}.")
    if rgb.dtype != np.uint8:
        rgb = np.clip(np.nan_to_num(rgb.astype(np.float32)), 0, 255).round().astype(np.uint8)
    return rgb


def overlay(rgb224: np.ndarray, heat: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """The heat map in cividis blended over the picture: opacity 0 is the picture, 1 the map."""
    rgb = _as_rgb_uint8(rgb224)
    alpha = float(np.clip(opacity, 0.0, 1.0))
    if alpha == 0.0:
        return rgb.copy()
    colours = colourise(resize_map(np.asarray(heat, np.float32), rgb.shape[:2])).astype(np.float32)
    blend = (1.0 - alpha) * rgb.astype(np.float32) + alpha * colours
    return np.clip(blend.round(), 0, 255).astype(np.uint8)


def side_by_side(rgb224: np.ndarray, heats: dict[str, np.ndarray], opacity: float = 0.5,
                 gap: int = 8) -> np.ndarray:
    """The overlays of several methods in one row (in the order given), white gaps between."""
    if not heats:
        raise ArtdemoError("Choose at least one explanation method to show.")
    tiles = [overlay(rgb224, heat, opacity) for heat in heats.values()]
    return tile_grid(tiles, columns=len(tiles), gap=gap)


def tile_grid(tiles: list[np.ndarray], columns: int, gap: int = 2, background: int = 255) -> np.ndarray:
    """Equal-sized RGB tiles in a grid, row by row."""
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    grid = np.full((rows * h + (rows - 1) * gap, columns * w + (columns - 1) * gap, 3), background, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        grid[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = tile
    return grid


def filter_grid(weights: np.ndarray, scale: int = 8, columns: int = 8) -> np.ndarray:
    """Conv filters (kh, kw, 3, n) as an enlarged colour grid; each filter scaled
    symmetrically so that zero is mid-grey and its strongest weight is black or white."""
    weights = np.asarray(weights, np.float32)
    if weights.ndim != 4 or weights.shape[2] != 3:
        raise ValueError(f"expected RGB filters (kh, kw, 3, n), got {weights.shape}")
    tiles = []
    for i in range(weights.shape[-1]):
        f = weights[..., i]
        peak = float(np.abs(f).max()) or 1.0
        tile = np.round(127.5 + 127.5 * f / peak).astype(np.uint8)
        tiles.append(np.repeat(np.repeat(tile, scale, axis=0), scale, axis=1))
    return tile_grid(tiles, columns=columns, gap=max(1, scale // 3))


def activation_grid(acts: np.ndarray, columns: int = 8, gap: int = 3) -> np.ndarray:
    """Activation maps (h, w, n) in cividis, each scaled to its own maximum, as a grid."""
    acts = np.maximum(np.nan_to_num(np.asarray(acts, np.float32), nan=0.0), 0.0)
    top = acts.max(axis=(0, 1))
    scaled = acts / np.where(top > 0, top, 1.0)  # one pass over all maps: a page thread draws this
    tiles = colourise(np.moveaxis(scaled, -1, 0))
    return tile_grid(list(tiles), columns=columns, gap=gap)


def hottest_window(heat: np.ndarray, side: int) -> tuple[int, int]:
    """Top-left (row, col) of the side x side window with the largest total heat (integral image)."""
    heat = np.asarray(heat, np.float64)
    side = max(1, min(side, *heat.shape))
    integral = np.pad(heat.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = (integral[side:, side:] - integral[:-side, side:]
            - integral[side:, :-side] + integral[:-side, :-side])
    r, c = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return int(r), int(c)


def top_patch(rgb: np.ndarray, heat: np.ndarray, fraction: float = 0.25, size: int = 224) -> np.ndarray:
    """The square (a `fraction` of the shorter side) where `heat` is hottest, cut from `rgb`
    and enlarged to size x size. `rgb` may be the 224 view or a larger copy of the same view:
    the square is placed proportionally."""
    rgb = _as_rgb_uint8(rgb)
    heat = np.nan_to_num(np.asarray(heat, np.float32), nan=0.0)
    if not heat.max() > 0:
        raise ArtdemoError("This heat map is empty (the method found no evidence for this answer), "
                           "so there is no patch the model relies on most.")
    side = max(1, int(round(fraction * min(heat.shape))))
    r, c = hottest_window(heat, side)
    sy, sx = rgb.shape[0] / heat.shape[0], rgb.shape[1] / heat.shape[1]
    top, left = int(round(r * sy)), int(round(c * sx))
    bottom = min(rgb.shape[0], max(top + 1, int(round((r + side) * sy))))
    right = min(rgb.shape[1], max(left + 1, int(round((c + side) * sx))))
    crop = Image.fromarray(rgb[top:bottom, left:right])
    return np.asarray(crop.resize((size, size), Image.LANCZOS), dtype=np.uint8)
