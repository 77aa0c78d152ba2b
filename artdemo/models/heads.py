"""Task heads: a linear softmax layer on standardised backbone features, in numpy.

A head is small (a few hundred KB as float32), trains in seconds on cached
features, and is saved as one .npz holding its feature recipe, so the
predictor rebuilds exactly the inputs it was trained on.

The recipe is a list of groups; each group averages the features of some views
(e.g. `whole` + `flip`) and keeps some parts (`pooled`, `head_std`, `texture`);
the groups are concatenated. Inputs are standardised with the training mean and
spread, then `logits = x @ W + b`; calibrated probabilities are
softmax(logits / temperature).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artdemo.models import calibration
from artdemo.errors import ArtdemoError
from artdemo.models.features import SLICES


@dataclass
class Group:
    views: list[str]
    parts: list[str]


@dataclass
class Head:
    classes: list[str]
    groups: list[Group]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (D, C)
    bias: np.ndarray  # (C,)
    temperature: float = 1.0
    info: dict = field(default_factory=dict)
    hidden_w: np.ndarray | None = None  # optional hidden layer (D, H) with ReLU; weights then (H, C)
    hidden_b: np.ndarray | None = None

    @property
    def views(self) -> list[str]:
        return sorted({v for g in self.groups for v in g.views})

    def logits(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        z = (assemble(feats, self.groups) - self.mean) / self.scale
        if self.hidden_w is not None:
            z = np.maximum(z @ self.hidden_w.astype(np.float32, copy=False) + self.hidden_b, 0.0)
        return z @ self.weights + self.bias

    def probabilities(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        return calibration.softmax(self.logits(feats), self.temperature)


def assemble(feats: dict[str, np.ndarray], groups: list[Group]) -> np.ndarray:
    """The head's input matrix from per-view features {view: (N, TOTAL_DIM)}."""
    cols = []
    for g in groups:
        avg = np.mean([feats[v] for v in g.views], axis=0)
        cols += [avg[:, SLICES[p]] for p in g.parts]
    return np.concatenate(cols, axis=1).astype(np.float32)


def standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3
    return mean.astype(np.float32), scale.astype(np.float32)


def class_balance(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-class weights making every class weigh the same in the loss (mean 1 over the samples)."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    return np.where(counts > 0, len(y) / (n_classes * np.maximum(counts, 1)), 0.0)


def class_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-sample weights making every class weigh the same in the loss (mean 1)."""
    return class_balance(y, n_classes)[y]


def fit_softmax(x: np.ndarray, y: np.ndarray, n_classes: int, l2: float, sample_weight: np.ndarray | None = None,
                steps: int = 300, lr: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression by full-batch Adam (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    w = rng.normal(0, 0.01, (d, n_classes)).astype(np.float32)
    b = np.zeros(n_classes, np.float32)
    sw = (np.ones(n) if sample_weight is None else sample_weight).astype(np.float32)
    sw = sw / sw.sum()
    onehot = np.eye(n_classes, dtype=np.float32)[y]
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    for t in range(1, steps + 1):
        rate = lr * 0.5 * (1 + np.cos(np.pi * (t - 1) / steps))  # cosine decay: settles instead of jittering
        p = calibration.softmax(x @ w + b).astype(np.float32)
        g = (p - onehot) * sw[:, None]
        grads = [x.T @ g + l2 * w, g.sum(axis=0)]
        for k, (param, grad) in enumerate(zip((w, b), grads)):
            m[k] = 0.9 * m[k] + 0.1 * grad
            v[k] = 0.999 * v[k] + 0.001 * grad * grad
            step = rate * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
            param -= step.astype(np.float32)
    return w, b


def fit_mlp(x: np.ndarray, y: np.ndarray, n_classes: int, hidden: int, l2: float,
            sample_weight: np.ndarray | None = None, epochs: int = 40, batch: int = 128,
            lr: float = 1e-3, dropout: float = 0.5, seed: int = 0):
    """One hidden ReLU layer with input dropout, minibatch Adam; returns (w1, b1, w2, b2)."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    params = [rng.normal(0, np.sqrt(2.0 / d), (d, hidden)).astype(np.float32), np.zeros(hidden, np.float32),
              rng.normal(0, np.sqrt(1.0 / hidden), (hidden, n_classes)).astype(np.float32),
              np.zeros(n_classes, np.float32)]
    sw = (np.ones(n) if sample_weight is None else sample_weight).astype(np.float32)
    onehot = np.eye(n_classes, dtype=np.float32)[y]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            xb = x[idx] * (rng.random((len(idx), d)) >= dropout) / (1 - dropout)
            h_pre = xb @ params[0] + params[1]
            h = np.maximum(h_pre, 0)
            p = calibration.softmax(h @ params[2] + params[3]).astype(np.float32)
            g = (p - onehot[idx]) * (sw[idx] / sw[idx].sum())[:, None]
            gh = (g @ params[2].T) * (h_pre > 0)
            grads = [xb.T @ gh + l2 * params[0], gh.sum(0), h.T @ g + l2 * params[2], g.sum(0)]
            t += 1
            for k, grad in enumerate(grads):
                m[k] = 0.9 * m[k] + 0.1 * grad
                v[k] = 0.999 * v[k] + 0.001 * grad * grad
                params[k] -= (lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)).astype(np.float32)
    return params


def save_head(head: Head, path: Path) -> None:
    meta = {"classes": head.classes, "groups": [g.__dict__ for g in head.groups],
            "temperature": head.temperature, "info": head.info}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta)), mean=head.mean, scale=head.scale,
                            weights=head.weights.astype(np.float32), bias=head.bias.astype(np.float32),
                            **({} if head.hidden_w is None else
                               {"hidden_w": head.hidden_w.astype(np.float16), "hidden_b": head.hidden_b.astype(np.float32)}))


def load_head(path: Path) -> Head:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return Head(classes=list(meta["classes"]), groups=[Group(**g) for g in meta["groups"]],
                        mean=data["mean"], scale=data["scale"], weights=data["weights"], bias=data["bias"],
                        temperature=float(meta["temperature"]), info=meta.get("info", {}),
                        # float32 once here (stored as float16), not on every prediction
                        hidden_w=data["hidden_w"].astype(np.float32) if "hidden_w" in data else None,
                        hidden_b=data["hidden_b"] if "hidden_b" in data else None)
    except (OSError, ValueError, KeyError) as err:
        raise ArtdemoError(f"The model weights {path} are missing or damaged ({err}); retrain with "
                           f"`python -m artdemo train {path.parent.name}`.") from err
