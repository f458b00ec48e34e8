"""The data that flows between storyline's stages.

Every stage takes and returns these frozen dataclasses, so a stage can be
tested, replaced or run on another machine without knowing the others'
internals. Only the standard library is imported here.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SCHEMA_VERSION = 1


class Granularity(str, enum.Enum):
    """How precisely a date is known.

    A day, a month or a whole year; time mentions may also name a quarter,
    a half year, a season or a decade ("Q3 2018", "the second half of
    2019", "last winter", "the 1990s"), which keep that granularity rather
    than being rounded to a month or a year they do not mean.
    """

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    QUARTER = "quarter"
    HALF = "half"
    SEASON = "season"
    DECADE = "decade"


#: The granularities a timeline entry can have. Quarters, halves, seasons
#: and decades stay in the annotations but date no timeline entry: a
#: timeline lists what happened on a day, in a month or in a year, and a
#: three-month or ten-year span is background, not an event's date.
TIMELINE_GRANULARITIES = frozenset({Granularity.DAY, Granularity.MONTH, Granularity.YEAR})

#: Seasons as TimeML writes them, by their first month (meteorological
#: seasons of the northern hemisphere; a winter is named by the year of its
#: December: ``2009-WI`` runs from December 2009 to February 2010).
SEASON_MONTHS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_SEASON_OF_MONTH = {month: code for code, month in SEASON_MONTHS.items()}


def format_date(value: date, granularity: Granularity) -> str:
    """Render a date at its granularity, as TimeML values do.

    ``2019-06-23``, ``2019-06``, ``2019``, ``2018-Q3``, ``2019-H2``,
    ``2009-WI`` (season), ``199`` (the decade 1990-1999). ``value`` is the
    first day of the period.
    """
    if granularity is Granularity.DAY:
        return value.isoformat()
    if granularity is Granularity.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if granularity is Granularity.QUARTER:
        return f"{value.year:04d}-Q{(value.month - 1) // 3 + 1}"
    if granularity is Granularity.HALF:
        return f"{value.year:04d}-H{(value.month - 1) // 6 + 1}"
    if granularity is Granularity.SEASON:
        return f"{value.year:04d}-{_SEASON_OF_MONTH[value.month]}"
    if granularity is Granularity.DECADE:
        return f"{value.year // 10:03d}"
    return f"{value.year:04d}"


_PERIOD_VALUE = re.compile(r"(\d{4})-(?:Q([1-4])|H([12])|(SP|SU|FA|WI))")


def parse_date(text: str) -> tuple[date, Granularity]:
    """Read back what :func:`format_date` wrote (coarser dates become the first day)."""
    text = text.strip()
    period = _PERIOD_VALUE.fullmatch(text)
    if period:
        year, quarter, half, season = period.groups()
        if quarter:
            return date(int(year), 3 * int(quarter) - 2, 1), Granularity.QUARTER
        if half:
            return date(int(year), 6 * int(half) - 5, 1), Granularity.HALF
        return date(int(year), SEASON_MONTHS[season], 1), Granularity.SEASON
    parts = text.split("-")
    if len(parts) == 3:
        return date(int(parts[0]), int(parts[1]), int(parts[2])), Granularity.DAY
    if len(parts) == 2:
        return date(int(parts[0]), int(parts[1]), 1), Granularity.MONTH
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
        return date(int(parts[0]), 1, 1), Granularity.YEAR
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 3:
        return date(10 * int(parts[0]) or 1, 1, 1), Granularity.DECADE
    raise ValueError(f"not a YYYY-MM-DD, YYYY-MM, YYYY, YYYY-Qn, YYYY-Hn, YYYY-SP/SU/FA/WI"
                     f" or decade (199) date: {text!r}")


@dataclass(frozen=True, slots=True)
class PublishedDate:
    """A publication date, how precisely it is known, and what said so.

    ``source`` names the evidence, as ``Article.published_from`` shows it:
    ``record`` (a JSONL record's ``published``), ``metadata`` (the page's
    date markup), ``url``, ``dateline`` (the date printed with the
    headline), ``page-text`` (htmldate's search of the whole page),
    ``reported-events`` (the latest day the article reports as past),
    ``--published`` (the user's option) or ``path`` (a ``YYYY-MM-DD`` folder
    or file name).
    """

    value: date
    precision: Granularity = Granularity.DAY
    source: str = ""


def _optional_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from its source, before any analysis.

    ``published`` is ``None`` when no publication date could be found; such
    an article is kept (its explicit dates are still usable) and flagged.
    ``published_precision`` is ``MONTH`` when only the month is known (a
    ``/2019/01/`` URL): relative expressions such as "on Sunday" cannot be
    resolved against it. ``origin`` says where it was read from, e.g.
    ``news/a.jsonl:12``. ``published_from`` names the evidence the date came
    from (see :class:`PublishedDate`), so a surprising date can be traced.
    """

    id: str
    url: str | None
    source: str | None
    title: str
    published: date | None
    text: str
    origin: str
    published_precision: Granularity = Granularity.DAY
    published_from: str | None = None

    @property
    def published_day(self) -> date | None:
        """The publication day, when it is known to the day."""
        return self.published if self.published_precision is Granularity.DAY else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "published": (
                format_date(self.published, self.published_precision) if self.published else None
            ),
            "text": self.text,
            "origin": self.origin,
            "published_from": self.published_from,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        published, precision = (
            parse_date(data["published"]) if data.get("published") else (None, Granularity.DAY)
        )
        return cls(
            id=data["id"],
            url=data.get("url"),
            source=data.get("source"),
            title=data.get("title") or "",
            published=published,
            text=data["text"],
            origin=data.get("origin") or "",
            published_precision=precision,
            published_from=data.get("published_from"),
        )


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence, located by character offsets into its article's cleaned text."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any], article_id: str) -> Sentence:
        return cls(article_id, data["index"], data["start"], data["end"], data["text"])


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity; offsets are into the article's cleaned text."""

    article_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], article_id: str) -> Entity:
        return cls(
            article_id,
            data["sentence_index"],
            data["start"],
            data["end"],
            data["text"],
            data["label"],
        )


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A temporal expression resolved to a calendar date.

    ``value`` is the first day of the month, year or other period for
    coarser granularities. A range ("from March 3 to 5", "2004 to 2008")
    keeps its last day, month or year in ``end_value``, at the same
    granularity; ``None`` for a single date. Offsets are into the article's
    cleaned text.
    """

    article_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    granularity: Granularity
    value: date
    end_value: date | None = None

    @property
    def label(self) -> str:
        return format_date(self.value, self.granularity)

    @property
    def end_label(self) -> str | None:
        return format_date(self.end_value, self.granularity) if self.end_value else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "granularity": self.granularity.value,
            "value": self.label,
            "end_value": self.end_label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], article_id: str) -> TimeMention:
        value, granularity = parse_date(data["value"])
        end_value = parse_date(data["end_value"])[0] if data.get("end_value") else None
        return cls(
            article_id,
            data["sentence_index"],
            data["start"],
            data["end"],
            data["text"],
            granularity,
            value,
            end_value,
        )


@dataclass(frozen=True, slots=True)
class AnnotatedArticle:
    """An article with what the annotate stage found in it."""

    article: Article
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...] = ()
    time_mentions: tuple[TimeMention, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article.to_dict(),
            "sentences": [s.to_dict() for s in self.sentences],
            "entities": [e.to_dict() for e in self.entities],
            "time_mentions": [m.to_dict() for m in self.time_mentions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotatedArticle:
        article = Article.from_dict(data["article"])
        return cls(
            article,
            tuple(Sentence.from_dict(s, article.id) for s in data["sentences"]),
            tuple(Entity.from_dict(e, article.id) for e in data.get("entities", [])),
            tuple(TimeMention.from_dict(m, article.id) for m in data.get("time_mentions", [])),
        )


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a timeline sentence came from, enough to cite and link it."""

    article_id: str
    title: str
    url: str | None
    source: str | None
    published: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceRef:
        return cls(
            data["article_id"],
            data.get("title") or "",
            data.get("url"),
            data.get("source"),
            _optional_date(data.get("published")),
        )


