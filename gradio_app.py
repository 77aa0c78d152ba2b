"""artdemo, the Gradio variant: the same core as the Streamlit app, for Hugging Face Spaces.

Run locally with `python gradio_app.py` (http://127.0.0.1:7860). API clients get two
named endpoints:

    from gradio_client import Client, handle_file
    client = Client("http://127.0.0.1:7860/")
    client.predict(handle_file("print.jpg"), api_name="/classify")        # JSON: every model's answer and route
    client.predict(handle_file("print.jpg"), "medium", "lithograph", "gradcam", api_name="/explain")  # overlay

Both find the artwork in the picture first (a photo of a framed work is cropped to the
work; a reproduction passes unchanged); /classify's JSON says where (`artwork.quad`).
Layout and wiring only: what each handler computes lives in artdemo.app, and every
model call goes through the process's one inference service (artdemo.app.service),
which batches concurrent /classify requests across sessions.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Callable

import gradio as gr
import numpy as np

from artdemo.app import answers, artworks, balance, confusion, inference, models_info, words
from artdemo.app.framing import frame
from artdemo.app.overlay import heat_overlay
from artdemo.app.pictures import picture
from artdemo.app.priority import yield_to_models
from artdemo.app.line import Busy
from artdemo.app.warmup import GETTING_READY
from artdemo.errors import ArtdemoError
from artdemo.explain import METHODS
from artdemo.explain.views import CAPTIONS
from artdemo.sources.records import ArtObject
from artdemo.tasks import TASKS

log = logging.getLogger("artdemo.gradio")
TASK_NAMES = list(TASKS)
SOURCES = ("met", "moma", "cache")
MUSEUM_RED = gr.themes.Color(
    name="museum_red", c50="#fbf1f1", c100="#f6dfdf", c200="#ecbfbf", c300="#dd9494", c400="#c86565",
    c500="#9c2f2f", c600="#862828", c700="#702121", c800="#5a1b1b", c900="#461515", c950="#2b0d0d")
"""The Streamlit app's primary colour (.streamlit/config.toml) as a Gradio hue: white on it reads at 7.6:1."""

THEME = gr.themes.Default(primary_hue=MUSEUM_RED).set(
    body_text_color_subdued="#5c5c66", block_info_text_color="#5c5c66", input_placeholder_color="#6b6b75")
"""WCAG 2.1 AA contrast everywhere: the default theme's orange buttons and tabs (2.8:1) and its grey
hints, 'or' and footer links (1.9:1) are too faint to read for many visitors."""

ACCESSIBLE_MARKUP = """<script>
/* Gradio's own markup, corrected where axe-core finds a WCAG 2.1 A/AA failure, as elements appear:
   an empty image or gallery placeholder carries aria-label on a plain div (give it role="img");
   the upload area's aria-label hides its visible words from speech-input users (name it by them). */
(() => {
  const fix = () => {
    document.querySelectorAll("div.empty[aria-label]:not([role])").forEach(e => e.setAttribute("role", "img"));
    document.querySelectorAll("button.upload-container[aria-label]").forEach(b => b.removeAttribute("aria-label"));
  };
  new MutationObserver(fix).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>"""

LAUNCH_OPTIONS = dict(theme=THEME, head=ACCESSIBLE_MARKUP, max_file_size="25mb")
"""How every launcher starts the app (Gradio 6 takes theme and head in launch())."""

CONCURRENCY = 8
"""Handlers running at once: they mostly wait for the inference service, which batches their pictures."""
QUEUE_SIZE = 64


def shown(fn=None, *, quiet_busy: bool = True):
    """Handlers raise gr.Error with a message for a person; nothing else escapes to the visitor.

    A full inference queue is nobody's mistake: a UI handler shows it as a warning (the visitor's
    place in line) and leaves the page as it was; an API endpoint (`quiet_busy=False`) answers
    with the same message as an error, so its client knows to try again.
    """
    if fn is None:
        return functools.partial(shown, quiet_busy=quiet_busy)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        yield_to_models()  # this thread prepares and draws; the inference service answers first
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Busy as err:
            if not quiet_busy:
                raise gr.Error(str(err), print_exception=False) from err
            gr.Warning(str(err))
            return gr.skip()
        except ArtdemoError as err:
            raise gr.Error(str(err), print_exception=False) from err
        except Exception as err:  # a bug: log it, tell the visitor plainly
            log.exception("gradio handler %s failed", fn.__name__)
            raise gr.Error(words.OOPS.format(what="answering"), print_exception=False) from err
    return wrapper


def session_of(request: gr.Request | None) -> str | None:
    """The visitor's session (the service keeps one pending map per session)."""
    return request.session_hash if request is not None else None


