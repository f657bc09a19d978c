"""Words Whisper strands across a silence the VAD removed, put back beside their sentence.

With ``vad_filter`` faster-whisper transcribes the speech regions glued together and maps times
back. A segment's first word that Whisper aligned at the join then lands at the end of the
*previous* speech region: "The" at 15.72-16.74 s, "load" at 21.51 s (faster-whisper issue #125,
open: "after long silence first word in a segment has very inaccurate timestamp - it can be 10
seconds early"). A cited span then starts in silence, seconds before anything is said. The same
happens to a segment's last word after a pause.

The repair uses the two signs of it, with faster-whisper's own constants, not values fitted to a
lecture: a gap to the rest of the segment that only a removed silence leaves (the VAD removes
silences of at least ``min_silence_duration_ms`` = 2 s and keeps ``speech_pad_ms`` = 0.4 s on each
side, so at least 1.2 s remain) and a word stretched beyond twice the segment's median word
length (faster-whisper's cap for words at sentence boundaries). Such a word is moved next to its
neighbour with the segment's median word length (its own length is silence it absorbed).

Example:
    >>> from keyclip.tools.asr import Word
    >>> words = (Word(15.72, 16.74, "The", .8), Word(21.51, 21.75, "load", .3), Word(21.75, 22.17, "factor", .9))
    >>> [w.t0 for w in reattach_stranded_words(words)]
    [21.09, 21.51, 21.75]
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

REMOVED_SILENCE_GAP_S = 2.0 - 2 * 0.4
"""The shortest gap a silence removed by faster-whisper's default VAD leaves between two words."""
STRETCH = 2.0
"""faster-whisper's bound on a boundary word's length, in median word lengths."""

W = TypeVar("W")  # keyclip.tools.asr.Word (t0, t1, text, probability)


def reattach_stranded_words(words: Sequence[W]) -> tuple[W, ...]:
    """``words`` (one segment's, in order) with a stranded first or last word moved beside the
    rest (see the module docstring); unchanged otherwise."""
    out = list(words)
    if len(out) < 3:
        return tuple(out)
    median = statistics.median(w.t1 - w.t0 for w in out)
    bound = STRETCH * median
    first, second = out[0], out[1]
    if second.t0 - first.t1 >= REMOVED_SILENCE_GAP_S and first.t1 - first.t0 > bound:
        out[0] = replace(first, t0=round(max(0.0, second.t0 - median), 3), t1=second.t0)
    last, before = out[-1], out[-2]
    if last.t0 - before.t1 >= REMOVED_SILENCE_GAP_S and last.t1 - last.t0 > bound:
        out[-1] = replace(last, t0=before.t1, t1=round(before.t1 + median, 3))
    return tuple(out)
