"""Story detection on a mixed feed (issue #16): Timeline17's 9 topics in one store.

Usage: .venv/bin/python bench/stories.py [--store FILE] [--grid]

All 4,650 ``t17-raw`` articles go into one store (annotated with entities,
as ``storyline ingest`` does; the store is kept and reused, since that
ingest takes about ten minutes on two cores). Then:

- **one-shot**: every article placed in one update, then one repair;
- **incremental**: the same articles in 20 chronological batches, each
  placed and repaired as an ingest does, compared with the gold topics and
  with the one-shot stories (B-cubed, :mod:`storyline.evaluate.clusters`);
- **time**: the story updates' seconds beside the ingest's own (a sample of
  articles ingested into a fresh store without stories gives the ingest's
  rate), and one real update of the store (load, place, repair, save);
- **held out**: the same B-cubed measures on a second mixed feed,
  entities-dev's topics (when present; its store is kept too), on which
  nothing of story detection was chosen;
- ``--grid``: thresholds chosen leave-one-topic-out among the settings
  tried while developing: for each topic, the setting with the best B-cubed F1 on the other eight topics' articles is
  run on all nine and scored on the held-out topic's articles.

The gold stories are the 9 topics (the folder-name prefix); sub-stories
within a topic (the H1N1 vaccine rollout) count against the score here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from storyline.annotate.pipeline import Annotator
from storyline.evaluate.clusters import bcubed
from storyline.evaluate.datasets import load_dataset
from storyline.evaluate.runner import topic_articles
from storyline.model import Article
from storyline.pipeline import ingest_articles
from storyline.store import Store
from storyline.scale import work
from storyline.stories import storage, update_stories
from storyline.stories.features import article_terms
from storyline.stories.tracker import Item, StoryParams, StoryTracker

ROOT = Path(__file__).resolve().parent.parent
T17 = ROOT.parent / "shared" / "data" / "t17-raw"
DEFAULT_STORE = Path(tempfile.gettempdir()) / "storyline-bench-stories-t17.db"
#: A second mixed feed, never looked at while choosing anything of story detection.
HELD_OUT = ROOT.parent / "shared" / "data" / "entities-dev"
HELD_OUT_STORE = Path(tempfile.gettempdir()) / "storyline-bench-stories-entities-dev.db"
BATCHES = 20
#: The story work's share of the ingest is timed this many times (see :func:`story_share`).
TIMING_RUNS = 3
#: Articles ingested into a fresh store to time the ingest itself.
INGEST_SAMPLE = 150
#: A store of many stories: the feed this many times, each copy this many days after
#: the one before ends (three years: beyond any story's reach at the default half-life).
COPIES = 10
COPY_GAP_DAYS = 1100
#: ``subject_articles`` so high that no story has a subject (the rule off).
NO_SUBJECTS = 10**9
#: The StoryParams fields the settings set (reported with each run).
SETTING_KEYS = ("join", "merge", "half_life_days", "leave_fraction", "adopt_ratio",
                "subject_articles")
#: The settings tried while developing, in that order (the default is the
#: last), as values of SETTING_KEYS: the leave-one-topic-out rows say what
#: choosing among them without a topic gives.
SETTINGS = tuple(dict(zip(SETTING_KEYS, values, strict=True)) for values in (
    (0.2, 0.35, 30.0, 0.5, 0.0, NO_SUBJECTS),
    (0.1, 0.2, 90.0, 0.5, 0.0, NO_SUBJECTS),
    (0.15, 0.2, 90.0, 0.5, 0.0, NO_SUBJECTS),
    (0.1, 0.12, 180.0, 0.5, 0.0, NO_SUBJECTS),
    (0.1, 0.12, 180.0, 0.25, 0.0, NO_SUBJECTS),
    (0.1, 0.12, 180.0, 0.25, 0.25, NO_SUBJECTS),
    (0.1, 0.12, 180.0, 0.25, 0.1, NO_SUBJECTS),
    (0.1, 0.12, 180.0, 0.25, 0.1, 10),
    (0.1, 0.12, 180.0, 0.25, 0.1, 30),
    (0.1, 0.12, 180.0, 0.25, 0.1, 20),
))


class StoryWork:
    """Seconds an ingest spends on stories before placing any: making each
    article's terms (the per-article stage) and writing them (the writer).

    Timed by wrapping the two functions that do it, so an ingest "without
    stories" can be timed without them and the story work counted with
    the stories.
    """

    def __init__(self) -> None:
        self.made = self.written = 0.0

    def __enter__(self) -> StoryWork:
        self._originals = (work._story_terms, storage.save_terms)
        work._story_terms = self._timed(work._story_terms, "made")
        storage.save_terms = self._timed(storage.save_terms, "written")
        return self

    def _timed(self, function: Callable[..., Any], counter: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                setattr(self, counter, getattr(self, counter) + time.perf_counter() - started)
        return timed

    def __exit__(self, *exc: object) -> None:
        work._story_terms, storage.save_terms = self._originals

    @property
    def seconds(self) -> float:
        return self.made + self.written


def _shown(value: float) -> str:
    """A setting's value as the tables show it."""
    return "off" if value == NO_SUBJECTS else f"{value:g}"


