"""Full ingest of Timeline17 before and after issue #15, side by side in one run.

Each configuration is a fresh `storyline ingest` in its own process tree,
timed from start to exit (model loading and cluster start included: what a
user waits for), with the peak memory of the whole tree (the sum of the
resident sizes of the ingest and every process it started, sampled every
0.1 s) and of its largest process. "Before" is the code of ``--before`` (a
git revision, checked out into a temporary worktree and run with this
environment's packages); "after" is this checkout, in one process and with
``--workers`` local Dask workers.

Then the entity agreement: on an evenly spread sample of articles, what the
recognizer-where-it-matters finds beside a full spaCy pass over every word
(today's and the old behaviour), on the sentences that can enter a timeline
and on all of them.

Usage: .venv/bin/python bench/ingest_speed.py [--files N] [--before REV] [--workers 2]
                                              [--reuse-before JSON] [--previous REV]
                                              [--compare REV [--compare-files 800] [--rounds 3]]
                                              [--agreement 150] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
T17 = ROOT.parent / "shared" / "data" / "t17-raw"
#: The last commit before issue #15's work.
BEFORE = "01ae987"


def sample_files(count: int | None) -> list[str]:
    from storyline.ingest import Skipped, find_files

    if count is None:
        return [str(T17)]
    files = [str(f.path) for f in find_files([T17]) if not isinstance(f, Skipped)]
    if count >= len(files):  # a step below 1 would pick files twice and miss others
        return files
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.root = psutil.Process(pid)
        self.every = every
        self.peak_total = 0
        self.peak_single = 0
        #: CPU seconds of each process of the tree, as last sampled.
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for process in processes:
                try:
                    rss = process.memory_info().rss
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                self.cpu[process.pid] = times.user + times.system
                total += rss
                self.peak_single = max(self.peak_single, rss)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_ingest(inputs: list[str], *, src: Path, workers: int | None, scratch: Path,
               name: str) -> dict[str, object]:
    db = scratch / f"{name}.db"
    command = [sys.executable, "-m", "storyline", "ingest", *inputs, "--db", str(db),
               "--format", "json", "-q"]
    if workers:
        command += ["--workers", str(workers)]
    env = dict(os.environ, PYTHONPATH=str(src))
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    memory = TreeMemory(process.pid)
    out, _ = process.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"{name}: storyline ingest failed with exit code {process.returncode}")
    report = json.loads(out)
    stored = report["added"] + report["updated"]
    result = {"name": name, "workers": workers, "articles": stored, "seconds": seconds,
              "articles_per_s": stored / seconds, "peak_tree_mib": memory.peak_total / 2**20,
              "peak_process_mib": memory.peak_single / 2**20,
              "cpu_s": sum(memory.cpu.values()),
              "skipped": len(report["skipped"])}
    print(f"{name}: {stored} articles in {seconds:.1f} s = {stored / seconds:.1f}/s, peak "
          f"{result['peak_tree_mib']:.0f} MiB (tree), {result['peak_process_mib']:.0f} MiB "
          f"(largest process)", flush=True)
    return result


def agreement(count: int) -> dict[str, object]:
    """Entities of the key-sentence recognizer + phrase matcher beside a full spaCy pass."""
    from storyline.annotate.entities import key_sentences
    from storyline.annotate.pipeline import Annotator
    from storyline.clean import clean_article
    from storyline.ingest import Skipped, read_inputs

    articles = [clean_article(a) for a in read_inputs(sample_files(count))
                if not isinstance(a, Skipped)]
    full = list(Annotator(entity_scope="all").annotate(articles))
    fast = list(Annotator(entity_scope="key").annotate(articles))
    pairs: dict[str, tuple[set, set]] = {"key": (set(), set()), "all": (set(), set()),
                                         "names": (set(), set())}
    for before, after in zip(full, fast, strict=True):
        key = key_sentences(len(before.sentences), (m.sentence_index for m in before.time_mentions))
        aid = before.article.id
        for target, annotated in zip((0, 1), (before, after), strict=True):
            for e in annotated.entities:
                pairs["all"][target].add((aid, e.start, e.end, e.label))
                pairs["names"][target].add((aid, e.text, e.label))
                if e.sentence_index in key:
                    pairs["key"][target].add((aid, e.start, e.end, e.label))
    result: dict[str, object] = {"articles": len(articles)}
    for scope, (expected, found) in pairs.items():
        hits = len(expected & found)
        precision = hits / len(found) if found else 1.0
        recall = hits / len(expected) if expected else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[scope] = {"full_pass": len(expected), "new": len(found), "precision": precision,
                         "recall": recall, "f1": f1}
    # What the page's entity list shows: the 50 names in most articles.
    top: list[list[tuple[str, str]]] = []
    for target in (0, 1):
        counts: dict[tuple[str, str], int] = {}
        for _aid, text, label in pairs["names"][target]:
            counts[(text, label)] = counts.get((text, label), 0) + 1
        top.append([name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    [:50]])
    result["top50_overlap"] = len(set(top[0]) & set(top[1])) / 50
    print(f"entity agreement on {len(articles)} articles: "
          + ", ".join(f"{k} F1 {v['f1']:.3f}" for k, v in result.items() if isinstance(v, dict))
          + f", top-50 names overlap {result['top50_overlap']:.0%}", flush=True)
    return result


def revision_tree(revision: str, scratch: Path) -> Path:
    tree = scratch / f"rev-{revision}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision],
                   check=True, capture_output=True)
    return tree


def run_revision(revision: str, inputs: list[str], *, workers: int | None, scratch: Path,
                 name: str) -> dict[str, object]:
    """``run_ingest`` of an older revision, checked out into a temporary worktree."""
    tree = revision_tree(revision, scratch)
    try:
        return run_ingest(inputs, src=tree / "src", workers=workers, scratch=scratch, name=name)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)


def compare(revision: str, files: int, workers: int, rounds: int,
            scratch: Path) -> dict[str, object]:
    """``revision`` and this checkout, alternately, ``rounds`` times each, on a sample.

    Single runs on a shared 2-core machine vary by 20 % and more; runs that
    alternate see the same conditions, so their difference is the code's.
    """
    inputs = sample_files(files)
    tree = revision_tree(revision, scratch)
    runs: dict[str, list[dict[str, object]]] = {revision: [], "this checkout": []}
    try:
        for _ in range(rounds):
            for name, src in ((revision, tree / "src"), ("this checkout", ROOT / "src")):
                runs[name].append(run_ingest(inputs, src=src, workers=workers, scratch=scratch,
                                             name=f"compare-{len(runs[name])}-{name}"))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)
    return {"revision": revision, "files": len(inputs),
            "all_files": len(inputs) == len(sample_files(sys.maxsize)),
            "workers": workers, "rounds": rounds,
            "runs": {name: [{"seconds": r["seconds"], "cpu_s": r["cpu_s"],
                             "articles": r["articles"]} for r in found]
                     for name, found in runs.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None,
                        help="an evenly spread sample of this many files (default: all)")
    parser.add_argument("--before", default=BEFORE, help="the revision measured as 'before'")
    parser.add_argument("--reuse-before", type=Path, default=None, metavar="JSON",
                        help="take the 'before' run from this earlier result (it keeps its date)"
                             " instead of measuring it again (the old code takes half an hour)")
    parser.add_argument("--previous", default=None, metavar="REV",
                        help="also measure this revision with --workers (an earlier stop)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare", default=None, metavar="REV",
                        help="also run REV and this checkout alternately (--rounds times each,"
                             " --compare-files files, --workers): a difference that noise does"
                             " not blur")
    parser.add_argument("--compare-files", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--agreement", type=int, default=150,
                        help="files in the entity agreement sample")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not T17.is_dir():
        raise SystemExit(f"{T17} is not here; nothing to measure")
    inputs = sample_files(args.files)
    runs = []
    today = date.today().isoformat()
    with tempfile.TemporaryDirectory(prefix="storyline-speed-") as scratch_name:
        scratch = Path(scratch_name)
        if args.reuse_before:
            earlier = json.loads(args.reuse_before.read_text())
            if "ingest_speed" in earlier:  # the whole docs/benchmarks.json
                earlier = earlier["ingest_speed"]
            run = next(r for r in earlier["runs"] if r["name"] == "before")
            runs.append(run | {"date": run.get("date", earlier["date"]),
                               "note": run.get("note", "taken from an earlier result, not"
                                               " measured again in this run")})
        else:
            runs.append(run_revision(args.before, inputs, workers=None, scratch=scratch,
                                     name="before") | {"date": today})
        if args.previous:
            runs.append(run_revision(args.previous, inputs, workers=args.workers,
                                     scratch=scratch,
                                     name=f"{args.previous}, --workers {args.workers}")
                        | {"date": today})
        runs.append(run_ingest(inputs, src=ROOT / "src", workers=None, scratch=scratch,
                               name="after, one process") | {"date": today})
        runs.append(run_ingest(inputs, src=ROOT / "src", workers=args.workers, scratch=scratch,
                               name=f"after, --workers {args.workers}") | {"date": today})
        compared = (compare(args.compare, args.compare_files, args.workers, args.rounds,
                            scratch) if args.compare else None)
    result = {"files": args.files or "all", "before": args.before, "runs": runs,
              "compare": compared,
              "agreement": agreement(args.agreement), "date": today,
              "cores": os.cpu_count()}
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
