"""Where every rung puts its keyframes: on a fixed time grid read from the source's timestamps.

HLS players switch renditions at fragment boundaries, so every rung must
cut its fragments at the same instants. Each fragment starts at a keyframe,
and the ladder decides which pictures are keyframes once, on the decoding
thread, for all rungs: the first picture at or after every multiple of
:data:`GOP_SECONDS`. Counting frames instead would drift on variable frame
rate sources; letting x264 place keyframes (scene cuts, ``keyint``) would
let rungs disagree. The encoders honour the decision (forced IDR frames,
which also closes every GOP) and place none of their own.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

GOP_SECONDS: Final = Fraction(2)
"""Length of a GOP, and so of an HLS segment (PeerTube uses 2 s too; Apple suggests 2 to 6 s)."""


class KeyframeGrid:
    """Says, picture by picture in presentation order, whether the picture starts a GOP."""

    def __init__(self, gop: Fraction = GOP_SECONDS) -> None:
        self._gop = gop
        self._next: Fraction | None = None

    def starts_gop(self, pts: int, time_base: Fraction) -> bool:
        """True for the first picture and the first one at or after each grid line."""
        moment = pts * time_base
        if self._next is not None and moment < self._next:
            return False
        self._next = (moment // self._gop + 1) * self._gop
        return True
