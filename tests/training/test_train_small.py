"""`train` end to end on a small subset of the data cache: the head, the scope model and the card it writes,
and the predictor reading them back. (The full models are trained by `python -m artdemo train all`, never in CI.)"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from artdemo import config
from artdemo.sources.datacache import list_labelled
from tests.support.data import require_data

PER_CLASS = {"genre": 14, "style": 6, "medium": 8, "lithograph": 14}


def _small_cache(root: Path) -> Path:
    """A data cache with a few images per class of every task (the same files, linked)."""
    source = config.data_dir()
    (root / "labels").mkdir(parents=True)
    (root / "images").symlink_to(source / "images")
    for task, n in PER_CLASS.items():
        with open(source / "labels" / f"{task}.csv", newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields, rows = reader.fieldnames, list(reader)
        kept, seen = [], {}
        for row in rows:  # rows come grouped by nothing in particular: take the first n of each class
            if seen.get(row["label"], 0) < n:
                seen[row["label"]] = seen.get(row["label"], 0) + 1
                kept.append(row)
        with open(root / "labels" / f"{task}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(kept)
    return root


def small_setup(base: Path) -> tuple[Path, Path, pytest.MonkeyPatch]:
    """A small data cache under `base`, and the settings pointing data, cache and models there
    (undo the returned MonkeyPatch when done)."""
    require_data()
    data = _small_cache(base / "data")
    models = base / "models"
    mp = pytest.MonkeyPatch()
    mp.setenv("ARTDEMO_CACHE", str(base / "cache"))
    mp.setenv("ARTDEMO_MODELS", str(models))
    mp.setenv("ARTDEMO_DATA", str(data))
    return data, models, mp


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    data, models, mp = small_setup(tmp_path_factory.mktemp("train"))
    from artdemo.training.train import train_task

    card = train_task("genre", data_root=data, models_root=models, with_seed_baseline=False, log=lambda m: None)
    yield card, data, models
    mp.undo()


def test_train_writes_head_scope_and_a_card_with_clean_and_photo_figures(trained):
    card, data, models = trained
    folder = models / "genre"
    assert (folder / "head.npz").is_file() and (folder / "scope.npz").is_file()
    raw = json.loads((folder / "card.json").read_text())
    assert raw["metrics"]["n"] == len(card.examples) > 0
    assert raw["photo_metrics"]["n"] == len(card.photo_examples) == len(card.examples)
    assert {e["look"] for e in raw["photo_examples"]} == {"photo"}
    assert [e["path"] for e in raw["photo_examples"]] == [e["path"] for e in raw["examples"]]
    scope = raw["scope_check"]
    assert "principal components" in scope["method"] and "logistic regression" in scope["method"]  # genre has both tests
    assert 0.0 <= scope["flagged_test_clean"] <= 1.0 and "rejected_out_of_scope_test" in scope
    assert "artwork is found" in raw["preprocessing"] and "gallery photo" in raw["photos"]
    held_out = {r.path for r in list_labelled("genre", data)}
    assert {e.path for e in card.examples} <= held_out


def test_the_predictor_reads_what_train_wrote_and_routes_by_scope(trained, monkeypatch):
    card, data, models = trained
    monkeypatch.setenv("ARTDEMO_MODELS", str(models))
    from artdemo.imaging.decode import load_image_file
    from artdemo.models import predictor

    example = card.examples[0]
    rgb = np.asarray(load_image_file(data / example.path))
    result = predictor.classify(rgb, ["genre"])
    answer = result.predictions["genre"]
    assert answer.classes == card.classes
    assert np.allclose(answer.probabilities, example.probabilities, atol=2e-3)  # the card holds these very answers
    assert answer.route in {"auto", "review", "out_of_scope"}
    assert answer.in_scope == (answer.route != "out_of_scope")
    scope = predictor.scope_model("genre")
    assert scope is not None and [t.kind for t in scope.tests] == ["residual", "contrast"]
    assert answer.scope_score == pytest.approx(float(scope.outlier_score(
        predictor.features.features_of_images([result.found.crop], ["whole"])["whole"])[0]), abs=1e-3)


def test_train_all_tunes_the_trunk_for_the_epochs_asked_then_decides_and_writes_every_card(tmp_path):
    """The command that makes the shipped models, end to end on a few pictures per class."""
    data, models, mp = small_setup(tmp_path)
    try:
        from artdemo.tasks import TASKS
        from artdemo.training import train

        assert train.main(["all", "--no-seed-baseline", "--trunk-epochs", "2"]) == 0
        history = json.loads((tmp_path / "cache" / "trunk-candidate" / "history.json").read_text())
        assert [e["epoch"] for e in history["epochs"]] == [1, 2] and history["kept_epoch"] in (1, 2)
        notes = [json.loads((models / task / "card.json").read_text())["notes"] for task in TASKS]
        assert all("Fine-tuned trunk: validation gain on this task" in n for n in notes)
        shipped = {"(shipped)" in n for n in notes}
        assert len(shipped) == 1  # one decision for all four tasks
        assert (models / "trunk" / "trunk.npz").is_file() == shipped.pop()
        cards = {task: json.loads((models / task / "card.json").read_text()) for task in TASKS}
        for task in ("medium", "lithograph"):  # the rows they borrow, and what that did (borrowed_rows)
            assert "Borrowed training rows" in cards[task]["notes"]
            assert train.UNBORROWED_STEP in [row["step"] for row in cards[task]["ablation"]]
            louvre = cards[task]["other_sources"]["louvre_held_out"]
            assert louvre["pictures"] > 0 and set(louvre) >= {"shipped", "without_borrowed_rows"}
            assert all(0.0 <= louvre["shipped"][look] <= 1.0 for look in ("clean", "photo"))
        assert cards["style"]["other_sources"] == {} and "Borrowed" not in cards["style"]["notes"]
    finally:
        mp.undo()


def test_trunk_epochs_default_to_the_recipe_and_must_be_positive():
    from artdemo.training import finetune, train

    assert train.arguments().parse_args(["all"]).trunk_epochs == finetune.EPOCHS
    assert train.arguments().parse_args(["all", "--trunk-epochs", "8"]).trunk_epochs == 8
    with pytest.raises(SystemExit):
        train.arguments().parse_args(["all", "--trunk-epochs", "0"])
