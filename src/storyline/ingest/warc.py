"""WARC archives (as crawlers write them): every HTML response is an article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.errors import InputError
from storyline.ingest.base import PublishedDate, Skipped
from storyline.ingest.html import parse_html
from storyline.model import Article


def read_warc(path: Path, published: PublishedDate | None = None
              ) -> Iterator[Article | Skipped]:
    """Articles from the archive's HTML responses; other records are ignored."""
    try:
        with path.open("rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type != "response" or not record.http_headers:
                    continue
                kind = record.http_headers.get_header("Content-Type") or ""
                if "html" not in kind.lower():
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                origin = f"{path}#{number}"
                body = record.content_stream().read()
                html = body.decode("utf-8", errors="replace")
                try:
                    yield parse_html(html, origin=origin, url=url, published=published)
                except InputError as exc:
                    yield Skipped(origin, exc.reason)
    except ArchiveLoadFailed as exc:
        yield Skipped(str(path), f"is not a readable WARC archive ({exc})")
    except OSError as exc:
        yield Skipped(str(path), f"cannot be read ({exc.strerror or exc})")
