"""The ablation section of docs/benchmarks.md: what each part of `storyline` is worth.

Usage: .venv/bin/python bench/run_benchmarks.py --only ablation [--cache FILE]
       [--embed-python PYTHON]   (or this file alone, which prints the section)

Runs the standard protocol (as ``storyline eval``: one task per gold
timeline, l and k from it, articles in its span, topic keywords) on
t17-raw and t17-newstls for:

- the method as it was before this ablation and each change on its own;
- the current defaults;
- date-oracle runs (the gold dates forced to the top of the ranking, for
  storyline and the faithful DATEWISE) that separate date-selection error
  from sentence-selection error; gold is only ever used in these rows and
  in the upper bound and leave-one-topic-out rows of ``alternatives.py``;
- a leave-one-topic-out choice among the candidate settings: for each of
  the 9 topics, the setting with the best AR-1 F on the other 8 is scored
  on the held-out topic's timelines, so the reported number is not the
  best full-set score;
- on t17-raw, the alternatives that did not make it (``alternatives.py``):
  other date rankings, learned ones included, and other sentence scorers.

Articles come annotated from the evaluation cache (``storyline eval``
fills it), so nothing is re-annotated here.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import alternatives

from storyline.evaluate.datasets import GoldTimeline, load_dataset
from storyline.evaluate.metrics import (
    TimelineScores,
    average_scores,
    dated_sentences,
    evaluate_timeline,
)
from storyline.evaluate.runner import topic_articles
from storyline.model import AnnotatedArticle, Article, Granularity
from storyline.store import Store
from storyline.timeline import TimelineRequest
from storyline.timeline import datewise as datewise_module
from storyline.timeline.dates import SupportWeights
from storyline.timeline.datewise import Datewise
from storyline.timeline.storyline_method import StorylineMethod

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"

RAW_COUNTS = SupportWeights(opportunity=0.0)
BEFORE = StorylineMethod(support=SupportWeights(articles=1, fresh=1, days=0, opportunity=0.0),
                         summarizer="closest", lead_sentences=2, lead_days=1,
                         lead_weight=0.5, max_similarity=0.5, copy_votes=False,
                         copy_dates=False)
CURRENT = StorylineMethod()

#: (label, method): the method before, one change at a time, the defaults,
#: and the defaults less one change.
ROWS: list[tuple[str, StorylineMethod]] = [
    ("before (issue #4)", BEFORE),
    ("before + CentroidOpt sentence choice", replace(BEFORE, summarizer="centroid_opt")),
    ("before + dates ranked by publication days first", replace(BEFORE, support=RAW_COUNTS)),
    ("before + dates ranked by publication days only",
     replace(BEFORE, support=SupportWeights(articles=0, fresh=0, days=1, opportunity=0.0))),
    ("before + counts ÷ √(days with articles since the date)",
     replace(BEFORE, support=replace(BEFORE.support, opportunity=0.5))),
    ("before + leads of the day after too (lead_days=2)", replace(BEFORE, lead_days=2)),
    ("before + leads weigh as mentions (lead_weight=1)", replace(BEFORE, lead_weight=1.0)),
    ("before + 6 lead sentences", replace(BEFORE, lead_sentences=6)),
    ("before + stricter redundancy (max_similarity=0.3)", replace(BEFORE, max_similarity=0.3)),
    ("before + copies vote in the centroid", replace(BEFORE, copy_votes=True)),
    ("**current defaults**", CURRENT),
    ("defaults, closest-to-centroid sentences", replace(CURRENT, summarizer="closest")),
    ("defaults, raw counts (opportunity=0)", replace(CURRENT, support=RAW_COUNTS)),
    ("defaults, counts ÷ days since: a rate (opportunity=1)",
     replace(CURRENT, support=SupportWeights(opportunity=1.0))),
    ("defaults, old date ranking (articles + fresh)",
     replace(CURRENT, support=SupportWeights(articles=1, fresh=1, days=0))),
    ("defaults, publication days only", replace(CURRENT, support=SupportWeights(0, 0, 1))),
    ("defaults, lead_days=1", replace(CURRENT, lead_days=1)),
    ("defaults, day-after leads at full weight (earlier_lead_weight=1)",
     replace(CURRENT, earlier_lead_weight=1.0)),
    ("defaults, 2 lead sentences", replace(CURRENT, lead_sentences=2)),
    ("defaults, max_similarity=0.5", replace(CURRENT, max_similarity=0.5)),
    ("defaults, max_words=40", replace(CURRENT, max_words=40)),
    ("defaults, min_words=10", replace(CURRENT, min_words=10)),
    ("defaults, date centroid only (story_weight=0)", replace(CURRENT, story_weight=0.0)),
    ("defaults, story_weight=1", replace(CURRENT, story_weight=1.0)),
    ("defaults, copies counted once (copy_votes=False)", replace(CURRENT, copy_votes=False)),
    ("defaults, copies dated apiece (copy_dates=False)", replace(CURRENT, copy_dates=False)),
]

#: The settings the leave-one-topic-out choice picks among.
CHOICES: list[tuple[str, StorylineMethod]] = [
    (f"opportunity={opportunity} articles,fresh={tie} earlier_lead_weight={earlier}"
     f" max_similarity={sim} story_weight={story}",
     replace(CURRENT, support=SupportWeights(articles=tie, fresh=tie, days=1,
                                             opportunity=opportunity),
             earlier_lead_weight=earlier, max_similarity=sim, story_weight=story))
    for opportunity in (0.0, 0.5)
    for tie in (0.0, 0.1)
    for earlier in (0.5, 1.0)
    for sim in (0.3, 0.5)
    for story in (0.0, 0.5, 1.0)
]


@dataclass(frozen=True, slots=True)
class Task:
    topic: str  # the folder prefix: the unit left out
    gold: GoldTimeline
    articles: list[AnnotatedArticle]
    request: TimelineRequest


def load_tasks(dataset: Path, cache: Path) -> list[Task]:
    """Every gold timeline's task, articles loaded once from the cache."""
    tasks = []
    with Store(cache) as store:
        for topic in load_dataset(dataset):
            if not topic.has_articles:
                continue
            ids = [a.id for a in topic_articles(topic) if isinstance(a, Article)]
            articles = store.load_annotated(dict.fromkeys(ids))
            for gold in topic.gold_timelines:
                start, end = gold.span(0)
                window = sorted(
                    (a for a in articles
                     if a.article.published is not None and start <= a.article.published <= end),
                    key=lambda a: a.article.published)
                request = TimelineRequest(dates=gold.num_dates,
                                          sentences=max(1, gold.sentences_per_date),
                                          keywords=topic.keywords, start=start, end=end,
                                          days_only=True)
                tasks.append(Task(topic.name.split("_")[0], gold, window, request))
    return tasks


