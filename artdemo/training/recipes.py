"""What each task's head is trained on, chosen on the validation split (see the cards' notes).

Kept apart from the training loop so the choice is one readable table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from artdemo.models.heads import Group

ALL_PARTS = ["pooled", "head_std", "texture"]

FINE_TUNING = ("Fine-tuning: blocks 11-15 and the head convolution, shared by all four tasks, trained on cached "
               "block-10 activations (artdemo.training.finetune); its figures are the ablation's fine-tuned row, "
               "and `train all` ships it only if it gains on validation.")
LITE2 = ("EfficientNet-Lite2 was tried and not shipped (`python -m artdemo.training.lite2_trial`, figures in "
         "models/lite2_trial.json): with the same logistic-regression probe on the clean pictures, its pooled "
         "features at 260 px scored within 2 points of Lite0's on validation (style -0.1, medium -0.7, "
         "lithograph +2.0), and beside Lite0's full features they added 1.4 points for style, 0.0 for medium and "
         "0.2 for lithograph, while its backbone alone takes about 31 ms per picture, half of the 60 ms warm "
         "budget that finding the artwork, Lite0 and the heads already use.")
GRAM = ("Gram matrices were tried and not kept (`python -m artdemo.training.gram_trial`, figures in "
        "models/gram_trial.json): with the same logistic-regression probe on the clean pictures, the 64 or 256 "
        "leading principal components of block 10's channel Gram matrix beside the features moved validation "
        "accuracy by -0.1 / +0.6 points for style and +0.3 / +0.7 for medium (test 0.0 / +0.8 and +0.1 / +0.6): "
        "within noise, for a 6,328-number statistic per picture and a projection per task.")
PRINT_SCALE = ("Not tried: more views or patches (each view is another backbone pass over every image, about 0.07 "
               "CPU-seconds per image here); print-scale tiles would add little on this cache, whose pictures are "
               "at most 320 px (512 px for the Berkeley prints), so the 224 px view already sees most of their "
               "pixels.")


@dataclass(frozen=True)
class Recipe:
    groups: list[Group]
    l2_grid: tuple[float, ...] = (3e-2, 1e-1, 3e-1)
    select_by: str = "accuracy"  # validation figure the L2 strength is chosen by (balanced_accuracy, two
    # classes: the decision line is then moved to its best on validation, artdemo.training.operating_point)
    hidden: int = 0  # > 0: one hidden ReLU layer of this many units (dropout 0.5)
    epochs: int = 20  # of the hidden-layer head
    borrow_paintings_as: str = ""  # class the genre task's train-split paintings join (artdemo.training.borrowed_rows)
    description: str = ""
    tried: list[str] = field(default_factory=list)


RECIPES: dict[str, Recipe] = {
    "style": Recipe(
        [Group(["whole"], ALL_PARTS)],
        l2_grid=(3e-2, 1e-1, 3e-1),
        tried=["What was tried (validation accuracy, 785 images): pooled last-layer features only 0.50; adding "
               "the last layer's spatial spread and block texture statistics 0.56-0.57 (linear, L2 0.03-0.3, "
               "kept); signed square root of the features 0.58; no class weights 0.57; one hidden layer of "
               "32-128 units with dropout 0.5-0.7 0.56-0.58 (no better than linear within noise, so linear "
               "is kept for exact explanations).", FINE_TUNING, LITE2, GRAM, "Not tried: more views (each view is another backbone pass over every image, about 0.07 CPU-seconds per image here)."],
        description="whole picture squashed to 224 px; last-layer mean and spread plus texture statistics "
                    "(mean and spread) of blocks 2, 4, 7, 10 and 14",
    ),
    "genre": Recipe(
        [Group(["whole"], ALL_PARTS)],
        l2_grid=(3e-2, 1e-1, 3e-1),
        tried=["Validation accuracy is at its ceiling (0.97 with pooled features alone or with texture "
               "statistics); nothing further was needed."],
        description="whole picture squashed to 224 px; last-layer mean and spread plus texture statistics "
                    "(mean and spread) of blocks 2, 4, 7, 10 and 14",
    ),
    "medium": Recipe(
        [Group(["whole"], ["pooled", "texture"])],
        l2_grid=(1e-4,),
        hidden=256,
        epochs=30,
        select_by="macro_f1",
        borrow_paintings_as="painting",
        description="whole picture squashed to 224 px; last-layer mean plus texture statistics (mean and "
                    "spread) of blocks 2, 4, 7, 10 and 14",
        tried=["What was tried (validation, 760 images): linear head on pooled last-layer features 0.69 "
               "accuracy; linear on pooled + last-layer spread + block texture statistics 0.77 accuracy, "
               "macro-F1 0.74; adding a second feature group from a greyscale patch near full resolution "
               "inside the frame crop 0.75-0.76 (L2 0.03-0.3; worse, dropped); one hidden layer of 64 / 128 "
               "units on all statistics 0.78 / 0.79 (macro-F1 0.74 / 0.76); 128 units on pooled + texture "
               "only 0.79, macro-F1 0.75.", "With the artwork finder and gallery-photo training rows (validation "
               "accuracy clean / photos): 128 units, 20 epochs 0.747 / 0.579; photo rows weighted 0.5 0.743 / 0.567; "
               "40 epochs 0.758 / 0.582; no photo rows 0.768 / 0.462; 256 units, 30 epochs 0.766 / 0.587 (kept). "
               "The finder crops the frames and mats of the photographed Berkeley prints, a cue the earlier heads "
               "leaned on: without photo rows the clean test accuracy is 0.783, against 0.800 before the finder.", FINE_TUNING, LITE2, GRAM, PRINT_SCALE],
    ),
    "lithograph": Recipe(
        [Group(["whole"], ALL_PARTS)],
        l2_grid=(1e-4,),
        hidden=64,
        select_by="balanced_accuracy",
        borrow_paintings_as="not_lithograph",
        description="as the medium head: whole picture squashed to 224 px; last-layer mean and spread plus "
                    "texture statistics (mean and spread) of blocks 2, 4, 7, 10 and 14",
        tried=["What was tried (validation, 720 images; balanced accuracy): linear head on the whole view's "
               "last-layer and block statistics 0.80 (accuracy 0.85, ECE 0.04); one hidden layer of 64 / 128 "
               "units 0.81 / 0.81 (accuracy 0.88, ECE 0.02-0.03; 64 kept); adding a greyscale patch near full resolution from the "
               "frame-cropped centre as a second feature group 0.75 (worse); a 10-way head trained on the "
               "medium labels plus the lithograph-only images, its lithograph probability used as the "
               "answer, 0.79 balanced accuracy (0.89 accuracy, but ECE 0.07).", FINE_TUNING, LITE2, PRINT_SCALE],
    ),
}

LR_BASELINE = Recipe([Group(["whole"], ["pooled"])], l2_grid=(1e-4, 1e-3, 1e-2, 1e-1),
                     description="class-weighted logistic regression on the pooled 1280 Lite0 features of "
                                 "the whole picture squashed to 224 px")
