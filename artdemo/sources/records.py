"""The record every source returns, whatever the museum."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArtObject:
    """One artwork as the app shows it.

    `labels` holds the museum's own label per task where it can be derived
    (e.g. {"lithograph": "lithograph", "medium": "lithograph"}), so the UI can
    put the truth beside each prediction.
    """

    source: str  # "met", "moma", "cache", "upload", "url"
    object_id: str
    title: str = ""
    artist: str = ""
    date: str = ""
    medium: str = ""
    classification: str = ""
    department: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    image_url: str = ""
    page_url: str = ""
    public_domain: bool | None = None
    image_bytes: bytes | None = field(default=None, repr=False)
    image_path: str = ""  # path relative to the data cache, for cache objects
