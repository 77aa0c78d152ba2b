"""What a session remembers: current artwork, picture, predictions, tally."""

import io
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image

from artdemo.app import session
from artdemo.errors import ArtdemoError
from artdemo.sources.records import ArtObject


@dataclass
class FakePrediction:  # the fields the session reads from predictor.Prediction
    predicted: str


def jpeg(colour=(200, 30, 30), size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def artwork(object_id="1", labels=None, data=None) -> ArtObject:
    return ArtObject(source="cache", object_id=object_id, title="A print", labels=labels or {},
                     image_bytes=jpeg() if data is None else data)


def test_set_object_decodes_the_picture_and_forgets_old_predictions():
    state = {}
    session.set_object(state, artwork("1"))
    session.set_predictions(state, {"medium": FakePrediction("painting")})
    rgb = session.set_object(state, artwork("2"))
    assert rgb.shape == (30, 40, 3) and rgb.dtype == np.uint8
    assert session.current_object(state).object_id == "2"
    assert session.current_predictions(state) is None


def test_a_broken_picture_is_a_message_and_keeps_the_previous_artwork():
    state = {}
    session.set_object(state, artwork("1"))
    with pytest.raises(ArtdemoError):
        session.set_object(state, artwork("2", data=b"%PDF-1.4 not an image"))
    with pytest.raises(ArtdemoError, match="no image"):
        session.set_object(state, artwork("3", data=b""))
    assert session.current_object(state).object_id == "1"


def test_tally_counts_right_and_wrong_once_per_artwork():
    state = {}
    session.set_object(state, artwork("1", labels={"medium": "lithograph", "lithograph": "lithograph"}))
    preds = {"medium": FakePrediction("painting"), "lithograph": FakePrediction("lithograph"),
             "style": FakePrediction("baroque")}
    found = session.set_predictions(state, preds)
    session.set_predictions(state, preds)  # a rerun must not count again
    assert session.tally(state) == {"right": 1, "wrong": 1}
    assert found["medium"].correct is False and found["lithograph"].correct is True
    assert found["style"].correct is None and "no museum label" in found["style"].mark()


def test_unlabelled_artworks_leave_the_tally_alone():
    state = {}
    session.set_object(state, artwork("9"))
    session.set_predictions(state, {"medium": FakePrediction("painting")})
    assert session.tally(state) == {"right": 0, "wrong": 0}


def test_default_class_is_the_prediction():
    state = {}
    session.set_object(state, artwork("1"))
    assert session.default_class(state, "medium", ["drawing", "painting"]) == "drawing"
    session.set_predictions(state, {"medium": FakePrediction("painting")})
    assert session.default_class(state, "medium", ["drawing", "painting"]) == "painting"
