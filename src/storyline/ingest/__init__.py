"""Read articles from files and folders, whatever their format.

``read_inputs`` yields an Article for every usable article and a Skipped
for every input that gave none, so a caller can store the good ones and
report the bad ones by name; nothing here raises for a bad file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from storyline.errors import InputError
from storyline.ingest.base import PublishedDate, Skipped, date_from_path
from storyline.ingest.decode import read_bytes, read_text
from storyline.ingest.html import read_page
from storyline.ingest.jsonl import read_jsonl
from storyline.ingest.text import parse_text
from storyline.ingest.warc import read_warc
from storyline.model import Article

__all__ = ["InputFile", "Skipped", "read_inputs", "read_file", "find_files", "SUPPORTED_SUFFIXES"]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".html.gz", ".htm.gz", ".jsonl", ".ndjson", ".warc",
                      ".warc.gz")
_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in SUPPORTED_SUFFIXES if name.endswith(s)), path.suffix.lower())


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read and the folder the user named to reach it (None if named itself)."""

    path: Path
    root: Path | None = None


def find_files(paths: Iterable[str | Path]) -> Iterator[InputFile | Skipped]:
    """Files to read, in a stable order, each once; folders are walked recursively.

    Inside a folder, hidden files and files of other types (a README, an
    image) are passed over quietly; a file named explicitly must be readable.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not child.is_file():
                    continue
                if _suffix(child) not in SUPPORTED_SUFFIXES:
                    log.debug("passing over %s: not an article format", child)
                elif (key := child.resolve()) not in seen:
                    seen.add(key)
                    yield InputFile(child, path)
        elif path.is_file():
            if _suffix(path) in SUPPORTED_SUFFIXES:
                if (key := path.resolve()) not in seen:
                    seen.add(key)
                    yield InputFile(path)
            else:
                yield Skipped(str(path), f"unsupported file type; expected one of "
                                         f"{', '.join(SUPPORTED_SUFFIXES)}")
        elif path.exists():
            yield Skipped(str(path), "is not a regular file")
        else:
            yield Skipped(str(path), "does not exist")


def read_file(item: InputFile | Path, published: date | None = None
              ) -> Iterator[Article | Skipped]:
    """Every article of one file (a JSONL or WARC file may hold many)."""
    item = item if isinstance(item, InputFile) else InputFile(item)
    path = item.path
    fallback = ((PublishedDate(published, source="--published") if published else None)
                or date_from_path(path, item.root))
    suffix = _suffix(path)
    if suffix in (".warc", ".warc.gz"):
        yield from read_warc(path, fallback=fallback)
        return
    try:
        if suffix in _PAGE_SUFFIXES:
            yield read_page(read_bytes(path), origin=str(path), fallback=fallback)
        elif suffix in (".jsonl", ".ndjson"):
            yield from read_jsonl(path, read_text(path), fallback=fallback)
        else:
            yield parse_text(read_text(path), origin=str(path), path=path, published=fallback)
    except InputError as exc:
        yield Skipped(exc.origin, exc.reason)


def read_inputs(paths: Iterable[str | Path], *, published: date | None = None
                ) -> Iterator[Article | Skipped]:
    """Articles from files and folders, with a Skipped for each unusable input."""
    for item in find_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, published)
