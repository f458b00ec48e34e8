"""storyline's own method: DATEWISE made fit for everyday news, not only benchmarks.

It starts from DATEWISE (Gholipour Ghalandari & Ifrim, ACL 2020; the
faithful version is ``datewise.py``) and changes what a reader of a real
story notices. Dates are ranked by the number of articles that mention
them, counting twice those that report the date as news (published that
day or the next), then by raw mentions. A date's candidates are the
sentences that mention it plus the leading undated sentences of articles
published that day (a news lead reports the latest events without naming
the day). Each chosen date first gets its best sentence, then the next
ones: the candidates closest to the TF-IDF centroid of all its candidates
(weighted by how surely each is about that date), skipping any sentence
too close to one already in the timeline. Month- and year-only mentions
("in February", "next year") make month and year entries; questions and
quotes are left out; copied sentences are credited to the article that
most likely wrote them first; and without ``--dates`` the number of dates
follows from the evidence.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from storyline.model import (
    AnnotatedArticle,
    Granularity,
    Timeline,
    TimelineEntry,
    TimelineSentence,
)
from storyline.timeline.base import (
    Candidate,
    DateEvidence,
    DateKey,
    TimelineRequest,
    contains_keyword,
    source_ref,
    word_count,
)

log = logging.getLogger(__name__)

_QUOTES = ('"', "“", "‘", "'", "«")
_GRANULARITY_ORDER = {Granularity.YEAR: 0, Granularity.MONTH: 1, Granularity.DAY: 2}


@dataclass(frozen=True, slots=True)
class StorylineMethod:
    """Parameters of the method; ``build`` is pure and keeps no state.

    ``month_weight`` and ``year_weight`` scale the evidence for month- and
    year-only dates, which news repeats as background far more than it
    reports month- or year-long events. The first ``lead_sentences``
    sentences of an article, when undated, count as candidates for its
    publication day. Without
    ``--dates``, the timeline keeps the dates that at least
    ``max(1, round(sqrt(articles) * auto_support))`` articles mention: in a
    handful of articles one mention is news, in thousands it is noise. ``max_similarity`` is the
    cosine above which a sentence repeats one already chosen. A sentence
    that names several dates counts ``shared_weight`` for each, an undated
    lead sentence ``lead_weight``.
    """

    name: str = "storyline"
    month_weight: float = 0.5
    auto_support: float = 0.5
    max_auto_dates: int = 20
    min_auto_dates: int = 3
    lead_sentences: int = 2
    min_words: int = 6
    max_words: int = 60
    max_similarity: float = 0.5
    shared_weight: float = 0.7
    lead_weight: float = 0.5
    year_weight: float = 0.25

    def build(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest) -> Timeline:
        evidence, candidates = self._collect(articles, request)
        ranked = sorted(evidence, key=lambda key: self._score(key, evidence[key]), reverse=True)
        wanted = request.dates or self._auto_dates(ranked, evidence, len(articles))
        refs = {a.article.id: source_ref(a) for a in articles}
        copied = _copied_share(articles)
        vectors = _Vectors(sorted({c.text for key in ranked for c in candidates[key]}))
        chosen: list[np.ndarray] = []
        picks: dict[DateKey, list[Candidate]] = {}
        queues: dict[DateKey, Iterator[tuple[Candidate, np.ndarray]]] = {}
        # First every date gets its best sentence, in rank order, until enough
        # dates have one; only then do the chosen dates get their second and
        # further sentences. A sentence that names two dates thus goes to the
        # first date that needs it, and asking for more sentences per date
        # never costs a date its place.
        for key in ranked:
            if len(picks) == wanted:
                break
            queues[key] = self._ranked_pool(candidates[key], vectors, copied, request)
            if first := _next_distinct(queues[key], chosen, self.max_similarity):
                picks[key] = [first]
        for _ in range(request.sentences - 1):
            for key, picked in picks.items():
                if more := _next_distinct(queues[key], chosen, self.max_similarity):
                    picked.append(more)
        entries = [
            TimelineEntry(key[0], key[1],
                          tuple(TimelineSentence(c.text, refs[c.article_id]) for c in picked))
            for key, picked in picks.items()
        ]
        entries.sort(key=lambda e: (e.date, _GRANULARITY_ORDER[e.granularity]))
        params = {"dates": request.dates, "sentences": request.sentences}
        return Timeline(request.query, self.name, params, tuple(entries))

    def _score(self, key: DateKey, found: DateEvidence) -> tuple[float, float]:
        weight = {Granularity.DAY: 1.0, Granularity.MONTH: self.month_weight,
                  Granularity.YEAR: self.year_weight}[key[1]]
        return (weight * (len(found.articles) + len(found.fresh)), weight * found.mentions)

    def _auto_dates(self, ranked: list[DateKey], evidence: dict[DateKey, DateEvidence],
                    articles: int) -> int:
        """As many dates as enough articles agree on, within sane bounds."""
        needed = max(1, round(math.sqrt(articles) * self.auto_support))
        supported = sum(
            1 for key in ranked if len(evidence[key].articles) + len(evidence[key].fresh) >= needed
        )
        return max(self.min_auto_dates, min(self.max_auto_dates, supported))

    def _collect(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest
                 ) -> tuple[dict[DateKey, DateEvidence], dict[DateKey, list[Candidate]]]:
        evidence: dict[DateKey, DateEvidence] = defaultdict(DateEvidence)
        candidates: dict[DateKey, list[Candidate]] = defaultdict(list)
        for annotated in articles:
            article = annotated.article
            by_sentence: dict[int, set[DateKey]] = defaultdict(set)
            for mention in annotated.time_mentions:
                if not request.in_range(mention.value) or (
                    request.days_only and mention.granularity is not Granularity.DAY
                ):
                    continue
                key = (mention.value, mention.granularity)
                by_sentence[mention.sentence_index].add(key)
                found = evidence[key]
                found.mentions += 1
                found.articles.add(article.id)
                if article.published_day and (
                    timedelta(0) <= article.published_day - mention.value <= timedelta(days=1)
                ):
                    found.fresh.add(article.id)
                if article.source:
                    found.sources.add(article.source)
            for sentence in annotated.sentences:
                keys = by_sentence.get(sentence.index)
                if keys:
                    weight = 1.0 if len(keys) == 1 else self.shared_weight
                    candidate = Candidate(sentence.text, article.id, sentence.index,
                                          article.published, weight)
                    for key in keys:
                        candidates[key].append(candidate)
                elif (
                    article.published_day
                    and sentence.index < self.lead_sentences
                    and request.in_range(article.published_day)
                ):
                    candidates[(article.published_day, Granularity.DAY)].append(Candidate(
                        sentence.text, article.id, sentence.index, article.published,
                        self.lead_weight))
        return evidence, candidates

    def _ranked_pool(self, pool: list[Candidate], vectors: _Vectors, copied: dict[str, float],
                     request: TimelineRequest) -> Iterator[tuple[Candidate, np.ndarray]]:
        """The date's acceptable candidates, closest to their weighted centroid first."""
        usable = [c for c in _unique(pool, copied) if self._acceptable(c.text, request)]
        matrix = vectors.of([c.text for c in usable]) if usable else None
        if matrix is None:
            return
        centroid = normalize(np.asarray(matrix.mean(axis=0)))
        weights = np.array([c.weight for c in usable])
        closeness = (matrix @ centroid.T).ravel() * weights
        for index in np.argsort(-closeness, kind="stable"):
            yield usable[index], matrix[index].toarray().ravel()

    def _acceptable(self, text: str, request: TimelineRequest) -> bool:
        words = word_count(text)
        if words < self.min_words or words > self.max_words:
            return False
        if text.rstrip().endswith("?") or text.lstrip().startswith(_QUOTES):
            return False  # questions and quotes say what someone thinks, not what happened
        return not request.keywords or contains_keyword(text, request.keywords)


