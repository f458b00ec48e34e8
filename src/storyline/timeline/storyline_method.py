"""storyline's own method: DATEWISE made fit for everyday news, not only benchmarks.

It starts from DATEWISE (Gholipour Ghalandari & Ifrim, ACL 2020; the
faithful version is ``datewise.py``) and changes what a reader of a real
story notices. Dates are ranked by the
number of articles that mention them, counting twice those that report the
date as news (published that day or the next), then by raw mentions; each
date's candidates are the sentences that mention it plus the leading
undated sentences of articles published that day or the day after (a news
lead reports the latest events without naming the day). The summary for a
date takes, greedily, the candidates closest to the TF-IDF centroid of all
its candidates (weighted by how surely each is about that date), skipping
any sentence too close to one already in the timeline. Month-only mentions
("in February") make month entries; questions and quotes are left out;
copied sentences are credited to the earliest article that has them; and
without ``--dates`` the number of dates follows from the evidence.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
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


@dataclass(frozen=True, slots=True)
class StorylineMethod:
    """Parameters of the method; ``build`` is pure and keeps no state.

    ``month_weight`` scales the evidence for month-only dates, which news
    repeats as background far more than it reports month-long events.
    The first ``lead_sentences`` sentences of an article, when undated, count
    as candidates for its publication day and the day before. Without
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

    def build(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest) -> Timeline:
        evidence, candidates = self._collect(articles, request)
        ranked = sorted(evidence, key=lambda key: self._score(key, evidence[key]), reverse=True)
        wanted = request.dates or self._auto_dates(ranked, evidence, len(articles))
        refs = {a.article.id: source_ref(a) for a in articles}
        texts = sorted({c.text for key in ranked for c in candidates[key]})
        vectors = _Vectors(texts)
        chosen: list[np.ndarray] = []
        entries: list[TimelineEntry] = []
        for key in ranked:
            if len(entries) == wanted:
                break
            picked = self._summarize(candidates[key], vectors, chosen, request)
            if picked:
                entries.append(
                    TimelineEntry(
                        key[0],
                        key[1],
                        tuple(TimelineSentence(c.text, refs[c.article_id]) for c in picked),
                    )
                )
        entries.sort(key=lambda e: (e.date, e.granularity is not Granularity.MONTH))
        params = {"dates": request.dates, "sentences": request.sentences}
        return Timeline(request.query, self.name, params, tuple(entries))

    def _score(self, key: DateKey, found: DateEvidence) -> tuple[float, float]:
        weight = self.month_weight if key[1] is Granularity.MONTH else 1.0
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
                if mention.granularity is Granularity.YEAR or not request.in_range(mention.value):
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
                elif article.published_day and sentence.index < self.lead_sentences:
                    candidate = Candidate(sentence.text, article.id, sentence.index,
                                          article.published, self.lead_weight)
                    for day in (article.published_day, article.published_day - timedelta(days=1)):
                        if request.in_range(day):
                            candidates[(day, Granularity.DAY)].append(candidate)
        return evidence, candidates

    def _summarize(self, pool: list[Candidate], vectors: _Vectors, chosen: list[np.ndarray],
                   request: TimelineRequest) -> list[Candidate]:
        usable = [c for c in _unique(pool) if self._acceptable(c.text, request)]
        if not usable:
            return []
        matrix = vectors.of([c.text for c in usable])
        if matrix is None:
            return []
        centroid = normalize(np.asarray(matrix.mean(axis=0)))
        weights = np.array([c.weight for c in usable])
        closeness = (matrix @ centroid.T).ravel() * weights
        picked: list[Candidate] = []
        for index in np.argsort(-closeness, kind="stable"):
            row = matrix[index].toarray().ravel()
            if any(float(row @ other) > self.max_similarity for other in chosen):
                continue
            chosen.append(row)
            picked.append(usable[index])
            if len(picked) == request.sentences:
                break
        return picked

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


def _unique(pool: list[Candidate]) -> list[Candidate]:
    """One candidate per text, from the earliest article that has it (the original)."""
    best: dict[str, Candidate] = {}
    for candidate in pool:
        current = best.get(candidate.text)
        if current is None or _earlier(candidate, current):
            best[candidate.text] = (
                candidate if current is None or candidate.weight >= current.weight
                else replace(candidate, weight=current.weight)
            )
    return list(best.values())


def _earlier(a: Candidate, b: Candidate) -> bool:
    if a.published is None:
        return False
    return b.published is None or a.published < b.published
