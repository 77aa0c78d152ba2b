"""What each task's head is trained on, chosen on the validation split (see the cards' notes).

Kept apart from the training loop so the choice is one readable table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .heads import Group

ALL_PARTS = ["pooled", "head_std", "texture"]


@dataclass(frozen=True)
class Recipe:
    groups: list[Group]
    l2_grid: tuple[float, ...] = (1e-4, 1e-3, 1e-2)
    select_by: str = "accuracy"  # validation figure the L2 strength is chosen by
    extra_negatives_from_medium: bool = False  # lithograph: medium-only images as extra training rows
    description: str = ""
    tried: list[str] = field(default_factory=list)


RECIPES: dict[str, Recipe] = {
    "style": Recipe(
        [Group(["whole", "flip"], ALL_PARTS)],
        description="whole picture + its mirror image at 224 px (features averaged); last-layer mean and "
                    "spread plus texture statistics of blocks 2-14",
    ),
    "genre": Recipe(
        [Group(["whole", "flip"], ALL_PARTS)],
        description="whole picture + its mirror image at 224 px (features averaged); last-layer mean and "
                    "spread plus texture statistics of blocks 2-14",
    ),
    "medium": Recipe(
        [Group(["whole"], ALL_PARTS), Group(["inner", "patch_c"], ALL_PARTS)],
        select_by="macro_f1",
        description="whole picture at 224 px, plus the frame-cropped centre and a greyscale patch near "
                    "full resolution; last-layer mean and spread plus texture statistics of blocks 2-14",
    ),
    "lithograph": Recipe(
        [Group(["whole"], ALL_PARTS), Group(["inner", "patch_c"], ALL_PARTS)],
        select_by="balanced_accuracy",
        description="as the medium head: whole picture, frame-cropped centre, greyscale full-resolution patch",
    ),
}

LR_BASELINE = Recipe([Group(["whole"], ["pooled"])], l2_grid=(1e-4, 1e-3, 1e-2, 1e-1),
                     description="class-weighted logistic regression on the pooled 1280 Lite0 features of "
                                 "the whole picture squashed to 224 px")
