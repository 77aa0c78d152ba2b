"""Settings read from the environment, in one place.

Read at call time (not import time) so tests and the app can change them per run.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MET_API_DEFAULT = "https://collectionapi.metmuseum.org/public/collection/v1"
MOMA_CSV_DEFAULT = (
    "https://media.githubusercontent.com/media/MuseumofModernArt/collection/main/Artworks.csv"
)


def data_dir() -> Path:
    """The data cache (layout of shared/data). `ARTDEMO_DATA`, else a sibling
    `../shared/data` checkout if present, else a per-user folder."""
    env = os.environ.get("ARTDEMO_DATA")
    if env:
        return Path(env).expanduser().resolve()
    sibling = PROJECT_ROOT.parent / "shared" / "data"
    if (sibling / "labels").is_dir():
        return sibling.resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "artdemo" / "data"


def models_dir() -> Path:
    """Where trained models and their cards live (`ARTDEMO_MODELS`, default `models/`)."""
    env = os.environ.get("ARTDEMO_MODELS")
    return Path(env).expanduser().resolve() if env else PROJECT_ROOT / "models"


def cache_dir() -> Path:
    """Scratch space for derived files (feature caches, downloaded CSVs); never committed."""
    env = os.environ.get("ARTDEMO_CACHE")
    if env:
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "artdemo"


def met_api_base() -> str:
    return os.environ.get("ARTDEMO_MET_API", MET_API_DEFAULT).rstrip("/")


def moma_csv_location() -> str:
    return os.environ.get("ARTDEMO_MOMA_CSV", MOMA_CSV_DEFAULT)


def hf_repo() -> str | None:
    return os.environ.get("ARTDEMO_HF_REPO") or None


def offline() -> bool:
    return os.environ.get("ARTDEMO_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def positive_number(name: str, default: float) -> float:
    """A positive number from the environment; unset, unreadable or not above 0 gives `default`
    (a typo in a kiosk's setting must not stop the app)."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default
