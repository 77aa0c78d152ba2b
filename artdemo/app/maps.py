"""Maps on demand: one method at a time, from memory, then disk, then the inference service.

"How the machine sees" asks for the method the visitor is looking at (Grad-CAM
first, the fast one) and the others only when they are opened. Each map is
looked up by image fingerprint in the in-memory cache
(artdemo.app.explanations.HEAT_CACHE), then in the on-disk store of precomputed
maps (artdemo.app.map_store, keyed by model version), and only then computed
through the shared service, at explanation priority, replacing this session's
older pending map.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def map_for(rgb: np.ndarray, task: str, class_name: str, method: str, session: str | None = None,
            service=None, on_wait: Callable[[int], None] | None = None) -> np.ndarray:
    """The (224, 224) float32 map of `method` for `class_name` in `rgb` (read-only array).

    Memory first, then the disk store, then the service (which may raise Busy, or Replaced when
    the same session asked for another map meanwhile; both are ArtdemoError with a message
    for the visitor). `on_wait(place)` is told the place in line while the map waits.
    """
    from artdemo.app import map_store
    from artdemo.app.explanations import HEAT_CACHE, check_method, image_key
    from artdemo.app.service import service as default_service

    check_method(method)
    fingerprint = image_key(rgb)

    def from_disk_or_service() -> np.ndarray:
        stored = map_store.get(fingerprint, task, class_name, method)
        if stored is not None:
            return stored
        svc = service or default_service()
        return svc.explain(rgb, task, class_name, method, session=session, on_wait=on_wait)

    return HEAT_CACHE.get_or_compute((fingerprint, task, class_name, method), from_disk_or_service)
