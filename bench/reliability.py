"""Reliability: what storyline was put through, how many times, and what failed.

Usage: .venv/bin/python bench/reliability.py [--only fuzz,kill,writers,load,requests,stores]
                                              [--quick] [--no-write]

Tried as a careful user and an attacker would, each part on its own:

- fuzz: 10,000 generated hostile files (tests/fuzzing.py: every format broken
  every way, odd names, links, FIFOs) ingested through the Python API, and
  1,000 more through the CLI: what was stored, what was skipped and why, what
  escaped, whether anything vanished unnamed, SQLite's integrity check.
- kill: ``storyline ingest`` killed with SIGKILL at random moments; after each
  kill the store must pass the integrity check and hold whole batches, the
  first ones of the input, and the same ingest run again must finish it.
- writers: a live ``storyline serve`` taking POSTs and reads while two CLI
  ingests and CLI builds write and read the same file.
- load: 30 HTTP clients on a 5,000-article store (tests/e2e/synthetic.py),
  checked against issue #12's goals.
- requests: malformed, oversized and hostile HTTP requests, sent as raw bytes.
- stores: damaged, foreign, newer and read-only store files given to
  ``build``, ``ingest`` and ``serve``.

Results go into docs/benchmarks.json (key ``reliability``, one entry per
part, each with its machine and date) and docs/benchmarks.md is rebuilt, as
bench/run_benchmarks.py does (``--only reliability`` there runs every part).
``--quick`` runs every part smaller, for trying the script out; its numbers
are not written unless asked (``--write``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORYLINE = [sys.executable, "-m", "storyline"]
PARTS = ("fuzz", "kill", "writers", "load", "requests", "stores")
SEED = 2026
#: Most failures listed by name in a part's result (the counts are complete).
SHOWN = 12


# -- shared helpers ------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _ms(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "p50_ms": _round(_percentile(values, 0.50)),
            "p99_ms": _round(_percentile(values, 0.99)),
            "max_ms": _round(max(values) if values else None)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def _integrity(db: Path) -> str:
    """SQLite's own verdict on the whole file ("ok" or its first complaints)."""
    if not db.exists():
        return "ok (no file)"
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check(3)"))
    except sqlite3.DatabaseError as exc:
        return f"cannot check: {exc}"
    finally:
        conn.close()


def _article_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM articles")}
    except sqlite3.OperationalError:  # no table yet: killed before the set-up committed
        return set()
    finally:
        conn.close()


def _feed(path: Path, prefix: str, count: int, *, seed: int = SEED) -> list[str]:
    """A JSONL file of ``count`` short, distinct articles; their ids in order."""
    from tests.fuzzing import make_story

    rng = random.Random(f"{seed}-{prefix}")
    ids = []
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            record = make_story(rng, number).record() | {"id": f"{prefix}-{number}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            ids.append(record["id"])
    return ids


def _stderr_problems(stderr: str) -> list[str]:
    """What is wrong with a command's stderr: tracebacks, raw control characters, stray lines."""
    from tests.fuzzing import raw_controls

    problems = []
    if "Traceback" in stderr:
        problems.append("a traceback")
    if raw_controls(stderr):
        problems.append(f"raw control characters {sorted(set(raw_controls(stderr)))!r}")
    stray = [line for line in stderr.splitlines() if not line.startswith("storyline: ")]
    if stray:
        problems.append(f"{len(stray)} line(s) not from storyline, e.g. {stray[0][:120]!r}")
    return problems


class _Server:
    """A server process and, once it has stopped, what it wrote on stderr."""

    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process = process
        self.log = log
        self.text = ""

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def stderr(self) -> str:
        return self.text or (self.log.read_text(errors="replace") if self.log.exists() else "")


@contextmanager
def _serving(command: list[str], port: int, *, ready_path: str = "/api/entities"
             ) -> Iterator[tuple[str, _Server]]:
    """A server process answering on ``port``; stopped with SIGTERM after.

    Its output goes to a file, not a pipe: a pipe nobody reads stops a
    server that logs a lot, and its worker processes hold the pipe too.
    """
    import httpx

    log = Path(tempfile.mkstemp(prefix="storyline-serve-", suffix=".log")[1])
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink)
    server = _Server(process, log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(base + ready_path, timeout=30)
            break
        except httpx.TransportError:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {server.stderr()}") from None
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the server did not start within 120 s") from None
            time.sleep(0.2)
    try:
        yield base, server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.text = server.stderr()
        log.unlink(missing_ok=True)


def _reason_class(reason: str) -> str:
    """A skip reason without what is particular to one input (quotes, paths, numbers)."""
    text = re.sub(r"/\S*", "PATH", re.sub(r"'[^']*'", "'…'", reason))
    if match := re.match(r"(could not be \w+|cannot be parsed as HTML) \((\w+)", text):
        return f"{match[1]} ({match[2]})"
    return re.split(r" \(|: |; |, ", text, maxsplit=1)[0]


# -- (a) fuzzed files ----------------------------------------------------------------

def fuzz(quick: bool) -> dict[str, Any]:
    """Fuzzed files through the Python API (no entities) and the CLI (with them)."""
    from storyline.annotate.pipeline import Annotator
    from storyline.pipeline import build_timeline, ingest
    from storyline.render import RENDERERS, render
    from storyline.store import Store
    from storyline.timeline import TimelineRequest
    from tests import fuzzing

    count, cli_count = (1000, 200) if quick else (10_000, 1000)
    huge = 30_000 if quick else 100_000
    group_size = 500
    cases = fuzzing.generate(count, seed=SEED, huge=huge)
    failures: list[str] = []
    reasons: Counter[str] = Counter()
    article_failures: Counter[str] = Counter()
    reader = {"files": 0, "articles": 0, "skipped": 0, "silent": 0, "unseen": 0, "escaped": 0}
    escaped: list[str] = []
    stored_expected = missing = 0
    written: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="storyline-fuzz-") as scratch:
        db = Path(scratch) / "fuzz.db"
        added = 0
        with Store(db) as store:
            annotator = Annotator(entities=False)
            for number, first in enumerate(range(0, count, group_size)):
                group = cases[first:first + group_size]
                corpus = fuzzing.write(group, Path(scratch) / f"group{number}")
                written.update(corpus.written)
                audit = fuzzing.audit(corpus)
                reader["files"] += audit.files
                reader["articles"] += len(audit.articles)
                reader["skipped"] += len(audit.skipped)
                for key in ("silent", "unseen", "escaped"):
                    reader[key] += len(getattr(audit, key))
                    failures += [f"reader {key}: {item}" for item in getattr(audit, key)]
                failures += [f"raw control characters in a skip: {s.path}: {s.reason}"
                             for s in audit.skipped
                             if fuzzing.raw_controls(s.path + s.reason)]
                try:
                    report = ingest([corpus.root], store, annotator=annotator)
                except Exception as exc:  # noqa: BLE001 - what this part counts
                    escaped.append(f"group {number}: {type(exc).__name__}: {exc}")
                    escaped += _isolate(group, Path(scratch) / f"isolate{number}")
                    continue
                added += report.added + report.updated
                for skipped in report.skipped:
                    reasons[_reason_class(skipped.reason)] += 1
                    if skipped.reason.startswith(("could not be cleaned", "could not be annotated",
                                                  "could not be stored")):
                        article_failures[_reason_class(skipped.reason)] += 1
                expected = corpus.expected_origins()
                origins = {row[0] for row in store.conn.execute("SELECT origin FROM articles")}
                stored_expected += len(expected & origins)
                missing += len(expected - origins)
                failures += [f"sound article not stored: {o}" for o in sorted(expected - origins)]
                shutil.rmtree(corpus.root.parent)
            total = store.count_articles()
            try:
                timeline = build_timeline(store, TimelineRequest(dates=10))
                rendered = all(render(timeline, fmt) for fmt in RENDERERS)
                timeline_ok = bool(timeline.entries) and rendered
            except Exception as exc:  # noqa: BLE001 - what this part counts
                timeline_ok = False
                failures.append(f"no timeline from the fuzzed store: {type(exc).__name__}: {exc}")
        integrity = _integrity(db)
        seconds = time.perf_counter() - started
        cli = _fuzz_cli(fuzzing.generate(cli_count, seed=SEED + 1, huge=huge),
                        Path(scratch) / "cli")
    failures += escaped
    if integrity != "ok":
        failures.append(f"integrity check: {integrity}")
    failures += cli["failures"]
    return {
        "title": "Fuzzed input files",
        "tried": count + cli_count,
        "failed": len(failures),
        "failures": failures[:SHOWN],
        "seed": SEED, "huge": huge,
        "families": dict(Counter(case.family for case in cases).most_common()),
        "formats": dict(Counter(case.format for case in cases).most_common()),
        "written": dict(written),
        "reader": reader,
        "stored_articles": total, "stored_or_updated": added,
        "sound_expected": stored_expected + missing, "sound_stored": stored_expected,
        "skip_reasons": dict(reasons.most_common()),
        "article_failures": dict(article_failures.most_common()),
        "escaped": len(escaped), "integrity": integrity, "timeline_ok": timeline_ok,
        "seconds": round(seconds, 1),
        "cli": {key: value for key, value in cli.items() if key != "failures"},
    }


