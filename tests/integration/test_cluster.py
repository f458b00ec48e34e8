"""Ingest on a real Dask cluster (a small LocalCluster of worker processes).

The store must end up exactly as after a serial ingest, worker deaths
included: the scheduler runs a lost task again, and the writer stores
results in input order and skips what it already holds.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from storyline.annotate.pipeline import Annotator
from storyline.pipeline import ingest, ingest_articles
from storyline.store import Store

from tests.conftest import DATA, EXAMPLES

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed")

#: Every stored column but the time of writing; rows in storage order.
TABLES = {
    "articles": "SELECT rowid, id, url, source, title, published, published_precision,"
                " published_from, text, origin, content_hash FROM articles ORDER BY rowid",
    "sentences": 'SELECT article_id, idx, start, "end", text FROM sentences ORDER BY id',
    "entities": 'SELECT article_id, sentence_index, start, "end", text, label FROM entities'
                " ORDER BY rowid",
    "time_mentions": 'SELECT article_id, sentence_index, start, "end", text, granularity, value'
                     " FROM time_mentions ORDER BY rowid",
    "fingerprints": "SELECT key, article_id, sentence_index FROM fingerprints ORDER BY rowid",
    "copies": "SELECT * FROM copies ORDER BY article_id, original_id",
}


def content(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local, \
            distributed.Client(local) as client:
        yield client


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The bundled examples plus copies under other names (duplicates, a changed article)."""
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copytree(EXAMPLES, folder / "news")
    shutil.copytree(DATA / "strike", folder / "strike")
    shutil.copy(EXAMPLES / "wire.jsonl", folder / "wire-again.jsonl")
    first = json.loads((EXAMPLES / "wire.jsonl").read_text().splitlines()[0])
    first["text"] += "\nThe agency corrected the figures on Friday."
    (folder / "wire-corrected.jsonl").write_text(json.dumps(first) + "\n")
    (folder / "broken.jsonl").write_text('{"id": "x", "text": \n')
    return folder


@pytest.fixture(scope="module")
def serial(inputs, tmp_path_factory):
    path = tmp_path_factory.mktemp("serial") / "serial.db"
    with Store(path) as store:
        report = ingest([inputs], store, batch_size=5)
    return path, report


def engine_on(client, **options):
    from storyline.scale import DaskEngine

    return DaskEngine(client, files_per_task=2, articles_per_task=2, **options)


def test_a_cluster_ingest_stores_exactly_what_a_serial_one_does(cluster, inputs, serial,
                                                                 tmp_path):
    path, expected = serial
    with Store(tmp_path / "dask.db") as store:
        report = ingest([inputs], store, batch_size=5, engine=engine_on(cluster))
    assert content(tmp_path / "dask.db") == content(path)
    assert (report.added, report.updated, report.unchanged, report.copies) == (
        expected.added, expected.updated, expected.unchanged, expected.copies)
    assert sorted(report.skipped, key=str) == sorted(expected.skipped, key=str)
    assert report.undated == expected.undated and report.article_ids == expected.article_ids
    assert any("broken.jsonl" in s.path for s in report.skipped)
    with Store(tmp_path / "dask.db") as store:  # again: nothing to do, nothing annotated
        again = ingest([inputs / "strike", inputs / "news" / "regional.jsonl"], store,
                       engine=engine_on(cluster))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)


