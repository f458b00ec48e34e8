"""No input aborts an ingest: a few hundred generated hostile inputs, every run the same.

The cases come from tests/fuzzing.py (seeded); bench/reliability.py runs
ten thousand of them and reports the counts in docs/benchmarks.md. Here:
through the Python API and the CLI nothing escapes, every input is stored
or named with a reason that is one printable line, the sound articles mixed
in are all stored, the store stays sound and still gives a timeline; and
hostile POSTs never get a 5xx.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from storyline.annotate.pipeline import Annotator
from storyline.api import create_app
from storyline.cli import main
from storyline.pipeline import build_timeline, ingest
from storyline.render import RENDERERS, render
from storyline.store import Store
from storyline.timeline import TimelineRequest

from tests import fuzzing
from tests.e2e.synthetic import build_store

pytestmark = pytest.mark.slow

#: Small enough for `make test`: the largest made-up line or attribute.
HUGE = 20_000


def stored_origins(db) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {row[0] for row in conn.execute("SELECT origin FROM articles")}
    finally:
        conn.close()


def test_every_generated_input_is_read_or_named_never_lost(tmp_path):
    corpus = fuzzing.write(fuzzing.generate(400, seed=11, huge=HUGE), tmp_path)
    audit = fuzzing.audit(corpus)
    assert audit.escaped == []
    assert audit.silent == []  # a file read gave an article or a reason
    assert audit.unseen == []  # everything in the folder was read or named
    assert audit.files > 300 and len(audit.skipped) > 100
    for skipped in audit.skipped:
        assert skipped.path and skipped.reason
        assert fuzzing.raw_controls(skipped.path + skipped.reason) == [], skipped
    assert {a.origin for a in audit.articles} >= corpus.expected_origins()


def test_a_hostile_folder_is_ingested_with_the_rest_stored(tmp_path, caplog):
    corpus = fuzzing.write(fuzzing.generate(300, seed=12, huge=HUGE), tmp_path)
    db = tmp_path / "fuzz.db"
    with caplog.at_level(logging.INFO), Store(db) as store:
        report = ingest([corpus.root], store, annotator=Annotator(entities=False))
    assert report.added > 150
    for skipped in report.skipped:
        assert skipped.path and skipped.reason
        assert fuzzing.raw_controls(skipped.path + skipped.reason) == [], skipped
    for record in caplog.records:  # what a terminal shows with -v
        assert fuzzing.raw_controls(record.getMessage()) == [], record.getMessage()
    assert corpus.expected_origins() <= stored_origins(db)
    with Store(db, create=False) as store:  # what was stored is usable
        timeline = build_timeline(store, TimelineRequest(dates=5))
        assert timeline.entries
        for fmt in RENDERERS:
            assert render(timeline, fmt)


def test_the_cli_names_every_bad_input_in_one_printable_line(tmp_path):
    corpus = fuzzing.write(fuzzing.generate(100, seed=13, huge=HUGE), tmp_path)
    loop, fifo = tmp_path / "loop.jsonl", tmp_path / "pipe.jsonl"
    loop.symlink_to(loop)
    os.mkfifo(fifo)
    odd = tmp_path / os.fsdecode(b"\xff\x1b[2Jnamed.txt")
    odd.write_bytes(b"\x00\x01binary")
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(main, ["ingest", str(corpus.root), str(loop), str(fifo),
                                       str(odd), str(tmp_path / "missing.txt"),
                                       "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert fuzzing.raw_controls(result.stderr) == []
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("storyline: ") for line in lines), lines
    report = json.loads(result.stdout)
    assert len(lines) == len(report["skipped"])  # each skip named once, on its own line
    for path, why in [(loop, "loops"), (fifo, "a FIFO"), (tmp_path / "missing.txt", "does not"),
                      (tmp_path / "\\xff\\x1b[2Jnamed.txt", "is a binary file")]:
        (line,) = [line for line in lines if line.startswith(f"storyline: skipped {path}: ")]
        assert why in line, line
    assert corpus.expected_origins() <= stored_origins(db)


def test_a_cli_ingest_of_nothing_usable_fails_in_one_line(tmp_path):
    useless = ("random-binary", "/empty", "link-loop", "link-dangling", "fifo", "socket",
               "bom-bom-only", "link-outside")
    cases = [case for case in fuzzing.generate(300, seed=14, huge=HUGE)
             if case.kind.endswith(useless)]
    corpus = fuzzing.write(cases, tmp_path)
    result = CliRunner().invoke(main, ["ingest", str(corpus.root), "--db",
                                       str(tmp_path / "none.db"), "--quiet"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) > 20 and all(line.startswith("storyline: skipped ") for line in lines[:-1])
    assert lines[-1] == "storyline: error: no usable article in the input"
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    db = tmp_path_factory.mktemp("post-fuzz") / "api.db"
    build_store(db, 40)
    with TestClient(create_app(db, build_workers=0), base_url="http://127.0.0.1") as client:
        yield client, db


def test_hostile_posts_never_get_a_5xx_and_sound_ones_are_stored(api):
    client, db = api
    acknowledged = []
    for content_type, body, sound in fuzzing.post_bodies(80, seed=15, huge=HUGE):
        headers = {"content-type": content_type} if content_type else {}
        response = client.post("/api/articles", content=body, headers=headers)
        assert response.status_code < 500, (content_type, body[:200], response.text)
        assert "content-security-policy" in response.headers
        answer = response.json()
        assert isinstance(answer, dict) and answer
        if sound:
            assert response.status_code == 200, response.text
            acknowledged += answer["ids"]
        if response.status_code == 200:
            assert all(fuzzing.raw_controls(s["path"] + s["reason"]) == []
                       for s in answer["skipped"])
    assert len(acknowledged) >= 10
    with Store(db, create=False) as store:
        for article_id in acknowledged:
            assert store.get_article(article_id)
    stored_origins(db)  # integrity
