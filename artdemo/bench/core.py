"""The benchmark: `python -m artdemo.bench [--only NAME,...] [--long]`.

Speed and memory goals live here, not in timed unit tests. Every figure is printed
with its unit; latency figures also print their ratio to EfficientNet-Lite0's compute
floor on this machine (the model's multiply-adds divided by the machine's measured
matrix-multiply throughput), so a reader can tell overhead from arithmetic.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from artdemo import config


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""

    def line(self) -> str:
        note = f"  ({self.note})" if self.note else ""
        return f"{self.name:<52} {self.value:>10.3g} {self.unit}{note}"


def proc_status_mb(pid: int | str, key: str) -> float:
    """A memory line of a process's /proc status (VmRSS, VmHWM) in MB; NaN where it can't be read
    (another system, or the process has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def rss_mb() -> float:
    """Resident memory of this process (Linux)."""
    return proc_status_mb("self", "VmRSS")


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of `repeat` calls, after one warm-up call (which traces graphs)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def backbone_macs() -> float:
    """Multiply-adds of one Lite0 forward pass at 224 px, counted from the built model's layers."""
    import keras

    from artdemo.models.backbone import build_lite0

    model = build_lite0(weights=False)
    macs = 0.0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)):
            out = layer.output.shape  # (None, h, w, c)
            kh, kw = layer.kernel_size
            cin = layer.input.shape[-1]
            if isinstance(layer, keras.layers.DepthwiseConv2D):
                macs += out[1] * out[2] * out[3] * kh * kw
            else:
                macs += out[1] * out[2] * out[3] * kh * kw * cin / layer.groups
        elif isinstance(layer, keras.layers.Dense):
            macs += layer.input.shape[-1] * layer.units
    return macs


def matmul_gmacs_per_s() -> float:
    """This machine's float32 matrix-multiply throughput through TensorFlow (the compute floor's denominator)."""
    import tensorflow as tf

    a = tf.random.uniform((1024, 1024))
    b = tf.random.uniform((1024, 1024))
    step = tf.function(lambda: tf.matmul(a, b))
    seconds = median_seconds(lambda: step().numpy(), repeat=10)
    return 1024**3 / seconds / 1e9


def compute_floor() -> tuple[list[Figure], float]:
    macs = backbone_macs()
    gmacs = matmul_gmacs_per_s()
    floor_s = macs / (gmacs * 1e9)
    return [
        Figure("Lite0 multiply-adds per image (224 px)", macs / 1e6, "M MACs"),
        Figure("matmul throughput (float32, TensorFlow)", gmacs, "GMAC/s"),
        Figure("Lite0 compute floor per image", floor_s * 1e3, "ms", "MACs / matmul throughput"),
    ], floor_s


def cold_start() -> list[Figure]:
    """Process start to first prediction, in a fresh interpreter."""
    code = (
        "import time,sys; t=time.perf_counter();"
        "from artdemo.sources import datacache; from artdemo.imaging import decode; from artdemo.models import predictor;"
        "row,_=datacache.random_labelled(rng=__import__('random').Random(0));"
        "img=decode.load_image_file(datacache.resolve(row.path));"
        "predictor.predict_image(img);"
        "print(time.perf_counter()-t)"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=config.PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)})
    total = time.perf_counter() - start
    inside = float(out.stdout.strip().splitlines()[-1])
    from artdemo.bench.app_cold_start import measure

    app = measure()
    return [
        Figure("cold start: process start to first prediction", total, "s", "all heads, one cache image"),
        Figure("cold start: imports + model load + predict", inside, "s", "inside the process"),
        Figure("cold start: Classify page, process to first prediction", app["process_to_prediction"], "s",
               f"page ready {app['page_ready']:.1f} s, first click {app['first_click']:.1f} s (Streamlit AppTest)"),
    ]


def warm_latency(floor_s: float) -> list[Figure]:
    """All heads on one image (batch 1) and per image in a batch of 32, models warm."""
    from artdemo.sources import datacache
    from artdemo.imaging import decode
    from artdemo.models import predictor

    rows = datacache.list_labelled("medium")[:32]
    images = [decode.load_image_file(datacache.resolve(r.path)) for r in rows]
    one = median_seconds(lambda: predictor.predict_image(images[0]), repeat=10)
    per = median_seconds(lambda: predictor.predict_images(images), repeat=3) / len(images)
    return [Figure("warm latency, all heads, batch 1", one * 1e3, "ms/image", f"{one / floor_s:.1f}x the compute floor"),
            Figure("warm latency, all heads, batch 32", per * 1e3, "ms/image", f"{per / floor_s:.1f}x the compute floor"),
            Figure("resident memory after warm predictions", rss_mb(), "MB")]


def explanation_figures() -> list[Figure]:
    from artdemo.bench.explain import explanation_timings

    return [Figure(name, value, unit) for name, value, unit in explanation_timings()]


def photo_figures() -> list[Figure]:
    from artdemo.bench.photos import finder_timings, no_art_routes

    return [Figure(name, value, unit) for name, value, unit in finder_timings() + no_art_routes()]


def contention_figures() -> list[Figure]:
    from artdemo.bench.contention import contention_figures as measure

    return [Figure(name, value, unit) for name, value, unit in measure()]


def audit_figures() -> list[Figure]:
    from artdemo.audit.bench import audit_throughput, figures

    return figures(audit_throughput(500))


def cache_fill_figures() -> list[Figure]:
    from artdemo.bench.cache_fill import fill_rates

    return [Figure(name, value, unit) for name, value, unit in fill_rates()]


def training_figures() -> list[Figure]:
    """Training seconds per task, as measured and recorded by `python -m artdemo train` in each card."""
    from artdemo.models.cards import available_cards

    return [Figure(f"training time, {c.task} (recorded by train)", c.training_seconds, "s", c.created_by)
            for c in available_cards()]


SECTIONS: dict[str, Callable[..., list[Figure]]] = {
    "cold": lambda floor: cold_start(),
    "warm": warm_latency,
    "explain": lambda floor: explanation_figures(),
    "photos": lambda floor: photo_figures(),
    "contention": lambda floor: contention_figures(),
    "train": lambda floor: training_figures(),
    "cache": lambda floor: cache_fill_figures(),
    "audit": lambda floor: audit_figures(),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m artdemo.bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--long", action="store_true", help="also run the load and soak tests")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"no section {', '.join(map(repr, unknown))}; choose from {', '.join(SECTIONS)}")
    figures, floor_s = compute_floor()
    for fig in figures:
        print(fig.line(), flush=True)
    for name in chosen:
        for fig in SECTIONS[name](floor_s):
            figures.append(fig)
            print(fig.line(), flush=True)
    if args.long:
        from artdemo.bench.long import long_figures

        for fig in long_figures():
            figures.append(fig)
            print(fig.line(), flush=True)
    if args.json:
        args.json.write_text(json.dumps([vars(f) for f in figures], indent=1))
    return 0
