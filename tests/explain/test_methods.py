"""Sanity checks for the explanation methods (Adebayo et al., "Sanity Checks for Saliency
Maps", 2018) on a tiny real Keras model and a synthetic task where only one region of
the picture carries the class signal (tests/explain_models.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from artdemo.explain import METHODS, compute_map
from artdemo.explain.adapter import keras_adapter
from artdemo.explain.integrated_gradients import integrated_gradients_raw
from artdemo.explain.occlusion import occlusion
from tests.support.explain_models import (SIGNAL, mass_in_signal, randomised_head, synthetic_images,
                                  tiny_explain_model, trained_model)

# On 32 px pictures the default occlusion square (56 px, made for 224) would cover everything.
SMALL_OCCLUSION = {"window": 8, "stride": 4}


def explain_small(call_model, x, class_index, method):
    if method == "occlusion":
        return occlusion(call_model, x, class_index, **SMALL_OCCLUSION)
    return compute_map(call_model, x, class_index, method)


@pytest.fixture(scope="module")
def trained():
    model, accuracy = trained_model()
    assert accuracy >= 0.95, f"the tiny model should learn the synthetic task (got {accuracy:.0%})"
    return model


@pytest.fixture(scope="module")
def trained_adapter(trained):
    return keras_adapter(trained)


@pytest.fixture(scope="module")
def random_adapters(trained):
    return [keras_adapter(randomised_head(trained, seed)) for seed in (1, 2, 3, 4)]


@pytest.fixture(scope="module")
def class1_images():
    x, y = synthetic_images(24, seed=3)
    return x[y == 1][:4]


@pytest.mark.parametrize("method", METHODS)
def test_each_method_puts_most_of_its_mass_on_the_region_that_carries_the_class(trained_adapter, class1_images, method):
    adapter = trained_adapter
    area = (SIGNAL[0].stop - SIGNAL[0].start) * (SIGNAL[1].stop - SIGNAL[1].start) / 32**2  # 14%
    masses = [mass_in_signal(explain_small(adapter, x, 1, method)) for x in class1_images]
    # chance is the region's area (14%); every map must put at least 40% of its heat there
    assert min(masses) >= 0.4, f"{method}: mass in the signal region {np.round(masses, 2)} (area {area:.0%})"


@pytest.mark.parametrize("method", METHODS)
def test_each_map_changes_substantially_when_the_head_is_randomised(trained_adapter, random_adapters,
                                                                    class1_images, method):
    """Model-parameter randomisation: a method that ignores the model (an edge detector, say)
    would keep a rank correlation of 1 with itself; ours must fall to a low mean."""
    correlations = []
    for random_adapter in random_adapters:
        for x in class1_images[:2]:
            a = explain_small(trained_adapter, x, 1, method).ravel()
            b = explain_small(random_adapter, x, 1, method).ravel()
            rho = spearmanr(a, b)[0] if a.std() > 0 and b.std() > 0 else 0.0  # blank map: all changed
            correlations.append(float(rho))
    assert np.mean(correlations) < 0.5, f"{method}: rank correlations {np.round(correlations, 2)}"


@pytest.mark.parametrize("method", METHODS)
def test_maps_have_the_images_shape_range_and_no_nans(method):
    adapter = keras_adapter(tiny_explain_model(classes=3))
    rng = np.random.default_rng(0)
    for x in (rng.uniform(0, 255, (32, 32, 3)), np.zeros((32, 32, 3)), np.full((32, 32, 3), 255.0)):
        heat = explain_small(adapter, x.astype(np.float32), 2, method)
        assert heat.shape == (32, 32) and heat.dtype == np.float32
        assert np.isfinite(heat).all() and heat.min() >= 0.0 and heat.max() <= 1.0


def test_integrated_gradients_is_complete_within_a_few_percent(trained_adapter, class1_images):
    """IG's attributions add up to p(image) - p(baseline); too few steps would break that."""
    adapter = trained_adapter
    x = class1_images[0]
    from artdemo.explain.integrated_gradients import blurred_baseline

    p_x, p_base = (float(adapter(v[None], 1, {"output"})["output"][0]) for v in (x, blurred_baseline(x)))
    total = float(integrated_gradients_raw(adapter, x, 1).sum())
    assert abs(total - (p_x - p_base)) <= 0.05 * max(abs(p_x - p_base), 0.05)


def test_asking_about_other_classes_and_batch_sizes_never_retraces_the_model():
    adapter = keras_adapter(tiny_explain_model(classes=3))
    x = np.random.default_rng(1).uniform(0, 255, (32, 32, 3)).astype(np.float32)
    for class_index in (0, 1, 2, 1):
        for method in METHODS:
            explain_small(adapter, x, class_index, method)
    assert all(count <= 1 for count in adapter.trace_counts().values()), adapter.trace_counts()


def test_the_adapter_refuses_wrong_shapes_with_a_clear_message():
    adapter = keras_adapter(tiny_explain_model())
    with pytest.raises(ValueError, match="RGB"):
        adapter(np.zeros((1, 32, 32)), 0, {"output"})
    with pytest.raises(ValueError, match="32x32"):
        adapter(np.zeros((1, 64, 64, 3)), 0, {"output"})
    with pytest.raises(ValueError, match="class index"):
        adapter(np.zeros((1, 32, 32, 3)), 5, {"output"})
    with pytest.raises(ValueError, match="NaN"):
        adapter(np.full((1, 32, 32, 3), np.nan), 0, {"output"})


def test_a_model_so_sure_that_its_probability_rounds_to_one_keeps_its_gradcam(trained):
    """When p rounds to 1.0 in float32 its own gradient p(1 - p) is exactly 0. With class 0's
    logit held constant, the true gradient is p0 * dz1 for any logit scale, so a head scaled
    10x (p == 1.0) must give the same normalised Grad-CAM as the unscaled one."""
    import keras

    kernel, bias = trained.get_layer("head").get_weights()
    adapters = []
    for scale in (1.0, 10.0):  # logit margin ~6, then ~60 (p0 ~ 1e-26: tiny but representable)
        model = keras.models.clone_model(trained)
        model.set_weights(trained.get_weights())
        model.get_layer("head").set_weights([np.stack([np.zeros_like(kernel[:, 1]), kernel[:, 1] * scale], 1),
                                             np.array([0.0, bias[1] * scale], np.float32)])
        adapters.append(keras_adapter(model))
    x, y = synthetic_images(8, seed=5)
    x1 = x[y == 1][0]
    assert float(adapters[1](x1[None], 1, {"output"})["output"][0]) == 1.0  # saturated
    reference, saturated = (compute_map(a, x1, 1, "gradcam") for a in adapters)
    assert reference.max() == pytest.approx(1.0)
    np.testing.assert_allclose(saturated, reference, atol=0.02)
