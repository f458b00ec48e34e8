"""Timeline metrics exactly as tilse 0.2.1 computes them, averaged as news-tls does.

A timeline here is a plain mapping ``date -> list of sentences`` for both the
prediction and the gold timeline. Dates are compared as calendar days:
month- or year-granularity entries are keyed by their first day (as
:class:`storyline.model.TimelineEntry` already stores them, see
:func:`dated_sentences`), so a month entry for June 2019 only ever matches a
gold ``2019-06-01``, and in the alignment it is that many days away from
other dates. ``datetime`` keys are read as their date.

What is computed, per predicted timeline against one gold timeline
(``TimelineRougeEvaluator(measures={"rouge_1", "rouge_2"})`` with
ROUGE-1.5.5, see :mod:`storyline.evaluate.rouge`):

- *concat*: all predicted sentences (in date order) against all gold
  sentences, as one summary each;
- *agreement*: per date present in both, the day's summaries against each
  other; hits summed over shared dates, precision's denominator over all
  predicted dates, recall's over all gold dates;
- *align+ m:1* (the published AR-1/AR-2): every predicted date is paired
  with the gold date of least cost ``(1 - 1/(|days|+1)) * (1 - F)`` where F
  is tilse's rough ROUGE-1 F of the two days' summaries (case-sensitive
  whitespace tokens, no stemming or stopwords, tokens that are substrings
  of ``string.punctuation`` dropped); every gold date likewise with its
  least-cost predicted date; the first such date wins ties, in date order.
  Each pair's ROUGE hits count ``1/(|days|+1)``; precision sums over
  predicted dates, recall over gold dates;
- *date* precision, recall and F1 on exact days.

Precision and recall are ratios of summed counts; F is their harmonic mean
(0 when both are 0). A date listed with no sentences is still a date.

Where tilse raises (an empty prediction, whose date precision divides by
zero; a prediction of only stopwords under *concat*) the scores here are 0.
An empty gold timeline is a :class:`ValueError`.

Over several timelines, :func:`average_scores` averages precision and
recall and computes F from those averages, as news-tls's ``evaluate.py``
(``get_average_results``) and tilse's ``Scores`` do.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from storyline.evaluate.rouge import clipped_hits, ngram_counts, rouge_tokens
from storyline.model import Timeline

DatedSentences = Mapping[date, Sequence[str]]
"""A timeline as the metrics see it: calendar day -> that day's sentences."""

METRIC_KEYS = (
    "ar1_f", "ar2_f", "ar1_p", "ar1_r", "ar2_p", "ar2_r", "date_f1",
    "concat_r1_f", "concat_r2_f", "agree_r1_f", "agree_r2_f",
)
"""The keys of :func:`average_scores`, as in the Eval JSON's ``metrics``."""


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and the F1 computed from them."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def from_pr(cls, precision: float, recall: float) -> PRF:
        if precision + recall == 0:
            return cls(float(precision), float(recall), 0.0)
        return cls(float(precision), float(recall), 2 * precision * recall / (precision + recall))

    @classmethod
    def from_counts(cls, hits: float, predicted: float, gold: float) -> PRF:
        """From a (possibly weighted) hit count and the two denominators; 0 where one is 0."""
        return cls.from_pr(hits / predicted if predicted else 0.0, hits / gold if gold else 0.0)

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


