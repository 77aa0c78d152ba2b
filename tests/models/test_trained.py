"""The committed models: heads load, each card matches its weights, and they classify shared images right.

These use the real backbone and the real data cache (skipped without one, failed without one when CI=true);
nothing is mocked, so a head saved with the wrong features or a card written
for another model fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from artdemo import config
from artdemo.models import predictor
from artdemo.models.cards import load_card
from artdemo.sources.datacache import resolve
from artdemo.models.features import TOTAL_DIM, features_of_images
from artdemo.models.heads import assemble, load_head
from artdemo.imaging.decode import load_image_file
from artdemo.tasks import TASKS
from tests.support.data import require_data

pytestmark = pytest.mark.slow

TRAINED = [t for t in TASKS if (config.models_dir() / t / "card.json").is_file()]


def _confident_examples(card, k: int = 3):
    """Held-out examples the card says the model got right with >= 0.9 probability."""
    picked = []
    for ex in card.examples:
        p = ex.probabilities[card.classes.index(ex.true)]
        if ex.predicted == ex.true and p >= 0.9 and resolve(ex.path).is_file():
            picked.append(ex)
        if len(picked) == k:
            break
    return picked


def test_every_task_has_a_committed_model():
    assert TRAINED == list(TASKS)


@pytest.mark.parametrize("task", TRAINED)
def test_head_matches_its_card(task):
    card = load_card(task, config.models_dir())
    head = load_head(config.models_dir() / task / card.weights_file)
    assert head.classes == card.classes == list(TASKS[task].classes)
    fake = {v: np.zeros((2, TOTAL_DIM), np.float32) for v in head.views}
    d = assemble(fake, head.groups).shape[1]
    assert head.mean.shape == head.scale.shape == (d,)
    if head.hidden_w is not None:
        assert head.hidden_w.shape == (d, head.hidden_b.shape[0])
        assert head.weights.shape == (head.hidden_w.shape[1], len(card.classes))
        assert f"{head.hidden_w.shape[1]} ReLU units" in card.architecture
    else:
        assert head.weights.shape == (d, len(card.classes))
    assert head.bias.shape == (len(card.classes),)
    assert head.temperature == pytest.approx(card.temperature, rel=1e-3)
    size = (config.models_dir() / task / card.weights_file).stat().st_size
    assert size < 2_000_000, f"{task} head is {size} bytes"  # a few MB per model; 30 MB in all (below)
    assert card.metrics.n == len(card.examples) == sum(card.data_counts["test"].values())
    assert np.array(card.metrics.confusion_matrix).sum() == card.metrics.n
    for field in ("scope", "split_rule", "notes", "created_by", "preprocessing", "architecture"):
        assert getattr(card, field), f"{task} card has an empty {field}"
    assert card.seed_baseline.get("accuracy") is not None
    assert card.baseline.get("accuracy") is not None
    assert 0.5 <= card.threshold <= 0.99


@pytest.mark.parametrize("task", TRAINED)
def test_predictions_reproduce_the_cards_held_out_probabilities(task):
    require_data()
    card = load_card(task, config.models_dir())
    examples = card.examples[:: max(1, len(card.examples) // 4)][:4]
    images = [np.asarray(load_image_file(resolve(ex.path))) for ex in examples]
    answers = predictor.predict_images(images, [task])
    for ex, answer in zip(examples, answers):
        # The card was computed from float16-cached features; allow that rounding.
        assert np.allclose(answer[task].probabilities, ex.probabilities, atol=0.03), ex.path
        assert answer[task].predicted == ex.predicted or max(ex.probabilities) < 0.55


@pytest.mark.parametrize("task", TRAINED)
def test_confidently_labelled_shared_images_are_classified_right(task):
    require_data()
    card = load_card(task, config.models_dir())
    examples = _confident_examples(card)
    assert examples, f"the {task} card has no confident correct held-out example"
    for ex in examples:
        answer = predictor.predict_image(np.asarray(load_image_file(resolve(ex.path))))[task]
        assert answer.predicted == ex.true, ex.path
        assert answer.route == predictor.route_for(answer.confidence, card.threshold, answer.in_scope)
        assert answer.in_scope == (answer.scope_score <= 0)
        assert sum(answer.probabilities) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("task", TRAINED)
def test_explain_model_agrees_with_predict_image(task):
    require_data()
    card = load_card(task, config.models_dir())
    examples = _confident_examples(card, k=4)
    images = [np.asarray(load_image_file(resolve(ex.path))) for ex in examples]
    model = predictor.explain_model(task)
    conv_map, probs = model(np.stack([predictor.model_input(im) for im in images]), training=False)
    assert tuple(conv_map.shape) == (len(images), 7, 7, 1280)
    direct = [predictor.predict_image(im, [task])[task].predicted for im in images]
    via_model = [card.classes[int(k)] for k in np.asarray(probs).argmax(axis=1)]
    assert sum(a == b for a, b in zip(direct, via_model)) >= len(images) - 1


def test_one_call_answers_every_task_for_one_image():
    require_data()
    card = load_card(TRAINED[0], config.models_dir())
    rgb = np.asarray(load_image_file(resolve(card.examples[0].path)))
    answers = predictor.predict_image(rgb)
    assert set(answers) == set(TRAINED)
    for task, a in answers.items():
        assert a.classes == list(TASKS[task].classes)
        assert a.predicted == a.classes[int(np.argmax(a.probabilities))]
        assert a.scope


def test_missing_models_say_how_to_train(tmp_path, monkeypatch):
    from artdemo.errors import ArtdemoError

    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path))
    monkeypatch.delenv("ARTDEMO_HF_REPO", raising=False)
    assert predictor.available_tasks() == []
    with pytest.raises(ArtdemoError, match="train"):
        predictor.predict_image(np.zeros((32, 32, 3), np.uint8), ["style"])
    with pytest.raises(ArtdemoError, match="train"):
        predictor.predict_image(np.zeros((32, 32, 3), np.uint8))


def test_a_non_rgb_array_is_a_clear_error():
    from artdemo.errors import ArtdemoError

    with pytest.raises(ArtdemoError, match="RGB"):
        predictor.model_input(np.zeros((10, 10), np.uint8))
    rgb = features_of_images([np.full((50, 80, 3), 128, np.uint8)], ["whole"])["whole"]
    assert rgb.shape == (1, TOTAL_DIM)


def test_feature_cache_stores_what_the_backbone_computes(tmp_path, monkeypatch):
    from artdemo.training import feature_cache
    from artdemo.sources.datacache import list_labelled

    require_data()
    monkeypatch.setenv("ARTDEMO_CACHE", str(tmp_path))
    rows = list_labelled("genre")[:3]
    first = feature_cache.cached_features([r.path for r in rows], ["whole"])["whole"]
    files = list((tmp_path / "features").glob("*-whole.npz"))
    assert len(files) == 1
    again = feature_cache.cached_features([r.path for r in rows][::-1], ["whole"])["whole"]
    assert np.array_equal(again, first[::-1])
    direct = features_of_images([np.asarray(load_image_file(resolve(r.path))) for r in rows], ["whole"])["whole"]
    assert np.allclose(first, direct, rtol=2e-3, atol=2e-2)


def test_shipped_weights_stay_within_the_budget():
    """Issue 13's cost: the weights in models/ (heads and scope models) at most 30 MB in all."""
    files = [p for p in config.models_dir().glob("*/*.npz")]
    assert files, "no model weights in models/"
    assert sum(p.stat().st_size for p in files) <= 30 * 2**20


