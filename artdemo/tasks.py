"""Tasks are data: a name, classes, where labels live, how museum text maps to a label.

Adding a task means adding an entry here and running `python -m artdemo train NAME`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Task:
    name: str
    title: str  # what the UI calls it
    classes: tuple[str, ...]
    labels_csv: str  # relative to the data cache
    question: str  # the question the model answers, in plain words
    label_from_medium: Callable[[str], str | None] | None = None


_LITHO = re.compile(r"lithograph", re.IGNORECASE)


def lithograph_label(medium_text: str) -> str | None:
    """MoMA's rule (seed 000): a work is a lithograph when its medium text says so."""
    if not medium_text or not medium_text.strip():
        return None
    return "lithograph" if _LITHO.search(medium_text) else "not_lithograph"


_MEDIUM_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("screenprint", ("screenprint", "screen print", "serigraph", "silkscreen")),
    ("lithograph", ("lithograph",)),
    ("woodcut", ("woodcut", "wood engraving", "linocut", "linoleum cut", "woodblock")),
    ("intaglio", ("etching", "engraving", "aquatint", "drypoint", "mezzotint")),
    ("photograph", ("gelatin silver", "photograph", "albumen", "chromogenic", "daguerreotype", "platinum print", "inkjet print", "dye transfer")),
    ("painting", ("oil", "acrylic", "tempera", "casein")),
    ("watercolor", ("watercolor", "watercolour", "gouache")),
    ("drawing", ("graphite", "charcoal", "pencil", "ink", "chalk", "pastel", "crayon")),
    ("sculpture", ("bronze", "marble", "stone", "steel", "ceramic", "terracotta", "plaster", "wood")),
)


def medium_label(medium_text: str) -> str | None:
    """Map museum medium text to one of the medium task's classes, by the earliest
    listed material (museums list the dominant one first). None when nothing matches."""
    if not medium_text:
        return None
    text = medium_text.lower()
    best: tuple[int, str] | None = None
    for label, words in _MEDIUM_RULES:
        for word in words:
            pos = text.find(word)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, label)
    return best[1] if best else None


TASKS: dict[str, Task] = {
    "style": Task(
        "style", "Style",
        ("art_nouveau", "baroque", "cubism", "expressionism", "impressionism",
         "pop_art", "post_impressionism", "romanticism", "symbolism"),
        "labels/style.csv", "Which art movement does this painting look like?",
    ),
    "medium": Task(
        "medium", "Medium",
        ("drawing", "intaglio", "lithograph", "painting", "photograph",
         "screenprint", "sculpture", "watercolor", "woodcut"),
        "labels/medium.csv", "What is it made with?", medium_label,
    ),
    "genre": Task(
        "genre", "Genre",
        ("genre_scene", "landscape", "portrait", "still_life"),
        "labels/genre.csv", "What does the painting show?",
    ),
    "lithograph": Task(
        "lithograph", "Lithograph?",
        ("lithograph", "not_lithograph"),
        "labels/lithograph.csv", "Is this a lithograph?", lithograph_label,
    ),
}


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        from artdemo.errors import ArtdemoError

        raise ArtdemoError(f"Unknown task {name!r}; choose one of: {', '.join(TASKS)}.") from None


def labels_from_medium(medium_text: str) -> dict[str, str]:
    """Every task label derivable from a museum's medium text."""
    out: dict[str, str] = {}
    for task in TASKS.values():
        if task.label_from_medium is not None:
            label = task.label_from_medium(medium_text)
            if label is not None:
                out[task.name] = label
    return out
