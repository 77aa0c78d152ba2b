"""Layout pieces more than one page draws: an artwork's record, a model's answer
beside the museum's label, the session tally, and the kiosk's styling."""

from __future__ import annotations

import streamlit as st

from artdemo.app import charts
from artdemo.app import session as ui_state
from artdemo.sources.records import ArtObject
from artdemo.tasks import TASKS

SOURCE_NAMES = {"met": "The Metropolitan Museum of Art", "moma": "The Museum of Modern Art",
                "cache": "the local collection cache", "upload": "your upload", "url": "an image on the web"}


def show_record(obj: ArtObject) -> None:
    """Title, artist, date, medium and the link to the museum's page."""
    st.subheader(obj.title or "Untitled")
    facts = [("Artist", obj.artist), ("Date", obj.date), ("Medium", obj.medium),
             # the cache keeps the image set's name where a museum keeps its classification
             ("Image set" if obj.source == "cache" else "Classification", obj.classification),
             ("Department", obj.department)]
    lines = [f"**{name}:** {value}" for name, value in facts if value]
    lines.append(f"**From:** {SOURCE_NAMES.get(obj.source, obj.source)}")
    if obj.public_domain is not None:
        lines.append("**Rights:** " + ("public domain" if obj.public_domain else "see the museum's terms"))
    st.markdown("  \n".join(lines))
    if obj.page_url:
        st.link_button("Open the museum's page ↗", obj.page_url)
    if obj.labels:
        known = ", ".join(f"{TASKS[t].title if t in TASKS else t}: {lbl.replace('_', ' ')}" for t, lbl in obj.labels.items())
        st.caption(f"The museum's own labels: {known}")


def route_badge(route: str) -> str:
    text = ui_state.ROUTE_TEXT.get(route, route)
    return f":green-badge[{text}]" if route == "auto" else f":orange-badge[{text}]"


def show_prediction(task: str, pred: object, verdict: ui_state.Verdict, key: str) -> None:
    """One model's answer: the question, the answer and its route, the museum label
    (right or wrong), the probability bars and the model's scope."""
    meta = TASKS.get(task)
    st.markdown(f"#### {meta.title if meta else task}")
    if meta:
        st.caption(meta.question)
    answer = pred.predicted.replace("_", " ")
    st.markdown(f"**{answer}** · {pred.confidence:.0%} · {route_badge(pred.route)}")
    if verdict.truth is not None:
        st.markdown(f"Museum label: **{verdict.truth.replace('_', ' ')}** — {verdict.mark()}")
    fig = charts.probability_bars(pred.classes, pred.probabilities, pred.predicted, verdict.truth)
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})
    if pred.route != "auto":
        st.caption(f"Below {pred.threshold:.0%} confidence this model asks a curator rather than answer alone.")
    if pred.scope:
        st.caption(f"Scope: {pred.scope}")


def show_predictions(obj: ArtObject, predictions: dict, verdicts: dict, key_prefix: str, columns: int = 2) -> None:
    cols = st.columns(columns)
    for i, (task, pred) in enumerate(predictions.items()):
        with cols[i % columns]:
            show_prediction(task, pred, verdicts[task], key=f"{key_prefix}_{task}")


def show_tally(state: object) -> None:
    counts = ui_state.tally(state)
    total = counts["right"] + counts["wrong"]
    st.markdown("**This session**")
    left, right = st.columns(2)
    left.metric("Right", counts["right"])
    right.metric("Wrong", counts["wrong"])
    if total:
        st.caption(f"{counts['right'] / total:.0%} right over {total} answers on labelled artworks.")
    else:
        st.caption("Answers on artworks with a museum label are counted here.")


HIDE_CHROME = """
<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"], footer {display: none !important;}
.block-container {padding-top: 1rem; max-width: 100%;}
</style>
"""

KIOSK_TYPE = """
<style>
html, body, [data-testid="stAppViewContainer"] {font-size: 22px;}
h1 {font-size: 2.6rem !important;} h2 {font-size: 2rem !important;} h3 {font-size: 1.6rem !important;}
.stButton button, .stLinkButton a {min-height: 64px; min-width: 64px; font-size: 1.4rem; padding: 0.6rem 1.6rem;}
[data-stale="true"] {opacity: 1 !important; transition: none !important;}  /* no fading on each tick */
.st-key-kiosk_art [data-testid="stImage"] img {height: 50vh; width: 100% !important; object-fit: contain;}
.st-key-kiosk_map [data-testid="stImage"] img {height: 26vh; width: 100% !important; object-fit: contain;}
</style>
"""


def hide_chrome() -> None:
    """No sidebar, header, toolbar or footer (the kiosk)."""
    st.html(HIDE_CHROME)


def kiosk_type() -> None:
    """Large type and touch targets of at least 48 px."""
    st.html(KIOSK_TYPE)
