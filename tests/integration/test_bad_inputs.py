"""No input aborts an ingest: each failure is named with its reason, the rest is stored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.annotate.pipeline import Annotator
from storyline.annotate.temporal import TemporalResolver
from storyline.cli import main
from storyline.ingest import find_files
from storyline.ingest.base import Skipped
from storyline.model import Article
from storyline.pipeline import ingest_articles
from storyline.store import Store

pytestmark = pytest.mark.slow

GOOD = {"title": "Dockworkers return", "published": "2023-10-30",
        "text": "Dockworkers in Marrow Bay returned to work on Monday after the vote."}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _line(**fields) -> str:
    return json.dumps({**GOOD, **fields})


def test_hostile_json_records_are_skipped_one_by_one(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([
        _line(id="year-one", published="0001-01-01T00:00:00Z"),
        '{"id": "huge", "text": "x", "n": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"id": "surrogate", "title": "Lone \\ud800 half", "published": "2023-10-30", '
        '"text": "A lone \\ud800 surrogate is no reason to lose the article."}',
        _line(id="good"),
    ]) + "\n")
    db = tmp_path / "s.db"
    result = run("ingest", feed, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    reasons = {s["path"].rsplit(":", 1)[1]: s["reason"] for s in report["skipped"]}
    assert "plausible publication year" in reasons["1"]
    assert "more than 4,300 digits" in reasons["2"]
    assert "nested too deeply" in reasons["3"]
    assert report["added"] == 2
    with Store(db, create=False) as store:
        assert "\ufffd" in store.get_article("surrogate").title
        assert store.get_article("good").text.startswith("Dockworkers")
    assert "Traceback" not in result.stderr


def test_an_article_the_annotator_chokes_on_is_skipped_and_the_batch_goes_on(tmp_path):
    class Choking(TemporalResolver):
        def article(self, published, **page):
            discourse = super().article(published, **page)

            class Poisoned:
                def resolve(self, sentence):
                    if "poison" in sentence:
                        raise OverflowError("date value out of range")
                    return discourse.resolve(sentence)

            return Poisoned()

    articles = [Article(f"a{n}", None, "Wire", f"Story {n}", None,
                        f"Story number {n} on Monday{' with poison' if n == 1 else ''}.",
                        f"feed.jsonl:{n}") for n in range(3)]
    with Store(tmp_path / "s.db") as store:
        report = ingest_articles(articles, store,
                                 annotator=Annotator(entities=False, resolver=Choking()))
        assert report.added == 2 and store.count_articles() == 2
    (skipped,) = report.skipped
    assert skipped.path == "feed.jsonl:1"
    assert "could not be annotated (OverflowError: date value out of range)" in skipped.reason


def test_a_file_name_that_is_not_utf8_is_read_and_named(tmp_path):
    folder = tmp_path / "feeds"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9-feed.jsonl")
    (folder / name).write_text(_line(id="latin-name") + "\n")
    db = tmp_path / "s.db"
    result = run("ingest", folder, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.stderr
    with Store(db, create=False) as store:
        assert store.get_article("latin-name").origin == "feeds/caf\\xe9-feed.jsonl:1"


def test_control_characters_in_names_and_reasons_are_made_visible(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\x1b[2J\x07.txt").write_text("")
    (folder / "ok.jsonl").write_text(_line(id="ok") + "\n")
    result = run("ingest", folder, "--db", tmp_path / "s.db")
    assert result.exit_code == 0
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "evil\\x1b[2J\\x07.txt: is empty" in result.stderr


def test_links_out_of_the_folder_loops_and_fifos_are_named_not_followed(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "story.jsonl").write_text(_line(id="inside") + "\n")
    outside = tmp_path / "secret.txt"
    outside.write_text("Private notes\n\nThe password is swordfish, kept outside the feed.")
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (folder / "alias.jsonl").symlink_to(folder / "story.jsonl")
    (folder / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    found = list(find_files([folder]))
    reasons = {Path(f.path).name: f.reason for f in found if isinstance(f, Skipped)}
    assert "outside the folder being read; not followed" in reasons["passwd.txt"]
    assert "loops" in reasons["loop.txt"]
    assert "does not exist" in reasons["dangling.txt"]
    assert "outside the folder being read" in reasons["elsewhere"]
    assert reasons["pipe.txt"] == "is not a regular file (a FIFO)"
    read = [f for f in found if not isinstance(f, Skipped)]
    assert [f.path.name for f in read] == ["alias.jsonl"]  # the link inside, read once


def test_a_folder_that_cannot_be_listed_is_named(tmp_path):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("needs setpriv to drop root's power over file permissions")
    folder = tmp_path / "feed"
    (folder / "locked").mkdir(parents=True)
    (folder / "story.jsonl").write_text(_line(id="inside") + "\n")
    (folder / "locked").chmod(0)
    prefix = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
              "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    code = ("from storyline.ingest import find_files\n"
            f"for f in find_files([{str(folder)!r}]): print(getattr(f, 'reason', 'read'))")
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True,
                              text=True, timeout=60)
    finally:
        (folder / "locked").chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == ["folder cannot be read (Permission denied)",
                                                "read"]


def test_a_full_disk_stops_the_ingest_saying_what_was_committed(tmp_path):
    from storyline.errors import StoreError

    articles = [Article(f"a{n}", None, "Wire", f"Story {n}", None,
                        " ".join(f"Crane {i} of berth {n} stopped on Monday after {i * n} "
                                 f"containers." for i in range(40)), f"feed.jsonl:{n}")
                for n in range(40)]
    with Store(tmp_path / "s.db") as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 60}")  # the disk fills up
        with pytest.raises(StoreError) as raised:
            ingest_articles(articles, store, annotator=Annotator(entities=False), batch_size=8)
        stored = store.count_articles()
    message = str(raised.value)
    assert "full" in message
    assert f"{stored} article(s) of this ingest were stored before" in message
    assert 0 < stored < 40 and stored % 8 == 0
    assert "no such savepoint" not in message and "nothing was changed" not in message
    with Store(tmp_path / "s.db") as store:
        store.check()
        assert store.count_articles() == stored
