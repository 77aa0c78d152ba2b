"""Views and heads without the backbone: what the head sees, how it learns, what it saves."""

from __future__ import annotations

import numpy as np
import pytest

from artdemo.models import heads
from artdemo.models import views
from artdemo.errors import ArtdemoError
from artdemo.models.features import SLICES, TOTAL_DIM


def test_views_are_backbone_inputs():
    rgb = np.random.default_rng(0).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    for name in views.VIEWS:
        x = views.view(rgb, name)
        assert x.shape == (224, 224, 3) and x.dtype == np.float32
        assert 0 <= x.min() and x.max() <= 255
    assert np.array_equal(views.view(rgb, "flip"), views.view(rgb, "whole")[:, ::-1])
    patch = views.view(rgb, "patch_c")
    assert np.allclose(patch[..., 0], patch[..., 1]) and np.allclose(patch[..., 1], patch[..., 2])
    assert views.view(np.zeros((1, 1, 3), np.uint8), "patch_c").shape == (224, 224, 3)


def test_frame_crop_removes_a_frame():
    framed = np.zeros((500, 400, 3), np.uint8)  # a black frame 10% wide around a white print
    framed[50:450, 40:360] = 255
    assert views.view(framed, "whole").min() == 0
    assert views.view(framed, "inner").min() > 250
    assert views.view(framed, "patch_c").min() > 250


def test_patch_keeps_fine_marks_the_whole_view_blurs():
    # 2-pixel stripes on a 1000 px print: gone when squashed to 224, kept in the patch.
    stripes = np.zeros((1000, 1000, 3), np.uint8)
    stripes[:, (np.arange(1000) // 2) % 2 == 0] = 255
    assert views.view(stripes, "whole").std() < 40
    assert views.view(stripes, "patch_c").std() > 60


def _blobs(n=300, d=20, c=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, (c, d))
    y = rng.integers(0, c, n)
    return (centres[y] + rng.normal(0, 1, (n, d))).astype(np.float32), y


def test_softmax_head_learns_separable_classes():
    x, y = _blobs()
    w, b = heads.fit_softmax(x, y, 3, l2=1e-3)
    assert np.mean((x @ w + b).argmax(1) == y) > 0.95


def test_mlp_head_learns_separable_classes():
    x, y = _blobs()
    w1, b1, w2, b2 = heads.fit_mlp(x, y, 3, hidden=16, l2=1e-4, epochs=20, dropout=0.1)
    assert np.mean((np.maximum(x @ w1 + b1, 0) @ w2 + b2).argmax(1) == y) > 0.95


def test_class_weights_make_classes_weigh_the_same():
    y = np.array([0] * 90 + [1] * 10)
    w = heads.class_weights(y, 2)
    assert w[y == 0].sum() == pytest.approx(w[y == 1].sum())
    assert w.mean() == pytest.approx(1.0)


def _head(hidden: bool) -> heads.Head:
    rng = np.random.default_rng(1)
    groups = [heads.Group(["whole"], ["pooled", "texture"]), heads.Group(["patch_c"], ["head_std"])]
    d = 2 * 1280 + (SLICES["texture"].stop - SLICES["texture"].start)
    h = 8 if hidden else d
    return heads.Head(["a", "b", "c"], groups, rng.normal(size=d).astype(np.float32),
                      rng.uniform(0.5, 2, d).astype(np.float32), rng.normal(size=(h, 3)).astype(np.float32),
                      rng.normal(size=3).astype(np.float32), 1.7, {"l2": 0.1},
                      rng.normal(size=(d, 8)).astype(np.float16) if hidden else None,
                      rng.normal(size=8).astype(np.float32) if hidden else None)


@pytest.mark.parametrize("hidden", [False, True])
def test_head_round_trips_through_its_file(tmp_path, hidden):
    head = _head(hidden)
    feats = {v: np.random.default_rng(2).normal(size=(4, TOTAL_DIM)).astype(np.float32) for v in ("whole", "patch_c")}
    heads.save_head(head, tmp_path / "head.npz")
    loaded = heads.load_head(tmp_path / "head.npz")
    assert loaded.classes == head.classes and loaded.views == ["patch_c", "whole"]
    assert loaded.temperature == pytest.approx(1.7)
    assert np.allclose(loaded.probabilities(feats), head.probabilities(feats), atol=1e-5)
    assert np.allclose(loaded.probabilities(feats).sum(1), 1.0)


def test_damaged_head_file_is_a_clear_error(tmp_path):
    path = tmp_path / "style" / "head.npz"
    path.parent.mkdir()
    path.write_bytes(b"not a head")
    with pytest.raises(ArtdemoError, match="train style"):
        heads.load_head(path)
