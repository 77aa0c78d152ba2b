"""Confusion explorer: each model's held-out mistakes, cell by cell, image by image."""

import streamlit as st

from artdemo.app import artworks, charts, confusion, session, words
from artdemo.ui.cache import cache_image, model_cards
from artdemo.ui.errors import shown_errors

PER_PAGE = 12

st.title("Confusion explorer")
st.caption("Each model was tested on images it never saw in training. Rows are the museum's label, "
           "columns the model's answer; the diagonal is where they agree. Click a cell to see its images.")

cards = model_cards()
if not cards:
    st.info(words.NO_MODELS)
    st.stop()

task = st.radio("Model", list(cards), horizontal=True, key="cx_task", format_func=words.task_title)
card = cards[task]
left, right = st.columns([1, 1], gap="large")  # half each: the three figures on the right must not be cut

threshold = None
with right:
    view = st.segmented_control("Show", ["counts", "row-normalised"], default="counts", key="cx_view") or "counts"
    if len(card.classes) == 2 and card.examples:
        positive = confusion.positive_class(card)
        threshold = st.slider(f"Call it “{words.pretty(positive)}” from this probability on", 0.05, 0.95, 0.5, 0.05,
                              key=f"cx_threshold_{task}",
                              help="Lower: catches more of them, with more false alarms. Higher: fewer, surer.")
    matrix = confusion.counts(card, threshold)
    figures = confusion.summary(matrix)
    a, b, c = st.columns(3)
    a.metric("Accuracy", f"{figures['accuracy']:.1%}")
    b.metric("Balanced accuracy", f"{figures['balanced_accuracy']:.1%}")
    c.metric("Macro-F1", f"{figures['macro_f1']:.3f}")
    st.caption(confusion.split_note(card, figures["n"]))
    with st.expander("The exact rule (for curators)"):
        st.caption(card.split_rule)

with left:
    shown = confusion.row_normalised(matrix) if view == "row-normalised" else matrix
    chart_key = f"cx_chart_{task}_{view}_{threshold}"
    event = st.plotly_chart(charts.confusion_heatmap(shown, card.classes, normalised=view != "counts"),
                            key=chart_key, on_select="rerun", selection_mode="points",
                            config={"displayModeBar": False})
    true_key, pred_key = f"cx_true_{task}", f"cx_pred_{task}"
    clicked = charts.selected_cell(event)
    if clicked and st.session_state.get("cx_last_click") != (chart_key, clicked):
        st.session_state["cx_last_click"] = (chart_key, clicked)
        st.session_state[true_key], st.session_state[pred_key] = clicked
    if st.session_state.get(true_key) not in card.classes or st.session_state.get(pred_key) not in card.classes:
        # Start on the biggest mistake: the most instructive cell.
        st.session_state[true_key], st.session_state[pred_key] = confusion.largest_mistake(matrix, card.classes)
    pick_true, pick_pred = st.columns(2)
    true = pick_true.selectbox("Museum label", card.classes, format_func=words.pretty, key=true_key)
    pred = pick_pred.selectbox("Predicted as", card.classes, format_func=words.pretty, key=pred_key)

# The figures tables take the page's full width, so no column is cut off, whatever the screen.
st.markdown("**Ours beside the seed approach** (same held-out pictures)")
comparison, how = confusion.comparison_view(card)
st.dataframe(comparison, hide_index=True,
             column_config={k: st.column_config.NumberColumn(format="%.3f") for k in confusion.FIGURE_COLUMNS})
if how:
    with st.expander("How each was made"):
        st.markdown("\n".join(f"- {line}" for line in how))
st.markdown("**Per class**")
st.dataframe(confusion.per_class_view(matrix, card.classes), hide_index=True,
             column_config={k: st.column_config.NumberColumn(format="%.2f") for k in confusion.FIGURE_COLUMNS})

cell = confusion.cell_examples(card, true, pred, threshold)
st.subheader(f"{len(cell)} held-out image{'s' if len(cell) != 1 else ''}: museum says {words.pretty(true)}, "
             f"model says {words.pretty(pred)}")
if not cell:
    st.caption("No held-out image fell in this cell." if card.examples else "This card keeps no held-out examples.")
    st.stop()
st.caption("Most confident first. Open one to see where the model looked.")
page_count = (len(cell) - 1) // PER_PAGE + 1
page_no = st.number_input("Page", 1, page_count, 1, key=f"cx_page_{task}") if page_count > 1 else 1
grid = st.columns(4)
for n, item in enumerate(cell[(page_no - 1) * PER_PAGE: page_no * PER_PAGE]):
    with grid[n % 4]:
        thumb = cache_image(item.example.path)
        if thumb is not None:
            st.image(thumb, width="stretch", alt=confusion.example_alt(item))
        else:
            st.caption("(image not in this data cache)")
        st.caption(confusion.example_caption(item))
        if thumb is not None and st.button("Open with saliency", key=f"cx_open_{n}_{item.example.path}"):
            with shown_errors("opening that image"):
                session.set_object(st.session_state, artworks.from_cache_path(item.example.path))
                st.session_state["sees_task"] = task
                st.switch_page("pages/machine_sees.py")
