"""Classify: pick an artwork, see every model's answer beside the museum's label."""

import streamlit as st

from artdemo import config
from artdemo.app import artworks, inference, session, words
from artdemo.app.gallery import gallery_sample
from artdemo.tasks import TASKS
from artdemo.ui import widgets
from artdemo.ui.cache import cache_image
from artdemo.ui.errors import place_in_line, shown_errors

LAST_UPLOAD = "artdemo_last_upload"
LAST_CAMERA = "artdemo_last_camera"
state = st.session_state

st.title("How does a machine see this artwork?")
st.caption("Pick an artwork, or photograph one on the wall. Four small neural networks say what they think "
           "it is; the museum's own label is shown beside their answers where we know it.")
widgets.warm_note()


def predict_current() -> None:
    """Every model's answer for what the models see now (the crop, or the whole picture)."""
    with place_in_line() as on_wait:
        predictions = inference.predict(session.current_rgb(state), session=session.session_id(state),
                                        on_wait=on_wait)
    session.set_predictions(state, predictions)


def load(get_object, spinner: str = "Reading the image…") -> None:
    """Fetch an artwork, make it current and predict, showing any failure as a message.
    `get_object` returns an ArtObject, or (ArtObject, notice) when it fell back to the cache."""
    before = session.current_object(state)
    with shown_errors("getting that artwork"):
        with st.spinner(spinner):
            got = get_object()
        obj, notice = got if isinstance(got, tuple) else (got, None)
        session.set_object(state, obj)
        if notice:
            st.warning(notice, icon=":material/wifi_off:")
        predict_current()
    if before is not None and session.current_object(state) is before:
        st.caption(words.STILL_PREVIOUS)


def fetch(source: str) -> None:
    load(lambda: artworks.random_artwork(source), f"Fetching an artwork from {words.SOURCE_SHORT[source]}…")


offline = config.offline()
random_tab, upload_tab, url_tab = st.tabs([":material/casino: Random artwork", ":material/upload: Upload or camera", ":material/link: Image URL"])
with random_tab:
    met_col, moma_col, cache_col = st.columns(3)
    needs_net = "Needs internet: the app is offline (ARTDEMO_OFFLINE=1). The collection cache still works."
    if met_col.button(words.random_button("met"), key="btn_met", disabled=offline,
                      help=needs_net if offline else None, width="stretch"):
        fetch("met")
    if moma_col.button(words.random_button("moma"), key="btn_moma", disabled=offline,
                       help=needs_net if offline else None, width="stretch"):
        fetch("moma")
    if cache_col.button(words.random_button("cache"), key="btn_cache", type="primary", width="stretch"):
        fetch("cache")
    if offline:
        st.caption(":material/wifi_off: The MET and MoMA buttons need internet; the app is offline. "
                   "The collection cache works without it.")
    with st.expander("Browse the collection cache", icon=":material/photo_library:"), \
            shown_errors("reading the collection cache"):
        pick_task, pick_label, shuffle = st.columns([2, 2, 1], vertical_alignment="bottom")
        g_task = pick_task.selectbox("Labelled for", list(TASKS), format_func=lambda t: TASKS[t].title, key="gal_task")
        g_label = pick_label.selectbox("Class", ["any"] + list(TASKS[g_task].classes), key="gal_label",
                                       format_func=words.pretty)
        if shuffle.button("Shuffle", key="gal_shuffle"):
            st.session_state["gal_seed"] = st.session_state.get("gal_seed", 0) + 1
        rows = gallery_sample(g_task, None if g_label == "any" else g_label, 8, st.session_state.get("gal_seed", 0))
        grid = st.columns(8)
        for n, row in enumerate(rows):
            with grid[n]:
                thumb = cache_image(row.path)
                if thumb is not None:
                    st.image(thumb, width="stretch",
                             alt=f"Collection image {n + 1}, labelled {words.pretty(row.label)} for {TASKS[g_task].title}")
                if st.button("Classify", key=f"gal_pick_{n}", width="stretch"):
                    load(lambda: artworks.from_cache_path(row.path))

with upload_tab:
    upload = st.file_uploader("Drop an image here, or browse", type=None, key="upload",
                              help="JPEG, PNG, WebP or GIF, up to 20 MB.")
    if upload is not None and st.session_state.get(LAST_UPLOAD) != upload.file_id:
        st.session_state[LAST_UPLOAD] = upload.file_id
        load(lambda: artworks.from_upload(upload.getvalue(), upload.name))
    with st.expander("Use your camera (phones and tablets)", icon=":material/photo_camera:"):
        st.caption("Photograph a work on the wall: the app finds the artwork inside its frame "
                   "and shows you what the models looked at.")
        photo = st.camera_input("Take a photo of an artwork", key="camera")
        if photo is not None and st.session_state.get(LAST_CAMERA) != photo.file_id:
            st.session_state[LAST_CAMERA] = photo.file_id
            load(lambda: artworks.from_upload(photo.getvalue(), "camera.jpg"))

with url_tab:
    with st.form("url_form", border=False):
        url = st.text_input("Image address (https://…)", key="url", placeholder="https://example.org/painting.jpg")
        go = st.form_submit_button("Look at this image")
    if go:
        if not url.strip():
            st.warning("Please paste the address of an image first.")
        elif offline:
            st.error("The app is offline (ARTDEMO_OFFLINE=1), so it can't download images. Try the collection cache.")
        else:
            load(lambda: artworks.from_url(url), "Downloading the image…")

obj = session.current_object(state)
if obj is None:
    st.info(words.NO_ARTWORK_YET)
    st.stop()

picture, answers = st.columns([4, 7], gap="large")
with picture:
    framing = session.current_framing(state)
    if widgets.show_framing(framing, artworks.title(obj), key="btn_whole_picture"):
        with shown_errors("looking again"):
            if widgets.apply_framing_switch(state, framing):
                predict_current()
            st.rerun()
    widgets.show_record(obj)
    st.page_link("pages/machine_sees.py", label="See how the machine sees it →", icon=":material/visibility:")
with answers, shown_errors("showing the answers"):
    predictions = session.current_predictions(state)
    if predictions:
        widgets.show_predictions(obj, predictions, session.verdicts(obj, predictions), key_prefix="bars")
    else:
        st.info("No predictions for this artwork yet.")
        if st.button("Try the models again", key="btn_retry"):
            with shown_errors("asking the models again"):
                predict_current()
                st.rerun()

with st.sidebar:
    widgets.show_tally(state)
