"""What the About page says about data and models, read from the files that hold it:
the data cache's README (its sources table) and the model cards."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from artdemo import config
from artdemo.app import words
from artdemo.models.cards import ModelCard
from artdemo.tasks import TASKS

FALLBACK_CREDITS = (
    "The data cache's README (with its table of sources and their terms) was not found. "
    "Images are for non-commercial research and demonstration only; museum and library images "
    "may still be in copyright. See each museum's terms."
)


def readme_section(text: str, heading: str) -> str:
    """The markdown under a `## heading` up to the next `## ` heading ('' if absent)."""
    lines = text.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().lower().startswith(heading.lower())
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


def data_credits(data_root: Path | None = None) -> tuple[str, str]:
    """(terms paragraph, sources table) from the data cache's README."""
    path = (Path(data_root) if data_root else config.data_dir()) / "README.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return FALLBACK_CREDITS, ""
    terms = next((p for p in text.split("\n\n") if "non-commercial" in p), FALLBACK_CREDITS)
    return terms.strip(), readme_section(text, "Sources")


def sources_list(table: str) -> str:
    """The README's sources table as a markdown list, one source a line: 'WikiArt (`wikiart224:*`):
    eliogrande/…'. A two-column table of long repository names is wider than a phone, and a markdown
    table can't wrap, so the whole page would pan sideways; a list wraps. Lines that are not table rows
    stay as they are; the header row and the |---| line go."""
    lines, header_done = [], False
    for line in table.splitlines():
        if not line.strip().startswith("|"):
            lines.append(line)
            header_done = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not header_done:  # the first row of a table names its columns
            header_done = True
            continue
        if all(set(cell) <= set(":- ") for cell in cells) or len(cells) < 2:
            continue
        lines.append(f"- {_source_title(cells[0])}: {' | '.join(cells[1:])}")
    return "\n".join(lines).strip()


def _source_title(cell: str) -> str:
    """'`wikiart224:*`' -> 'WikiArt (`wikiart224:*`)'; a cell that is no known tag ('MoMA sample') as it is."""
    tag = cell.strip("`")
    return f"{words.collection_title(tag)} ({cell})" if tag.split(":")[0] in words.COLLECTIONS else cell


def model_rows(cards: list[ModelCard]) -> pd.DataFrame:
    """One row per model: what it answers, how it scores, and the seed approach beside it."""
    rows = []
    for card in cards:
        task = TASKS.get(card.task)
        seed = card.seed_baseline or {}
        rows.append({
            "model": task.title if task else card.task,
            "question": task.question if task else "",
            "classes": len(card.classes),
            "training images": sum(card.data_counts.get("train", {}).values()),
            "held-out images": card.metrics.n,
            "accuracy": card.metrics.accuracy,
            "macro-F1": card.metrics.macro_f1,
            "seed accuracy": _number(seed.get("accuracy")),
            "seed macro-F1": _number(seed.get("macro_f1")),
            "calibration error (ECE)": card.metrics.ece,
        })
    return pd.DataFrame(rows)


def other_source_lines(card: ModelCard) -> list[str]:
    """How the model does on pictures from sources its own task's rows don't come from
    (artdemo.training.borrowed_rows): the check on learning a museum's look instead of the medium."""
    lines = []
    for source in card.other_sources.values():
        shipped, without = source.get("shipped"), source.get("without_borrowed_rows")
        if not shipped:
            continue
        line = (f"{source['what'][0].upper()}{source['what'][1:]}: {source['pictures']:,} pictures, "
                f"{shipped['clean']:.0%} called {words.pretty(source['expected'])}, {shipped['photo']:.0%} "
                "of them as visitor photos")
        if without:
            line += f" ({without['clean']:.0%} and {without['photo']:.0%} without the borrowed paintings)"
        lines.append(line + ".")
    return lines


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
