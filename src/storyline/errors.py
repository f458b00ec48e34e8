"""Every error storyline raises on purpose.

Errors are raised deep, carry a message that says what happened, why, and
how to fix it, and are turned into one-line messages only at the edges
(``cli.py``, ``api.py``). Each class has a short code so a message can be
looked up and tested without matching its whole wording.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest message part taken from an input (a page's bytes in a parser's complaint).
MAX_QUOTED = 300
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")


def printable(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` made safe for one line of a terminal or log.

    Line breaks become spaces; control and other invisible format
    characters (ESC, BEL, NUL, bidi overrides) are shown escaped, as
    ``\\x1b`` or ``\\u202e``, so that text from an input can neither move
    the cursor, ring, recolour nor reorder what is printed around it; an
    unpaired surrogate is shown the same way, and the bytes of a file name
    that is not UTF-8 (which Python keeps as surrogates) as ``\\xff``. Anything beyond ``limit`` characters is cut, and the cut marked.
    """
    text = _LINE_BREAKS.sub(" ", text)
    shown = []
    for char in text:
        if char == "\t":
            shown.append(" ")
        elif "\udc80" <= char <= "\udcff":  # a byte of a name that is not UTF-8
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            shown.append(char.encode("unicode_escape").decode("ascii"))
        else:
            shown.append(char)
    result = "".join(shown)
    return result if len(result) <= limit else result[: limit - 1] + "…"


class StorylineError(Exception):
    """Base of all storyline errors."""

    code = "E000"

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class InputError(StorylineError):
    """An input file or record cannot be used (missing, binary, empty, malformed)."""

    code = "E100"

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class DateError(StorylineError):
    """A date given by the user cannot be read."""

    code = "E110"


class QueryError(StorylineError):
    """A search query cannot be run (FTS5 refused it)."""

    code = "E120"


class StoreError(StorylineError):
    """The database file cannot be used as a storyline store."""

    code = "E200"


class NotFoundError(StorylineError):
    """Something asked for by id does not exist in the store."""

    code = "E210"


class ConfigError(StorylineError):
    """A bad combination of options, or an unknown method name."""

    code = "E300"


class ModelError(StorylineError):
    """A language model that must be installed as a package is missing."""

    code = "E400"


class ClusterError(StorylineError):
    """The distributed engine (a Dask cluster) cannot be reached or started."""
