"""Do Gram matrices add to the heads' texture statistics? `python -m artdemo.training.gram_trial`

Issue 13 asked to try style features from several blocks, "Gram or mean and standard
deviation". The shipped heads already take the mean and spread of blocks 2, 4, 7, 10 and
14. A Gram matrix holds more: how every pair of a block's channels fire together, the
statistic of neural style transfer. This trial measures whether that pays, on equal terms
and without another backbone pass:

- block 10's activations (14 x 14 x 112) are already in the feature cache (they train the
  fine-tuned trunk), so the Gram matrix of each clean picture costs a matrix product:
  112 x 112, symmetric, 6,328 numbers, each with its sign kept and its size square-rooted;
- reduced to its leading principal components (fitted on the train split), so that the
  probe sees a few hundred numbers beside the features' 3,456;
- the same probe as the Lite2 trial (a class-weighted logistic regression, its L2 strength
  chosen on validation) on the shipped backbone's features, with and without them.

It writes `models/gram_trial.json`; `python -m artdemo report` prints it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from artdemo.training import feature_cache, lite2_trial
from artdemo.training.lite2_trial import probe
from artdemo.training.principal_axes import leading_axes
from artdemo.training.taskdata import TaskData, load_task

TRIAL_TASKS = ("style", "medium")  # the two tasks whose answer is most a matter of texture
RESULT_FILE = "gram_trial.json"
COMPONENTS = (64, 256)
CHUNK = 512  # pictures per matrix product (about 45 MB of float32)


def gram_features(acts: np.ndarray) -> np.ndarray:
    """(N, C(C+1)/2): the upper triangle of each picture's channel Gram matrix, averaged over positions,
    signed square root (a few channels fire far more than the rest; the root evens them out)."""
    n, *space, c = acts.shape
    rows, cols = np.triu_indices(c)
    out = np.empty((n, len(rows)), np.float32)
    for start in range(0, n, CHUNK):
        x = np.asarray(acts[start:start + CHUNK], np.float32).reshape(-1, int(np.prod(space)), c)
        g = np.einsum("nsc,nsd->ncd", x, x) / x.shape[1]
        out[start:start + CHUNK] = g[:, rows, cols]
    return np.sign(out) * np.sqrt(np.abs(out))


def leading_components(x: np.ndarray, fit_rows: np.ndarray, k: int) -> np.ndarray:
    """`x` projected on the `k` leading principal axes of its `fit_rows` (eigenvectors of their scatter)."""
    centre = x[fit_rows].mean(axis=0)
    return ((x - centre) @ leading_axes(x[fit_rows] - centre, k)).astype(np.float32)


def trial(tasks: Sequence[str] = TRIAL_TASKS, data_root: Path | None = None, limit: int | None = None,
          components: Sequence[int] = COMPONENTS, log: Callable[[str], None] = print) -> dict:
    """Every probe row of every task. `limit`: the first rows of each task only (tests)."""
    out: dict = {"command": "python -m artdemo.training.gram_trial", "tasks": {}}
    for task in tasks:
        td = load_task(task, data_root)
        if limit:
            td = TaskData(td.task, td.classes, td.rows[:limit], td.y[:limit], td.split[:limit])
        log(f"{task}: {len(td.rows)} clean pictures")
        feats = feature_cache.cached_features(td.paths, ["whole"], data_root, log)["whole"]
        gram = gram_features(feature_cache.cached_activations(td.paths, "clean"))
        rows = [("the shipped backbone's features: last layer and block texture statistics (mean and spread)",
                 feats)]
        for k in components:
            k = min(k, len(td.index("train")) - 1, gram.shape[1])
            rows.append((f"the same, and the {k} leading principal components of block 10's Gram matrix",
                         np.concatenate([feats, leading_components(gram, td.index("train"), k)], axis=1)))
        out["tasks"][task] = [{"features": name, **probe(td, x)} for name, x in rows]
        for row in out["tasks"][task]:
            log(f"{task}: {row['features']}: validation {row['val']}, test {row['test']}")
    return out


def result_path(models_root: Path | None = None) -> Path:
    return lite2_trial.result_path(models_root, RESULT_FILE)


def main(argv: list[str] | None = None) -> int:
    return lite2_trial.trial_command(argv, "python -m artdemo.training.gram_trial", __doc__, TRIAL_TASKS,
                                     RESULT_FILE, trial)


if __name__ == "__main__":
    raise SystemExit(main())
