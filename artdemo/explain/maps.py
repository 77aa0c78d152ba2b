"""Small array helpers shared by the methods: resizing, blurring and normalising maps.

Plain NumPy (and Pillow for resizing), so the methods stay framework-free.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def resize_map(heat: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D float map to (H, W) with bilinear interpolation."""
    h, w = size
    heat = np.asarray(heat, dtype=np.float32)
    if heat.shape == (h, w):
        return heat
    return np.asarray(Image.fromarray(heat, mode="F").resize((w, h), Image.BILINEAR), dtype=np.float32)


def gaussian_kernel(sigma: float) -> np.ndarray:
    radius = max(1, int(round(3 * sigma)))
    t = np.arange(-radius, radius + 1, dtype=np.float32)
    k = np.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur over the first two axes (edges reflected), any trailing channels."""
    if sigma <= 0:
        return np.asarray(image, dtype=np.float32)
    k = gaussian_kernel(sigma)
    r = len(k) // 2
    out = np.asarray(image, dtype=np.float32)
    for axis in (0, 1):
        r_eff = min(r, out.shape[axis] - 1)
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r_eff, r_eff)
        padded = np.pad(out, pad, mode="reflect") if r_eff > 0 else out
        kk = k[r - r_eff: r + r_eff + 1]
        kk = kk / kk.sum()
        acc = np.zeros_like(out)
        for i, weight in enumerate(kk):
            acc += weight * np.take(padded, np.arange(i, i + out.shape[axis]), axis=axis)
        out = acc
    return out


def normalise(heat: np.ndarray, clip_percentile: float = 100.0) -> np.ndarray:
    """Map a non-negative evidence map to [0, 1] float32; NaNs become 0; an all-zero map stays 0.

    `clip_percentile` < 100 lets a few extreme pixels saturate instead of making the
    rest of the map invisible (useful for pixel-level gradient maps).
    """
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    heat = np.maximum(heat, 0.0)
    top = float(np.percentile(heat, clip_percentile)) if clip_percentile < 100 else float(heat.max())
    if top <= 0 or not np.isfinite(top):
        top = float(heat.max())
    if top <= 0:
        return np.zeros(heat.shape, dtype=np.float32)
    return np.clip(heat / top, 0.0, 1.0).astype(np.float32)


def check_image(x: np.ndarray) -> np.ndarray:
    """One model-input image (H, W, 3) as float32, with a clear message otherwise."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"expected one RGB image (H, W, 3), got shape {x.shape}")
    return x
