"""Check storyline's timeline metrics against tilse 0.2.1 with Perl ROUGE-1.5.5.

Scores the gold timelines of a Timeline17-layout dataset against each other
and against altered copies of themselves (truncated, shifted by days,
reduced to months, with words dropped, with sentences from another topic,
with awkward characters), once with ``storyline.evaluate`` and once with
tilse (``rouge_computation="original"``, the published metric) running in
its own Python, then prints the largest absolute difference per metric and
both tools' times. Exits 1 when a difference exceeds ``--tolerance``.

tilse is heavy (~800 MB) and is kept out of the project's environment::

    python3.11 -m venv /tmp/tilse-venv && /tmp/tilse-venv/bin/pip install tilse==0.2.1
    apt-get install -y libxml-parser-perl      # for its Perl ROUGE

Example::

    .venv/bin/python bench/check_metrics_vs_tilse.py --tilse-python /tmp/tilse-venv/bin/python
    .venv/bin/python bench/check_metrics_vs_tilse.py --quick   # timelines of <= 20 dates only

The full run (186 cases) takes about 20 minutes on 2 cores, nearly all of
it tilse's Perl; ``--quick`` (88 cases) about 3.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without an install
    sys.path.insert(0, str(ROOT / "src"))

from storyline.evaluate.datasets import GoldTimeline, load_timeline17  # noqa: E402
from storyline.evaluate.metrics import PRF, TimelineScores, average_scores, evaluate_timeline  # noqa: E402

Dated = dict[date, list[str]]

# Runs inside tilse's Python: reads cases, writes tilse's scores. Only tilse's own API is used,
# as news-tls's experiments/evaluate.py calls it (one GroundTruth per gold timeline).
TILSE_RUNNER = r"""
import datetime, json, multiprocessing, sys, time
from tilse.data.timelines import GroundTruth, Timeline
from tilse.evaluation import dates as tilse_dates
from tilse.evaluation import rouge

def parse(timeline):
    return Timeline({datetime.date.fromisoformat(d): s for d, s in timeline.items()})

def score(case):
    evaluator = rouge.TimelineRougeEvaluator(measures={"rouge_1", "rouge_2"}, rouge_computation="original")
    pred, gold = parse(case["pred"]), GroundTruth([parse(case["gold"])])
    out = {"name": case["name"]}
    start = time.perf_counter()
    for key, run in (
        ("concat", evaluator.evaluate_concat),
        ("agreement", evaluator.evaluate_agreement),
        ("align_m1", evaluator.evaluate_align_date_content_costs_many_to_one),
        ("dates", lambda p, g: {"dates": tilse_dates.evaluate_dates(p, g)}),
    ):
        try:
            out[key] = run(pred, gold)
        except Exception as error:  # tilse raises on empty predictions; report, don't stop
            out[key] = {"error": f"{type(error).__name__}: {error}"}
    out["seconds"] = time.perf_counter() - start
    return out

if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    with multiprocessing.Pool(int(sys.argv[3])) as pool:
        results = pool.map(score, cases, chunksize=1)
    json.dump(results, open(sys.argv[2], "w"))
"""

# (storyline field, tilse metric, tilse measure)
FIELDS = (
    ("ar1", "align_m1", "rouge_1"),
    ("ar2", "align_m1", "rouge_2"),
    ("concat_r1", "concat", "rouge_1"),
    ("concat_r2", "concat", "rouge_2"),
    ("agree_r1", "agreement", "rouge_1"),
    ("agree_r2", "agreement", "rouge_2"),
    ("dates", "dates", "dates"),
)
PARTS = (("precision", "precision"), ("recall", "recall"), ("f1", "f_score"))


# --- the cases ---------------------------------------------------------------------------


def merged(pairs: list[tuple[date, list[str]]]) -> Dated:
    """A timeline from (date, sentences) pairs; a repeated date gets both lists, in order."""
    timeline: Dated = {}
    for day, sentences in pairs:
        timeline.setdefault(day, []).extend(sentences)
    return timeline


def shifted(timeline: Dated, shift: Callable[[date], int]) -> Dated:
    return merged([(d + timedelta(days=shift(d)), s) for d, s in sorted(timeline.items())])


def noisy(timeline: Dated, rng: random.Random) -> Dated:
    """Drop ~30% of each sentence's words; move one in four sentences to another date."""
    dates = sorted(timeline)
    pairs = []
    for day in dates:
        for sentence in timeline[day]:
            words = [w for w in sentence.split() if rng.random() > 0.3] or sentence.split()[:1]
            target = rng.choice(dates) if rng.random() < 0.25 else day
            pairs.append((target, [" ".join(words)]))
    return merged(pairs)


