"""Turn untrusted image bytes into a plain RGB picture, or a message a person can act on.

Every way an image enters the app (upload, URL, MET/MoMA image, data cache,
CLI) goes through `decode_image`, so the limits below are enforced in one
place. The order matters: byte size first (cheap), then what the header says
about width x height (before any pixel memory is allocated), then decoding.

Memory: a 40-megapixel picture needs hundreds of megabytes while it is decoded,
so large decodes take one of a few process-wide slots (`LARGE_DECODE_SLOTS`);
a crowd uploading big pictures queues instead of exhausting memory. A picture
that is only classified (`purpose="classify"`) is decoded to at most
`CLASSIFY_MAX_PIXELS`: JPEGs at a reduced scale straight from the file (draft
mode, a fraction of the memory and time), other formats reduced right after
decoding. The models never need more: they trained on pictures under 0.3 MP.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Literal

import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageOps

from artdemo.errors import ArtdemoError

MAX_BYTES = 20 * 1024 * 1024
"""Largest file we read (20 MiB): bigger than any sensible photo of an artwork."""

MAX_PIXELS = 40_000_000
"""Largest width x height we decode (40 megapixels, about 160 MB as RGBA)."""

CLASSIFY_MAX_PIXELS = 4_000_000
"""Pixel budget of a picture decoded only to be classified (`purpose="classify"`)."""

LARGE_DECODE_PIXELS = 4_000_000
"""Decodes of rasters larger than this take a slot of `LARGE_DECODE_SLOTS`."""

LARGE_DECODE_SLOTS = int(os.environ.get("ARTDEMO_LARGE_DECODES", "2") or 2)
"""How many large pictures are decoded at once in this process (the others wait)."""

LARGE_DECODE_WAIT = 120.0
"""Seconds a large decode waits for a slot before the visitor is told to try again."""

_LARGE_DECODES = threading.BoundedSemaphore(max(1, LARGE_DECODE_SLOTS))

Purpose = Literal["show", "classify"]

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")
"""Formats Pillow may try (JPEG includes MPO, the multi-picture JPEG many phones write)."""

_ORIENTATION = 0x0112  # the EXIF orientation tag
_PLEASE = "Please upload a JPEG, PNG, WebP or GIF."
_WHITE = (255, 255, 255)

# Never decode half an image silently: a truncated file is an error, not grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

# Pillow allocates pictures in 16 MB blocks by default, a size glibc serves from per-thread heaps
# that keep freed memory; 64 MB blocks are mapped and unmapped directly. With eight 40-megapixel
# uploads at once this is the difference between 3.2 GB and 2.3 GB of peak resident memory.
if not os.environ.get("PILLOW_BLOCK_SIZE"):
    Image.core.set_block_size(64 * 1024 * 1024)


def decode_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, purpose: Purpose = "show"
) -> Image.Image:
    """Decode untrusted bytes to an RGB image: EXIF orientation applied, first
    frame of an animation, transparency laid over white.

    `purpose="show"` keeps every pixel; `purpose="classify"` returns at most
    CLASSIFY_MAX_PIXELS (smaller, same proportions), decoded at a reduced scale
    where the format allows it. Either way `max_pixels` is the hard limit.

    Raises ArtdemoError (and nothing else) for empty, oversized, damaged,
    truncated or non-image input, and for images with too many pixels.
    """
    return _decode(data, max_bytes, max_pixels, purpose, lambda image: image)


def decode_rgb(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, purpose: Purpose = "show"
) -> np.ndarray:
    """`decode_image` as an (H, W, 3) uint8 array, what the app keeps and the models read.

    Prefer it to `np.asarray(decode_image(...))`: the copy into the array is made while the
    large-decode slot is held and Pillow's picture is dropped before the slot is released, so a
    crowd of big uploads never holds both at once.
    """
    return _decode(data, max_bytes, max_pixels, purpose, lambda image: np.asarray(image, dtype=np.uint8))


def _decode(data: bytes, max_bytes: int, max_pixels: int, purpose: Purpose, finish):
    if purpose not in ("show", "classify"):
        raise ValueError(f"purpose must be 'show' or 'classify', not {purpose!r}")
    if not data:
        raise ArtdemoError("This file is empty (0 bytes). " + _PLEASE)
    if len(data) > max_bytes:
        raise ArtdemoError(
            f"This file is too big ({_megabytes(len(data))}; we accept up to "
            f"{_megabytes(max_bytes)}). Please use a smaller image (for example, a JPEG)."
        )
    image = _open_checked(data, max_pixels)
    budget = CLASSIFY_MAX_PIXELS if purpose == "classify" else None
    try:
        if budget:
            _draft(image, budget)
        with _decode_slot(image.size):
            image.load()
            if budget and image.mode in ("RGB", "L", "RGBA", "LA"):
                image = _reduce_to(image, budget)  # before conversion: the copies below are small
            image = _to_rgb(_upright(image))
            return finish(_reduce_to(image, budget) if budget else image)
    except ArtdemoError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(image.size, max_pixels) from exc
    except Exception as exc:  # Pillow raises many types on damaged files.
        raise ArtdemoError(_damaged_message(exc)) from exc


def load_image_file(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
    purpose: Purpose = "show",
) -> Image.Image:
    """Read an image file with the same limits as uploads.

    The size is checked with stat before reading, and at most max_bytes + 1
    bytes are ever read (so a huge file or a device like /dev/zero can't fill
    memory).
    """
    path = Path(path)
    try:
        info = path.stat()
        if path.is_dir():
            raise ArtdemoError(f"{path} is a folder, not an image file.")
        if info.st_size > max_bytes:
            raise ArtdemoError(
                f"{path.name} is too big ({_megabytes(info.st_size)}; we accept up to "
                f"{_megabytes(max_bytes)}). Please use a smaller image."
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise ArtdemoError(f"We couldn't find the file {path}.") from exc
    except PermissionError as exc:
        raise ArtdemoError(f"We aren't allowed to read {path}; check its permissions.") from exc
    except OSError as exc:
        raise ArtdemoError(f"We couldn't read {path}: {exc.strerror or exc}.") from exc
    try:
        return decode_image(data, max_bytes=max_bytes, max_pixels=max_pixels, purpose=purpose)
    except ArtdemoError as exc:
        raise ArtdemoError(f"{path.name}: {exc}") from exc


def image_fingerprint(image: Image.Image) -> str:
    """A stable hash of the pixels (plus size and mode), for caches keyed by image.

    Two decodes of the same file give the same fingerprint; metadata (EXIF,
    file name) doesn't count, only what the model would see.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{image.mode}:{image.size[0]}x{image.size[1]}:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def sniff_kind(data: bytes) -> str | None:
    """Name what non-image bytes look like ("a PDF"), so the message can say so.

    Returns None when the bytes don't match anything we recognise.
    """
    head = data[:512]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        return "a PDF"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "a ZIP archive (or an Office document)"
    if head.startswith(b"\x1f\x8b"):
        return "a compressed (gzip) file"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "a HEIC photo, which we can't read yet; please export it as JPEG"
    if head[4:8] == b"ftyp":
        return "a video"
    if b"<svg" in stripped:
        return "an SVG drawing"
    if stripped.startswith((b"<!doctype html", b"<head", b"<body")) or b"<html" in stripped:
        return "a web page (HTML)"
    if _looks_like_text(head):
        return "a text file"
    return None


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """Open (header only) and refuse too-large dimensions before any decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard (far above our limit) fired while reading the header.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f" ({int(found.group(1)) / 1e6:.0f} megapixels)" if found else ""
        raise ArtdemoError(
            f"This image is far too large to open safely{pixels}; the limit is "
            f"{max_pixels / 1e6:.0f} megapixels. Please use a smaller version."
        ) from exc
    except Exception as exc:
        raise ArtdemoError(_not_an_image_message(data)) from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise ArtdemoError("This image has no pixels (its width or height is 0). " + _PLEASE)
    # Pillow only *warns* between its limit and twice its limit; never go past it.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if width * height > limit:
        raise _too_many_pixels(image.size, limit)
    return image


def fit_pixels(rgb: np.ndarray, budget: int = CLASSIFY_MAX_PIXELS) -> np.ndarray:
    """An RGB array shrunk by a whole factor (box filter) to at most `budget` pixels, the way
    `purpose="classify"` decodes; the same array when it is already small enough."""
    rgb = np.asarray(rgb)
    if rgb.shape[0] * rgb.shape[1] <= budget:
        return rgb
    with _decode_slot(rgb.shape[:2]):  # Pillow copies the whole raster first
        return np.asarray(_reduce_to(Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)), budget))


def _draft(image: Image.Image, budget: int) -> None:
    """Ask a JPEG decoder for a reduced scale (1/2, 1/4, 1/8) that still has at least `budget`
    pixels; other formats ignore it. The header's size then reflects what will be decoded."""
    width, height = image.size
    if image.format not in ("JPEG", "MPO") or width * height <= budget:
        return
    factor = (budget / (width * height)) ** 0.5
    try:
        image.draft(image.mode, (max(1, int(width * factor)), max(1, int(height * factor))))
    except Exception:  # no reduced decoding for this file: decode it whole
        pass


