"""The explanation cache and the pictures the app shows: behaviour a visitor would notice
(a map computed twice, an overlay that hides the artwork, a colour map that isn't ordered)."""

from __future__ import annotations

import numpy as np
import pytest

from artdemo.app import explanations
from artdemo.errors import ArtdemoError
from artdemo.models import predictor
from artdemo.explain import views
from artdemo.explain.adapter import keras_adapter
from artdemo.explain.cache import HeatCache
from artdemo.explain.colour import CIVIDIS_LUT, colourise
from tests.support.explain_models import tiny_explain_model


@pytest.fixture
def tiny_predictor(monkeypatch):
    """The app core's explanations with artdemo.models.predictor's explain_model/model_input served
    by a real tiny Keras model (32 px input), with every call through the adapter counted."""
    model = tiny_explain_model(classes=2)
    calls = {"n": 0}
    inner = keras_adapter(model)

    def counting_adapter(x_batch, class_index, expected_keys):
        calls["n"] += 1
        return inner(x_batch, class_index, expected_keys)

    counting_adapter.input_size = inner.input_size

    def model_input(rgb):
        from PIL import Image

        return np.asarray(Image.fromarray(np.asarray(rgb, np.uint8)).resize((32, 32)), np.float32)

    monkeypatch.setattr(predictor, "explain_model", lambda task: model)
    monkeypatch.setattr(predictor, "model_input", model_input)
    monkeypatch.setattr(explanations, "adapter_for", lambda task: counting_adapter)
    monkeypatch.setattr(explanations, "HEAT_CACHE", HeatCache(max_entries=4))
    return calls


def test_explain_computes_each_map_once_and_returns_the_same_object(tiny_predictor):
    rgb = np.random.default_rng(0).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    first = explanations.explain(rgb, "lithograph", "lithograph", "gradcam")
    calls_after_first = tiny_predictor["n"]
    again = explanations.explain(rgb.copy(), "lithograph", "lithograph", "gradcam")
    assert again is first and tiny_predictor["n"] == calls_after_first
    assert first.shape == (32, 32) and first.dtype == np.float32 and not first.flags.writeable
    other = explanations.explain(rgb, "lithograph", "not_lithograph", "gradcam")
    assert other is not first and tiny_predictor["n"] > calls_after_first
    stats = explanations.cache_stats()
    assert (stats.hits, stats.misses) == (1, 2)


def test_explain_rejects_unknown_methods_and_classes_in_plain_words(tiny_predictor):
    rgb = np.zeros((40, 40, 3), np.uint8)
    with pytest.raises(ArtdemoError, match="method"):
        explanations.explain(rgb, "lithograph", "lithograph", "guided_backprop")
    with pytest.raises(ArtdemoError, match="not one of"):
        explanations.explain(rgb, "lithograph", "painting", "gradcam")


def test_the_cache_stays_bounded_and_evicts_the_least_recently_used():
    cache = HeatCache(max_entries=3)
    for key in "abcd":
        cache.get_or_compute(key, lambda: np.zeros(2))
    cache.get_or_compute("b", lambda: pytest.fail("b should still be cached"))
    cache.get_or_compute("e", lambda: np.ones(2))  # evicts c, the least recently used
    recomputed = []
    cache.get_or_compute("c", lambda: recomputed.append(1) or np.zeros(2))
    assert len(cache) == 3 and recomputed == [1]
    assert cache.stats().hits == 1 and cache.stats().misses == 6


def test_overlay_keeps_shape_and_dtype_and_opacity_zero_shows_the_artwork():
    rgb = np.random.default_rng(1).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    heat = np.linspace(0, 1, 7 * 7, dtype=np.float32).reshape(7, 7)  # any size: resized to the picture
    assert np.array_equal(views.overlay(rgb, heat, 0.0), rgb)
    half = views.overlay(rgb, heat, 0.5)
    full = views.overlay(rgb, heat, 1.0)
    assert half.shape == rgb.shape and half.dtype == np.uint8
    assert not np.array_equal(half, rgb)
    assert np.array_equal(full[0, 0], CIVIDIS_LUT[0]) and np.array_equal(full[-1, -1], CIVIDIS_LUT[255])


