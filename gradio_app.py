"""artdemo, the Gradio variant: the same core as the Streamlit app, for Hugging Face Spaces.

Run locally with `python gradio_app.py` (http://127.0.0.1:7860). API clients get two
named endpoints:

    from gradio_client import Client, handle_file
    client = Client("http://127.0.0.1:7860/")
    client.predict(handle_file("print.jpg"), api_name="/classify")        # JSON: every model's probabilities
    client.predict(handle_file("print.jpg"), "medium", "lithograph", "gradcam", api_name="/explain")  # overlay

Layout and wiring only; what each button computes lives in artdemo.app.gradio_core.
"""

from __future__ import annotations

import functools
import logging
import os

import gradio as gr

from artdemo.app import gradio_core as core
from artdemo.errors import ArtdemoError
from artdemo.tasks import TASKS

log = logging.getLogger("artdemo.gradio")
TASK_NAMES = list(TASKS)
SOURCES = {"met": "Random from The Met", "moma": "Random from MoMA", "cache": "Random from the cache"}
OOPS = "Something went wrong on our side; please try again or try another image. (The details are in the server log.)"


def shown(fn):
    """Handlers raise gr.Error with a message for a person; nothing else escapes to the visitor."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except ArtdemoError as err:
            raise gr.Error(str(err), print_exception=False) from err
        except Exception as err:  # a bug: log it, tell the visitor plainly
            log.exception("gradio handler %s failed", fn.__name__)
            raise gr.Error(OOPS, print_exception=False) from err
    return wrapper


# --- handlers ---------------------------------------------------------------------------------------------


def _classified(obj, notice: str | None = None):
    """Everything the Classify tab shows for one artwork; the picture shows even when no model can answer."""
    rgb = core.picture(obj)
    if notice:
        gr.Warning(notice)
    try:
        predictions = core.predict(rgb)
        summary = core.summary_markdown(obj, predictions)
    except ArtdemoError as err:
        gr.Warning(str(err))
        predictions, summary = {}, f"**The models could not answer:** {err}"
    labels = [gr.Label(value=core.label_value(predictions[t]), visible=True) if t in predictions
              else gr.Label(value=None, visible=False) for t in TASK_NAMES]
    answer = core.classify_json(obj, rgb, predictions)
    about = (f"> {notice}\n\n" if notice else "") + core.object_markdown(obj)
    return (rgb, about, summary, *labels, answer, rgb, answer)


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
def classify_upload(path: str | None):
    return _classified(core.object_from_upload(path))


@shown
def classify_url(url: str):
    return _classified(core.object_from_url(url))


def classify_random(source: str):
    @shown
    def handler():
        return _classified(*core.random_object(source))
    handler.__name__ = f"random_{source}"
    return handler


@shown
def classify(image: str | None) -> dict:
    """API: an image file -> every model's calibrated probabilities, the route, the models' origin (JSON)."""
    obj = core.object_from_upload(image)
    rgb = core.picture(obj)
    return core.classify_json(obj, rgb, core.predict(rgb))


@shown
def explain(image: str | None, task: str, class_name: str, method: str):
    """API: an image file, a task, one of its classes and a method -> the overlay (224x224 RGB)."""
    rgb = core.picture(core.object_from_upload(image))
    return core.overlay(rgb, task, class_name, method or "gradcam")


@shown
def explain_gallery(rgb, path: str | None, task: str, class_name: str, methods: list[str], opacity: float):
    if path:
        rgb = core.picture(core.object_from_upload(path))
    if rgb is None:
        raise ArtdemoError("Classify an artwork first (tab Classify), or upload one here.")
    return core.overlays(rgb, task, class_name, methods, opacity)


@shown
def class_choices(task: str, answer: dict | None):
    """The class picker follows the task; it starts on the model's current answer."""
    classes = list(TASKS[task].classes) if task in TASKS else []
    predicted = ((answer or {}).get("predictions", {}).get(task) or {}).get("predicted")
    return gr.Dropdown(choices=classes, value=predicted if predicted in classes else (classes or [None])[0])


@shown
def confusion_view(task: str, normalised: bool):
    """A model chosen: its matrix by top class; a yes/no model also gets the threshold slider, at 0.5."""
    the_card = core.card(task)
    binary = len(the_card.classes) == 2
    positive = core.core("artdemo.app.confusion").positive_class(the_card) if binary else ""
    slider = gr.Slider(value=0.5, visible=binary, label=f"Call it '{positive}' from this probability")
    return (*confusion_at(task, normalised, 0.5 if binary else None), slider)


