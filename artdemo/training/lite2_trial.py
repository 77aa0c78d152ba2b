"""Would EfficientNet-Lite2 pay for its cost? `python -m artdemo.training.lite2_trial`

Issue 13 asked to try Lite2 (77.6% ImageNet top-1 against Lite0's 75.1%, for 260 px
pictures). Its backbone alone costs about half of the app's warm budget of 60 ms per
picture on this machine, which finding the artwork, Lite0 and the heads already use, so
it could only ship if its features were much better. This trial measures that on equal
terms before anyone builds a product around it:

- the same clean pictures as training (each through the artwork finder, as the `clean`
  look), squashed to 260 px for Lite2 and to 224 px for Lite0;
- the same probe on each backbone's pooled last layer (mean and spread, 2560 numbers):
  a class-weighted logistic regression, its L2 strength chosen on validation;
- beside them, the same probe on Lite0's full feature set (with the block texture
  statistics the shipped heads use), and on that plus Lite2's pooled features;
- and what Lite2 costs: one picture, and per picture in a batch of 32.

It writes `models/lite2_trial.json` (the figures; `python -m artdemo report` prints them)
and caches Lite2's features under the cache folder, so a rerun takes seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from artdemo import config
from artdemo.models import metrics, views
from artdemo.models.calibration import softmax
from artdemo.models.heads import class_weights, fit_softmax, standardiser
from artdemo.training import feature_cache, looks
from artdemo.training.taskdata import TaskData, load_task

TRIAL_TASKS = ("style", "medium", "lithograph")  # genre is at its ceiling with Lite0
RESULT_FILE = "lite2_trial.json"
L2_GRID = (1e-3, 1e-2, 3e-2, 1e-1)
BATCH = 32
POOLED = slice(0, 2560)  # Lite0's features start with the last layer's mean and spread


def _lite2_extractor():
    import tensorflow as tf

    from artdemo.models.backbone import build_lite2

    model = build_lite2()

    @tf.function(reduce_retracing=True)
    def run(x):
        conv_map, _ = model(x, training=False)
        return tf.concat([tf.reduce_mean(conv_map, axis=[1, 2]), tf.math.reduce_std(conv_map, axis=[1, 2])], axis=1)

    return run


def _cache_path() -> Path:
    from artdemo.models.backbone import LITE2_INPUT_SIZE, file_fingerprint, lite2_weights_path

    key = f"{file_fingerprint(lite2_weights_path())}-{LITE2_INPUT_SIZE}-{views.RECIPE_VERSION}-clean-{looks.LOOKS_VERSION}"
    return config.cache_dir() / "lite2" / f"{key}.npz"


def lite2_features(paths: Sequence[str], data_root: Path | None = None,
                   log: Callable[[str], None] = lambda msg: None) -> np.ndarray:
    """(len(paths), 2560) float32: Lite2's pooled last layer (mean, spread) of each clean picture,
    computing and caching what is missing. Decoding and finding the artwork of the next batch
    overlap the backbone's work on the current one."""
    from artdemo.models.backbone import LITE2_INPUT_SIZE
    from artdemo.sources.datacache import resolve

    path = _cache_path()
    table = feature_cache.load_table(path)
    missing = sorted({p for p in paths if p not in table})
    if missing:
        run = _lite2_extractor()
        chunks = [missing[i:i + BATCH] for i in range(0, len(missing), BATCH)]

        def prepare(chunk: list[str]) -> np.ndarray:
            return np.stack([views.resize(looks.picture_for(feature_cache.load_rgb(resolve(p, data_root)), p,
                                                            "clean"), LITE2_INPUT_SIZE) for p in chunk])

        start = time.perf_counter()
        for k, chunk, batch in feature_cache.prefetched(chunks, prepare):
            for p, f in zip(chunk, np.asarray(run(batch))):
                table[p] = f.astype(np.float16)
            if k % 20 == 0 or k + 1 == len(chunks):
                done = min(len(missing), (k + 1) * BATCH)
                log(f"Lite2 features: {done}/{len(missing)} pictures ({time.perf_counter() - start:.0f} s)")
            if k % 100 == 99:
                feature_cache.save_table(path, table)
        feature_cache.save_table(path, table)
    return np.stack([table[p] for p in paths]).astype(np.float32) if paths else np.zeros((0, 2560), np.float32)