# --- handlers ---------------------------------------------------------------------------------------------


def _classified(obj: ArtObject, notice: str | None = None, whole: bool = False, session: str | None = None):
    """Everything the Classify tab shows for one artwork; the picture shows even when no model can answer."""
    framing = frame(picture(obj), whole)
    if notice:
        gr.Warning(notice)
    try:
        predictions = inference.predict(framing.seen, session=session)
        summary = answers.summary_markdown(obj, predictions, framing)
    except Busy:
        raise
    except ArtdemoError as err:
        gr.Warning(str(err))
        predictions, summary = {}, f"**The models could not answer:** {err}"
    labels = [gr.Label(value=answers.label_value(predictions[t]), visible=True) if t in predictions
              else gr.Label(value=None, visible=False) for t in TASK_NAMES]
    answer = answers.classify_json(obj, framing, predictions)
    about = (f"> {notice}\n\n" if notice else "") + answers.object_markdown(obj)
    title = artworks.title(obj)
    photo = gr.Image(value=framing.outlined(), alt_text=f"The picture of {title}"
                     + (", with the outline of the artwork found in it" if framing.cropped else ""))
    crop = gr.Image(value=framing.seen, visible=framing.cropped, alt_text=f"What the models saw of {title}")
    return (photo, crop, about, summary, *labels, answer, framing.seen, answer, obj, framing.whole)


def quiet(handler, outputs: int):
    """For views filled when the page opens: an error leaves them empty instead of greeting with a toast."""
    def on_load(*args):
        try:
            return handler(*args)
        except gr.Error:
            return tuple(gr.skip() for _ in range(outputs))
    on_load.__name__ = f"load_{handler.__name__}"
    return on_load


@shown
def classify_upload(path: str | None, request: gr.Request = None) -> tuple:
    """A new picture is looked at inside the frame found in it; the checkbox starts unticked again."""
    return _classified(artworks.from_upload_file(path), session=session_of(request))


@shown
def classify_url(url: str, request: gr.Request = None) -> tuple:
    return _classified(artworks.from_url(url), session=session_of(request))


def classify_random(source: str) -> Callable[..., tuple]:
    @shown
    def handler(request: gr.Request = None):
        return _classified(*artworks.random_artwork(source), session=session_of(request))
    handler.__name__ = f"random_{source}"
    return handler


@shown
def classify_again(obj: ArtObject | None, whole: bool, request: gr.Request = None) -> tuple | dict:
    """The visitor ticked or unticked "Use the whole picture": the same artwork, looked at again."""
    if obj is None:
        return gr.skip()
    return _classified(obj, whole=whole, session=session_of(request))


@shown(quiet_busy=False)
def classify(image: str | None) -> dict:
    """API: an image file -> every model's calibrated probabilities and route, the outline of the
    artwork found in it, the models' origin (JSON). Concurrent calls are batched by the service."""
    obj = artworks.from_upload_file(image)
    framing = frame(picture(obj))
    return answers.classify_json(obj, framing, inference.predict(framing.seen))


def _seen(path: str) -> np.ndarray:
    """What the models see of an uploaded picture: the artwork found in it, or the picture itself."""
    return frame(picture(artworks.from_upload_file(path))).seen


def _overlay(rgb: np.ndarray, task: str, class_name: str, method: str, opacity: float = 0.5,
             session: str | None = None) -> np.ndarray:
    the_card = models_info.card(task)
    if class_name not in the_card.classes:
        raise ArtdemoError(f"{class_name!r} is not a class of the {task!r} model ({', '.join(the_card.classes)}).")
    return heat_overlay(rgb, inference.heat_map(rgb, task, class_name, method, session=session), opacity)


@shown(quiet_busy=False)
def explain(image: str | None, task: str, class_name: str, method: str) -> np.ndarray:
    """API: an image file, a task, one of its classes and a method -> the overlay (224x224 RGB) over
    the model's view of the artwork found in the picture."""
    return _overlay(_seen(image), task, class_name, method or "gradcam")


@shown
def explain_gallery(rgb, path: str | None, task: str, class_name: str, methods: list[str], opacity: float,
                    request: gr.Request = None) -> tuple[list[tuple[np.ndarray, str]], str]:
    """One overlay per chosen method (Grad-CAM first), titled, and what each shows and doesn't."""
    if path:
        rgb = _seen(path)
    if rgb is None:
        raise ArtdemoError(words.PICK_FIRST)
    if not methods:
        raise ArtdemoError("Choose at least one method.")
    ordered = [m for m in METHODS if m in methods] + [m for m in methods if m not in METHODS]
    items = [(_overlay(rgb, task, class_name, m, opacity, session_of(request)), words.method_title(m))
             for m in ordered]
    captions = "\n".join(f"- {CAPTIONS.get(m, words.method_title(m))}" for m in ordered)
    return items, captions


