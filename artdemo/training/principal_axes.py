"""The leading principal axes of a set of rows, shared by the scope test and the Gram trial.

Why an eigendecomposition of the scatter matrix: after one product it costs seconds at the
sizes here (D = 3,456 features, or 6,328 Gram entries), where a thin SVD of the N x D rows
took minutes.
"""

from __future__ import annotations

import numpy as np


def leading_axes(centred: np.ndarray, k: int) -> np.ndarray:
    """(D, k): the `k` leading principal axes of rows already centred, the largest variance first."""
    _, vectors = np.linalg.eigh(centred.T @ centred)  # eigenvalues ascending
    return vectors[:, ::-1][:, :k]
