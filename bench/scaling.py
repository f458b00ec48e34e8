"""Ingest rate with 1, 2, 4, ... local Dask workers: how far one writer carries.

For each number of workers: a LocalCluster of that many single-threaded
worker processes, the spaCy model loaded on every worker (a one-off cost
of each machine, not throughput), then a full ingest (read, clean,
annotate, store) of the same evenly spread sample of Timeline17 files into
a fresh store. The rate counts from the first task sent to the last
article committed; cluster start and model loading are reported beside it.

One command, results as JSON (and a line per run on stdout):

    .venv/bin/python bench/scaling.py --workers 1,2,4,8,16 --files 800 --out scaling.json

``--data`` points at another t17-raw folder (default ../shared/data/t17-raw
beside the repository). Import the JSON into docs/benchmarks.md with
``bench/run_benchmarks.py --only scaling --scaling-json scaling.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
T17 = ROOT.parent / "shared" / "data" / "t17-raw"


def sample(data: Path, count: int) -> list[Path]:
    from storyline.ingest import Skipped, find_files

    files = [f.path for f in find_files([data]) if not isinstance(f, Skipped)]
    if not files:
        raise SystemExit(f"{data}: no article files here")
    step = len(files) / count
    return [files[int(i * step)] for i in range(min(count, len(files)))]


def _warm() -> str:
    """Run on every worker: load what the first article would (the model, the rules)."""
    from storyline.annotate.pipeline import Annotator
    from storyline.model import Article

    Annotator().annotate_article(Article("warm", None, None, "Warm-up", None,
                                         "The port of Marrow Bay reopened on Monday.", "warm"))
    return "ok"


def measure(workers: int, files: list[Path], scratch: Path, files_per_task: int
            ) -> dict[str, object]:
    from distributed import Client, LocalCluster

    from storyline.pipeline import ingest
    from storyline.scale import DaskEngine
    from storyline.store import Store

    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        up = time.perf_counter()
        client.run(_warm)
        warm = time.perf_counter()
        engine = DaskEngine(client, files_per_task=files_per_task)
        with Store(scratch / f"workers-{workers}.db") as store:
            report = ingest(files, store, engine=engine)
        done = time.perf_counter()
    stored = report.added + report.updated
    result = {"workers": workers, "articles": stored, "skipped": len(report.skipped),
              "cluster_start_s": up - started, "warm_up_s": warm - up, "ingest_s": done - warm,
              "articles_per_s": stored / (done - warm),
              "wall_articles_per_s": stored / (done - started)}
    print(f"{workers:2d} workers: {stored} articles in {done - warm:.1f} s ="
          f" {result['articles_per_s']:.1f}/s (cluster start {up - started:.1f} s,"
          f" warm-up {warm - up:.1f} s)", flush=True)
    return result


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4,8,16",
                        help="comma-separated numbers of workers")
    parser.add_argument("--files", type=int, default=800, help="files of the sample")
    parser.add_argument("--files-per-task", type=int, default=4)
    parser.add_argument("--data", type=Path, default=T17)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data} is not a folder; give --data PATH/TO/t17-raw")
    counts = [int(n) for n in args.workers.split(",")]
    files = sample(args.data, args.files)
    runs = []
    with tempfile.TemporaryDirectory(prefix="storyline-scaling-") as scratch:
        for workers in counts:
            runs.append(measure(workers, files, Path(scratch), args.files_per_task))
            args.out.write_text(json.dumps(_result(args, files, runs), indent=1) + "\n")
    base = runs[0]["articles_per_s"]
    for run in runs:
        print(f"{run['workers']:2d} workers: {run['articles_per_s'] / base:.1f}x "
              f"the {counts[0]}-worker rate")


def _result(args: argparse.Namespace, files: list[Path], runs: list[dict]) -> dict:
    return {"machine": machine(), "date": date.today().isoformat(), "files": len(files),
            "files_per_task": args.files_per_task, "data": args.data.name, "runs": runs}


if __name__ == "__main__":
    main()
