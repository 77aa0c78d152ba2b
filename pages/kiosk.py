"""Kiosk: a full-screen attract loop for a museum floor. Never shows a stack trace."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import streamlit as st

from artdemo.ui import support as support
from artdemo.ui import widgets as views
from artdemo.app import kiosk
from artdemo.tasks import TASKS

log = logging.getLogger("artdemo.app.kiosk")
STATE = "artdemo_kiosk"
INTERVAL = kiosk.interval_seconds()
IDLE = kiosk.idle_timeout_seconds()

PREFETCH = "artdemo_kiosk_prefetch"


@st.cache_resource
def workers() -> ThreadPoolExecutor:
    """Threads that prepare the next artwork, shared by all kiosk sessions."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk")


views.kiosk_type()
st.session_state.setdefault(STATE, kiosk.KioskState())
st.session_state.setdefault(PREFETCH, kiosk.Prefetch(workers(), kiosk.build_item))


def on_touch() -> None:
    st.session_state[STATE] = kiosk.touch(st.session_state[STATE], time.time())


def on_next() -> None:
    st.session_state[STATE] = kiosk.skip(st.session_state[STATE], time.time())


def show(item: kiosk.KioskItem, state: kiosk.KioskState) -> None:
    pred, obj = item.prediction, item.obj
    meta = TASKS.get(item.task)
    picture, seen = st.columns([3, 2], gap="large")
    with picture.container(key="kiosk_art"):
        st.image(item.rgb, width="stretch")
        st.markdown(f"### {obj.title or 'Untitled'}" + (f" — {obj.artist}" if obj.artist else ""))
        controls()
    with seen:
        st.markdown(f"### {meta.question if meta else item.task}")
        st.markdown(f"# {pred.predicted.replace('_', ' ')}")
        verdict = "I'm fairly sure" if pred.route == "auto" else "I'm not sure — I'd ask a curator"
        st.markdown(f"**{verdict} ({pred.confidence:.0%})**")
        truth = obj.labels.get(item.task)
        if truth:
            mark = ":green[✓ The museum agrees.]" if truth == pred.predicted else f":red[✗ The museum says: {truth.replace('_', ' ')}.]"
            st.markdown(f"**{mark}**")
        if item.overlay is not None:
            with st.container(key="kiosk_map"):
                st.image(item.overlay, width="stretch")
            st.markdown("The warm colours show where the machine looked to decide.")
    st.caption(f"Artwork {state.shown} of the loop")


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
if any(support.optional_module(m) is None for m in ("artdemo.sources.objects", "artdemo.models.predictor")):
    support.not_available("The kiosk")
else:
    attract_loop()