def run(method, tasks: Sequence[Task]) -> tuple[list[TimelineScores], list[float]]:
    scores, seconds = [], []
    for task in tasks:
        started = time.perf_counter()
        predicted = method.build(task.articles, task.request)
        seconds.append(time.perf_counter() - started)
        scores.append(evaluate_timeline(dated_sentences(predicted), task.gold.entries))
    return scores, seconds


class _OracleStoryline(StorylineMethod):
    """Gold dates first; only for the date-oracle row."""

    gold: frozenset = frozenset()

    def _rank(self, support, request, published):  # type: ignore[no-untyped-def]
        ranked = super()._rank(support, request, published)
        first = [k for k in ranked if k[1] is Granularity.DAY and k[0] in self.gold]
        return first + [k for k in ranked if k not in set(first)]


def run_oracle(kind: str, tasks: Sequence[Task]) -> list[TimelineScores]:
    scores = []
    original = datewise_module._rank_by_mentions
    try:
        for task in tasks:
            gold = frozenset(task.gold.entries)
            if kind == "storyline":
                method = _OracleStoryline()
                object.__setattr__(method, "gold", gold)  # frozen dataclass
            else:
                def ranked(collection, gold=gold):  # type: ignore[no-untyped-def]
                    order = original(collection)
                    return [d for d in order if d in gold] + [d for d in order if d not in gold]
                datewise_module._rank_by_mentions = ranked
                method = Datewise()
            predicted = method.build(task.articles, task.request)
            scores.append(evaluate_timeline(dated_sentences(predicted), task.gold.entries))
    finally:
        datewise_module._rank_by_mentions = original
    return scores


