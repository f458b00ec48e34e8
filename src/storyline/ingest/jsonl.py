"""JSON Lines: one article a line, as in DESIGN's input contract.

Each line is validated on its own: a broken line is reported with its line
number and the rest of the file is still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storyline.errors import InputError
from storyline.ingest.base import (
    PublishedDate,
    Skipped,
    date_from_url,
    parse_published,
    source_from_url,
    stable_id,
)
from storyline.model import Article, Granularity

_TEXT_FIELDS = ("id", "url", "source", "title", "published")


def parse_record(record: Any, *, origin: str,
                 fallback: PublishedDate | None = None) -> Article:
    """Validate one JSON record and turn it into an Article."""
    if not isinstance(record, dict):
        raise InputError(origin, f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(origin, 'has no "text" (a non-empty string is required)')
    for key in _TEXT_FIELDS:
        value = record.get(key)
        allowed = (str, int) if key == "id" else (str,)
        if value is not None and (isinstance(value, bool) or not isinstance(value, allowed)):
            raise InputError(origin, f'"{key}" must be a string')
    date: PublishedDate | None = None
    if record.get("published"):
        try:
            date = PublishedDate(parse_published(record["published"]), source="record")
        except ValueError as exc:
            raise InputError(origin, f'"published" {record["published"]!r} is not a date: {exc}') from None
    url = record.get("url") or None
    date = date or date_from_url(url) or fallback
    text = text.strip()
    title = (record.get("title") or "").strip()
    article = Article(
        id=stable_id(given=record.get("id") and str(record["id"]), url=url, text=text),
        url=url,
        source=record.get("source") or source_from_url(url),
        title=title,
        published=date.value if date else None,
        text=text,
        origin=origin,
        published_precision=date.precision if date else Granularity.DAY,
        published_from=date.source if date else None,
    )
    return article


def read_jsonl(path: Path, text: str, fallback: PublishedDate | None = None
               ) -> Iterator[Article | Skipped]:
    """Every good record of the file, and a Skipped for every bad line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(origin, f"is not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        try:
            yield parse_record(record, origin=origin, fallback=fallback)
        except InputError as exc:
            yield Skipped(origin, exc.reason)
