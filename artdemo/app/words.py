"""Everything the app says more than once, written once: routes, verdicts, sources,
method and task names, and the messages every front end shows the same way.

Streamlit, Gradio and the kiosk all take their wording from here, so a visitor reads
the same sentence for the same thing wherever they meet it. Plain text only: each
front end adds its own colours and badges.
"""

from __future__ import annotations

from artdemo.tasks import TASKS

# --- routes ---------------------------------------------------------------------------------------------

ROUTE_WORDS = {"auto": "confident", "review": "ask a curator", "out_of_scope": "outside what it learned"}
"""The short word for each route (badges, tables, JSON readers' hints)."""

KIOSK_VERDICT = {"auto": "I'm fairly sure", "review": "I'm not sure — I'd ask a curator",
                 "out_of_scope": "I can only guess"}
"""The kiosk speaks in the first person."""

LEARNED_FROM = {"style": "paintings", "genre": "paintings"}
"""What each model learned from, for the out-of-scope sentence; other models learned from 'works'."""


def route_word(route: str) -> str:
    """'confident', 'ask a curator' or 'outside what it learned' (an unknown route as it is)."""
    return ROUTE_WORDS.get(route, route)


def out_of_scope_sentence(task: str) -> str:
    """Why an out-of-scope answer is only a guess, in the model's own terms."""
    kind = LEARNED_FROM.get(task, "works")
    return f"This doesn't look like the {kind} this model has learned from; its answer would be a guess"


def route_note(task: str, route: str, threshold: float) -> str:
    """The sentence under an answer that was not given with confidence ('' for a confident one)."""
    if route == "out_of_scope":
        return out_of_scope_sentence(task) + "."
    if route == "review":
        return f"Below {threshold:.0%} confidence this model asks a curator rather than answer alone."
    return ""


NONE_IN_SCOPE = ("None of the models has learned from pictures like this one, "
                 "so any answer they gave would be a guess.")

CROPPED_NOTE = ("The models looked only at the artwork inside the frame (outlined on the photo), "
                "not at the wall, the frame or the label around it.")
WHOLE_NOTE = "The models looked at the whole picture, as you asked."
STILL_PREVIOUS = "The picture and answers below are still the previous ones."
NO_ARTWORK_YET = ("No artwork yet: pick one in the **Random artwork** tab, or upload, photograph or "
                  "link your own.")
USE_WHOLE = "Use the whole picture"
USE_CROP = "Look only at the artwork in the frame"

# --- verdicts -------------------------------------------------------------------------------------------

RIGHT, WRONG, NO_LABEL = "✓ right", "✗ wrong", "no museum label to compare"


def verdict_word(correct: bool | None) -> str:
    """Right, wrong, or no museum label to compare with."""
    if correct is None:
        return NO_LABEL
    return RIGHT if correct else WRONG


def kiosk_verdict(truth: str, predicted: str) -> str:
    """The museum's word on a kiosk answer, as a sentence."""
    return "✓ The museum agrees." if truth == predicted else f"✗ The museum says: {pretty(truth)}."


# --- names ----------------------------------------------------------------------------------------------

SOURCE_NAMES = {"met": "The Metropolitan Museum of Art", "moma": "The Museum of Modern Art",
                "cache": "the local collection cache", "upload": "your upload", "url": "an image on the web"}
"""Where an artwork came from, in full (records, about texts)."""

SOURCE_SHORT = {"met": "The Met", "moma": "MoMA", "cache": "the collection cache"}
"""The random sources, as buttons and spinners name them."""

METHOD_TITLES = {"gradcam": "Grad-CAM", "integrated_gradients": "Integrated gradients", "occlusion": "Occlusion"}
"""The explanation methods, fast first: Grad-CAM is what a page shows before anything is opened."""


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source)


COLLECTIONS = {
    "whitney": "the Whitney Museum of American Art",
    "galc": "UC Berkeley Library's Graphic Arts Loan Collection",
    "wikiart224": "WikiArt",
    "peopleart": "the PeopleArt set of WikiArt paintings and photographs",
    "cyclegan": "a set of Japanese ukiyo-e prints",
    "deoldify": "a set of historic photographs",
    "louvre": "the Louvre's collections",
}
"""The collection-cache sets (the `source` column of the labels CSVs), named for a visitor."""


def collection_name(source: str) -> str:
    """The collection-cache set a held-out picture or a training row comes from, as a visitor reads it
    after "from": 'wikiart224:Romanticism' -> 'WikiArt', 'whitney' -> 'the Whitney Museum of American Art'.
    The part after ':' is the set's own sub-folder, not a source. An unknown tag stays as it is rather
    than vanish."""
    tag = str(source).split(":")[0]
    return COLLECTIONS.get(tag, tag)


def collection_title(source: str) -> str:
    """collection_name as a label on its own (a legend, a list item): 'The Whitney Museum of American Art'.
    An unknown tag stays exactly as it is ('moma', not 'Moma': a tag is a name, not a phrase)."""
    name = collection_name(source)
    return name if name == str(source).split(":")[0] else name[:1].upper() + name[1:]


def random_button(source: str) -> str:
    """'Random from The Met', 'Random from MoMA', 'Random from the collection cache'."""
    return f"Random from {SOURCE_SHORT.get(source, source)}"


def method_title(method: str) -> str:
    return METHOD_TITLES.get(method, method)


def confidence(p: float) -> str:
    """A model's confidence in its answer as a visitor reads it: '48%', and 'over 99%' rather than a
    '100%' that only rounding made; a calibrated model is never certain."""
    return "over 99%" if p >= 0.995 else f"{p:.0%}"


def pretty(name: str) -> str:
    """A class name as a person writes it: 'not_lithograph' -> 'not lithograph'."""
    return str(name).replace("_", " ")


def task_title(task: str) -> str:
    """'Style', 'Medium', 'Genre', 'Lithograph?' (an unknown task as it is)."""
    return TASKS[task].title if task in TASKS else task


def task_question(task: str) -> str:
    """The question a task's model answers, in plain words ('' for an unknown task)."""
    return TASKS[task].question if task in TASKS else ""


# --- messages -------------------------------------------------------------------------------------------

NO_MODELS = ("No trained models were found. Train them with `python -m artdemo train all`, "
             "or set ARTDEMO_HF_REPO to use published ones.")
"""The one 'no trained model' message (pages, Gradio, the kiosk)."""

OOPS = "Something went wrong on our side while {what}. Please try again, or pick another artwork."
"""A bug's message: the visitor learns nothing alarming; the log has the detail."""

EMPTY_MAP = ("This map is empty: the method found no evidence for this answer in the picture, "
             "so there is no patch the model relies on most.")

PICK_FIRST = "Classify an artwork first (tab Classify), or upload one here."
