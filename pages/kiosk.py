"""Kiosk: a full-screen attract loop for a museum floor. Never shows a stack trace."""

import logging
import time

import streamlit as st

from artdemo.app import kiosk, words
from artdemo.ui import widgets
from artdemo.ui.cache import kiosk_workers

log = logging.getLogger("artdemo.app.kiosk")
STATE = "artdemo_kiosk"
PREFETCH = "artdemo_kiosk_prefetch"
INTERVAL = kiosk.interval_seconds()
IDLE = kiosk.idle_timeout_seconds()

widgets.kiosk_type()
st.session_state.setdefault(STATE, kiosk.KioskState())
st.session_state.setdefault(PREFETCH, kiosk.Prefetch(kiosk_workers(), kiosk.build_item))


def on_touch() -> None:
    st.session_state[STATE] = kiosk.touch(st.session_state[STATE], time.time())


def on_next() -> None:
    st.session_state[STATE] = kiosk.skip(st.session_state[STATE], time.time())


def show(item: kiosk.KioskItem, state: kiosk.KioskState) -> None:
    picture, seen = st.columns([3, 2], gap="large")
    with picture.container(key="kiosk_art"):
        st.image(item.rgb, width="stretch", alt=f"The artwork: {item.title}")
        st.markdown(f"### {item.title}" + (f" — {item.obj.artist}" if item.obj.artist else ""))
        if item.note:
            st.markdown(item.note)
        controls()
    with seen:
        if item.prediction is None:
            st.markdown(f"### {words.NONE_IN_SCOPE}")
        else:
            show_answer(item)
    st.markdown(f"Artwork {state.shown} of the loop")


def show_answer(item: kiosk.KioskItem) -> None:
    """The one question asked of this artwork (a model that finds it in scope), its answer and where it looked."""
    pred = item.prediction
    st.markdown(f"### {item.question}")
    st.markdown(f"# {words.pretty(pred.predicted)}")
    verdict = words.KIOSK_VERDICT.get(pred.route, words.route_word(pred.route))
    st.markdown(f"**{verdict} ({words.confidence(pred.confidence)})**")
    truth = item.obj.labels.get(item.task)
    if truth:
        colour = "green" if truth == pred.predicted else "red"
        st.markdown(f"**:{colour}[{words.kiosk_verdict(truth, pred.predicted)}]**")
    if item.overlay is not None:
        with st.container(key="kiosk_map"):
            st.image(item.overlay, width="stretch", alt=f"Where the machine looked to answer: {item.title}")
        st.markdown("The warm colours show where the machine looked to decide.")


def controls() -> None:
    """Two big touch targets: pause on this artwork, or see another one now."""
    left, right = st.columns(2)
    left.button("Show me another one", on_click=on_next, key="kiosk_next", type="primary", width="stretch")
    right.button("Stay on this one", on_click=on_touch, key="kiosk_stay", width="stretch")


@st.fragment(run_every=min(INTERVAL, 2.0))
def attract_loop() -> None:
    try:
        state = kiosk.step(st.session_state[STATE], time.time(), st.session_state[PREFETCH],
                           interval=INTERVAL, idle_timeout=IDLE, item_id=kiosk.item_id)
        st.session_state[STATE] = state
        if state.item is not None:
            show(state.item, state)
        if state.message:
            st.markdown(f"## {kiosk.FRIENDLY_RETRY}")
        elif state.item is None:
            st.markdown("## Finding an artwork for you…")
        if state.item is None:
            controls()
    except Exception:  # a kiosk never shows a trace
        log.exception("kiosk: page failed")
        st.markdown(f"## {kiosk.FRIENDLY_RETRY}")


st.markdown("## How does a machine see art?")
if not st.session_state.get("artdemo_kiosk_mode"):
    st.link_button("Open full screen, without menus (for a museum screen)", "?kiosk=1",
                   icon=":material/fullscreen:")
attract_loop()
