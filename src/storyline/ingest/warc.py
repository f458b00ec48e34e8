"""WARC archives (as crawlers write them): every HTML response is an article.

Each record is read inside its own boundary: whatever goes wrong with one
(no ``WARC-Target-URI``, broken HTTP headers, a body no charset reads, a
page with no article) is reported as a Skipped named ``path#N`` (N counts
the archive's records from 1) with its reason, and the next record is read.
warcio parses a record's HTTP headers while it steps to the record, and
raises there for some malformed records (a response without a target URI
raises AttributeError inside warcio); so records are stepped to with that
parsing off and their HTTP headers are parsed here, inside the boundary.
Only damage to the archive itself (a broken gzip member, a record header
that is not WARC) stops the reading, with what came before kept.

The page is decoded by the charset its HTTP ``Content-Type`` header names,
else the one the page declares (see :mod:`storyline.ingest.decode`), and
the record's ``WARC-Date`` bounds its publication date: a page cannot be
published after it was captured.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from storyline.errors import InputError
from storyline.ingest.base import PublishedDate, Skipped
from storyline.ingest.html import read_page
from storyline.model import Article

log = logging.getLogger(__name__)

_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"])


def read_warc(path: Path, fallback: PublishedDate | None = None, *,
              origin: str | None = None) -> Iterator[Article | Skipped]:
    """Articles from the archive's HTML responses; other records are ignored.

    Articles get ``origin#record`` as their origin (the file's path when no
    origin is given); skips name the file's path and record.
    """
    label = origin or str(path)
    pages = 0
    number = 0
    # warcio prints its complaints about malformed records straight to
    # stderr; they are collected and logged instead (only while warcio and
    # the page reader run: the caller's own output is never caught).
    complaints = io.StringIO()
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream, no_record_parse=True)
            while True:
                with contextlib.redirect_stderr(complaints):
                    number += 1  # the record being read, for the messages below
                    record = next(records, None)
                    if record is None:
                        break
                    if record.format != "warc":  # warcio reads any line as an old ARC header
                        raise ArchiveLoadFailed(f"record {number} is not a WARC record")
                    found = _read_record(record, f"{label}#{number}", f"{path}#{number}",
                                         fallback)
                if found is not None:
                    pages += 1
                    yield found
    except (ArchiveLoadFailed, ValueError, EOFError) as exc:
        if number <= 1:
            yield Skipped(str(path), f"is not a readable WARC archive ({_short(exc)})")
        else:
            yield Skipped(f"{path}#{number}", "the archive is damaged here; the records"
                                                  f" after it cannot be read ({_short(exc)})")
        return
    except OSError as exc:
        yield Skipped(str(path), f"cannot be read ({exc.strerror or exc})")
        return
    finally:
        if complaints.getvalue().strip():
            log.info("%s: %s", path, " ".join(complaints.getvalue().split()))
    if pages == 0:
        yield Skipped(str(path), "holds no HTML pages (is it a WARC archive?)")


def _read_record(record: ArcWarcRecord, origin: str, where: str,
                 fallback: PublishedDate | None) -> Article | Skipped | None:
    """The record's article, or why it has none; None for records that are not HTML pages.

    ``origin`` is the article's, ``where`` names the record in a skip message.
    """
    if record.rec_type != "response":
        return None
    try:
        page = _html_response(record, origin)
        if page is None:
            return None
        if not page.url:
            log.debug("%s: no WARC-Target-URI; the page's own URL is used, if it has one",
                      origin)
        return read_page(page.body, origin=origin, url=page.url,
                         content_type=page.content_type, captured=page.captured,
                         fallback=fallback)
    except InputError as exc:
        return Skipped(where, exc.reason)
    except Exception as exc:  # one record's failure stays that record's
        return Skipped(where, f"cannot be read ({type(exc).__name__}: {_short(exc)})")


@dataclass(frozen=True, slots=True)
class _Page:
    """What the reader needs of one HTML response record."""

    body: bytes
    url: str | None
    content_type: str
    captured: date | None


def _html_response(record: ArcWarcRecord, origin: str) -> _Page | None:
    """The record's page if it is an HTML response; None for other payloads."""
    try:
        record.http_headers = _HTTP.parse(record.raw_stream)
    except (StatusAndHeadersParserException, EOFError, ValueError) as exc:
        raise InputError(origin, f"has no readable HTTP response headers ({_short(exc)})"
                         ) from None
    kind = record.http_headers.get_header("Content-Type") or ""
    if "html" not in kind.lower():
        return None
    return _Page(
        body=record.content_stream().read(),
        url=record.rec_headers.get_header("WARC-Target-URI"),
        content_type=kind,
        captured=_capture_day(record.rec_headers.get_header("WARC-Date")),
    )


def _capture_day(value: str | None) -> date | None:
    """The day of a ``WARC-Date`` (``2024-03-01T12:00:00Z``), if readable."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _short(exc: BaseException, limit: int = 80) -> str:
    """An exception's message fit for a one-line reason: printable ASCII, and short
    (warcio quotes the damaged bytes it met)."""
    text = "".join(c if c.isascii() and c.isprintable() else " " for c in str(exc))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
