"""What every timeline method shares: the request, candidates, sources.

A method turns annotated articles into a Timeline. It sees only the
AnnotatedArticle dataclasses (never the store), so the same code serves the
CLI, the HTTP API and the benchmark runner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from storyline.errors import ConfigError
from storyline.model import (
    AnnotatedArticle,
    Granularity,
    SourceRef,
    Timeline,
)

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class TimelineRequest:
    """What the user asked for.

    ``dates`` None lets the method decide how many dates matter;
    ``keywords``, when given, must occur in every chosen sentence (the
    benchmark protocol's topic keywords); ``start``/``end`` bound the dates;
    ``days_only`` asks for day entries only (the benchmark protocol scores
    days: a month entry would be read as its first day).
    """

    dates: int | None = None
    sentences: int = 2
    query: str | None = None
    keywords: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    days_only: bool = False

    def __post_init__(self) -> None:
        if self.dates is not None and self.dates < 1:
            raise ConfigError(f"the number of dates must be at least 1, got {self.dates}")
        if self.sentences < 1:
            raise ConfigError(f"the number of sentences must be at least 1, got {self.sentences}")
        if self.start and self.end and self.start > self.end:
            raise ConfigError(f"the start date {self.start} is after the end date {self.end}")

    def in_range(self, value: date) -> bool:
        return (self.start is None or value >= self.start) and (
            self.end is None or value <= self.end
        )


class TimelineMethod(Protocol):
    """A way to build a timeline; ``name`` is what ``--method`` takes."""

    name: str

    def build(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest) -> Timeline:
        ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may go into the entry for a date.

    ``weight`` says how surely the sentence is about that date: 1 when it
    names only that date, less when it names several or none.
    """

    text: str
    article_id: str
    sentence_index: int
    published: date | None
    weight: float = 1.0


@dataclass(slots=True)
class DateEvidence:
    """How strongly the articles point at one date."""

    mentions: int = 0
    articles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    #: Articles that mention the date and were published that day or the
    #: next: the event was news, not background.
    fresh: set[str] = field(default_factory=set)


DateKey = tuple[date, Granularity]


def source_ref(annotated: AnnotatedArticle) -> SourceRef:
    article = annotated.article
    return SourceRef(article.id, article.title, article.url, article.source, article.published)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def contains_keyword(text: str, keywords: Iterable[str]) -> bool:
    """Whether any keyword occurs in the lowercased text.

    A substring test, as the benchmark protocol (news-tls) applies it: the
    keyword "flu" also admits "influenza".
    """
    lower = text.lower()
    return any(keyword.lower() in lower for keyword in keywords)