def probe(td: TaskData, x: np.ndarray) -> dict:
    """A class-weighted logistic regression on `x`, its L2 strength chosen on validation:
    the task's headline figure on validation and test, and test macro-F1."""
    key = "balanced_accuracy" if td.task == "lithograph" else "accuracy"
    tr, va, te = td.index("train"), td.index("val"), td.index("test")
    mean, scale = standardiser(x[tr])
    z = (x - mean) / scale
    n = len(td.classes)
    best = None
    for l2 in L2_GRID:
        w, b = fit_softmax(z[tr], td.y[tr], n, l2, class_weights(td.y[tr], n), seed=0)
        val = metrics.summarize(softmax(z[va] @ w + b), td.y[va], td.classes)[key]
        if best is None or val > best[0]:
            best = (val, l2, w, b)
    val, l2, w, b = best
    test = metrics.summarize(softmax(z[te] @ w + b), td.y[te], td.classes)
    return {"metric": key, "val": round(float(val), 4), "test": round(float(test[key]), 4),
            "test_macro_f1": round(float(test["macro_f1"]), 4), "l2": l2}


def lite2_cost(repeat: int = 5) -> dict:
    """Lite2's backbone alone, warm: ms for one picture, and per picture in a batch of 32."""
    from artdemo.models.backbone import LITE2_INPUT_SIZE

    run = _lite2_extractor()
    rng = np.random.default_rng(0)
    out = {}
    for n in (1, BATCH):
        x = rng.uniform(0, 255, (n, LITE2_INPUT_SIZE, LITE2_INPUT_SIZE, 3)).astype(np.float32)
        np.asarray(run(x))
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            np.asarray(run(x))
            times.append(time.perf_counter() - start)
        out[f"ms_per_picture_batch_{n}"] = round(float(np.median(times)) / n * 1e3, 1)
    return out


def trial(tasks: Sequence[str] = TRIAL_TASKS, data_root: Path | None = None, limit: int | None = None,
          log: Callable[[str], None] = print) -> dict:
    """Every probe row of every task, and Lite2's cost. `limit`: the first rows of each task only (tests)."""
    from artdemo.training.feature_cache import cached_features

    out: dict = {"command": "python -m artdemo.training.lite2_trial", "tasks": {}}
    for task in tasks:
        td = load_task(task, data_root)
        if limit:
            td = TaskData(td.task, td.classes, td.rows[:limit], td.y[:limit], td.split[:limit])
        log(f"{task}: {len(td.rows)} clean pictures")
        lite0 = cached_features(td.paths, ["whole"], data_root, log)["whole"]
        lite2 = lite2_features(td.paths, data_root, log)
        rows = [("Lite0 at 224 px: pooled last layer (mean and spread)", lite0[:, POOLED]),
                ("Lite2 at 260 px: pooled last layer (mean and spread)", lite2),
                ("Lite0 at 224 px: pooled last layer and block texture statistics (the shipped heads' input)", lite0),
                ("the same, and Lite2's pooled last layer beside it", np.concatenate([lite0, lite2], axis=1))]
        out["tasks"][task] = [{"features": name, **probe(td, x)} for name, x in rows]
        for row in out["tasks"][task]:
            log(f"{task}: {row['features']}: validation {row['val']}, test {row['test']}")
    out["lite2_cost"] = lite2_cost()
    log(f"Lite2 backbone alone: {out['lite2_cost']}")
    return out


def result_path(models_root: Path | None = None, name: str = RESULT_FILE) -> Path:
    return (Path(models_root) if models_root else config.models_dir()) / name


def trial_command(argv: list[str] | None, prog: str, description: str, tasks: Sequence[str], name: str,
                  run: Callable[..., dict]) -> int:
    """The command line every feature trial shares: pick tasks, optionally the first rows only, and write
    `run`'s figures to models/`name` (or --out), where `python -m artdemo report` finds them."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=",".join(tasks))
    parser.add_argument("--limit", type=int, default=None, help="the first N rows of each task (a quick check)")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write the figures (default models/{name})")
    args = parser.parse_args(argv)
    result = run([t for t in args.tasks.split(",") if t], limit=args.limit)
    target = args.out or result_path(name=name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return trial_command(argv, "python -m artdemo.training.lite2_trial", __doc__, TRIAL_TASKS, RESULT_FILE, trial)


if __name__ == "__main__":
    raise SystemExit(main())
