"""Keep Keras's process-wide state across Streamlit reruns.

Why: after every script run of every session, Streamlit calls
`keras.backend.clear_session()` (`_clean_problem_modules` in its script runner),
meant for apps that build a model per run. This app builds its models once per
process and shares them between sessions through the inference service
(artdemo.app.service). For it, each call is pure cost and some risk:
- it runs `gc.collect()` over the whole heap while holding the GIL, so with 8
  visitors the inference worker stalls for seconds (a py-spy profile of the
  8-visitor crowd test put a quarter of all samples there);
- it clears TensorFlow's eager kernel caches, which the next prediction rebuilds;
- it resets Keras's global graph state while another thread may be building a model.

`keep_keras_state()` replaces that one hook with one that does nothing. (Its other
half closes matplotlib's pyplot figures; the app draws with Plotly and does not
install matplotlib.)
tests/app/test_keras_state.py checks that the pinned Streamlit still calls the hook
by that name, so an upgrade that renames it fails a test instead of going quiet.
"""

from __future__ import annotations


def _nothing_to_clean() -> None:
    """Streamlit's post-run hook for this app: the shared models keep their state."""


streamlit_hook = None
"""Streamlit's own hook, as it was before `keep_keras_state` replaced it (the tests run it)."""


def keep_keras_state() -> None:
    """Stop Streamlit from clearing the Keras session after each script run (once per process is enough)."""
    global streamlit_hook
    from streamlit.runtime.scriptrunner import script_runner

    if script_runner._clean_problem_modules is not _nothing_to_clean:
        streamlit_hook = script_runner._clean_problem_modules
    script_runner._clean_problem_modules = _nothing_to_clean
