"""Explanations: where in a picture a model found evidence for a class.

The methods (Grad-CAM, integrated gradients, occlusion) take plain arrays and one
`CallModel` (artdemo.explain.adapter, the single boundary with Keras), as in
PAIR-code/saliency, so they are testable on a tiny model in milliseconds. This
package knows no data source, decoder or predictor: the app core
(artdemo.app.explanations) gets the model and its input and hands them in.

This file only names the package's face.
"""

from artdemo.explain.adapter import CallModel, keras_adapter
from artdemo.explain.cache import CacheStats, HeatCache
from artdemo.explain.compute import METHOD_FUNCTIONS, METHODS, compute_map
from artdemo.explain.gradcam import gradcam
from artdemo.explain.integrated_gradients import integrated_gradients
from artdemo.explain.occlusion import occlusion
from artdemo.explain.texture import PrintTexture, texture_maps

__all__ = ["CallModel", "keras_adapter", "CacheStats", "HeatCache", "METHOD_FUNCTIONS", "METHODS", "compute_map",
           "gradcam", "integrated_gradients", "occlusion", "PrintTexture", "texture_maps"]
