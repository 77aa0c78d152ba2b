"""Model cards: everything the app shows about a model, saved beside its weights.

The confusion explorer, the class-balance page and the About page read only
these cards (FiftyOne's lesson: the app reads evaluation results the core saved),
so they work wherever the app runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from artdemo import config
from artdemo.errors import ArtdemoError

CARD_FILE = "card.json"


@dataclass
class HeldOutExample:
    path: str  # relative to the data cache
    true: str
    predicted: str
    probabilities: list[float]  # calibrated, in card.classes order
    source: str = ""
    look: str = "clean"  # "clean" | "photo" (a generated gallery photo of the image, artdemo.imaging.gallery_photo)


@dataclass
class Metrics:
    accuracy: float
    balanced_accuracy: float
    macro_f1: float
    ece: float
    per_class: dict[str, dict[str, float]]  # class -> precision, recall, f1, support
    confusion_matrix: list[list[int]]  # rows: true class, columns: predicted, card.classes order
    n: int


@dataclass
class ModelCard:
    task: str
    classes: list[str]
    input_size: int
    preprocessing: str
    architecture: str
    weights_file: str  # relative to the card's folder
    data_counts: dict[str, dict[str, int]]  # split -> class -> count
    source_counts: dict[str, dict[str, int]]  # source -> class -> count (all splits)
    split_rule: str
    metrics: Metrics  # on the held-out test split, after calibration
    temperature: float
    threshold: float  # confidence below which an answer is routed to a curator
    scope: str  # what kinds of images the model has seen, in plain words
    seed_baseline: dict[str, float | str] = field(default_factory=dict)  # seed 000's small CNN, same split
    baseline: dict[str, float | str] = field(default_factory=dict)  # e.g. logistic regression on pooled features
    notes: str = ""  # targets missed, what was tried
    training_seconds: float = 0.0
    examples: list[HeldOutExample] = field(default_factory=list)
    created_by: str = ""  # the command that wrote this card
    photo_metrics: Metrics | None = None  # the same held-out images as generated gallery photos
    photo_examples: list[HeldOutExample] = field(default_factory=list)
    scope_check: dict = field(default_factory=dict)  # how the out_of_scope route is decided, and its held-out figures
    photos: str = ""  # how the visitor photos were made
    ablation: list[dict] = field(default_factory=list)  # each step's figures on validation and test, same split
    other_sources: dict = field(default_factory=dict)  # share of other sources' pictures given the expected class

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_dict(cls, raw: dict) -> "ModelCard":
        raw = dict(raw)
        raw["metrics"] = Metrics(**raw["metrics"])
        raw["examples"] = [HeldOutExample(**e) for e in raw.get("examples", [])]
        raw["photo_examples"] = [HeldOutExample(**e) for e in raw.get("photo_examples", [])]
        if raw.get("photo_metrics"):
            raw["photo_metrics"] = Metrics(**raw["photo_metrics"])
        return cls(**raw)


def card_path(task: str, models_root: Path | None = None) -> Path:
    return (Path(models_root) if models_root else config.models_dir()) / task / CARD_FILE


def save_card(card: ModelCard, models_root: Path | None = None) -> Path:
    path = card_path(card.task, models_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(card.to_json(), encoding="utf-8")
    return path


def load_card(task: str, models_root: Path | None = None) -> ModelCard:
    path = card_path(task, models_root)
    if not path.is_file():
        raise ArtdemoError(
            f"There is no trained {task!r} model in {path.parent}. Train it with `python -m artdemo train {task}`."
        )
    try:
        return ModelCard.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, KeyError) as err:
        raise ArtdemoError(f"The model card {path} is damaged ({err}); retrain with `python -m artdemo train {task}`.") from err


def available_cards(models_root: Path | None = None) -> list[ModelCard]:
    """Every card present, in the order of artdemo.tasks.TASKS."""
    from artdemo.tasks import TASKS

    cards = []
    for name in TASKS:
        try:
            cards.append(load_card(name, models_root))
        except ArtdemoError:
            continue
    return cards