AWKWARD = [
    "BP 's CEO Tony Hayward -- ``I 'd like my life back'' -- resigned ; shares rose 5 % in the U.S. & U.K. markets .",
    "Prices <b>rose</b> after the x^2 formula , said Jean-Claude Trichet of the E.C.B. at 10:30 a.m.",
    "Café owners in Port-au-Prince , Haïti , say the naïve rescue-team efforts are well-known and state-of-the-art .",
    "<This sentence starts with a bracket and ROUGE's SEE reader drops it entirely .",
    "the of and to a in is it that",
    "Children went running ; the media 's data were analysed by 1,000 agencies -LRB- UN -RRB- .",
    "ÉTATS-UNIS : l'économie américaine ... ¬ # 5.2 bn $ 8bn 206m gallons",
]


def awkward(timeline: Dated, rng: random.Random) -> Dated:
    """Every third date gets one awkward sentence; one date is empty."""
    dates = sorted(timeline)
    result = {d: list(s) for d, s in timeline.items()}
    for i, day in enumerate(dates):
        if i % 3 == 0:
            result[day] = result[day][:1] + [rng.choice(AWKWARD)]
    result[dates[-1]] = []
    return result


def build_cases(timelines: list[GoldTimeline], seed: int) -> list[tuple[str, str, Dated, Dated]]:
    """(group, name, predicted, gold) for every check."""
    rng = random.Random(seed)
    cases = []
    by_topic: dict[str, list[GoldTimeline]] = {}
    for tl in timelines:
        by_topic.setdefault(tl.topic, []).append(tl)
    topics = sorted(by_topic)
    for tl in timelines:
        gold = tl.entries
        dates = sorted(gold)
        others = by_topic[tl.topic]
        foreign = by_topic[topics[(topics.index(tl.topic) + 1) % len(topics)]][0].entries
        foreign_sentences = [s for d in sorted(foreign) for s in foreign[d]]
        variants = {
            "self": gold,
            "truncated": {d: gold[d][:1] for d in dates[: max(1, len(dates) // 2)]},
            "shift+1": shifted(gold, lambda d: 1),
            "shift-rand": shifted(gold, lambda d: rng.randint(-3, 3)),
            "month": merged([(d.replace(day=1), s) for d, s in sorted(gold.items())]),
            "noisy": noisy(gold, rng),
            "foreign": {d: foreign_sentences[i % len(foreign_sentences) : i % len(foreign_sentences) + 2]
                        for i, d in enumerate(dates)},
            "awkward": awkward(gold, rng),
            "one-far-date": {dates[0] - timedelta(days=400): gold[dates[0]]},
        }
        if len(others) > 1:
            variants["other-gold"] = others[(others.index(tl) + 1) % len(others)].entries
        for group, pred in variants.items():
            cases.append((group, f"{group}:{tl.name}", pred, gold))
    cases.append(("empty", "empty:" + timelines[0].name, {}, timelines[0].entries))
    return cases


# --- running both ------------------------------------------------------------------------


def run_tilse(python: str, cases: list[tuple[str, str, Dated, Dated]], workers: int) -> dict[str, dict]:
    payload = [
        {
            "name": name,
            "pred": {d.isoformat(): s for d, s in pred.items()},
            "gold": {d.isoformat(): s for d, s in gold.items()},
        }
        for _, name, pred, gold in cases
    ]
    with tempfile.TemporaryDirectory() as tmp:
        cases_path, out_path = Path(tmp, "cases.json"), Path(tmp, "tilse.json")
        cases_path.write_text(json.dumps(payload))
        subprocess.run(
            [python, "-c", TILSE_RUNNER, str(cases_path), str(out_path), str(workers)],
            check=True,
            cwd=tmp,
        )
        return {r["name"]: r for r in json.loads(out_path.read_text())}


def tilse_prf(result: dict, metric: str, measure: str) -> PRF | None:
    scores = result[metric]
    if "error" in scores:
        return None
    values = scores[measure]
    return PRF(values["precision"], values["recall"], values["f_score"])


def tilse_scores(result: dict) -> TimelineScores | None:
    parts = [tilse_prf(result, metric, measure) for _, metric, measure in FIELDS]
    return None if any(p is None for p in parts) else TimelineScores(*parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tilse-python", default="/tmp/tilse-venv/bin/python",
                        help="a Python with tilse==0.2.1 installed (default: %(default)s)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "t17-raw",
                        help="a Timeline17-layout dataset (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="tilse processes (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="only gold timelines of at most 20 dates")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    timelines = [tl for topic in load_timeline17(args.data) for tl in topic.gold_timelines]
    if args.quick:
        timelines = [tl for tl in timelines if tl.num_dates <= 20]
    cases = build_cases(timelines, args.seed)
    print(f"{len(timelines)} gold timelines from {args.data}, {len(cases)} cases")

    ours: dict[str, TimelineScores] = {}
    ours_seconds: dict[str, float] = {}
    for _, name, pred, gold in cases:
        start = time.perf_counter()
        ours[name] = evaluate_timeline(pred, gold)
        ours_seconds[name] = time.perf_counter() - start

    start = time.perf_counter()
    theirs = run_tilse(args.tilse_python, cases, args.workers)
    tilse_wall = time.perf_counter() - start

    worst: dict[str, tuple[float, str]] = {}
    tilse_failures = []
    for group, name, _, _ in cases:
        result = theirs[name]
        for field, metric, measure in FIELDS:
            reference = tilse_prf(result, metric, measure)
            if reference is None:
                failure = f"{name} {metric}: {result[metric]['error']}"
                if failure not in tilse_failures:
                    tilse_failures.append(failure)
                continue
            for part, _ in PARTS:
                key = f"{field}.{part}"
                diff = abs(getattr(getattr(ours[name], field), part) - getattr(reference, part))
                if diff >= worst.get(key, (-1.0, ""))[0]:
                    worst[key] = (diff, name)

    print(f"\nlargest |storyline - tilse| over {len(cases)} cases, per metric")
    for key, (diff, name) in worst.items():
        print(f"  {key:<20} {diff:.2e}   ({name if diff else 'identical in every case'})")

    groups = sorted({g for g, *_ in cases})
    print("\naveraged as news-tls does (P and R averaged, F from the averages), per group")
    averages_worst = 0.0
    for group in groups:
        names = [n for g, n, *_ in cases if g == group]
        reference = [tilse_scores(theirs[n]) for n in names]
        if any(r is None for r in reference):
            continue
        ours_avg = average_scores([ours[n] for n in names])
        their_avg = average_scores(reference)
        diff = max(abs(ours_avg[k] - their_avg[k]) for k in ours_avg)
        averages_worst = max(averages_worst, diff)
        print(f"  {group:<13} n={len(names):<3} ar1_f {ours_avg['ar1_f']:.4f}  ar2_f {ours_avg['ar2_f']:.4f}"
              f"  date_f1 {ours_avg['date_f1']:.4f}   max diff {diff:.2e}")

    if tilse_failures:
        print("\ntilse raised on these (storyline scores them 0):")
        for line in tilse_failures:
            print("  " + line)

    print("\nseconds per group (tilse: its own per-case times, one process each)")
    for group in groups:
        names = [n for g, n, *_ in cases if g == group]
        print(f"  {group:<13} n={len(names):<3} storyline {sum(ours_seconds[n] for n in names):8.3f}"
              f"   tilse {sum(theirs[n]['seconds'] for n in names):8.1f}")
    print(f"  all cases: storyline {sum(ours_seconds.values()):.2f} s, tilse {tilse_wall:.0f} s wall "
          f"with {args.workers} processes")

    largest = max([d for d, _ in worst.values()] + [averages_worst])
    verdict = "OK" if largest <= args.tolerance else "FAIL"
    print(f"\n{verdict}: largest difference {largest:.2e} (tolerance {args.tolerance:g})")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