def _isolate(cases: list[Any], folder: Path) -> list[str]:
    """The cases of a group whose ingest let an exception out, each ingested alone."""
    from storyline.annotate.pipeline import Annotator
    from storyline.pipeline import ingest
    from storyline.store import Store
    from tests import fuzzing

    culprits = []
    for index, case in enumerate(cases):
        corpus = fuzzing.write([case], folder / str(index))
        with Store(folder / f"{index}.db") as store:
            try:
                ingest([corpus.root], store, annotator=Annotator(entities=False))
            except Exception as exc:  # noqa: BLE001 - naming the culprit
                where = traceback.extract_tb(exc.__traceback__)[-1]
                culprits.append(f"{case.kind} ({case.entries[0].path!r}): {type(exc).__name__}:"
                                f" {exc} at {Path(where.filename).name}:{where.lineno}")
    return culprits


def _fuzz_cli(cases: list[Any], folder: Path) -> dict[str, Any]:
    """The CLI (spaCy entities included) on a fuzzed folder, as a user runs it."""
    from tests import fuzzing

    corpus = fuzzing.write(cases, folder)
    db = folder / "cli.db"
    started = time.perf_counter()
    done = subprocess.run([*STORYLINE, "ingest", str(corpus.root), "--db", str(db),
                           "--format", "json"], capture_output=True, timeout=3600)
    seconds = time.perf_counter() - started
    stderr = done.stderr.decode("utf-8", "replace")
    failures = [f"CLI: {problem}" for problem in _stderr_problems(stderr)]
    if done.returncode not in (0, 1):
        failures.append(f"CLI exit code {done.returncode}: {stderr[-300:]}")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {}
        failures.append("CLI: no JSON report")
    skips = len(report.get("skipped", []))
    lines = len(stderr.splitlines())
    if lines != skips:
        failures.append(f"CLI: {lines} stderr lines for {skips} skips")
    stored = _article_ids(db)
    origins = set()
    if db.exists():
        with sqlite3.connect(db) as conn:
            origins = {row[0] for row in conn.execute("SELECT origin FROM articles")}
    lost = corpus.expected_origins() - origins
    failures += [f"CLI: sound article not stored: {origin}" for origin in sorted(lost)]
    integrity = _integrity(db)
    if integrity != "ok":
        failures.append(f"CLI store integrity: {integrity}")
    return {"files": len(cases), "exit_code": done.returncode, "stored": len(stored),
            "skipped": skips, "stderr_lines": lines, "sound_expected": len(corpus.expected_origins()),
            "sound_stored": len(corpus.expected_origins()) - len(lost), "integrity": integrity,
            "seconds": round(seconds, 1), "failures": failures}


# -- (b) kill -9 ---------------------------------------------------------------------

