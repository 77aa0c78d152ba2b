"""Class balance of the collections and of the training sets, as tables.

The Class balance page and the Gradio variant draw these; they answer "how many
of each kind are there?" for MoMA's sample, the MET sample, MAMe's mediums and
every task's training data, and say where imbalance explains a model's errors.
Tables are cached per file (path and modification time), so a page rerun is cheap.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from artdemo import config
from artdemo.app import charts
from artdemo.app.words import collection_name, collection_title, pretty, task_title
from artdemo.errors import ArtdemoError
from artdemo.models.cards import ModelCard
from artdemo.tasks import get_task, lithograph_label, medium_label

MOMA_SAMPLE = "museum/moma/Artworks_sample.csv"
MET_SAMPLE = "museum/met/MetObjects_sample.csv"
MAME_INDEX = "museum/mame/MAMe_dataset.csv"
UNMAPPED = "other / not mapped"

_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")


def _csv(relative: str, data_root: Path | None = None) -> pd.DataFrame:
    path = (Path(data_root) if data_root else config.data_dir()) / relative
    if not path.is_file():
        raise ArtdemoError(f"{relative} is not in the data cache ({path.parent}). Set ARTDEMO_DATA to a data cache to see this table.")
    return _read_cached(str(path), path.stat().st_mtime_ns).copy()


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, mtime_ns: int) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as err:
        raise ArtdemoError(f"{Path(path).name} could not be read as a CSV ({err}).") from err


def decade_of(date_text: str) -> int | None:
    """The decade of the first year written in a museum date ("c. 1920-25" -> 1920)."""
    found = _YEAR.search(date_text or "")
    return int(found.group(1)) // 10 * 10 if found else None


def medium_family(medium_text: str) -> str:
    """The medium task's class for a museum medium text, or a visible 'not mapped' bucket."""
    return medium_label(medium_text) or UNMAPPED


def value_counts(frame: pd.DataFrame, column: str, top: int | None = None) -> pd.DataFrame:
    """Counts and shares of one column, largest first; the rest lumped as 'other' past `top`."""
    counts = frame[column].replace("", "(blank)").value_counts()
    if top is not None and len(counts) > top:
        counts = pd.concat([counts.iloc[:top], pd.Series({"(all others)": counts.iloc[top:].sum()})])
    table = counts.rename_axis(column).reset_index(name="count")
    table["share"] = table["count"] / max(int(table["count"].sum()), 1)
    return table


def moma_sample(data_root: Path | None = None) -> pd.DataFrame:
    """MoMA's 5% sample with derived columns: medium family, lithograph yes/no, decade."""
    frame = _csv(MOMA_SAMPLE, data_root)
    frame["medium_family"] = frame["Medium"].map(medium_family)
    frame["lithograph"] = frame["Medium"].map(lambda m: lithograph_label(m) or "no medium text")
    frame["decade"] = frame["Date"].map(decade_of)
    return frame


def lithograph_share_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """How many works, and what share of them lithographs, per value of `column`."""
    known = frame[frame["lithograph"].isin(["lithograph", "not_lithograph"])]
    grouped = known.groupby(column, dropna=True)["lithograph"]
    table = pd.DataFrame({
        "works": grouped.size(),
        "lithographs": grouped.apply(lambda s: int((s == "lithograph").sum())),
    }).reset_index()
    table["lithograph_share"] = table["lithographs"] / table["works"]
    return table


def met_sample(data_root: Path | None = None) -> pd.DataFrame:
    """The MET Open Access sample with medium family and decade columns."""
    frame = _csv(MET_SAMPLE, data_root)
    frame["medium_family"] = frame["Medium"].map(medium_family)
    frame["decade"] = frame["Object Begin Date"].map(decade_of)
    return frame


def mame_index(data_root: Path | None = None) -> pd.DataFrame:
    """MAMe's 37,407 objects: medium (29 expert labels), museum, subset."""
    return _csv(MAME_INDEX, data_root)