def test_the_colour_map_gets_lighter_as_the_heat_rises():
    luminance = CIVIDIS_LUT.astype(float) @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(luminance) >= -0.5) and luminance[-1] - luminance[0] > 150
    assert colourise(np.array([np.nan, 2.0])).tolist() == [CIVIDIS_LUT[0].tolist(), CIVIDIS_LUT[255].tolist()]


def test_top_patch_is_cut_where_the_heat_is_and_enlarged():
    rgb = np.zeros((448, 448, 3), np.uint8)
    rgb[300:400, 40:140] = (200, 30, 30)  # a red square, bottom left, in the full-size picture
    heat = np.zeros((224, 224), np.float32)
    heat[150:200, 20:70] = 1.0  # the same place on the 224 view
    patch = views.top_patch(rgb, heat)
    assert patch.shape == (224, 224, 3) and patch.dtype == np.uint8
    assert patch[..., 0].mean() > 150  # mostly the red square
    with pytest.raises(ArtdemoError, match="empty"):  # not the top-left corner of a blank map
        views.top_patch(rgb, np.zeros((224, 224), np.float32))


def test_filter_and_activation_grids_are_pictures_of_the_expected_size():
    weights = np.random.default_rng(2).normal(size=(3, 3, 3, 32))
    grid = views.filter_grid(weights, scale=8)
    assert grid.dtype == np.uint8 and grid.shape == (4 * 24 + 3 * 2, 8 * 24 + 7 * 2, 3)
    acts = views.activation_grid(np.random.default_rng(3).random((112, 112, 32)))
    assert acts.dtype == np.uint8 and acts.shape == (4 * 112 + 3 * 3, 8 * 112 + 7 * 3, 3)


def test_side_by_side_shows_each_method_in_order():
    rgb = np.full((224, 224, 3), 128, np.uint8)
    strip = views.side_by_side(rgb, {"gradcam": np.zeros((7, 7)), "occlusion": np.ones((224, 224))}, 1.0)
    assert strip.shape == (224, 2 * 224 + 8, 3)
    assert np.array_equal(strip[0, 0], CIVIDIS_LUT[0]) and np.array_equal(strip[0, -1], CIVIDIS_LUT[255])


def test_every_view_has_a_caption_that_says_what_it_does_not_show():
    for key in ("gradcam", "integrated_gradients", "occlusion", "top_patch", "filters", "activations"):
        assert len(views.CAPTIONS[key]) > 60
    assert all(word in views.CAPTIONS["gradcam"] for word in ("coarse", "not"))
    assert "not why" in views.print_texture_caption("medium", "intaglio")


def test_the_print_texture_caption_names_the_model_and_answer_on_screen():
    caption = views.print_texture_caption("medium", "intaglio")
    assert "the medium model" in caption and "“intaglio”" in caption
    assert "lithograph" not in caption  # the medium model's view must not be described as the lithograph model's


def test_print_texture_explains_a_full_resolution_piece_where_the_model_is_most_sure(tiny_predictor):
    picture = np.random.default_rng(4).integers(0, 256, (120, 90, 3), dtype=np.uint8)
    view = explanations.print_texture(picture, "lithograph", "lithograph")
    top, left, side = view.box
    assert side == 32 and view.crop.shape == (32, 32, 3)
    assert np.array_equal(view.crop, picture[top:top + side, left:left + side])  # not resampled
    assert view.gradcam.shape == view.occlusion.shape == (32, 32)
    assert 0.0 <= view.probability <= 1.0
    cam_picture, occ_picture = view.overlays(0.5)
    assert cam_picture.shape == occ_picture.shape == (32, 32, 3) and cam_picture.dtype == np.uint8
    assert explanations.print_texture(picture, "lithograph", "lithograph") is view  # cached
