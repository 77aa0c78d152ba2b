"""The one way an error reaches a Streamlit visitor.

An ArtdemoError's message is written for a person and shown as it is; a full queue
(service.Busy) is not the visitor's fault, so it is a calm note with their place in
line; anything else is a bug: logged with its trace, and the visitor reads one calm
sentence (words.OOPS). st.rerun and st.switch_page pass through (they are
BaseExceptions).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

import streamlit as st

from artdemo.app import words
from artdemo.app.line import Busy, Replaced, waiting_message
from artdemo.errors import ArtdemoError

log = logging.getLogger("artdemo.app")


@contextlib.contextmanager
def shown_errors(what: str) -> Iterator[None]:
    """Show what went wrong while `what` (e.g. "getting that artwork") in words for a person."""
    try:
        yield
    except Busy as err:
        st.info(str(err), icon=":material/hourglass_top:")
    except Replaced:
        pass  # this session asked for something newer; that request shows its own answer
    except ArtdemoError as err:
        st.error(str(err))
    except Exception:
        log.exception("unexpected error while %s", what)
        st.error(words.OOPS.format(what=what))


@contextlib.contextmanager
def place_in_line() -> Iterator[Callable[[int], None]]:
    """An `on_wait` callback for the inference service: a note with the visitor's place in line while
    they wait, gone once the answer is there (nothing shows when it comes at once)."""
    slot = st.empty()
    try:
        yield lambda place: slot.caption(waiting_message(place))
    finally:
        slot.empty()