def _reduce_to(image: Image.Image, budget: int) -> Image.Image:
    """The image shrunk by a whole factor (box filter) to at most `budget` pixels."""
    width, height = image.size
    if width * height <= budget:
        return image
    factor = 1
    while (-(-width // factor)) * (-(-height // factor)) > budget:
        factor += 1
    return image.reduce(factor)


@contextmanager
def _decode_slot(size: tuple[int, int]) -> Iterator[None]:
    """Hold one of the few large-decode slots while a large raster is in memory."""
    if size[0] * size[1] <= LARGE_DECODE_PIXELS:
        yield
        return
    if not _LARGE_DECODES.acquire(timeout=LARGE_DECODE_WAIT):
        raise ArtdemoError("Many large pictures are being opened right now. Please try again in a minute, "
                           "or use a smaller version of the image.")
    try:
        yield
    finally:
        _LARGE_DECODES.release()


def _upright(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation; a damaged EXIF block is ignored, not fatal. An upright picture is
    returned as it is (exif_transpose would copy it: 160 MB for 40 megapixels)."""
    try:
        if image.getexif().get(_ORIENTATION, 1) in (None, 1):
            return image
        return ImageOps.exif_transpose(image) or image
    except Exception:
        return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode to RGB, without surprises a person would notice.

    Transparent areas become white (as on a gallery wall or a web page);
    16-bit and float images are scaled, not clipped to white; CMYK and wide
    gamut RGB use the embedded colour profile when there is one.
    """
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _deep_to_rgb(image)
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or (
        mode == "P" and "transparency" in image.info
    ) or (mode in ("L", "RGB") and "transparency" in image.info):
        return _over_white(image.convert("RGBA"))
    if mode in ("RGB", "CMYK") and image.info.get("icc_profile"):
        converted = _profile_to_srgb(image)
        if converted is not None:
            return converted
    return image if mode == "RGB" else image.convert("RGB")  # no copy of a 40 MP picture for nothing


def _over_white(rgba: Image.Image) -> Image.Image:
    background = Image.new("RGBA", rgba.size, _WHITE + (255,))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _deep_to_rgb(image: Image.Image) -> Image.Image:
    """16-bit / 32-bit / float grey to 8-bit grey, keeping the picture's tones.

    16-bit data is scaled 65535 -> 255 (Pillow's own convert clips it, so a
    normal 16-bit scan would come out white). 32-bit and float data are scaled
    by their plausible range: 0..1, 0..255, 0..65535, else min..max. Works in
    uint8/float32 so a 40-megapixel scan doesn't need gigabytes.
    """
    values = np.asarray(image)
    if image.mode.startswith("I;16"):
        return Image.fromarray((values >> 8).astype(np.uint8)).convert("RGB")
    values = values.astype(np.float32)
    if image.mode == "F":
        np.nan_to_num(values, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if low >= 0 and high <= 1.0 and image.mode == "F":
        values *= 255.0
    elif low >= 0 and high <= 255:
        pass
    elif low >= 0 and high <= 65535:
        values /= 257.0
    else:
        values -= low
        values *= 255.0 / (high - low) if high > low else 0.0
    grey = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return Image.fromarray(grey).convert("RGB")


def _profile_to_srgb(image: Image.Image) -> Image.Image | None:
    """Convert with the embedded ICC profile; None if the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, target, outputMode="RGB")
    except Exception:
        return None


def _too_many_pixels(size: tuple[int, int], max_pixels: int) -> ArtdemoError:
    width, height = size
    return ArtdemoError(
        f"This image is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
        f"the limit is {max_pixels / 1e6:.0f} megapixels. Please use a smaller version."
    )


def _not_an_image_message(data: bytes) -> str:
    kind = sniff_kind(data)
    if kind:
        return f"This file is not an image we can read (it looks like {kind}). {_PLEASE}"
    return f"This file is not an image we can read (the format isn't recognised). {_PLEASE}"


def _damaged_message(exc: Exception) -> str:
    if "truncated" in str(exc).lower():
        return (
            "This image file is incomplete (it may have been cut off while downloading "
            "or copying). " + _PLEASE
        )
    return "This image file is damaged and can't be read. " + _PLEASE


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="replace")  # the cut at 512 may split a character
    printable = sum((ch.isprintable() and ch != "\ufffd") or ch in "\r\n\t" for ch in text)
    return printable / len(text) > 0.95


def _megabytes(size: int) -> str:
    """20971520 -> "20 MB", 20971521 -> "20.0 MB" (so "just over" still reads right)."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
