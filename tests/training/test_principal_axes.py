"""The leading principal axes the scope test and the Gram trial share."""

import numpy as np

from artdemo.training.principal_axes import leading_axes


def test_axes_are_orthonormal_and_ordered_by_the_variance_along_them():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 6)) * np.array([0.1, 5.0, 0.5, 2.0, 0.2, 1.0])  # variance by column
    axes = leading_axes(x - x.mean(axis=0), 3)
    assert axes.shape == (6, 3)
    np.testing.assert_allclose(axes.T @ axes, np.eye(3), atol=1e-9)
    assert [int(np.argmax(np.abs(a))) for a in axes.T] == [1, 3, 5]  # the columns of largest spread, in order
    spread = ((x - x.mean(axis=0)) @ axes).var(axis=0)
    assert spread[0] > spread[1] > spread[2]
