"""Stores that are damaged, foreign, read-only or newer: each named for what it is.

Every command must say in one line what is wrong with the file, never
print a traceback, never write to it, and read a sound store it cannot
write to.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.api import create_app
from storyline.cli import main
from storyline.errors import StoreError
from storyline.store import SCHEMA_VERSION

from tests.conftest import DATA
from tests.e2e.synthetic import build_store

pytestmark = pytest.mark.slow


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result, *phrases):
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.fixture
def sound(tmp_path) -> Path:
    path = tmp_path / "sound.db"
    build_store(path, 400)
    return path


def _corrupt_a_page(path: Path) -> None:
    """Overwrite one page in the middle of the file, as a bad disk sector would."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with path.open("r+b") as handle:
        handle.seek(page_size * (pages // 2))
        handle.write(bytes(range(256)) * (page_size // 256))


def test_a_dropped_table_is_named_by_every_command(sound):
    conn = sqlite3.connect(sound)
    conn.execute("DROP TABLE time_mentions")
    conn.commit()
    conn.close()
    one_line_error(run("build", "--db", sound), "damaged", "time_mentions")
    one_line_error(run("ingest", DATA / "strike", "--db", sound), "damaged", "time_mentions")
    with pytest.raises(StoreError, match="damaged"):
        create_app(sound)


def test_a_corrupt_page_is_named_and_nothing_is_written(sound):
    _corrupt_a_page(sound)
    before = sound.read_bytes()
    one_line_error(run("ingest", DATA / "strike", "--db", sound), "damaged")
    assert sound.read_bytes() == before
    with pytest.raises(StoreError, match="damaged"):
        create_app(sound)
    result = run("build", "--db", sound)
    # build does not read every page first; when it meets the bad one it says so
    if result.exit_code:
        one_line_error(result, "damaged")


def test_another_programs_database_is_not_offered_to_be_created_again(tmp_path):
    path = tmp_path / "contacts.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    result = run("build", "--db", path)
    one_line_error(result, "another program")
    assert "storyline ingest" not in result.stderr


def test_an_empty_foreign_database_with_a_version_is_not_blamed_on_a_newer_storyline(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 6}")
    conn.close()
    for result in (run("build", "--db", path), run("ingest", DATA / "strike", "--db", path)):
        one_line_error(result, "another program")
        assert "newer" not in result.stderr


def test_a_fifo_given_as_the_store_is_named_as_such(tmp_path):
    # Failed before: "input/output error while using the store (disk I/O error)".
    path = tmp_path / "pipe.db"
    os.mkfifo(path)
    for result in (run("build", "--db", path), run("ingest", DATA / "strike", "--db", path)):
        one_line_error(result, "not a regular file")


def test_a_newer_store_is_named_as_such(sound):
    conn = sqlite3.connect(sound)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    one_line_error(run("build", "--db", sound), "newer storyline")


def _without_root_powers() -> list[str]:
    """A command prefix that runs as root but, like anyone else, obeys file permissions."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("needs setpriv to drop root's power over file permissions")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"]


def test_a_store_in_a_read_only_folder_can_be_read_but_not_written(sound, tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = folder / "story.db"
    shutil.copy(sound, path)
    folder.chmod(0o555)
    try:
        prefix = _without_root_powers()
        storyline = [*prefix, sys.executable, "-m", "storyline"]
        built = subprocess.run([*storyline, "build", "--db", str(path), "--dates", "3",
                                "--format", "json"], capture_output=True, text=True, timeout=120)
        assert built.returncode == 0, built.stderr
        assert '"entries"' in built.stdout
        written = subprocess.run([*storyline, "ingest", str(DATA / "strike"), "--db", str(path)],
                                 capture_output=True, text=True, timeout=300)
        assert written.returncode == 1
        assert written.stderr.count("\n") == 1 and "read-only" in written.stderr, written.stderr
        assert "again" not in written.stderr  # failed before: "Run the same ingest again"
    finally:
        folder.chmod(0o755)
    assert sorted(p.name for p in folder.iterdir()) == ["story.db"]


def test_a_read_only_store_opens_for_reading_in_python(sound, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(sound, folder / "s.db")
    folder.chmod(0o555)
    try:
        prefix = _without_root_powers()
        code = ("from storyline.store import Store\n"
                f"s = Store({str(folder / 's.db')!r}, create=False)\n"
                "print(s.read_only, s.count_articles())")
        done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["True", "400"]
    finally:
        folder.chmod(0o755)
