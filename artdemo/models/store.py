"""The one place that says which models folder the app and the predictor read.

`config.models_dir()` stays the bundled (or ARTDEMO_MODELS) folder, the one
training writes to. Readers (predictor, cards in the app) call `models_root()`,
which is that folder or a Hub snapshot when ARTDEMO_HF_REPO is set
(see artdemo.hub.resolve_models_dir). The answer is cached per settings, so the
Hub is asked once per process, not once per prediction.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from artdemo.models.hub import ModelsLocation, resolve_models_dir

_SETTINGS = ("ARTDEMO_HF_REPO", "ARTDEMO_OFFLINE", "HF_HUB_OFFLINE", "ARTDEMO_MODELS", "ARTDEMO_CACHE", "HF_ENDPOINT")


def _settings_key() -> tuple[str, ...]:
    return tuple(os.environ.get(name, "") for name in _SETTINGS)


_LOCK = threading.Lock()


@functools.lru_cache(maxsize=8)
def _resolve_for(key: tuple[str, ...]) -> ModelsLocation:
    return resolve_models_dir()


def models_location() -> ModelsLocation:
    """Where models come from now, with a plain-words `origin` for the UI. One thread resolves at a
    time (the inference worker, the warm-up and a page may all ask at once), so the Hub is asked once."""
    with _LOCK:
        return _resolve_for(_settings_key())


def models_root() -> Path:
    """The folder holding <task>/card.json and weights, for readers."""
    return models_location().path


def refresh() -> ModelsLocation:
    """Forget the cached answer (e.g. after the network came back) and resolve again."""
    _resolve_for.cache_clear()
    return models_location()
