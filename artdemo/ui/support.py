"""Streamlit glue shared by the pages: cached loaders, progress, and the one way an
error reaches a visitor.

Pages call these instead of the library directly when something is expensive
(models load once per process behind st.cache_resource; cards and tables are
cached by file modification time) or when a module from another part of the
project might not be installed yet.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import streamlit as st

from artdemo import config
from artdemo.models.cards import ModelCard, available_cards
from artdemo.errors import ArtdemoError
from artdemo.sources.records import ArtObject

log = logging.getLogger("artdemo.app")

SOMETHING_WRONG = "Something went wrong on our side while {what}. Please try again, or pick another artwork."


def optional_module(name: str) -> ModuleType | None:
    """Import a part of artdemo that may not be in this build yet (None if missing)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        log.warning("%s is not available", name)
        return None


def not_available(what: str) -> None:
    st.info(f"{what} is not available yet in this version of the app.")


@contextlib.contextmanager
def shown_errors(what: str) -> Iterator[None]:
    """Show an ArtdemoError's message as written; log anything else and show a calm
    sentence instead of a trace. (st.rerun/st.switch_page pass through: they are
    BaseExceptions.)"""
    try:
        yield
    except ArtdemoError as err:
        st.error(str(err))
    except Exception:
        log.exception("unexpected error while %s", what)
        st.error(SOMETHING_WRONG.format(what=what))


def ready_tasks() -> list[str]:
    """Tasks with a trained model, after loading the backbone and heads once per
    models folder (and again when a card file changes)."""
    return _ready_tasks(*_cards_signature())


@st.cache_resource(show_spinner="Loading the models (only the first time)…")
def _ready_tasks(root: str, stamps: tuple) -> list[str]:
    """A warm-up prediction on a grey picture pays the loading cost here, behind a
    spinner, rather than on the visitor's first artwork."""
    predictor = optional_module("artdemo.models.predictor")
    if predictor is None:
        return []
    tasks = list(predictor.available_tasks())
    if tasks:
        predictor.predict_image(np.full((224, 224, 3), 128, dtype=np.uint8), tasks)
    return tasks


def predict(rgb: np.ndarray) -> dict:
    """Every trained model's prediction for one picture (one backbone pass)."""
    predictor = optional_module("artdemo.models.predictor")
    if predictor is None:
        raise ArtdemoError("The models are not available yet in this version of the app.")
    tasks = ready_tasks()
    if not tasks:
        raise ArtdemoError("No trained model was found. Train them with `python -m artdemo train all` (or set ARTDEMO_MODELS).")
    with st.spinner("Looking closely at the artwork…"):
        return predictor.predict_image(rgb, tasks)


def models_root() -> Path:
    """The models folder readers use (bundled, or a Hub snapshot via artdemo.model_store)."""
    store = optional_module("artdemo.models.store")
    if store is None:
        return config.models_dir()
    try:
        return store.models_root()
    except ArtdemoError as err:
        log.warning("models folder: %s; using the bundled one", err)
        return config.models_dir()


def models_origin() -> str:
    """Where the models come from, in plain words (for the About page)."""
    store = optional_module("artdemo.models.store")
    try:
        return str(store.models_location().origin) if store else str(config.models_dir())
    except ArtdemoError as err:
        return str(err)


def _cards_signature() -> tuple[str, tuple[tuple[str, int], ...]]:
    root = models_root()
    stamps = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.glob("*/card.json"))) if root.is_dir() else ()
    return str(root), stamps


@st.cache_resource(show_spinner=False)
def _cards(root: str, stamps: tuple) -> dict[str, ModelCard]:
    return {card.task: card for card in available_cards(Path(root))}


def model_cards() -> dict[str, ModelCard]:
    """Every model card, by task, re-read when a card file changes. Treat as read-only."""
    return _cards(*_cards_signature())


def fetch_object(source: str) -> tuple[ArtObject, str | None]:
    """A random artwork from "met", "moma" or "cache", with a spinner while it downloads.

    When the MET or MoMA fails, an artwork from the local collection comes instead,
    with a sentence (the notice) telling the visitor what failed; None when the
    chosen source answered.
    """
    sources = optional_module("artdemo.sources.objects")
    if sources is None:
        raise ArtdemoError("Fetching artworks is not available yet in this version of the app.")
    label = {"met": "the MET", "moma": "MoMA", "cache": "the collection cache"}.get(source, source)
    with st.spinner(f"Fetching an artwork from {label}…"):
        if hasattr(sources, "random_with_fallback"):
            return sources.random_with_fallback(source)
        return sources.random_object(source), None


def object_from(kind: str, *args: object) -> ArtObject:
    """An ArtObject from an upload ("upload", data, filename), a URL ("url", url) or a
    cache path ("cache_path", path)."""
    sources = optional_module("artdemo.sources.objects")
    if sources is None:
        raise ArtdemoError("Reading artworks is not available yet in this version of the app.")
    func = {"upload": sources.object_from_upload, "url": sources.object_from_url,
            "cache_path": sources.object_from_cache_path}[kind]
    with st.spinner("Reading the image…" if kind != "url" else "Downloading the image…"):
        return func(*args)


@st.cache_data(max_entries=256, show_spinner=False)
def cache_image(path: str) -> np.ndarray | None:
    """A data-cache picture as RGB for a thumbnail, or None when the cache lacks it."""
    from artdemo.sources.datacache import resolve
    from artdemo.imaging.decode import load_image_file

    full = resolve(path)
    if not full.is_file():
        return None
    try:
        return np.asarray(load_image_file(full))
    except ArtdemoError:
        return None