def training_counts(task: str, card: ModelCard | None = None, data_root: Path | None = None) -> pd.DataFrame:
    """Images per class and source for one task (long form: class, source, count).
    Sources are the collections ("peopleart", not "peopleart:Cubism").

    From the model card when there is one (what the model was trained and tested on),
    else from the task's labels CSV in the data cache.
    """
    if card is not None and card.source_counts:
        rows = [{"class": cls, "source": src.split(":")[0], "count": int(n)}
                for src, per_class in card.source_counts.items() for cls, n in per_class.items() if n]
    else:
        labels = _csv(get_task(task).labels_csv, data_root)
        source = labels["source"].str.split(":").str[0] if "source" in labels else "unknown"
        grouped = labels.assign(source=source).groupby(["label", "source"]).size()
        rows = [{"class": cls, "source": src, "count": int(n)} for (cls, src), n in grouped.items()]
    frame = pd.DataFrame(rows, columns=["class", "source", "count"])
    return frame.groupby(["class", "source"], as_index=False, sort=False)["count"].sum()


def class_totals(long_counts: pd.DataFrame) -> pd.DataFrame:
    """Per class: images and share of the task, largest first."""
    totals = long_counts.groupby("class")["count"].sum().sort_values(ascending=False)
    table = totals.reset_index()
    table["share"] = table["count"] / max(int(table["count"].sum()), 1)
    return table


def imbalance_notes(card: ModelCard, long_counts: pd.DataFrame, max_notes: int = 3) -> list[str]:
    """Plain sentences where a small class goes with weak recall on held-out data.

    A class is noted when it holds less than half an even share of the training
    images and its recall is below the model's balanced accuracy.
    """
    totals = class_totals(long_counts).set_index("class")
    if totals.empty:
        return []
    even_share = 1.0 / len(card.classes)
    notes = []
    for cls, figures in sorted(card.metrics.per_class.items(), key=lambda kv: kv[1].get("recall", 1.0)):
        share = float(totals["share"].get(cls, 0.0))
        recall = float(figures.get("recall", 1.0))
        if share < even_share / 2 and recall < card.metrics.balanced_accuracy:
            notes.append(
                f"{pretty(cls)} is only {share:.0%} of the {card.task} training images "
                f"(an even share would be {even_share:.0%}); the model finds {recall:.0%} of them on held-out data."
            )
    sources = source_notes(long_counts)
    return (notes + sources)[:max_notes]


def source_notes(long_counts: pd.DataFrame) -> list[str]:
    """Sources that alone supply (90% or more of) some classes: the model may learn the
    source (its frames, sizes, colours) instead of the class. One sentence per source."""
    if long_counts["source"].nunique() < 2:
        return []
    by_source: dict[str, list[str]] = {}
    for cls, group in long_counts.groupby("class"):
        total = group["count"].sum()
        top = group.sort_values("count", ascending=False).iloc[0]
        if total and top["count"] / total >= 0.9:
            by_source.setdefault(str(top["source"]), []).append(pretty(str(cls)))
    return [
        f"{_join(classes)} {'comes' if len(classes) == 1 else 'come'} (almost) only from {collection_name(source)}, "
        "so the model may be recognising that source rather than the class."
        for source, classes in sorted(by_source.items(), key=lambda kv: -len(kv[1]))
    ]


def named_sources(long_counts: pd.DataFrame) -> pd.DataFrame:
    """The long counts with each source as a visitor reads it ('WikiArt', not 'wikiart224'), for a
    chart's legend; training_counts keeps the tags, which the notes and the tests group by."""
    return long_counts.assign(source=long_counts["source"].map(collection_title))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def training_view(task: str, card: ModelCard | None) -> tuple[go.Figure, str]:
    """Images per class and source for one model (a bar figure) and its notes as a markdown list:
    where a small or single-source class may explain the model's mistakes."""
    long_counts = training_counts(task, card)
    if long_counts.empty:
        raise ArtdemoError(f"There are no counts for the {task!r} task: no model card and no labels CSV.")
    figure = charts.balance_bars(named_sources(long_counts), "class", "count", colour="source",
                                 title=f"{task_title(task)}: images per class and source")
    notes = imbalance_notes(card, long_counts) if card else source_notes(long_counts)
    return figure, "\n".join(f"- {n}" for n in notes) or "No class stands out as small or single-source."