ZERO = PRF(0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class TimelineScores:
    """Every metric for one predicted timeline against one gold timeline.

    ``ar1``/``ar2`` are align+ m:1 ROUGE-1/ROUGE-2, the published AR-1/AR-2.
    """

    ar1: PRF
    ar2: PRF
    concat_r1: PRF
    concat_r2: PRF
    agree_r1: PRF
    agree_r2: PRF
    dates: PRF

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {
            "ar1": self.ar1.to_dict(),
            "ar2": self.ar2.to_dict(),
            "concat_r1": self.concat_r1.to_dict(),
            "concat_r2": self.concat_r2.to_dict(),
            "agree_r1": self.agree_r1.to_dict(),
            "agree_r2": self.agree_r2.to_dict(),
            "dates": self.dates.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineScores:
        def prf(key: str) -> PRF:
            value = data[key]
            return PRF(value["precision"], value["recall"], value["f1"])

        return cls(*(prf(key) for key in ("ar1", "ar2", "concat_r1", "concat_r2", "agree_r1", "agree_r2", "dates")))


@dataclass(frozen=True, slots=True)
class _Day:
    """One date's summary, prepared once for every comparison it takes part in."""

    tokens: tuple[str, ...]
    grams: tuple[Counter, Counter]
    sizes: tuple[int, int]
    rough: Counter
    rough_size: int


def _day(sentences: Sequence[str]) -> _Day:
    tokens = rouge_tokens(sentences)
    grams = (ngram_counts(tokens, 1), ngram_counts(tokens, 2))
    # tilse's compute_rouge_approximation; `in` on a str is a substring test.
    rough = Counter(k for s in sentences for k in s.split() if k not in string.punctuation)
    return _Day(tuple(tokens), grams, (len(tokens), max(len(tokens) - 1, 0)), rough, sum(rough.values()))


def _as_day(value: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"timeline keys must be datetime.date, not {type(value).__name__}: {value!r}")


def _prepare(timeline: DatedSentences) -> dict[date, list[str]]:
    days: dict[date, list[str]] = {}
    for key, sentences in timeline.items():
        if isinstance(sentences, str):
            raise TypeError(f"the sentences of {key} must be a list of str, not one str")
        days.setdefault(_as_day(key), []).extend(sentences)
    return days


def dated_sentences(timeline: Timeline) -> dict[date, list[str]]:
    """A :class:`~storyline.model.Timeline` as the metrics read it.

    Entries are keyed by their ``date`` (the first day for a month or year
    entry); two entries with the same key (a month entry and a day entry on
    the 1st) have their sentences joined, in entry order.
    """
    days: dict[date, list[str]] = {}
    for entry in timeline.entries:
        days.setdefault(entry.date, []).extend(s.text for s in entry.sentences)
    return days


def date_scores(predicted: DatedSentences, gold: DatedSentences) -> PRF:
    """Date precision, recall and F1 on exact days."""
    pred_dates = {_as_day(d) for d in predicted}
    gold_dates = {_as_day(d) for d in gold}
    shared = len(pred_dates & gold_dates)
    return PRF.from_counts(shared, len(pred_dates), len(gold_dates))


def evaluate_timeline(predicted: DatedSentences, gold: DatedSentences) -> TimelineScores:
    """Score a predicted timeline against one gold timeline (see the module doc).

    Example::

        gold = {date(2010, 4, 20): ["An explosion sinks the Deepwater Horizon rig."]}
        pred = {date(2010, 4, 21): ["The Deepwater Horizon rig sinks."]}
        evaluate_timeline(pred, gold).ar1.f1  # half the pair's ROUGE-1 F: one day apart
    """
    pred_sentences = _prepare(predicted)
    gold_sentences = _prepare(gold)
    if not gold_sentences:
        raise ValueError("the gold timeline has no dates; there is nothing to score against")
    if not pred_sentences:
        return TimelineScores(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)

    pred = _Side.of(pred_sentences)
    ref = _Side.of(gold_sentences)
    concat = [_concat(pred, ref, n) for n in (1, 2)]
    agree = [_agreement(pred, ref, n) for n in (1, 2)]
    costs = _content_costs(pred, ref)
    # tilse's _assign_to_min_cost: each date takes the first least-cost date of the other side.
    precision_pairs = list(enumerate(costs.argmin(axis=1).tolist()))
    recall_pairs = [(i, j) for j, i in enumerate(costs.argmin(axis=0).tolist())]
    align = [_aligned(pred, ref, precision_pairs, recall_pairs, n) for n in (1, 2)]
    return TimelineScores(
        align[0], align[1], concat[0], concat[1], agree[0], agree[1],
        date_scores(pred_sentences, gold_sentences),
    )


@dataclass(frozen=True, slots=True)
class _Side:
    """One timeline's dates in order and their prepared summaries."""

    dates: list[date]
    days: list[_Day]

    @classmethod
    def of(cls, sentences: dict[date, list[str]]) -> _Side:
        dates = sorted(sentences)
        return cls(dates, [_day(sentences[d]) for d in dates])

    def size(self, n: int) -> int:
        return sum(day.sizes[n - 1] for day in self.days)


def _concat(pred: _Side, gold: _Side, n: int) -> PRF:
    pred_grams = ngram_counts([t for day in pred.days for t in day.tokens], n)
    gold_grams = ngram_counts([t for day in gold.days for t in day.tokens], n)
    hits = clipped_hits(pred_grams, gold_grams)
    return PRF.from_counts(hits, sum(pred_grams.values()), sum(gold_grams.values()))


def _agreement(pred: _Side, gold: _Side, n: int) -> PRF:
    gold_index = {d: j for j, d in enumerate(gold.dates)}
    hits = 0
    for d, day in zip(pred.dates, pred.days):
        j = gold_index.get(d)
        if j is not None:
            hits += clipped_hits(day.grams[n - 1], gold.days[j].grams[n - 1])
    return PRF.from_counts(hits, pred.size(n), gold.size(n))


def _content_costs(pred: _Side, gold: _Side) -> np.ndarray:
    """tilse's ``_get_date_content_costs`` for every (predicted, gold) pair, bit for bit.

    The rough ROUGE-1 hits ``sum_w min(p_w, g_w)`` of all pairs come from
    ``sum_t [p >= t] @ [g >= t].T`` (exact small integers); the rest are
    the same float operations, in the same order, as tilse's Python.
    """
    shared = set().union(*(d.rough for d in pred.days)) & set().union(*(d.rough for d in gold.days))
    vocab = {w: i for i, w in enumerate(sorted(shared))}
    pred_counts = _count_matrix(pred.days, vocab)
    gold_counts = _count_matrix(gold.days, vocab)
    hits = np.zeros((len(pred.days), len(gold.days)), dtype=np.float64)
    columns = np.arange(len(vocab))
    threshold = 1
    while columns.size:
        p = pred_counts[:, columns]
        g = gold_counts[:, columns]
        hits += (p >= threshold).astype(np.float64) @ (g >= threshold).astype(np.float64).T
        threshold += 1
        columns = columns[(p.max(axis=0) >= threshold) & (g.max(axis=0) >= threshold)]

    pred_size = np.array([d.rough_size for d in pred.days], dtype=np.float64)[:, None]
    gold_size = np.array([d.rough_size for d in gold.days], dtype=np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred_size == 0, 0.0, hits / pred_size)
        recall = np.where(gold_size == 0, 0.0, hits / gold_size)
        f_score = np.where(precision + recall == 0, 0.0, 2 * precision * recall / (precision + recall))
    pred_ord = np.array([d.toordinal() for d in pred.dates], dtype=np.int64)
    gold_ord = np.array([d.toordinal() for d in gold.dates], dtype=np.int64)
    date_factor = 1 - 1 / (np.abs(pred_ord[:, None] - gold_ord[None, :]) + 1)
    return date_factor * (1 - f_score)


def _count_matrix(days: list[_Day], vocab: dict[str, int]) -> np.ndarray:
    counts = np.zeros((len(days), len(vocab)), dtype=np.int64)
    for i, day in enumerate(days):
        for word, count in day.rough.items():
            column = vocab.get(word)
            if column is not None:
                counts[i, column] = count
    return counts


def _aligned(
    pred: _Side,
    gold: _Side,
    precision_pairs: list[tuple[int, int]],
    recall_pairs: list[tuple[int, int]],
    n: int,
) -> PRF:
    """ROUGE-n over aligned (predicted, gold) index pairs, each hit weighted by 1/(days+1)."""
    hits: dict[tuple[int, int], int] = {}

    def weighted_hits(i: int, j: int) -> float:
        if (i, j) not in hits:
            hits[(i, j)] = clipped_hits(pred.days[i].grams[n - 1], gold.days[j].grams[n - 1])
        gap = abs(pred.dates[i].toordinal() - gold.dates[j].toordinal())
        return (1 / (gap + 1)) * hits[(i, j)]

    # Summed in tilse's order: predicted dates, then gold dates, each sorted.
    precision_hits = sum(weighted_hits(i, j) for i, j in precision_pairs)
    recall_hits = sum(weighted_hits(i, j) for i, j in recall_pairs)
    pred_size, gold_size = pred.size(n), gold.size(n)
    return PRF.from_pr(
        precision_hits / pred_size if pred_size else 0.0,
        recall_hits / gold_size if gold_size else 0.0,
    )


def average_prf(scores: Sequence[PRF]) -> PRF:
    """Mean precision and mean recall, and the F1 of those two means."""
    if not scores:
        raise ValueError("cannot average zero scores")
    return PRF.from_pr(
        sum(s.precision for s in scores) / len(scores),
        sum(s.recall for s in scores) / len(scores),
    )


def average_scores(scores: Sequence[TimelineScores]) -> dict[str, float]:
    """The Eval JSON ``metrics`` over several timelines (keys in :data:`METRIC_KEYS`).

    Precision and recall are averaged over timelines and each F is computed
    from the two averages, as news-tls reports its results.
    """
    if not scores:
        raise ValueError("cannot average the scores of zero timelines")
    ar1 = average_prf([s.ar1 for s in scores])
    ar2 = average_prf([s.ar2 for s in scores])
    return {
        "ar1_f": ar1.f1,
        "ar2_f": ar2.f1,
        "ar1_p": ar1.precision,
        "ar1_r": ar1.recall,
        "ar2_p": ar2.precision,
        "ar2_r": ar2.recall,
        "date_f1": average_prf([s.dates for s in scores]).f1,
        "concat_r1_f": average_prf([s.concat_r1 for s in scores]).f1,
        "concat_r2_f": average_prf([s.concat_r2 for s in scores]).f1,
        "agree_r1_f": average_prf([s.agree_r1 for s in scores]).f1,
        "agree_r2_f": average_prf([s.agree_r2 for s in scores]).f1,
    }
