"""The fine-tuned trunk on a small subset: cached activations, one epoch, the weights the backbone then
uses, the ablation rows in the card, and the predictor agreeing with what training measured."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artdemo.errors import ArtdemoError
from tests.training.test_train_small import small_setup


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    base = tmp_path_factory.mktemp("tune")
    data, models, mp = small_setup(base)
    from artdemo.models import backbone
    from artdemo.training import finetune
    from artdemo.training.train import train_task

    before = backbone.weights_fingerprint()
    history = finetune.train_trunk(models / backbone.TRUNK_FOLDER, data_root=data, epochs=2, log=lambda m: None)
    card = train_task("genre", data_root=data, models_root=models, with_seed_baseline=False, log=lambda m: None)
    frozen_models = base / "frozen-models"  # the same trunk as a candidate beside a frozen, shipped backbone
    mp.setenv("ARTDEMO_MODELS", str(frozen_models))
    candidate = models / backbone.TRUNK_FOLDER / backbone.TRUNK_FILE
    frozen_card = train_task("genre", data_root=data, models_root=frozen_models, with_seed_baseline=False,
                             log=lambda m: None, candidate=candidate)
    mp.setenv("ARTDEMO_MODELS", str(models))
    yield {"data": data, "models": models, "history": history, "card": card, "before": before,
           "frozen_card": frozen_card}
    mp.undo()


def test_the_trunk_is_saved_with_its_history_and_the_backbone_uses_it(tuned):
    from artdemo.models import backbone

    folder = tuned["models"] / backbone.TRUNK_FOLDER
    assert backbone.trunk_file() == folder / backbone.TRUNK_FILE
    history = json.loads((folder / "history.json").read_text())
    assert [e["epoch"] for e in history["epochs"]] == [1, 2] and history["kept_epoch"] in (1, 2)
    for figure in ("val_accuracy", "val_photo_accuracy"):  # the kept epoch is chosen on both looks
        assert set(history["epochs"][0][figure]) == {"style", "medium", "genre", "lithograph"}
    best = max(history["epochs"], key=lambda e: np.nanmean(list(e["val_accuracy"].values())
                                                           + list(e["val_photo_accuracy"].values())))
    assert history["kept_epoch"] == best["epoch"]
    assert backbone.weights_fingerprint() != tuned["before"]  # the feature cache key moves with the trunk
    assert backbone.weights_fingerprint().startswith(backbone.imagenet_fingerprint() + "+")
    tuned_w = backbone.get_backbone().get_layer("block14_project").get_weights()[0]
    imagenet_w = backbone.build_lite0(weights=True).get_layer("block14_project").get_weights()[0]
    with np.load(folder / backbone.TRUNK_FILE) as saved:
        assert np.array_equal(tuned_w, saved["block14_project/0"].astype(np.float32))
    assert not np.allclose(tuned_w, imagenet_w)  # it was trained, not copied
    lower_w = backbone.get_backbone().get_layer("block10_project").get_weights()[0]
    assert np.array_equal(lower_w, backbone.build_lite0(weights=True).get_layer("block10_project").get_weights()[0])


def test_features_from_cached_activations_match_a_full_backbone_pass(tuned):
    from artdemo.imaging.decode import load_image_file
    from artdemo.models import features, views
    from artdemo.training import feature_cache, looks

    paths = [e.path for e in tuned["card"].examples[:6]]
    cached = feature_cache.cached_features(paths, ["whole"], tuned["data"], look="clean")["whole"]
    inputs = np.stack([views.view(looks.picture_for(np.asarray(load_image_file(tuned["data"] / p)), p, "clean"),
                                  "whole") for p in paths])
    full = features.features_of_inputs(inputs)
    assert np.abs(cached - full).max() < 0.05 * np.abs(full).max()  # float16 activations, nothing more
    imagenet = feature_cache.trunk_features(paths, None, tuned["data"], look="clean")
    assert np.allclose(imagenet[:, features.LOWER], full[:, features.LOWER], atol=0.02)  # lower blocks: never tuned
    assert not np.allclose(imagenet[:, :1280], full[:, :1280], atol=0.05)  # the tuned head differs


def test_the_card_records_the_ablation_from_frozen_features_to_the_tuned_trunk(tuned):
    card = tuned["card"]
    steps = [row["step"] for row in card.ablation]
    assert steps[0].startswith("seed 000") and "logistic regression" in steps[1]
    assert "frozen ImageNet features" in steps[2] and steps[2].endswith("(not shipped)")
    assert "fine-tuned trunk" in steps[3] and steps[3].endswith("(shipped)")
    shipped = card.ablation[-1]
    assert shipped["test"] == pytest.approx(card.metrics.accuracy, abs=1e-4)
    assert shipped["test_photo"] == pytest.approx(card.photo_metrics.accuracy, abs=1e-4)
    assert all(0.0 <= row["val"] <= 1.0 for row in card.ablation[1:])
    assert all(0.0 <= row["val_photo"] <= 1.0 for row in card.ablation[2:])
    assert "fine-tuned on all four tasks" in card.architecture


def test_a_candidate_trunk_is_measured_beside_the_frozen_backbone_it_did_not_replace(tuned):
    from artdemo.training.train import FROZEN, FROZEN_STEP, TUNED, TUNED_STEP

    shipped, frozen = tuned["card"], tuned["frozen_card"]
    steps = [row["step"] for row in frozen.ablation]
    assert steps[2] == FROZEN_STEP + " (shipped)" and steps[3] == TUNED_STEP + " (not shipped)"
    assert frozen.ablation[2]["test"] == pytest.approx(frozen.metrics.accuracy, abs=1e-4)
    assert "frozen" in frozen.architecture
    # the same two backbones, measured from either side, score the same on validation
    assert frozen.ablation[3]["val"] == pytest.approx(shipped.ablation[3]["val"], abs=0.02)
    assert frozen.ablation[2]["val"] == pytest.approx(shipped.ablation[2]["val"], abs=0.02)
    # the choice counts clean and photographed validation pictures alike, from the very heads the card measures
    choice = _choice(tuned)
    gains = [frozen.ablation[3][s] - frozen.ablation[2][s] for s in ("val", "val_photo")]
    assert [choice.per_task["genre"][s] for s in ("val", "val_photo")] == pytest.approx(gains, abs=1e-3)
    assert choice.gain == pytest.approx(sum(gains) / 2, abs=1e-3) and choice.ship == (choice.gain > 0)
    assert set(choice.prefit["genre"]) == {FROZEN, TUNED}


def test_training_a_card_uses_the_heads_the_trunk_choice_fitted_instead_of_fitting_again(tuned, tmp_path):
    import dataclasses

    from artdemo.models.heads import load_head
    from artdemo.training.train import FROZEN, TUNED, WEIGHTS_FILE, train_task

    card = tuned["card"]  # trained with the tuned trunk shipped (ARTDEMO_MODELS holds it)
    marked = {role: (dataclasses.replace(head, bias=head.bias + 7.0), grid)  # a mark a refit would not have
              for role, (head, grid) in _choice(tuned).prefit["genre"].items()}
    again = train_task("genre", data_root=tuned["data"], models_root=tmp_path, with_seed_baseline=False,
                       log=lambda m: None, prefit=marked)
    saved = load_head(tmp_path / "genre" / WEIGHTS_FILE)
    assert np.allclose(saved.bias, marked[TUNED][0].bias)
    assert np.allclose(saved.weights, marked[TUNED][0].weights)
    assert again.metrics.accuracy == pytest.approx(card.metrics.accuracy, abs=1e-4)  # one shift of every logit
    assert set(marked) == {FROZEN, TUNED}  # changes no answer


def _choice(tuned):
    from artdemo.training.train import trunk_choice

    return trunk_choice(["genre"], tuned["models"] / "trunk" / "trunk.npz", tuned["data"], log=lambda m: None)


def test_the_predictor_gives_the_answers_the_card_measured_through_the_tuned_trunk(tuned, monkeypatch):
    monkeypatch.setenv("ARTDEMO_MODELS", str(tuned["models"]))
    from artdemo.imaging.decode import load_image_file
    from artdemo.models import predictor

    for example in tuned["card"].examples[:4]:
        rgb = np.asarray(load_image_file(tuned["data"] / example.path))
        answer = predictor.classify(rgb, ["genre"]).predictions["genre"]
        assert np.allclose(answer.probabilities, example.probabilities, atol=2e-2)


def test_a_damaged_trunk_file_says_how_to_retrain(tmp_path):
    from artdemo.models import backbone

    bad = tmp_path / "trunk.npz"
    bad.write_bytes(b"not a numpy file")
    with pytest.raises(ArtdemoError, match="train all"):
        backbone.apply_trunk(backbone.build_lite0(weights=False), bad)