FRESH_PROCESS = """
import json
import numpy as np
from artdemo.models import predictor
from artdemo.models.blas import blas_threads
from artdemo.models.heads import Head

seen, real = [], Head.probabilities
def recording(self, feats):
    seen.append(blas_threads())
    return real(self, feats)
Head.probabilities = recording
np.ones((64, 64)) @ np.ones((64, 64))  # numpy's BLAS loaded, at its start-up threads
before = blas_threads()
answers = predictor.predict_image(np.random.default_rng(0).integers(0, 256, (240, 200, 3), dtype=np.uint8))
print(json.dumps({"before": before, "seen": seen, "tasks": sorted(answers)}))
"""


def test_the_committed_heads_answer_with_numpys_blas_on_one_thread():
    """Spinning BLAS workers would take a core from the next backbone pass (artdemo.models.blas).

    Run in a fresh process: in this one the limit is already set, and an app test's inference
    service, still alive in the background, may have changed what BLAS can be set to."""
    import json
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, timeout=300,
                         cwd=config.PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(config.PROJECT_ROOT)))
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tasks"] == sorted(TRAINED)
    if (os.cpu_count() or 1) > 1:
        assert result["before"] and min(result["before"]) > 1  # every core until a model loads
    assert result["seen"] and all(threads and set(threads) == {1} for threads in result["seen"])
