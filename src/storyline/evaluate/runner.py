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
from storyline.model import AnnotatedArticle, Article, Timeline
from storyline.pipeline import ingest_articles
from storyline.scale.dask import DaskEngine
from storyline.store import Store
from storyline.timeline import TimelineRequest, get_method

log = logging.getLogger(__name__)


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/storyline/eval.db`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "storyline" / "eval.db"


@dataclass(frozen=True, slots=True)
class TimelineResult:
    """One gold timeline's task: what was predicted and how it scored."""

    name: str
    scores: TimelineScores
    seconds: float
    predicted: Timeline


@dataclass(slots=True)
class EvalReport:
    """A whole run; ``to_dict`` is DESIGN's Eval JSON (plus per-timeline detail)."""

    dataset: str
    method: str
    span_extension: int
    results: list[TimelineResult] = field(default_factory=list)
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

    def to_dict(self) -> dict[str, Any]:
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
    engine: DaskEngine | None = None,
) -> EvalReport:
    """Run the protocol on every topic that has articles.

    ``on_topic(name, done, total)`` is called as topics finish, for a
    progress display. With an ``engine`` the articles are annotated on its
    cluster, as ``storyline ingest --workers`` does.
    """
    get_method(method)  # an unknown method fails before any annotation
    topics = load_dataset(dataset_dir)
    report = EvalReport(Path(dataset_dir).name, method, span_extension)
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
                                           engine=engine)
                articles = store.load_annotated(dict.fromkeys(ingested.article_ids),
                                                entities=False)
                report.preprocess_seconds += time.perf_counter() - started
                report.annotated_articles += ingested.added + ingested.updated
                for gold in topic.gold_timelines:
                    report.results.append(run_task(articles, gold, topic, method, span_extension))
            if on_topic:
                on_topic(topic.name, done, len(topics))
    return report


def run_task(articles: list[AnnotatedArticle], gold: GoldTimeline, topic: Topic, method: str,
             span_extension: int = 0) -> TimelineResult:
    """One gold timeline's task: restrict, build with l and k, score."""
    start, end = gold.span(span_extension)
    window = [a for a in articles
              if a.article.published is not None and start <= a.article.published <= end]
    window.sort(key=lambda a: a.article.published)  # stable: keeps file order within a day
    request = TimelineRequest(
        dates=gold.num_dates,
        sentences=max(1, gold.sentences_per_date),
        keywords=topic.keywords,
        start=start,
        end=end,
        days_only=True,
    )
    started = time.perf_counter()
    predicted = get_method(method).build(window, request)
    seconds = time.perf_counter() - started
    scores = evaluate_timeline(dated_sentences(predicted), gold.entries)
    log.info("%s: %d articles, %d dates predicted, AR-1 F %.3f", gold.name, len(window),
             len(predicted.entries), scores.ar1.f1)
    return TimelineResult(gold.name, scores, seconds, predicted)


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
    if report.skipped_topics:
        lines.append(f"Topics without articles, skipped: {', '.join(report.skipped_topics)}.")
    return "\n".join(lines) + "\n"
