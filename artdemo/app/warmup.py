"""The warm start: models loaded and traced before the first visitor clicks.

Why: loading TensorFlow, the backbone and the heads and tracing the backbone
costs several seconds; paid on the first click, it is the slowest answer of the
day. The service runs `warm` in a background thread as soon as the server
starts; a visitor who arrives meanwhile sees a short "getting ready" note
(`service.warm_state()`).
"""

from __future__ import annotations

import logging

import numpy as np

from artdemo.app.service import WARM_UP
from artdemo.errors import ArtdemoError

log = logging.getLogger(__name__)

GETTING_READY = "Getting ready: the models are warming up (a few seconds, only after a restart)…"


def warm(svc, precompute: bool, warm_maps: bool) -> str:
    """Warm `svc` (an InferenceService); returns its new state, "ready" or "failed: <message>".

    First a prediction on a grey picture (loads everything), then a batched one (the backbone's
    traced function then takes any batch size). "ready" is set as soon as predictions are warm;
    the Grad-CAM warm-up and the map precomputation then run in the lowest lane, behind visitors.
    """
    grey = np.full((224, 224, 3), 128, dtype=np.uint8)
    try:
        first = svc.predict(grey, session=WARM_UP)
        for ticket in [svc.submit_predict(grey, session=WARM_UP) for _ in range(3)]:
            svc.result(ticket)
    except Exception as err:  # no models, damaged models: the page shows it plainly
        log.warning("warm-up failed: %s", err, exc_info=not isinstance(err, ArtdemoError))
        return f"failed: {err}"
    svc.warm = "ready"
    log.info("models warm: ready for visitors")
    if warm_maps:
        for task, prediction in first.items():  # the first map of each task then costs no tracing
            try:
                svc.result(svc.submit_background(
                    lambda t=task, c=prediction.predicted: svc.explain_fn(grey, t, c, "gradcam")))
            except Exception:
                log.info("Grad-CAM warm-up for %s failed", task, exc_info=True)
    if precompute:
        try:
            from artdemo.app import map_store

            map_store.fill_in_background(map_store.fixed_images(), service=svc)
        except Exception:
            log.warning("precomputing maps failed", exc_info=True)
    return "ready"
