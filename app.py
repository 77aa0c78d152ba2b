"""artdemo: how machines see art. `streamlit run app.py`

This file only declares the pages; each page lays out widgets and calls the
artdemo package. `?kiosk=1` opens the kiosk alone, full screen, without the
sidebar or developer chrome. The first run in a server process starts loading
the models in the background (artdemo.app.service), so the first visitor's
click doesn't pay for it.
"""

import logging

import streamlit as st

from artdemo.app import inference
from artdemo.ui import widgets
from artdemo.ui.keras_state import keep_keras_state
from artdemo.app.priority import yield_to_models

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
yield_to_models()  # this run's page drawing comes after every visitor's model answers
keep_keras_state()  # the models are shared by every session: no Keras reset after each run
inference.start_warmup()  # once per process: later calls do nothing

KIOSK_FLAG = "artdemo_kiosk_mode"
if st.query_params.get("kiosk") == "1":
    st.session_state[KIOSK_FLAG] = True
kiosk_mode = bool(st.session_state.get(KIOSK_FLAG))

st.set_page_config(
    page_title="How machines see art",
    page_icon="🖼️",
    layout="wide",
    initial_sidebar_state="collapsed" if kiosk_mode else "auto",
)

classify = st.Page("pages/classify.py", title="Classify", icon=":material/palette:", default=not kiosk_mode)
sees = st.Page("pages/machine_sees.py", title="How the machine sees", icon=":material/visibility:", url_path="how-the-machine-sees")
confusion = st.Page("pages/confusion.py", title="Confusion explorer", icon=":material/grid_on:", url_path="confusion-explorer")
balance = st.Page("pages/balance.py", title="Class balance", icon=":material/balance:", url_path="class-balance")
kiosk = st.Page("pages/kiosk.py", title="Kiosk", icon=":material/tv:", url_path="kiosk", default=kiosk_mode)
audit = st.Page("pages/audit.py", title="Audit", icon=":material/fact_check:", url_path="audit")
about = st.Page("pages/about.py", title="About", icon=":material/info:", url_path="about")

if kiosk_mode:
    widgets.hide_chrome()
    page = st.navigation([kiosk], position="hidden")
else:
    page = st.navigation([classify, sees, confusion, balance, kiosk, audit, about])
page.run()
