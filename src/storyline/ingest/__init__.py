"""Read articles from files and folders, whatever their format.

``read_inputs`` yields an Article for every usable article and a Skipped
for every input that gave none, so a caller can store the good ones and
report the bad ones by name; nothing here raises for a bad file.

This package is imported by every ``storyline`` command (``storyline.ingest``
is also the name of the public ingest function, see ``storyline/__init__.py``),
so the readers, and the page parsers under them (trafilatura, htmldate,
dateparser, warcio), are imported by ``read_file`` when a file is first read.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from storyline.errors import InputError, printable
from storyline.ingest.base import PublishedDate, Skipped, date_from_path
from storyline.model import Article

__all__ = ["InputFile", "Skipped", "read_inputs", "read_file", "find_files", "SUPPORTED_SUFFIXES"]

log = logging.getLogger(__name__)

#: Longest origin label kept (a path is at most 4,096 bytes on Linux).
MAX_LABEL = 4096
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

    @property
    def label(self) -> str:
        """Where the file is, from the folder (or file) the user named down.

        This is the ``origin`` stored with its articles and shown by the
        API: it says which file an article came from without the absolute
        path of the machine that read it.
        """
        if self.root is None:
            label = self.path.name
        else:
            label = (Path(self.root.resolve().name) / self.path.relative_to(self.root)).as_posix()
        return printable(label, MAX_LABEL)


def find_files(paths: Iterable[str | Path]) -> Iterator[InputFile | Skipped]:
    """Files to read, in a stable order, each once; folders are walked recursively.

    Inside a folder, hidden files and folders are passed over, and so are
    files of other types (a README, an image: logged, not reported). Every
    other path that cannot be read is reported by name with the reason: a
    folder that cannot be listed, a link that loops or leads out of the
    folder being read (not followed: a link to ``/etc/passwd`` dropped in
    a feed folder must not become an article), anything that is not a
    regular file (a FIFO would block the reader forever).
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, seen)
        elif path.is_file():
            if _suffix(path) not in SUPPORTED_SUFFIXES:
                yield Skipped(str(path), f"unsupported file type; expected one of "
                                         f"{', '.join(SUPPORTED_SUFFIXES)}")
            elif (key := path.resolve()) not in seen:
                seen.add(key)
                yield InputFile(path)
        elif path.is_symlink():
            yield Skipped(str(path), _broken_link(path))
        elif path.exists():
            yield Skipped(str(path), f"is not a regular file ({_kind(path)})")
        else:
            yield Skipped(str(path), "does not exist")


def _walk(root: Path, seen: set[Path]) -> Iterator[InputFile | Skipped]:
    inside = root.resolve()
    unreadable: list[Skipped] = []

    def folder_error(error: OSError) -> None:
        unreadable.append(Skipped(str(error.filename or root),
                                  f"folder cannot be read ({error.strerror or error})"))

    for folder, subfolders, names in os.walk(root, onerror=folder_error):
        yield from unreadable
        unreadable.clear()
        here = Path(folder)
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in list(subfolders):
            if (here / name).is_symlink():
                subfolders.remove(name)  # never followed: read where it really is, if inside
                target = _link_target(here / name)
                if target is None or not target.is_relative_to(inside):
                    yield Skipped(str(here / name), _outside_link(here / name, target))
        for name in sorted(names):
            child = here / name
            if name.startswith("."):
                continue
            if child.is_symlink():
                target = _link_target(child)
                if target is None or not target.exists():
                    yield Skipped(str(child), _broken_link(child))
                    continue
                if not target.is_relative_to(inside):
                    yield Skipped(str(child), _outside_link(child, target))
                    continue
            if _suffix(child) not in SUPPORTED_SUFFIXES:
                log.info("passing over %s: not an article format", child)
                continue
            if not child.is_file():
                yield Skipped(str(child), f"is not a regular file ({_kind(child)})")
            elif (key := child.resolve()) not in seen:
                seen.add(key)
                yield InputFile(child, root)
    yield from unreadable


def _link_target(link: Path) -> Path | None:
    """Where a link finally leads, or None when it loops."""
    try:
        return link.resolve(strict=False)
    except (RuntimeError, OSError):
        return None


def _outside_link(link: Path, target: Path | None) -> str:
    if target is None:
        return "is a link that loops back on itself; not followed"
    return f"is a link to {target}, outside the folder being read; not followed"


def _broken_link(link: Path) -> str:
    target = _link_target(link)
    if target is None:
        return "is a link that loops back on itself; not followed"
    return f"is a link to {target}, which does not exist"


def _kind(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be examined: {exc.strerror or exc}"
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def read_file(item: InputFile | Path, published: date | None = None
              ) -> Iterator[Article | Skipped]:
    """Every article of one file (a JSONL or WARC file may hold many).

    This is the boundary of one input file: whatever goes wrong inside it
    (a parser's bug on strange bytes included) is reported as a Skipped
    naming the file, after the articles it gave before the failure.
    """
    item = item if isinstance(item, InputFile) else InputFile(item)
    try:
        yield from _read_file(item, published)
    except Exception as exc:  # noqa: BLE001 - the boundary of one file
        log.debug("reading %s failed", item.path, exc_info=True)
        yield Skipped(str(item.path), f"could not be read ({type(exc).__name__}: {exc})")


def _read_file(item: InputFile, published: date | None) -> Iterator[Article | Skipped]:
    # The readers import their parsers: only when a file is read (see the module docstring).
    from storyline.ingest.decode import read_bytes, read_text
    from storyline.ingest.html import read_page
    from storyline.ingest.jsonl import read_jsonl
    from storyline.ingest.text import parse_text
    from storyline.ingest.warc import read_warc

    path = item.path
    fallback = ((PublishedDate(published, source="--published") if published else None)
                or date_from_path(path, item.root))
    suffix = _suffix(path)
    origin = item.label
    if suffix in (".warc", ".warc.gz"):
        yield from read_warc(path, fallback=fallback, origin=origin)
        return
    try:
        if suffix in _PAGE_SUFFIXES:
            yield read_page(read_bytes(path), origin=origin, fallback=fallback)
        elif suffix in (".jsonl", ".ndjson"):
            yield from read_jsonl(path, read_text(path), fallback=fallback, origin=origin)
        else:
            yield parse_text(read_text(path), origin=origin, path=path, published=fallback)
    except InputError as exc:
        yield Skipped(str(path), exc.reason)


def read_inputs(paths: Iterable[str | Path], *, published: date | None = None
                ) -> Iterator[Article | Skipped]:
    """Articles from files and folders, with a Skipped for each unusable input."""
    for item in find_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, published)
