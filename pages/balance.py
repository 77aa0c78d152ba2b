"""Class balance: how many of each kind the collections and the training sets hold."""

import streamlit as st

from artdemo.app import balance, charts, words
from artdemo.tasks import TASKS
from artdemo.ui.cache import model_cards
from artdemo.ui.errors import shown_errors

st.title("Class balance")
st.caption("A model learns what it is shown. When one kind of artwork is rare in training, "
           "or comes from a single source, its mistakes often follow.")

training_tab, moma_tab, met_tab, mame_tab = st.tabs(["Training sets", "MoMA collection", "MET sample", "MAMe mediums"])

with training_tab, shown_errors("reading the training counts"):
    cards = model_cards()
    task = st.selectbox("Task", list(TASKS), key="bal_task", format_func=words.task_title)
    card = cards.get(task)
    counts = balance.training_counts(task, card)
    if counts.empty:
        st.info("No labelled images for this task in the data cache.")
    else:
        by_source = st.toggle("Split each class by source", value=True, key="bal_by_source")
        if by_source:
            fig = charts.balance_bars(balance.named_sources(counts), "class", colour="source",
                                      title=f"{words.task_title(task)}: images per class and source")
        else:
            fig = charts.balance_bars(balance.class_totals(counts), "class", title=f"{words.task_title(task)}: images per class")
        st.plotly_chart(fig, key=f"bal_train_{task}_{by_source}")
        st.caption("From the model card (all splits)." if card is not None else "From the labels CSV in the data cache (no trained model yet).")
        notes = balance.imbalance_notes(card, counts) if card is not None else balance.source_notes(counts)
        for note in notes:
            st.warning(note, icon=":material/balance:")

with moma_tab, shown_errors("reading MoMA's sample"):
    moma = balance.moma_sample()
    departments = sorted(d for d in moma["Department"].unique() if d)
    chosen = st.multiselect("Departments", departments, default=departments, key="bal_moma_depts")
    part = moma[moma["Department"].isin(chosen)]
    decades = sorted(d for d in part["decade"].dropna().unique())
    if decades:
        lo, hi = st.slider("Decades", int(min(decades)), int(max(decades)), (int(min(decades)), int(max(decades))),
                           step=10, key="bal_moma_decades")
        part = part[part["decade"].isna() | part["decade"].between(lo, hi)]
    share = float((part["lithograph"] == "lithograph").mean()) if len(part) else 0.0
    st.metric("Lithographs in this selection", f"{share:.1%}", help="MoMA's rule: the medium text contains “lithograph”.")
    st.caption(f"{len(part):,} of {len(moma):,} works in the 5% sample of MoMA's Artworks.csv.")
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.balance_bars(balance.value_counts(part, "Department"), "Department", title="Department"),
                    key="bal_moma_dept")
    c2.plotly_chart(charts.balance_bars(balance.value_counts(part, "Classification", top=12), "Classification",
                                        title="Classification"), key="bal_moma_class")
    c3, c4 = st.columns(2)
    c3.plotly_chart(charts.balance_bars(balance.value_counts(part, "medium_family"), "medium_family",
                                        title="Medium family (the medium model's classes)"), key="bal_moma_medium")
    by_decade = balance.lithograph_share_by(part.dropna(subset=["decade"]), "decade")
    c4.plotly_chart(charts.balance_bars(by_decade.assign(decade=by_decade["decade"].astype(int)), "decade",
                                        value="lithograph_share", horizontal=False, percent=True,
                                        title="Share of lithographs by decade"), key="bal_moma_decade")

with met_tab, shown_errors("reading the MET sample"):
    met = balance.met_sample()
    st.caption(f"{len(met):,} rows of the MET Open Access file: all from the American Wing, so they show the "
               "format of the data, not the balance of the whole museum.")
    m1, m2 = st.columns(2)
    m1.plotly_chart(charts.balance_bars(balance.value_counts(met, "Object Name", top=15), "Object Name",
                                        title="Object names"), key="bal_met_names")
    m2.plotly_chart(charts.balance_bars(balance.value_counts(met, "medium_family"), "medium_family",
                                        title="Medium family"), key="bal_met_medium")

with mame_tab, shown_errors("reading the MAMe index"):
    mame = balance.mame_index()
    museums = sorted(mame["Museum"].unique())
    picked = st.multiselect("Museums", museums, default=museums, key="bal_mame_museums")
    subsets = st.multiselect("Subsets", sorted(mame["Subset"].unique()), default=["train"], key="bal_mame_subsets")
    part = mame[mame["Museum"].isin(picked) & mame["Subset"].isin(subsets)]
    st.caption(f"{len(part):,} objects. MAMe balances its training set (about 700 per medium); "
               "its test set follows the museums' own proportions.")
    st.plotly_chart(charts.balance_bars(balance.value_counts(part, "Medium"), "Medium",
                                        title="MAMe's 29 expert medium labels"), key="bal_mame_medium")