@dataclass(frozen=True, slots=True)
class TimelineSentence:
    """One sentence of a timeline entry and the article that said it.

    ``date_uncertain``: the entry's date was read against the publication
    day of a reprint whose original is not in the store (see
    ``pipeline.flag_reprint_dates``); in the JSON only when true.
    """

    text: str
    source: SourceRef
    date_uncertain: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = {"text": self.text, **self.source.to_dict()}
        if self.date_uncertain:
            data["date_uncertain"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineSentence:
        return cls(data["text"], SourceRef.from_dict(data), bool(data.get("date_uncertain")))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """What happened on one date (or in one month or year)."""

    date: date
    granularity: Granularity
    sentences: tuple[TimelineSentence, ...]

    @property
    def label(self) -> str:
        return format_date(self.date, self.granularity)

    def holds(self, day: date) -> bool:
        """Whether ``day`` falls on the entry's day, or in its month or year."""
        if self.granularity is Granularity.MONTH:
            return (day.year, day.month) == (self.date.year, self.date.month)
        if self.granularity is Granularity.YEAR:
            return day.year == self.date.year
        return day == self.date

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.label,
            "granularity": self.granularity.value,
            "sentences": [s.to_dict() for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineEntry:
        value, granularity = parse_date(data["date"])
        return cls(value, granularity, tuple(TimelineSentence.from_dict(s) for s in data["sentences"]))


@dataclass(frozen=True, slots=True)
class Timeline:
    """A dated, sourced summary of a story; entries are sorted by date."""

    query: str | None
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    entries: tuple[TimelineEntry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "query": self.query,
            "method": self.method,
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        return cls(
            data.get("query"),
            data["method"],
            dict(data.get("params") or {}),
            tuple(TimelineEntry.from_dict(e) for e in data["entries"]),
        )


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story, as the story list names it."""

    id: str
    origin: str
    published: date | None = None
    #: When the article joined its story (UTC, ISO 8601): what "new since" compares.
    added_at: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's member: ``{"id", "origin"}``."""
        return {"id": self.id, "origin": self.origin}


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story as a reader browses it: what it is called, how big, whose, when.

    ``updated`` is when the story last changed (UTC, ISO 8601); ``members``
    is there only when asked for.
    """

    id: str
    title: str
    articles: int
    sources: tuple[str, ...]
    start: date | None
    end: date | None
    updated: str
    members: tuple[StoryMember, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``storyline stories --format json`` contract's story object."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "articles": self.articles,
            "sources": list(self.sources),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "updated": self.updated,
        }
        if self.members is not None:
            data["members"] = [m.to_dict() for m in self.members]
        return data
