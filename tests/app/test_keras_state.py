"""Streamlit resets Keras after every script run unless the app stops it (artdemo.ui.keras_state)."""

from __future__ import annotations

import keras
import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from artdemo.ui import keras_state


def _page():
    import streamlit as st

    st.write("a run")


@pytest.fixture
def clear_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append(1))
    # Streamlit's own hook, even if an earlier test in this process already opened app.py (which replaces it)
    original = keras_state.streamlit_hook or script_runner._clean_problem_modules
    monkeypatch.setattr(script_runner, "_clean_problem_modules", original)  # and put back whatever was there
    return calls


def test_the_pinned_streamlit_clears_the_keras_session_after_each_run(clear_calls):
    AppTest.from_function(_page).run()
    assert clear_calls, "Streamlit no longer calls keras.backend.clear_session after a run: keras_state may go"


def test_after_keep_keras_state_runs_leave_keras_alone(clear_calls):
    keras_state.keep_keras_state()
    at = AppTest.from_function(_page).run()
    at.run()
    assert clear_calls == []
    assert at.markdown[0].value == "a run"
