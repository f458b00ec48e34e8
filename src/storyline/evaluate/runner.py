"""The standard timeline-summarization protocol, run end to end.

As in news-tls (Gholipour Ghalandari & Ifrim, ACL 2020): one task per gold
timeline; the topic's articles restricted to the gold timeline's first..last
date (widened by ``span_extension`` days each side); l dates and k
sentences per date taken from the gold timeline; every summary sentence
must contain a topic keyword; tilse's metrics, precision and recall
averaged over timelines and F computed from the averages.

Articles are annotated by storyline itself (only ids, publication dates and
raw text are taken from the dataset) and cached in a store keyed by their
content, so a second run, of any method, annotates nothing again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from storyline.annotate.pipeline import Annotator
from storyline.evaluate.datasets import (
    NEWSTLS,
    GoldTimeline,
    Topic,
    load_dataset,
    newstls_articles,
    raw_article_files,
)
from storyline.evaluate.metrics import (
    METRIC_KEYS,
    TimelineScores,
    average_scores,
    dated_sentences,
    evaluate_timeline,
)
from storyline.ingest import Skipped, read_file
from storyline.model import AnnotatedArticle, Article, Granularity, Timeline
from storyline.pipeline import ingest_articles
from storyline.scale.dask import DaskEngine
from storyline.store import Store
from storyline.timeline import TimelineRequest, get_method

log = logging.getLogger(__name__)

#: ``length`` values: the protocol's l and k from the gold timeline, or the
#: method's own number of dates (what a user without ``--dates`` gets).
LENGTHS = ("gold", "auto")


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/storyline/eval.db`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "storyline" / "eval.db"


@dataclass(frozen=True, slots=True)
class LengthStats:
    """How long a timeline chose to be, beside its gold timeline (``length="auto"``).

    ``entries`` counts every entry by granularity (``{"day": 12, "month": 2}``);
    ``periods_with_gold`` is how many month and year entries contain a gold
    date: such an entry says something true at a coarser grain, which the
    day-level metrics cannot credit.
    """

    gold_dates: int
    entries: dict[str, int]
    periods_with_gold: int

    @classmethod
    def of(cls, predicted: Timeline, gold: GoldTimeline) -> LengthStats:
        entries: dict[str, int] = {}
        hits = 0
        for entry in predicted.entries:
            entries[entry.granularity.value] = entries.get(entry.granularity.value, 0) + 1
            if entry.granularity is not Granularity.DAY and any(
                    entry.holds(day) for day in gold.entries):
                hits += 1
        return cls(gold.num_dates, entries, hits)


@dataclass(frozen=True, slots=True)
class TimelineResult:
    """One gold timeline's task: what was predicted and how it scored.

    With ``length="auto"`` the scores are of the day entries only (the
    metrics compare days) and ``length`` tells the rest.
    """

    name: str
    scores: TimelineScores
    seconds: float
    predicted: Timeline
    length: LengthStats | None = None


@dataclass(slots=True)
class EvalReport:
    """A whole run; ``to_dict`` is DESIGN's Eval JSON (plus per-timeline detail)."""

    dataset: str
    method: str
    span_extension: int
    results: list[TimelineResult] = field(default_factory=list)
    length: str = "gold"
    skipped_topics: list[str] = field(default_factory=list)
    preprocess_seconds: float = 0.0
    annotated_articles: int = 0

    @property
    def metrics(self) -> dict[str, float]:
        if not self.results:
            return dict.fromkeys(METRIC_KEYS, 0.0)
        return average_scores([r.scores for r in self.results])

    @property
    def seconds_per_timeline(self) -> float:
        return sum(r.seconds for r in self.results) / len(self.results) if self.results else 0.0

    def length_summary(self) -> dict[str, Any] | None:
        """Means over timelines of the chosen length (``length="auto"`` only)."""
        found = [r.length for r in self.results if r.length is not None]
        if not found:
            return None
        kinds = sorted({kind for stats in found for kind in stats.entries})
        periods = sum(n for stats in found for kind, n in stats.entries.items() if kind != "day")
        return {
            "gold_dates": round(sum(s.gold_dates for s in found) / len(found), 2),
            "entries": round(sum(sum(s.entries.values()) for s in found) / len(found), 2),
            "by_granularity": {kind: round(sum(s.entries.get(kind, 0) for s in found)
                                           / len(found), 2) for kind in kinds},
            "periods_with_gold": (round(sum(s.periods_with_gold for s in found) / periods, 3)
                                  if periods else None),
        }

    def to_dict(self) -> dict[str, Any]:
        extra = {"length": self.length_summary()} if self.length == "auto" else {}
        return {
            "dataset": self.dataset,
            "method": self.method,
            "timelines": len(self.results),
            "metrics": self.metrics,
            "seconds": {
                "preprocess": round(self.preprocess_seconds, 2),
                "per_timeline": round(self.seconds_per_timeline, 3),
            },
            "span_extension": self.span_extension,
            **extra,
            "skipped_topics": list(self.skipped_topics),
            "per_timeline": [
                {"name": r.name, "seconds": round(r.seconds, 3), **average_scores([r.scores])}
                for r in self.results
            ],
        }


