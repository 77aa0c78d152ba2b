"""Explanations on the real EfficientNet-Lite0 with its real ImageNet head (slow: loads the
weights and traces the full network). The ImageNet head is a trained head we always have,
so the sanity checks run even before any task model is trained."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy.stats import spearmanr

pytestmark = pytest.mark.slow

ESPRESSO = 967  # ImageNet class of scikit-image's coffee() picture


@pytest.fixture(scope="module")
def imagenet_models():
    import keras

    from artdemo.models.backbone import build_lite0

    full = build_lite0(weights=True, include_classifier=True)
    trained = keras.Model(full.input, [full.outputs[0], full.outputs[2]])
    randomised = []
    for seed in (0, 1, 2):  # one random head can agree with the real one by chance; three rarely do
        clone = keras.models.clone_model(trained)
        clone.set_weights(trained.get_weights())
        head = clone.get_layer("imagenet")
        kernel, bias = head.get_weights()
        rng = np.random.default_rng(seed)
        limit = np.sqrt(6 / sum(kernel.shape))  # Glorot uniform, Keras's default initialiser
        head.set_weights([rng.uniform(-limit, limit, kernel.shape).astype(np.float32), np.zeros_like(bias)])
        randomised.append(clone)
    return trained, randomised


@pytest.fixture(scope="module")
def coffee():
    skimage_data = pytest.importorskip("skimage.data")
    return np.asarray(Image.fromarray(skimage_data.coffee()).resize((224, 224), Image.BILINEAR), np.float32)


def test_real_gradcam_is_a_clean_map_and_changes_when_the_imagenet_head_is_randomised(imagenet_models, coffee):
    from artdemo.explain import compute_map
    from artdemo.explain.adapter import keras_adapter

    trained = keras_adapter(imagenet_models[0])
    randomised = [keras_adapter(m) for m in imagenet_models[1]]
    assert float(trained(coffee[None], ESPRESSO, {"output"})["output"][0]) > 0.5  # it is the real network
    for method in ("gradcam", "occlusion"):
        heat = compute_map(trained, coffee, ESPRESSO, method)
        assert heat.shape == (224, 224) and np.isfinite(heat).all() and heat.max() == pytest.approx(1.0)
        rhos = []
        for random_adapter in randomised:
            other = compute_map(random_adapter, coffee, ESPRESSO, method)
            rhos.append(spearmanr(heat.ravel(), other.ravel())[0] if other.std() > 0 else 0.0)
        assert np.mean(rhos) < 0.5, f"{method}: rank correlations {np.round(rhos, 2)} with random heads"
    assert max(trained.trace_counts().values()) <= 1


def test_first_layer_views_are_pictures_of_the_real_filters():
    from artdemo.app import explanations

    filters = explanations.first_layer_filters()
    assert filters.dtype == np.uint8 and filters.shape == (4 * 48 + 3 * 5, 8 * 48 + 7 * 5, 3)
    assert filters.std() > 10  # real weights, not a blank grid
    picture = np.random.default_rng(0).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    acts = explanations.first_layer_activations(picture)
    assert acts.dtype == np.uint8 and acts.shape == (4 * 112 + 3 * 3, 8 * 112 + 7 * 3, 3)
    assert explanations.first_layer_activations(picture.copy()) is acts  # a page rerun: drawn once per picture
    assert explanations.first_layer_activations(255 - picture) is not acts


def test_explain_on_a_trained_task_model_returns_a_cached_224_map():
    """Through the app core, as the app explains what the models saw (the picture itself here)."""
    from artdemo.app.explanations import adapter_for, class_index, explain, model_x
    from artdemo.imaging.decode import load_image_file
    from artdemo.models import predictor
    from artdemo.sources import datacache

    tasks = predictor.available_tasks()
    if not tasks:
        pytest.skip("no trained task model yet (python -m artdemo train all)")
    task = tasks[0]
    row = datacache.list_labelled(task)[0]
    rgb = np.asarray(load_image_file(datacache.resolve(row.path)))
    prediction = predictor.predict_image(rgb, [task], find_artwork=False)[task]
    x = model_x(rgb)
    index = class_index(task, prediction.predicted)
    explained = float(adapter_for(task)(x[None], index, {"output"})["output"][0])
    assert explained == pytest.approx(prediction.confidence, abs=1e-3)  # the map explains the shown answer
    for method in ("gradcam", "occlusion", "integrated_gradients"):
        heat = explain(rgb, task, prediction.predicted, method)
        assert heat.shape == (224, 224) and heat.dtype == np.float32 and np.isfinite(heat).all()
        if method != "occlusion":  # gradient maps of the shown answer are never blank (NaN -> 0 once was)
            assert heat.max() == pytest.approx(1.0), method
        assert explain(rgb, task, prediction.predicted, method) is heat


def test_a_head_is_explained_through_a_rebuilt_graph_with_finite_gradients_and_the_same_answer(coffee):
    """The rebuilt graph (artdemo.explain.finite_graph) gives the explain model's probability and
    the same Grad-CAM, with finite gradients where the explain model's channel spreads give NaN;
    and the probability it explains is the predictor's own (numpy head on artdemo.models.features)."""
    from artdemo.explain import compute_map
    from artdemo.explain.adapter import keras_adapter
    from artdemo.explain.finite_graph import finite_graph
    from artdemo.models.explain_graph import build_explain_model
    from artdemo.models.features import SLICES, features_of_images
    from artdemo.models.heads import Group, Head
    from artdemo.models.views import model_input

    groups = [Group(["whole"], ["pooled", "head_std"])]
    dim = 2 * 1280
    assert all(SLICES[p].stop - SLICES[p].start == 1280 for p in ("pooled", "head_std"))
    rng = np.random.default_rng(0)
    head = Head(["a", "b", "c"], groups, np.zeros(dim, np.float32), np.ones(dim, np.float32),
                rng.normal(0, 0.02, (dim, 3)).astype(np.float32), np.zeros(3, np.float32))
    model = build_explain_model(head)
    rebuilt = finite_graph(model)
    assert rebuilt is not model and finite_graph(model) is rebuilt  # rebuilt once per model
    full, fast = keras_adapter(model), keras_adapter(rebuilt)
    p_full, p_fast = (float(a(coffee[None], 1, {"output"})["output"][0]) for a in (full, fast))
    assert p_fast == pytest.approx(p_full, rel=1e-4)
    fast_map = compute_map(fast, coffee, 1, "gradcam")
    assert fast_map.max() == pytest.approx(1.0)  # never blank: the rebuilt graph keeps gradients finite
    assert np.isfinite(fast(coffee[None], 1, {"gradients"})["gradients"]).all()
    full_grads = full(coffee[None], 1, {"conv_gradients"})["conv_gradients"]
    if np.isfinite(full_grads).all():  # the explain model's std of a dead channel gives NaN gradients
        np.testing.assert_allclose(fast_map, compute_map(full, coffee, 1, "gradcam"), atol=1e-3)

    from skimage import data as skimage_data

    original = skimage_data.coffee()
    direct = float(head.probabilities(features_of_images([original], head.views))[0, 1])
    x = np.asarray(model_input(original), np.float32)
    assert float(fast(x[None], 1, {"output"})["output"][0]) == pytest.approx(direct, abs=1e-4)