def leave_one_topic_out(runs: dict[str, list[TimelineScores]], tasks: Sequence[Task]
                        ) -> tuple[list[TimelineScores], dict[str, str]]:
    """Per held-out topic, the setting best on the other topics, scored on it."""
    held_out: list[TimelineScores | None] = [None] * len(tasks)
    picked = {}
    for topic in sorted({t.topic for t in tasks}):
        train = [i for i, t in enumerate(tasks) if t.topic != topic]

        def fit(label: str, train: list[int] = train) -> float:
            return average_scores([runs[label][i] for i in train])["ar1_f"]

        best = max(runs, key=fit)
        picked[topic] = best
        for i, t in enumerate(tasks):
            if t.topic == topic:
                held_out[i] = runs[best][i]
    return [s for s in held_out if s is not None], picked


def row(label: str, scores: list[TimelineScores], seconds: list[float] | None = None) -> str:
    m = average_scores(scores)
    speed = f"{statistics.median(seconds):.2f} / {max(seconds):.2f}" if seconds else ""
    return (f"| {label} | {m['ar1_f']:.3f} | {m['ar2_f']:.3f} | {m['date_f1']:.3f}"
            f" | {speed} |")


def section(name: str, tasks: list[Task], log: Callable[[str], None],
            embed_python: str | None = None) -> list[str]:
    lines = [f"## {name} ({len(tasks)} timelines, {len({t.topic for t in tasks})} topics)", "",
             "| run | AR-1 F | AR-2 F | Date F1 | s/timeline median / max |",
             "| --- | ---: | ---: | ---: | ---: |"]
    scores, seconds = run(Datewise(), tasks)
    lines.append(row("DATEWISE (faithful, mention-count ranker)", scores, seconds))
    for label, method in ROWS:
        scores, seconds = run(method, tasks)
        lines.append(row(label, scores, seconds))
        log(lines[-1])
    choice_runs = {label: run(method, tasks)[0] for label, method in CHOICES}
    held_out, picked = leave_one_topic_out(choice_runs, tasks)
    default_f = average_scores(run(CURRENT, tasks)[0])["ar1_f"]
    chosen_f = average_scores(held_out)["ar1_f"]
    lines.append(row(f"leave-one-topic-out choice among {len(CHOICES)} settings", held_out))
    lines.append(row("date oracle: storyline (gold dates given)", run_oracle("storyline", tasks)))
    lines.append(row("date oracle: DATEWISE (gold dates given)", run_oracle("datewise", tasks)))
    for line in lines[-3:]:
        log(line)
    lines += ["", "Leave-one-topic-out: for each topic in turn, the setting with the best mean"
              " AR-1 F on the *other* topics' timelines is scored on the held-out topic's"
              " timelines; the row averages those held-out scores, so it estimates what"
              " choosing among these settings is worth on a topic never seen: AR-1 F"
              f" {chosen_f:.3f} against {default_f:.3f} for the defaults"
              + (" (choosing per topic does not beat them: they are not tuned to these topics)."
                 if chosen_f <= default_f + 0.002 else
                 " (the defaults leave something on the table here)."),
              "", "Settings picked per held-out topic: "
              + "; ".join(f"{topic}: `{label}`" for topic, label in picked.items()) + ".", ""]
    scores, seconds = run(CURRENT, tasks)
    lines += ["Per timeline, current defaults (AR-1 F / AR-2 F / Date F1, seconds):", ""]
    lines += [f"- {t.gold.name}: {s.ar1.f1:.3f} / {s.ar2.f1:.3f} / {s.dates.f1:.3f},"
              f" {sec:.2f} s, {len(t.articles)} articles"
              for t, s, sec in zip(tasks, scores, seconds, strict=True)]
    if name == "t17-raw":
        lines += ["", *gold_agreement_lines(tasks, scores), "",
                  *alternatives_lines(tasks, log, embed_python)]
    return lines + [""]


