"""storyline's own method: DATEWISE made fit for everyday news, not only benchmarks.

It starts from DATEWISE (Gholipour Ghalandari & Ifrim, ACL 2020; the
faithful version is ``datewise.py``) and changes what a reader of a real
story notices. Dates are ranked by the number of distinct publication days
on which articles mention them (a date that matters keeps being mentioned
after it happened), then by the articles that mention them, counting again
those that report the date as news, all divided by the square root of the
number of days the date has had to be mentioned since (last week's events
have had fewer days than the first week's), then by raw mentions (see
``dates.py``). A date's candidates are the sentences that mention it plus
the leading undated sentences of articles published that day or the day
after (a news lead reports the latest events without naming the day; the
day after's count half). Each chosen date first gets its best sentence,
then the next ones, as CentroidOpt grows a summary: the candidate that
brings the entry's TF-IDF vector closest to the weighted centroid of all
the date's candidates (leaning towards the centroid of the whole story),
skipping any sentence too close to one already in the timeline. Month-
and year-only mentions ("in February", "next year") make month and year
entries; questions and quotes are left out; copied sentences are credited
to the article that most likely wrote them first, and weigh in the
centroid once for every article that ran them (what several outlets
agree on is the day's news); and without ``--dates`` the number of dates
follows from the evidence.
The ablation in docs/benchmarks.md (``bench/ablation.py``) measures each choice.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.errors import ConfigError
from storyline.model import (
    TIMELINE_GRANULARITIES,
    AnnotatedArticle,
    Granularity,
    Timeline,
    TimelineEntry,
    TimelineSentence,
)
from storyline.timeline.base import (
    Candidate,
    TimelineRequest,
    contains_keyword,
    source_ref,
    word_count,
)
from storyline.timeline.dates import DateKey, DateSupport, SupportWeights, rank_dates

log = logging.getLogger(__name__)

_QUOTES = ('"', "“", "‘", "'", "«")
_GRANULARITY_ORDER = {Granularity.YEAR: 0, Granularity.MONTH: 1, Granularity.DAY: 2}
SUMMARIZERS = ("centroid_opt", "closest")


@dataclass(frozen=True, slots=True)
class StorylineMethod:
    """Parameters of the method; ``build`` is pure and keeps no state.

    Dates are ranked by ``support`` (see :class:`SupportWeights` and
    :func:`~storyline.timeline.dates.rank_dates`). The first
    ``lead_sentences`` sentences of an article, when undated, count as
    candidates for its publication day and the ``lead_days - 1`` days
    before it, weighing ``lead_weight`` times ``earlier_lead_weight`` per
    day back. Without ``--dates``, the timeline keeps the dates that at
    least ``max(1, round(sqrt(articles) * auto_support))`` articles mention:
    in a handful of articles one mention is news, in thousands it is noise.
    ``max_similarity`` is the cosine above which a sentence repeats one
    already chosen. A sentence that names several dates counts
    ``shared_weight`` for each, an undated lead sentence ``lead_weight``.
    ``summarizer`` picks each date's sentences: ``centroid_opt`` grows the
    entry whose TF-IDF vector is closest to the centroid of the date's
    candidates, ``closest`` takes the candidates closest to that centroid
    one by one. That centroid leans ``story_weight`` towards the centroid
    of the whole story (every date's candidates): of two sentences about a
    date, the one about the story beats the aside ("European Union leaders
    were meeting on Friday to discuss Libya" against a sentence about the
    fighting that day). With ``copy_votes``, a sentence that several
    articles carry weighs in that centroid once per article (see
    :func:`_unique`). With ``copy_dates``, such a sentence goes only under
    the dates its most original carrier gives it (see
    :func:`_dated_by_first`).
    """

    name: str = "storyline"
    support: SupportWeights = field(default_factory=SupportWeights)
    auto_support: float = 0.5
    max_auto_dates: int = 20
    min_auto_dates: int = 3
    lead_sentences: int = 6
    lead_days: int = 2
    min_words: int = 6
    max_words: int = 60
    max_similarity: float = 0.3
    shared_weight: float = 0.7
    lead_weight: float = 1.0
    earlier_lead_weight: float = 0.5
    summarizer: str = "centroid_opt"
    story_weight: float = 0.5
    copy_votes: bool = True
    copy_dates: bool = True

    def __post_init__(self) -> None:
        if self.summarizer not in SUMMARIZERS:
            raise ConfigError(f"unknown summarizer {self.summarizer!r};"
                              f" choose one of: {', '.join(SUMMARIZERS)}")

    def build(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest) -> Timeline:
        support, candidates = self._collect(articles, request)
        published = [a.article.published_day for a in articles if a.article.published_day]
        ranked = self._rank(support, request, published)
        if request.dates:
            wanted = request.dates
        else:
            ranked, wanted = self._auto_dates(ranked, support, len(articles))
        refs = {a.article.id: source_ref(a) for a in articles}
        copied = _copied_share(articles)
        dated_by = _dated_by_first(candidates, copied) if self.copy_dates else None
        vectors = _Vectors(sorted({c.text for key in ranked for c in candidates[key]}))
        chosen = _Chosen()
        entries: dict[DateKey, _Entry] = {}
        # First every date gets its best sentence, in rank order, until enough
        # dates have one; only then do the chosen dates get their second and
        # further sentences. A sentence that names two dates thus goes to the
        # first date that needs it, and asking for more sentences per date
        # never costs a date its place.
        for key in ranked:
            if len(entries) == wanted:
                break
            pool = candidates[key]
            if dated_by is not None:
                pool = [c for c in pool if key in dated_by[c.text]]
            usable = [c for c in _unique(pool, copied, self.copy_votes)
                      if self._acceptable(c.text, request)]
            entry = _Entry.of(usable, vectors, self.summarizer, self.story_weight)
            if entry and entry.grow(chosen, self.max_similarity):
                entries[key] = entry
        for _ in range(request.sentences - 1):
            for entry in entries.values():
                entry.grow(chosen, self.max_similarity)
        built = [
            TimelineEntry(key[0], key[1],
                          tuple(TimelineSentence(c.text, refs[c.article_id])
                                for c in entry.picked))
            for key, entry in entries.items()
        ]
        built.sort(key=lambda e: (e.date, _GRANULARITY_ORDER[e.granularity]))
        params = {"dates": request.dates, "sentences": request.sentences}
        return Timeline(request.query, self.name, params, tuple(built))

    def _rank(self, support: dict[DateKey, DateSupport], request: TimelineRequest,
              published: Sequence[date]) -> list[DateKey]:
        return rank_dates(support, self.support, published)

    def _auto_dates(self, ranked: list[DateKey], support: dict[DateKey, DateSupport],
                    articles: int) -> tuple[list[DateKey], int]:
        """As many dates as enough articles agree on, within sane bounds; those dates first.

        The rank divides by how long a date has had to be mentioned, so a
        date one article named yesterday can outrank one that ten named last
        month; left to choose the number of dates itself, the timeline keeps
        the dates with enough articles behind them ahead of the rest.
        """
        needed = max(1, round(math.sqrt(articles) * self.auto_support))
        supported = [key for key in ranked
                     if len(support[key].articles) + len(support[key].fresh) >= needed]
        wanted = max(self.min_auto_dates, min(self.max_auto_dates, len(supported)))
        chosen = set(supported)
        return supported + [key for key in ranked if key not in chosen], wanted

    def _collect(self, articles: Sequence[AnnotatedArticle], request: TimelineRequest
                 ) -> tuple[dict[DateKey, DateSupport], dict[DateKey, list[Candidate]]]:
        support: dict[DateKey, DateSupport] = defaultdict(DateSupport)
        candidates: dict[DateKey, list[Candidate]] = defaultdict(list)
        for annotated in articles:
            article = annotated.article
            published_day = article.published_day
            by_sentence: dict[int, set[DateKey]] = defaultdict(set)
            for mention in annotated.time_mentions:
                if (
                    mention.granularity not in TIMELINE_GRANULARITIES
                    or not request.in_range(mention.value)
                    or (request.days_only and mention.granularity is not Granularity.DAY)
                ):
                    continue  # a quarter, season or decade dates no entry (model.py)
                key = (mention.value, mention.granularity)
                by_sentence[mention.sentence_index].add(key)
                support[key].add(mention.value, article.id, article.source, published_day)
            lead_keys = [
                ((published_day - timedelta(days=back), Granularity.DAY),
                 self.lead_weight * self.earlier_lead_weight ** back)
                for back in range(self.lead_days)
                if published_day and request.in_range(published_day - timedelta(days=back))
            ]
            for sentence in annotated.sentences:
                keys = by_sentence.get(sentence.index)
                if keys:
                    weight = 1.0 if len(keys) == 1 else self.shared_weight
                    candidate = Candidate(sentence.text, article.id, sentence.index,
                                          article.published, weight)
                    for key in keys:
                        candidates[key].append(candidate)
                elif sentence.index < self.lead_sentences:
                    for key, weight in lead_keys:
                        candidates[key].append(Candidate(
                            sentence.text, article.id, sentence.index, article.published,
                            weight))
        return support, candidates

    def _acceptable(self, text: str, request: TimelineRequest) -> bool:
        words = word_count(text)
        if words < self.min_words or words > self.max_words:
            return False
        if text.rstrip().endswith("?") or text.lstrip().startswith(_QUOTES):
            return False  # questions and quotes say what someone thinks, not what happened
        return not request.keywords or contains_keyword(text, request.keywords)


class _Entry:
    """One date's sentences, grown one at a time.

    ``centroid_opt`` (CentroidOpt, as DATEWISE) adds the candidate that
    brings the entry's summed vector closest to the weighted centroid of
    all candidates; ``closest`` adds the remaining candidate closest to it.
    Scores use the dense columns the candidates share; the redundancy test
    against the rest of the timeline uses the sparse TF-IDF rows.
    """

    def __init__(self, usable: list[Candidate], rows: sparse.csr_matrix, summarizer: str,
                 story: np.ndarray | None = None, story_weight: float = 0.0) -> None:
        self.usable = usable
        self.rows = rows
        columns = np.unique(rows.nonzero()[1])
        self.dense = rows[:, columns].toarray()
        self.weights = np.array([c.weight for c in usable])
        centroid = _unit((self.dense * self.weights[:, None]).sum(0))
        if story is not None and story_weight:
            centroid = _unit(centroid + story_weight * _unit(story[columns]))
        self.centroid = centroid
        self.summarizer = summarizer
        self.remaining = np.ones(len(usable), dtype=bool)
        self.total = np.zeros(self.dense.shape[1])
        self.picked: list[Candidate] = []

    @classmethod
    def of(cls, usable: list[Candidate], vectors: _Vectors, summarizer: str,
           story_weight: float = 0.0) -> _Entry | None:
        rows = vectors.of([c.text for c in usable]) if usable else None
        if rows is None or rows.nnz == 0:
            return None
        return cls(usable, rows, summarizer, vectors.story, story_weight)

    def grow(self, chosen: _Chosen, max_similarity: float) -> bool:
        """Add the best candidate not too close to any sentence in the timeline."""
        if self.summarizer == "centroid_opt":
            combined = self.dense + self.total
            norms = np.linalg.norm(combined, axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                scores = np.where(norms > 0, (combined @ self.centroid) / norms, 0.0)
        else:
            scores = (self.dense @ self.centroid) * self.weights
        for index in np.argsort(-scores, kind="stable"):
            if not self.remaining[index]:
                continue
            self.remaining[index] = False
            start, end = self.rows.indptr[index], self.rows.indptr[index + 1]
            if chosen.admits(self.rows.indices[start:end], self.rows.data[start:end],
                             self.rows.shape[1], max_similarity):
                self.total = self.total + self.dense[index]
                self.picked.append(self.usable[index])
                return True
        return False


class _Chosen:
    """The TF-IDF rows of every sentence already in the timeline, as one dense block.

    ``admits`` is asked for every candidate tried, thousands of times for a
    story of thousands of articles: the chosen rows are kept dense, so each
    test reads only the candidate's own few columns of them.
    """

    def __init__(self) -> None:
        self.count = 0
        self._dense = np.zeros((0, 0))

    def admits(self, columns: np.ndarray, values: np.ndarray, width: int,
               max_similarity: float) -> bool:
        """Whether the row (its nonzero ``columns`` and ``values``) is at most
        ``max_similarity`` close to every chosen row; if so, keep it."""
        count = self.count
        if count and (self._dense[:count, columns] @ values).max() > max_similarity:
            return False
        if count == len(self._dense):
            grown = np.zeros((max(8, 2 * count), width))
            grown[:count] = self._dense[:count] if count else 0.0
            self._dense = grown
        self._dense[count, columns] = values
        self.count += 1
        return True


class _Vectors:
    """TF-IDF rows (unit length) for every candidate text, fitted once per timeline.

    ``story`` is the sum of all rows: what the candidates of every date
    share, the story itself.
    """

    def __init__(self, texts: list[str]) -> None:
        self.index = {text: i for i, text in enumerate(texts)}
        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        try:
            self.matrix = vectorizer.fit_transform(texts) if texts else None
        except ValueError:  # only stop words: nothing to compare
            self.matrix = None
        self.story = (np.asarray(self.matrix.sum(0)).ravel()
                      if self.matrix is not None else None)

    def of(self, texts: list[str]) -> sparse.csr_matrix | None:
        if self.matrix is None:
            return None
        return self.matrix[[self.index[text] for text in texts]]


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def _copied_share(articles: Sequence[AnnotatedArticle]) -> dict[str, float]:
    """Per article, the share of its sentences that other articles also carry.

    Between two articles published the same day with the same sentence, the
    one made mostly of shared sentences is the copy (a content farm stitching
    wire copy together), the other the original.
    """
    # The first article seen with each text, and the texts some other article also carries:
    # tens of thousands of sentences in a big story, so no set of holders per text.
    first: dict[str, str] = {}
    carried: set[str] = set()
    for annotated in articles:
        article_id = annotated.article.id
        for sentence in annotated.sentences:
            if first.setdefault(sentence.text, article_id) != article_id:
                carried.add(sentence.text)
    share = {}
    for annotated in articles:
        total = len(annotated.sentences)
        shared = sum(1 for s in annotated.sentences if s.text in carried)
        share[annotated.article.id] = shared / total if total else 0.0
    return share


def _dated_by_first(candidates: Mapping[DateKey, list[Candidate]],
                    copied: dict[str, float]) -> dict[str, set[DateKey]]:
    """For each sentence text, the dates its most original carrier gives it.

    A sentence that several articles ran is dated as the first of them
    dates it: a copy that ran later read its relative expressions ("on
    Monday", "last year") against its own, later day, and would otherwise
    put the original's words under the wrong date, taking them from the
    right one (a text is used once per timeline).
    """
    first: dict[str, Candidate] = {}
    for pool in candidates.values():
        for candidate in pool:
            current = first.get(candidate.text)
            if current is None or _more_original(candidate, current, copied):
                first[candidate.text] = candidate
    dated: dict[str, set[DateKey]] = defaultdict(set)
    for key, pool in candidates.items():
        for candidate in pool:
            if candidate.article_id == first[candidate.text].article_id:
                dated[candidate.text].add(key)
    return dated


def _unique(pool: list[Candidate], copied: dict[str, float],
            votes: bool = True) -> list[Candidate]:
    """One candidate per text, from the article that most likely wrote it first.

    Its weight is the surest any copy of it is about the date, times (with
    ``votes``) the number of articles that carry it: a sentence that several
    articles ran is what the day's news agreed on, and counted once it would
    weigh no more in the date's centroid than one article's aside (near
    copies, being different texts, were always counted apiece).
    """
    best: dict[str, Candidate] = {}
    weight: dict[str, float] = defaultdict(float)
    carriers: dict[str, set[str]] = defaultdict(set)
    for candidate in pool:
        weight[candidate.text] = max(weight[candidate.text], candidate.weight)
        carriers[candidate.text].add(candidate.article_id)
        current = best.get(candidate.text)
        if current is None or _more_original(candidate, current, copied):
            best[candidate.text] = candidate
    return [replace(candidate,
                    weight=weight[text] * (len(carriers[text]) if votes else 1))
            for text, candidate in best.items()]


def _more_original(a: Candidate, b: Candidate, copied: dict[str, float]) -> bool:
    """Earlier publication wins; on the same day, the article that copies less."""
    if a.published != b.published:
        return a.published is not None and (b.published is None or a.published < b.published)
    return copied.get(a.article_id, 0.0) < copied.get(b.article_id, 0.0)
