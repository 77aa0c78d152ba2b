"""Eight visitors upload 40-megapixel pictures at the same moment: memory stays under 4 GB and
each of them gets an answer or a clear message.

The uploads run in a fresh Python process (real decoder, real models through the inference
service); its peak resident memory is read with getrusage(RUSAGE_CHILDREN) by a small runner
process started for this test alone, so neither pytest's own memory nor earlier tests' children
count.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artdemo.imaging.decode import CLASSIFY_MAX_PIXELS, decode_image

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SIDE = 6300  # 39.7 megapixels, just under the 40-megapixel limit
LIMIT_MB = 4096

UPLOADS = r"""
import json, sys, threading, time
import numpy as np
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import decode_image, decode_rgb
from artdemo.app.service import InferenceService

def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

purpose, paths = sys.argv[1], sys.argv[2:]
svc = InferenceService()
start = threading.Barrier(len(paths))
outcomes = [None] * len(paths)

def visitor(i, path):
    data = open(path, "rb").read()
    start.wait()
    t0 = time.perf_counter()
    try:
        decode_image(data, purpose="classify")  # the upload is checked (and fingerprinted) first
        rgb = decode_rgb(data, purpose=purpose)
        answer = svc.predict(rgb, session=f"visitor-{i}", timeout=600)
        outcomes[i] = {"answer": sorted(answer), "shape": list(rgb.shape), "seconds": time.perf_counter() - t0}
    except ArtdemoError as err:
        outcomes[i] = {"message": str(err), "seconds": time.perf_counter() - t0}
    except Exception as err:
        outcomes[i] = {"crash": repr(err)}

threads = [threading.Thread(target=visitor, args=(i, p)) for i, p in enumerate(paths)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"outcomes": outcomes, "hwm_mb": hwm_mb()}))
"""

RUNNER = r"""
import json, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=900)
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
print(json.dumps({"returncode": out.returncode, "child": json.loads(lines[-1]) if lines else None,
                  "peak_mb": peak_mb, "stderr": out.stderr[-3000:]}))
"""


def big_picture(fmt: str, seed: int) -> bytes:
    """A 6300x6300 picture with smooth tones and some texture (a few MB, like a real scan's size)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIDE:8, 0:SIDE:8].astype(np.float32)
    small = np.stack([x / SIDE * 255, y / SIDE * 255, (x + y) / (2 * SIDE) * 255], axis=-1)
    small += rng.normal(0, 6, small.shape)
    picture = Image.fromarray(np.clip(small, 0, 255).astype(np.uint8)).resize((SIDE, SIDE), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {"compress_level": 1}))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def uploads(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("big-uploads")
    paths = []
    for i in range(8):
        fmt = "JPEG" if i % 2 == 0 else "PNG"
        path = folder / f"upload-{i}.{fmt.lower()}"
        path.write_bytes(big_picture(fmt, i))
        paths.append(str(path))
    return paths


def run_uploads(purpose: str, paths: list[str]) -> dict:
    uploads_cmd = [sys.executable, "-c", UPLOADS, purpose, *paths]
    out = subprocess.run([sys.executable, "-c", RUNNER, *uploads_cmd], capture_output=True, text=True, timeout=1000,
                         cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
                                                "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["child"] is not None, result["stderr"]
    return result


def test_a_big_jpeg_to_classify_is_decoded_small():
    data = big_picture("JPEG", 0)
    image = decode_image(data, purpose="classify")
    assert image.size[0] * image.size[1] <= CLASSIFY_MAX_PIXELS
    assert abs(image.size[0] / image.size[1] - 1.0) < 0.01
    full = decode_image(data)
    assert full.size == (SIDE, SIDE)


@pytest.mark.slow
@pytest.mark.parametrize("purpose", ["classify", "show"])
def test_eight_simultaneous_forty_megapixel_uploads_stay_under_four_gigabytes(uploads, purpose):
    result = run_uploads(purpose, uploads)
    outcomes = result["child"]["outcomes"]
    print(f"{purpose}: peak {result['peak_mb']:.0f} MB;",
          [round(o.get("seconds", -1), 1) for o in outcomes])
    assert result["peak_mb"] < LIMIT_MB, f"peak resident memory {result['peak_mb']:.0f} MB"
    assert not [o for o in outcomes if "crash" in o], outcomes
    for outcome in outcomes:
        assert "answer" in outcome or outcome["message"].endswith(".")
    answered = [o for o in outcomes if "answer" in o]
    assert answered, outcomes
    if purpose == "classify":
        assert all(o["shape"][0] * o["shape"][1] <= CLASSIFY_MAX_PIXELS for o in answered)
