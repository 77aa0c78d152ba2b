"""The bad-input corpus, generated in memory (nothing binary is committed).

Shared by the image-input tests and the Streamlit / Gradio / predict tests:

    from tests.support.bad_inputs import bad_cases
    for case in bad_cases():
        ...  # case.name, case.data, case.filename, case.expect_ok, case.expect_size

`expect_ok` cases must decode to an RGB image of `expect_size` (width, height);
the others must be refused with an ArtdemoError. `bad_cases(include_large=False)`
leaves out the one case bigger than the byte limit (20 MB), for tests that
send cases through a browser or an HTTP upload.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from artdemo.imaging.decode import MAX_BYTES

RED = (220, 30, 30)
GREEN = (30, 200, 60)
BLUE = (30, 60, 220)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    filename: str
    expect_ok: bool
    expect_size: tuple[int, int] | None = None
    note: str = ""


def bad_cases(include_large: bool = True) -> list[Case]:
    """Every case, small ones first; the list is a fresh copy each call."""
    cases = list(_small_cases())
    if include_large:
        cases.append(_over_byte_limit())
    return cases


def case_named(name: str) -> Case:
    """One case by name (raises KeyError with the known names if missing)."""
    for case in bad_cases(include_large=name == "over_byte_limit"):
        if case.name == name:
            return case
    raise KeyError(f"{name!r}; known: {[c.name for c in bad_cases(False)]}")


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def noisy_rgb(width: int, height: int, seed: int = 0) -> Image.Image:
    """Random pixels: compress badly, so a truncated file really lacks data."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


@functools.lru_cache(maxsize=1)
def _small_cases() -> tuple[Case, ...]:
    photo_jpeg = encode(noisy_rgb(64, 48), "JPEG", quality=90)
    photo_png = encode(noisy_rgb(64, 48), "PNG")
    return (
        Case("zero_bytes", b"", "empty.jpg", False),
        Case("truncated_jpeg", photo_jpeg[: len(photo_jpeg) // 2], "cut.jpg", False),
        Case("truncated_png", photo_png[: len(photo_png) // 2], "cut.png", False),
        Case("corrupt_jpeg_body", photo_jpeg[:20] + bytes(range(256)) * 8, "noise.jpg", False),
        Case("png_named_jpg", photo_png, "really_a_png.jpg", True, (64, 48)),
        Case("jpeg_named_png", photo_jpeg, "really_a_jpeg.png", True, (64, 48)),
        Case("gif_named_webp", encode(Image.new("P", (5, 7)), "GIF"), "x.webp", True, (5, 7)),
        Case("text_as_jpg", b"Just some notes about a lithograph.\n" * 5, "notes.jpg", False),
        Case("html_as_png", _html(), "page.png", False),
        Case("pdf_as_jpg", _pdf(), "catalogue.jpg", False),
        Case("svg_as_png", _svg(), "drawing.png", False),
        Case("zip_as_jpg", _zip(photo_jpeg), "photos.jpg", False),
        Case("heic_as_jpg", b"\x00\x00\x00\x18ftypheic" + bytes(64), "IMG_0001.jpg", False),
        Case("tiny_1x1", encode(Image.new("RGB", (1, 1), RED), "PNG"), "dot.png", True, (1, 1)),
        Case("decompression_bomb_png", png_bomb(20000, 20000), "bomb.png", False,
             note="small on disk, header says 400 megapixels"),
        Case("over_pixel_limit_png", png_bomb(8000, 8000), "big_scan.png", False,
             note="64 megapixels: over our 40 MP limit, under Pillow's own warning"),
        Case("gif_header_bomb", _gif_header_bomb(), "huge.gif", False,
             note="logical screen 65535 x 65535, beyond Pillow's own bomb limit"),
        Case("png_16bit_grey", _png_16bit(), "scan16.png", True, (32, 16),
             note="gradient over the full 16-bit range; must not come out white"),
        Case("cmyk_jpeg", encode(Image.new("CMYK", (20, 10), (0, 255, 255, 0)), "JPEG"),
             "print.jpg", True, (20, 10), note="pure red in CMYK"),
        Case("palette_transparent_png", _palette_transparent(), "logo.png", True, (16, 16),
             note="left half transparent, right half blue"),
        Case("rgba_png", _rgba_half_transparent(), "cutout.png", True, (16, 16)),
        Case("la_png", encode(Image.new("LA", (8, 8), (0, 0)), "PNG"), "shadow.png", True,
             (8, 8), note="black but fully transparent: white after compositing"),
        Case("bilevel_bmp", encode(Image.new("1", (9, 9), 1), "BMP"), "bw.bmp", True, (9, 9)),
        Case("float_tiff", _float_tiff(), "depth.tif", True, (10, 10)),
        Case("animated_gif", _animated("GIF"), "anim.gif", True, (12, 12), note="first frame red"),
        Case("animated_webp", _animated("WEBP"), "anim.webp", True, (12, 12)),
        Case("animated_png", _animated("PNG"), "anim.png", True, (12, 12), note="APNG"),
        Case("exif_rotated_jpeg", _exif_rotated(), "phone.jpg", True, (20, 40),
             note="stored 40 x 20 with Orientation=6: displays 20 wide, 40 tall"),
    )


def _over_byte_limit() -> Case:
    header = encode(Image.new("RGB", (4, 4), RED), "PNG")
    return Case("over_byte_limit", header + bytes(MAX_BYTES + 1 - len(header)), "huge.png", False)


def _html() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>404</title></head><body>Not found</body></html>"


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _svg() -> bytes:
    return (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><rect width="10" height="10" fill="red"/></svg>')


def _zip(member: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", member)
    return buffer.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height zeros: ~50 KB on disk, 400 MP decoded."""
    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def _gif_header_bomb() -> bytes:
    small = encode(Image.new("P", (2, 2)), "GIF")
    return small[:6] + struct.pack("<HH", 65535, 65535) + small[10:]


def _png_16bit() -> bytes:
    ramp = np.tile(np.linspace(0, 65535, 32).astype(np.uint16), (16, 1))
    return encode(Image.fromarray(ramp), "PNG")


def _palette_transparent() -> bytes:
    image = Image.new("P", (16, 16), 0)
    image.putpalette(list(RED) + list(BLUE) + [0] * (256 * 3 - 6))
    image.paste(1, (8, 0, 16, 16))
    return encode(image, "PNG", transparency=0)


def _rgba_half_transparent() -> bytes:
    image = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    image.paste((30, 60, 220, 255), (8, 0, 16, 16))
    return encode(image, "PNG")


def _float_tiff() -> bytes:
    values = np.linspace(0.0, 1.0, 100, dtype=np.float32).reshape(10, 10)
    return encode(Image.fromarray(values, mode="F"), "TIFF")


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (12, 12), colour) for colour in (RED, GREEN, BLUE)]
    params = {"save_all": True, "append_images": frames[1:], "duration": 100, "loop": 0}
    if fmt == "WEBP":
        params["lossless"] = True
    return encode(frames[0], fmt, **params)


def _exif_rotated() -> bytes:
    image = Image.new("RGB", (40, 20), RED)
    image.paste(BLUE, (0, 0, 10, 20))  # a blue band on the stored image's left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    return encode(image, "JPEG", exif=exif.tobytes(), quality=95)