def fill(store_path: Path, log: Callable[[str], None], dataset: Path = T17
         ) -> dict[str, float]:
    """Ingest what the store lacks of a dataset (without placing stories).

    Seconds without the story work, that work's seconds, articles added afresh, and
    articles annotated again (stored before by other code: their rows are replaced).
    """
    started = time.perf_counter()
    added = updated = 0
    with StoryWork() as story_work, Store(store_path) as store:
        for topic in load_dataset(dataset):
            report = ingest_articles(topic_articles(topic), store, stories=False)
            added += report.added
            updated += report.updated
            log(f"stories: {topic.name}: {report.added} added, {report.updated} updated")
    return {"seconds": time.perf_counter() - started - story_work.seconds,
            "story_work": story_work.seconds, "added": added, "updated": updated}


def load_items(store_path: Path) -> tuple[list[Item], float]:
    """The store's articles as story detection reads them, and the seconds their terms took."""
    with Store(store_path, create=False) as store:
        ids = [row[0] for row in store.conn.execute("SELECT id FROM articles ORDER BY rowid")]
        # Weighed as the ingest does (storyline.scale.work), timed.
        items, seconds = [], 0.0
        for article, entities in store.articles_with_entities(ids):
            started = time.perf_counter()
            terms = article_terms(article.title, article.text, entities)
            seconds += time.perf_counter() - started
            items.append(Item(article.id, article.published, terms))
        return items, seconds


def topic_of(article_id: str) -> str:
    return article_id.split("/", 1)[0]


def one_shot(items: Sequence[Item], params: StoryParams) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    tracker = StoryTracker(params)
    tracker.add(items)
    tracker.repair()
    return dict(tracker.story_of), time.perf_counter() - started


def chronological(items: Sequence[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.published is None, i.published or date.min,
                                        i.article_id))


