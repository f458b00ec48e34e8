"""Library complaints attributed to the page they are about, never bare on stderr.

trafilatura and htmldate (and courlan and justext under them) report through
Python logging with messages such as ``discarding data: None`` or ``empty
HTML tree: None`` that name no file: on a batch of a thousand pages they are
noise nobody can act on. Their loggers are routed here instead: each record
is logged again by storyline at DEBUG level, prefixed with the page being
read (set by :func:`reading`), so ``-vv`` shows which page a complaint was
about and nothing reaches the terminal otherwise. What matters to the user
(a page that gave no article) is reported by the reader itself, as a Skipped
with its reason.

dateutil warns (through ``warnings``) about time-zone names it cannot
place, such as "GST"; htmldate then uses the date without the zone, which
is all storyline needs, so that warning is silenced.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dateutil.parser import UnknownTimezoneWarning

log = logging.getLogger(__name__)

LIBRARY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")

_page: ContextVar[str] = ContextVar("storyline_page", default="(no page)")


class _AttributeToPage(logging.Handler):
    """Re-logs a library's record at DEBUG, naming the page being read."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string must not break a read
            message = str(record.msg)
        log.debug("%s: %s %s: %s", _page.get(), record.name, record.levelname.lower(), message)


_HANDLER = _AttributeToPage()


def install() -> None:
    """Route the libraries' loggers through storyline (idempotent)."""
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if _HANDLER not in library.handlers:
            library.addHandler(_HANDLER)
        library.propagate = False
    warnings.filterwarnings("ignore", category=UnknownTimezoneWarning)


@contextmanager
def reading(origin: str) -> Iterator[None]:
    """Attribute the libraries' complaints inside the block to ``origin``."""
    token = _page.set(origin)
    try:
        yield
    finally:
        _page.reset(token)


install()
