"""How the machine sees: saliency maps, first-layer filters and the patch it relies on."""

import numpy as np
import streamlit as st

from artdemo.ui import support as support
from artdemo.app import session as ui_state
from artdemo.tasks import TASKS

METHODS = {"gradcam": "Grad-CAM", "integrated_gradients": "Integrated gradients", "occlusion": "Occlusion"}

st.title("How the machine sees")
st.caption("Where in the picture did the model look? Three different ways of asking, "
           "and the very first things the network picks out.")

obj = ui_state.current_object(st.session_state)
rgb = ui_state.current_rgb(st.session_state)
if obj is None or rgb is None:
    st.info("Pick an artwork first.")
    st.page_link("pages/classify.py", label="Go to Classify", icon=":material/palette:")
    if st.button("Or show me one from the collection cache", key="sees_random", type="primary"):
        with support.shown_errors("getting an artwork"):
            ui_state.set_object(st.session_state, support.fetch_object("cache")[0])
            st.rerun()
    st.stop()

explain_pkg = support.optional_module("artdemo.explain")
xviews = support.optional_module("artdemo.explain.views")
predictor = support.optional_module("artdemo.models.predictor")
if explain_pkg is None or xviews is None or predictor is None or not hasattr(explain_pkg, "explain"):
    support.not_available("The explanations")
    st.stop()

with support.shown_errors("loading the models"):
    tasks = support.ready_tasks()
if not tasks:
    st.error("No trained model was found. Train them with `python -m artdemo train all`.")
    st.stop()

if ui_state.current_predictions(st.session_state) is None:
    with support.shown_errors("classifying the artwork"):
        ui_state.set_predictions(st.session_state, support.predict(rgb))

head, pick_task, pick_class = st.columns([2, 2, 2])
head.image(rgb, caption=obj.title or "the current artwork", width=160)
task = pick_task.selectbox("Model", tasks, format_func=lambda t: TASKS[t].title if t in TASKS else t, key="sees_task")
classes = list(TASKS[task].classes) if task in TASKS else []
preds = ui_state.current_predictions(st.session_state) or {}
if task in preds:
    classes = list(preds[task].classes)
default = ui_state.default_class(st.session_state, task, classes)
class_key = f"sees_class_{task}"
if st.session_state.get(class_key) not in classes:
    st.session_state[class_key] = default
class_name = pick_class.selectbox("Explain the answer", classes, key=class_key,
                                  format_func=lambda c: c.replace("_", " ") + ("  (predicted)" if c == default else ""))
opacity = st.slider("Heat-map opacity", 0.0, 1.0, 0.5, 0.05, key="sees_opacity")

with support.shown_errors("preparing the picture"):
    base = np.clip(predictor.model_input(rgb), 0, 255).astype(np.uint8)
    heats = {}
    columns = st.columns(3)
    for column, (method, title) in zip(columns, METHODS.items()):
        with column:
            st.markdown(f"#### {title}")
            with st.spinner(f"Computing {title.lower()}…"), support.shown_errors(f"computing {title}"):
                heats[method] = explain_pkg.explain(rgb, task, class_name, method)
                st.image(xviews.overlay(base, heats[method], opacity), width="stretch")
            st.caption(xviews.CAPTIONS.get(method, ""))

    st.divider()
    patch_col, filters_col, acts_col = st.columns([1, 1, 2])
    with patch_col:
        st.markdown("#### The patch it relies on most")
        if "gradcam" in heats:
            with support.shown_errors("finding the top patch"):
                st.image(xviews.top_patch(base, heats["gradcam"]), width="stretch")
        st.caption(xviews.CAPTIONS.get("top_patch", "The square of the picture where Grad-CAM is hottest, enlarged."))
    with filters_col:
        st.markdown("#### First-layer filters")
        with support.shown_errors("drawing the filters"):
            st.image(xviews.first_layer_filters(), width="stretch")
        st.caption(xviews.CAPTIONS.get("filters", "The 32 tiny 3×3 colour patterns the network's first layer looks for."))
    with acts_col:
        st.markdown("#### What the first layer picks out")
        with support.shown_errors("computing the first layer"):
            st.image(xviews.first_layer_activations(rgb), width="stretch")
        st.caption(xviews.CAPTIONS.get("activations", "Where each first-layer filter responds in this picture."))

if task in ("lithograph", "medium") and hasattr(xviews, "print_texture"):
    st.divider()
    st.markdown("#### Print texture: the marks at full resolution")
    if st.toggle("Look closer at the marks (takes a few seconds)", key="sees_texture"):
        with st.spinner("Looking at the marks…"), support.shown_errors("looking at the print texture"):
            texture = xviews.print_texture(rgb, task, class_name)
            cam, occ = texture.overlays(opacity)
            crop_col, cam_col, occ_col = st.columns(3)
            crop_col.image(texture.crop, caption=f"The piece: {texture.probability:.0%} {class_name.replace('_', ' ')}",
                           width="stretch")
            cam_col.image(cam, caption="Grad-CAM on the piece", width="stretch")
            occ_col.image(occ, caption="Occlusion on the piece", width="stretch")
    st.caption(xviews.CAPTIONS.get("print_texture", ""))