def topic_articles(topic: Topic) -> Iterator[Article | Skipped]:
    """The topic's articles as storyline reads them, whatever the layout.

    Ids are prefixed with the topic: news-tls numbers articles per topic, so
    "67" in finan and "67" in h1n1 are different articles that must not
    overwrite each other in the shared cache.
    """
    if topic.layout == NEWSTLS:
        items: Iterator[Article | Skipped] = newstls_articles(topic)
    else:
        items = (item for path in raw_article_files(topic) for item in read_file(path))
    for item in items:
        yield replace(item, id=f"{topic.name}/{item.id}") if isinstance(item, Article) else item


def run_eval(
    dataset_dir: str | Path,
    *,
    method: str,
    span_extension: int = 0,
    cache: str | Path | None = None,
    annotator: Annotator | None = None,
    on_topic: Callable[[str, int, int], None] | None = None,
    length: str = "gold",
    engine: DaskEngine | None = None,
) -> EvalReport:
    """Run the protocol on every topic that has articles.

    ``on_topic(name, done, total)`` is called as topics finish, for a
    progress display. ``length="auto"`` leaves the number of dates to the
    method and lets it make month and year entries, as a user without
    ``--dates`` gets them (see :func:`run_task`). With an ``engine`` the
    articles are annotated on its cluster, as ``storyline ingest --workers``
    does.
    """
    get_method(method)  # an unknown method fails before any annotation
    if length not in LENGTHS:
        raise ValueError(f"length must be one of {', '.join(LENGTHS)}, got {length!r}")
    topics = load_dataset(dataset_dir)
    report = EvalReport(Path(dataset_dir).name, method, span_extension, length=length)
    cache_path = Path(cache) if cache else default_cache()
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    annotator = annotator or Annotator(entities=False)
    with Store(cache_path) as store:
        for done, topic in enumerate(topics, start=1):
            if not topic.has_articles:
                report.skipped_topics.append(topic.name)
                log.info("topic %s has no articles; skipped", topic.name)
            else:
                started = time.perf_counter()
                ingested = ingest_articles(topic_articles(topic), store, annotator=annotator,
                                           engine=engine, stories=False)
                articles = store.load_annotated(dict.fromkeys(ingested.article_ids),
                                                entities=False)
                report.preprocess_seconds += time.perf_counter() - started
                report.annotated_articles += ingested.added + ingested.updated
                for gold in topic.gold_timelines:
                    report.results.append(run_task(articles, gold, topic, method, span_extension,
                                                   length))
            if on_topic:
                on_topic(topic.name, done, len(topics))
    return report


