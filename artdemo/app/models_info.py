"""What the front ends say about the models: where they come from and what their cards hold.

The Confusion explorer, Class balance and About read only the model cards
(FiftyOne's lesson: the app reads the evaluation results the core saved), from
the models folder the predictor uses (bundled, or a Hub snapshot; see
artdemo.models.store).
"""

from __future__ import annotations

import logging
from pathlib import Path

from artdemo import config
from artdemo.errors import ArtdemoError
from artdemo.models import store
from artdemo.models.cards import ModelCard, available_cards, load_card

log = logging.getLogger(__name__)


def models_root() -> Path:
    """The models folder readers use; the bundled one when the Hub can't be resolved (said in the log)."""
    try:
        return store.models_root()
    except ArtdemoError as err:
        log.warning("models folder: %s; using the bundled one", err)
        return config.models_dir()


SHIPPED = "The models shipped with the app."


def models_source() -> tuple[str, str]:
    """(what a visitor reads, what a maintainer needs) about where the models come from. The
    maintainer's words name folders and settings ('bundled models/ (ARTDEMO_HF_REPO not set)'); a
    visitor only needs to know whether these are the models shipped with the app or a published set."""
    try:
        location = store.models_location()
    except ArtdemoError as err:
        return SHIPPED, str(err)
    if location.from_hub:
        return f"The models published on Hugging Face: {location.repo}.", str(location.origin)
    return SHIPPED, str(location.origin)


def models_origin() -> str:
    """Where the models come from, for a maintainer (or why that can't be said)."""
    return models_source()[1]


def cards() -> dict[str, ModelCard]:
    """Every model card in the models folder in use, by task (TASKS order)."""
    return {card.task: card for card in available_cards(models_root())}


def card(task: str) -> ModelCard:
    """One task's card; ArtdemoError saying how to train it when there is none."""
    return load_card(task, models_root())


def cards_signature() -> tuple[str, tuple[tuple[str, int], ...]]:
    """(models folder, card files with their modification times): a cache key that changes
    whenever a card is written, so a front end re-reads cards only then."""
    root = models_root()
    stamps = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.glob("*/card.json"))) if root.is_dir() else ()
    return str(root), stamps


def cards_at(root: str) -> dict[str, ModelCard]:
    """Every card under `root` (for a front end's cache, keyed by `cards_signature`)."""
    return {card.task: card for card in available_cards(Path(root))}
