"""Is this picture the kind a model learned from? A score per task, and the line past which it isn't.

Every head answers every picture: a cat gets a portrait, a selfie gets Pop Art. So each
model carries a small scope model on the same backbone features the head reads, and
the predictor routes an answer `out_of_scope` when the picture's outlier score is
above the scope model's threshold.

Two kinds, by what the training data offers:
- `contrast` (style, genre): a logistic regression between pictures in the task's scope
  (paintings) and pictures that are not (photographs, sculpture, drawings from the
  data cache, each also photographed on a gallery wall). Its outlier score is the
  log-odds of "not in scope".
- `distance` (medium, lithograph, whose training data covers every kind of museum
  object): the Mahalanobis distance from the training features, in the leading
  principal components, whitened. A picture far from everything the model saw is out.

The threshold is set on held-out validation pictures of the task (clean and
photographed), so a known share of real artworks is flagged (see the card).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.errors import ArtdemoError

SCOPE_FILE = "scope.npz"
KINDS = ("contrast", "distance")


@dataclass
class ScopeModel:
    kind: str  # "contrast" | "distance"
    mean: np.ndarray  # (D,) feature standardisation
    scale: np.ndarray  # (D,)
    weights: np.ndarray  # contrast: (D,) logistic weights of "out of scope"; distance: (D, K) whitening projection
    bias: float  # contrast: logistic bias; distance: unused (0)
    threshold: float  # outlier scores above it are out of scope

    def outlier_score(self, feats: np.ndarray) -> np.ndarray:
        """(N,) higher = farther from the task's scope; `feats` are the whole view's (N, TOTAL_DIM) features."""
        z = (np.asarray(feats, np.float32) - self.mean) / self.scale
        if self.kind == "contrast":
            return z @ self.weights + self.bias
        projected = z @ self.weights
        return np.sqrt(np.sum(projected * projected, axis=1))

    def in_scope(self, feats: np.ndarray) -> np.ndarray:
        return self.outlier_score(feats) <= self.threshold


def save_scope(model: ScopeModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, kind=np.array(model.kind), mean=model.mean.astype(np.float32),
                        scale=model.scale.astype(np.float32), weights=model.weights.astype(np.float16),
                        bias=np.float32(model.bias), threshold=np.float32(model.threshold))


def load_scope(path: Path) -> ScopeModel:
    try:
        with np.load(path, allow_pickle=False) as data:
            kind = str(data["kind"])
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}")
            return ScopeModel(kind, data["mean"], data["scale"], data["weights"].astype(np.float32),
                              float(data["bias"]), float(data["threshold"]))
    except (OSError, ValueError, KeyError) as err:
        raise ArtdemoError(f"The scope model {path} is damaged ({err}); retrain with "
                           f"`python -m artdemo train {path.parent.name}`.") from err
