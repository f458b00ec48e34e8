"""Benchmark datasets in their two published layouts: topics, keywords, gold timelines, articles.

*Timeline17 as published* (``t17-raw``)::

    keywords.json                          {"<Topic>": ["keyword", ...], ...}
    <Topic>_<source>/InputDocs/<YYYY-MM-DD>/<n>.htm.txt   one tokenized sentence a line
    <Topic>_<source>/timelines/<name>.txt  date line, sentences, a line of dashes, ...

The folders sharing a ``<Topic>`` prefix (before the first ``_``) form one
topic: Timeline17's 17 folders are 9 topics with 19 gold timelines. The
articles are only listed here (:func:`raw_article_files`); reading them is
the ingest stage's job.

*news-tls* (Gholipour Ghalandari & Ifrim 2020)::

    <topic>/keywords.json                  ["keyword", ...]
    <topic>/timelines.jsonl                one timeline a line: [[iso-date, [sentences]], ...]
    <topic>/articles.preprocessed.jsonl.gz {"id", "time", "text", "sentences": [{"raw", ...}], ...}

The articles file is optional (T17 in this layout ships it for 4 of its 9
topics); :func:`newstls_articles` turns its records into
:class:`~storyline.model.Article`.

Gold timelines of both layouts are read the same way: a date listed twice
keeps its *last* entry (as news-tls's ``dict`` and tilse's
``Timeline.from_file`` do), so a timeline's length is its number of
distinct dates; sentences are stripped and empty ones dropped. In the raw
layout, a date line that is not a valid ``YYYY-MM-DD`` date (Timeline17's
MJ timeline has ``2011-04-0``) drops its entry with a warning: tilse would
file it under the date ``None``, and the news-tls copy of that timeline
fixed it by hand to ``2011-04-02``.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from storyline.errors import InputError
from storyline.model import Article

logger = logging.getLogger(__name__)

TIMELINE17 = "timeline17"
"""Layout name: Timeline17 as published (``<Topic>_<source>/InputDocs``, ``timelines/*.txt``)."""
NEWSTLS = "news-tls"
"""Layout name: news-tls (``<topic>/timelines.jsonl``, ``articles.preprocessed.jsonl.gz``)."""

_SEPARATOR = "-" * 32
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DAY_FOLDER = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ARTICLES_FILES = ("articles.preprocessed.jsonl", "articles.preprocessed.jsonl.gz")


@dataclass(frozen=True, slots=True)
class GoldTimeline:
    """A reference timeline: calendar day -> that day's sentences.

    ``name`` is unique within a dataset: ``<folder>/<file stem>`` for
    Timeline17 (``bpoil_bbc/bbc``), ``<topic>/<line index>`` for news-tls
    (``h1n1/0``).
    """

    name: str
    topic: str
    entries: dict[date, list[str]]

    @property
    def dates(self) -> list[date]:
        return sorted(self.entries)

    @property
    def num_dates(self) -> int:
        """The output size *l* of the evaluation protocol: the number of distinct dates."""
        return len(self.entries)

    @property
    def sentences_per_date(self) -> int:
        """The output size *k*: ``round()`` of the mean sentences per date (news-tls's rule)."""
        if not self.entries:
            return 0
        return round(sum(len(s) for s in self.entries.values()) / len(self.entries))

    def span(self, extension_days: int = 0) -> tuple[date, date]:
        """First and last date, each widened by ``extension_days``."""
        if not self.entries:
            raise ValueError(f"gold timeline {self.name} has no dates, so no span")
        widen = timedelta(days=extension_days)
        return min(self.entries) - widen, max(self.entries) + widen


@dataclass(frozen=True, slots=True)
class Topic:
    """One benchmark topic: its keywords, gold timelines and where its articles are.

    ``article_sources`` are the Timeline17 article files (sorted by day,
    then file name) or the one news-tls articles file; empty when the
    topic has no articles.
    """

    name: str
    keywords: tuple[str, ...]
    gold_timelines: tuple[GoldTimeline, ...]
    article_sources: tuple[Path, ...]
    layout: str

    @property
    def has_articles(self) -> bool:
        return bool(self.article_sources)


def load_dataset(path: str | Path) -> list[Topic]:
    """Every topic of a dataset folder in either layout, sorted by name.

    Example: ``load_dataset("../shared/data/t17-raw")`` gives 9 topics.
    """
    root = Path(path)
    layout = detect_layout(root)
    return load_timeline17(root) if layout == TIMELINE17 else load_newstls(root)


def detect_layout(root: Path) -> str:
    """:data:`TIMELINE17` or :data:`NEWSTLS`, from the folder's shape."""
    if not root.is_dir():
        raise InputError(str(root), "not a folder; give a dataset folder (Timeline17 or news-tls layout)")
    folders = [p for p in root.iterdir() if p.is_dir()]
    if any((p / "timelines.jsonl").is_file() for p in folders):
        return NEWSTLS
    if any((p / "timelines").is_dir() or (p / "InputDocs").is_dir() for p in folders):
        return TIMELINE17
    raise InputError(
        str(root),
        "no <topic>/timelines.jsonl (news-tls layout) and no <Topic>_<source>/timelines/ "
        "or InputDocs/ (Timeline17 layout) in it; point at the dataset's root folder",
    )


# --- Timeline17 as published -------------------------------------------------------------


def load_timeline17(root: str | Path) -> list[Topic]:
    """Topics of a Timeline17-layout folder; keywords from its ``keywords.json``."""
    root = Path(root)
    keywords = _read_keywords_map(root / "keywords.json")
    folders: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if (folder / "timelines").is_dir() or (folder / "InputDocs").is_dir():
            folders.setdefault(folder.name.split("_", 1)[0], []).append(folder)

    topics = []
    for name in sorted(folders):
        if name not in keywords:
            raise InputError(
                str(root / "keywords.json"),
                f"no keywords for topic {name!r}; add \"{name}\": [...] to the file",
            )
        timelines = []
        files = []
        for folder in folders[name]:
            for path in sorted((folder / "timelines").glob("*.txt")):
                entries = read_timeline17_file(path)
                timelines.append(GoldTimeline(f"{folder.name}/{path.name[: -len('.txt')]}", name, entries))
            files.extend(_article_files(folder / "InputDocs"))
        topics.append(Topic(name, keywords[name], tuple(timelines), tuple(files), TIMELINE17))
    return topics


def read_timeline17_file(path: str | Path) -> dict[date, list[str]]:
    """A Timeline17 gold timeline file: date line, sentences, a line of 32 dashes.

    Read as tilse's ``Timeline.from_file`` reads it (an entry ends at the
    dashes; a later entry for the same date replaces the earlier one),
    except that an entry whose date line is not a valid date is dropped
    with a warning instead of being filed under ``None``.
    """
    path = Path(path)
    entries: dict[date, list[str]] = {}
    day: date | None = None
    bad_date = False
    lines: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line == _SEPARATOR:
            if day is not None:
                if day in entries:
                    logger.info("%s:%d: %s listed again; keeping the later entry", path, number, day)
                entries[day] = lines
            elif lines and not bad_date:
                logger.warning("%s:%d: entry without a date line, skipped", path, number)
            day, bad_date, lines = None, False, []
        elif _DATE_LIKE.match(line):
            day = _parse_day(line)
            bad_date = day is None
            if bad_date:
                logger.warning("%s:%d: %r is not a valid date; its entry is skipped", path, number, line)
        elif line:
            lines.append(line)
    if day is not None or lines:
        logger.warning("%s: the last entry has no closing line of dashes; skipped (as tilse does)", path)
    return entries


def _parse_day(line: str) -> date | None:
    """The date of a date line (``%Y-%m-%d`` as strptime reads it), else None."""
    try:
        return datetime.strptime(line, "%Y-%m-%d").date()
    except ValueError:
        return None


def _article_files(input_docs: Path) -> list[Path]:
    if not input_docs.is_dir():
        return []
    return sorted(
        (p for p in input_docs.glob("*/*.txt") if p.is_file()),
        key=lambda p: (p.parent.name, _natural_key(p.name)),
    )