@shown
def class_choices(task: str, answer: dict | None) -> gr.Dropdown:
    """The class picker follows the task; it starts on the model's current answer."""
    classes = list(TASKS[task].classes) if task in TASKS else []
    predicted = ((answer or {}).get("predictions", {}).get(task) or {}).get("predicted")
    return gr.Dropdown(choices=classes, value=predicted if predicted in classes else (classes or [None])[0])


@shown
def confusion_view(task: str, normalised: bool) -> tuple:
    """A model chosen: its matrix by top class; a yes/no model also gets the threshold slider, at 0.5."""
    the_card = models_info.card(task)
    binary = len(the_card.classes) == 2
    positive = confusion.positive_class(the_card) if binary else ""
    slider = gr.Slider(value=0.5, visible=binary, label=f"Call it '{positive}' from this probability")
    return (*confusion_at(task, normalised, 0.5 if binary else None), slider)


@shown
def confusion_at(task: str, normalised: bool, threshold: float | None) -> tuple:
    the_card = models_info.card(task)
    figure, note, (true, predicted) = confusion.confusion_figure(the_card, normalised, threshold)
    classes = list(the_card.classes)
    return (figure, note, gr.Dropdown(choices=classes, value=true), gr.Dropdown(choices=classes, value=predicted))


@shown
def cell_view(task: str, true: str, predicted: str, threshold: float | None = None) -> tuple[list, str]:
    return confusion.cell_gallery(models_info.card(task), true, predicted, threshold)


@shown
def balance_view(task: str) -> tuple:
    return balance.training_view(task, models_info.cards().get(task))


def ready_note() -> str:
    """What a visitor arriving while the models warm up reads ('' once they are ready)."""
    return f"> {GETTING_READY}" if inference.warming_up() else ""


# --- layout -----------------------------------------------------------------------------------------------


def _classify_tab(state_rgb, state_answer, state_obj):
    gr.Markdown("Give the models an artwork: upload a picture (a photo of a work on the wall is fine), paste "
                "an image address, or draw one at random. Every model answers; where the museum gives a "
                "label, it stands beside the answer.")
    with gr.Row():
        upload = gr.File(label="Upload an image", type="filepath")
        with gr.Column():
            url = gr.Textbox(label="Image address (URL)", placeholder="https://…")
            url_btn = gr.Button("Classify this address")
        with gr.Column():
            random_btns = {s: gr.Button(words.random_button(s)) for s in SOURCES}
            whole = gr.Checkbox(label=words.USE_WHOLE, value=False,
                                info="By default the models look only at the artwork found inside its frame.")
    with gr.Row():
        photo = gr.Image(label="The picture, with the artwork's outline", type="numpy", interactive=False,
                         height=360)
        crop = gr.Image(label="What the models saw", type="numpy", interactive=False, height=360, visible=False)
        with gr.Column():
            about = gr.Markdown()
            summary = gr.Markdown()
    with gr.Row():
        labels = [gr.Label(label=TASKS[t].title, num_top_classes=4, visible=False) for t in TASK_NAMES]
    with gr.Accordion("The answer as JSON (what the /classify API returns)", open=False):
        answer = gr.JSON()
    outputs = [photo, crop, about, summary, *labels, answer, state_rgb, state_answer, state_obj, whole]
    private = dict(outputs=outputs, api_visibility="private")
    upload.upload(classify_upload, inputs=upload, **private)
    url_btn.click(classify_url, inputs=url, **private)
    url.submit(classify_url, inputs=url, **private)
    for source, btn in random_btns.items():
        btn.click(classify_random(source), inputs=None, **private)
    whole.input(classify_again, inputs=[state_obj, whole], **private)
    api_btn = gr.Button(visible=False)
    api_btn.click(classify, inputs=upload, outputs=answer, api_name="classify", concurrency_limit=2 * CONCURRENCY)


