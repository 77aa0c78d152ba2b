"""A visitor's place in line, in words: what the queue says when it is full or while they wait.

The inference service (artdemo.app.service) raises these errors and the pages show
these sentences; they live apart so a page can import the words without the queue.
"""

from __future__ import annotations

from artdemo.errors import ArtdemoError


class Busy(ArtdemoError):
    """The queue is full; the message says where the visitor would be in line."""


class Replaced(ArtdemoError):
    """This explanation was replaced by a newer request from the same session."""


def ordinal(n: int) -> str:
    """1 -> "1st", 12 -> "12th", 22 -> "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def busy_message(place: int) -> str:
    return (f"Many visitors right now: you are {ordinal(place)} in line and the line is full. "
            "Please try again in a few seconds.")


def waiting_message(place: int) -> str:
    """What a page shows while a request waits ("You are 3rd in line…")."""
    return "Your turn is next…" if place <= 1 else f"Many visitors right now: you are {ordinal(place)} in line…"
