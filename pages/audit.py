"""Audit: open a finished catalogue audit (python -m artdemo audit) and act on it."""

import os

import numpy as np
import streamlit as st

from artdemo.audit import results
from artdemo.errors import ArtdemoError
from artdemo.ui.cache import cache_image
from artdemo.ui.errors import shown_errors

ANY = "any"
AGREEMENT_LABELS = {ANY: "any", "agrees": "agrees with the museum", "disagrees": "disagrees with the museum",
                    "no_label": "museum gives no label"}
nice = lambda text: str(text).replace("_", " ")  # noqa: E731


@st.cache_data(show_spinner="Reading the audit…", max_entries=4)
def _open(folder: str, stamp: float) -> results.AuditFolder:
    return results.open_audit(folder)


def _stamp(folder: str) -> float:
    report = os.path.join(folder, "report.json")
    return os.path.getmtime(report) if os.path.isfile(report) else 0.0


def _gradcam(path: str, task: str, class_name: str, find_mode: str) -> np.ndarray:
    """Grad-CAM over the picture the audit classified (the found artwork when the run cropped it)."""
    from artdemo.app import inference, overlay  # TensorFlow: only once a map is asked for
    from artdemo.audit.images import artwork_finder

    rgb = results.picture(path)
    finder = artwork_finder(find_mode)
    seen = finder(rgb) if finder is not None else rgb
    return overlay.heat_overlay(seen, inference.heat_map(seen, task, class_name, "gradcam"))


def _show_error(row, n: int, with_gradcam: bool, find_mode: str) -> None:
    title = row["title"] or row["object_id"] or row["path"]
    st.markdown(f"#### {n}. {title}")
    picture_col, facts_col, cam_col = st.columns([1, 1, 1])
    kind, where = results.image_location(row["path"])
    rgb = cache_image(where) if kind == "file" else None
    with picture_col:
        if rgb is not None:
            st.image(rgb, caption=f"The object: {title}", width="stretch")
        elif kind == "url":
            st.markdown(f"[Open the image of {title}]({where}) (on the museum's site)")
        else:
            st.markdown(f"The image `{row['path']}` is not on this machine.")
    with facts_col:
        st.markdown(f"**Museum's label:** {nice(row['museum_label'])}  \n"
                    f"**Model's answer:** {nice(row['prediction'])} ({row['confidence']:.0%} sure)  \n"
                    f"**Model:** {nice(row['task'])} · **route:** {nice(row['route'])}")
        if row.get("page_url"):
            st.markdown(f"[The museum's record]({row['page_url']})")
    with cam_col:
        if rgb is not None and with_gradcam:
            with st.spinner("Computing Grad-CAM…"), shown_errors("computing Grad-CAM"):
                st.image(_gradcam(where, row["task"], row["prediction"], find_mode), width="stretch",
                         caption=f"Grad-CAM: where the model found {nice(row['prediction'])} in {title}")


st.title("Catalogue audit")
st.markdown("Open a finished audit (`python -m artdemo audit ... --out FOLDER`): where the models "
            "confidently disagree with the museum's catalogue, and what they would ask a curator about.")

folder = st.text_input("Audit folder", value=os.environ.get("ARTDEMO_AUDIT_DIR", "audit-out"), key="audit_folder")
try:
    audit = _open(folder, _stamp(folder))
except ArtdemoError as err:
    st.info(str(err))
    st.stop()

report = audit.report
source = report.get("input", {})
st.markdown(f"**{report.get('objects', 0)} objects** from {nice(source.get('kind', '?'))} "
            f"`{source.get('location', '')}`, audited {report.get('created', '')}.")
st.dataframe(results.task_table(report), hide_index=True)
counters = report.get("counters", {})
if counters:
    st.markdown("Objects that could not be audited: "
                f"{counters.get('failed_fetches', 0)} failed downloads or missing files, "
                f"{counters.get('failed_decodes', 0)} unreadable images, "
                f"{counters.get('objects_without_image', 0)} without an image "
                f"(listed in the failures files).")

st.subheader("Filters")
task_col, route_col, agree_col = st.columns(3)
task = task_col.selectbox("Model", [ANY] + audit.tasks, format_func=nice, key="audit_task")
route = route_col.selectbox("Route", [ANY, "auto", "review", "out_of_scope"], format_func=nice, key="audit_route")
agreement = agree_col.selectbox("Agreement", list(AGREEMENT_LABELS), format_func=AGREEMENT_LABELS.get,
                                key="audit_agreement")
chosen = results.filter_rows(audit.rows, task=None if task == ANY else task, route=None if route == ANY else route,
                             agreement=None if agreement == ANY else agreement)
st.markdown(f"{len(chosen)} of {len(audit.rows)} answers match.")
st.download_button("Download these answers (CSV)", results.csv_bytes(chosen), file_name="audit-answers.csv",
                   mime="text/csv", key="audit_download")

st.subheader("Possible cataloguing errors")
st.markdown("The model disagrees with the catalogue, most confident first. A confident disagreement is "
            "either a cataloguing error or one of the model's blind spots: look before you change a record.")
errors = results.possible_errors(chosen)
show = st.number_input("How many to show", 1, 50, 5, key="audit_show")
with_gradcam = st.toggle("Show where the model looked (Grad-CAM)", value=True, key="audit_gradcam")
if errors.empty:
    st.markdown("No disagreement among these answers.")
for n, (_, row) in enumerate(errors.head(int(show)).iterrows(), start=1):
    _show_error(row, n, with_gradcam, report.get("find_artwork", "off"))

st.subheader("Ask a curator")
queue = results.curator_queue(chosen)
st.markdown(f"{len(queue)} answers the model is not sure enough of (route: review), least sure first.")
st.dataframe(queue[["path", "title", "task", "prediction", "confidence", "museum_label"]] if not queue.empty else queue,
             hide_index=True)
st.download_button("Download the curator queue (CSV)", results.csv_bytes(queue), file_name="curator-queue.csv",
                   mime="text/csv", key="audit_queue_download")