def gold_agreement_lines(tasks: Sequence[Task], scores: Sequence[TimelineScores]) -> list[str]:
    """How well one gold timeline of a topic scores as a prediction of another.

    T17 has several gold timelines (from different news outlets) for some
    topics; scoring each, cut to the other's span, against the other says how
    much editors themselves agree on dates and wording: the yardstick against
    which any method's numbers are read. The prediction then has its own
    number of dates, not l.
    """
    by_topic: dict[str, list[int]] = {}
    for i, task in enumerate(tasks):
        by_topic.setdefault(task.topic, []).append(i)
    shared = [ids for ids in by_topic.values() if len(ids) > 1]
    pairs = []
    for ids in shared:
        for i in ids:
            for j in ids:
                start, end = tasks[j].request.start, tasks[j].request.end
                predicted = {d: sents for d, sents in tasks[i].gold.entries.items()
                             if start <= d <= end}
                if i != j and predicted:
                    pairs.append(evaluate_timeline(predicted, tasks[j].gold.entries))
    if not pairs:
        return []
    ours = [scores[i] for ids in shared for i in ids]
    return ["### Gold timelines against each other", "",
            f"{len(shared)} topics have several gold timelines ({len(ours)} timelines);"
            f" each scored as the prediction of every other of its topic, within that"
            f" one's span ({len(pairs)} pairs), against `storyline` on the same timelines:",
            "", "| run | AR-1 F | AR-2 F | Date F1 | |", "| --- | ---: | ---: | ---: | ---: |",
            row("another outlet's gold timeline", pairs),
            row("storyline (current defaults)", ours)]


def alternatives_lines(tasks: list[Task], log: Callable[[str], None],
                       embed_python: str | None) -> list[str]:
    """The tables of what was tried and not kept (``alternatives.py``)."""
    lines = ["### Date rankings tried", "",
             "Share of the top-l dates of each ranking that are gold dates (before any"
             " sentence is chosen; l from the gold timeline), mean over timelines. Learned"
             " rankers are trained on the other topics' timelines only.", "",
             "| ranking | precision at l |", "| --- | ---: |"]
    for label, value in alternatives.date_ranking_rows(tasks):
        lines.append(f"| {label} | {value:.3f} |")
        log(lines[-1])
    lines += ["", "### Sentence scorers tried, gold dates given", "",
              "Each scorer ranks the candidates of every gold date; one greedy picker takes"
              " k sentences per date, skipping any closer than the method's redundancy limit"
              " to one already taken. The upper bound reads the gold summaries and shows the"
              " room left in sentence choice.", "",
              "| scorer | AR-1 F | AR-2 F | Date F1 | note |", "| --- | ---: | ---: | ---: | --- |"]
    for label, scores, note in alternatives.sentence_rows(tasks, embed_python):
        if scores is None:
            lines.append(f"| {label} | | | | {note} |")
        else:
            m = average_scores(scores)
            lines.append(f"| {label} | {m['ar1_f']:.3f} | {m['ar2_f']:.3f} |"
                         f" {m['date_f1']:.3f} | {note} |")
        log(lines[-1])
    return lines


def build(cache: Path, log: Callable[[str], None] = print,
          embed_python: str | None = None) -> list[str]:
    """The ablation section's Markdown lines, for docs/benchmarks.md."""
    lines = ["## Ablation of the `storyline` method (issue #4)", "",
             "Generated by `bench/ablation.py` (through `bench/run_benchmarks.py --only"
             " ablation`); metrics as `storyline eval` (tilse-exact align+ m:1 ROUGE, date F1),"
             " P and R averaged over timelines. Published on T17 (AR-1 F / AR-2 F / Date F1):"
             " DATEWISE .120/.035/.544, CLUST .082/.020/.407.", ""]
    for name in ("t17-raw", "t17-newstls"):
        if (DATA / name).is_dir():
            lines += section(name, load_tasks(DATA / name, cache), log, embed_python)
    return [line.replace("## t17", "### t17") for line in lines]


def main() -> None:
    from storyline.evaluate.runner import default_cache

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="eval annotation cache")
    parser.add_argument("--embed-python", default=None,
                        help="an interpreter with sentence-transformers, for the MiniLM rows")
    args = parser.parse_args()
    print("\n".join(build(args.cache or default_cache(), lambda line: None, args.embed_python)))


if __name__ == "__main__":
    main()
