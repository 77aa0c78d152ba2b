"""The ModelHandler that lets Beam's RunInference drive the app's own predictor.

RunInference loads the model once per worker process through a shared handle,
batches the pictures (BatchElements, between min and max batch size), and calls
`run_inference` with a batch; we hand the batch to `predict_images`, so the audit's
answers are the app's and `predict`'s answers, with one backbone pass for all tasks.
The pictures arrive as the models should see them: the pipeline has already found
the artwork in each (artdemo.audit.images.artwork_finder, the predictor's own
finder), so the predictor is asked with find_artwork=False.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

import numpy as np
from apache_beam.ml.inference.base import ModelHandler

from artdemo.tasks import TASKS

MIN_BATCH = 8
MAX_BATCH = 32  # the backbone's own batch (artdemo.models.features.BATCH): one call per batch per view

# One batch at a time per process: TensorFlow already spreads one batch over every core, and
# two batches at once only fight over them. The worker threads still overlap everything else
# (downloads, decoding, writing) with the one running batch.
_INFERENCE = threading.Lock()


@dataclass(frozen=True)
class LoadedModels:
    """What load_model hands to RunInference: the tasks whose heads and cards are in memory."""

    tasks: tuple[str, ...]


class ArtdemoModelHandler(ModelHandler[np.ndarray, dict, LoadedModels]):
    """RGB uint8 pictures in, {task: Prediction} out (artdemo.models.predictor.Prediction)."""

    def __init__(self, tasks: Sequence[str], *, min_batch_size: int = MIN_BATCH, max_batch_size: int = MAX_BATCH,
                 models_dir: str = "") -> None:
        unknown = [t for t in tasks if t not in TASKS]
        if unknown or not tasks:
            raise ValueError(f"tasks must be some of {list(TASKS)}, got {list(tasks)}")
        # env_vars are set in the worker before load_model: a cluster's workers find the
        # models where the launcher said, not where their own environment points.
        env = {"ARTDEMO_MODELS": models_dir} if models_dir else {}
        super().__init__(min_batch_size=min_batch_size, max_batch_size=max_batch_size, env_vars=env)
        self._tasks = tuple(tasks)

    def load_model(self) -> LoadedModels:
        """Load every head and card, and build the backbone with one grey picture, once per
        process (RunInference holds this behind its shared handle, so worker threads
        never build the TensorFlow graph at the same time)."""
        from artdemo.models import predictor  # TensorFlow: only in the workers that infer

        for task in self._tasks:
            predictor.load_model(task)
        predictor.predict_images([np.full((224, 224, 3), 128, np.uint8)], list(self._tasks), find_artwork=False)
        return LoadedModels(self._tasks)

    def run_inference(self, batch: Sequence[np.ndarray], model: LoadedModels,
                      inference_args: Optional[dict[str, Any]] = None) -> Iterable[dict]:
        from artdemo.models.predictor import predict_images

        with _INFERENCE:
            return predict_images(list(batch), list(model.tasks), find_artwork=False)

    def get_num_bytes(self, batch: Sequence[np.ndarray]) -> int:
        """Pixel bytes (Beam's default pickles the whole batch just to measure it)."""
        return int(sum(np.asarray(image).nbytes for image in batch))

    def get_metrics_namespace(self) -> str:
        return "artdemo_audit_inference"
