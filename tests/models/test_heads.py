"""Views and heads without the backbone: what the head sees, how it learns, what it saves."""

from __future__ import annotations

import numpy as np
import pytest

from artdemo.models import heads
from artdemo.models import views
from artdemo.errors import ArtdemoError
from artdemo.models.features import SLICES, TOTAL_DIM


def test_the_whole_view_is_the_backbone_input_of_the_entire_picture():
    rgb = np.random.default_rng(0).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    assert list(views.VIEWS) == ["whole"]
    x = views.view(rgb, "whole")
    assert x.shape == (224, 224, 3) and x.dtype == np.float32
    assert 0 <= x.min() and x.max() <= 255
    framed = np.zeros((500, 400, 3), np.uint8)  # nothing is cropped: a black border stays in view
    framed[50:450, 40:360] = 255
    assert views.view(framed, "whole").min() == 0
    assert views.view(np.zeros((1, 1, 3), np.uint8), "whole").shape == (224, 224, 3)
    with pytest.raises(ValueError):
        views.view(np.zeros((10, 10), np.uint8), "whole")


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


def test_a_serving_process_runs_numpys_blas_on_one_thread_for_good():
    from threadpoolctl import threadpool_limits

    from artdemo.models.blas import blas_threads, serve_on_one_thread

    assert blas_threads(), "numpy's BLAS is not visible to threadpoolctl: the serving limit would do nothing"
    with threadpool_limits(limits=2, user_api="blas"):  # as a fresh process on two cores
        serve_on_one_thread.cache_clear()
        serve_on_one_thread()
        serve_on_one_thread()  # again: nothing changes, nothing is restored
        assert set(blas_threads()) == {1}
        x, y = _blobs()
        w, b = heads.fit_softmax(x, y, 3, l2=1e-3, steps=20)  # still computes, on one thread
        assert np.isfinite(w).all() and set(blas_threads()) == {1}
    serve_on_one_thread.cache_clear()  # the limit just left with the block: the next model load sets it again
