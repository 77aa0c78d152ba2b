"""Layout pieces more than one page draws: an artwork's record, the artwork found in a photo,
a model's answer beside the museum's label, the session tally, notes, and the kiosk's styling.

Streamlit only: what these show (titles, wording, figures) comes from artdemo.app.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import streamlit as st

from artdemo.app import artworks, charts, inference, session, words
from artdemo.app.framing import Framing
from artdemo.app.warmup import GETTING_READY
from artdemo.models.predictor import Prediction
from artdemo.sources.records import ArtObject

ROUTE_COLOURS = {"auto": "green", "review": "orange", "out_of_scope": "gray"}


def show_record(obj: ArtObject) -> None:
    """Title (never a file name), artist, date, medium, where it comes from, and the record's link."""
    st.subheader(artworks.title(obj))
    lines = [f"**{name}:** {value}" for name, value in artworks.facts(obj)]
    lines.append(f"**From:** {artworks.provenance(obj)}")
    if obj.public_domain is not None:
        lines.append("**Rights:** " + ("public domain" if obj.public_domain else "see the museum's terms"))
    st.markdown("  \n".join(lines))
    if obj.page_url:
        st.link_button("Open the museum's record ↗", obj.page_url)
    labels = artworks.museum_labels(obj)
    if labels:
        st.caption(f"The museum's own labels: {labels}")


def show_framing(framing: Framing, title: str, key: str) -> bool:
    """The picture as the models used it: the photo with the outline of the artwork found and the
    crop the models saw, or the picture alone when it passed through (or the visitor asked for all
    of it); the note saying which, and the one-click switch. Returns True when the switch was clicked."""
    if not framing.found_a_frame:
        st.image(framing.photo, width="stretch", alt=f"The picture: {title}")
        return False
    if framing.cropped:
        photo_col, crop_col = st.columns([3, 2])
        photo_col.image(framing.outlined(), width="stretch", caption="Your picture, with the artwork's outline",
                        alt=f"The picture of {title}, with the outline of the artwork found in it")
        crop_col.image(framing.seen, width="stretch", caption="What the models saw",
                       alt=f"What the models looked at: {title}, cut out of the picture and straightened")
    else:  # the same column as the photo above, so the switch keeps the page's layout and height
        st.columns([3, 2])[0].image(framing.photo, width="stretch",
                                    alt=f"The whole picture of {title}, as the models saw it")
    st.markdown(framing.note())
    label = words.USE_WHOLE if framing.cropped else words.USE_CROP
    return st.button(label, key=key, icon=":material/crop_free:" if framing.cropped else ":material/crop:")


def apply_framing_switch(state: MutableMapping[str, Any], framing: Framing) -> bool:
    """Flip between the crop and the whole picture; True when what the models see changed."""
    return session.use_whole_picture(state, not framing.whole)


def route_badge(route: str) -> str:
    return f":{ROUTE_COLOURS.get(route, 'gray')}-badge[{words.route_word(route)}]"


def show_prediction(task: str, pred: Prediction, verdict: session.Verdict, key: str) -> None:
    """One model's answer: the question, the answer and its route, the museum label (right or
    wrong), the probability bars, why it is unsure or only a guess, and the model's scope."""
    st.markdown(f"#### {words.task_title(task)}")
    if words.task_question(task):
        st.caption(words.task_question(task))
    st.markdown(f"**{words.pretty(pred.predicted)}** · {words.confidence(pred.confidence)} · "
                f"{route_badge(pred.route)}")
    if pred.route == "out_of_scope":
        st.warning(words.route_note(task, pred.route, pred.threshold), icon=":material/help:")
    if verdict.truth is not None:
        colour = "green" if verdict.correct else "red"
        st.markdown(f"Museum label: **{words.pretty(verdict.truth)}** — :{colour}[**{verdict.mark()}**]")
    fig = charts.probability_bars(pred.classes, pred.probabilities, pred.predicted, verdict.truth)
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})
    if pred.route == "review":
        st.caption(words.route_note(task, pred.route, pred.threshold))
    if pred.scope:
        st.caption(f"Scope: {pred.scope}")


def show_predictions(obj: ArtObject, predictions: dict[str, Prediction], verdicts: dict[str, session.Verdict],
                     key_prefix: str, columns: int = 2) -> None:
    cols = st.columns(columns)
    for i, (task, pred) in enumerate(predictions.items()):
        with cols[i % columns]:
            show_prediction(task, pred, verdicts[task], key=f"{key_prefix}_{task}")


def show_tally(state: MutableMapping[str, Any]) -> None:
    counts = session.tally(state)
    total = counts["right"] + counts["wrong"]
    st.markdown("**This session**")
    left, right = st.columns(2)
    left.metric("Right", counts["right"])
    right.metric("Wrong", counts["wrong"])
    if total:
        st.caption(f"{counts['right'] / total:.0%} right over {total} answers on labelled artworks.")
    else:
        st.caption("Answers on artworks with a museum label are counted here.")


def warm_note() -> None:
    """A short 'getting ready' note while the models load after a server start."""
    if inference.warming_up():
        st.info(GETTING_READY, icon=":material/hourglass_top:")


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
