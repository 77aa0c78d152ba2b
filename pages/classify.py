"""Classify: pick an artwork, see every model's answer beside the museum's label."""

import streamlit as st

from artdemo.ui import support as support
from artdemo.ui import widgets as views
from artdemo import config
from artdemo.app import session as ui_state
from artdemo.app.gallery import gallery_sample
from artdemo.tasks import TASKS

LAST_UPLOAD = "artdemo_last_upload"
LAST_CAMERA = "artdemo_last_camera"

st.title("How does a machine see this artwork?")
st.caption("Pick an artwork. Four small neural networks say what they think it is; "
           "the museum's own label is shown beside their answers where we know it.")


def load(get_object) -> None:
    """Fetch an artwork, make it current and predict, showing any failure as a message.
    `get_object` returns an ArtObject, or (ArtObject, notice) when it fell back to the cache."""
    with support.shown_errors("getting that artwork"):
        got = get_object()
        obj, notice = got if isinstance(got, tuple) else (got, None)
        ui_state.set_object(st.session_state, obj)
        if notice:
            st.warning(notice, icon=":material/wifi_off:")
        ui_state.set_predictions(st.session_state, support.predict(ui_state.current_rgb(st.session_state)))


offline = config.offline()
random_tab, upload_tab, url_tab = st.tabs([":material/casino: Random artwork", ":material/upload: Upload or camera", ":material/link: Image URL"])
with random_tab:
    met_col, moma_col, cache_col = st.columns(3)
    needs_net = "Needs internet: the app is offline (ARTDEMO_OFFLINE=1). The collection cache still works."
    if met_col.button("Random from the MET", key="btn_met", disabled=offline, help=needs_net if offline else None,
                      width="stretch"):
        load(lambda: support.fetch_object("met"))
    if moma_col.button("Random from MoMA", key="btn_moma", disabled=offline, help=needs_net if offline else None,
                       width="stretch"):
        load(lambda: support.fetch_object("moma"))
    if cache_col.button("Random from the collection cache", key="btn_cache", type="primary", width="stretch"):
        load(lambda: support.fetch_object("cache"))
    if offline:
        st.caption(":material/wifi_off: The MET and MoMA buttons need internet; the app is offline. "
                   "The collection cache works without it.")
    with st.expander("Browse the collection cache", icon=":material/photo_library:"), support.shown_errors("reading the collection cache"):
        pick_task, pick_label, shuffle = st.columns([2, 2, 1], vertical_alignment="bottom")
        g_task = pick_task.selectbox("Labelled for", list(TASKS), format_func=lambda t: TASKS[t].title, key="gal_task")
        g_label = pick_label.selectbox("Class", ["any"] + list(TASKS[g_task].classes), key="gal_label",
                                       format_func=lambda c: c.replace("_", " "))
        if shuffle.button("Shuffle", key="gal_shuffle"):
            st.session_state["gal_seed"] = st.session_state.get("gal_seed", 0) + 1
        rows = gallery_sample(g_task, None if g_label == "any" else g_label, 8, st.session_state.get("gal_seed", 0))
        grid = st.columns(8)
        for n, row in enumerate(rows):
            with grid[n]:
                thumb = support.cache_image(row.path)
                if thumb is not None:
                    st.image(thumb, width="stretch")
                if st.button("Classify", key=f"gal_pick_{n}", width="stretch"):
                    load(lambda: support.object_from("cache_path", row.path))

with upload_tab:
    upload = st.file_uploader("Drop an image here, or browse", type=None, key="upload",
                              help="JPEG, PNG, WebP or GIF, up to 20 MB.")
    if upload is not None and st.session_state.get(LAST_UPLOAD) != upload.file_id:
        st.session_state[LAST_UPLOAD] = upload.file_id
        load(lambda: support.object_from("upload", upload.getvalue(), upload.name))
    with st.expander("Use your camera (phones and tablets)", icon=":material/photo_camera:"):
        photo = st.camera_input("Take a photo of an artwork", key="camera")
        if photo is not None and st.session_state.get(LAST_CAMERA) != photo.file_id:
            st.session_state[LAST_CAMERA] = photo.file_id
            load(lambda: support.object_from("upload", photo.getvalue(), "camera.jpg"))

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
            load(lambda: support.object_from("url", url.strip()))

obj = ui_state.current_object(st.session_state)
if obj is None:
    st.info("No artwork yet: press **Random from the collection cache** to begin.")
    st.stop()

picture, answers = st.columns([4, 7], gap="large")
with picture:
    st.image(ui_state.current_rgb(st.session_state), width="stretch")
    views.show_record(obj)
    st.page_link("pages/machine_sees.py", label="See how the machine sees it →", icon=":material/visibility:")
with answers, support.shown_errors("showing the answers"):
    predictions = ui_state.current_predictions(st.session_state)
    if predictions:
        views.show_predictions(obj, predictions, ui_state.verdicts(obj, predictions), key_prefix="bars")
    else:
        st.info("No predictions for this artwork yet.")
        if st.button("Try the models again", key="btn_retry"):
            load(lambda: obj)
            st.rerun()

with st.sidebar:
    views.show_tally(st.session_state)