@shown
def confusion_at(task: str, normalised: bool, threshold: float | None):
    figure, note, (true, predicted) = core.confusion_figure(task, normalised, threshold)
    classes = list(core.card(task).classes)
    return (figure, note, gr.Dropdown(choices=classes, value=true), gr.Dropdown(choices=classes, value=predicted))


@shown
def cell_view(task: str, true: str, predicted: str, threshold: float | None = None):
    return core.cell_gallery(task, true, predicted, threshold)


@shown
def balance_view(task: str):
    return core.balance_view(task)


# --- layout -----------------------------------------------------------------------------------------------


def _classify_tab(state_rgb, state_answer):
    gr.Markdown("Give the models an artwork: upload a picture, paste an image address, or draw one at random. "
                "Every model answers; where the museum gives a label, it stands beside the answer.")
    with gr.Row():
        upload = gr.File(label="Upload an image", type="filepath")
        with gr.Column():
            url = gr.Textbox(label="Image address (URL)", placeholder="https://…")
            url_btn = gr.Button("Classify this address")
        with gr.Column():
            random_btns = {s: gr.Button(label) for s, label in SOURCES.items()}
    with gr.Row():
        picture = gr.Image(label="The artwork", type="numpy", interactive=False, height=360)
        with gr.Column():
            about = gr.Markdown()
            summary = gr.Markdown()
    with gr.Row():
        labels = [gr.Label(label=TASKS[t].title, num_top_classes=4, visible=False) for t in TASK_NAMES]
    with gr.Accordion("The answer as JSON (what the /classify API returns)", open=False):
        answer = gr.JSON()
    outputs = [picture, about, summary, *labels, answer, state_rgb, state_answer]
    private = dict(outputs=outputs, api_visibility="private")
    upload.upload(classify_upload, inputs=upload, **private)
    url_btn.click(classify_url, inputs=url, **private)
    url.submit(classify_url, inputs=url, **private)
    for source, btn in random_btns.items():
        btn.click(classify_random(source), inputs=None, **private)
    api_btn = gr.Button(visible=False)
    api_btn.click(classify, inputs=upload, outputs=answer, api_name="classify")


def _explain_tab(state_rgb, state_answer):
    gr.Markdown("Where does a model look when it gives an answer? Pick a model and a class; each method "
                "paints the parts of the picture that pushed the model towards that class.")
    with gr.Row():
        with gr.Column(scale=1):
            own = gr.File(label="Another image (optional; otherwise the one from Classify)", type="filepath")
            task = gr.Dropdown(TASK_NAMES, value=TASK_NAMES[0], label="Model")
            first = list(TASKS[TASK_NAMES[0]].classes)
            class_name = gr.Dropdown(first, value=first[0], label="Class", allow_custom_value=True)
            methods = gr.CheckboxGroup(list(core.METHODS), value=["gradcam"], label="Methods")
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
    """The whole app. Resolving the models folder may contact the Hub once (see artdemo.models.hub)."""
    origin = core.models_origin()
    model_tasks = [t for t in TASK_NAMES if t in core.cards()]
    with gr.Blocks(title="artdemo: how a machine reads museum images", analytics_enabled=False) as demo:
        gr.Markdown("# artdemo\nWhat style, medium and genre is this artwork, and is it a lithograph? "
                    f"Small models on one EfficientNet-Lite0 backbone.\n\n**Models:** {origin}")
        state_rgb, state_answer = gr.State(None), gr.State(None)
        with gr.Tab("Classify"):
            _classify_tab(state_rgb, state_answer)
        with gr.Tab("How the machine sees"):
            _explain_tab(state_rgb, state_answer)
        with gr.Tab("Confusion"):
            _confusion_tab(demo, model_tasks)
        with gr.Tab("Class balance"):
            _balance_tab(demo)
    return demo


demo = build()

def warm_up() -> None:
    """Load TensorFlow, the backbone and the heads before the first visitor asks (in the background)."""
    try:
        import numpy as np

        core.predict(np.full((64, 64, 3), 128, dtype=np.uint8))
    except Exception:  # no models yet, or anything else: the first request will say so plainly
        log.info("warm-up skipped", exc_info=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import threading

    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    demo.queue(default_concurrency_limit=1).launch(max_file_size="25mb")