def incremental(items: Sequence[Item], params: StoryParams, batches: int,
                order: Callable[[Sequence[Item]], list[Item]] | None = None
                ) -> tuple[dict[str, str], list[float]]:
    """The articles in ``batches`` batches (chronological unless ``order`` says
    otherwise), each placed and repaired as an ingest does."""
    ordered = (order or chronological)(items)
    size = -(-len(ordered) // batches)
    tracker = StoryTracker(params)
    seconds = []
    for first in range(0, len(ordered), size):
        started = time.perf_counter()
        changes = tracker.add(ordered[first:first + size])
        tracker.repair(changes.touched)
        seconds.append(time.perf_counter() - started)
    return dict(tracker.story_of), seconds


#: Other orders an archive may come in, beside the chronological one.
ORDERS: tuple[tuple[str, Callable[[Sequence[Item]], list[Item]]], ...] = (
    ("newest first (an archive filled backwards)", lambda items: chronological(items)[::-1]),
    ("folder by folder (one topic after another)",
     lambda items: sorted(items, key=lambda i: i.article_id)),
    ("shuffled (seed 7)", lambda items: random.Random(7).sample(list(items), len(items))),
)


def other_orders(items: Sequence[Item], params: StoryParams, once: dict[str, str],
                 log: Callable[[str], None]) -> list[dict[str, object]]:
    """The same articles in 20 batches in other orders: against the topics and the one-shot."""
    gold = {i.article_id: topic_of(i.article_id) for i in items}
    rows = []
    for name, order in ORDERS:
        got, _ = incremental(items, params, BATCHES, order)
        rows.append({"order": name, "f1": bcubed(got, gold).f1,
                     "vs_one_shot": bcubed(got, once).f1})
        log(f"stories: {name}: {rows[-1]}")
    return rows


def render_orders(rows: Sequence[dict], step: dict, label: str) -> list[str]:
    return [
        "Ingesting the same articles in other orders (20 batches each, in memory): "
        f"B-cubed F1 against the topics and against the one-shot stories. {label}", "",
        "| order | against the topics | against one-shot |", "|---|---|---|",
        f"| chronological | {step['f1']:.3f} | {step['vs_one_shot']['f1']:.3f} |",
        *(f"| {row['order']} | {row['f1']:.3f} | {row['vs_one_shot']:.3f} |" for row in rows),
    ]


def ingest_rate(log: Callable[[str], None]) -> float:
    """Seconds per article of `storyline ingest` without stories, on an every-k-th sample.

    Without the story work the ingest does too (its terms, made and written).
    """
    articles = [a for topic in load_dataset(T17) for a in topic_articles(topic)
                if isinstance(a, Article)]
    step = max(1, len(articles) // INGEST_SAMPLE)
    sample = articles[::step][:INGEST_SAMPLE]
    annotator = Annotator()
    with tempfile.TemporaryDirectory() as scratch, Store(Path(scratch) / "s.db") as store:
        ingest_articles(sample[:1], store, annotator=annotator, stories=False)  # models loaded
        with StoryWork() as story_work:
            started = time.perf_counter()
            ingest_articles(sample[1:], store, annotator=annotator, stories=False)
            seconds = time.perf_counter() - started - story_work.seconds
    sample = sample[1:]
    log(f"stories: ingest of {len(sample)} articles took {seconds:.1f} s "
        f"(and {story_work.seconds:.1f} s of story work)")
    return seconds / len(sample)


def many_stories(store_path: Path, log: Callable[[str], None],
                 copies: int = COPIES) -> dict[str, object]:
    """Updates into a store of many stories, as a long-running feed has.

    The feed's dated articles ``copies`` times, each copy starting three
    years after the one before ends: copies that far apart never join
    (decay 0.5 ** (1100 / 180) = 0.01, below every threshold), so the store
    holds about ``copies`` times the feed's stories. (Undated articles are
    left out of the copies: with no date, copies of them would be one
    story.) The copies' articles and story state are made in SQL (their
    sums as the original's: the frequencies scale with the copies, so the
    weights stay). Then a batch (the feed's last chronological batch), and
    then three articles one at a time, each a new copy of articles in the
    last copy's time, are stored and placed: what an ingest into such a
    store waits for.
    """
    from dataclasses import replace
    from datetime import timedelta

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "many.db"
        with Store(store_path, create=False) as source:
            source.conn.execute(f"VACUUM INTO '{copy}'")
        with Store(copy) as store:
            update_stories(store)
            conn = store.conn
            originals = [row[0] for row in conn.execute("SELECT id FROM stories")]
            first, last = (date.fromisoformat(d) for d in conn.execute(
                "SELECT min(published), max(published) FROM articles").fetchone())
            step = (last - first).days + COPY_GAP_DAYS
            with store.atomic():
                conn.execute("UPDATE stories SET summed = summed * ?", (copies,))
                conn.execute("CREATE TEMP TABLE story_map"
                             " (copy INTEGER, old INTEGER, new INTEGER)")
                for k in range(1, copies):
                    suffix, shift = f"~{k}", f"+{k * step} days"
                    conn.execute(
                        "INSERT INTO articles (id, url, source, title, published,"
                        " published_precision, published_from, text, origin, content_hash,"
                        " added_at) SELECT id || ?, url, source, title, date(published, ?),"
                        " published_precision, published_from, text, origin, content_hash,"
                        " added_at FROM articles WHERE instr(id, '~') = 0"
                        " AND published IS NOT NULL", (suffix, shift))
                    for old in originals:
                        new = conn.execute(
                            'INSERT INTO stories (title, start, "end", articles, checked,'
                            " created_at, updated_at, total, summed) SELECT title,"
                            ' date(start, ?), date("end", ?), articles, checked, created_at,'
                            " updated_at, total, summed FROM stories WHERE id = ?",
                            (shift, shift, old)).lastrowid
                        conn.execute("INSERT INTO story_map VALUES (?, ?, ?)", (k, old, new))
                    conn.execute(
                        "INSERT INTO story_members (article_id, story_id, added_at)"
                        " SELECT m.article_id || ?, s.new, m.added_at FROM story_members m"
                        " JOIN story_map s ON s.old = m.story_id AND s.copy = ?"
                        " WHERE m.article_id || ? IN (SELECT id FROM articles)",
                        (suffix, k, suffix))
                    conn.execute(
                        "INSERT INTO story_terms (article_id, ids, weights) SELECT"
                        " article_id || ?, ids, weights FROM story_terms"
                        " WHERE article_id || ? IN (SELECT id FROM articles)",
                        (suffix, suffix))
                    # Counted in as save_terms does (no trigger counts them).
                    conn.execute(
                        "UPDATE story_vocab SET df = df + c.n FROM (SELECT j.value AS id,"
                        " count(*) AS n FROM story_terms t, json_each(t.ids) j"
                        " WHERE t.article_id LIKE ? GROUP BY j.value) c"
                        " WHERE story_vocab.id = c.id",
                        (f"%{suffix}",))
                conn.execute("DELETE FROM stories WHERE id IN (SELECT new FROM story_map)"
                             " AND id NOT IN (SELECT story_id FROM story_members)")
            articles = store.count_articles()
            stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
            ordered = [i.article_id for i in chronological(load_items(copy)[0])
                       if "~" not in i.article_id]
            shift = timedelta(days=(copies - 1) * step)

            def place(article_ids: Sequence[str], suffix: str) -> float:
                for annotated in store.load_annotated(article_ids):
                    article = annotated.article
                    new_id = article.id + suffix
                    moved = replace(article, id=new_id, published=(
                        article.published + shift if article.published else None))
                    store.put(replace(
                        annotated, article=moved,
                        sentences=tuple(replace(x, article_id=new_id)
                                        for x in annotated.sentences),
                        entities=tuple(replace(x, article_id=new_id)
                                       for x in annotated.entities),
                        time_mentions=tuple(replace(x, article_id=new_id)
                                            for x in annotated.time_mentions)), suffix)
                started = time.perf_counter()
                update_stories(store)
                return time.perf_counter() - started

            batch = ordered[-(len(ordered) // BATCHES):]
            batch_s = place(batch, "~lateb")
            middle = len(ordered) // 2
            ones = [place([article_id], "~late") for article_id in ordered[middle:middle + 3]]
    log(f"stories: a store of {articles:,} articles and {stories:,} stories: one article "
        f"{', '.join(f'{s:.2f}' for s in ones)} s, {len(batch)} articles {batch_s:.1f} s")
    return {"articles": articles, "stories": stories, "one_article_s": ones,
            "batch_articles": len(batch), "batch_s": batch_s}


def feed_timelines(store_path: Path, log: Callable[[str], None]) -> list[dict[str, object]]:
    """Each gold timeline built from its topic's story in the mixed store, beside its own topic.

    The store's articles are placed in stories in one update (what a user
    who ingests the whole archive gets). For each of Timeline17's gold
    timelines, the story holding most of its topic's articles is found,
    and the timeline is built twice with the evaluation protocol
    (:func:`storyline.evaluate.runner.run_task`: the gold span, l and k,
    the topic's keywords): from that story's articles, and from the
    topic's own articles. The issue's goal: the story's AR-1 F at least
    95 % of the topic's.
    """
    from storyline.evaluate.runner import run_task

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "feed.db"
        with Store(store_path, create=False) as source:
            source.conn.execute(f"VACUUM INTO '{copy}'")
        with Store(copy) as store:
            for table in ("story_members", "story_terms", "stories", "story_aliases",
                          "story_departures"):
                store.conn.execute(f"DELETE FROM {table}")
            update_stories(store)
            story_of = dict(store.conn.execute("SELECT article_id, story_id FROM story_members"))
            articles = {a.article.id: a for a in store.load_annotated(entities=False)}
    for topic in load_dataset(T17):
        own = [a for article_id, a in articles.items() if topic_of(article_id) == topic.name]
        if not own:
            continue
        story = Counter(story_of[a.article.id] for a in own).most_common(1)[0][0]
        members = [a for article_id, a in articles.items() if story_of[article_id] == story]
        for gold in topic.gold_timelines:
            from_topic = run_task(own, gold, topic, "storyline").scores.ar1.f1
            from_story = run_task(members, gold, topic, "storyline").scores.ar1.f1
            rows.append({"timeline": gold.name, "topic_articles": len(own),
                         "story_articles": len(members),
                         "story_topic_articles": sum(1 for a in members
                                                     if topic_of(a.article.id) == topic.name),
                         "topic_ar1": from_topic, "story_ar1": from_story})
            log(f"stories: {gold.name}: AR-1 F {from_story:.4f} from its story, "
                f"{from_topic:.4f} from its topic")
    return rows


def real_updates(store_path: Path, items: Sequence[Item], log: Callable[[str], None]
                 ) -> dict[str, object]:
    """``update_stories`` on a copy of the store, as ingests call it.

    The articles in 20 chronological batches, each as an ingest of it
    does: its terms written (timed apart: ``written``), then one update
    (load the stories, place, repair, save; the last of them is the last
    batch into a store holding the rest); then all of them at once.
    """
    ordered = [i.article_id for i in chronological(items)]
    terms = {i.article_id: i.terms for i in items}
    size = -(-len(ordered) // BATCHES)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.db"
        with Store(store_path, create=False) as source:
            source.conn.execute(f"VACUUM INTO '{copy}'")
        with Store(copy) as store:
            def forget() -> None:
                for table in ("story_members", "story_terms", "stories", "story_aliases",
                              "story_departures"):
                    store.conn.execute(f"DELETE FROM {table}")

            def write(article_ids: Sequence[str]) -> float:
                started = time.perf_counter()
                with store.atomic():
                    storage.save_terms(store, ((a, terms[a]) for a in article_ids))
                return time.perf_counter() - started

            forget()
            batches, written = [], 0.0
            for first in range(0, len(ordered), size):
                batch = ordered[first:first + size]
                written += write(batch)
                started = time.perf_counter()
                update_stories(store, only=batch)
                batches.append(time.perf_counter() - started)
            stored = {a: s for a, s in store.conn.execute(
                "SELECT article_id, story_id FROM story_members")}
            forget()
            write(ordered)
            started = time.perf_counter()
            update_stories(store)
            all_at_once = time.perf_counter() - started
    last_batch, last = batches[-1], ordered[size * (len(batches) - 1):]
    log(f"stories: update_stories in {BATCHES} batches {sum(batches):.1f} s (terms written "
        f"{written:.1f} s), all {all_at_once:.1f} s, last batch {last_batch:.1f} s")
    gold = {i.article_id: topic_of(i.article_id) for i in items}
    return {"batches": batches, "written": written, "all_at_once": all_at_once,
            "last_batch": last_batch,
            "last_batch_size": len(last), "batched": bcubed(stored, gold).to_dict()}


def leave_one_topic_out(items: Sequence[Item], log: Callable[[str], None]
                        ) -> list[dict[str, object]]:
    """Per held-out topic: the setting chosen on the other eight, and its score on that topic."""
    settings = list(SETTINGS)
    topics = sorted({topic_of(i.article_id) for i in items})
    gold = {i.article_id: topic_of(i.article_id) for i in items}
    train_f1: dict[tuple[str, int], float] = {}
    full: dict[int, dict[str, str]] = {}
    for index, setting in enumerate(settings):
        params = StoryParams(**setting)  # type: ignore[arg-type]
        full[index], _ = one_shot(items, params)
        for topic in topics:
            rest = [i for i in items if topic_of(i.article_id) != topic]
            predicted, _ = one_shot(rest, params)
            train_f1[(topic, index)] = bcubed(predicted, gold).f1
        log(f"stories: grid {index + 1}/{len(settings)} {setting}")
    rows = []
    for topic in topics:
        chosen = max(range(len(settings)), key=lambda s: (train_f1[(topic, s)], -s))
        held = [a for a, t in gold.items() if t == topic]
        rows.append({"topic": topic, "setting": settings[chosen],
                     "train_f1": train_f1[(topic, chosen)],
                     "held_out": bcubed(full[chosen], gold, over=held).to_dict()})
    return rows


def pooled_held_out(rows: Sequence[dict]) -> dict[str, float]:
    """Item-weighted precision, recall and F1 over the held-out topics."""
    items = sum(r["held_out"]["items"] for r in rows)
    p = sum(r["held_out"]["precision"] * r["held_out"]["items"] for r in rows) / items
    r_ = sum(r["held_out"]["recall"] * r["held_out"]["items"] for r in rows) / items
    return {"precision": p, "recall": r_, "f1": 2 * p * r_ / (p + r_) if p + r_ else 0.0}


def held_out_feed(store_path: Path, log: Callable[[str], None],
                  dataset: Path = HELD_OUT) -> dict[str, object]:
    """Story detection on a feed nothing of it was chosen on: entities-dev's topics as one feed.

    Each topic (the coverage of one person or company over years) is a
    gold story. Topics that share events (US campaigns; Palin and Michelle
    Obama in 2008, Rubio and Cruz in 2016) count against a detector that
    joins that coverage, as a reader might.
    """
    fill(store_path, log, dataset)
    items, _ = load_items(store_path)
    gold = {i.article_id: topic_of(i.article_id) for i in items}
    params = StoryParams()
    once, once_s = one_shot(items, params)
    step, step_s = incremental(items, params, BATCHES)
    log(f"stories: held-out {dataset.name}: one-shot {bcubed(once, gold).to_dict()}, "
        f"incremental {bcubed(step, gold).to_dict()}")
    sizes = Counter(once.values())
    return {
        "dataset": dataset.name, "articles": len(items), "topics": len(set(gold.values())),
        "one_shot": {**bcubed(once, gold).to_dict(), "stories": len(sizes), "seconds": once_s},
        "incremental": {**bcubed(step, gold).to_dict(), "stories": len(set(step.values())),
                        "seconds": sum(step_s), "vs_one_shot": bcubed(step, once).to_dict()},
        "orders": other_orders(items, params, once, log),
        "largest": [{"articles": count, "topics": dict(Counter(
            gold[a] for a, s in once.items() if s == story).most_common(5))}
            for story, count in sizes.most_common(8)],
    }


def story_share(store_path: Path, items: Sequence[Item], filled: dict,
                log: Callable[[str], None]) -> dict[str, object]:
    """The ingest's rate and the story work of 20 ingests, timed ``TIMING_RUNS`` times
    in turn; the run whose share of the ingest is the median is the one reported.

    Single runs on this shared machine moved the share by two points (10.2 %
    and 12.1 % at nearly the same code); runs in turn see the same machine.
    The ingest's own rate comes from filling the store when that ingested
    most of it (the same articles, all in one run; then it is not timed
    again), else from a sample.
    """
    # Only a fill that added the articles afresh times an ingest: one that
    # annotated stored articles again (new code) also deleted their old rows.
    from_fill = filled["added"] >= len(items) // 2
    runs = []
    for _ in range(TIMING_RUNS):
        rate = filled["seconds"] / filled["added"] if from_fill else ingest_rate(log)
        _, made = load_items(store_path)
        real = real_updates(store_path, items, log)
        work = made + real["written"] + sum(real["batches"])
        runs.append({"ingest_seconds_per_article": rate, "terms_made": made,
                     "real_updates": real, "share": work / (rate * len(items))})
    median = sorted(runs, key=lambda run: run["share"])[len(runs) // 2]
    return {**median, "ingest_rate_from": "fill" if from_fill else "sample",
            "shares": [run["share"] for run in runs]}


def measure(store_path: Path, log: Callable[[str], None] = print, grid: bool = False
            ) -> dict[str, object]:
    filled = fill(store_path, log)
    items, _ = load_items(store_path)
    gold = {i.article_id: topic_of(i.article_id) for i in items}
    params = StoryParams()
    once, once_s = one_shot(items, params)
    log(f"stories: one-shot {once_s:.1f} s, {bcubed(once, gold).to_dict()}")
    step, step_s = incremental(items, params, BATCHES)
    log(f"stories: incremental {sum(step_s):.1f} s, {bcubed(step, gold).to_dict()}")
    sizes = Counter(once.values())
    largest = []
    for story, count in sizes.most_common(12):
        topics = Counter(gold[a] for a, s in once.items() if s == story)
        largest.append({"articles": count, "topics": dict(topics.most_common(3))})
    results: dict[str, object] = {
        "articles": len(items),
        "params": {k: getattr(params, k)
                   for k in SETTING_KEYS},
        "one_shot": {**bcubed(once, gold).to_dict(), "stories": len(sizes),
                     "seconds": once_s},
        "incremental": {**bcubed(step, gold).to_dict(), "stories": len(set(step.values())),
                        "seconds": sum(step_s), "batches": BATCHES,
                        "vs_one_shot": bcubed(step, once).to_dict()},
        "largest": largest,
        "orders": other_orders(items, params, once, log),
        "singletons": sum(1 for c in sizes.values() if c == 1),
        **story_share(store_path, items, filled, log),
        "many_stories": many_stories(store_path, log),
        "feed_timelines": feed_timelines(store_path, log),
        "fill": filled,
    }
    if grid:
        rows = leave_one_topic_out(items, log)
        results["loto"] = {"rows": rows, "pooled": pooled_held_out(rows)}
    if HELD_OUT.is_dir():
        results["held_out_feed"] = held_out_feed(HELD_OUT_STORE, log)
    return results


def render(results: dict) -> list[str]:
    once, step = results["one_shot"], results["incremental"]
    per_article_ingest = results["ingest_seconds_per_article"]
    ingest_total = per_article_ingest * results["articles"]
    real = results["real_updates"]
    through_store = sum(real["batches"])
    made = results["terms_made"]
    story_work = made + real["written"] + through_store
    settings = ", ".join(f"{k} {_shown(v)}" for k, v in results["params"].items())
    lines = [
        "## Stories (issue #16): Timeline17's 9 topics as one feed", "",
        f"_{results['date']}, {results['machine']}. `bench/stories.py` (via "
        f"`bench/run_benchmarks.py --only stories`); timings are noisy: the machine's two "
        f"cores were shared._", "",
        f"All {results['articles']:,} `t17-raw` articles in one store, annotated as "
        f"`storyline ingest` does (entities included), ingested once; the story measurements "
        f"re-run story assignment over the stored articles. The 9 topics are the gold "
        f"stories. Default thresholds ({settings}) were picked among {len(SETTINGS)} settings "
        f"tried on this data while developing: **in-sample** (the leave-one-topic-out rows, when "
        f"present, give the held-out figure of that choice).", "",
        "| run | B-cubed P | R | F1 | stories | seconds |",
        "|---|---|---|---|---|---|",
        f"| one-shot (one update, in memory) | {once['precision']:.3f} | {once['recall']:.3f} | "
        f"**{once['f1']:.3f}** | {once['stories']} | {once['seconds']:.1f} |",
        f"| incremental, {step['batches']} chronological batches, in memory | "
        f"{step['precision']:.3f} | {step['recall']:.3f} | **{step['f1']:.3f}** | "
        f"{step['stories']} | {step['seconds']:.1f} |",
        f"| incremental, {step['batches']} batches through the store (`update_stories`) | "
        f"{real['batched']['precision']:.3f} | {real['batched']['recall']:.3f} | "
        f"**{real['batched']['f1']:.3f}** | | {through_store:.1f} |", "",
        f"- Goals: B-cubed F1 against the topics ≥ .90; incremental against one-shot ≥ .95 "
        f"(measured: **{step['vs_one_shot']['f1']:.3f}**, in memory).",
        f"- Time: ingesting these articles takes about {ingest_total:,.0f} s "
        f"({per_article_ingest * 1000:.0f} ms an article, "
        + ("timed on the ingest that filled this store, without stories"
           if results.get("ingest_rate_from") == "fill"
           else f"timed on a sample of {INGEST_SAMPLE - 1} articles, every k-th, into a "
                f"fresh store, models loaded first")
        + f", less the story work that ingest also did). The story work of 20 ingests "
        f"(each article's story terms made, {made:.1f} s for all, by the per-article stage, "
        f"so beside the writer under `--workers` or a cluster; written with the articles, "
        f"{real['written']:.1f} s; and 20 updates) adds "
        f"{(made + real['written'] + step['seconds']) / ingest_total:.1%} with the updates "
        f"in memory and **{story_work / ingest_total:.1%}** with them through the store, "
        f"where each update also reads the stories' sums and the articles it looks at, and "
        f"saves what changed (goal ≤ 10 %)"
        + (f"; the median of {len(results['shares'])} runs in turn, which gave "
           + ", ".join(f"{share:.1%}" for share in sorted(results["shares"]))
           if "shares" in results else "")
        + ". All "
        f"{results['articles']:,} articles in one update through the store: "
        f"{real['all_at_once']:.1f} s; the last {real['last_batch_size']} articles into a "
        f"store holding the rest: {real['last_batch']:.1f} s.",
        *([] if "many_stories" not in results else [
            f"- A store of many stories (the feed's dated articles {COPIES} times, each copy "
            f"starting three years after the one before ends: "
            f"{results['many_stories']['articles']:,} "
            f"articles, {results['many_stories']['stories']:,} stories): "
            f"{results['many_stories']['batch_articles']} articles stored and placed in "
            f"{results['many_stories']['batch_s']:.1f} s, then one article at a time in "
            + ", ".join(f"{s:.2f}" for s in results['many_stories']['one_article_s'])
            + " s. An update reads every story's membership and span, and the sums of only "
            "the stories within reach of its articles in time (the copies three years "
            "before are not): that part grows with the stories, the rest with what the "
            "update changes."]),
        f"- {results['singletons']} stories of one article (one-shot): mostly articles that "
        f"are about something else (T17's raw folders hold some off-topic pages).", "",
        *([*render_orders(results["orders"], step, (
            "**In-sample**: the newest-first order split Libya's war here until the rule "
            "that reads a subject's other spellings (`_spelled_alike`) was written for it.")),
           ""] if "orders" in results else []),
        "Largest one-shot stories and the topics of their articles:", "",
        "| articles | topics |", "|---|---|",
    ]
    for story in results["largest"]:
        topics = ", ".join(f"{t} {n}" for t, n in story["topics"].items())
        lines.append(f"| {story['articles']} | {topics} |")
    if results.get("feed_timelines"):
        rows = results["feed_timelines"]
        held = sum(1 for r in rows if r["story_ar1"] >= 0.95 * r["topic_ar1"])
        story_mean = sum(r["story_ar1"] for r in rows) / len(rows)
        topic_mean = sum(r["topic_ar1"] for r in rows) / len(rows)
        lines += ["", "**Timelines from the feed**: each gold timeline built (evaluation "
                  "protocol: gold span, l, k, the topic's keywords) from the story holding "
                  "most of its topic's articles, after all articles were placed in one "
                  "update, beside the same built from the topic's own articles. Goal: the "
                  f"story's AR-1 F ≥ 95 % of the topic's, for every timeline: **{held} of "
                  f"{len(rows)}** (mean AR-1 F {story_mean:.4f} from stories, "
                  f"{topic_mean:.4f} from topics). **In-sample**: the story thresholds were "
                  "chosen on this data.", "",
                  "| timeline | topic's articles | story's articles (of the topic) | "
                  "AR-1 F from the topic | from the story | ratio |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in rows:
            ratio = r["story_ar1"] / r["topic_ar1"] if r["topic_ar1"] else float("nan")
            lines.append(f"| {r['timeline']} | {r['topic_articles']} | {r['story_articles']} "
                         f"({r['story_topic_articles']}) | {r['topic_ar1']:.4f} | "
                         f"{r['story_ar1']:.4f} | {ratio:.2f} |")
    if "loto" in results:
        pooled = results["loto"]["pooled"]
        tried = "; ".join(", ".join(f"{k} {_shown(v)}" for k, v in setting.items())
                          for setting in SETTINGS)
        lines += ["", "Thresholds chosen **leave-one-topic-out** among the settings tried "
                  f"while developing ({tried}): each topic held out in turn, the setting "
                  "best on the other eight is run on all nine and scored on the held-out "
                  "topic's articles. "
                  f"**Held-out** pooled B-cubed P {pooled['precision']:.3f}, R "
                  f"{pooled['recall']:.3f}, F1 **{pooled['f1']:.3f}**.", "",
                  "| held-out topic | chosen | F1 on the other eight | held-out F1 |",
                  "|---|---|---|---|"]
        for row in results["loto"]["rows"]:
            setting = ", ".join(f"{k} {_shown(v)}" for k, v in row["setting"].items())
            lines.append(f"| {row['topic']} | {setting} | {row['train_f1']:.3f} | "
                         f"{row['held_out']['f1']:.3f} |")
    if "held_out_feed" in results:
        lines += ["", *render_held_out(results["held_out_feed"])]
    return lines


def render_held_out(feed: dict) -> list[str]:
    once, step = feed["one_shot"], feed["incremental"]
    lines = [
        f"**A feed no similarity threshold was chosen on** (`{feed['dataset']}`: {feed['articles']:,} "
        f"articles of {feed['topics']} topics, each the coverage of one person or company "
        "over years, as one feed; each topic is a gold story, so coverage that two topics "
        "share, such as a campaign, counts against a detector that joins it). **Held-out** "
        "for the similarity thresholds and the half-life, all chosen on Timeline17. "
        "**In-sample** for two rules whose design was looked at on this feed too: the one "
        "that takes smaller stories and lone articles into the story they run within "
        "(`adopt_ratio`; a bigger `merge` was tried on it and not taken), and the one that "
        "keeps apart stories about different subjects (`subject_articles`: 10, 20 and 30 "
        "were compared on this feed and on Timeline17, and the rule was written after "
        "seeing Palin's, Michelle Obama's and Cruz's coverage become one story here). Read "
        "their gains here as in-sample.", "",
        "| run | B-cubed P | R | F1 | stories |", "|---|---|---|---|---|",
        f"| one-shot | {once['precision']:.3f} | {once['recall']:.3f} | **{once['f1']:.3f}** "
        f"| {once['stories']} |",
        f"| incremental, {BATCHES} chronological batches | {step['precision']:.3f} | "
        f"{step['recall']:.3f} | **{step['f1']:.3f}** | {step['stories']} |", "",
        f"Incremental against one-shot: B-cubed F1 **{step['vs_one_shot']['f1']:.3f}**.", "",
        *([*render_orders(feed["orders"], step, (
            "In-sample for the subject rule, as above; nothing was chosen on these orders "
            "here.")), ""] if "orders" in feed else []),
        "Largest one-shot stories:", "",
        "| articles | topics |", "|---|---|",
    ]
    for story in feed["largest"]:
        topics = ", ".join(f"{t} {n}" for t, n in story["topics"].items())
        lines.append(f"| {story['articles']} | {topics} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--grid", action="store_true")
    args = parser.parse_args()
    if not T17.is_dir():
        sys.exit(f"{T17}: not present")
    results = measure(args.store, print, args.grid)
    print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
