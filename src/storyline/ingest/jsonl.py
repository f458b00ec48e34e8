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
    valid_unicode,
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
    record = {key: valid_unicode(value) if isinstance(value, str) else value
              for key, value in record.items()}
    text = record["text"]
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


def read_jsonl(path: Path, text: str, fallback: PublishedDate | None = None, *,
               origin: str | None = None) -> Iterator[Article | Skipped]:
    """Every good record of the file, and a Skipped for every bad line.

    Articles get ``origin:line`` as their origin (the file's path when no
    origin is given); skips name the file's path and line.
    """
    origin = origin or str(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            # A byte-order mark opening a line is a file written with one,
            # concatenated onto the others (cat *.jsonl): not part of the record.
            record = loads(line.lstrip("\ufeff"))
        except InputError as exc:
            yield Skipped(where, exc.reason)
            continue
        try:
            yield parse_record(record, origin=f"{origin}:{number}", fallback=fallback)
        except InputError as exc:
            yield Skipped(where, exc.reason)


def loads(text: str, origin: str = "") -> Any:
    """``json.loads``, with every way it can fail turned into one InputError.

    Besides malformed JSON, Python's parser refuses integers of more than
    4,300 digits (ValueError) and runs out of stack on deep nesting
    (RecursionError); a record is refused for either, not the whole input.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"is not valid JSON: {exc.msg} (column {exc.colno})"
    except RecursionError:
        reason = "is not usable JSON: nested too deeply"
    except ValueError as exc:
        reason = ("is not usable JSON: a number in it has more than 4,300 digits"
                  if "integer string conversion" in str(exc) else f"is not usable JSON: {exc}")
    raise InputError(origin, reason)