def kill(quick: bool) -> dict[str, Any]:
    """SIGKILL a CLI ingest at random moments; check what is left, then finish it."""
    from storyline.pipeline import ingest

    kills_wanted = 6 if quick else 50
    size = 200
    batch = ingest.__kwdefaults__["batch_size"]
    rng = random.Random(SEED)
    failures: list[str] = []
    outcomes: Counter[str] = Counter()
    stored_at_kill: list[int] = []
    with tempfile.TemporaryDirectory(prefix="storyline-kill-") as scratch:
        feed = Path(scratch) / "feed.jsonl"
        ids = _feed(feed, "kill", size)

        def command(db: Path) -> list[str]:
            return [*STORYLINE, "ingest", str(feed), "--db", str(db), "--format", "json"]

        first_write, last_write = _calibrate(command(Path(scratch) / "calibrate.db"), size)
        trial = 0
        while (trial < kills_wanted * 2
               and trial - outcomes["finished before the kill"] < kills_wanted):
            trial += 1
            db = Path(scratch) / f"kill{trial}.db"
            # Half the kills anywhere in the run (start-up and set-up included),
            # half while batches are being written.
            when = (rng.uniform(0, last_write) if trial % 2 else
                    rng.uniform(first_write * 0.9, last_write))
            process = subprocess.Popen(command(db), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            try:
                process.wait(timeout=when)
                finished = True
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                finished = False
            problems = _after_kill(db, ids, batch)
            count = len(_article_ids(db)) if db.exists() else 0
            stored_at_kill.append(count)
            outcomes["finished before the kill" if finished else
                     "killed before a batch was committed" if count == 0 else
                     "killed between batches" if count < size else
                     "killed after the last batch was committed"] += 1
            again = subprocess.run(command(db), capture_output=True, text=True, timeout=900)
            if again.returncode != 0:
                problems.append(f"the re-ingest failed ({again.returncode}): "
                                f"{again.stderr.strip()[-300:]}")
            else:
                report = json.loads(again.stdout)
                if report["added"] != size - count or report["unchanged"] != count:
                    problems.append(f"the re-ingest added {report['added']} and left "
                                    f"{report['unchanged']} unchanged, after {count} stored")
            if len(_article_ids(db)) != size or _integrity(db) != "ok":
                problems.append(f"after the re-ingest: {len(_article_ids(db))} articles, "
                                f"integrity {_integrity(db)}")
            failures += [f"trial {trial} (kill at {when:.2f} s, {count} stored): {problem}"
                         for problem in problems]
            for path in Path(scratch).glob(f"kill{trial}.db*"):
                path.unlink()
    return {
        "title": "kill -9 of a CLI ingest",
        "tried": trial - outcomes["finished before the kill"],
        "trials": trial, "failed": len({f.split(" (")[0] for f in failures}),
        "failures": failures[:SHOWN],
        "articles": size, "batch": batch,
        "calibration_s": {"first_commit": round(first_write, 2),
                          "last_commit": round(last_write, 2)},
        "outcomes": dict(outcomes),
        "stored_at_kill": dict(sorted(Counter(stored_at_kill).items())),
    }


def _calibrate(command: list[str], size: int) -> tuple[float, float]:
    """Seconds until the first batch is committed, and until the last one is."""
    db = Path(command[command.index("--db") + 1])
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = last = None
    while process.poll() is None:
        count = len(_article_ids(db)) if db.exists() else 0
        if first is None and count:
            first = time.monotonic() - started
        if last is None and count == size:
            last = time.monotonic() - started
        time.sleep(0.05)
    full = time.monotonic() - started
    if process.returncode != 0 or len(_article_ids(db)) != size:
        raise RuntimeError("the calibration ingest failed")
    return (first or full * 0.6), (last or full)


def _after_kill(db: Path, ids: list[str], batch: int) -> list[str]:
    """What is wrong with a store an ingest was killed while writing."""
    problems = []
    integrity = _integrity(db)
    if not integrity.startswith("ok"):
        problems.append(f"integrity check: {integrity}")
        return problems
    stored = _article_ids(db) if db.exists() else set()
    count = len(stored)
    if count % batch and count != len(ids):
        problems.append(f"{count} articles stored: not a whole number of {batch}-article batches")
    if stored != set(ids[:count]):
        problems.append("the stored articles are not the first ones of the input")
    if stored:
        conn = sqlite3.connect(db)
        try:
            bare = conn.execute("SELECT count(*) FROM articles WHERE id NOT IN "
                                "(SELECT article_id FROM sentences)").fetchone()[0]
            orphans = conn.execute("SELECT count(*) FROM sentences WHERE article_id NOT IN "
                                   "(SELECT id FROM articles)").fetchone()[0]
            fts = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        finally:
            conn.close()
        if bare or orphans:
            problems.append(f"half-written articles: {bare} without sentences, "
                            f"{orphans} sentences without an article")
        if fts != count:
            problems.append(f"the search index has {fts} rows for {count} articles")
    return problems


# -- (c) concurrent writers ----------------------------------------------------------------

def writers(quick: bool) -> dict[str, Any]:
    """A live server taking POSTs and reads, two CLI ingests and CLI builds, on one file."""
    import httpx

    from tests.e2e.synthetic import build_store

    seconds = 12 if quick else 40
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    acknowledged: list[str] = []
    cli_runs: Counter[str] = Counter()
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="storyline-writers-") as scratch:
        db = Path(scratch) / "shared.db"
        build_store(db, 300)
        port = _free_port()
        stop = threading.Event()

        def count(label: str, failure: str | None = None) -> None:
            with lock:
                statuses[label] += 1
                if failure:
                    failures.append(failure)

        def post(worker: int) -> None:
            from tests.fuzzing import make_story

            rng = random.Random(f"{SEED}-post-{worker}")
            with httpx.Client(base_url=base, timeout=300) as client:
                number = 0
                while not stop.is_set():
                    records = [make_story(rng, number).record()
                               | {"id": f"post-{worker}-{number}-{k}"}
                               for k in range(rng.randrange(1, 4))]
                    try:
                        answer = client.post("/api/articles", json=records)
                    except httpx.TransportError as exc:
                        count("transport error", f"POST: {exc!r}")
                        continue
                    count(f"POST {answer.status_code}",
                          None if answer.status_code == 200 else
                          f"POST {answer.status_code}: {answer.text[:200]}")
                    if answer.status_code == 200:
                        with lock:
                            acknowledged.extend(answer.json()["ids"])
                    number += 1

        def read(routes: list[str]) -> None:
            with httpx.Client(base_url=base, timeout=300) as client:
                while not stop.is_set():
                    for route in routes:
                        try:
                            answer = client.get(route)
                        except httpx.TransportError as exc:
                            count("transport error", f"GET {route}: {exc!r}")
                            continue
                        count(f"GET {answer.status_code}",
                              None if answer.status_code == 200 else
                              f"GET {route} {answer.status_code}: {answer.text[:200]}")

        def ingest_loop(name: str) -> None:
            round_ = 0
            while not stop.is_set():
                feed = Path(scratch) / f"{name}-{round_}.jsonl"
                ids = _feed(feed, f"{name}-{round_}", 40)
                done = subprocess.run([*STORYLINE, "ingest", str(feed), "--db", str(db),
                                       "--quiet"], capture_output=True, text=True, timeout=900)
                with lock:
                    cli_runs["ingest"] += 1
                    if done.returncode == 0:
                        acknowledged.extend(ids)
                    else:
                        failures.append(f"CLI ingest {done.returncode}: {done.stderr[-300:]}")
                round_ += 1

        def build_loop() -> None:
            while not stop.is_set():
                done = subprocess.run([*STORYLINE, "build", "--db", str(db), "--dates", "4",
                                       "--format", "json"], capture_output=True, text=True,
                                      timeout=900)
                with lock:
                    cli_runs["build"] += 1
                    if done.returncode != 0 or '"entries"' not in done.stdout:
                        failures.append(f"CLI build {done.returncode}: {done.stderr[-300:]}")

        with _serving([*STORYLINE, "serve", "--db", str(db), "--port", str(port)],
                      port) as (base, server):
            workers = [threading.Thread(target=post, args=(n,)) for n in range(2)]
            workers += [threading.Thread(target=read, args=(routes,)) for routes in (
                ["/api/articles", "/api/entities", "/api/articles/syn00007"],
                ["/api/timeline?dates=5", "/api/articles?query=strike&page=2"])]
            workers += [threading.Thread(target=ingest_loop, args=(name,))
                        for name in ("cli-a", "cli-b")]
            workers.append(threading.Thread(target=build_loop))
            for worker in workers:
                worker.start()
            time.sleep(seconds)
            stop.set()
            for worker in workers:
                worker.join(timeout=900)
        server_stderr = server.stderr()
        if server.returncode not in (0, -signal.SIGTERM):  # uvicorn re-raises the signal
            failures.append(f"the server exited with {server.returncode} on SIGTERM")
        if "Traceback" in server_stderr:
            failures.append(f"the server logged a traceback: {server_stderr[-300:]}")
        stored = _article_ids(db)
        lost = [article_id for article_id in acknowledged if article_id not in stored]
        failures += [f"acknowledged but not stored: {article_id}" for article_id in lost]
        integrity = _integrity(db)
        if integrity != "ok":
            failures.append(f"integrity check: {integrity}")
    five = sum(n for label, n in statuses.items() if label.split()[-1].startswith("5"))
    return {
        "title": "Concurrent writers on one store",
        "tried": sum(statuses.values()) + sum(cli_runs.values()),
        "failed": len(failures), "failures": failures[:SHOWN],
        "seconds": seconds, "requests": dict(sorted(statuses.items())),
        "cli_runs": dict(cli_runs), "server_5xx": five,
        "acknowledged": len(acknowledged), "acknowledged_stored": len(acknowledged) - len(lost),
        "integrity": integrity,
    }


# -- (d) HTTP load -------------------------------------------------------------------------

def _serve_with_stats(db: str, port: int, stats: str) -> None:
    """``storyline serve``, which on exit writes how many timeline builds it started."""
    import uvicorn

    from storyline.api import create_app

    app = create_app(db)

    def report() -> None:  # uvicorn ends the process on SIGTERM: no "after run()"
        while True:
            Path(f"{stats}.tmp").write_text(json.dumps({"started": app.state.timelines.started}))
            os.replace(f"{stats}.tmp", stats)
            time.sleep(0.2)

    threading.Thread(target=report, daemon=True).start()
    uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")).run()


