"""Is this picture the kind a model learned from? A score per task, and the line past which it isn't.

Every head answers every picture: a cat gets a portrait, a selfie gets Pop Art. So each
model carries a small scope model on the same backbone features the head reads, and
the predictor routes an answer `out_of_scope` when any of the scope model's tests
says the picture lies outside what the model learned from.

Two tests, by what the training data offers:
- `residual` (every task): how much of the picture's standardised features lies
  outside the leading principal components of the model's own training pictures
  (clean and photographed). Pictures unlike anything in training (a rocket, a cat,
  a cup of coffee) have a large residual, whatever the head thinks of them.
- `contrast` (style, genre, which answer questions about paintings): a logistic
  regression between paintings and what the data cache holds that is not a painting
  (photographs, sculpture, drawings), each also photographed on a gallery wall. Its
  score is the log-odds of "not a painting".

Each test's threshold is set on held-out validation pictures of the task (clean and
photographed), so a known share of real artworks is flagged (see the card's
`scope_check`). The outlier score reported with an answer is the largest of the
tests' scores minus their thresholds: above 0 is out of scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artdemo.errors import ArtdemoError

SCOPE_FILE = "scope.npz"
KINDS = ("contrast", "residual")


@dataclass
class ScopeTest:
    kind: str  # "contrast" | "residual"
    mean: np.ndarray  # (D,) feature standardisation
    scale: np.ndarray  # (D,)
    weights: np.ndarray  # contrast: (D,) logistic weights of "out of scope"; residual: (K, D) principal axes
    bias: np.ndarray  # contrast: () logistic bias; residual: (D,) centre of the standardised training features
    threshold: float = 0.0

    def score(self, feats: np.ndarray) -> np.ndarray:
        """(N,) higher = farther from the task's scope."""
        z = (np.asarray(feats, np.float32) - self.mean) / self.scale
        if self.kind == "contrast":
            return z @ self.weights + float(self.bias)
        z = z - self.bias
        inside = (z @ self.weights.T) @ self.weights
        return np.linalg.norm(z - inside, axis=1)


@dataclass
class ScopeModel:
    tests: list[ScopeTest] = field(default_factory=list)

    def outlier_score(self, feats: np.ndarray) -> np.ndarray:
        """(N,) the worst test's score minus its threshold; above 0 is out of scope. `feats` are the
        whole view's (N, TOTAL_DIM) backbone features."""
        feats = np.asarray(feats, np.float32)
        if not self.tests:
            return np.full(len(feats), -np.inf, np.float32)
        return np.max([t.score(feats) - t.threshold for t in self.tests], axis=0)

    def in_scope(self, feats: np.ndarray) -> np.ndarray:
        return self.outlier_score(feats) <= 0.0


def save_scope(model: ScopeModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {"n": np.array(len(model.tests))}
    for i, t in enumerate(model.tests):
        arrays.update({f"{i}_kind": np.array(t.kind), f"{i}_mean": t.mean.astype(np.float32),
                       f"{i}_scale": t.scale.astype(np.float32), f"{i}_weights": t.weights.astype(np.float16),
                       f"{i}_bias": np.asarray(t.bias, np.float32), f"{i}_threshold": np.float32(t.threshold)})
    np.savez_compressed(path, **arrays)


def load_scope(path: Path) -> ScopeModel:
    try:
        with np.load(path, allow_pickle=False) as data:
            tests = []
            for i in range(int(data["n"])):
                kind = str(data[f"{i}_kind"])
                if kind not in KINDS:
                    raise ValueError(f"unknown kind {kind!r}")
                tests.append(ScopeTest(kind, data[f"{i}_mean"], data[f"{i}_scale"],
                                       data[f"{i}_weights"].astype(np.float32), data[f"{i}_bias"],
                                       float(data[f"{i}_threshold"])))
            return ScopeModel(tests)
    except (OSError, ValueError, KeyError) as err:
        raise ArtdemoError(f"The scope model {path} is damaged ({err}); retrain with "
                           f"`python -m artdemo train {path.parent.name}`.") from err
