"""How the machine sees: one saliency map at a time, first-layer filters and the patch it relies on.

Only the method the visitor is looking at is computed (Grad-CAM first, the fast
one); the others when chosen. Maps are drawn over what the models saw: the
artwork's crop, or the whole picture when the visitor asked for it.
"""

import streamlit as st

from artdemo.app import artworks, explanations, inference, session, words
from artdemo.app.overlay import heat_overlay, model_view
from artdemo.explain import METHODS
from artdemo.explain.views import CAPTIONS, print_texture_caption, top_patch
from artdemo.ui import widgets
from artdemo.ui.errors import place_in_line, shown_errors

state = st.session_state

st.title("How the machine sees")
st.caption("Where in the picture did the model look? Three different ways of asking, "
           "and the very first things the network picks out.")

obj = session.current_object(state)
framing = session.current_framing(state)
if obj is None or framing is None:
    st.info("Pick an artwork first.")
    st.page_link("pages/classify.py", label="Go to Classify", icon=":material/palette:")
    if st.button("Or show me one from the collection cache", key="sees_random", type="primary"):
        with shown_errors("getting an artwork"), st.spinner("Fetching an artwork from the collection cache…"):
            session.set_object(state, artworks.random_artwork("cache")[0])
            st.rerun()
    st.stop()

widgets.warm_note()
tasks = inference.ready_tasks()
if not tasks:
    st.error(words.NO_MODELS)
    st.stop()


def predict_current() -> None:
    with shown_errors("classifying the artwork"), place_in_line() as on_wait:
        session.set_predictions(state, inference.predict(session.current_rgb(state),
                                                         session=session.session_id(state), on_wait=on_wait))


if session.current_predictions(state) is None:
    predict_current()

title = artworks.title(obj)
if framing.found_a_frame:
    with st.expander("The photo and the artwork found in it", expanded=True, icon=":material/crop:"):
        if widgets.show_framing(framing, title, key="sees_whole_picture"):
            if widgets.apply_framing_switch(state, framing):
                predict_current()
            st.rerun()
seen = framing.seen

head, pick_task, pick_class = st.columns([2, 2, 2])
head.image(model_view(seen), caption=title, width=160,
           alt=f"What the models saw of {title}, at their own 224×224 size")
task = pick_task.selectbox("Model", tasks, format_func=words.task_title, key="sees_task")
preds = session.current_predictions(state) or {}
classes = list(preds[task].classes) if task in preds else explanations.task_classes(task)
default = session.default_class(state, task, classes)
class_key = f"sees_class_{task}"
session.start_on_prediction(state, class_key, default, classes)
class_name = pick_class.selectbox("Explain the answer", classes, key=class_key,
                                  format_func=lambda c: words.pretty(c) + ("  (predicted)" if c == default else ""))
if task in preds and preds[task].route == "out_of_scope":
    st.warning(words.out_of_scope_sentence(task) + "; the map shows where it looked all the same.",
               icon=":material/help:")
method = st.radio("Method", METHODS, format_func=words.method_title, horizontal=True, key="sees_method",
                  help="Grad-CAM is the quickest; the others take a few seconds each the first time.")
opacity = st.slider("Heat-map opacity", 0.0, 1.0, 0.5, 0.05, key="sees_opacity")

map_col, patch_col = st.columns([2, 1], gap="large")
heat = None
with map_col:
    st.markdown(f"#### {words.method_title(method)}")
    with shown_errors(f"computing {words.method_title(method)}"), \
            st.spinner(f"Computing {words.method_title(method).lower()}…"), place_in_line() as on_wait:
        heat = inference.heat_map(seen, task, class_name, method, session=session.session_id(state), on_wait=on_wait)
        st.image(heat_overlay(seen, heat, opacity), width="stretch",
                 alt=f"{words.method_title(method)} map for {words.pretty(class_name)} over {title}")
    st.caption(CAPTIONS[method])
with patch_col:
    st.markdown("#### The patch it relies on most")
    if heat is not None and heat.max() > 0:
        with shown_errors("finding the top patch"):
            st.image(top_patch(model_view(seen), heat), width="stretch",
                     alt=f"The square of {title} where the {words.method_title(method)} map is hottest, enlarged")
    elif heat is not None:  # nothing raised the score for this class: an answer, not a failure
        st.info(words.EMPTY_MAP)
    st.caption(CAPTIONS["top_patch"])

st.divider()
filters_col, acts_col = st.columns([1, 2])
with filters_col:
    st.markdown("#### First-layer filters")
    with shown_errors("drawing the filters"):
        st.image(explanations.first_layer_filters(), width="stretch",
                 alt="The 32 first-layer filters of the network, as small coloured squares")
    st.caption(CAPTIONS["filters"])
with acts_col:
    st.markdown("#### What the first layer picks out")
    with shown_errors("computing the first layer"):
        st.image(explanations.first_layer_activations(seen), width="stretch",
                 alt=f"Where each of the 32 first-layer filters responds in {title}")
    st.caption(CAPTIONS["activations"])

if task in ("lithograph", "medium"):
    st.divider()
    st.markdown("#### Print texture: the marks at full resolution")
    if st.toggle("Look closer at the marks (takes a few seconds)", key="sees_texture"):
        with st.spinner("Looking at the marks…"), shown_errors("looking at the print texture"), \
                place_in_line() as on_wait:
            texture = inference.print_texture(seen, task, class_name, session=session.session_id(state),
                                              on_wait=on_wait)
            cam, occ = texture.overlays(opacity)
            crop_col, cam_col, occ_col = st.columns(3)
            crop_col.image(texture.crop,
                           caption=f"The piece: {words.confidence(texture.probability)} {words.pretty(class_name)}",
                           width="stretch", alt=f"A full-resolution piece of {title}")
            cam_col.image(cam, caption="Grad-CAM on the piece", width="stretch",
                          alt="Grad-CAM map over the piece")
            occ_col.image(occ, caption="Occlusion on the piece", width="stretch",
                          alt="Occlusion map over the piece")
    st.caption(print_texture_caption(task, words.pretty(class_name)))