class _Vectors:
    """TF-IDF rows for every candidate text, fitted once per timeline."""

    def __init__(self, texts: list[str]) -> None:
        self.index = {text: i for i, text in enumerate(texts)}
        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        try:
            self.matrix = vectorizer.fit_transform(texts) if texts else None
        except ValueError:  # only stop words: nothing to compare
            self.matrix = None

    def of(self, texts: list[str]):  # -> scipy.sparse.csr_matrix | None
        if self.matrix is None:
            return None
        return self.matrix[[self.index[text] for text in texts]]


def _next_distinct(queue: Iterator[tuple[Candidate, np.ndarray]], chosen: list[np.ndarray],
                   max_similarity: float) -> Candidate | None:
    """The next candidate not too close to any sentence already in the timeline."""
    for candidate, row in queue:
        if all(float(row @ other) <= max_similarity for other in chosen):
            chosen.append(row)
            return candidate
    return None


def _copied_share(articles: Sequence[AnnotatedArticle]) -> dict[str, float]:
    """Per article, the share of its sentences that other articles also carry.

    Between two articles published the same day with the same sentence, the
    one made mostly of shared sentences is the copy (a content farm stitching
    wire copy together), the other the original.
    """
    holders: dict[str, set[str]] = defaultdict(set)
    for annotated in articles:
        for sentence in annotated.sentences:
            holders[sentence.text].add(annotated.article.id)
    share = {}
    for annotated in articles:
        total = len(annotated.sentences)
        shared = sum(1 for s in annotated.sentences if len(holders[s.text]) > 1)
        share[annotated.article.id] = shared / total if total else 0.0
    return share


def _unique(pool: list[Candidate], copied: dict[str, float]) -> list[Candidate]:
    """One candidate per text, from the article that most likely wrote it first."""
    best: dict[str, Candidate] = {}
    for candidate in pool:
        current = best.get(candidate.text)
        if current is None or _more_original(candidate, current, copied):
            best[candidate.text] = (
                candidate if current is None or candidate.weight >= current.weight
                else replace(candidate, weight=current.weight)
            )
    return list(best.values())


def _more_original(a: Candidate, b: Candidate, copied: dict[str, float]) -> bool:
    """Earlier publication wins; on the same day, the article that copies less."""
    if a.published != b.published:
        return a.published is not None and (b.published is None or a.published < b.published)
    return copied.get(a.article_id, 0.0) < copied.get(b.article_id, 0.0)