def run_task(articles: list[AnnotatedArticle], gold: GoldTimeline, topic: Topic, method: str,
             span_extension: int = 0, length: str = "gold") -> TimelineResult:
    """One gold timeline's task: restrict, build with l and k, score.

    With ``length="auto"`` the method is not told l and may make month and
    year entries; k still comes from the gold timeline. Its day entries are
    scored as usual (a month entry would otherwise be read as a wrong day,
    its first), and its length and coarser entries are counted apart.
    """
    start, end = gold.span(span_extension)
    window = [a for a in articles
              if a.article.published is not None and start <= a.article.published <= end]
    window.sort(key=lambda a: a.article.published)  # stable: keeps file order within a day
    auto = length == "auto"
    request = TimelineRequest(
        dates=None if auto else gold.num_dates,
        sentences=max(1, gold.sentences_per_date),
        keywords=topic.keywords,
        start=start,
        end=end,
        days_only=not auto,
    )
    started = time.perf_counter()
    predicted = get_method(method).build(window, request)
    seconds = time.perf_counter() - started
    days = Timeline(predicted.query, predicted.method, predicted.params,
                    tuple(e for e in predicted.entries if e.granularity is Granularity.DAY))
    scores = evaluate_timeline(dated_sentences(days), gold.entries)
    log.info("%s: %d articles, %d dates predicted, AR-1 F %.3f", gold.name, len(window),
             len(predicted.entries), scores.ar1.f1)
    stats = LengthStats.of(predicted, gold) if auto else None
    return TimelineResult(gold.name, scores, seconds, predicted, stats)


#: Published results on Timeline17 (Gholipour Ghalandari & Ifrim 2020, Table 4):
#: AR-1 F, AR-2 F, Date F1.
PUBLISHED_T17 = {
    "Chieu & Lee (2004)": (0.066, 0.019, 0.251),
    "Martschat & Markert (2018)": (0.105, 0.030, 0.544),
    "Tran et al. (2013)": (0.094, 0.022, 0.517),
    "DATEWISE (news-tls)": (0.120, 0.035, 0.544),
    "CLUST (news-tls)": (0.082, 0.020, 0.407),
    "Date oracle": (0.179, 0.057, 0.926),
    "Full oracle": (0.312, 0.128, 0.926),
}


def to_markdown(report: EvalReport) -> str:
    """The run's averages beside the published Timeline17 rows."""
    m = report.metrics
    lines = [
        f"Dataset `{report.dataset}`, {len(report.results)} timelines, method `{report.method}`,"
        f" span extension {report.span_extension} days.",
        "",
        "| system | AR-1 F | AR-2 F | Date F1 | concat R-1 F | agree R-1 F |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, (ar1, ar2, date_f1) in PUBLISHED_T17.items():
        lines.append(f"| {name} (published, T17) | {ar1:.3f} | {ar2:.3f} | {date_f1:.3f} | | |")
    lines.append(
        f"| **storyline `{report.method}`** | **{m['ar1_f']:.3f}** | **{m['ar2_f']:.3f}** |"
        f" **{m['date_f1']:.3f}** | {m['concat_r1_f']:.3f} | {m['agree_r1_f']:.3f} |"
    )
    lines += [
        "",
        f"Preprocessing {report.preprocess_seconds:.1f} s"
        f" ({report.annotated_articles} articles annotated in this run),"
        f" {report.seconds_per_timeline:.2f} s per timeline.",
    ]
    length = report.length_summary()
    if length:
        grains = ", ".join(f"{n} {kind}" for kind, n in length["by_granularity"].items())
        lines.append(f"Length chosen by the method: {length['entries']} entries per timeline"
                     f" ({grains}) against {length['gold_dates']} gold dates; the scores are of"
                     f" the day entries.")
    if report.skipped_topics:
        lines.append(f"Topics without articles, skipped: {', '.join(report.skipped_topics)}.")
    return "\n".join(lines) + "\n"
