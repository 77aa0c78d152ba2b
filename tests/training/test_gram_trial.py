"""The Gram-matrix trial: the statistic computed as written down, its principal components fitted on the train
rows only, and the figures written where `report` finds them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artdemo.training.gram_trial import gram_features, leading_components
from tests.training.test_train_small import small_setup


def test_gram_features_are_the_signed_root_of_channel_products_averaged_over_positions():
    rng = np.random.default_rng(0)
    acts = rng.normal(size=(3, 4, 5, 6)).astype(np.float16)
    x = acts[1].astype(np.float32).reshape(20, 6)
    g = x.T @ x / 20
    by_hand = g[np.triu_indices(6)]
    np.testing.assert_allclose(gram_features(acts)[1], np.sign(by_hand) * np.sqrt(np.abs(by_hand)), rtol=1e-5)
    assert gram_features(acts).shape == (3, 21)


def test_leading_components_come_from_the_rows_they_are_fitted_on():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 8)) * np.array([10, 5, 1, 1, 1, 1, 1, 1])
    fit = np.arange(100)
    first = leading_components(x, fit, 2)
    assert first.shape == (200, 2)
    np.testing.assert_allclose(first[fit].mean(axis=0), 0, atol=1e-4)  # centred on the fitted rows
    assert np.var(first[:, 0]) > np.var(first[:, 1]) > 10  # the two wide axes, widest first
    x_moved = x.copy()
    x_moved[150:] += 1000  # rows outside the fit do not move the axes
    np.testing.assert_allclose(np.abs(leading_components(x_moved, fit, 2)[fit]), np.abs(first[fit]), rtol=1e-4)


@pytest.fixture(scope="module")
def small_trial(tmp_path_factory):
    data, models, mp = small_setup(tmp_path_factory.mktemp("gram"))
    yield data, models
    mp.undo()


def test_the_command_writes_the_figures_that_report_prints(small_trial, tmp_path):
    from artdemo.training import gram_trial
    from artdemo.training.report import probe_table

    out = tmp_path / "gram.json"
    assert gram_trial.main(["--tasks", "genre", "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["command"] == "python -m artdemo.training.gram_trial"
    rows = written["tasks"]["genre"]
    assert len(rows) == 1 + len(gram_trial.COMPONENTS)
    assert "Gram matrix" in rows[1]["features"] and "Gram" not in rows[0]["features"]
    assert all(0.0 <= r[k] <= 1.0 for r in rows for k in ("val", "test", "test_macro_f1"))
    table = probe_table(written)
    assert table.count("| genre |") == len(rows) and "Lite2" not in table
