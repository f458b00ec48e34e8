"""What every reader shares: the skip record, ids, and publication-date hints.

A publication date is taken, in order, from what the input says of itself
(a JSONL record's ``published``, an HTML page's own evidence, weighed by
:mod:`storyline.annotate.published`), a date in its URL, the user's
``--published``, and a ``YYYY-MM-DD`` in the file name or the folders
walked to reach it. The publisher's own word comes first;
``--published`` fills in for inputs that carry no date, and beats a date
that whoever collected the files put in a path. Only folders at or below
the folder the user named count, so a file's date does not depend on where
the command was run from.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from storyline.errors import printable
from storyline.model import Granularity, PublishedDate

__all__ = ["PublishedDate", "Skipped", "stable_id", "date_from_path", "date_from_url",
           "parse_published", "source_from_url", "valid_unicode"]

#: Publication years accepted (see ``parse_published``).
FIRST_YEAR, LAST_YEAR = 1800, 2200
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Longest path shown in a skip message.
MAX_PATH = 1000
_PATH_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_DAY = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])(?=/|$|[-_])")
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?=/)")
_URL_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that gave no article, and why; reported, never fatal.

    Both parts are printed on terminals and sent to clients, and both may
    quote the input (a file name, a parser's complaint about its bytes):
    they are kept to one printable line each.
    """

    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path, MAX_PATH))
        object.__setattr__(self, "reason", printable(self.reason))

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


def stable_id(*, given: str | None = None, url: str | None = None, text: str = "") -> str:
    """The given id, else a hash of the URL, else a hash of the text.

    Hashing keeps ids stable across runs, which is what makes a second
    ingest of the same article a no-op.
    """
    if given:
        return str(given)
    basis = f"url:{url}" if url else f"text:{text}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def _valid(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def date_from_path(path: Path, root: Path | None = None) -> PublishedDate | None:
    """A ``YYYY-MM-DD`` in the file name or the nearest folder that has one.

    Folders are searched up to and including ``root`` (the folder the user
    named); for a file named directly, only its own folder.
    """
    names = [path.name]
    for parent in path.parents:
        names.append(parent.name)
        if parent == (root if root is not None else path.parent):
            break
    for name in names:
        match = _PATH_DATE.search(name)
        if match and (value := _valid(*match.groups())):
            return PublishedDate(value, source="path")
    return None


def date_from_url(url: str | None) -> PublishedDate | None:
    """``/2019/01/23/`` gives a day, ``/2019/01/`` only a month."""
    if not url:
        return None
    try:
        path = urlparse(url).path
    except ValueError:  # not a URL ("http://[::1"), so no date in it
        return None
    if (match := _URL_DAY.search(path)) and (value := _valid(*match.groups())):
        return PublishedDate(value, source="url")
    if (match := _URL_MONTH.search(path)) and (value := _valid(*match.groups(), "1")):
        return PublishedDate(value, Granularity.MONTH, source="url")
    if (match := _URL_COMPACT.search(path)) and (value := _valid(*match.groups())):
        return PublishedDate(value, source="url")
    return None


def parse_published(text: str) -> date:
    """Read ``YYYY-MM-DD`` or an ISO datetime (its calendar day is kept).

    Only years news can have been published in are accepted: ``0001-01-01``
    is what many systems write for "no date", and dates that far from now
    are no anchor for "last Thursday".
    """
    text = text.strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        value = date.fromisoformat(text[:10])
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"the year {value.year} is not a plausible publication year "
                             f"({FIRST_YEAR}–{LAST_YEAR})")
        return value
    raise ValueError(f"expected YYYY-MM-DD or an ISO datetime, got {text!r}")


def valid_unicode(text: str) -> str:
    """``text`` with unpaired surrogates (a lone ``\\ud800`` escape in JSON) made U+FFFD.

    Such a string is not Unicode text: it cannot be written as UTF-8, so
    the store would refuse the whole article for one character.
    """
    return _SURROGATE.sub("\ufffd", text)


def source_from_url(url: str | None) -> str | None:
    """The host without ``www.``: the best outlet name a bare URL gives."""
    if not url:
        return None
    try:
        host = urlparse(url).hostname or ""
    except ValueError:  # not a URL ("http://[::1"): no outlet to name
        return None
    return host.removeprefix("www.") or None
