"""WARC archives (as crawlers write them): every HTML response is an article."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.errors import InputError
from storyline.ingest.base import PublishedDate, Skipped
from storyline.ingest.html import parse_html
from storyline.model import Article

log = logging.getLogger(__name__)


def read_warc(path: Path, fallback: PublishedDate | None = None, *,
              origin: str | None = None) -> Iterator[Article | Skipped]:
    """Articles from the archive's HTML responses; other records are ignored.

    Articles get ``origin#record`` as their origin (the file's path when no
    origin is given); skips name the file's path and record.
    """
    label = origin or str(path)
    pages = 0
    # warcio prints its complaints about malformed records straight to
    # stderr; they are collected and logged instead.
    complaints = io.StringIO()
    try:
        with path.open("rb") as stream, contextlib.redirect_stderr(complaints):
            iterator = ArchiveIterator(stream)
            for number, record in enumerate(iterator, start=1):
                if record.rec_type != "response" or not record.http_headers:
                    continue
                kind = record.http_headers.get_header("Content-Type") or ""
                if "html" not in kind.lower():
                    continue
                pages += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                html = record.content_stream().read().decode("utf-8", errors="replace")
                try:
                    yield parse_html(html, origin=f"{label}#{number}", url=url,
                                     fallback=fallback)
                except InputError as exc:
                    yield Skipped(f"{path}#{number}", exc.reason)
    except ArchiveLoadFailed as exc:
        yield Skipped(str(path), f"is not a readable WARC archive ({exc})")
        return
    except OSError as exc:
        yield Skipped(str(path), f"cannot be read ({exc.strerror or exc})")
        return
    if complaints.getvalue().strip():
        log.info("%s: %s", path, " ".join(complaints.getvalue().split()))
    if pages == 0:
        yield Skipped(str(path), "holds no HTML pages (is it a WARC archive?)")
