"""The Lite2 trial on a small subset: real Lite2 features, cached; the same probe on each backbone's
features; the figures written where `report` finds them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artdemo.training.lite2_trial import probe
from artdemo.training.taskdata import TaskData
from tests.training.test_train_small import small_setup


def test_the_probe_learns_what_the_features_hold_and_nothing_more():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 40)
    split = np.array((["train"] * 24 + ["val"] * 8 + ["test"] * 8) * 3)
    rows = [None] * len(y)
    td = TaskData("style", ["a", "b", "c"], rows, y, split)
    informative = rng.normal(size=(len(y), 6)) + 3 * np.eye(3)[y].repeat(2, axis=1)
    noise = rng.normal(size=(len(y), 6))
    good, bad = probe(td, informative), probe(td, noise)
    assert good["metric"] == "accuracy" and good["val"] > 0.9 and good["test"] > 0.9
    assert bad["test"] < 0.7  # chance is 1/3: the probe does not invent signal


@pytest.fixture(scope="module")
def small_trial(tmp_path_factory):
    base = tmp_path_factory.mktemp("lite2")
    data, models, mp = small_setup(base)
    from artdemo.training import lite2_trial

    result = lite2_trial.trial(["genre"], data_root=data, log=lambda m: None)
    yield result, data, models, base
    mp.undo()


def test_it_compares_both_backbones_with_the_same_probe_and_measures_lite2s_cost(small_trial):
    result, *_ = small_trial
    rows = result["tasks"]["genre"]
    assert [r["features"].split(" at ")[0].split(":")[0] for r in rows[:2]] == ["Lite0", "Lite2"]
    assert len(rows) == 4 and all(0.0 <= r[k] <= 1.0 for r in rows for k in ("val", "test", "test_macro_f1"))
    assert result["lite2_cost"]["ms_per_picture_batch_1"] > 0 and result["lite2_cost"]["ms_per_picture_batch_32"] > 0


def test_lite2_features_are_cached_and_are_those_of_the_picture(small_trial):
    from artdemo.sources.datacache import list_labelled
    from artdemo.training import lite2_trial

    _, data, _, base = small_trial
    paths = [r.path for r in list_labelled("genre", data)][:3]
    assert lite2_trial._cache_path().is_file() and str(lite2_trial._cache_path()).startswith(str(base))
    first = lite2_trial.lite2_features(paths, data)
    assert first.shape == (3, 2560) and np.isfinite(first).all() and first[:, :1280].min() >= 0  # ReLU6 means
    assert not np.allclose(first[0], first[1])  # different pictures, different features
    np.testing.assert_allclose(lite2_trial.lite2_features(paths[::-1], data), first[::-1])


def test_the_command_writes_the_figures_that_report_prints(small_trial, tmp_path, capsys):
    from artdemo.training import lite2_trial
    from artdemo.training.report import probe_table

    out = tmp_path / "trial.json"
    assert lite2_trial.main(["--tasks", "genre", "--limit", "40", "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["command"] == "python -m artdemo.training.lite2_trial"
    table = probe_table(written)
    assert table.count("| genre |") == 4 and "Lite2's backbone alone" in table
