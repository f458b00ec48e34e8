"""DATEWISE as published: the yardstick's reference method, reproduced faithfully.

Gholipour Ghalandari & Ifrim (ACL 2020), "Examining the state-of-the-art in
news timeline summarization", method DATEWISE with mention-count date
ranking (``MentionCountDateRanker``), the ``PM_Mean`` candidate collector
and the ``CentroidOpt`` summarizer, as in the news-tls code. This module
exists so that storyline's own numbers can be compared with the literature
on the same footing; ``storyline_method.py`` is the one meant for use.

What "faithful" covers, since the details move the scores:

- a sentence's date is its first time expression, and only when that is a
  day; a month- or year-level sentence counts as undated;
- dates are ranked by the number of dated sentences (ties in order of first
  appearance); only dates inside the request's range are kept;
- candidates for a date are the sentences dated to it plus the undated
  sentences among the first ``clip_sents + 1`` of articles published that
  day or the day after; when both kinds exist they are filtered by
  similarity to a date vector, cut at the knee of the sorted similarities;
- the summary greedily adds the sentence that brings the summary vector
  closest to the candidates' TF-IDF centroid, skipping sentences without a
  topic keyword (a substring test, as news-tls does) and near-duplicates
  (cosine above 0.9999); dates whose candidates all fail are skipped until
  ``dates`` entries are filled.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.model import (
    AnnotatedArticle,
    Granularity,
    SourceRef,
    Timeline,
    TimelineEntry,
    TimelineSentence,
)
from storyline.timeline.base import TimelineRequest, contains_keyword, source_ref

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Sent:
    """One sentence of the collection, as DATEWISE sees it."""

    text: str
    source: SourceRef
    date: date | None


@dataclass(frozen=True, slots=True)
class Datewise:
    """DATEWISE with the published settings (news-tls ``experiments/evaluate.py``)."""

    name: str = "datewise"
    clip_sents: int = 5
    pub_end: int = 2
    max_sim: float = 0.9999
    default_dates: int = 10

    def build(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest) -> Timeline:
        collection = [(a, _sentences(a)) for a in articles]
        texts = [s.text for _, sents in collection for s in sents]
        params = {"dates": request.dates, "sentences": request.sentences}
        if not texts:
            return Timeline(request.query, self.name, params, ())
        vectorizer = TfidfVectorizer(stop_words="english", lowercase=True)
        try:
            vectorizer.fit(texts)
        except ValueError:  # nothing but stop words
            return Timeline(request.query, self.name, params, ())
        ranked = [d for d in _rank_by_mentions(collection) if request.in_range(d)]
        wanted = request.dates or self.default_dates
        entries: list[TimelineEntry] = []
        for day, candidates in self._collect(ranked, collection, vectorizer):
            if len(entries) >= wanted:
                break
            summary = _centroid_opt(candidates, request.sentences, vectorizer,
                                    request.keywords, self.max_sim)
            if summary:
                entries.append(TimelineEntry(
                    day, Granularity.DAY,
                    tuple(TimelineSentence(s.text, s.source) for s in summary)))
        entries.sort(key=lambda e: e.date)
        return Timeline(request.query, self.name, params, tuple(entries))

    def _collect(self, ranked: list[date], collection, vectorizer):  # type: ignore[no-untyped-def]
        """``PM_Mean_SentenceCollector``: mentioned and published-day candidates per date."""
        by_mention: dict[date, list[_Sent]] = defaultdict(list)
        by_publication: dict[date, list[_Sent]] = defaultdict(list)
        for annotated, sents in collection:
            published = annotated.article.published_day
            for position, sent in enumerate(sents):
                if sent.date:
                    by_mention[sent.date].append(sent)
                elif position <= self.clip_sents and published:
                    for back in range(self.pub_end):
                        by_publication[published - timedelta(days=back)].append(sent)
        for day in ranked:
            mentioned, published = by_mention[day], by_publication[day]
            if mentioned and published:
                yield day, _filter_by_date_vector(mentioned, published, vectorizer)
            elif mentioned or published:
                yield day, mentioned or published


def _sentences(annotated: AnnotatedArticle) -> list[_Sent]:
    first_mention: dict[int, tuple[int, date, Granularity]] = {}
    for mention in annotated.time_mentions:
        seen = first_mention.get(mention.sentence_index)
        if seen is None or mention.start < seen[0]:
            first_mention[mention.sentence_index] = (mention.start, mention.value,
                                                     mention.granularity)
    ref = source_ref(annotated)
    sents = []
    for sentence in annotated.sentences:
        found = first_mention.get(sentence.index)
        day = found[1] if found and found[2] is Granularity.DAY else None
        sents.append(_Sent(sentence.text, ref, day))
    return sents


def _rank_by_mentions(collection) -> list[date]:  # type: ignore[no-untyped-def]
    """``MentionCountDateRanker``: dated sentences per day, ties by first appearance."""
    counts: dict[date, int] = defaultdict(int)
    for _, sents in collection:
        for sent in sents:
            if sent.date:
                counts[sent.date] += 1
    return [day for day, _ in sorted(counts.items(), key=lambda item: item[1], reverse=True)]


def _filter_by_date_vector(mentioned: list[_Sent], published: list[_Sent],
                           vectorizer: TfidfVectorizer) -> list[_Sent]:
    """Keep the candidates most similar to a vector of terms both kinds share."""
    x_ment = vectorizer.transform([s.text for s in mentioned])
    x_pub = vectorizer.transform([s.text for s in published])
    c_ment = np.asarray(x_ment.sum(0)).ravel()
    c_pub = np.asarray(x_pub.sum(0)).ravel()
    ment_weight, pub_weight = 1 / len(mentioned), 1 / len(published)
    shared = (c_ment != 0) & (c_pub != 0)
    c_date = np.where(shared, pub_weight * c_pub + ment_weight * c_ment, 0.0)
    ment_sims = _cosine_rows(x_ment, c_date)
    pub_sims = _cosine_rows(x_pub, c_date)
    all_sims = np.concatenate([ment_sims, pub_sims])
    cut = _knee_point(sorted(all_sims, reverse=True))
    # news-tls indexes the *unsorted* similarities with the knee found in the
    # sorted ones; kept as published, since the published scores depend on it.
    threshold = all_sims[cut]
    selected = [s for s, sim in zip(mentioned, ment_sims, strict=True) if 0 < sim and sim > threshold]
    selected += [s for s, sim in zip(published, pub_sims, strict=True) if 0 < sim and sim > threshold]
    return selected or mentioned + published


def _cosine_rows(matrix: sparse.spmatrix, vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    if norm == 0:
        return np.zeros(matrix.shape[0])
    rows = np.sqrt(np.asarray(matrix.multiply(matrix).sum(1)).ravel())
    dots = np.asarray(matrix @ vector).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        sims = np.where(rows > 0, dots / (rows * norm), 0.0)
    return sims


def _knee_point(values: list[float]) -> int:
    """The point farthest from the line joining the first and last values."""
    n = len(values)
    if n < 2:
        return 0
    coords = np.column_stack([np.arange(n, dtype=float), np.asarray(values, dtype=float)])
    line = coords[-1] - coords[0]
    length = np.sqrt(np.sum(line**2))
    if length == 0:
        return 0
    line /= length
    from_first = coords - coords[0]
    along = from_first @ line
    distance = np.sqrt(np.sum((from_first - np.outer(along, line)) ** 2, axis=1))
    return int(np.argmax(distance))


def _centroid_opt(candidates: list[_Sent], k: int, vectorizer: TfidfVectorizer,
                  keywords: Sequence[str], max_sim: float) -> list[_Sent]:
    """``CentroidOpt``: grow the summary whose vector is closest to the centroid.

    Computed on the dense columns the candidates use, which gives the same
    cosines as news-tls's sparse arithmetic at a fraction of the cost.
    """
    if not candidates:
        return []
    matrix = vectorizer.transform([s.text for s in candidates]).tocsc()
    columns = np.unique(matrix.nonzero()[1])
    if columns.size == 0:
        return []
    dense = matrix[:, columns].toarray()
    centroid = dense.sum(0)
    centroid /= np.linalg.norm(centroid)
    remaining = list(range(len(candidates)))
    selected: list[int] = []
    while remaining and len(selected) < k:
        if selected:
            combined = dense[remaining] + dense[selected].sum(0)
        else:
            combined = dense[remaining]
        norms = np.linalg.norm(combined, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = np.where(norms > 0, (combined @ centroid) / norms, 0.0)
        order = np.argsort(-scores, kind="stable")
        for position in order:
            index = remaining[position]
            remaining[position] = -1
            if keywords and not contains_keyword(candidates[index].text, keywords):
                continue
            if any(float(dense[index] @ dense[other]) > max_sim for other in selected):
                continue
            selected.append(index)
            break
        remaining = [i for i in remaining if i >= 0]
    return [candidates[i] for i in selected]