class _DieOnce(distributed.WorkerPlugin):
    """A worker plugin that kills its worker process as it starts annotating, once."""

    name = "storyline-test-die-once"

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def transition(self, key, start, finish, **kwargs):  # noqa: ANN001 - Dask's signature
        if finish == "executing" and "prepare_read" in str(key):
            try:
                os.close(os.open(self.flag, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return
            os._exit(1)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(cluster, inputs, serial,
                                                               tmp_path):
    path, expected = serial
    flag = tmp_path / "died"
    cluster.register_plugin(_DieOnce(str(flag)))  # the nanny starts a new worker after
    with Store(tmp_path / "dask.db") as store:
        report = ingest([inputs], store, batch_size=5, engine=engine_on(cluster))
    assert flag.exists()  # a worker did die while annotating
    assert content(tmp_path / "dask.db") == content(path)
    assert report.added == expected.added and len(report.skipped) == len(expected.skipped)


def _fail_task() -> None:
    raise RuntimeError("the worker ran out of luck")


def test_a_task_that_fails_costs_only_its_articles(cluster):
    from storyline.ingest import InputFile, Skipped
    from storyline.scale.dask import DaskEngine
    from storyline.scale.work import ArticleKey

    key = ArticleKey("a", "digest", "feed.jsonl:3", False)
    (failed,) = DaskEngine._results(cluster.submit(_fail_task, pure=False), [key])
    assert failed.skipped() == Skipped(
        "feed.jsonl:3", "could not be annotated (on the cluster: RuntimeError: the worker ran "
                        "out of luck)")
    skipped: list[Skipped] = []
    engine = engine_on(cluster)
    chunk = [InputFile(EXAMPLES / "wire.jsonl"), Skipped("gone.txt", "does not exist")]
    result = engine._annotate(chunk, None, cluster.submit(_fail_task, pure=False), None,
                              lambda *_: True, skipped.append, lambda _: None)
    assert result == (None, [], 1, 0)  # no task, nothing wanted, one file, no article read
    assert [s.path for s in skipped] == [str(EXAMPLES / "wire.jsonl"), "gone.txt"]
    assert "could not be read on the cluster (RuntimeError" in skipped[0].reason


def test_eval_style_ingest_of_read_articles_matches_serial(cluster, tmp_path):
    from storyline.ingest import read_inputs

    articles = list(read_inputs([EXAMPLES]))
    annotator = Annotator(entities=False)
    with Store(tmp_path / "a.db") as store:
        ingest_articles(articles, store, annotator=annotator, batch_size=4)
    with Store(tmp_path / "b.db") as store:
        ingest_articles(articles, store, annotator=annotator, batch_size=4,
                        engine=engine_on(cluster))
    assert content(tmp_path / "a.db") == content(tmp_path / "b.db")


def test_the_cli_ingests_with_local_workers_quietly_and_names_bad_option_pairs(tmp_path):
    """As a user runs it: a subprocess, a local cluster of one worker, only the report."""
    import subprocess
    import sys

    db = tmp_path / "s.db"
    done = subprocess.run([sys.executable, "-m", "storyline", "ingest", str(DATA / "strike"),
                           "--db", str(db), "--format", "json", "--workers", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 3
    assert done.stderr == ""  # Dask's start-up chatter stays out of the user's way
    both = subprocess.run([sys.executable, "-m", "storyline", "ingest", str(DATA / "strike"),
                           "--db", str(db), "--workers", "2", "--scheduler", "tcp://x:1"],
                          capture_output=True, text=True, timeout=60)
    assert both.returncode == 1
    assert both.stderr.strip() == ("storyline: error: give --workers (a local cluster) or "
                                   "--scheduler (an existing one), not both")


def test_local_workers_neither_trim_memory_at_every_free_nor_profile_their_tasks(monkeypatch):
    """The two Dask defaults a local cluster turns off (see ``dask_engine``); the
    settings are the workers' own, not this process's."""
    import os

    import dask

    from storyline.scale.dask import dask_engine

    # Workers inherit this process's environment, where a user's own setting
    # stays theirs; the module's plain LocalCluster left Dask's in it.
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)

    def settings() -> tuple[str | None, bool]:
        return (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                dask.config.get("distributed.worker.profile.enabled"))

    with dask_engine(workers=1) as engine:
        assert list(engine.client.run(settings).values()) == [(None, False)]
    assert dask.config.get("distributed.worker.profile.enabled") is True  # not left behind
