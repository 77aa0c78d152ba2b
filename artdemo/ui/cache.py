"""Streamlit's caches around the app core: what is expensive loads once, not on every rerun.

Cards are cached by the card files' modification times (a retrained model shows at
once); thumbnails by path; the kiosk's worker threads once per process. Models
themselves are loaded by the inference service (artdemo.app.service), which
warms them in the background when the server starts.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import streamlit as st

from artdemo.app import models_info
from artdemo.app.pictures import THUMB, thumbnail
from artdemo.models.cards import ModelCard


@st.cache_resource(show_spinner=False)
def _cards(root: str, stamps: tuple) -> dict[str, ModelCard]:
    return models_info.cards_at(root)


def model_cards() -> dict[str, ModelCard]:
    """Every model card, by task, re-read when a card file changes. Treat as read-only."""
    return _cards(*models_info.cards_signature())


@st.cache_data(max_entries=256, show_spinner=False)
def cache_image(path: str, side: int = THUMB) -> np.ndarray | None:
    """A data-cache picture, at most `side` pixels long, or None when this data cache lacks it."""
    return thumbnail(path, side)


@st.cache_resource
def kiosk_workers() -> ThreadPoolExecutor:
    """Threads that prepare the kiosk's next artwork, shared by all kiosk sessions."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk")
