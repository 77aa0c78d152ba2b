"""Safe image decoding: every bad-input case is decoded or refused with a readable message."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import MAX_BYTES, decode_image, image_fingerprint, load_image_file
from tests.support.bad_inputs import BLUE, RED, bad_cases, case_named, encode, noisy_rgb, png_bomb

CASES = bad_cases()
GOOD = [case for case in CASES if case.expect_ok]
BAD = [case for case in CASES if not case.expect_ok]


def _close(pixel, expected, tolerance=12) -> bool:
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, expected))


@pytest.mark.parametrize("case", GOOD, ids=[case.name for case in GOOD])
def test_readable_cases_decode_to_rgb_of_the_expected_size(case):
    image = decode_image(case.data)
    assert image.mode == "RGB"
    assert image.size == case.expect_size


@pytest.mark.parametrize("case", BAD, ids=[case.name for case in BAD])
def test_unreadable_cases_are_refused_with_a_message_for_a_person(case):
    started = time.monotonic()
    with pytest.raises(ArtdemoError) as caught:
        decode_image(case.data)
    message = str(caught.value)
    assert message.endswith(".") and len(message) > 30
    assert "Traceback" not in message and "Error" not in message  # no Python jargon
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    "name, words",
    [
        ("pdf_as_jpg", "looks like a PDF"),
        ("html_as_png", "web page"),
        ("svg_as_png", "SVG"),
        ("zip_as_jpg", "ZIP"),
        ("text_as_jpg", "text file"),
        ("heic_as_jpg", "HEIC"),
        ("zero_bytes", "empty"),
        ("truncated_jpeg", "incomplete"),
        ("truncated_png", "incomplete"),
        ("decompression_bomb_png", "megapixels"),
        ("over_pixel_limit_png", "8000 x 8000"),
        ("gif_header_bomb", "megapixels"),
        ("over_byte_limit", "too big"),
    ],
)
def test_refusal_message_says_what_the_file_seems_to_be(name, words):
    with pytest.raises(ArtdemoError, match=words):
        decode_image(case_named(name).data)


def test_exif_rotated_photo_comes_out_upright():
    image = decode_image(case_named("exif_rotated_jpeg").data)
    # Stored 40x20 with a blue band on the left; Orientation=6 turns it 90 degrees
    # clockwise, so the band ends up along the top.
    assert image.size == (20, 40)
    assert _close(image.getpixel((10, 2)), BLUE, 25)
    assert _close(image.getpixel((10, 37)), RED, 25)


def test_cmyk_jpeg_keeps_its_colour():
    image = decode_image(case_named("cmyk_jpeg").data)
    assert _close(image.getpixel((5, 5)), (255, 0, 0), 20)


def test_transparent_palette_is_shown_over_white():
    image = decode_image(case_named("palette_transparent_png").data)
    assert image.getpixel((2, 8)) == (255, 255, 255)
    assert image.getpixel((12, 8)) == BLUE


def test_transparent_black_is_white_not_black():
    image = decode_image(case_named("la_png").data)
    assert image.getpixel((4, 4)) == (255, 255, 255)


def test_sixteen_bit_scan_keeps_its_tones_instead_of_turning_white():
    image = np.asarray(decode_image(case_named("png_16bit_grey").data))
    assert image[:, 0].max() <= 2  # the dark end stays dark
    assert image[:, -1].min() >= 253  # the light end reaches white
    assert 110 < image.mean() < 145  # a full ramp averages mid-grey


def test_float_image_is_scaled_from_zero_to_one():
    image = np.asarray(decode_image(case_named("float_tiff").data))
    assert image.min() == 0 and image.max() == 255


@pytest.mark.parametrize("name", ["animated_gif", "animated_webp", "animated_png"])
def test_animation_gives_its_first_frame(name):
    image = decode_image(case_named(name).data)
    assert _close(image.getpixel((6, 6)), RED, 8)


def test_one_pixel_image_is_accepted():
    assert decode_image(case_named("tiny_1x1").data).getpixel((0, 0)) == RED


def test_limits_can_be_tightened_per_call():
    data = encode(noisy_rgb(100, 100), "PNG")
    with pytest.raises(ArtdemoError, match="100 x 100"):
        decode_image(data, max_pixels=5000)
    with pytest.raises(ArtdemoError, match="too big"):
        decode_image(data, max_bytes=len(data) - 1)
    assert decode_image(data, max_bytes=len(data), max_pixels=10_000).size == (100, 100)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_bomb_warning_is_a_refusal_even_with_a_generous_limit():
    with pytest.raises(ArtdemoError, match="10000 x 10000"):
        decode_image(png_bomb(10000, 10000), max_pixels=150_000_000)


def test_decompression_bomb_is_refused_without_allocating_its_pixels():
    # In a fresh interpreter, so the peak memory measured belongs to this decode.
    script = (
        "import resource, sys\n"
        "sys.path.insert(0, %r)\n"
        "from tests.support.bad_inputs import png_bomb\n"
        "from artdemo.imaging.decode import decode_image\n"
        "from artdemo.errors import ArtdemoError\n"
        "data = png_bomb(20000, 20000)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n    decode_image(data)\nexcept ArtdemoError:\n    pass\n"
        "else:\n    sys.exit('bomb was decoded')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    ) % str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    grown_kib = int(done.stdout.strip())
    assert grown_kib < 50 * 1024  # the decoded bomb would need 400 MB


def test_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as handle:  # sparse: 5 GB on paper, nothing on disk
        handle.truncate(5 * 1024**3)
    started = time.monotonic()
    with pytest.raises(ArtdemoError, match="huge.jpg is too big"):
        load_image_file(huge)
    assert time.monotonic() - started < 0.5


def test_endless_device_is_read_only_up_to_the_limit():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(ArtdemoError, match="too big"):
        load_image_file("/dev/zero", max_bytes=10_000)


def test_image_file_loads_with_the_same_rules_as_uploads(tmp_path):
    good = tmp_path / "photo.webp"
    good.write_bytes(case_named("exif_rotated_jpeg").data)  # wrong extension is fine
    assert load_image_file(good).size == (20, 40)
    bad = tmp_path / "notes.png"
    bad.write_bytes(case_named("pdf_as_jpg").data)
    with pytest.raises(ArtdemoError, match="notes.png: .*PDF"):
        load_image_file(bad)


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_missing_file_or_folder_gives_a_plain_message(tmp_path, make):
    target = tmp_path / "nothing.jpg"
    if make == "folder":
        target.mkdir()
    with pytest.raises(ArtdemoError, match="couldn't find|is a folder"):
        load_image_file(target)


def test_fingerprint_is_stable_across_decodes_and_ignores_metadata():
    first = decode_image(case_named("png_named_jpg").data)
    again = decode_image(case_named("png_named_jpg").data)
    assert image_fingerprint(first) == image_fingerprint(again)
    renamed = decode_image(encode(first, "PNG", pnginfo=None, optimize=True))
    assert image_fingerprint(renamed) == image_fingerprint(first)


def test_fingerprint_changes_when_one_pixel_or_the_shape_changes():
    image = Image.new("RGB", (4, 2), RED)
    changed = image.copy()
    changed.putpixel((3, 1), (221, 30, 30))
    turned = Image.new("RGB", (2, 4), RED)  # same bytes, other shape
    prints = {image_fingerprint(image), image_fingerprint(changed), image_fingerprint(turned)}
    assert len(prints) == 3


def test_the_byte_limit_case_is_just_over_the_limit():
    assert len(case_named("over_byte_limit").data) == MAX_BYTES + 1