def load(quick: bool) -> dict[str, Any]:
    """30 clients for a minute on 5,000 articles: errors, latency per route, builds."""
    import httpx

    from storyline.timeline import METHODS
    from tests.e2e.synthetic import PEOPLE, PLACES, build_store

    clients, seconds, articles = (30, 15, 1000) if quick else (30, 60, 5000)
    rng = random.Random(SEED)
    # At most 16 distinct timelines, fewer than the server's cache keeps (32),
    # so that every build beyond one per question would be a duplicate.
    words = ["strike", "crane", "ferry", "court", "pension", "talks", None]
    questions: list[tuple[tuple[str, str], ...]] = []
    while len(questions) < 16:
        params = {"dates": rng.choice([5, 8, 10, 15]), "sentences": rng.choice([1, 2, 3]),
                  "method": rng.choice(sorted(METHODS)), "query": rng.choice(words)}
        if rng.random() < 0.25:
            params["entity"] = rng.choice(PEOPLE + PLACES[:2])
        key = tuple(sorted((k, str(v)) for k, v in params.items() if v is not None))
        if key not in questions:
            questions.append(key)
    popular = questions[:4]
    latencies: dict[str, list[float]] = {}
    during_builds: dict[str, list[float]] = {}
    errors: list[str] = []
    answered: set[tuple] = set()
    asked: set[tuple] = set()
    outstanding = [0]  # timeline requests not answered from the cache, under way
    lock = threading.Lock()

    def pick() -> tuple[str, str, dict[str, str], tuple | None]:
        roll = rng.random()
        if roll < 0.30:
            question = rng.choice(popular if rng.random() < 0.6 else questions)
            return "timeline", "/api/timeline", dict(question), question
        if roll < 0.38:
            question = rng.choice(questions)
            return "export", "/api/timeline", dict(question) | {
                "format": rng.choice(["md", "json", "timelinejs"])}, question
        if roll < 0.62:
            params = {"page": str(rng.randrange(1, 200))}
            if rng.random() < 0.5:
                params["query"] = rng.choice(["strike", "crane talks", "Ines Falk",
                                              "Marrow Bay", "pension fund"])
            return "articles", "/api/articles", params, None
        if roll < 0.86:
            return "article", f"/api/articles/syn{rng.randrange(articles):05d}", {}, None
        return "entities", "/api/entities", {"limit": str(rng.choice([10, 20, 50, 200]))}, None

    def client(barrier: threading.Barrier, deadline: float) -> None:
        with httpx.Client(base_url=base, timeout=600) as session:
            barrier.wait()
            # Everyone first asks the same new timeline at once: one build must serve all.
            _get(session, "timeline", "/api/timeline", {"dates": "7", "query": "strike"},
                 ("burst",))
            while time.monotonic() < deadline:
                with lock:
                    kind, path, params, question = pick()
                _get(session, kind, path, params, question)

    def _get(session, kind: str, path: str, params: dict[str, str], question: tuple | None
             ) -> None:
        if question is not None:
            with lock:
                label = ("cached" if question in answered else
                         "joined a build" if question in asked else "new")
                asked.add(question)
                if label != "cached":
                    outstanding[0] += 1
            kind = f"{kind} ({label})"
        with lock:
            building = outstanding[0] > 0
        started = time.perf_counter()
        try:
            answer = session.get(path, params=params)
            ok = answer.status_code == 200
            problem = None if ok else f"{kind} {path} {answer.status_code}: {answer.text[:200]}"
        except httpx.TransportError as exc:
            ok, problem = False, f"{kind} {path}: {exc!r}"
        elapsed = time.perf_counter() - started
        with lock:
            latencies.setdefault(kind, []).append(elapsed)
            if building and question is None:
                during_builds.setdefault(kind, []).append(elapsed)
            if problem:
                errors.append(problem)
            if question is not None:
                if ok:
                    answered.add(question)
                if not kind.endswith("(cached)"):
                    outstanding[0] -= 1

    with tempfile.TemporaryDirectory(prefix="storyline-load-") as scratch:
        db = Path(scratch) / "big.db"
        build_store(db, articles)
        port = _free_port()
        stats = Path(scratch) / "stats.json"
        command = [sys.executable, __file__, "--serve", str(db), str(port), str(stats)]
        with _serving(command, port) as (base, _server):
            alone = _alone(base)
            asked.add((("dates", "3"),))  # the timeline _alone asked (and had built)
            answered.add((("dates", "3"),))
            load_before = os.getloadavg()[0]
            barrier = threading.Barrier(clients)
            deadline = time.monotonic() + seconds
            threads = [threading.Thread(target=client, args=(barrier, deadline))
                       for _ in range(clients)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            load_after = os.getloadavg()[0]
            time.sleep(1)  # the server writes its count of builds every 0.2 s
        started_builds = json.loads(stats.read_text())["started"] if stats.exists() else None
    routes = {kind: _ms(values) for kind, values in sorted(latencies.items())}
    busy = {kind: _ms(values) for kind, values in sorted(during_builds.items())}
    cached = routes.get("timeline (cached)", {}).get("p99_ms")
    cached_exports = routes.get("export (cached)", {}).get("p99_ms")
    reads = [busy.get(kind, {}).get("p99_ms") for kind in ("articles", "article", "entities")]
    goals = {
        "0 errors": (len(errors) == 0, f"{len(errors)} errors"),
        "repeated timelines from the cache, p99 ≤ 100 ms": (
            cached is not None and cached <= 100,
            f"p99 {cached} ms (exports {cached_exports} ms)"),
        "identical concurrent builds done once": (
            started_builds == len(asked),
            f"{started_builds} builds for {len(asked)} distinct timelines asked"),
        "/api/articles, /api/articles/{id}, /api/entities p99 ≤ 500 ms while timelines build": (
            all(r is not None and r <= 500 for r in reads),
            ", ".join(f"{k} {r} ms" for k, r in zip(("articles", "article", "entities"), reads,
                                                    strict=True))),
    }
    return {
        "title": f"HTTP load, {clients} clients on {articles:,} articles",
        "tried": sum(len(v) for v in latencies.values()),
        "failed": len(errors) + sum(not met for met, _ in goals.values()),
        "failures": errors[:SHOWN],
        "clients": clients, "seconds": round(elapsed, 1), "articles": articles,
        "requests_per_s": round(sum(len(v) for v in latencies.values()) / elapsed, 1),
        "routes": routes, "while_building": busy, "alone_ms": alone,
        "load_average": [round(load_before, 1), round(load_after, 1)],
        "distinct_timelines": len(asked), "builds_started": started_builds,
        "goals": {name: {"met": met, "measured": measured}
                  for name, (met, measured) in goals.items()},
    }


def _alone(base: str) -> dict[str, float]:
    """Median ms of each kind of request with one client and nothing else asked: its own cost."""
    import httpx

    routes = {"entities": "/api/entities", "articles": "/api/articles?page=6&query=strike",
              "article": "/api/articles/syn00042", "timeline (cached)": "/api/timeline?dates=3"}
    medians = {}
    with httpx.Client(base_url=base, timeout=600) as client:
        client.get(routes["timeline (cached)"])  # built once, then cached
        for kind, path in routes.items():
            times = []
            for _ in range(11):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times.append(time.perf_counter() - started)
            medians[kind] = round(sorted(times)[5] * 1000, 1)
    return medians


# -- (e) bad HTTP requests ---------------------------------------------------------------------

def _raw(port: int, data: bytes | Callable[[socket.socket], None], timeout: float = 10
         ) -> tuple[str, dict[str, str]]:
    """Send bytes as they are; the status the server answers.

    'closed': the connection closed without an answer; 'waits': no answer
    within ``timeout`` seconds (right for a request that announced a body it
    did not send: the server is still waiting for it).
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            if callable(data):
                data(sock)
            else:
                sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading all of it
        buffer = b""
        try:
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
        except TimeoutError:
            return "waits", {}
        except OSError:
            pass
    head = buffer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return "closed", {}
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0].split()[1], headers


#: Requests that announce a body they never send: the server rightly waits for it.
WAITING = ("body shorter than announced",)


def _bad_requests(seed: int) -> list[tuple[str, bytes | Callable[[socket.socket], None]]]:
    """(what it is, the raw request) for a few hundred requests no client should send."""
    from tests.fuzzing import post_bodies

    host = b"Host: 127.0.0.1\r\n"

    def get(target: str, extra: bytes = b"", method: str = "GET") -> bytes:
        return (f"{method} {target} HTTP/1.1\r\n".encode("latin-1", "replace") + host + extra
                + b"Connection: close\r\n\r\n")

    def post(body: bytes, kind: str = "application/json", extra: bytes = b"") -> bytes:
        return (b"POST /api/articles HTTP/1.1\r\n" + host
                + (f"Content-Type: {kind}\r\n".encode("latin-1", "replace") if kind else b"")
                + b"Content-Length: %d\r\n" % len(body) + extra
                + b"Connection: close\r\n\r\n" + body)

    requests: list[tuple[str, bytes | Callable[[socket.socket], None]]] = []
    values = ["-1", "0", "501", "1e9", "abc", "99999999999999999999999", "", "%00", "%ff",
              "1.5", "NaN", "%1b%5b2J", "0x10", " 5", "5 ", "٥"]
    for name in ("dates", "sentences", "method", "start", "end", "format", "page", "limit"):
        route = {"page": "/api/articles", "limit": "/api/entities"}.get(name, "/api/timeline")
        for value in values:
            requests.append((f"bad parameter {name}", get(f"{route}?{name}={value}")))
    for value in ("2019-02-30", "0001-01-01", "9999-12-31", "2019-13-01", "yesterday",
                  "2019-06-23T25:00", "+2019-06-23"):
        requests.append(("impossible date", get(f"/api/timeline?start={value}&end={value}")))
    hostile_queries = ['"', "*", "NEAR(", "AND OR NOT", "^", ":", "text:foo", "-", "🦀",
                       "a" * 501, "%00", "%1b%5b2J%07", "%ff%fe", "'; DROP TABLE articles;--",
                       "(((((", "strike*" * 50, "%E2%80%AE", "NOT", "x" * 20_000]
    for query in hostile_queries:
        requests.append(("hostile search", get(f"/api/articles?query={query}")))
        requests.append(("hostile search", get(f"/api/timeline?query={query}")))
        requests.append(("hostile entity", get(f"/api/timeline?entity={query}")))
    for article_id in ("../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", "a" * 501,
                       "%ff", "syn00001%00", "..%2f..%2fstoryline.db", "%", "%zz", "😀",
                       "syn00001/../../x", "\\..\\..\\win.ini"):
        requests.append(("odd article id", get(f"/api/articles/{article_id}")))
    for path in ("/admin", "/.env", "/api/", "/api/timeline/x", "/static/../../etc/passwd",
                 "/static/%2e%2e%2fstoryline.db", "//etc/passwd", "/%00", "/static/index.html%00",
                 "/docs/../../../etc/shadow", "/static/", "/static/.hidden", "/openapi.json/../x",
                 "/api/articles/../../../", "/%2e%2e/%2e%2e/", "/static/..%5c..%5cwin.ini",
                 "/" + "a/" * 2000, "/?" + "a=1&" * 5000, "/api/timeline?" + "dates=5&" * 3000,
                 "*", "http://evil.example/api/articles", "/api/articles#frag",
                 "/api/ARTICLES", "/API/timeline", "/static/app.js?v=" + "9" * 5000):
        requests.append(("unknown or tricky path", get(path)))
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "GETT",
                   "get", "M" * 1000, "HEAD", "POST"):
        for path in ("/", "/api/timeline", "/api/articles", "/api/articles/syn00001"):
            requests.append(("odd method", get(path, method=method)))
    header_attacks = [
        b"X-Big: " + b"h" * 100_000 + b"\r\n",
        b"".join(b"X-H%d: v\r\n" % i for i in range(1000)),
        b"X-Nul: a\x00b\r\n", b"X-Esc: \x1b[2J\r\n", b"Bad Header Name: x\r\n",
        b"Content-Length: abc\r\n", b"Content-Length: -1\r\n",
        b"Content-Length: 5\r\nContent-Length: 6\r\n", b"Transfer-Encoding: chunked\r\n",
        b"Expect: 100-continue\r\n", b"Authorization: Bearer " + b"x" * 10_000 + b"\r\n",
        b"Cookie: " + b"c=" * 20_000 + b"\r\n", b"Range: bytes=0-1,1-2,2-3\r\n",
        b"Accept-Encoding: gzip;q=" + b"9" * 1000 + b"\r\n", b" folded: line\r\n",
    ]
    for extra in header_attacks:
        requests.append(("hostile header", get("/api/entities", extra)))
    for raw in (b"GET / HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\n\r\n",
                b"GET / HTTP/1.0\r\n\r\n", b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
                b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03",
                b"GARBAGE\r\n\r\n", b"\r\n\r\n\r\n", b"GET /\r\n\r\n",
                b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n", b"GET\x00/ HTTP/1.1\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil\r\n\r\n"):
        requests.append(("malformed request", raw))
    for kind in ("text/plain", "", "application/xml", "multipart/form-data; boundary=x",
                 "application/x-www-form-urlencoded", "application/json; charset=utf-16",
                 "APPLICATION/JSON", "application/json, text/html", "*/*"):
        requests.append(("wrong content type", post(b'{"text": "Talks resumed on Monday."}',
                                                    kind)))
    for kind, body, _sound in post_bodies(100, seed=seed, huge=50_000):
        requests.append(("hostile POST body", post(body, kind or "application/json")))
    requests.append(("announced body over the limit",
                     post(b"{}", extra=b"Content-Length: 31457280\r\n")))
    requests.append(("announced body over the limit",
                     b"POST /api/articles HTTP/1.1\r\n" + host
                     + b"Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n{}"))
    requests.append(("body shorter than announced",
                     b"POST /api/articles HTTP/1.1\r\n" + host
                     + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{}"))

    def chunked(size: int, chunk: int = 65536) -> Callable[[socket.socket], None]:
        def send(sock: socket.socket) -> None:
            sock.sendall(b"POST /api/articles HTTP/1.1\r\n" + host
                         + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                           b"Connection: close\r\n\r\n")
            piece = b"%x\r\n" % chunk + b"[" * chunk + b"\r\n"
            for _ in range(size // chunk):
                sock.sendall(piece)
            sock.sendall(b"0\r\n\r\n")
        return send

    for size in (21 * 2**20, 25 * 2**20, 64 * 2**20):
        requests.append(("chunked body over the limit", chunked(size)))
    requests.append(("bad chunk framing", b"POST /api/articles HTTP/1.1\r\n" + host
                     + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"zz\r\n{}\r\n0\r\n\r\n"))
    return requests


def requests(quick: bool) -> dict[str, Any]:
    """Hostile requests against a live ``storyline serve``: counted by status; no 5xx."""
    import httpx

    from tests.e2e.synthetic import build_store

    plan = _bad_requests(SEED)
    if quick:
        plan = plan[::5]
    statuses: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    failures: list[str] = []
    without_csp: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="storyline-requests-") as scratch:
        db = Path(scratch) / "s.db"
        build_store(db, 200)
        port = _free_port()
        with _serving([*STORYLINE, "serve", "--db", str(db), "--port", str(port)],
                      port) as (base, server):
            for kind, data in plan:
                status, headers = _raw(port, data)
                statuses[status] += 1
                by_kind.setdefault(kind, Counter())[status] += 1
                waits = kind in WAITING or (isinstance(data, bytes) and (
                    # announced a body by a header and never sent it
                    (kind == "hostile header"
                     and re.search(rb"Content-Length: [1-9]|Transfer-Enc", data) is not None)
                    # nothing but empty lines: RFC 9112 section 2.2 has a server ignore
                    # them before a request line, so it still waits for one
                    or (kind == "malformed request" and not data.strip(b"\r\n"))))
                if status.startswith("5") or (status == "waits" and not waits):
                    shown = data[:120] if isinstance(data, bytes) else kind
                    failures.append(f"{kind}: {status} for {shown!r}")
                if status[0].isdigit() and "content-security-policy" not in headers:
                    without_csp[status] += 1
            alive = httpx.get(f"{base}/api/entities", timeout=30).status_code == 200
        stderr = server.stderr()
    if not alive:
        failures.append("the server stopped answering")
    if "Traceback" in stderr:
        failures.append(f"the server logged a traceback: {stderr[-300:]}")
    return {
        "title": "Bad HTTP requests",
        "tried": len(plan), "failed": len(failures), "failures": failures[:SHOWN],
        "statuses": dict(sorted(statuses.items())),
        "by_kind": {kind: dict(sorted(counts.items())) for kind, counts in by_kind.items()},
        "answers_without_csp": dict(sorted(without_csp.items())),
    }


# -- (f) damaged stores --------------------------------------------------------------------------

def _sound(path: Path) -> None:
    from tests.e2e.synthetic import build_store

    build_store(path, 400)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _pages(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("PRAGMA page_size").fetchone()[0],
                conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()


def _overwrite_pages(path: Path, seed: int, count: int) -> None:
    size, pages = _pages(path)
    rng = random.Random(seed)
    with path.open("r+b") as handle:
        for page in rng.sample(range(1, pages), k=count):
            handle.seek(size * page)
            handle.write(rng.randbytes(size))


def _truncate(path: Path, share: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _foreign(path: Path, *statements: str) -> None:
    path.unlink(missing_ok=True)
    _sql(path, *statements)


#: name: (how to make it from a sound store, what each command must do).
#: An expectation is "ok", "fail" with phrases the one error line must hold,
#: "either" (a command that does not read every page may not meet the damage),
#: or "usage" (click's usage error, exit code 2, naming the option and the problem).
def _store_cases() -> dict[str, tuple[Callable[[Path], None], dict[str, tuple[str, ...]]]]:
    from storyline.store import SCHEMA_VERSION

    damaged = ("fail", "damaged")
    either_damaged = ("either", "damaged")
    notadb = ("fail", "not a SQLite database")
    foreign = ("fail", "another program")
    cases: dict[str, tuple[Callable[[Path], None], dict[str, tuple[str, ...]]]] = {}
    for share in (0.1, 0.25, 0.5, 0.75, 0.99):
        cases[f"truncated to {share:.0%}"] = (
            lambda p, s=share: _truncate(p, s),
            {"build": either_damaged, "ingest": damaged, "serve": damaged})
    cases["truncated to 100 bytes (the header kept)"] = (
        lambda p: _truncate(p, 100 / p.stat().st_size),
        {"build": damaged, "ingest": damaged, "serve": damaged})
    for seed in range(6):
        cases[f"{1 + seed % 3} random page(s) overwritten (seed {seed})"] = (
            lambda p, s=seed: _overwrite_pages(p, s, 1 + s % 3),
            {"build": either_damaged, "ingest": damaged, "serve": damaged})
    cases["header overwritten"] = (lambda p: _overwrite_header(p),
                                   {"build": notadb, "ingest": notadb, "serve": notadb})
    for table in ("articles", "sentences", "entities", "time_mentions", "fingerprints", "copies",
                  "articles_fts"):
        cases[f"table {table} dropped"] = (
            lambda p, t=table: _sql(p, f"DROP TABLE {t}"),
            {command: ("fail", "damaged", table) for command in ("build", "ingest", "serve")})
    cases["index entities_text dropped"] = (
        lambda p: _sql(p, "DROP INDEX entities_text"),
        {command: ("fail", "damaged", "entities_text") for command in ("build", "ingest", "serve")})
    cases["another program's database"] = (
        lambda p: _foreign(p, "CREATE TABLE contacts (name TEXT)",
                           "INSERT INTO contacts VALUES ('Ines')"),
        {command: foreign for command in ("build", "ingest", "serve")})
    cases["an empty foreign database with a user_version"] = (
        lambda p: _foreign(p, f"PRAGMA user_version = {SCHEMA_VERSION + 6}"),
        {command: foreign for command in ("build", "ingest", "serve")})
    cases["a foreign application_id"] = (
        lambda p: _foreign(p, "PRAGMA application_id = 1234"),
        {command: foreign for command in ("build", "ingest", "serve")})
    cases["a newer schema"] = (
        lambda p: _sql(p, f"PRAGMA user_version = {SCHEMA_VERSION + 1}"),
        {command: ("fail", "newer storyline") for command in ("build", "ingest", "serve")})
    cases["zero bytes"] = (lambda p: p.write_bytes(b""),
                           {"build": ("fail", "empty file"), "ingest": ("ok",),
                            "serve": ("fail", "empty file")})
    cases["a text file"] = (lambda p: p.write_text("Shopping list\n\nmilk, bread\n" * 50),
                            {command: notadb for command in ("build", "ingest", "serve")})
    cases["random bytes"] = (lambda p: p.write_bytes(random.Random(1).randbytes(70_000)),
                             {command: notadb for command in ("build", "ingest", "serve")})
    cases["the store gzipped"] = (lambda p: p.write_bytes(gzip.compress(p.read_bytes())),
                                  {command: notadb for command in ("build", "ingest", "serve")})
    cases["a PNG image"] = (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000)),
                            {command: notadb for command in ("build", "ingest", "serve")})
    cases["a garbage -wal file beside it"] = (
        lambda p: Path(f"{p}-wal").write_bytes(random.Random(2).randbytes(40_000)),
        {"build": ("ok",), "ingest": ("ok",), "serve": ("ok",)})
    cases["a folder given as the store"] = (  # refused by the option's type, as usage errors are
        lambda p: (p.unlink(), p.mkdir()),
        {command: ("usage", "is a directory") for command in ("build", "ingest", "serve")})
    cases["a store in a folder that does not exist"] = (
        lambda p: None,
        {command: ("fail", "does not exist") for command in ("build", "ingest", "serve")})
    cases["a FIFO given as the store"] = (
        lambda p: (p.unlink(), os.mkfifo(p)),
        {command: ("fail", "not a regular file") for command in ("build", "ingest", "serve")})
    cases["a read-only folder"] = (
        lambda p: p.parent.chmod(0o555),
        {"build": ("ok",), "ingest": ("fail", "read-only"), "serve": ("ok",)})
    cases["a read-only file"] = (
        lambda p: p.chmod(0o444),
        {"build": ("ok",), "ingest": ("fail", "read-only"), "serve": ("ok",)})
    return cases


def _overwrite_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(random.Random(3).randbytes(100))


def _without_root_powers() -> list[str]:
    """A prefix that makes root obey file permissions, as any user does."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return []
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"]


def stores(quick: bool) -> dict[str, Any]:
    """Each damaged store given to build, ingest and serve: one named line, file untouched."""
    cases = _store_cases()
    if quick:
        cases = dict(list(cases.items())[::4])
    failures: list[str] = []
    outcomes: dict[str, dict[str, str]] = {}
    tried = 0
    with tempfile.TemporaryDirectory(prefix="storyline-stores-") as scratch:
        template = Path(scratch) / "sound.db"
        _sound(template)
        feed = Path(scratch) / "feed.jsonl"
        _feed(feed, "store", 3)
        for number, (name, (damage, expected)) in enumerate(cases.items()):
            outcomes[name] = {}
            for command, expectation in expected.items():
                # Each command gets its own damaged copy: an ingest that sets up
                # an empty file must not decide what the next command meets.
                folder = Path(scratch) / f"case{number}-{command}"
                folder.mkdir()
                db = folder / "story.db"
                shutil.copy(template, db)
                if name == "a store in a folder that does not exist":
                    db = folder / "missing" / "story.db"
                damage(db)
                tried += 1
                try:
                    verdict, problems = _try_store(command, db, feed, expectation, name)
                finally:
                    folder.chmod(0o755)
                    if db.exists() and not db.is_dir() and not db.is_fifo():
                        db.chmod(0o644)
                outcomes[name][command] = verdict
                failures += [f"{name}, {command}: {problem}" for problem in problems]
    return {"title": "Damaged, foreign and read-only stores",
            "tried": tried, "files": len(cases), "failed": len(failures),
            "failures": failures[:SHOWN], "outcomes": outcomes}


def _digest(path: Path) -> str | None:
    try:
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        pass
    return None


def _try_store(command: str, db: Path, feed: Path, expectation: tuple[str, ...],
               name: str) -> tuple[str, list[str]]:
    """Run one command on one store file; its verdict and what was wrong with it."""
    prefix = _without_root_powers() if "read-only" in name else []
    before = _digest(db)
    if command == "serve":
        code, stderr = _try_serve(prefix, db)
    else:
        args = (["build", "--db", str(db), "--dates", "3", "--format", "json"]
                if command == "build" else ["ingest", str(feed), "--db", str(db), "--quiet"])
        try:
            done = subprocess.run([*prefix, *STORYLINE, *args], capture_output=True, text=True,
                                  timeout=300)
            code, stderr = done.returncode, done.stderr
        except subprocess.TimeoutExpired:
            code, stderr = None, ""
    problems = []
    if code is None:
        return "hung", [f"did not finish within {'60' if command == 'serve' else '300'} s"]
    lines = stderr.strip().splitlines()
    verdict = "ok" if code == 0 else lines[-1] if lines else f"exit {code}, no message"
    verdict = verdict.replace(str(db.parent), "…")
    kind, *phrases = expectation
    if kind == "usage":
        if code != 2 or "Traceback" in stderr or "Invalid value for '--db'" not in stderr:
            problems.append(f"not a usage error naming --db: exit {code}: {stderr[-300:]!r}")
        problems += [f"does not say {p!r}" for p in phrases if p not in stderr]
        return stderr.strip().splitlines()[-1].replace(str(db.parent), "…"), problems
    if code == 0:
        if kind == "fail":
            problems.append("succeeded; expected a one-line error")
        return verdict, problems
    if kind == "ok":
        problems.append(f"failed: {verdict}")
    if code != 1:
        problems.append(f"exit code {code}")
    if "Traceback" in stderr:
        problems.append("a traceback")
    if len(lines) != 1 or not lines[0].startswith("storyline: error: "):
        problems.append(f"{len(lines)} lines on stderr: {stderr[-300:]!r}")
    for phrase in phrases:
        if phrase not in stderr:
            problems.append(f"the error does not say {phrase!r}: {verdict}")
    if before is not None and _digest(db) != before:
        problems.append("the file was changed")
    return verdict, problems


def _try_serve(prefix: list[str], db: Path) -> tuple[int | None, str]:
    """``storyline serve``: its exit code and stderr if it refuses to start, 0 if it serves."""
    import httpx

    port = _free_port()
    process = subprocess.Popen([*prefix, *STORYLINE, "serve", "--db", str(db), "--port",
                                str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return process.returncode, process.stderr.read()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/entities", timeout=10).status_code \
                        == 200:
                    return 0, ""
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        return None, ""
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- the report ----------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "fuzz": fuzz, "kill": kill, "writers": writers, "load": load, "requests": requests,
    "stores": stores}


def measure(previous: dict[str, Any], parts: list[str], quick: bool,
            stamp: Callable[[dict[str, Any]], dict[str, Any]],
            save: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """``previous`` with ``parts`` measured again (each stamped with machine and date).

    ``save`` is called with the results after each part, so that a long run
    stopped half-way keeps what it measured.
    """
    results = dict(previous)
    for part in parts:
        started = time.perf_counter()
        print(f"reliability: {part} ...", flush=True)
        results[part] = stamp(RUNNERS[part](quick) | {"quick": quick})
        results[part]["wall_s"] = round(time.perf_counter() - started, 1)
        print(f"reliability: {part}: {results[part]['tried']} tried, "
              f"{results[part]['failed']} failed ({results[part]['wall_s']} s)", flush=True)
        for failure in results[part]["failures"]:
            print(f"  {failure}", flush=True)
        if save:
            save(results)
    return results


def render(results: dict[str, Any]) -> list[str]:
    """The Markdown section of docs/benchmarks.md."""
    lines = [
        "## Reliability (issue #12)",
        "",
        "Regenerated by `bench/reliability.py` (also `bench/run_benchmarks.py --only"
        " reliability`): storyline tried as a careful user and an attacker would. Each row was"
        " measured on its own, on the machine and date it names; timings on this 2-core"
        " machine, shared with other work, are noisy.",
        "",
        "| what was tried | times | failed | measured |",
        "| --- | ---: | ---: | --- |",
    ]
    for part in PARTS:
        if part in results:
            result = results[part]
            lines.append(f"| {result['title']} | {result['tried']:,} | {result['failed']} |"
                         f" {result['date']}{', quick' if result.get('quick') else ''} |")
    machines = sorted({results[p]["machine"] for p in PARTS if p in results})
    lines += ["", f"_Machine: {'; '.join(machines)}._", ""]
    for part in PARTS:
        if part in results:
            lines += DETAILS[part](results[part]) + [""]
            if results[part]["failures"]:
                lines += ["Failures (first few):", ""]
                lines += [f"- `{_code(f)}`" for f in results[part]["failures"]] + [""]
    return lines[:-1]


def _code(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|")[:300]


def _table(counts: dict[str, int], head: tuple[str, str]) -> list[str]:
    return [f"| {head[0]} | {head[1]} |", "| --- | ---: |",
            *(f"| {_code(k)} | {v:,} |" for k, v in counts.items())]


def _details_fuzz(r: dict[str, Any]) -> list[str]:
    reader, cli = r["reader"], r["cli"]
    lines = [
        f"### Fuzzed input files ({r['tried']:,})",
        "",
        f"`tests/fuzzing.py`, seed {r['seed']}, largest made-up line {r['huge']:,} characters:"
        f" {r['tried'] - cli['files']:,} cases ({', '.join(f'{k} {v}' for k, v in r['formats'].items())})"
        f" written as {sum(r['written'].values()):,} files, links, FIFOs and sockets"
        f" ({', '.join(f'{k} {v}' for k, v in r['written'].items())}), ingested in folders of"
        f" 500 through the Python API without entities ({r['seconds']} s); then"
        f" {cli['files']:,} more through `storyline ingest --format json` with spaCy entities"
        f" ({cli['seconds']} s).",
        "",
        f"- Reader: {reader['files']:,} files read, {reader['articles']:,} articles and"
        f" {reader['skipped']:,} skips; {reader['silent']} files gave neither,"
        f" {reader['unseen']} inputs were neither read nor named, {reader['escaped']}"
        f" exceptions escaped.",
        f"- Ingest: {r['stored_articles']:,} articles in the store; {r['escaped']} exceptions"
        f" escaped; sound articles stored: {r['sound_stored']}/{r['sound_expected']};"
        f" per-article failures (clean, annotate, store): {sum(r['article_failures'].values())}"
        f"; integrity check: {r['integrity']}; a timeline built and rendered in every format"
        f" from the fuzzed store: {'yes' if r['timeline_ok'] else 'no'}.",
        f"- CLI: exit code {cli['exit_code']}, {cli['stored']:,} articles stored,"
        f" {cli['skipped']:,} skips named in {cli['stderr_lines']:,} stderr lines, sound"
        f" articles stored {cli['sound_stored']}/{cli['sound_expected']}, integrity"
        f" {cli['integrity']}.",
        "",
        *_parser_catches(r["skip_reasons"]),
        "Cases by how they were made:",
        "",
        *_table(r["families"], ("maker", "cases")),
        "",
        "Skips by reason (Python API run):",
        "",
        *_table(r["skip_reasons"], ("reason", "skips")),
    ]
    return lines


def _parser_catches(reasons: dict[str, int]) -> list[str]:
    """A note on the skips where a parser's own exception was caught at the file's edge."""
    caught = {k: v for k, v in reasons.items() if k.startswith("could not be read (")}
    if not caught:
        return []
    return ["Skips named 'could not be read (…Error)' are a parser's exception caught at the"
            " boundary of the file: nothing escaped, but the file's later records were lost"
            f" and the reason is generic ({', '.join(f'{k}: {v}' for k, v in caught.items())};"
            " warcio fails on a response record without WARC-Target-URI and on an absurd"
            " Content-Length).", ""]


def _details_kill(r: dict[str, Any]) -> list[str]:
    cal = r["calibration_s"]
    return [
        f"### kill -9 of `storyline ingest` ({r['tried']})",
        "",
        f"A {r['articles']}-article JSONL feed (batches of {r['batch']}; in a run that was"
        f" timed first, the first batch was committed after {cal['first_commit']} s and the"
        f" last after {cal['last_commit']} s). {r['trials']} trials, {r['tried']} of them"
        " killed before the ingest finished. Each trial starts the CLI on a new store and sends SIGKILL at a random moment (half"
        " anywhere in the run, half while batches are written), then checks SQLite's integrity"
        " check, that the store holds whole batches and that they are the first articles of the"
        " input, that no article is half-written (sentences, search index), and that the same"
        " ingest run again completes, adding exactly what was missing.",
        "",
        f"Outcomes: {', '.join(f'{k}: {v}' for k, v in _kill_outcomes(r).items())}. Articles"
        f" stored at the kill: {', '.join(f'{k} ({v}×)' for k, v in r['stored_at_kill'].items())}.",
    ]


def _kill_outcomes(r: dict[str, Any]) -> dict[str, int]:
    """The outcomes of the trials; older results did not name the last one, which is the rest."""
    outcomes = dict(r["outcomes"])
    rest = r["trials"] - sum(outcomes.values())
    if rest:
        outcomes["killed after the last batch was committed"] = rest
    return outcomes


def _details_writers(r: dict[str, Any]) -> list[str]:
    return [
        f"### Concurrent writers ({r['seconds']} s)",
        "",
        "A live `storyline serve` (a 300-article store) taking POSTs of 1–3 articles from two"
        " clients and reads (timelines, articles, entities) from two more, while two loops of"
        " CLI `ingest` (40 articles each run) and a loop of CLI `build` use the same file.",
        "",
        f"Requests: {', '.join(f'{k}: {v:,}' for k, v in r['requests'].items())}; CLI runs:"
        f" {', '.join(f'{k} {v}' for k, v in r['cli_runs'].items())}. 5xx: {r['server_5xx']}."
        f" Acknowledged articles stored: {r['acknowledged_stored']:,}/{r['acknowledged']:,};"
        f" integrity check: {r['integrity']}.",
    ]


def _details_load(r: dict[str, Any]) -> list[str]:
    lines = [
        f"### HTTP load ({r['clients']} clients, {r['seconds']} s, {r['articles']:,} articles)",
        "",
        f"`storyline serve` on a store made by `tests/e2e/synthetic.py`; {r['clients']} client"
        " threads (in one process of their own) first ask one new timeline all at once, then"
        f" a mix: timelines ({r['distinct_timelines']} distinct questions of varied query,"
        " dates, sentences, method and entity, a few of them popular), exports, article pages"
        " with and without a search, single articles, entities."
        f" {r['requests_per_s']} requests/s. Both the server (one process, one timeline worker)"
        " and the clients share the machine's 2 cores: latencies include the clients' own"
        " waiting for the CPU.",
        "",
        "| route | requests | p50 ms | p99 ms | max ms | p99 ms while a build ran |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, stats in r["routes"].items():
        busy = r["while_building"].get(kind, {}).get("p99_ms", "")
        lines.append(f"| {kind} | {stats['count']:,} | {stats['p50_ms']} | {stats['p99_ms']} |"
                     f" {stats['max_ms']} | {busy} |")
    if "alone_ms" in r:
        lines += ["", "The same requests one at a time, nothing else asked (their own cost, median"
                  f" ms): {', '.join(f'{k} {v}' for k, v in r['alone_ms'].items())}. The"
                  " machine's load average (all processes, 2 cores) was"
                  f" {r['load_average'][0]} when the load began and {r['load_average'][1]} when it"
                  " ended."]
    lines += ["", "Issue #12's goals:", ""]
    for goal, verdict in r["goals"].items():
        lines.append(f"- {goal}: **{'met' if verdict['met'] else 'not met'}** "
                     f"({verdict['measured']})")
    return lines


def _details_requests(r: dict[str, Any]) -> list[str]:
    lines = [
        f"### Bad HTTP requests ({r['tried']})",
        "",
        "Sent as raw bytes to a live `storyline serve`, one connection each. Answers by status:"
        f" {', '.join(f'{k}: {v}' for k, v in r['statuses'].items())}"
        " ('closed': the connection was closed without an answer, as uvicorn does for bytes"
        " that are not HTTP; 'waits': no answer in 10 s, only for requests that announce a"
        " body, by Content-Length or chunked, and do not send it, and for bytes that are"
        " only empty lines, which RFC 9112 has a server skip while it waits for a request"
        " line; a body that stops arriving is refused after 30 s, a longer wait than this"
        " check's). Answers without the Content-Security-Policy header (uvicorn's own,"
        f" for requests it refuses before the app sees them):"
        f" {', '.join(f'{k}: {v}' for k, v in r['answers_without_csp'].items()) or 'none'}.",
        "",
        "| kind | requests | answers |",
        "| --- | ---: | --- |",
    ]
    for kind, counts in r["by_kind"].items():
        lines.append(f"| {kind} | {sum(counts.values())} |"
                     f" {', '.join(f'{k}: {v}' for k, v in counts.items())} |")
    return lines


def _details_stores(r: dict[str, Any]) -> list[str]:
    lines = [
        f"### Damaged, foreign and read-only stores ({r['files']} files × build, ingest,"
        " serve)",
        "",
        "Each made from a sound 400-article store. A failing command must exit 1 with one"
        " line naming the problem, no traceback, and leave the file as it was; `build` may"
        " succeed on damage it never reads.",
        "",
        "| store file | build | ingest | serve |",
        "| --- | --- | --- | --- |",
    ]
    for name, outcome in r["outcomes"].items():
        cells = [_code(re.sub(r"^storyline: error: \[(E\d+)\] .*?story\.db: ", r"\1: ",
                              outcome.get(c, ""))[:120]) for c in ("build", "ingest", "serve")]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return lines


DETAILS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "fuzz": _details_fuzz, "kill": _details_kill, "writers": _details_writers,
    "load": _details_load, "requests": _details_requests, "stores": _details_stores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to run ({', '.join(PARTS)})")
    parser.add_argument("--quick", action="store_true", help="every part smaller")
    parser.add_argument("--write", action="store_true",
                        help="write the results even with --quick")
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs/")
    parser.add_argument("--serve", nargs=3, metavar=("DB", "PORT", "STATS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        db, port, stats = args.serve
        _serve_with_stats(db, int(port), stats)
        return
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run_benchmarks

    stored = json.loads(run_benchmarks.RESULTS.read_text()) if run_benchmarks.RESULTS.exists() \
        else {}
    def save(measured: dict[str, Any]) -> None:
        run_benchmarks.write(stored | {"reliability": measured})
        print(f"wrote {run_benchmarks.OUT}", flush=True)

    writing = not args.no_write and (args.write or not args.quick)
    measured = measure(stored.get("reliability", {}), parts, args.quick, run_benchmarks.stamp,
                       save if writing else None)
    if not writing:
        print(json.dumps({part: measured[part] for part in parts}, indent=1, default=str))


if __name__ == "__main__":
    main()
