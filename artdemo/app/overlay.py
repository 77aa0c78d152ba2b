"""The overlay recipe, once: a heat map in cividis over the model's own 224x224 view of the picture.

The maps are computed on the model's view (artdemo.models.predictor.model_input:
the picture the models saw, squashed to 224x224), so they are drawn over that
view and nothing else. Every front end (How the machine sees, the kiosk, Gradio)
calls `heat_overlay`.
"""

from __future__ import annotations

import numpy as np

from artdemo.explain.views import overlay
from artdemo.models import predictor


def model_view(rgb: np.ndarray) -> np.ndarray:
    """The picture as the models see it: (224, 224, 3) uint8."""
    return np.clip(np.asarray(predictor.model_input(rgb)), 0, 255).astype(np.uint8)


def heat_overlay(rgb: np.ndarray, heat: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """`heat` laid over the model's view of `rgb`: opacity 0 shows the picture, 1 only the map."""
    return np.asarray(overlay(model_view(rgb), heat, opacity), dtype=np.uint8)
