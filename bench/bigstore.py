"""Big stores stay fast: timelines, the article list and ingest at 10k, 50k and 200k articles.

A store is grown in steps with the synthetic strike story of
``tests/e2e/synthetic.py`` (built already annotated, so 200,000 articles
take minutes, not days); its first 5,000 articles also tell a side story
found by the query "ferry". At each size:

- ``storyline build --query ferry`` (a story of 5,000 articles), the whole
  command as a user runs it, best of two;
- ``GET /api/articles?query=ferry`` and ``?query=cranes`` (a word in most
  articles), through the app in this process, median of five;
- the ingest rate of the same evenly spread Timeline17 sample (read, clean,
  annotate, store, in one process), and the rate of the writer alone (the
  same articles, annotated beforehand, stored): the part that depends on
  the store's size. The sample is deleted again before the store grows.
  Both include the stories' update at the end of the ingest (issue #16);
  the grown articles are placed in stories first, timed on their own, and
  one article stored alone (what a one-article POST waits for) is timed too.

Usage: .venv/bin/python bench/bigstore.py [--sizes 10000,50000,200000] [--files 60]
                                          [--db FILE] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.synthetic import SIDE_STORY, build_store  # noqa: E402

T17 = ROOT.parent / "shared" / "data" / "t17-raw"
STORY_ARTICLES = 5000


def sample_files(count: int) -> list[Path]:
    from storyline.ingest import Skipped, find_files

    files = [f.path for f in find_files([T17]) if not isinstance(f, Skipped)]
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def time_build(db: Path) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "storyline", "build", "--db", str(db), "--query",
                        SIDE_STORY, "--format", "json", "-o", "/dev/null"], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def time_api(db: Path) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from storyline.api import create_app

    times: dict[str, float] = {}
    with TestClient(create_app(str(db), build_workers=0), base_url="http://127.0.0.1") as client:
        for query in (SIDE_STORY, "cranes"):
            route = f"/api/articles?query={query}"
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(route)
                runs.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            times[route] = statistics.median(runs)
            times[f"{route} total"] = response.json()["total"]
    return times


def time_ingest(db: Path, files: list[Path], prepared: list) -> dict[str, float]:
    from storyline.pipeline import IngestReport, _write, ingest
    from storyline.store import Store

    with Store(db) as store:
        started = time.perf_counter()
        report = ingest(files, store)
        full = time.perf_counter() - started
        stored = report.added + report.updated
        _delete(store, report.article_ids)
        started = time.perf_counter()
        _write(iter(prepared), store, IngestReport(), 64, lambda files, articles: None)
        writer = time.perf_counter() - started
        _delete(store, report.article_ids)
    return {"ingested": stored, "ingest_articles_per_s": stored / full,
            "writer_articles_per_s": len(prepared) / writer}


def place_in_stories(db: Path) -> tuple[float, int]:
    """Seconds to give the articles the store just grew by their stories, and the stories now."""
    from storyline.stories.storage import update_stories
    from storyline.store import Store

    with Store(db) as store:
        started = time.perf_counter()
        update_stories(store)
        took = time.perf_counter() - started
        return took, store.conn.execute("SELECT count(*) FROM stories").fetchone()[0]


def time_one(db: Path, prepared) -> float:  # noqa: ANN001 - a Prepared
    """Seconds to store one annotated article, stories included (what a one-article POST waits)."""
    from storyline.pipeline import IngestReport, _write
    from storyline.store import Store

    with Store(db) as store:
        started = time.perf_counter()
        report = IngestReport()
        _write(iter([prepared]), store, report, 64, lambda files, articles: None)
        took = time.perf_counter() - started
        _delete(store, report.article_ids)
    return took


def _delete(store, ids: list[str]) -> None:  # noqa: ANN001 - a Store
    with store.atomic():
        store.conn.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])


def prepare_sample(files: list[Path]) -> list:
    from storyline.annotate.pipeline import Annotator
    from storyline.ingest import Skipped, read_inputs
    from storyline.pipeline import processing_signature
    from storyline.scale.work import Prepared, prepare
    from storyline.store import content_hash

    annotator = Annotator()
    signature = processing_signature(annotator)
    prepared = [prepare(a, content_hash(a, signature), annotator)
                for a in read_inputs(files) if not isinstance(a, Skipped)]
    return [p for p in prepared if isinstance(p, Prepared)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,200000")
    parser.add_argument("--files", type=int, default=60, help="Timeline17 files ingested")
    parser.add_argument("--db", type=Path, default=None, help="grow the store here (kept)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    files = sample_files(args.files)
    prepared = prepare_sample(files)
    scratch = tempfile.TemporaryDirectory(prefix="storyline-bigstore-")
    db = args.db or Path(scratch.name) / "big.db"
    results = []
    current = 0
    for size in sizes:
        started = time.perf_counter()
        build_store(db, size - current, start=current, side_story=STORY_ARTICLES)
        built = time.perf_counter() - started
        placed, stories = place_in_stories(db)
        current = size
        row = {"articles": size, "build_s": built, "stories_place_s": placed, "stories": stories,
               "mib": db.stat().st_size / 2**20,
               "timeline_build_s": time_build(db), **time_api(db),
               **time_ingest(db, files, prepared), "one_article_s": time_one(db, prepared[0])}
        results.append(row)
        print(json.dumps(row), flush=True)
        if args.out:
            args.out.write_text(json.dumps({"date": date.today().isoformat(), "story_articles":
                                            STORY_ARTICLES, "files": len(files),
                                            "sizes": results}, indent=1) + "\n")
    scratch.cleanup()


if __name__ == "__main__":
    main()
