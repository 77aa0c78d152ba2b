"""Property: whatever bytes arrive, decode_image returns RGB or raises ArtdemoError, quickly."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import decode_image
from tests.support.bad_inputs import bad_cases

MODES = ["1", "L", "P", "RGB", "RGBA", "LA", "CMYK", "I;16", "I", "F"]
FORMATS = ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"]
pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning:PIL"),  # Pillow narrates damaged EXIF
    pytest.mark.filterwarnings("ignore:Saving I mode images:DeprecationWarning"),
]
SEEDS = [case.data for case in bad_cases(include_large=False) if case.data]
PROPERTY = settings(max_examples=300, deadline=5000, suppress_health_check=[HealthCheck.too_slow])


def _decodes_or_refuses(data: bytes, max_pixels: int = 40_000_000) -> None:
    started = time.monotonic()
    try:
        image = decode_image(data, max_pixels=max_pixels)
    except ArtdemoError as err:
        assert str(err).strip(), "an empty message helps nobody"
    else:
        assert image.mode == "RGB"
        assert image.width >= 1 and image.height >= 1
    assert time.monotonic() - started < 5.0  # generous: CI machines are shared


def _render(width: int, height: int, mode: str, seed: int, fmt: str) -> bytes | None:
    rng = np.random.default_rng(seed)
    rgb = Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    image = rgb.convert(mode if mode in ("1", "L", "P", "RGB", "RGBA", "LA", "CMYK") else "L")
    if mode in ("I;16", "I", "F"):
        # Deep images come in many ranges (0..1, 0..65535, negative, constant).
        low, high = [(0, 1), (0, 255), (0, 65535), (-(2**31), 2**31 - 1), (7, 7)][seed % 5]
        if mode == "I;16":
            low, high = 0, 65535
        values = rng.uniform(low, high, (height, width))
        image = Image.fromarray(values.astype(
            {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]))
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=fmt)
    except (OSError, ValueError, KeyError):
        return None  # this format can't store this mode; not our concern here
    return buffer.getvalue()


@PROPERTY
@given(st.binary(max_size=4096))
def test_random_bytes_decode_or_are_refused(data):
    _decodes_or_refuses(data)


@PROPERTY
@given(
    st.integers(1, 64), st.integers(1, 64), st.sampled_from(MODES), st.sampled_from(FORMATS),
    st.integers(0, 2**16),
)
def test_any_well_formed_image_decodes_to_rgb_of_its_size(width, height, mode, fmt, seed):
    data = _render(width, height, mode, seed, fmt)
    assume(data is not None)
    image = decode_image(data)
    assert image.mode == "RGB" and image.size == (width, height)


@PROPERTY
@given(
    st.integers(1, 64), st.integers(1, 64), st.sampled_from(MODES), st.sampled_from(FORMATS),
    st.integers(0, 2**16), st.data(),
)
def test_damaged_images_decode_or_are_refused(width, height, mode, fmt, seed, draw):
    data = _render(width, height, mode, seed, fmt)
    assume(data is not None)
    cut = draw.draw(st.integers(0, len(data)), label="keep this many bytes")
    flips = draw.draw(st.lists(st.tuples(st.integers(0, max(len(data) - 1, 0)),
                                         st.integers(0, 255)), max_size=8), label="byte edits")
    damaged = bytearray(data)
    for position, value in flips:
        damaged[position] = value
    _decodes_or_refuses(bytes(damaged[:cut]))


@PROPERTY
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_corpus_files_decode_or_are_refused(seed_bytes, draw):
    damaged = bytearray(seed_bytes)
    edits = draw.draw(st.lists(st.tuples(st.integers(0, len(damaged) - 1), st.integers(0, 255)),
                               min_size=1, max_size=16))
    for position, value in edits:
        damaged[position] = value
    _decodes_or_refuses(bytes(damaged), max_pixels=4_000_000)
