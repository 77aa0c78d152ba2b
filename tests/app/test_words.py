"""What the app says, said once: the out-of-scope sentence, routes and verdicts, as every front end
shows them (the shared wording, the Gradio summary and JSON, and the Classify page)."""

from __future__ import annotations

import pytest

from artdemo.app import answers, words
from artdemo.models.predictor import Prediction, route_for
from artdemo.sources.records import ArtObject

ISSUE_SENTENCE = "This doesn't look like the paintings this model has learned from; its answer would be a guess"


def answer(task: str, classes: list[str], probabilities: list[float], in_scope: bool,
           threshold: float = 0.6) -> Prediction:
    """A Prediction record routed by the predictor's own rule (artdemo.models.predictor.route_for)."""
    k = max(range(len(classes)), key=probabilities.__getitem__)
    return Prediction(task=task, classes=classes, probabilities=probabilities, predicted=classes[k],
                      confidence=probabilities[k], route=route_for(probabilities[k], threshold, in_scope),
                      threshold=threshold, scope="test scope", scope_score=9.0 if not in_scope else 0.5,
                      in_scope=in_scope)


def test_the_out_of_scope_sentence_names_what_each_model_learned_from():
    assert words.out_of_scope_sentence("style") == ISSUE_SENTENCE
    assert words.out_of_scope_sentence("genre") == ISSUE_SENTENCE
    for task in ("medium", "lithograph"):
        assert words.out_of_scope_sentence(task) == ISSUE_SENTENCE.replace("the paintings", "the works")


def test_every_route_has_its_word_and_only_unsure_answers_a_note():
    assert set(words.ROUTE_WORDS) == {"auto", "review", "out_of_scope"} == set(words.KIOSK_VERDICT)
    assert words.route_note("style", "auto", 0.6) == ""
    assert "asks a curator" in words.route_note("style", "review", 0.6)
    assert words.route_note("style", "out_of_scope", 0.6) == ISSUE_SENTENCE + "."


def test_a_confident_answer_on_a_picture_out_of_scope_is_still_routed_out_of_scope():
    assert answer("style", ["cubism", "pop_art"], [0.05, 0.95], in_scope=False).route == "out_of_scope"
    assert answer("style", ["cubism", "pop_art"], [0.05, 0.95], in_scope=True).route == "auto"


def test_gradio_summary_and_json_say_out_of_scope_with_the_sentence():
    obj = ArtObject(source="upload", object_id="x", title="IMG_1.jpg")
    predictions = {"style": answer("style", ["cubism", "pop_art"], [0.17, 0.83], in_scope=False),
                   "medium": answer("medium", ["drawing", "photograph"], [0.2, 0.8], in_scope=True)}
    summary = answers.summary_markdown(obj, predictions)
    assert "| out_of_scope (outside what it learned) |" in summary
    assert f"**Style:** {ISSUE_SENTENCE}." in summary
    assert "Medium:** This doesn't look like" not in summary  # only the model that finds it out of scope
    as_json = answers.prediction_json(predictions["style"])
    assert as_json["route"] == "out_of_scope" and as_json["in_scope"] is False
    assert as_json["scope_score"] == pytest.approx(9.0)


def test_verdicts_are_the_same_words_everywhere():
    assert words.verdict_word(True) == "✓ right" and words.verdict_word(False) == "✗ wrong"
    assert words.verdict_word(None) == "no museum label to compare"
    assert words.kiosk_verdict("lithograph", "lithograph") == "✓ The museum agrees."
    assert words.kiosk_verdict("not_lithograph", "lithograph") == "✗ The museum says: not lithograph."


def test_a_confidence_reads_over_99_percent_never_100():
    """A calibrated model is never certain; '100%' on screen is rounding, and visitors read it as certainty."""
    assert [words.confidence(p) for p in (0.4849, 0.99, 0.9949, 0.995, 0.9999, 1.0)] == [
        "48%", "99%", "99%", "over 99%", "over 99%", "over 99%"]
    obj = ArtObject(source="upload", object_id="x", title="IMG_1.jpg")
    summary = answers.summary_markdown(obj, {"style": answer("style", ["cubism", "pop_art"], [0.002, 0.998], True)})
    assert "| over 99% |" in summary and "100%" not in summary
