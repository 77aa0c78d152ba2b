"""Visitor-photo figures for the benchmark (`python -m artdemo.bench --only photos`).

- What finding the artwork costs per photo (target: at most 50 ms on this machine),
  on generated gallery photos of data-cache images and on the reproductions themselves.
- What the models answer for pictures that are no artwork at all: scikit-image's
  sample photos (`astronaut`, `chelsea`, `coffee`, `rocket`). The style and genre models
  must give none of them an `auto` answer.
"""

from __future__ import annotations

import time

import numpy as np

NO_ART = ("astronaut", "chelsea", "coffee", "rocket")


def _sample_images(n: int) -> list[np.ndarray]:
    from artdemo.imaging.decode import load_image_file
    from artdemo.sources.datacache import list_labelled, resolve

    rows = []
    for task in ("style", "genre", "medium"):
        rows += list_labelled(task)[:: max(1, len(list_labelled(task)) // max(1, n // 3))][: n // 3]
    return [np.asarray(load_image_file(resolve(r.path))) for r in rows]


def finder_timings(n: int = 60) -> list[tuple[str, float, str]]:
    from artdemo.imaging.find_artwork import find_artwork
    from artdemo.imaging.gallery_photo import gallery_photo

    images = _sample_images(n)
    photos = [gallery_photo(rgb, seed=f"bench:{i}").photo for i, rgb in enumerate(images)]
    find_artwork(photos[0])  # warm-up (imports, first allocation)
    out = []
    for name, pictures in (("gallery photos", photos), ("reproductions", images)):
        times = []
        for pic in pictures:
            start = time.perf_counter()
            find_artwork(pic)
            times.append(time.perf_counter() - start)
        sizes = f"{int(np.median([p.shape[1] for p in pictures]))}x{int(np.median([p.shape[0] for p in pictures]))} px median"
        out.append((f"find the artwork, {name} (median)", float(np.median(times)) * 1e3, f"ms/photo ({sizes})"))
        out.append((f"find the artwork, {name} (p95)", float(np.percentile(times, 95)) * 1e3, "ms/photo"))
    start = time.perf_counter()
    for i, rgb in enumerate(images[:20]):
        gallery_photo(rgb, seed=f"bench-gen:{i}")
    out.append(("generate a gallery photo (median of 20)", (time.perf_counter() - start) / 20 * 1e3, "ms/photo"))
    return out


def no_art_routes() -> list[tuple[str, float, str]]:
    """One line per no-art picture and task: the answer, its confidence and route."""
    from skimage import data

    from artdemo.models.predictor import available_tasks, predict_images

    tasks = available_tasks()
    pictures = [np.asarray(getattr(data, name)())[..., :3] for name in NO_ART]
    pictures = [np.repeat(p[..., None], 3, axis=2) if p.ndim == 2 else p for p in pictures]
    out = []
    for name, answers in zip(NO_ART, predict_images(pictures, tasks)):
        for task, pred in answers.items():
            out.append((f"no artwork: {name}, {task}", pred.confidence, f"confidence; answer {pred.predicted}, "
                        f"route {pred.route}"))
    return out
