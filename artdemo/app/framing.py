"""What the models look at in a visitor's picture: the artwork inside its frame, or the whole picture.

A phone photo of a hung work shows the wall, the frame, the mat and the label too;
the models learned from tight reproductions, so the app finds the artwork
(artdemo.imaging.find_artwork), classifies the straightened crop and draws the
outline it found on the photo. A reproduction passes through unchanged. The
visitor can overrule it with one click ("Use the whole picture"); `Framing` keeps
both, so switching costs no second search.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from artdemo.app import words
from artdemo.imaging.find_artwork import FoundArtwork, draw_outline, find_artwork


@dataclass(frozen=True)
class Framing:
    """A picture, the artwork found in it, and whether the visitor asked for the whole picture."""

    photo: np.ndarray  # the decoded picture, HxWx3 uint8
    found: FoundArtwork
    whole: bool = False  # the visitor asked to classify the uncropped picture

    @property
    def found_a_frame(self) -> bool:
        """True when the search found an artwork to crop (a reproduction passes through)."""
        return self.found.quad is not None

    @property
    def cropped(self) -> bool:
        """True when the models see only the crop (a frame was found and the visitor kept it)."""
        return self.found_a_frame and not self.whole

    @property
    def seen(self) -> np.ndarray:
        """The picture the models classify and the maps are drawn over."""
        return np.asarray(self.found.crop, dtype=np.uint8) if self.cropped else self.photo

    def outlined(self) -> np.ndarray:
        """The photo with the outline of the artwork the models looked at (the photo itself when they
        looked at all of it)."""
        return draw_outline(self.photo, self.found.quad) if self.cropped else self.photo

    def with_whole(self, whole: bool) -> "Framing":
        return replace(self, whole=bool(whole))

    def quad_json(self) -> list[list[float]] | None:
        """The corners (TL, TR, BR, BL) of the outline the models looked inside, as [x, y] in the photo's
        pixels; None when they looked at the whole picture (a reproduction, or the visitor's choice)."""
        if not self.cropped:
            return None
        return [[round(float(x), 1), round(float(y), 1)] for x, y in np.asarray(self.found.quad)]

    def note(self) -> str:
        """What the models looked at, in plain words ('' for a reproduction that passed through)."""
        if not self.found_a_frame:
            return ""
        return words.WHOLE_NOTE if self.whole else words.CROPPED_NOTE


def frame(photo: np.ndarray, whole: bool = False) -> Framing:
    """Find the artwork in `photo` (a reproduction passes through unchanged)."""
    photo = np.asarray(photo, dtype=np.uint8)
    return Framing(photo, find_artwork(photo), whole=bool(whole))
