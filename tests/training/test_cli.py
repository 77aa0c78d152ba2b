"""`python -m artdemo predict` and `evaluate` as a user runs them: files, folders, a bad file, JSON keys."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from artdemo import config
from artdemo.cli import main as cli
from artdemo.models.cards import load_card
from artdemo.sources.datacache import resolve
from artdemo.tasks import TASKS
from tests.support.data import require_data

pytestmark = pytest.mark.slow


def _need(task: str):
    require_data()
    if not (config.models_dir() / task / "card.json").is_file():
        pytest.skip(f"no trained {task} model")
    return load_card(task, config.models_dir())


def test_predict_writes_one_row_per_image_and_task_and_reports_a_bad_file(tmp_path, capsys):
    card = _need("genre")
    _need("lithograph")
    folder = tmp_path / "in"
    folder.mkdir()
    for ex in card.examples[:2]:
        shutil.copy(resolve(ex.path), folder / resolve(ex.path).name)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    single = tmp_path / "one.jpg"
    shutil.copy(resolve(card.examples[2].path), single)
    out = tmp_path / "out.csv"
    code = cli(["predict", "--task", "all", "--csv", str(out), str(folder), str(single)])
    err = capsys.readouterr().err
    assert code == 1
    assert "broken.jpg" in err
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = reader.fieldnames
    assert header[:5] == ["path", "task", "prediction", "confidence", "route"]
    for task in TASKS:
        assert all(f"p_{c}" in header for c in TASKS[task].classes)
    assert len(rows) == 3 * len(TASKS)
    for row in rows:
        classes = TASKS[row["task"]].classes
        assert row["prediction"] in classes
        assert row["route"] in {"auto", "review", "out_of_scope"}
        total = sum(float(row[f"p_{c}"]) for c in classes)
        assert total == pytest.approx(1.0, abs=2e-3)
        assert float(row["confidence"]) == pytest.approx(max(float(row[f"p_{c}"]) for c in classes), abs=1e-4)


def test_predict_all_good_files_exits_zero(tmp_path):
    card = _need("genre")
    image = tmp_path / "a.jpg"
    shutil.copy(resolve(card.examples[0].path), image)
    out = tmp_path / "out.csv"
    assert cli(["predict", "--task", "genre", "--csv", str(out), str(image)]) == 0
    rows = list(csv.DictReader(out.open(newline="")))
    assert [r["task"] for r in rows] == ["genre"]
    assert "p_landscape" in rows[0] and "p_lithograph" not in rows[0]


def test_evaluate_prints_the_metrics_json(tmp_path, capsys):
    card = _need("genre")
    labels = tmp_path / "labels.csv"
    picked = card.examples[:8]
    with labels.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "label"])
        writer.writerows([[str(resolve(ex.path)), ex.true] for ex in picked])
        writer.writerow([str(tmp_path / "missing.jpg"), "landscape"])
    assert cli(["evaluate", "genre", "--labels", str(labels)]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    for key in ("accuracy", "balanced_accuracy", "macro_f1", "per_class", "confusion_matrix", "ece"):
        assert key in result
    assert result["n"] == len(picked)
    assert result["skipped_unreadable"] == 1
    assert set(result["per_class"]) == set(card.classes)
    assert {"precision", "recall", "f1", "support"} <= set(result["per_class"]["landscape"])
    expected_right = sum(ex.predicted == ex.true for ex in picked)
    assert abs(result["accuracy"] * len(picked) - expected_right) <= 1


def test_unknown_task_and_missing_model_are_clear(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARTDEMO_MODELS", str(tmp_path / "nothing"))
    image = tmp_path / "x.jpg"
    image.write_bytes(b"x")
    assert cli(["predict", "--task", "style", "--csv", str(tmp_path / "o.csv"), str(image)]) == 1
    assert "train" in capsys.readouterr().err


def test_predict_into_a_missing_folder_is_a_message_not_a_traceback(tmp_path, capsys):
    card = _need("genre")
    image = tmp_path / "a.jpg"
    shutil.copy(resolve(card.examples[0].path), image)
    code = cli(["predict", "--task", "genre", "--csv", str(tmp_path / "no" / "such" / "out.csv"), str(image)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Can't write the CSV" in err and "Traceback" not in err


def test_predict_routes_pictures_that_are_no_artwork_out_of_scope_for_style_and_genre(tmp_path, capsys):
    """scikit-image's sample photos (an astronaut, a cat, a cup of coffee, a rocket) are no paintings:
    the style and genre models must not answer them alone."""
    from PIL import Image
    from skimage import data

    _need("style")
    _need("genre")
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("astronaut", "chelsea", "coffee", "rocket"):
        Image.fromarray(getattr(data, name)()).save(folder / f"{name}.png")
    out = tmp_path / "out.csv"
    assert cli(["predict", "--task", "all", "--csv", str(out), str(folder)]) == 0
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    painting_rows = [r for r in rows if r["task"] in ("style", "genre")]
    assert len(painting_rows) == 8
    assert {r["route"] for r in painting_rows} == {"out_of_scope"}, painting_rows