def _explain_tab(state_rgb, state_answer):
    gr.Markdown("Where does a model look when it gives an answer? Pick a model and a class; each method "
                "paints the parts of the picture that pushed the model towards that class. The maps are "
                "drawn over what the models saw: the artwork found in the picture.")
    with gr.Row():
        with gr.Column(scale=1):
            own = gr.File(label="Another image (optional; otherwise the one from Classify)", type="filepath")
            task = gr.Dropdown(TASK_NAMES, value=TASK_NAMES[0], label="Model")
            first = list(TASKS[TASK_NAMES[0]].classes)
            class_name = gr.Dropdown(first, value=first[0], label="Class", allow_custom_value=True)
            methods = gr.CheckboxGroup([(words.method_title(m), m) for m in METHODS], value=["gradcam"],
                                       label="Methods (Grad-CAM is the quickest)")
            opacity = gr.Slider(0.0, 1.0, value=0.5, step=0.05, label="Heat-map opacity")
            go = gr.Button("Show where it looks", variant="primary")
            method = gr.Textbox(value="gradcam", visible=False)
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Overlays on the model's 224×224 view", columns=3, height=420)
            captions = gr.Markdown()
    for trigger in (task.change, state_answer.change):
        trigger(class_choices, inputs=[task, state_answer], outputs=class_name, api_visibility="private")
    go.click(explain_gallery, inputs=[state_rgb, own, task, class_name, methods, opacity], outputs=[gallery, captions],
             api_visibility="private")
    api_image = gr.Image(visible=False, type="numpy")
    api_btn = gr.Button(visible=False)
    api_btn.click(explain, inputs=[own, task, class_name, method], outputs=api_image, api_name="explain")


def _confusion_tab(demo, model_tasks):
    gr.Markdown("Where each model goes wrong on held-out images it never trained on. Pick a cell to see its images.")
    with gr.Row():
        task = gr.Dropdown(model_tasks or TASK_NAMES, value=(model_tasks or TASK_NAMES)[0], label="Model")
        normalised = gr.Checkbox(label="Show shares of each row", value=False)
        show = gr.Button("Show the matrix", variant="primary")
    threshold = gr.Slider(0.05, 0.95, value=0.5, step=0.01, visible=False, label="Threshold")
    plot = gr.Plot()
    note = gr.Markdown()
    with gr.Row():
        true = gr.Dropdown([], label="Museum's label", allow_custom_value=True)
        predicted = gr.Dropdown([], label="Model's answer", allow_custom_value=True)
        cell_btn = gr.Button("Show these images")
    cell_note = gr.Markdown()
    cell = gr.Gallery(columns=6, height=360, label="Held-out images in this cell")
    private = dict(api_visibility="private")
    matrix_outputs = [plot, note, true, predicted]
    for trigger in (show.click, task.change):
        trigger(confusion_view, inputs=[task, normalised], outputs=[*matrix_outputs, threshold], **private)
    for trigger in (normalised.change, threshold.release):
        trigger(confusion_at, inputs=[task, normalised, threshold], outputs=matrix_outputs, **private)
    cell_btn.click(cell_view, inputs=[task, true, predicted, threshold], outputs=[cell, cell_note], **private)
    if model_tasks:
        demo.load(quiet(confusion_view, 5), inputs=[task, normalised], outputs=[*matrix_outputs, threshold], **private)


def _balance_tab(demo):
    gr.Markdown("How many images of each class each model learned from, and from which source. "
                "Small classes and classes from a single source are where models tend to fail.")
    with gr.Row():
        task = gr.Dropdown(TASK_NAMES, value=TASK_NAMES[0], label="Task")
        show = gr.Button("Show", variant="primary")
    plot = gr.Plot()
    notes = gr.Markdown()
    for trigger in (show.click, task.change):
        trigger(balance_view, inputs=task, outputs=[plot, notes], api_visibility="private")
    demo.load(quiet(balance_view, 2), inputs=task, outputs=[plot, notes], api_visibility="private")


def build() -> gr.Blocks:
    """The whole app, with its queue. Resolving the models folder may contact the Hub once
    (see artdemo.models.store)."""
    origin = models_info.models_origin()
    model_tasks = [t for t in TASK_NAMES if t in models_info.cards()]
    with gr.Blocks(title="artdemo: how a machine reads museum images", analytics_enabled=False) as demo:
        gr.Markdown("# artdemo\nWhat style, medium and genre is this artwork, and is it a lithograph? "
                    f"Small models on one EfficientNet-Lite0 backbone.\n\n**Models:** {origin}")
        warm = gr.Markdown()
        state_rgb, state_answer, state_obj = gr.State(None), gr.State(None), gr.State(None)
        with gr.Tab("Classify"):
            _classify_tab(state_rgb, state_answer, state_obj)
        with gr.Tab("How the machine sees"):
            _explain_tab(state_rgb, state_answer)
        with gr.Tab("Confusion"):
            _confusion_tab(demo, model_tasks)
        with gr.Tab("Class balance"):
            _balance_tab(demo)
        demo.load(ready_note, outputs=warm, api_visibility="private")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


demo = build()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    inference.start_warmup()  # models load in the background now, not on the first click
    demo.launch(**LAUNCH_OPTIONS)