def _natural_key(name: str) -> tuple[int, str]:
    head = name.split(".", 1)[0]
    return (int(head), name) if head.isdigit() else (-1, name)


def raw_article_files(topic: Topic, start: date | None = None, end: date | None = None) -> list[Path]:
    """A Timeline17-layout topic's article files, optionally only those published in [start, end].

    The publication date is the ``YYYY-MM-DD`` folder a file sits in.
    """
    if topic.layout != TIMELINE17:
        raise ValueError(
            f"topic {topic.name} is in the {topic.layout} layout; use newstls_articles() for its articles"
        )
    files = []
    for path in topic.article_sources:
        published = _folder_day(path)
        if published is None:
            if start is None and end is None:
                files.append(path)
            continue
        if (start is None or published >= start) and (end is None or published <= end):
            files.append(path)
    return files


def _folder_day(path: Path) -> date | None:
    match = _DAY_FOLDER.match(path.parent.name)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# --- news-tls ------------------------------------------------------------------------


def load_newstls(root: str | Path) -> list[Topic]:
    """Topics of a news-tls-layout folder (every sub-folder with a ``timelines.jsonl``)."""
    root = Path(root)
    topics = []
    for folder in sorted(p for p in root.iterdir() if (p / "timelines.jsonl").is_file()):
        keywords = _read_keyword_list(folder / "keywords.json")
        timelines = tuple(
            GoldTimeline(f"{folder.name}/{i}", folder.name, entries)
            for i, entries in enumerate(_read_newstls_timelines(folder / "timelines.jsonl"))
        )
        sources = tuple(p for p in (folder / n for n in _ARTICLES_FILES) if p.is_file())[:1]
        topics.append(Topic(folder.name, keywords, timelines, sources, NEWSTLS))
    return topics


