"""An answer's text as plain text: markup that an extractive answer copied from the video
(HTML tags, Markdown images and links, invisible or direction-changing characters) is
neutralised, so a client that renders ``answer`` as HTML or Markdown shows words, never a
script, a remote image or a disguised link. Citations keep the video's text verbatim (and are
documented as untrusted).

Example:
    >>> plain_text('See <script>alert(1)</script> ![x](http://e.vil/a.png) [docs](javascript:x)')
    'See alert(1) x docs'
"""

from __future__ import annotations

import re
import unicodedata

_TARGET = r"\((?:[^()]|\([^()]*\))*\)"
"""A link's target in brackets, which may hold brackets itself: ``(javascript:alert(1))``."""
_IMAGE = re.compile(r"!\[([^\]]*)\]" + _TARGET)
_LINK = re.compile(r"\[([^\]]*)\]" + _TARGET)
_REFERENCE = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto|javascript|data):[^>]*)>", re.I)


def plain_text(text: str) -> str:
    """``text`` without markup; words and ordinary punctuation ("x < y", "O(n)") kept."""
    if not text:
        return text
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = _COMMENT.sub(" ", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE.sub(r"\1", text)
    text = _DEFINITION.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _TAG_START.sub("< ", text)  # what is left can never open a tag
    return re.sub(r"[ \t]{2,}", " ", text).strip()
