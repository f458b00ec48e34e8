"""Pages that hold only a notice where the article should be.

Syndicated and paywalled pages often reach a crawler with nothing of the
article left: "This article was originally published on The Conversation.
Read the original article." or "Subscribe to continue reading". Such a page
is not an article and must not be stored as one; it is skipped, and the
notice is named as the reason. The patterns are data
(``data/notices.tsv``); the rule is general: a page is notice-only when at
least one of its lines is a notice and what is left once the notices are set
aside (and the headline) is too short to be an article. A page with an article *and* a notice
is an article (the notice line is left to the clean stage).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_MACRO = re.compile(r"%([A-Z]+)%")
_WORD = re.compile(r"\w+")
#: A notice is a sentence or two; a longer line is prose, whatever it says.
MAX_NOTICE_WORDS = 40
_EDGES = " \t•·*-–—>|"
# Rough sentences are enough to find a notice run into another line.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice pattern; ``kind`` is ``reprint`` or ``paywall``."""

    kind: str
    name: str
    pattern: re.Pattern[str]


@cache
def load_notices() -> tuple[Notice, ...]:
    """The packaged notice patterns, compiled once."""
    text = files("storyline").joinpath("data/notices.tsv").read_text("utf-8")
    pieces: dict[str, str] = {}
    notices = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, name, regex = line.split("\t")
        regex = _MACRO.sub(lambda m: pieces[m.group(1)], regex)
        if kind == "define":
            pieces[name] = regex
        else:
            notices.append(Notice(kind, name, re.compile(regex, re.IGNORECASE)))
    return tuple(notices)


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def matching_notice(line: str) -> Notice | None:
    """The notice that the whole (short) line is, if any."""
    stripped = line.strip(_EDGES)
    if not stripped or len(stripped.split()) > MAX_NOTICE_WORDS:
        return None
    return next((n for n in load_notices() if n.pattern.fullmatch(stripped)), None)


def notice_only(text: str, min_words: int, title: str = "") -> Notice | None:
    """The first notice of a text that, without its notices and its headline
    (``title``, which extractors keep as the first line), has fewer than
    ``min_words`` words; None for a text that is an article."""
    first: Notice | None = None
    remaining = 0
    headline = _words(title)
    for line in text.splitlines():
        if headline and _words(line) == headline:
            continue
        pieces = [line] if matching_notice(line) else _SENTENCE_END.split(line)
        for piece in pieces:
            notice = matching_notice(piece)
            if notice:
                first = first or notice
            else:
                remaining += len(piece.split())
    return first if first and remaining < min_words else None


def reprint_notice(lines: Iterable[str]) -> str | None:
    """The first of ``lines`` (an article's sentences) that says the article ran elsewhere first."""
    for line in lines:
        notice = matching_notice(line)
        if notice is not None and notice.kind == "reprint":
            return line.strip()
    return None