def _read_newstls_timelines(path: Path) -> list[dict[date, list[str]]]:
    timelines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            items = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(origin, f"not JSON ({error.msg}); expected [[iso-date, [sentences]], ...]") from None
        if not items:  # news-tls skips empty timelines
            continue
        entries: dict[date, list[str]] = {}
        for item in items:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], list)):
                raise InputError(origin, f"entry {item!r:.60} is not [iso-date, [sentences]]")
            entries[_iso_day(item[0], origin)] = [s.strip() for s in item[1] if s.strip()]
        timelines.append(entries)
    return timelines


def newstls_articles(topic: Topic, start: date | None = None, end: date | None = None) -> Iterator[Article]:
    """The articles of a news-tls topic, optionally only those published in [start, end].

    From each record: ``id``; ``published`` is the calendar date of
    ``time`` as written (no time-zone conversion, as news-tls); ``text`` is
    the record's text, or its sentences' ``raw`` joined by newlines when it
    has none; ``title`` is the record's title, or its first sentence.
    ``origin`` is ``<file>:<line>``. A record without an id or a time is
    logged and skipped.
    """
    if topic.layout != NEWSTLS:
        raise ValueError(
            f"topic {topic.name} is in the {topic.layout} layout; use raw_article_files() and ingest them"
        )
    for path in topic.article_sources:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                try:
                    article = _newstls_article(json.loads(line), origin)
                except (InputError, json.JSONDecodeError, TypeError, KeyError) as error:
                    logger.warning("%s: record skipped: %s", origin, error)
                    continue
                published = article.published
                if (start is None or published >= start) and (end is None or published <= end):
                    yield article


def _newstls_article(record: dict, origin: str) -> Article:
    if record.get("id") in (None, ""):
        raise InputError(origin, "record has no id")
    if not record.get("time"):
        raise InputError(origin, "record has no time")
    sentences = [s["raw"].strip() for s in record.get("sentences") or [] if s.get("raw", "").strip()]
    text = record.get("text") or "\n".join(sentences)
    # No title unless the record has one: the clean stage names untitled
    # articles after their lead, which must stay text (a title equal to the
    # first line would be dropped from the text as a repeated headline).
    title = (record.get("title") or "").strip()
    return Article(
        id=str(record["id"]),
        url=record.get("url"),
        source=record.get("source"),
        title=title,
        published=_iso_day(record["time"], origin),
        text=text,
        origin=origin,
    )


# --- shared --------------------------------------------------------------------------


def _iso_day(value: object, origin: str) -> date:
    if not isinstance(value, str):
        raise InputError(origin, f"date {value!r} is not an ISO date string")
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        raise InputError(origin, f"date {value!r} is not an ISO date (YYYY-MM-DD[THH:MM:SS])") from None


def _read_keywords_map(path: Path) -> dict[str, tuple[str, ...]]:
    data = _read_json(path, 'a {"<Topic>": ["keyword", ...]} object')
    if not isinstance(data, dict) or not all(_is_str_list(v) for v in data.values()):
        raise InputError(str(path), 'expected a {"<Topic>": ["keyword", ...]} object')
    return {str(k): tuple(v) for k, v in data.items()}


def _read_keyword_list(path: Path) -> tuple[str, ...]:
    data = _read_json(path, 'a ["keyword", ...] list')
    if not _is_str_list(data):
        raise InputError(str(path), 'expected a ["keyword", ...] list')
    return tuple(data)


def _read_json(path: Path, expected: str) -> object:
    if not path.is_file():
        raise InputError(str(path), f"missing; the evaluation protocol needs each topic's keywords ({expected})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(str(path), f"not JSON ({error.msg}); expected {expected}") from None


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
